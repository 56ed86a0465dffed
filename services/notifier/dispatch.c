/*  dispatch.c — due items become notifications, notifications become jobs
 *  for the senders, and the senders' outcomes are recorded (notifier.h). */
#include "notifier.h"

#include "common/clock.h"
#include "common/date.h"
#include "common/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIRE_BATCH 256      /* subjects read from the timer index at once */
#define MAX_DIGESTS 64      /* recipients of digests built in one scan */

static int64_t s_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool ntf_is_late(const notifier_t *n, int64_t fire_ms)
{
    /* due before this process started: it came due while we were down */
    return fire_ms + n->cfg.grace_ms < n->started_ms;
}

static ent_outbox_t *s_outbox(notifier_t *n)
{
    if (!n->outbox && n->d)
        n->outbox = ent_daemon_outbox(n->d);
    return n->outbox;
}

static size_t s_room(const notifier_t *n)
{
    size_t used = n->in_flight + n->turn_njobs;
    return used >= n->cfg.max_in_flight ? 0 : n->cfg.max_in_flight - used;
}

static unsigned s_nchannels(const notifier_t *n)
{
    unsigned c = 0;
    for (int i = 0; i < NTF_CH_COUNT; i++)
        c += (n->channels >> i) & 1u;
    return c ? c : 1;
}

/* ------------------------------------------------------------ preview */

void ntf_preview_free(ntf_preview_t *p)
{
    for (size_t i = 0; i < p->n_to; i++)
        free(p->to[i]);
    for (size_t i = 0; i < p->n_cc; i++)
        free(p->cc[i]);
    free(p->subject);
    free(p->text);
    free(p->ical);
    free(p->error);
    memset(p, 0, sizeof *p);
}

static void s_name(const ntf_contact_t *c, const char *fallback_first, const char *fallback_last, const char *id,
                   char *out, size_t size)
{
    const char *f = c && c->first_name[0] ? c->first_name : fallback_first;
    const char *l = c && c->last_name[0] ? c->last_name : fallback_last;
    if ((f && *f) || (l && *l))
        snprintf(out, size, "%s%s%s", f ? f : "", f && *f && l && *l ? " " : "", l ? l : "");
    else
        snprintf(out, size, "%s", id ? id : "");
}

static char *s_mailbox_text(const char *name, const char *addr)
{
    size_t len = strlen(name) + strlen(addr) + 8;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s%s<%s>", name, *name ? " " : "", addr);
    return s;
}

/* Everything needed to write a notification's message. */
typedef struct {
    ntf_preview_t *pv;
    char recipient_name[260];
    char recipient_addr[256];
    char employee_name[260];
    char manager_name[260];
    char hr_addr[256];
    bool cc_hr;
    ntf_subject_t *subject;       /* NULL for digests or when unknown */
    ntf_digest_line_t *lines;
    char (*line_names)[260];
    char (*line_types)[48];
    size_t n_lines;
} s_msg_t;

static void s_msg_free(s_msg_t *m)
{
    free(m->lines);
    free(m->line_names);
    free(m->line_types);
}

/* Resolves recipients and renders subject, text and iCalendar into m->pv. */
static int s_compose(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, s_msg_t *m)
{
    ntf_preview_t *pv = m->pv;
    ntf_contact_t emp, rcp, mgr;
    int rc = ntf_contact_get(n, txn, nf->employee_id, &emp);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool have_emp = rc == 0;
    ntf_subject_t *s = NULL;
    if (nf->kind != NTF_KIND_DIGEST) {
        s = n->subj + 1;
        rc = ntf_subject_get(n, txn, nf->subject, s);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        if (rc == MDB_NOTFOUND)
            s = NULL;
    }
    m->subject = s;
    char manager[NTF_ID_MAX + 1] = "";
    if (s)
        ntf_subject_manager(n, txn, s, have_emp ? &emp : NULL, manager, sizeof manager);
    rc = ntf_contact_get(n, txn, manager, &mgr);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    bool have_mgr = rc == 0;
    s_name(have_mgr ? &mgr : NULL, NULL, NULL, manager, m->manager_name, sizeof m->manager_name);
    s_name(have_emp ? &emp : NULL, s ? s->first_name : NULL, s ? s->last_name : NULL, nf->employee_id,
           m->employee_name, sizeof m->employee_name);

    const char *locale = NULL;
    if (nf->role == NTF_ROLE_HR) {
        ntf_copy(m->recipient_addr, sizeof m->recipient_addr, n->cfg.hr_email);
        snprintf(m->recipient_name, sizeof m->recipient_name, "%s",
                 n->cfg.hr_locale && strcmp(n->cfg.hr_locale, "en") == 0 ? "HR" : "RH");
        locale = n->cfg.hr_locale;
    } else {
        rc = ntf_contact_get(n, txn, nf->recipient_id, &rcp);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        bool have = rc == 0;
        bool is_emp = strcmp(nf->recipient_id, nf->employee_id) == 0;
        s_name(have ? &rcp : NULL, is_emp && s ? s->first_name : NULL, is_emp && s ? s->last_name : NULL,
               nf->recipient_id, m->recipient_name, sizeof m->recipient_name);
        if (have)
            ntf_copy(m->recipient_addr, sizeof m->recipient_addr, rcp.email);
        locale = have ? ntf_contact_locale(&rcp) : NULL;
        if (!locale)
            locale = is_emp && s && s->locale[0] ? s->locale : NULL;
        m->cc_hr = nf->role == NTF_ROLE_ESCALATION;
    }
    ntf_copy(pv->locale, sizeof pv->locale, ntf_templates_locale(n->templates, locale));
    if (m->cc_hr && ntf_email_valid(n->cfg.hr_email))
        ntf_copy(m->hr_addr, sizeof m->hr_addr, n->cfg.hr_email);

    /* a digest lists the notifications it carries */
    if (nf->kind == NTF_KIND_DIGEST && nf->n_items) {
        m->lines = calloc(nf->n_items, sizeof *m->lines);
        m->line_names = calloc(nf->n_items, sizeof *m->line_names);
        m->line_types = calloc(nf->n_items, sizeof *m->line_types);
        if (!m->lines || !m->line_names || !m->line_types)
            return ENOMEM;
        for (size_t i = 0; i < nf->n_items; i++) {
            ntf_notif_t it;
            rc = ntf_notif_get(n, txn, nf->items[i], &it);
            if (rc == MDB_NOTFOUND)
                continue;
            if (rc)
                return rc;
            ntf_contact_t ic;
            int crc = ntf_contact_get(n, txn, it.employee_id, &ic);
            if (crc && crc != MDB_NOTFOUND) {
                ntf_notif_clear(&it);
                return crc;
            }
            s_name(crc == 0 ? &ic : NULL, NULL, NULL, it.employee_id, m->line_names[m->n_lines],
                   sizeof m->line_names[0]);
            ntf_copy(m->line_types[m->n_lines], sizeof m->line_types[0], it.type);
            ntf_digest_line_t *l = &m->lines[m->n_lines++];
            l->kind = it.kind;
            l->employee_name = m->line_names[m->n_lines - 1];
            l->type = m->line_types[m->n_lines - 1];
            l->due_date = it.due;
            l->fire_date = ent_date_from_unix_ms(it.fire_ms);
            l->penalty_eur = it.penalty_eur;
            ntf_notif_clear(&it);
        }
    } else if (nf->kind == NTF_KIND_CATCHUP) {
        /* a catch-up that found no digest (too many recipients in one scan)
         * goes alone, as a list of one */
        if (!(m->lines = calloc(1, sizeof *m->lines)))
            return ENOMEM;
        m->lines[0] = (ntf_digest_line_t) { .kind = NTF_KIND_CATCHUP, .employee_name = m->employee_name,
                                            .type = nf->type, .due_date = nf->due,
                                            .fire_date = ent_date_from_unix_ms(nf->fire_ms),
                                            .penalty_eur = nf->penalty_eur };
        m->n_lines = 1;
    }
    /* the backlog's digest speaks as a catch-up, not as the day's digest */
    bool catchup = nf->kind == NTF_KIND_CATCHUP || (nf->kind == NTF_KIND_DIGEST && strcmp(nf->step, "catchup") == 0);

    ntf_render_in_t in = {
        .kind = catchup ? NTF_KIND_CATCHUP : nf->kind,
        .role = nf->role,
        .locale = pv->locale,
        .recipient_name = m->recipient_name,
        .employee_name = m->employee_name,
        .employee_id = nf->employee_id,
        .manager_name = manager[0] ? m->manager_name : "",
        .type = nf->type,
        .due_date = nf->due,
        .fire_date = ent_date_from_unix_ms(nf->fire_ms),
        .late = nf->late,
        .start_ms = s ? s->scheduled_start_ms : 0,
        .duration_min = s ? s->duration_min : 0,
        .place = s ? s->place : "",
        .video_link = s ? s->video_link : "",
        .reopen_count = s ? s->reopen_count : 0,
        .interview_id = nf->interview_id,
        .public_url = n->cfg.public_url,
        .lines = m->lines,
        .n_lines = m->n_lines,
    };
    ntf_rendered_t r;
    int rr = ntf_render(n->templates, &in, &r);
    if (rr == NTF_RENDER_NO_TEMPLATE) {
        /* this one goes to the dead letters with the reason; the turn goes on */
        char err[160];
        snprintf(err, sizeof err, "no message template for %s to %s", ntf_kind_name(in.kind), ntf_role_name(in.role));
        pv->subject = strdup("");
        pv->text = strdup("");
        if (!pv->subject || !pv->text || !(pv->error = strdup(err)))
            return ENOMEM;
        return 0;
    }
    if (rr != 0)
        return ENOMEM;
    pv->subject = r.subject;
    pv->text = r.text;

    if (ntf_email_valid(m->recipient_addr)) {
        if (!(pv->to[pv->n_to++] = s_mailbox_text(m->recipient_name, m->recipient_addr)))
            return ENOMEM;
    } else {
        char err[400];
        snprintf(err, sizeof err, "no valid e-mail address for %s", nf->recipient_id);
        if (!(pv->error = strdup(err)))
            return ENOMEM;
    }
    if (m->hr_addr[0] && strcmp(m->hr_addr, m->recipient_addr) != 0 &&
        !(pv->cc[pv->n_cc++] = s_mailbox_text("", m->hr_addr)))
        return ENOMEM;

    if (s && s->scheduled_start_ms > 0 &&
        (nf->kind == NTF_KIND_INVITATION || nf->kind == NTF_KIND_CANCELLATION)) {
        char from[256], uid[NTF_KEY_MAX + 32];
        ntf_email_addr(n->cfg.ch.smtp_from, from, sizeof from);
        snprintf(uid, sizeof uid, "%s@entretiens", s->interview_id[0] ? s->interview_id : s->key);
        ntf_mailbox_t att[2];
        size_t na = 0;
        if (have_emp && ntf_email_valid(emp.email))
            att[na++] = (ntf_mailbox_t) { m->employee_name, emp.email };
        if (have_mgr && ntf_email_valid(mgr.email) && strcmp(manager, nf->employee_id) != 0)
            att[na++] = (ntf_mailbox_t) { m->manager_name, mgr.email };
        bool cancel = nf->kind == NTF_KIND_CANCELLATION;
        ntf_ical_in_t ic = {
            .cancel = cancel,
            .uid = uid,
            .sequence = s->sequence + (cancel ? 1 : 0),
            .stamp_ms = nf->fire_ms,
            .start_ms = s->scheduled_start_ms,
            .duration_min = s->duration_min,
            .summary = pv->subject,
            .description = ntf_templates_type(n->templates, pv->locale, s->type),
            .location = s->place[0] ? s->place : s->video_link,
            .organizer = ntf_email_valid(from) ? from : NULL,
            .attendees = att,
            .n_attendees = na,
        };
        if (!(pv->ical = ntf_ical_build(&ic)))
            return ENOMEM;
    }
    return 0;
}

int ntf_preview(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, ntf_preview_t *out)
{
    memset(out, 0, sizeof *out);
    s_msg_t m;
    memset(&m, 0, sizeof m);
    m.pv = out;
    int rc = s_compose(n, txn, nf, &m);
    s_msg_free(&m);
    if (rc)
        ntf_preview_free(out);
    return rc;
}

/* ------------------------------------------------------------ jobs */

static char *s_webhook_json(const notifier_t *n, const ntf_notif_t *nf, const s_msg_t *m, size_t *len)
{
    char due[ENT_DATE_STRLEN];
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_string(nf->id));
    json_object_set_new(o, "message_id", json_string(nf->key));
    json_object_set_new(o, "kind", json_string(ntf_kind_name(nf->kind)));
    json_object_set_new(o, "step", json_string(nf->step));
    json_object_set_new(o, "role", json_string(ntf_role_name(nf->role)));
    json_t *r = json_object();
    json_object_set_new(r, "id", json_string(nf->recipient_id));
    json_object_set_new(r, "name", json_string(m->recipient_name));
    json_object_set_new(r, "email", m->recipient_addr[0] && ntf_email_valid(m->recipient_addr)
                                        ? json_string(m->recipient_addr) : json_null());
    json_object_set_new(r, "locale", json_string(m->pv->locale));
    json_object_set_new(o, "recipient", r);
    json_t *cc = json_array();
    if (m->hr_addr[0])
        json_array_append_new(cc, json_string(m->hr_addr));
    json_object_set_new(o, "cc", cc);
    json_object_set_new(o, "employee_id", json_string(nf->employee_id));
    json_object_set_new(o, "interview_type", json_string(nf->type));
    json_object_set_new(o, "due_date", nf->due != ENT_DATE_NONE ? json_string(ent_date_format(nf->due, due)) : json_null());
    json_object_set_new(o, "obligation_id", json_string(nf->obligation_id));
    json_object_set_new(o, "interview_id", json_string(nf->interview_id));
    json_object_set_new(o, "fire_at_ms", json_integer(nf->fire_ms));
    json_object_set_new(o, "late", json_boolean(nf->late));
    json_object_set_new(o, "subject", json_string(m->pv->subject));
    json_object_set_new(o, "text", json_string(m->pv->text));
    if (m->pv->ical)
        json_object_set_new(o, "ical", json_string(m->pv->ical));
    if (nf->n_items) {
        json_t *items = json_array();
        for (size_t i = 0; i < nf->n_items; i++)
            json_array_append_new(items, json_string(nf->items[i]));
        json_object_set_new(o, "items", items);
    }
    (void) n;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s && len)
        *len = strlen(s);
    return s;
}

static void s_push_job(notifier_t *n, ntf_job_t *j)
{
    j->next = n->turn_jobs;
    n->turn_jobs = j;
    n->turn_njobs++;
}

/* Renders nf and queues one job per channel still owed (deliveries pending
 * or failed).  Deliveries that cannot be made (no address) are marked dead
 * at once.  Does not write nf. */
static int s_jobs(notifier_t *n, MDB_txn *txn, ntf_notif_t *nf)
{
    if (nf->n_del == 0)
        for (int c = 0; c < NTF_CH_COUNT; c++)
            if (n->channels & (1u << c)) {
                memset(&nf->del[nf->n_del], 0, sizeof nf->del[0]);
                nf->del[nf->n_del++].channel = (uint8_t) c;
            }
    ntf_preview_t pv;
    memset(&pv, 0, sizeof pv);
    s_msg_t m;
    memset(&m, 0, sizeof m);
    m.pv = &pv;
    int rc = s_compose(n, txn, nf, &m);
    if (rc)
        goto done;
    ntf_copy(nf->locale, sizeof nf->locale, pv.locale);
    ntf_copy(nf->address, sizeof nf->address, m.recipient_addr);
    char *eml = NULL, *json = NULL;
    size_t eml_len = 0, json_len = 0;
    for (size_t i = 0; i < nf->n_del && !rc; i++) {
        ntf_delivery_t *d = &nf->del[i];
        if (d->status == NTF_DL_SENT || d->status == NTF_DL_DEAD)
            continue;
        if (!(n->channels & (1u << d->channel))) {
            d->status = NTF_DL_DEAD;
            snprintf(d->last_error, sizeof d->last_error, "channel %s is no longer configured",
                     ntf_channel_name(d->channel));
            continue;
        }
        /* an e-mail without an address is undeliverable, whether it goes to
         * a relay or to the outbox directory (which stands for one): dead,
         * with why, never "sent" to nobody */
        if ((d->channel == NTF_CH_SMTP || d->channel == NTF_CH_FILE) && pv.error) {
            d->status = NTF_DL_DEAD;
            ntf_copy(d->last_error, sizeof d->last_error, pv.error);
            n->turn_stats.dead[d->channel]++;
            continue;
        }
        const char *data;
        size_t len;
        if (d->channel == NTF_CH_WEBHOOK) {
            if (!json && !(json = s_webhook_json(n, nf, &m, &json_len))) {
                rc = ENOMEM;
                break;
            }
            data = json;
            len = json_len;
        } else {
            if (!eml) {
                ntf_mailbox_t to[2], cc[1];
                size_t nto = 0, ncc = 0;
                if (!pv.error)
                    to[nto++] = (ntf_mailbox_t) { m.recipient_name, m.recipient_addr };
                if (pv.n_cc)
                    cc[ncc++] = (ntf_mailbox_t) { NULL, m.hr_addr };
                ntf_mail_in_t mi = {
                    .from = n->cfg.ch.smtp_from,
                    .to = to, .n_to = nto, .cc = cc, .n_cc = ncc,
                    .subject = pv.subject, .text = pv.text, .locale = pv.locale, .key = nf->key,
                    .date_ms = ent_clock_now_ms(), .notification_id = nf->id,
                    .kind = ntf_kind_name(nf->kind), .late = nf->late, .ical = pv.ical,
                    .ical_method = nf->kind == NTF_KIND_CANCELLATION ? "CANCEL" : "REQUEST",
                };
                if (!(eml = ntf_mail_build(&mi, &eml_len))) {
                    rc = ENOMEM;
                    break;
                }
            }
            data = eml;
            len = eml_len;
        }
        ntf_job_t *j = ntf_job_new(d->channel, nf->id, nf->key, data, len);
        if (!j) {
            rc = ENOMEM;
            break;
        }
        if (d->channel == NTF_CH_SMTP) {
            if (ntf_job_add_rcpt(j, m.recipient_addr) || (m.hr_addr[0] && pv.n_cc && ntf_job_add_rcpt(j, m.hr_addr))) {
                ntf_job_free(j);
                rc = ENOMEM;
                break;
            }
        }
        d->status = NTF_DL_PENDING;
        s_push_job(n, j);
    }
    free(eml);
    free(json);
done:
    s_msg_free(&m);
    ntf_preview_free(&pv);
    return rc;
}

/* ------------------------------------------------------------ settling */

static int s_index_put(MDB_txn *txn, MDB_dbi dbi, const char *id)
{
    MDB_val k = { strlen(id), (void *) id }, v = { 0, "" };
    return mdb_put(txn, dbi, &k, &v, 0);
}

static int s_index_del(MDB_txn *txn, MDB_dbi dbi, const char *id)
{
    MDB_val k = { strlen(id), (void *) id };
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_retry_key(MDB_txn *txn, MDB_dbi dbi, int64_t at, const char *id, bool put)
{
    uint8_t key[8 + NTF_NID_MAX];
    size_t len = strlen(id);
    ent_be64_put(key, (uint64_t) at);
    memcpy(key + 8, id, len);
    MDB_val k = { 8 + len, key }, v = { 0, "" };
    if (put)
        return mdb_put(txn, dbi, &k, &v, 0);
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_event(notifier_t *n, MDB_txn *txn, const ntf_notif_t *nf, bool sent)
{
    ent_outbox_t *ob = s_outbox(n);
    if (!ob)
        return 0;
    Entretiens__V1__NotificationEvent ev = ENTRETIENS__V1__NOTIFICATION_EVENT__INIT;
    char *channels[NTF_CH_COUNT];
    size_t nc = 0;
    for (size_t i = 0; i < nf->n_del; i++)
        if (nf->del[i].status == NTF_DL_SENT)
            channels[nc++] = (char *) ntf_channel_name(nf->del[i].channel);
    ev.id = (char *) nf->id;
    ev.kind = (char *) ntf_kind_name(nf->kind);
    ev.recipient_id = (char *) nf->recipient_id;
    ev.employee_id = (char *) nf->employee_id;
    ev.subject = (char *) nf->subject;
    ev.message_id = (char *) nf->key;
    ev.n_channels = nc;
    ev.channels = channels;
    ev.late = nf->late;
    ev.fire_at_ms = nf->fire_ms;
    ev.attempts = nf->attempts;
    ev.error = (char *) (sent ? "" : nf->last_error);
    ev.interview_type = (char *) nf->type;
    ev.obligation_id = (char *) nf->obligation_id;
    ev.interview_id = (char *) nf->interview_id;
    return ent_outbox_append_msg(ob, txn, sent ? "notifier.notification.sent" : "notifier.notification.failed",
                                 nf->id, "", ent_clock_now_ms(), &ev.base, NULL);
}

/* Derives the status from the deliveries, moves nf between the indexes
 * (sending / retries / dead), writes it and publishes what happened. */
static int s_settle(notifier_t *n, MDB_txn *txn, ntf_notif_t *nf, int before, int64_t next_before)
{
    bool pending = false, failed = false, dead = false;
    int64_t next = 0;
    for (size_t i = 0; i < nf->n_del; i++) {
        const ntf_delivery_t *d = &nf->del[i];
        pending |= d->status == NTF_DL_PENDING;
        dead |= d->status == NTF_DL_DEAD;
        if (d->status == NTF_DL_FAILED) {
            failed = true;
            if (!next || d->next_try_ms < next)
                next = d->next_try_ms;
        }
    }
    int st = pending ? NTF_ST_SENDING : failed ? NTF_ST_FAILED : dead ? NTF_ST_DEAD : NTF_ST_SENT;
    if (nf->n_del == 0)
        st = NTF_ST_DEAD; /* no channel at all */
    int rc = 0;
    if (before == NTF_ST_SENDING && st != NTF_ST_SENDING)
        rc = s_index_del(txn, n->sending, nf->id);
    else if (before == NTF_ST_FAILED && (st != NTF_ST_FAILED || next != next_before))
        rc = s_retry_key(txn, n->retries, next_before, nf->id, false);
    else if (before == NTF_ST_DEAD && st != NTF_ST_DEAD)
        rc = s_index_del(txn, n->dead, nf->id);
    if (rc)
        return rc;
    if (st == NTF_ST_SENDING && before != NTF_ST_SENDING)
        rc = s_index_put(txn, n->sending, nf->id);
    else if (st == NTF_ST_FAILED && (before != NTF_ST_FAILED || next != next_before))
        rc = s_retry_key(txn, n->retries, next, nf->id, true);
    else if (st == NTF_ST_DEAD && before != NTF_ST_DEAD)
        rc = ntf_dead_put(n, txn, nf->id, ent_clock_now_ms());
    if (rc)
        return rc;
    nf->status = (uint8_t) st;
    nf->next_try_ms = st == NTF_ST_FAILED ? next : 0;
    if (st == NTF_ST_SENT && before != NTF_ST_SENT)
        nf->sent_ms = ent_clock_now_ms();
    if ((rc = ntf_notif_put(n, txn, nf, before)) != 0)
        return rc;
    if (st == NTF_ST_SENT && before != NTF_ST_SENT)
        return s_event(n, txn, nf, true);
    if (st == NTF_ST_DEAD && before != NTF_ST_DEAD) {
        ent_log_warn("notification.dead", "%s is in the dead-letter list: %s", nf->id, nf->last_error);
        return s_event(n, txn, nf, false);
    }
    return 0;
}

/* Queues the jobs of nf (status before: before) and settles it. */
static int s_dispatch(notifier_t *n, MDB_txn *txn, ntf_notif_t *nf, int before, int64_t next_before)
{
    if (!nf->dispatched_ms)
        nf->dispatched_ms = ent_clock_now_ms();
    int rc = s_jobs(n, txn, nf);
    if (rc)
        return rc;
    /* deliveries that could not be made are dead now; tell why */
    for (size_t i = 0; i < nf->n_del; i++)
        if (nf->del[i].status == NTF_DL_DEAD && nf->del[i].last_error[0])
            ntf_copy(nf->last_error, sizeof nf->last_error, nf->del[i].last_error);
    return s_settle(n, txn, nf, before, next_before);
}

/* ------------------------------------------------------------ outcomes */

static int64_t s_backoff(const notifier_t *n, uint32_t attempts)
{
    int64_t d = n->cfg.backoff_ms;
    for (uint32_t i = 1; i < attempts && d < n->cfg.backoff_max_ms; i++)
        d *= 2;
    return d < n->cfg.backoff_max_ms ? d : n->cfg.backoff_max_ms;
}

static int s_outcome(notifier_t *n, MDB_txn *txn, const ntf_job_t *job)
{
    ntf_notif_t nf;
    int rc = ntf_notif_get(n, txn, job->notification_id, &nf);
    if (rc == MDB_NOTFOUND) {
        ent_log_warn("notification.unknown", "outcome for unknown notification %s", job->notification_id);
        return 0;
    }
    if (rc)
        return rc;
    ntf_delivery_t *d = NULL;
    for (size_t i = 0; i < nf.n_del; i++)
        if (nf.del[i].channel == job->channel)
            d = &nf.del[i];
    if (!d || d->status != NTF_DL_PENDING || nf.status != NTF_ST_SENDING) {
        ntf_notif_clear(&nf); /* a stale outcome (recorded already) */
        return 0;
    }
    if (job->channel >= 0 && job->channel < NTF_CH_COUNT && n->m_seconds[job->channel])
        ent_metrics_histogram_observe(n->m_seconds[job->channel], job->seconds);
    d->attempts++;
    nf.attempts++;
    /* the outcome is logged, and published, under its subject's trace */
    ntf_subject_t *subj = &n->subj[1];
    if (ntf_subject_get(n, txn, nf.subject, subj) == 0)
        ent_log_trace_set(subj->trace);
    if (job->outcome == NTF_SEND_OK) {
        d->status = NTF_DL_SENT;
        d->delivered_at_ms = s_real_ms();
        d->last_error[0] = '\0';
        n->turn_stats.sent[job->channel]++;
        ent_log_info("notification.sent", "%s sent by %s", nf.id, ntf_channel_name(job->channel));
    } else {
        ntf_copy(d->last_error, sizeof d->last_error, job->error);
        ntf_copy(nf.last_error, sizeof nf.last_error, job->error);
        if (job->outcome == NTF_SEND_PERMANENT || d->attempts >= n->cfg.max_tries) {
            d->status = NTF_DL_DEAD;
            n->turn_stats.dead[job->channel]++;
        } else {
            d->status = NTF_DL_FAILED;
            d->next_try_ms = s_real_ms() + s_backoff(n, d->attempts);
            n->turn_stats.failed[job->channel]++;
        }
    }
    rc = s_settle(n, txn, &nf, nf.status, nf.next_try_ms);
    ent_log_trace_set(NULL);
    ntf_notif_clear(&nf);
    return rc;
}

int ntf_results_apply(notifier_t *n, MDB_txn *txn)
{
    if (n->pool) {
        ntf_job_t *done = ntf_pool_take(n->pool);
        /* appended after what an aborted turn left to record again */
        ntf_job_t **tail = &n->results;
        while (*tail)
            tail = &(*tail)->next;
        *tail = done;
        for (; done; done = done->next)
            n->n_results++;
    }
    for (ntf_job_t *j = n->results; j; j = j->next) {
        int rc = s_outcome(n, txn, j);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ the start gate */

static bool s_gate(notifier_t *n, MDB_txn *txn)
{
    if (n->gate_open)
        return true;
    if (s_real_ms() >= n->gate_deadline_ms) {
        ent_log_warn("notifier.gate", "producers not caught up in time: sending anyway");
        n->gate_open = true;
        return true;
    }
    for (int i = 0; i < 2; i++) {
        if (!n->gate_producer[i])
            continue;
        MDB_val k = { strlen(n->gate_producer[i]), (void *) n->gate_producer[i] }, v;
        uint64_t cursor = 0;
        int rc = mdb_get(txn, ent_store_cursors(n->store), &k, &v);
        if (rc == 0 && v.mv_size == 8)
            cursor = ent_be64_get(v.mv_data);
        if (cursor < n->gate_head[i])
            return false;
    }
    ent_log_info("notifier.gate", "caught up with the producers: sending");
    n->gate_open = true;
    return true;
}

/* ------------------------------------------------------------ recovery, retries */

static int s_recover(notifier_t *n, MDB_txn *txn, size_t *budget)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, n->sending, &cur);
    if (rc)
        return rc;
    char (*ids)[NTF_NID_MAX + 1] = malloc(FIRE_BATCH * sizeof *ids);
    if (!ids) {
        mdb_cursor_close(cur);
        return ENOMEM;
    }
    size_t nid = 0;
    MDB_val k = { strlen(n->turn_recover_after), n->turn_recover_after }, v;
    rc = k.mv_size ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    if (rc == 0 && k.mv_size == strlen(n->turn_recover_after) &&
        memcmp(k.mv_data, n->turn_recover_after, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    size_t per = s_nchannels(n);
    while (rc == 0 && nid < FIRE_BATCH && *budget >= per) {
        if (k.mv_size <= NTF_NID_MAX) {
            memcpy(ids[nid], k.mv_data, k.mv_size);
            ids[nid++][k.mv_size] = '\0';
            *budget -= per;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    bool finished = rc == MDB_NOTFOUND;
    rc = rc == MDB_NOTFOUND ? 0 : rc;
    for (size_t i = 0; i < nid && !rc; i++) {
        ntf_notif_t nf;
        rc = ntf_notif_get(n, txn, ids[i], &nf);
        if (rc == MDB_NOTFOUND) {
            rc = s_index_del(txn, n->sending, ids[i]);
            continue;
        }
        if (rc)
            break;
        /* sent before the crash or not: the same Message-ID goes again */
        if (nf.status == NTF_ST_SENDING)
            rc = s_dispatch(n, txn, &nf, NTF_ST_SENDING, 0);
        ntf_notif_clear(&nf);
        memcpy(n->turn_recover_after, ids[i], sizeof ids[i]);
    }
    free(ids);
    if (!rc && finished && nid < FIRE_BATCH) {
        n->turn_recovered = true;
        if (n->turn_njobs)
            ent_log_info("notifier.recovered", "%zu jobs in flight at the last stop sent again", n->turn_njobs);
    }
    return rc;
}

static int s_retries(notifier_t *n, MDB_txn *txn, size_t *budget)
{
    int64_t now = s_real_ms();
    size_t per = s_nchannels(n);
    for (;;) {
        MDB_cursor *cur;
        int rc = mdb_cursor_open(txn, n->retries, &cur);
        if (rc)
            return rc;
        char ids[32][NTF_NID_MAX + 1];
        int64_t at[32];
        size_t nid = 0;
        MDB_val k, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && nid < 32 && *budget >= per;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size < 8 || k.mv_size > 8 + NTF_NID_MAX)
                continue;
            int64_t t = (int64_t) ent_be64_get(k.mv_data);
            if (t > now)
                break;
            at[nid] = t;
            memcpy(ids[nid], (uint8_t *) k.mv_data + 8, k.mv_size - 8);
            ids[nid++][k.mv_size - 8] = '\0';
            *budget -= per;
        }
        mdb_cursor_close(cur);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        if (nid == 0)
            return 0;
        for (size_t i = 0; i < nid; i++) {
            ntf_notif_t nf;
            rc = ntf_notif_get(n, txn, ids[i], &nf);
            if (rc == MDB_NOTFOUND) {
                rc = s_retry_key(txn, n->retries, at[i], ids[i], false);
                if (rc)
                    return rc;
                continue;
            }
            if (rc)
                return rc;
            if (nf.status == NTF_ST_FAILED) {
                for (size_t c = 0; c < nf.n_del; c++)
                    if (nf.del[c].status == NTF_DL_FAILED)
                        nf.del[c].status = NTF_DL_PENDING;
                rc = s_dispatch(n, txn, &nf, NTF_ST_FAILED, nf.next_try_ms);
            } else {
                rc = s_retry_key(txn, n->retries, at[i], ids[i], false); /* a stale entry */
            }
            ntf_notif_clear(&nf);
            if (rc)
                return rc;
        }
        if (nid < 32 || *budget < per)
            return 0;
    }
}

int ntf_retry(notifier_t *n, MDB_txn *txn, const char *id)
{
    ntf_notif_t nf;
    int rc = ntf_notif_get(n, txn, id, &nf);
    if (rc)
        return rc;
    if (nf.status != NTF_ST_FAILED && nf.status != NTF_ST_DEAD) {
        ntf_notif_clear(&nf);
        return EINVAL;
    }
    int before = nf.status;
    int64_t next_before = nf.next_try_ms;
    int64_t now = s_real_ms();
    for (size_t i = 0; i < nf.n_del; i++)
        if (nf.del[i].status == NTF_DL_FAILED || nf.del[i].status == NTF_DL_DEAD) {
            nf.del[i].status = NTF_DL_FAILED;
            nf.del[i].attempts = 0;
            nf.del[i].next_try_ms = now;
        }
    if (nf.n_del == 0) {
        /* no channel was configured when it fired: give it today's */
        for (int c = 0; c < NTF_CH_COUNT; c++)
            if (n->channels & (1u << c)) {
                memset(&nf.del[nf.n_del], 0, sizeof nf.del[0]);
                nf.del[nf.n_del].channel = (uint8_t) c;
                nf.del[nf.n_del].status = NTF_DL_FAILED;
                nf.del[nf.n_del++].next_try_ms = now;
            }
    }
    rc = s_settle(n, txn, &nf, before, next_before);
    ntf_notif_clear(&nf);
    return rc;
}

/* ------------------------------------------------------------ firing */

typedef struct {
    char recipient[NTF_ID_MAX + 1];
    bool catchup;                 /* the backlog's digest, apart from the day's */
    char id[NTF_NID_MAX + 1];
    char **items;
    size_t n, cap;
} s_digest_t;

static void s_digests_free(s_digest_t *dg, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < dg[i].n; k++)
            free(dg[i].items[k]);
        free(dg[i].items);
    }
}

/* The digest of recipient in this scan (created on first use), or NULL
 * when there are too many. */
static s_digest_t *s_digest_for(notifier_t *n, MDB_txn *txn, s_digest_t *dg, size_t *ndg, const char *recipient,
                                bool catchup, int *rc)
{
    for (size_t i = 0; i < *ndg; i++)
        if (strcmp(dg[i].recipient, recipient) == 0 && dg[i].catchup == catchup)
            return &dg[i];
    if (*ndg >= MAX_DIGESTS)
        return NULL;
    s_digest_t *d = &dg[*ndg];
    memset(d, 0, sizeof *d);
    ntf_copy(d->recipient, sizeof d->recipient, recipient);
    d->catchup = catchup;
    char day[ENT_DATE_STRLEN];
    ent_date_format(ent_clock_today(), day);
    const char *prefix = catchup ? "catchup" : "digest";
    for (int k = 1; k < 100; k++) {
        if (k == 1)
            snprintf(d->id, sizeof d->id, "%s|%s|%s", prefix, recipient, day);
        else
            snprintf(d->id, sizeof d->id, "%s|%s|%s#%d", prefix, recipient, day, k);
        MDB_val key = { strlen(d->id), d->id }, v;
        *rc = mdb_get(txn, n->notifs, &key, &v);
        if (*rc == MDB_NOTFOUND) {
            *rc = 0;
            (*ndg)++;
            return d;
        }
        if (*rc)
            return NULL;
    }
    return NULL;
}

static int s_digest_add(s_digest_t *d, const char *id)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **items = realloc(d->items, cap * sizeof *items);
        if (!items)
            return ENOMEM;
        d->items = items;
        d->cap = cap;
    }
    if (!(d->items[d->n] = strdup(id)))
        return ENOMEM;
    d->n++;
    return 0;
}

int ntf_resolve_recipient(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, ntf_notif_t *nf)
{
    if (nf->role != NTF_ROLE_ESCALATION || strcmp(nf->recipient_id, "escalation") != 0)
        return 0;
    /* the manager's manager, as known now; HR alone when there is none */
    ntf_contact_t emp, mgr;
    int rc = ntf_contact_get(n, txn, s->employee_id, &emp);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    char manager[NTF_ID_MAX + 1];
    ntf_subject_manager(n, txn, s, rc == 0 ? &emp : NULL, manager, sizeof manager);
    rc = ntf_contact_get(n, txn, manager, &mgr);
    if (rc && rc != MDB_NOTFOUND)
        return rc;
    if (rc == 0 && mgr.manager_id[0] && strcmp(mgr.manager_id, manager) != 0) {
        ntf_copy(nf->recipient_id, sizeof nf->recipient_id, mgr.manager_id);
    } else {
        ntf_copy(nf->recipient_id, sizeof nf->recipient_id, "hr");
        nf->role = NTF_ROLE_HR;
    }
    return 0;
}

/* Turns one due item into a notification. */
static int s_fire_item(notifier_t *n, MDB_txn *txn, ntf_subject_t *s, ntf_item_t *it, s_digest_t *dg, size_t *ndg,
                       size_t *budget)
{
    ntf_notif_t nf;
    ntf_notif_from_item(s, it, &nf);
    it->status = NTF_ITEM_FIRED;
    n->turn_stats.fired++;
    if (!nf.id[0]) {
        ent_log_error("notification.id", "id too long for subject %s: not sent", s->key);
        return 0;
    }
    MDB_val k = { strlen(nf.id), nf.id }, v;
    int rc = mdb_get(txn, n->notifs, &k, &v);
    if (rc == 0)
        return 0; /* fired before (a plan restored after it went out): never twice */
    if (rc != MDB_NOTFOUND)
        return rc;
    ntf_contact_t rcp;
    if ((rc = ntf_resolve_recipient(n, txn, s, &nf)) != 0)
        return rc;
    nf.late = it->late || ntf_is_late(n, it->fire_ms);
    nf.created_ms = ent_clock_now_ms();
    if (nf.late)
        n->turn_stats.late++;
    /* catch-ups always travel together (one list of the backlog per
     * recipient); the day's reminders only for those who chose a digest */
    bool catchup = nf.kind == NTF_KIND_CATCHUP;
    bool digestible = catchup ||
                      ((nf.kind == NTF_KIND_REMINDER || nf.kind == NTF_KIND_OVERDUE || nf.kind == NTF_KIND_ESCALATION) &&
                       (nf.role == NTF_ROLE_MANAGER || nf.role == NTF_ROLE_ESCALATION));
    if (digestible) {
        rc = catchup ? 0 : ntf_contact_get(n, txn, nf.recipient_id, &rcp);
        if (rc && rc != MDB_NOTFOUND)
            return rc;
        if (catchup || (rc == 0 && rcp.digest)) {
            s_digest_t *d = s_digest_for(n, txn, dg, ndg, nf.recipient_id, catchup, &rc);
            if (rc)
                return rc;
            if (d) {
                ntf_copy(nf.digest_id, sizeof nf.digest_id, d->id);
                nf.status = NTF_ST_DIGESTED;
                nf.dispatched_ms = nf.created_ms;
                if ((rc = s_digest_add(d, nf.id)) != 0)
                    return rc;
                return ntf_notif_put(n, txn, &nf, NTF_ST_COUNT);
            }
        }
    }
    nf.status = NTF_ST_SENDING;
    size_t per = s_nchannels(n);
    *budget = *budget > per ? *budget - per : 0;
    rc = s_dispatch(n, txn, &nf, NTF_ST_COUNT, 0);
    ntf_notif_clear(&nf);
    return rc;
}

int ntf_fire_now(notifier_t *n, MDB_txn *txn, const ntf_subject_t *s, const ntf_item_t *it, ntf_notif_t *nf,
                 bool *fired)
{
    *fired = false;
    ntf_notif_from_item(s, it, nf);
    if (!nf->id[0]) {
        ent_log_error("notification.id", "id too long for subject %s: not sent", s->key);
        return 0;
    }
    MDB_val k = { strlen(nf->id), nf->id }, v;
    int rc = mdb_get(txn, n->notifs, &k, &v);
    if (rc == 0)
        return 0; /* this step went out already (today's reminder): never twice */
    if (rc != MDB_NOTFOUND)
        return rc;
    if ((rc = ntf_resolve_recipient(n, txn, s, nf)) != 0)
        return rc;
    nf->late = false;
    nf->created_ms = ent_clock_now_ms();
    nf->status = NTF_ST_SENDING;
    n->turn_stats.fired++;
    rc = s_dispatch(n, txn, nf, NTF_ST_COUNT, 0);
    if (!rc)
        *fired = true;
    return rc;
}

static int s_fire_digests(notifier_t *n, MDB_txn *txn, s_digest_t *dg, size_t ndg)
{
    int rc = 0;
    for (size_t i = 0; i < ndg && !rc; i++) {
        ntf_notif_t nf;
        ntf_notif_init(&nf);
        ntf_copy(nf.id, sizeof nf.id, dg[i].id);
        snprintf(nf.subject, sizeof nf.subject, "digest");
        nf.kind = NTF_KIND_DIGEST;
        nf.role = strcmp(dg[i].recipient, "hr") == 0 ? NTF_ROLE_HR : NTF_ROLE_MANAGER;
        ntf_copy(nf.step, sizeof nf.step, dg[i].catchup ? "catchup" : "digest");
        ntf_copy(nf.recipient_id, sizeof nf.recipient_id, dg[i].recipient);
        nf.fire_ms = nf.created_ms = ent_clock_now_ms();
        ntf_message_key(nf.id, nf.key);
        nf.items = dg[i].items;  /* borrowed: freed with the digests */
        nf.n_items = dg[i].n;
        nf.status = NTF_ST_SENDING;
        n->turn_stats.digests++;
        rc = s_dispatch(n, txn, &nf, NTF_ST_COUNT, 0);
    }
    return rc;
}

static int s_fire(notifier_t *n, MDB_txn *txn, size_t *budget)
{
    int64_t now = ent_clock_now_ms();
    size_t per = s_nchannels(n);
    s_digest_t *dg = calloc(MAX_DIGESTS, sizeof *dg);
    char (*keys)[NTF_KEY_MAX + 1] = malloc(FIRE_BATCH * sizeof *keys);
    int64_t *kms = malloc(FIRE_BATCH * sizeof *kms);
    size_t ndg = 0;
    int rc = 0;
    if (!dg || !keys || !kms) {
        rc = ENOMEM;
        goto done;
    }
    while (*budget >= per) {
        MDB_cursor *cur;
        if ((rc = mdb_cursor_open(txn, n->timers, &cur)) != 0)
            break;
        size_t nk = 0;
        MDB_val k, v;
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && nk < FIRE_BATCH;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size < 9 || k.mv_size > 8 + NTF_KEY_MAX)
                continue;
            if ((int64_t) ent_be64_get(k.mv_data) > now)
                break;
            kms[nk] = (int64_t) ent_be64_get(k.mv_data);
            memcpy(keys[nk], (uint8_t *) k.mv_data + 8, k.mv_size - 8);
            keys[nk++][k.mv_size - 8] = '\0';
        }
        mdb_cursor_close(cur);
        if (rc && rc != MDB_NOTFOUND)
            break;
        rc = 0;
        if (nk == 0)
            break;
        size_t done_keys = 0;
        for (size_t i = 0; i < nk && !rc && *budget >= per; i++, done_keys++) {
            ntf_subject_t *s = &n->subj[0];
            rc = ntf_subject_get(n, txn, keys[i], s);
            uint8_t tk[8 + NTF_KEY_MAX];
            MDB_val tkey = { ntf_timer_key(kms[i], keys[i], tk), tk };
            if (rc == MDB_NOTFOUND) {
                /* a timer without its subject: drop it */
                ent_log_warn("notifier.timer", "timer of unknown subject %s dropped", keys[i]);
                rc = mdb_del(txn, n->timers, &tkey, NULL);
                rc = rc == MDB_NOTFOUND ? 0 : rc;
                continue;
            }
            if (rc)
                break;
            /* the notifications it makes now belong to the work that planned them */
            ent_log_trace_set(s->trace);
            size_t pending = ntf_subject_pending(s);
            for (size_t j = 0; j < s->n_items && !rc; j++) {
                ntf_item_t *it = &s->items[j];
                if (it->status == NTF_ITEM_PENDING && it->fire_ms <= now)
                    rc = s_fire_item(n, txn, s, it, dg, &ndg, budget);
            }
            if (!rc)
                rc = ntf_subject_put(n, txn, s, pending, false);
            ent_log_trace_set(NULL);
            if (!rc && s->timer_ms != kms[i]) {
                /* the entry read was not the subject's own (a stale one):
                 * gone either way, or the scan would meet it forever */
                rc = mdb_del(txn, n->timers, &tkey, NULL);
                rc = rc == MDB_NOTFOUND ? 0 : rc;
            }
        }
        if (rc || done_keys < nk)
            break;
    }
    if (!rc)
        rc = s_fire_digests(n, txn, dg, ndg);
done:
    if (dg)
        s_digests_free(dg, ndg);
    free(dg);
    free(keys);
    free(kms);
    return rc;
}

/* ------------------------------------------------------------ the work */

int ntf_work(MDB_txn *txn, void *arg)
{
    notifier_t *n = arg;
    int rc;
    if (!n->results_done) {
        if ((rc = ntf_results_apply(n, txn)) != 0)
            return rc;
        n->results_done = true;
    }
    if (!s_gate(n, txn))
        return 0;
    size_t budget = s_room(n);
    if (!n->turn_recovered) {
        if ((rc = s_recover(n, txn, &budget)) != 0 || !n->turn_recovered)
            return rc;
    }
    if ((rc = s_retries(n, txn, &budget)) != 0)
        return rc;
    return s_fire(n, txn, &budget);
}

/* ------------------------------------------------------------ turn hooks */

void ntf_turn_reset(void *arg)
{
    notifier_t *n = arg;
    ntf_job_list_free(n->turn_jobs);
    n->turn_jobs = NULL;
    n->turn_njobs = 0;
    n->results_done = false;   /* the outcomes are recorded again */
    n->turn_recovered = n->recovered;
    memcpy(n->turn_recover_after, n->recover_after, sizeof n->recover_after);
    memset(n->turn_counts, 0, sizeof n->turn_counts);
    memset(&n->turn_stats, 0, sizeof n->turn_stats);
    n->turn_retention = n->retention;
}

void ntf_turn_flush(void *arg, bool committed)
{
    notifier_t *n = arg;
    if (!committed) {
        ntf_turn_reset(n);
        return;
    }
    /* the transaction that says "sending" is on disk: now they may go */
    if (n->pool) {
        ntf_pool_submit(n->pool, n->turn_jobs);
        n->in_flight += n->turn_njobs;
    } else {
        ntf_job_list_free(n->turn_jobs);
    }
    n->turn_jobs = NULL;
    n->turn_njobs = 0;
    if (n->results_done) {
        /* recorded in this committed turn; otherwise kept for the next */
        n->in_flight = n->in_flight > n->n_results ? n->in_flight - n->n_results : 0;
        ntf_job_list_free(n->results);
        n->results = NULL;
        n->n_results = 0;
    }
    n->results_done = false;
    n->recovered = n->turn_recovered;
    memcpy(n->recover_after, n->turn_recover_after, sizeof n->recover_after);
    n->retention = n->turn_retention;
    for (int i = 0; i < NTF_CNT_COUNT; i++)
        n->counts[i] += n->turn_counts[i];
    for (int c = 0; c < NTF_CH_COUNT; c++) {
        ent_metrics_counter_add(n->m_sent[c], n->turn_stats.sent[c]);
        ent_metrics_counter_add(n->m_failed[c], n->turn_stats.failed[c]);
        ent_metrics_counter_add(n->m_dead[c], n->turn_stats.dead[c]);
    }
    ent_metrics_counter_add(n->m_late, n->turn_stats.late);
    ent_metrics_counter_add(n->m_digests, n->turn_stats.digests);
    ent_metrics_counter_add(n->m_fired, n->turn_stats.fired);
    ent_metrics_counter_add(n->m_purged[NTF_PURGE_NOTIFICATIONS], n->turn_stats.purged[NTF_PURGE_NOTIFICATIONS]);
    ent_metrics_counter_add(n->m_purged[NTF_PURGE_DEADLETTERS], n->turn_stats.purged[NTF_PURGE_DEADLETTERS]);
    memset(n->turn_counts, 0, sizeof n->turn_counts);
    memset(&n->turn_stats, 0, sizeof n->turn_stats);
}
