/*  ent-bench-records — records on an organisation from the shared generator
 *  (services/ctl/orggen.h), through real daemons:
 *
 *    1. the scheduler ingests every employee's history (batches of 5,000,
 *       4 in flight) and publishes its obligations (not records' figure);
 *    2. creation throughput: records starts afterwards and consumes the
 *       scheduler's whole event log (employee.upserted, interview.due ...)
 *       through replay, creating one interview per obligation; timed until
 *       its cursor reaches the scheduler's head;
 *    3. records.interview.get (what `interview show` calls) p50/p99 on a
 *       sample of 2,000 interviews given content by their interviewers (so
 *       that each show reads and, sealed, opens it), as HR with the content
 *       permission;
 *    4. records.interview.list --manager M p50/p99 for random managers, as
 *       that manager;
 *    5. records' memory and store size.
 *  Steps 2 to 5 run four times on the same scheduler log, each on a fresh
 *  records store, alternating content sealed at rest (the default) and in
 *  clear (ENTRETIENS_RECORDS_ENCRYPT=0); the last line compares the better
 *  run of each (the machine is shared).
 *
 *  The default organisation (380,000 employees) makes more than 1,000,000
 *  interviews (about 3.7 owed interviews per employee over a career).
 *
 *  Usage: ent-bench-records [--employees N] [--calls N] [--passes N] [--services DIR]
 *  (--passes: how many of the four records passes run, 1 to 4; default 4)
 */
#include "bench_util.h"
#include "common/date.h"
#include "common/rpc.h"
#include "orggen.h"
#include "proto/records.pb-c.h"
#include "rec_crypt.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BATCH 5000
#define IN_FLIGHT 4


static int s_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}





static pid_t s_spawn(const char *path)
{
    pid_t pid = bench_fork();
    if (pid == 0) {
        execl(path, path, (char *) NULL);
        _exit(127);
    }
    return pid;
}

/* Own outbox head, and for records the cursor on the scheduler. */
static int s_health(ent_rpc_client_t *c, uint64_t *head, uint64_t *cursor)
{
    ent_rpc_result_t r;
    if (ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) != 0 || r.code != ENT_OK) {
        ent_rpc_result_clear(&r);
        return -1;
    }
    Entretiens__V1__HealthReply *h = entretiens__v1__health_reply__unpack(NULL, r.payload_len, r.payload);
    ent_rpc_result_clear(&r);
    if (!h)
        return -1;
    *head = h->head_seq;
    if (cursor)
        *cursor = h->n_consumers ? h->consumers[0]->cursor : 0;
    entretiens__v1__health_reply__free_unpacked(h, NULL);
    return 0;
}

static uint64_t s_stats(ent_rpc_client_t *c, uint64_t *audit)
{
    ent_rpc_result_t r;
    uint64_t n = 0;
    if (ent_rpc_client_call_msg(c, "records.stats", "admin:bench", NULL, &r) == 0 && r.code == ENT_OK) {
        Entretiens__V1__RecordsStats *s = entretiens__v1__records_stats__unpack(NULL, r.payload_len, r.payload);
        if (s) {
            n = s->interviews;
            if (audit)
                *audit = s->audit_records;
            entretiens__v1__records_stats__free_unpacked(s, NULL);
        }
    }
    ent_rpc_result_clear(&r);
    return n;
}

static void s_latency(const char *what, double *lat, int calls, int failures, const char *extra)
{
    qsort(lat, (size_t) calls, sizeof *lat, bench_cmp_double);
    printf("%-46s p50 %6.1f us  p99 %6.1f us  (%d calls, %d not OK%s)\n", what, lat[calls / 2],
           lat[(int) (calls * 0.99)], calls, failures, extra);
    fflush(stdout);
}

/* The sealing itself, in this process on a keystore of its own: what
 * encryption adds to each write (seal) and each read (open) of a content of
 * len bytes, without the daemons' noise.  An open right after its seal
 * finds the employee's key in memory (rec_crypt's small cache); "cold" opens
 * a value sealed 200 employees earlier, whose key must be read from the
 * keystore and unwrapped again (what each open cost before the cache).
 * Returns 0 or -1. */
static int s_crypt_cost(const char *dir, size_t len, int n)
{
    char ks[4200];
    snprintf(ks, sizeof ks, "%s/bench-keystore", dir);
    unsigned char master[ENT_MASTER_KEY_LEN];
    memset(master, 7, sizeof master);
    rec_crypt_t *c = NULL;
    if (rec_crypt_open(ks, master, true, &c) != 0)
        return -1;
    uint8_t *pt = malloc(len), *v = NULL, *back = NULL;
    memset(pt, 'a', len);
    size_t vl = 0, bl = 0;
    double *seal = malloc((size_t) n * sizeof *seal), *open = malloc((size_t) n * sizeof *open);
    double *cold = malloc((size_t) n * sizeof *cold);
    enum { BACK = 200 };
    uint8_t *old[BACK] = { NULL };
    size_t oldl[BACK] = { 0 };
    int rc = 0, ncold = 0;
    for (int i = 0; i < n && !rc; i++) {
        char emp[32];
        snprintf(emp, sizeof emp, "E%06d", i % 1000); /* 1,000 employees' keys */
        free(v);
        double t = bench_now();
        rc = rec_crypt_seal(c, emp, "IV00000001", "content", pt, len, &v, &vl);
        seal[i] = (bench_now() - t) * 1e6;
        t = bench_now();
        if (!rc)
            rc = rec_crypt_open_value(c, "IV00000001", "content", v, vl, &back, &bl, NULL);
        open[i] = (bench_now() - t) * 1e6;
        free(back);
        back = NULL;
        if (!rc && old[i % BACK]) {
            t = bench_now();
            rc = rec_crypt_open_value(c, "IV00000001", "content", old[i % BACK], oldl[i % BACK], &back, &bl, NULL);
            cold[ncold++] = (bench_now() - t) * 1e6;
            free(back);
            back = NULL;
        }
        free(old[i % BACK]);
        old[i % BACK] = malloc(vl);
        if (old[i % BACK])
            memcpy(old[i % BACK], v, vl), oldl[i % BACK] = vl;
    }
    for (int i = 0; i < BACK; i++)
        free(old[i]);
    if (!rc) {
        /* the first 1,000 seals created the keys (a committed write each): left out */
        int k = n > 2000 ? 1000 : 0;
        qsort(seal + k, (size_t) (n - k), sizeof *seal, bench_cmp_double);
        qsort(open, (size_t) n, sizeof *open, bench_cmp_double);
        printf("%-46s seal p50 %.1f us p99 %.1f us; open p50 %.1f us p99 %.1f us (%zu bytes, %d each)\n",
               "sealing alone (in process)", seal[k + (n - k) / 2], seal[k + (int) ((n - k) * 0.99)], open[n / 2],
               open[(int) (n * 0.99)], len, n);
        if (ncold > 0) {
            qsort(cold, (size_t) ncold, sizeof *cold, bench_cmp_double);
            printf("%-46s open p50 %.1f us p99 %.1f us (key read from the keystore and unwrapped; %d)\n",
                   "sealing alone, cold key (in process)", cold[ncold / 2], cold[(int) (ncold * 0.99)], ncold);
        }
    }
    free(cold);
    free(v);
    free(pt);
    free(seal);
    free(open);
    rec_crypt_destroy(&c);
    return rc ? -1 : 0;
}

/* One records daemon on its own store (dir) consuming the scheduler's log:
 * creation throughput, content written into a sample of interviews by their
 * interviewers, interview show on that sample (it opens sealed content when
 * run->encrypt), a manager's list, memory and size. */
typedef struct {
    const char *label;
    bool encrypt;
    double create_per_s, show_p99;
} s_run_t;

#define CONTENT_SAMPLE 2000

/* Interview IV<n> as HR with every entity sees it (NULL: not found). */
static Entretiens__V1__InterviewView *s_view(ent_rpc_client_t *rc, uint64_t n)
{
    char iv[32];
    snprintf(iv, sizeof iv, "IV%08llu", (unsigned long long) n);
    Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
    q.id = iv;
    ent_rpc_result_t r;
    ent_rpc_client_call_msg(rc, "records.interview.get", "hr:bench", &q.base, &r);
    Entretiens__V1__InterviewView *v =
        r.code == ENT_OK ? entretiens__v1__interview_view__unpack(NULL, r.payload_len, r.payload) : NULL;
    ent_rpc_result_clear(&r);
    return v;
}

#define DEPARTURES 5000

/* 6. Departures (the last run only: they change the scheduler's log): the
 * employees of the first interviews still planned leave today; the
 * scheduler cancels their obligations and records their interviews, each
 * with its reason sealed under the employee's data key, created then —
 * the keys of a turn are committed together (rec_crypt.h).  Timed from the
 * first ingest to records' cursor at the scheduler's new head. */
static void s_departures(ent_rpc_client_t *rc, ent_rpc_client_t *sc, pid_t rec, uint64_t interviews)
{
    char (*emp)[32] = calloc(DEPARTURES, sizeof *emp);
    size_t ne = 0;
    ent_rpc_result_t r;
    for (uint64_t i = 1; i <= interviews && ne < DEPARTURES; i++) {
        Entretiens__V1__InterviewView *v = s_view(rc, i);
        if (v && v->interview && strcmp(v->interview->status, "planned") == 0 &&
            (ne == 0 || strcmp(emp[ne - 1], v->interview->employee_id) != 0))
            snprintf(emp[ne++], sizeof emp[0], "%s", v->interview->employee_id);
        if (v)
            entretiens__v1__interview_view__free_unpacked(v, NULL);
    }
    uint64_t audit0 = 0, created0 = s_stats(rc, &audit0), head = 0, cursor = 0;
    long long cpu0 = bench_cpu_ns(rec);
    double t0 = bench_now();
    Entretiens__V1__Date today = ENTRETIENS__V1__DATE__INIT;
    today.year = 2026, today.month = 11, today.day = 26;
    size_t refused = 0;
    for (size_t b = 0; b < ne; b += 1000) {
        size_t n = ne - b < 1000 ? ne - b : 1000;
        Entretiens__V1__EmployeeEvent *evs = calloc(n, sizeof *evs), **pv = calloc(n, sizeof *pv);
        char (*ids)[48] = calloc(n, sizeof *ids);
        for (size_t i = 0; i < n; i++) {
            entretiens__v1__employee_event__init(&evs[i]);
            snprintf(ids[i], sizeof ids[0], "bench-left-%s", emp[b + i]);
            evs[i].event_id = ids[i];
            evs[i].source = "bench";
            evs[i].type = "left";
            evs[i].employee_id = emp[b + i];
            evs[i].effective_date = &today;
            pv[i] = &evs[i];
        }
        Entretiens__V1__IngestRequest rq = ENTRETIENS__V1__INGEST_REQUEST__INIT;
        rq.n_events = n;
        rq.events = pv;
        ent_rpc_client_call_msg(sc, "scheduler.ingest", "", &rq.base, &r);
        refused += r.code != ENT_OK;
        ent_rpc_result_clear(&r);
        free(evs), free(pv), free(ids);
    }
    s_health(sc, &head, NULL);
    while (s_health(rc, &(uint64_t) { 0 }, &cursor) == 0 && cursor < head)
        usleep(2000);
    double dt = bench_now() - t0;
    uint64_t audit1 = 0, created1 = s_stats(rc, &audit1);
    uint64_t changes = audit1 - audit0, created = created1 - created0;
    uint64_t cancelled = changes > created ? changes - created : 0;
    printf("%-46s %10.0f interviews/s  (%zu employees left today%s: %llu interviews cancelled, %llu created, "
           "in %.2f s with the scheduler's ingest; records %.3f CPU s)\n",
           "cancellation from the scheduler's events", (double) cancelled / dt, ne,
           refused ? ", some batches refused" : "", (unsigned long long) cancelled, (unsigned long long) created, dt,
           (double) (bench_cpu_ns(rec) - cpu0) / 1e9);
    fflush(stdout);
    free(emp);
}

static int s_records_run(s_run_t *run, const char *rec_bin, pid_t sched, const char *dir, void *ctx, const char *ep,
                         const ent_curve_client_t *to_rec, uint64_t sched_head, int calls, char **managers, size_t nm,
                         ent_rpc_client_t *sc)
{
    printf("\n-- records, content %s at rest (ENTRETIENS_RECORDS_ENCRYPT=%d)\n", run->label, run->encrypt);
    setenv("ENTRETIENS_DATA_DIR", dir, 1);
    setenv("ENTRETIENS_RECORDS_ENCRYPT", run->encrypt ? "1" : "0", 1);
    double t0 = bench_now();
    pid_t rec = s_spawn(rec_bin);
    ent_rpc_client_t *rc = ent_rpc_client_new(ctx, ep, 120000, to_rec);
    if (bench_wait_up(ctx, ep, to_rec, rec, "records") != 0) {
        fprintf(stderr, "records did not start (%s)\n", rec_bin);
        return -1;
    }
    double t_up = bench_now();
    long long cpu_up = bench_cpu_ns(rec), sched_cpu0 = bench_cpu_ns(sched);
    /* records' writes count from its start: it consumes while it starts */
    long long sched_wb0 = bench_io_bytes(sched, "write_bytes:");
    uint64_t head = 0, cursor = 0, last_print = 0;
    for (;;) {
        if (s_health(rc, &head, &cursor) == 0 && cursor >= sched_head)
            break;
        if (cursor / 500000 != last_print / 500000) {
            fprintf(stderr, "  records at %llu / %llu events\n", (unsigned long long) cursor, (unsigned long long) sched_head);
            last_print = cursor;
        }
        usleep(5000); /* fine enough for a creation phase of a few tenths of a second */
    }
    double t_end = bench_now(), dt = t_end - t0;
    long long cpu_end = bench_cpu_ns(rec), sched_cpu1 = bench_cpu_ns(sched);
    long long wb_end = bench_io_bytes(rec, "write_bytes:"), sched_wb1 = bench_io_bytes(sched, "write_bytes:");
    uint64_t audit = 0, interviews = s_stats(rc, &audit);
    run->create_per_s = (double) interviews / dt;
    printf("%-46s %10.0f interviews/s  (%llu interviews from %llu events in %.2f s; %.0f events/s)\n",
           "creation from the scheduler's events", (double) interviews / dt, (unsigned long long) interviews,
           (unsigned long long) sched_head, dt, (double) sched_head / dt);
    /* the steady figures of a shared machine: CPU time, not wall clock */
    printf("%-46s start %.3f s (%.3f CPU s), consuming %.3f s: records %.3f CPU s (%.1f us per interview), "
           "scheduler %.3f CPU s\n",
           "  of which", t_up - t0, cpu_up / 1e9, t_end - t_up, (cpu_end - cpu_up) / 1e9,
           interviews ? (cpu_end - cpu_up) / 1e3 / (double) interviews : 0.0, (sched_cpu1 - sched_cpu0) / 1e9);
    /* what the catch-up costs the volume: the page cache's writeback (on
     * ext4 with large folios, Linux 6.16 and later, a rewritten page sends
     * its whole folio: docs/performance.md, "The ninth session") */
    if (wb_end >= 0 && sched_wb0 >= 0 && sched_wb1 >= 0)
        printf("%-46s records %.0f MiB (%.1f KiB per interview), scheduler %.0f MiB\n", "  written to storage",
               (double) wb_end / 1048576.0, interviews ? (double) wb_end / 1024.0 / (double) interviews : 0.0,
               (double) (sched_wb1 - sched_wb0) / 1048576.0);
    else
        printf("%-46s unreadable (/proc/<pid>/io)\n", "  written to storage");
    printf("%-46s %llu interviews, %llu audit records, %llu events published\n", "store", (unsigned long long) interviews,
           (unsigned long long) audit, (unsigned long long) head);
    if (interviews < 1000000)
        printf("%-46s fewer than 1,000,000 interviews: raise --employees\n", "note");
    fflush(stdout);
    (void) managers, (void) nm;

    /* HR with every entity and the content permission */
    Entretiens__V1__AccessGrant gr = ENTRETIENS__V1__ACCESS_GRANT__INIT;
    char *all[] = { "*" };
    gr.principal = "hr:bench";
    gr.n_entities = 1;
    gr.entities = all;
    gr.content = true;
    ent_rpc_result_t r;
    ent_rpc_client_call_msg(rc, "records.access.grant", "admin:bench", &gr.base, &r);
    if (r.code != ENT_OK)
        fprintf(stderr, "grant: %s\n", r.message);
    ent_rpc_result_clear(&r);

    /* 3. content in a sample of interviews, written by their interviewers
     * (notes: free text, no template to match), then interview show on it */
    double *lat = malloc((size_t) calls * sizeof *lat);
    char (*sample)[32] = calloc(CONTENT_SAMPLE, sizeof *sample);
    uint64_t rng = 7;
    int failures = 0, ns = 0;
    size_t bytes = 0;
    char notes[600];
    memset(notes, 'n', sizeof notes - 1);
    notes[sizeof notes - 1] = '\0';
    /* each answer is one turn of its own, committed (fdatasync) before the
     * reply: the latency of saving a form, and what one such commit sends
     * to storage */
    double *wlat = malloc(4 * CONTENT_SAMPLE * sizeof *wlat); /* one per try, as the loop below */
    int nw = 0, wfail = 0;
    long long wb0 = bench_io_bytes(rec, "write_bytes:");
    for (int i = 0; i < 4 * CONTENT_SAMPLE && ns < CONTENT_SAMPLE && interviews; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        char iv[32], caller[96];
        uint64_t n = (rng >> 33) % interviews + 1;
        snprintf(iv, sizeof iv, "IV%08llu", (unsigned long long) n);
        Entretiens__V1__InterviewView *v = s_view(rc, n);
        if (!v)
            continue;
        /* the interviewer answers: an interview with no manager on record
         * (the generated organisation's top) has nobody to ask as */
        bool has_manager = v->interview && v->interview->manager_id && *v->interview->manager_id;
        /* and only while its content is open (not signed, not cancelled) */
        const char *st = v->interview && v->interview->status ? v->interview->status : "";
        bool open = strncmp(st, "signed", 6) != 0 && strcmp(st, "closed") != 0 && strcmp(st, "cancelled") != 0;
        snprintf(caller, sizeof caller, "manager:%s", has_manager ? v->interview->manager_id : "");
        entretiens__v1__interview_view__free_unpacked(v, NULL);
        if (!has_manager || !open)
            continue;
        Entretiens__V1__AnswerRequest a = ENTRETIENS__V1__ANSWER_REQUEST__INIT;
        a.id = iv;
        a.answers = "{}";
        a.notes = notes;
        double ws = bench_now();
        ent_rpc_client_call_msg(rc, "records.interview.answer", caller, &a.base, &r);
        wlat[nw++] = (bench_now() - ws) * 1e6;
        wfail += r.code != ENT_OK;
        if (r.code == ENT_OK)
            snprintf(sample[ns++], sizeof sample[0], "%s", iv);
        ent_rpc_result_clear(&r);
    }
    long long wb1 = bench_io_bytes(rec, "write_bytes:");
    if (nw) {
        char wextra[96] = "";
        if (wb0 >= 0 && wb1 >= 0)
            snprintf(wextra, sizeof wextra, "; %.0f KiB to storage each", (double) (wb1 - wb0) / 1024.0 / nw);
        s_latency("interview answer (a write, synced)", wlat, nw, wfail, wextra);
    }
    free(wlat);
    /* the writes above settle first (the journal's periodic commit), so
     * that the reads are not timed against them */
    sleep(6);
    for (int i = 0; i < calls && ns; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        Entretiens__V1__InterviewRequest q = ENTRETIENS__V1__INTERVIEW_REQUEST__INIT;
        q.id = sample[(rng >> 33) % (uint64_t) ns];
        double s = bench_now();
        /* every show reads (and, sealed, opens) the content, whatever it shows */
        ent_rpc_client_call_msg(rc, "records.interview.get", "hr:bench", &q.base, &r);
        lat[i] = (bench_now() - s) * 1e6;
        failures += r.code != ENT_OK;
        bytes += r.payload_len;
        ent_rpc_result_clear(&r);
    }
    free(sample);
    char extra[96];
    snprintf(extra, sizeof extra, "; %d interviews with content, %zu bytes each", ns, bytes / (size_t) calls);
    s_latency("interview show, with content", lat, calls, failures, extra);
    qsort(lat, (size_t) calls, sizeof *lat, bench_cmp_double);
    run->show_p99 = lat[(int) (calls * 0.99)];

    /* 4. a manager's list, for random managers of the generated tree */
    failures = 0;
    size_t items = 0;
    for (int i = 0; i < calls; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        char mgr[32], caller[48];
        snprintf(mgr, sizeof mgr, "%s", nm ? managers[(rng >> 33) % nm] : "E000001");
        snprintf(caller, sizeof caller, "manager:%s", mgr);
        Entretiens__V1__InterviewListRequest q = ENTRETIENS__V1__INTERVIEW_LIST_REQUEST__INIT;
        q.manager_id = mgr;
        double s = bench_now();
        ent_rpc_client_call_msg(rc, "records.interview.list", caller, &q.base, &r);
        lat[i] = (bench_now() - s) * 1e6;
        failures += r.code != ENT_OK;
        if (r.code == ENT_OK) {
            Entretiens__V1__InterviewListReply *l = entretiens__v1__interview_list_reply__unpack(NULL, r.payload_len, r.payload);
            items += l ? l->n_interviews : 0;
            if (l)
                entretiens__v1__interview_list_reply__free_unpacked(l, NULL);
        }
        ent_rpc_result_clear(&r);
    }
    snprintf(extra, sizeof extra, "; %.1f interviews per list, %zu managers", (double) items / calls, nm);
    s_latency("interview list --manager M", lat, calls, failures, extra);
    free(lat);

    /* 5. memory and size */
    printf("%-46s peak %ld MiB; now private %ld MiB + LMDB pages %ld MiB\n", "records resident memory",
           bench_status_kb(rec, "VmHWM:") / 1024, bench_status_kb(rec, "RssAnon:") / 1024, bench_status_kb(rec, "RssFile:") / 1024);
    if (sc)
        s_departures(rc, sc, rec, interviews);
    ent_rpc_client_destroy(&rc);
    kill(rec, SIGTERM);
    waitpid(rec, NULL, 0);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "du -sh %s/records | cut -f1", dir);
    printf("%-46s ", "records store size");
    fflush(stdout);
    if (system(cmd) != 0)
        printf("?\n");
    return 0;
}

int main(int argc, char **argv)
{
    size_t employees = 380000;
    int calls = 20000, passes = 4;
    char dir_bin[4096];
    snprintf(dir_bin, sizeof dir_bin, "%s", argv[0]);
    char *slash = strrchr(dir_bin, '/');
    snprintf(slash ? slash + 1 : dir_bin, sizeof dir_bin - (size_t) (slash ? slash + 1 - dir_bin : 0), "../../services");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--employees") == 0)
            employees = (size_t) atol(argv[i + 1]);
        else if (strcmp(argv[i], "--calls") == 0)
            calls = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--passes") == 0)
            passes = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--services") == 0)
            snprintf(dir_bin, sizeof dir_bin, "%s", argv[i + 1]);
    }
    if (employees < 16 || calls < 100) {
        fprintf(stderr, "usage: ent-bench-records [--employees N (16 or more)] [--calls N (100 or more)] "
                        "[--passes 1-4] [--services DIR]\n");
        return 2;
    }
    char sched_bin[4200], rec_bin[4200];
    snprintf(sched_bin, sizeof sched_bin, "%s/entretiens-scheduler", dir_bin);
    snprintf(rec_bin, sizeof rec_bin, "%s/entretiens-records", dir_bin);
    int32_t today = ent_date_from_ymd(2026, 11, 26);
    printf("entretiens records benchmark — %zu employees (generator seed 42, today 2026-11-26)\n\n", employees);

    /* generate and pack every batch first: not measured */
    double t0 = bench_now();
    orggen_t *g = orggen_new(42, employees, today);
    size_t cap = 1024, nb = 0, total = 0, in = 0;
    uint8_t **data = calloc(cap, sizeof *data);
    size_t *lens = calloc(cap, sizeof *lens);
    Entretiens__V1__EmployeeEvent **buf = calloc(BATCH, sizeof *buf);
    const Entretiens__V1__EmployeeEvent *ev;
    /* the managers named in the histories, for the list benchmark */
    size_t mcap = 1024, nm = 0;
    char **managers = malloc(mcap * sizeof *managers);
    for (;;) {
        int more = orggen_next(g, &ev);
        if (more && ev->manager_id && *ev->manager_id) {
            if (nm == mcap)
                managers = realloc(managers, (mcap *= 2) * sizeof *managers);
            managers[nm++] = strdup(ev->manager_id);
        }
        if (more) {
            size_t len = entretiens__v1__employee_event__get_packed_size(ev);
            uint8_t *p = malloc(len);
            entretiens__v1__employee_event__pack(ev, p);
            buf[in++] = entretiens__v1__employee_event__unpack(NULL, len, p);
            free(p);
        }
        if (in == BATCH || (!more && in)) {
            Entretiens__V1__IngestRequest rq = ENTRETIENS__V1__INGEST_REQUEST__INIT;
            rq.n_events = in;
            rq.events = buf;
            if (nb == cap) {
                cap *= 2;
                data = realloc(data, cap * sizeof *data);
                lens = realloc(lens, cap * sizeof *lens);
            }
            lens[nb] = entretiens__v1__ingest_request__get_packed_size(&rq);
            data[nb] = malloc(lens[nb]);
            entretiens__v1__ingest_request__pack(&rq, data[nb]);
            total += in;
            nb++;
            for (size_t i = 0; i < in; i++)
                entretiens__v1__employee_event__free_unpacked(buf[i], NULL);
            in = 0;
        }
        if (!more)
            break;
    }
    orggen_destroy(&g);
    free(buf);
    qsort(managers, nm, sizeof *managers, s_strcmp);
    size_t nu = 0;
    for (size_t i = 0; i < nm; i++) {
        if (nu && strcmp(managers[nu - 1], managers[i]) == 0)
            free(managers[i]);
        else
            managers[nu++] = managers[i];
    }
    nm = nu;
    printf("%-46s %zu events in %zu batches (%.1f s, not measured)\n", "generated", total, nb, bench_now() - t0);

    char dir[] = "/tmp/ent-bench-records-XXXXXX";
    if (!bench_mkdtemp(dir))
        return 1;
    int port = 38000 + (int) (getpid() % 400) * 6;
    char ep[6][64];
    for (int i = 0; i < 6; i++)
        snprintf(ep[i], sizeof ep[i], i == 2 || i == 5 ? "127.0.0.1:%d" : "tcp://127.0.0.1:%d", port + i);
    setenv("ENTRETIENS_DATA_DIR", dir, 1);
    setenv("ENTRETIENS_SCHEDULER_RPC", ep[0], 1);
    setenv("ENTRETIENS_SCHEDULER_PUB", ep[1], 1);
    setenv("ENTRETIENS_SCHEDULER_HTTP", ep[2], 1);
    setenv("ENTRETIENS_RECORDS_RPC", ep[3], 1);
    setenv("ENTRETIENS_RECORDS_PUB", ep[4], 1);
    setenv("ENTRETIENS_RECORDS_HTTP", ep[5], 1);
    setenv("ENTRETIENS_NOW", "2026-11-26", 1);
    setenv("ENTRETIENS_LOG_LEVEL", "warn", 1);
    setenv("ENTRETIENS_MAP_SIZE_MB", "8192", 1);
    ent_curve_client_t to_sched, to_rec;
    if (bench_keys(dir) != 0 || bench_curve("scheduler", &to_sched) != 0 || bench_curve("records", &to_rec) != 0)
        return 1;
    pid_t sched = s_spawn(sched_bin);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    ent_curve_apply_client(sock, &to_sched);
    zmq_connect(sock, ep[0]);
    ent_rpc_client_t *sc = ent_rpc_client_new(ctx, ep[0], 120000, &to_sched);
    if (bench_wait_up(ctx, ep[0], &to_sched, sched, "the scheduler") != 0) {
        fprintf(stderr, "the scheduler did not start (%s)\n", sched_bin);
        return 1;
    }

    /* 1. the scheduler ingests everything */
    t0 = bench_now();
    size_t sent = 0, acked = 0;
    uint64_t id = 1;
    while (acked < nb) {
        while (sent < nb && sent - acked < IN_FLIGHT) {
            bench_send_request(sock, id++, "scheduler.ingest", "", data[sent], lens[sent]);
            sent++;
        }
        if (bench_recv_ok(sock, NULL) != 0)
            break;
        acked++;
    }
    uint64_t sched_head = 0;
    s_health(sc, &sched_head, NULL);
    printf("%-46s %10.1f s  (%zu events; %llu scheduler events to consume)\n", "scheduler ingest (not records')",
           bench_now() - t0, total, (unsigned long long) sched_head);
    fflush(stdout);

    /* 2-5. records with its content sealed at rest, then the same on a
     * fresh store with encryption off, twice each, alternating (the
     * machine is shared: the better of two runs of each is compared) */
    s_run_t runs[4] = { { .label = "sealed", .encrypt = true }, { .label = "clear", .encrypt = false },
                        { .label = "sealed", .encrypt = true }, { .label = "clear", .encrypt = false } };
    double best_create[2] = { 0, 0 }, best_p99[2] = { 1e12, 1e12 };
    if (passes < 1 || passes > 4)
        passes = 4;
    for (int i = 0; i < passes; i++) {
        char rdir[sizeof dir + 16];
        snprintf(rdir, sizeof rdir, "%s/run%d", dir, i);
        if (mkdir(rdir, 0700) != 0 || s_records_run(&runs[i], rec_bin, sched, rdir, ctx, ep[3], &to_rec, sched_head, calls,
                                                    managers, nm, i == passes - 1 ? sc : NULL) != 0)
            return 1;
        int m = runs[i].encrypt ? 0 : 1;
        if (runs[i].create_per_s > best_create[m])
            best_create[m] = runs[i].create_per_s;
        if (runs[i].show_p99 < best_p99[m])
            best_p99[m] = runs[i].show_p99;
    }
    printf("\n");
    if (s_crypt_cost(dir, 4468, 20000) != 0)
        fprintf(stderr, "the in-process sealing measure failed\n");
    if (passes >= 2)
        printf("%-46s creation %.0f/s sealed, %.0f/s clear; interview show with content p99 %.1f us sealed, "
               "%.1f us clear (better of %s each)\n",
               "encryption at rest", best_create[0], best_create[1], best_p99[0], best_p99[1],
               passes == 4 ? "two runs" : "the runs");
    else
        printf("%-46s not compared (--passes 1 runs the sealed store only)\n", "encryption at rest");
    fflush(stdout);
    ent_rpc_client_destroy(&sc);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    kill(sched, SIGTERM);
    waitpid(sched, NULL, 0);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    for (size_t i = 0; i < nm; i++)
        free(managers[i]);
    free(managers);
    for (size_t i = 0; i < nb; i++)
        free(data[i]);
    free(data);
    free(lens);
    return 0;
}
