/*  cmd_calendar.c — entretiensctl calendar export: the shared calendar as
 *  an iCalendar file (services/ctl/ics.h) that Outlook, Google Calendar and
 *  Thunderbird import.
 *
 *    calendar export [--employee ID] [--manager ID] [--department D] [--entity E]
 *                    [--from D] [--to D] [--lang fr|en] [--deadlines-only] --out FILE.ics
 *
 *  Deadlines come from the scheduler (scheduler.due, paged by due date when
 *  a period holds more than one answer; scheduler.obligations for one
 *  employee); the period defaults to the scheduler's today and the year
 *  after it, and DTSTAMP is the scheduler's clock (admin.clock.show), so a
 *  pinned demonstration clock gives the same file twice.  Scheduled
 *  interviews come from records (records.interview.list, then
 *  records.interview.get for place, video link and duration), e-mail
 *  addresses from the scheduler (scheduler.employee); records answers only
 *  a caller it knows, so they are included when --as is given.
 *
 *  The file is written next to FILE and renamed over it: an interrupted
 *  export never leaves half a calendar where a calendar client reads it.
 *  Exit: 0 written, 1 a daemon failed or the file cannot be written, 2 usage.
 */
#include "args.h"
#include "ctl.h"
#include "common/pbdate.h"
#include "common/ics.h"
#include "common/event_json.h"

#include "common/date.h"
#include "proto/envelope.pb-c.h"
#include "proto/records.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAL_USAGE                                                                                                      \
    "calendar export [--employee ID] [--manager ID] [--department D] [--entity E] [--from D] [--to D] "                \
    "[--lang fr|en] [--deadlines-only] --out FILE.ics"
#define CAL_DUE_PAGE 50000       /* the CLI's cap on one scheduler.due answer (well under the RPC size cap) */
#define CAL_INTERVIEWS_MAX 50000 /* records' cap on one list */

typedef struct {
    const char *employee, *manager, *department, *entity;
    int32_t from, to;
} c_filter_t;

typedef struct {
    char *id, *name, *email;
} c_person_t;

/* People looked up for interviews (scheduler.employee), by id. */
typedef struct {
    c_person_t *v;
    size_t n, cap;
} c_people_t;

static int c_usage(void)
{
    fprintf(stderr, "usage: entretiensctl %s\n(entretiensctl calendar --help for details)\n", CAL_USAGE);
    return CTL_USAGE;
}

static int c_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int c_bad(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs("entretiensctl: calendar export: ", stderr);
    ent_fputs_clean(msg, stderr);
    fputc('\n', stderr);
    return CTL_USAGE;
}

static bool c_set(const char *s)
{
    return s && *s;
}

/* filter empty or equal to value */
static bool c_match(const char *filter, const char *value)
{
    return !c_set(filter) || (value && strcmp(filter, value) == 0);
}

/* Calls a method and unpacks the reply; NULL when it failed (printed by
 * ctl_call unless quiet; *code tells which). */
static void *c_call(ctl_t *ctl, const char *daemon, const char *method, const ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *desc, bool quiet, ent_code_t *code)
{
    ent_rpc_result_t r;
    if (quiet) {
        ent_rpc_client_t *c = ctl_client(ctl, daemon);
        if (!c) {
            if (code)
                *code = ENT_UNAVAILABLE;
            return NULL;
        }
        ent_rpc_client_call_msg(c, method, ctl->as ? ctl->as : "", req, &r);
        if (code)
            *code = r.code;
        if (r.code != ENT_OK) {
            ent_rpc_result_clear(&r);
            return NULL;
        }
    } else if (ctl_call(ctl, daemon, method, req, &r) != 0) {
        return NULL;
    }
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!m && !quiet)
        fprintf(stderr, "entretiensctl: %s %s: the reply is not a %s\n", daemon, method, desc->name);
    return m;
}

/* ------------------------------------------------------------ deadlines */

/* What `due` lists: owed now (actionable), upcoming or overdue. */
static bool c_open(const Entretiens__V1__Obligation *o)
{
    return o->actionable && o->status && (strcmp(o->status, "upcoming") == 0 || strcmp(o->status, "overdue") == 0);
}

static int c_add_deadline(ics_cal_t *cal, const Entretiens__V1__Obligation *o, size_t *count)
{
    int rc = ics_cal_add_deadline(cal, o);
    if (rc == -2) {
        fprintf(stderr, "entretiensctl: calendar export: out of memory\n");
        return -1;
    }
    if (rc == 0)
        (*count)++;
    return 0;
}

/* One employee's deadlines (scheduler.obligations), filtered here as
 * scheduler.due would. */
static int c_deadlines_of(ctl_t *ctl, const c_filter_t *f, ics_cal_t *cal, size_t *count)
{
    Entretiens__V1__ObligationsRequest req = ENTRETIENS__V1__OBLIGATIONS_REQUEST__INIT;
    req.employee_id = (char *) f->employee;
    Entretiens__V1__ObligationsReply *rep = c_call(ctl, "scheduler", "scheduler.obligations", &req.base,
                                                   &entretiens__v1__obligations_reply__descriptor, false, NULL);
    if (!rep)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < rep->n_obligations && !rc; i++) {
        const Entretiens__V1__Obligation *o = rep->obligations[i];
        int32_t due = ent_pbdate_day(o->due_date);
        if (!c_open(o) || due == ENT_DATE_NONE || due < f->from || due > f->to || !c_match(f->manager, o->manager_id) ||
            !c_match(f->department, o->department) || !c_match(f->entity, o->entity))
            continue;
        rc = c_add_deadline(cal, o, count);
    }
    protobuf_c_message_free_unpacked(&rep->base, NULL);
    return rc;
}

/* The deadlines of the period (scheduler.due), page by page: a cut answer
 * holds the earliest deadlines in (due date, obligation id) order, and the
 * next page asks for what comes after its last item (the page cursor). */
static int c_deadlines(ctl_t *ctl, const c_filter_t *f, ics_cal_t *cal, size_t *count)
{
    if (c_set(f->employee))
        return c_deadlines_of(ctl, f, cal, count);
    /* ENT_CALENDAR_DUE_PAGE (1..50000) shrinks the pages so that the
     * integration test pages a small organisation; not for production */
    uint32_t page = CAL_DUE_PAGE;
    const char *env = getenv("ENT_CALENDAR_DUE_PAGE");
    if (env && atoi(env) > 0 && atoi(env) <= CAL_DUE_PAGE)
        page = (uint32_t) atoi(env);
    Entretiens__V1__Date df, dt, after_due;
    ent_pbdate_set(f->from, &df);
    ent_pbdate_set(f->to, &dt);
    char after_id[256] = "";
    for (;;) {
        Entretiens__V1__DueRequest req = ENTRETIENS__V1__DUE_REQUEST__INIT;
        req.from = &df;
        req.to = &dt;
        req.type = "";
        req.entity = (char *) (f->entity ? f->entity : "");
        req.department = (char *) (f->department ? f->department : "");
        req.manager_id = (char *) (f->manager ? f->manager : "");
        req.limit = page;
        if (after_id[0]) {
            req.after_due = &after_due;
            req.after_obligation_id = after_id;
        }
        Entretiens__V1__DueReply *rep = c_call(ctl, "scheduler", "scheduler.due", &req.base,
                                               &entretiens__v1__due_reply__descriptor, false, NULL);
        if (!rep)
            return -1;
        int rc = 0;
        for (size_t i = 0; i < rep->n_obligations && !rc; i++)
            rc = c_add_deadline(cal, rep->obligations[i], count);
        bool more = rep->truncated && rep->n_obligations > 0;
        if (more) {
            const Entretiens__V1__Obligation *last = rep->obligations[rep->n_obligations - 1];
            after_due = *last->due_date;
            after_due.base = df.base;
            snprintf(after_id, sizeof after_id, "%s", last->obligation_id);
        }
        protobuf_c_message_free_unpacked(&rep->base, NULL);
        if (rc || !more)
            return rc;
    }
}

/* ----------------------------------------------------------- interviews */

static void c_people_free(c_people_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].id);
        free(p->v[i].name);
        free(p->v[i].email);
    }
    free(p->v);
}

/* Name and e-mail of an employee (scheduler.employee), looked up once; a
 * person the scheduler does not know has neither.  NULL when out of
 * memory. */
static const c_person_t *c_person(ctl_t *ctl, c_people_t *people, const char *id)
{
    for (size_t i = 0; i < people->n; i++)
        if (strcmp(people->v[i].id, id) == 0)
            return &people->v[i];
    if (people->n == people->cap) {
        size_t cap = people->cap ? people->cap * 2 : 64;
        c_person_t *v = realloc(people->v, cap * sizeof *v);
        if (!v)
            return NULL;
        people->v = v;
        people->cap = cap;
    }
    c_person_t *p = &people->v[people->n];
    memset(p, 0, sizeof *p);
    Entretiens__V1__EmployeeRequest req = ENTRETIENS__V1__EMPLOYEE_REQUEST__INIT;
    req.employee_id = (char *) id;
    Entretiens__V1__EmployeeReply *rep = c_call(ctl, "scheduler", "scheduler.employee", &req.base,
                                                &entretiens__v1__employee_reply__descriptor, true, NULL);
    const Entretiens__V1__Employee *e = rep ? rep->employee : NULL;
    p->id = strdup(id);
    if (e && (c_set(e->first_name) || c_set(e->last_name)) &&
        asprintf(&p->name, "%s%s%s", c_set(e->first_name) ? e->first_name : "",
                 c_set(e->first_name) && c_set(e->last_name) ? " " : "", c_set(e->last_name) ? e->last_name : "") < 0)
        p->name = NULL;
    if (e && c_set(e->email))
        p->email = strdup(e->email);
    if (rep)
        protobuf_c_message_free_unpacked(&rep->base, NULL);
    if (!p->id) {
        free(p->name);
        free(p->email);
        return NULL;
    }
    people->n++;
    return p;
}

/* Scheduled interviews starting in the period, as records lets the
 * caller see them. */
static int c_interviews(ctl_t *ctl, const c_filter_t *f, ics_cal_t *cal, size_t *count)
{
    Entretiens__V1__InterviewListRequest q = ENTRETIENS__V1__INTERVIEW_LIST_REQUEST__INIT;
    /* records filters on one key; the others are applied here */
    if (c_set(f->employee))
        q.employee_id = (char *) f->employee;
    else if (c_set(f->manager))
        q.manager_id = (char *) f->manager;
    else if (c_set(f->entity))
        q.entity = (char *) f->entity;
    q.limit = CAL_INTERVIEWS_MAX;
    Entretiens__V1__InterviewListReply *list = c_call(ctl, "records", "records.interview.list", &q.base,
                                                      &entretiens__v1__interview_list_reply__descriptor, false, NULL);
    if (!list)
        return -1;
    if (list->truncated)
        fprintf(stderr, "entretiensctl: calendar export: records listed only its first %d interviews; narrow the "
                        "export with --employee, --manager or --entity\n", CAL_INTERVIEWS_MAX);
    int64_t start = ent_date_to_unix_ms(f->from), end = ent_date_to_unix_ms(f->to + 1);
    c_people_t people = { 0 };
    int rc = 0;
    for (size_t i = 0; i < list->n_interviews && !rc; i++) {
        const Entretiens__V1__InterviewSummary *s = list->interviews[i];
        if (s->scheduled_start_ms == 0 || s->scheduled_start_ms < start || s->scheduled_start_ms >= end)
            continue;
        Entretiens__V1__InterviewRequest ir = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
        ir.id = s->id;
        Entretiens__V1__InterviewView *v = c_call(ctl, "records", "records.interview.get", &ir.base,
                                                  &entretiens__v1__interview_view__descriptor, false, NULL);
        if (!v) {
            rc = -1;
            break;
        }
        const Entretiens__V1__Interview *iv = v->interview;
        if (iv && iv->scheduled_start_ms && c_match(f->employee, iv->employee_id) &&
            c_match(f->manager, iv->manager_id) && c_match(f->entity, iv->entity) &&
            c_match(f->department, iv->department)) {
            const c_person_t *e = c_set(iv->employee_id) ? c_person(ctl, &people, iv->employee_id) : NULL;
            const c_person_t *m = c_set(iv->manager_id) ? c_person(ctl, &people, iv->manager_id) : NULL;
            if ((c_set(iv->employee_id) && !e) || (c_set(iv->manager_id) && !m)) {
                fprintf(stderr, "entretiensctl: calendar export: out of memory\n");
                rc = -1;
            } else {
                ics_person_t pe = { iv->employee_id, e ? e->name : NULL, e ? e->email : NULL };
                ics_person_t pm = { iv->manager_id, m ? m->name : NULL, m ? m->email : NULL };
                int a = ics_cal_add_interview(cal, iv, &pe, &pm);
                if (a == -2) {
                    fprintf(stderr, "entretiensctl: calendar export: out of memory\n");
                    rc = -1;
                } else if (a == 0) {
                    (*count)++;
                }
            }
        }
        protobuf_c_message_free_unpacked(&v->base, NULL);
    }
    c_people_free(&people);
    protobuf_c_message_free_unpacked(&list->base, NULL);
    return rc;
}

/* ---------------------------------------------------------------- output */

/* Writes text to path (ctl_write_file); -1 when it failed (printed). */
static int c_write(const char *path, const char *text)
{
    return ctl_write_file("calendar export", path, text, strlen(text));
}

/* The calendar's name: what it shows and for whom. */
static char *c_name(const c_filter_t *f, ics_lang_t lang)
{
    char *out = NULL;
    const char *base = lang == ICS_LANG_EN ? "Interviews" : "Entretiens";
    const char *who = c_set(f->employee)   ? f->employee
                      : c_set(f->manager)  ? f->manager
                      : c_set(f->department) ? f->department
                      : c_set(f->entity)   ? f->entity
                                           : NULL;
    const char *what = c_set(f->employee)     ? (lang == ICS_LANG_EN ? "employee " : "salarié ")
                       : c_set(f->manager)    ? (lang == ICS_LANG_EN ? "team of " : "équipe de ")
                       : c_set(f->department) ? (lang == ICS_LANG_EN ? "department " : "service ")
                                              : (lang == ICS_LANG_EN ? "entity " : "entité ");
    if (asprintf(&out, "%s — %s%s", base, who ? what : "", who ? who : (lang == ICS_LANG_EN ? "all" : "tous")) < 0)
        return NULL;
    return out;
}

int ctl_cmd_calendar(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "export") != 0)
        return c_usage();
    c_filter_t f = { .from = ENT_DATE_NONE, .to = ENT_DATE_NONE };
    const char *from = NULL, *to = NULL, *lang_s = NULL, *out = NULL;
    bool deadlines_only = false;
    ctl_opt_t opts[] = {
        CTL_OPT("--employee", &f.employee), CTL_OPT("--manager", &f.manager), CTL_OPT("--department", &f.department),
        CTL_OPT("--entity", &f.entity),     CTL_OPT("--from", &from),         CTL_OPT("--to", &to),
        CTL_OPT("--lang", &lang_s),         CTL_OPT("--out", &out),           CTL_FLAG("--deadlines-only", &deadlines_only),
    };
    if (ctl_args_parse("calendar export", CAL_USAGE, argc, argv, 2, opts, sizeof opts / sizeof *opts, NULL, 0, NULL))
        return CTL_USAGE;
    for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
        if (opts[k].value && *opts[k].value && !**opts[k].value)
            return c_bad("%s needs a value", opts[k].name);
    if (!out) {
        c_bad("--out FILE.ics is required (- for stdout)");
        return c_usage();
    }
    if (ctl->json && strcmp(out, "-") == 0)
        return c_bad("--json prints a summary on stdout: it cannot go with --out -");
    ics_lang_t lang = ICS_LANG_FR;
    /* `calendar export --lang en` reaches here as the global option (main.c
     * takes --lang wherever it stands); the calendar stays French unless
     * told otherwise, whatever the locale, as before */
    if (!lang_s && ctl->lang_given)
        lang_s = ctl_lang_code(ctl->lang);
    if (lang_s && ics_lang_parse(lang_s, &lang) != 0)
        return c_bad("--lang '%s': fr or en", lang_s);
    if (from && ent_date_parse(from, &f.from) != 0)
        return c_bad("--from '%s' is not a valid date (YYYY-MM-DD)", from);
    if (to && ent_date_parse(to, &f.to) != 0)
        return c_bad("--to '%s' is not a valid date (YYYY-MM-DD)", to);

    if (from && to && f.to < f.from) /* before asking anything */
        return c_bad("--to %s is before --from %s", to, from);
    /* the scheduler's clock: DTSTAMP, and the default period */
    Entretiens__V1__ClockState *clock =
        c_call(ctl, "scheduler", "admin.clock.show", NULL, &entretiens__v1__clock_state__descriptor, false, NULL);
    if (!clock)
        return CTL_FAILED;
    int64_t now_ms = clock->now_ms;
    int32_t today = ent_pbdate_day(clock->today);
    if (today == ENT_DATE_NONE)
        today = ent_date_from_unix_ms(now_ms);
    entretiens__v1__clock_state__free_unpacked(clock, NULL);
    if (f.from == ENT_DATE_NONE)
        f.from = today;
    if (f.to == ENT_DATE_NONE)
        f.to = ent_date_add_years(f.from, 1);
    char fbuf[ENT_DATE_STRLEN], tbuf[ENT_DATE_STRLEN];
    ent_date_format(f.from, fbuf);
    ent_date_format(f.to, tbuf);
    if (f.to < f.from)
        return c_bad("--to %s is before --from %s", tbuf, fbuf);

    char *name = c_name(&f, lang);
    ics_cal_t *cal = name ? ics_cal_new(lang, name, now_ms) : NULL;
    free(name);
    if (!cal) {
        fprintf(stderr, "entretiensctl: calendar export: out of memory\n");
        return CTL_FAILED;
    }
    int status = CTL_FAILED;
    size_t deadlines = 0, interviews = 0;
    char *text = NULL;
    if (c_deadlines(ctl, &f, cal, &deadlines) != 0)
        goto done;
    bool with_interviews = !deadlines_only && ctl->as && *ctl->as;
    if (!deadlines_only && !with_interviews)
        fprintf(stderr, "entretiensctl: calendar export: scheduled interviews left out: records answers a known "
                        "caller only (--as hr:ID, manager:ID...); --deadlines-only says this is intended\n");
    if (with_interviews && c_interviews(ctl, &f, cal, &interviews) != 0)
        goto done;
    text = ics_cal_text(cal);
    if (!text) {
        fprintf(stderr, "entretiensctl: calendar export: out of memory\n");
        goto done;
    }
    if (c_write(out, text) != 0)
        goto done;
    if (ctl->json) {
        ctl_print_json(json_pack("{s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "file", ent_json_str(out), "from", fbuf,
                                 "to", tbuf, "lang", lang == ICS_LANG_EN ? "en" : "fr", "deadlines",
                                 (json_int_t) deadlines, "interviews", (json_int_t) interviews, "events",
                                 (json_int_t) ics_cal_count(cal), "interviews_included", with_interviews));
    } else if (strcmp(out, "-") != 0) {
        printf("wrote ");
        ent_fputs_clean(out, stdout);
        printf(": %zu deadline%s", deadlines, deadlines == 1 ? "" : "s");
        if (with_interviews)
            printf(", %zu scheduled interview%s", interviews, interviews == 1 ? "" : "s");
        printf(" from %s to %s (%s)\n", fbuf, tbuf, lang == ICS_LANG_EN ? "en" : "fr");
    }
    status = CTL_OK;
done:
    ics_text_free(text);
    ics_cal_destroy(&cal);
    return status;
}

const char *ctl_calendar_details(const char *command)
{
    if (strcmp(command, "calendar") != 0)
        return NULL;
    return "Writes an iCalendar file (RFC 5545) for Outlook, Google Calendar and Thunderbird:\n"
           "  each open deadline (what `due` lists) is an all-day event on its due date, titled\n"
           "  \"Entretien professionnel — Claire Martin (E000123)\" ([EN RETARD] / [OVERDUE] when late);\n"
           "  each scheduled interview (records; with --as) is a timed event with its place or video\n"
           "  link, interviewer and employee.  UIDs are <obligation_id>@entretiens and\n"
           "  <interview_id>@entretiens: importing a later export updates the events.\n"
           "filters: --employee ID  --manager ID  --department D  --entity E (combined: all must match)\n"
           "period:  --from D (default: the scheduler's today)  --to D (default: a year after --from)\n"
           "         deadlines by due date, interviews by start\n"
           "--lang fr|en  titles and labels (default fr)\n"
           "--deadlines-only  do not ask records (no notice when --as is not given)\n"
           "--out FILE.ics    written whole, then renamed over FILE; - = stdout\n"
           "\n"
           "output:  wrote FILE: N deadlines, N scheduled interviews from D to D (fr)\n"
           "--json:  {\"file\",\"from\",\"to\",\"lang\",\"deadlines\",\"interviews\",\"events\",\"interviews_included\"}\n"
           "exit:    0 written, 1 a daemon failed or FILE cannot be written, 2 usage or bad date\n";
}
