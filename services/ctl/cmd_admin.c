/*  cmd_admin.c — entretiensctl health | clock show | clock set DATE. */
#include "ctl.h"
#include "common/event_json.h"

#include "common/clock.h"
#include "common/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A daemon's clock for people and for --json: RFC 3339, local offset
 * (common/event_json.h). */
static void s_format_ms(int64_t ms, char *buf, size_t size)
{
    ent_time_str(ms, buf, size);
}

int ctl_cmd_health(ctl_t *ctl, int argc, char **argv)
{
    (void) argc, (void) argv;
    json_t *arr = json_array();
    int down = 0;
    if (!ctl->json)
        printf("%-10s %-6s %-25s %-7s %8s  %s\n", "SERVICE", "STATE", "CLOCK", "PINNED", "HEAD", "CONSUMES (cursor/head)");
    for (int i = 0; i < CTL_DAEMONS; i++) {
        const char *name = ctl_daemon_names[i];
        ent_rpc_result_t r = { .code = ENT_UNAVAILABLE };
        ent_rpc_client_t *c = ctl_client(ctl, name);
        if (c)
            ent_rpc_client_call(c, "health", ctl->as ? ctl->as : "", NULL, 0, &r);
        else
            snprintf(r.message, sizeof r.message, "no client (see the message above)");
        Entretiens__V1__HealthReply *h = r.code == ENT_OK
            ? entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload) : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "service", json_string(name));
        json_object_set_new(o, "up", json_boolean(h != NULL));
        if (!h) {
            down++;
            json_object_set_new(o, "error", json_string(r.message));
            if (!ctl->json)
                printf("%-10s %-6s %s\n", name, "DOWN", r.message);
        } else {
            char clock[40];
            s_format_ms(h->now_ms, clock, sizeof clock);
            json_object_set_new(o, "version", json_string(h->version));
            json_object_set_new(o, "now", json_string(clock));
            json_object_set_new(o, "clock_pinned", json_boolean(h->clock_pinned));
            json_object_set_new(o, "head_seq", json_integer((json_int_t) h->head_seq));
            json_t *cons = json_array();
            char line[256] = "";
            size_t used = 0;
            for (size_t c = 0; c < h->n_consumers; c++) {
                json_t *co = json_object();
                json_object_set_new(co, "producer", json_string(h->consumers[c]->producer));
                json_object_set_new(co, "cursor", json_integer((json_int_t) h->consumers[c]->cursor));
                json_object_set_new(co, "producer_head", json_integer((json_int_t) h->consumers[c]->producer_head));
                json_array_append_new(cons, co);
                if (used < sizeof line)
                    used += (size_t) snprintf(line + used, sizeof line - used, "%s%s %llu/%llu", c ? ", " : "",
                                              h->consumers[c]->producer,
                                              (unsigned long long) h->consumers[c]->cursor,
                                              (unsigned long long) h->consumers[c]->producer_head);
            }
            json_object_set_new(o, "consumers", cons);
            if (!ctl->json)
                printf("%-10s %-6s %-25s %-7s %8llu  %s\n", name, "UP", clock, h->clock_pinned ? "yes" : "no",
                       (unsigned long long) h->head_seq, line);
            entretiens__v1__health_reply__free_unpacked(h, NULL);
        }
        ent_rpc_result_clear(&r);
        json_array_append_new(arr, o);
    }
    if (ctl->json)
        ctl_print_json(arr);
    else
        json_decref(arr);
    return down ? CTL_FAILED : CTL_OK;
}

/* True when daemon is named in a comma-separated list (NULL = all). */
static bool s_selected(const char *only, const char *daemon)
{
    if (!only)
        return true;
    size_t n = strlen(daemon);
    for (const char *p = only; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen(p);
        if (len == n && strncmp(p, daemon, n) == 0)
            return true;
        p += len + (comma ? 1 : 0);
    }
    return false;
}

int ctl_cmd_clock(ctl_t *ctl, int argc, char **argv)
{
    const char *only = NULL;
    if (argc >= 3 && strcmp(argv[argc - 2], "--only") == 0) {
        only = argv[argc - 1];
        argc -= 2;
    }
    bool set = argc >= 2 && strcmp(argv[1], "set") == 0;
    bool show = argc == 1 || (argc == 2 && strcmp(argv[1], "show") == 0);
    if ((!set && !show) || (set && argc != 3)) {
        fprintf(stderr, "usage: entretiensctl clock show | clock set DATE (YYYY-MM-DD or ISO date-time)"
                        " [--only scheduler,records,...]\n");
        return CTL_USAGE;
    }
    Entretiens__V1__ClockSet cs = ENTRETIENS__V1__CLOCK_SET__INIT;
    if (set && ent_clock_parse(argv[2], &cs.now_ms) != 0) {
        fprintf(stderr, "entretiensctl: clock set: '%s' is not YYYY-MM-DD or an ISO date-time\n", argv[2]);
        return CTL_USAGE;
    }
    cs.whole_day = set && strlen(argv[2]) == 10; /* a date alone: that day in every region */
    json_t *arr = json_array();
    int failed = 0;
    for (int i = 0; i < CTL_DAEMONS; i++) {
        const char *name = ctl_daemon_names[i];
        if (!s_selected(only, name))
            continue;
        ent_rpc_result_t r;
        if (ctl_call(ctl, name, set ? "admin.clock.set" : "admin.clock.show", set ? &cs.base : NULL, &r) != 0) {
            failed++;
            continue;
        }
        Entretiens__V1__ClockState *st = entretiens__v1__clock_state__unpack(NULL, r.payload_len, r.payload);
        ent_rpc_result_clear(&r);
        if (!st) {
            failed++;
            continue;
        }
        char now[40], today[ENT_DATE_STRLEN];
        s_format_ms(st->now_ms, now, sizeof now);
        ent_date_format(st->today ? ent_date_from_ymd(st->today->year, st->today->month, st->today->day)
                                  : ENT_DATE_NONE, today);
        json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "service", name, "now", now, "today", today, "pinned",
                              st->pinned);
        json_array_append_new(arr, o);
        if (!ctl->json)
            printf("%-10s %s  today %s  %s\n", name, now, today, st->pinned ? "(pinned)" : "(real clock)");
        entretiens__v1__clock_state__free_unpacked(st, NULL);
    }
    if (ctl->json)
        ctl_print_json(arr);
    else
        json_decref(arr);
    return failed ? CTL_FAILED : CTL_OK;
}

int ctl_cmd_backup(ctl_t *ctl, int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: entretiensctl backup DAEMON DIR   (DIR: an existing empty directory, on the "
                        "daemon's host)\n");
        return CTL_USAGE;
    }
    const char *daemon = argv[1];
    bool known = false;
    for (int i = 0; i < CTL_DAEMONS; i++)
        known = known || strcmp(ctl_daemon_names[i], daemon) == 0;
    if (!known) {
        fprintf(stderr, "entretiensctl: backup: unknown daemon '%s' (scheduler, records, notifier, analytics)\n", daemon);
        return CTL_USAGE;
    }
    /* a copy of a large store takes longer than the usual call timeout */
    ent_rpc_client_t *c = ctl_client_new(ctl, daemon, 3600 * 1000);
    if (!c)
        return CTL_FAILED;
    Entretiens__V1__BackupRequest req = ENTRETIENS__V1__BACKUP_REQUEST__INIT;
    req.dir = argv[2];
    ent_rpc_result_t r;
    ent_rpc_client_call_msg(c, "admin.backup", ctl->as ? ctl->as : "", &req.base, &r);
    ent_rpc_client_destroy(&c);
    bool ok = r.code == ENT_OK;
    if (ctl->json)
        ctl_print_json(json_pack("{s:s, s:s, s:b, s:s}", "daemon", daemon, "dir", argv[2], "ok", ok, "error",
                                 ok ? "" : r.message));
    else if (ok)
        printf("%s: store copied to %s\n", daemon, argv[2]);
    if (!ok)
        fprintf(stderr, "entretiensctl: %s admin.backup: %s%s%s: %s\n", daemon, ent_code_name(r.code),
                r.field[0] ? " field " : "", r.field, r.message);
    ent_rpc_result_clear(&r);
    return ok ? CTL_OK : CTL_FAILED;
}
