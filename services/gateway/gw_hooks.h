/*  gw_hooks.h — webhooks out of the gateway (docs/gateway.md "Webhooks",
 *  docs/api.md): subscriptions, the kinds of domain events they carry,
 *  and their delivery.
 *
 *    gw_hook_events.c   consumes the daemons' events and queues deliveries
 *                       (on the loop, in the consumer's transaction);
 *    gw_hook_deliver.c  the delivery thread: POSTs, retries, dead letters;
 *    gw_hook_routes.c   /api/v1/webhooks (administrators and granted HR).
 */
#ifndef GW_HOOKS_H
#define GW_HOOKS_H

#include <stdbool.h>

/* True when kind is one subscribers may name ("obligation.due" ...). */
bool gw_hook_kind_known(const char *kind);

/* Every kind, space-separated (for error messages). */
const char *gw_hook_kind_list(void);

#endif
