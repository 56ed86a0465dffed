/*  gw_web.h — the web application's files (web/, built into a directory)
 *  served on the API port, same origin as the API (docs/web.md,
 *  docs/gateway.md "The web application").
 */
#ifndef GW_WEB_H
#define GW_WEB_H

#include "gw_api.h"

/* Chooses and opens the directory of the pages: ENTRETIENS_GATEWAY_WEB_DIR
 * when set ("" = serve no pages), else the build tree's web/ when this
 * program runs from the build tree it was built in, else the installed
 * share/entretiens/web.  A default directory that does not exist only
 * turns the pages off (logged); a configured one that is not a readable
 * directory is a configuration error.  Returns 0 or
 * ENT_DAEMON_CONFIG_ERROR. */
int gw_web_open(gw_t *gw);

/* Closes the directory (safe when never opened). */
void gw_web_close(gw_t *gw);

/* Whether r (a GET or HEAD outside /api/) is for the pages: true when the
 * pages are served. */
bool gw_web_wants(const gw_t *gw, const char *method, const char *path);

/* Answers a page request: "/" and app routes (a last segment without a
 * dot) get index.html (Cache-Control: no-cache); a file (a last segment
 * with a dot) itself, immutable under /assets/ (hashed names), its .gz
 * twin when the client accepts gzip; 404 for an unknown file, a path with
 * "." or ".." segments or bytes outside [A-Za-z0-9._~/-] (no way out of
 * the directory), or a type not in the table.  Fills out (a file
 * descriptor the sender owns, or a problem).  Returns 0. */
int gw_web_serve(gw_req_t *r, gw_resp_t *out);

#endif
