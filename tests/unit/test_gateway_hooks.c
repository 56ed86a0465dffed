/*  Unit tests of the webhooks' store (gw_store: subscriptions, pending and
 *  dead deliveries on a real LMDB) and of the kinds subscribers may name
 *  (gw_hooks). */
#include "common/store.h"
#include "gw_hooks.h"
#include "gw_store.h"

#include <criterion/criterion.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_dir[64];
static ent_store_t *s_store;
static gw_store_t s_st;

static void s_open(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/gw-hooks-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
    int err = 0;
    s_store = ent_store_open(s_dir, GW_MAX_DBS + 4, 16, true, &err);
    cr_assert_not_null(s_store, "open: %d", err);
    cr_assert_eq(gw_store_open(&s_st, s_store), 0);
}

static void s_close(void)
{
    ent_store_close(&s_store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    cr_expect_eq(system(cmd), 0);
}

static void s_delivery(MDB_txn *txn, MDB_dbi dbi, const char *wh, const char *ev)
{
    Entretiens__V1__WebhookDelivery d = ENTRETIENS__V1__WEBHOOK_DELIVERY__INIT;
    d.webhook_id = (char *) wh;
    d.event_id = (char *) ev;
    d.kind = "interview.held";
    d.body.data = (uint8_t *) "{}";
    d.body.len = 2;
    cr_assert_eq(gw_delivery_put(txn, &s_st, dbi, &d), 0);
}

static void s_webhook(MDB_txn *txn, const char *id)
{
    char *kinds[] = { "interview.held" };
    uint8_t key[24] = { 1, 2, 3 };
    Entretiens__V1__Webhook w = ENTRETIENS__V1__WEBHOOK__INIT;
    w.id = (char *) id;
    w.url = "https://example.com/hook";
    w.kinds = kinds;
    w.n_kinds = 1;
    w.secret.data = key;
    w.secret.len = sizeof key;
    w.created_by = "admin:root";
    cr_assert_eq(gw_webhook_put(txn, &s_st, &w), 0);
}

/* Each subscription's queue is read alone, in event id order, page by
 * page; deleting a subscription takes its deliveries, pending and dead,
 * and no other's (a prefix of another id included). */
Test(hooks, queues_by_subscription, .init = s_open, .fini = s_close)
{
    MDB_txn *txn;
    cr_assert_eq(gw_store_write(&s_st, &txn), 0);
    s_webhook(txn, "wh_a");
    s_webhook(txn, "wh_ab");
    const char *evs[] = { "scheduler-003", "records-002", "scheduler-001", "records-001" };
    for (size_t i = 0; i < 4; i++)
        s_delivery(txn, s_st.wh_pending, "wh_a", evs[i]);
    s_delivery(txn, s_st.wh_pending, "wh_ab", "records-009");
    s_delivery(txn, s_st.wh_dead, "wh_a", "records-000");
    cr_assert_eq(gw_store_commit(txn), 0);

    cr_assert_eq(gw_store_read(&s_st, &txn), 0);
    Entretiens__V1__WebhookDelivery **items = NULL;
    size_t n = 0;
    cr_assert_eq(gw_delivery_list(txn, &s_st, s_st.wh_pending, "wh_a", NULL, 100, &items, &n), 0);
    cr_assert_eq(n, 4, "wh_a's queue holds %zu", n);
    const char *order[] = { "records-001", "records-002", "scheduler-001", "scheduler-003" };
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(items[i]->event_id, order[i]);
    gw_delivery_list_free(items, n);
    /* a page after an event */
    cr_assert_eq(gw_delivery_list(txn, &s_st, s_st.wh_pending, "wh_a", "wh_a/records-002", 2, &items, &n), 0);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(items[0]->event_id, "scheduler-001");
    cr_expect_str_eq(items[1]->event_id, "scheduler-003");
    gw_delivery_list_free(items, n);
    cr_assert_eq(gw_delivery_list(txn, &s_st, s_st.wh_pending, NULL, NULL, 100, &items, &n), 0);
    cr_expect_eq(n, 5, "every queue: %zu", n);
    gw_delivery_list_free(items, n);
    Entretiens__V1__WebhookDelivery *d = NULL;
    cr_expect_eq(gw_delivery_get(txn, &s_st, s_st.wh_dead, "wh_a", "records-000", &d), 0);
    entretiens__v1__webhook_delivery__free_unpacked(d, NULL);
    cr_expect_eq(gw_delivery_get(txn, &s_st, s_st.wh_dead, "wh_a", "records-001", &d), MDB_NOTFOUND);
    gw_store_abort(txn);

    cr_assert_eq(gw_store_write(&s_st, &txn), 0);
    cr_assert_eq(gw_webhook_del(txn, &s_st, "wh_a"), 0);
    cr_expect_eq(gw_webhook_del(txn, &s_st, "wh_a"), MDB_NOTFOUND);
    cr_expect_eq(gw_delivery_del(txn, &s_st, s_st.wh_pending, "wh_a", "records-001"), MDB_NOTFOUND);
    cr_assert_eq(gw_store_commit(txn), 0);
    cr_assert_eq(gw_store_read(&s_st, &txn), 0);
    cr_assert_eq(gw_delivery_list(txn, &s_st, s_st.wh_pending, NULL, NULL, 100, &items, &n), 0);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(items[0]->webhook_id, "wh_ab", "the other subscription's queue stays");
    gw_delivery_list_free(items, n);
    cr_assert_eq(gw_delivery_list(txn, &s_st, s_st.wh_dead, NULL, NULL, 100, &items, &n), 0);
    cr_expect_eq(n, 0, "dead letters of a deleted subscription");
    gw_delivery_list_free(items, n);
    Entretiens__V1__Webhook **subs = NULL;
    cr_assert_eq(gw_webhook_list(txn, &s_st, &subs, &n), 0);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(subs[0]->id, "wh_ab");
    cr_expect_eq(subs[0]->secret.len, 24);
    gw_webhook_list_free(subs, n);
    gw_store_abort(txn);
}

Test(hooks, kinds)
{
    cr_expect(gw_hook_kind_known("obligation.due"));
    cr_expect(gw_hook_kind_known("interview.closed"));
    cr_expect_not(gw_hook_kind_known("scheduler.interview.due"), "the daemon's name is not a kind");
    cr_expect_not(gw_hook_kind_known("interview.answered"), "content changes are not carried");
    cr_expect_not(gw_hook_kind_known(""));
    cr_expect_not(gw_hook_kind_known(NULL));
    cr_expect(strstr(gw_hook_kind_list(), "obligation.overdue") != NULL);
}
