/*  bench_util.c — see bench_util.h. */
#include "bench_util.h"

#include "common/rpc.h"
#include "proto/envelope.pb-c.h"
#include "proto/scheduler.pb-c.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* The number after field in /proc/<pid>/<file> (pid 0 = this process), -1
 * when the file cannot be read or has no such line. */
static long long s_proc_field(pid_t pid, const char *file, const char *field)
{
    char path[64], line[256];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
    else
        snprintf(path, sizeof path, "/proc/self/%s", file);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0) {
            v = atoll(line + n);
            break;
        }
    fclose(f);
    return v;
}

long bench_status_kb(pid_t pid, const char *field)
{
    return (long) s_proc_field(pid, "status", field);
}

long bench_pss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int) pid);
    FILE *f = fopen(path, "r");
    long v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Pss:", 4) == 0)
            v = atol(line + 4);
    fclose(f);
    return v;
}

long bench_pss_file_kb(pid_t pid, const char *suffix)
{
    char path[64], line[4352];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int) pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long total = 0;
    bool in = false;
    size_t sl = strlen(suffix);
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        /* a mapping's header line starts with its address range "a-b " */
        unsigned long a, b;
        char c;
        if (sscanf(line, "%lx-%lx%c", &a, &b, &c) == 3 && c == ' ') {
            in = n >= sl && strcmp(line + n - sl, suffix) == 0;
            continue;
        }
        if (in && strncmp(line, "Pss:", 4) == 0)
            total += atol(line + 4);
    }
    fclose(f);
    return total;
}

long bench_pss_family_kb(pid_t root, int *procs)
{
    *procs = 0;
    long total = bench_pss_kb(root);
    if (total < 0)
        return -1;
    (*procs)++;
    DIR *d = opendir("/proc");
    if (!d)
        return total;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces, so from the last ')' */
        char *rp = strrchr(buf, ')');
        int ppid = 0;
        char state;
        if (rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == (int) root) {
            long k = bench_pss_kb((pid_t) atoi(e->d_name));
            if (k > 0) {
                total += k;
                (*procs)++;
            }
        }
    }
    closedir(d);
    return total;
}

long long bench_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int) pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[300];
        snprintf(p, sizeof p, "/proc/%d/task/%s/schedstat", (int) pid, e->d_name);
        FILE *f = fopen(p, "r");
        long long ns = 0;
        if (f) {
            if (fscanf(f, "%lld", &ns) == 1)
                total += ns;
            fclose(f);
        }
    }
    closedir(d);
    return total;
}

long long bench_io_bytes(pid_t pid, const char *field)
{
    return s_proc_field(pid, "io", field);
}

pid_t bench_scheduler_start(const char *dir, const char *path, char *endpoint, size_t size)
{
    int port = 14000 + (int) (getpid() % 500) * 4; /* below the ephemeral range */
    char pub[64], http[64], rec_rpc[64];
    snprintf(endpoint, size, "tcp://127.0.0.1:%d", port);
    snprintf(pub, sizeof pub, "tcp://127.0.0.1:%d", port + 1);
    snprintf(http, sizeof http, "127.0.0.1:%d", port + 2);
    snprintf(rec_rpc, sizeof rec_rpc, "tcp://127.0.0.1:%d", port + 3); /* nobody there */
    setenv("ENTRETIENS_DATA_DIR", dir, 1);
    setenv("ENTRETIENS_SCHEDULER_RPC", endpoint, 1);
    setenv("ENTRETIENS_SCHEDULER_PUB", pub, 1);
    setenv("ENTRETIENS_SCHEDULER_HTTP", http, 1);
    setenv("ENTRETIENS_RECORDS_RPC", rec_rpc, 1);
    setenv("ENTRETIENS_RECORDS_PUB", rec_rpc, 1);
    setenv("ENTRETIENS_NOW", "2026-11-26", 1);
    setenv("ENTRETIENS_LOG_LEVEL", "warn", 1);
    setenv("ENTRETIENS_MAP_SIZE_MB", "8192", 1);
    unsetenv("ENTRETIENS_NOSYNC");
    if (bench_keys(dir) != 0)
        return -1;
    pid_t pid = bench_fork();
    if (pid < 0) {
        perror("bench: fork");
        return -1;
    }
    if (pid == 0) {
        execl(path, path, (char *) NULL);
        _exit(127);
    }
    return pid;
}

void bench_send_request(void *sock, uint64_t id, const char *method, const char *caller, const uint8_t *payload,
                        size_t len)
{
    Entretiens__V1__Request req = ENTRETIENS__V1__REQUEST__INIT;
    req.request_id = id;
    req.method = (char *) method;
    req.caller = (char *) caller;
    req.payload.data = (uint8_t *) payload;
    req.payload.len = len;
    size_t size = entretiens__v1__request__get_packed_size(&req);
    zmq_msg_t m;
    zmq_msg_init_size(&m, size);
    entretiens__v1__request__pack(&req, zmq_msg_data(&m));
    zmq_msg_send(&m, sock, 0);
}

Entretiens__V1__Reply *bench_recv_reply(void *sock)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, 0) < 0) {
        zmq_msg_close(&m);
        return NULL;
    }
    Entretiens__V1__Reply *r = entretiens__v1__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    return r;
}

int bench_recv_ok(void *sock, size_t *accepted)
{
    Entretiens__V1__Reply *r = bench_recv_reply(sock);
    if (!r)
        return -1;
    int rc = r->status && r->status->code == ENT_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "bench: call failed: %s\n", r->status && r->status->message ? r->status->message : "?");
    if (!rc && accepted) {
        Entretiens__V1__IngestReply *rep = entretiens__v1__ingest_reply__unpack(NULL, r->payload.len, r->payload.data);
        if (rep) {
            *accepted += rep->accepted;
            entretiens__v1__ingest_reply__free_unpacked(rep, NULL);
        } else {
            rc = -1;
        }
    }
    entretiens__v1__reply__free_unpacked(r, NULL);
    return rc;
}

static char s_keys_dir[4200];

int bench_keys(const char *dir)
{
    static const char *const daemons[] = { "scheduler", "records", "notifier", "analytics", "producer", "consumer" };
    snprintf(s_keys_dir, sizeof s_keys_dir, "%s/keys", dir);
    char err[512];
    for (size_t i = 0; i <= sizeof daemons / sizeof *daemons; i++) {
        bool client = i == sizeof daemons / sizeof *daemons;
        ent_keypair_t kp;
        ent_key_t k = { .daemon = !client, .may_assert = client };
        if (ent_keypair_new(&kp) != 0) {
            fprintf(stderr, "bench: libzmq has no CURVE\n");
            return -1;
        }
        const char *name = client ? "bench" : daemons[i];
        snprintf(k.name, sizeof k.name, "%s", name);
        snprintf(k.principal, sizeof k.principal, "%s:%s", client ? "admin" : "service", name);
        snprintf(k.allow, sizeof k.allow, "%s", client ? "*" : "events.replay,health");
        memcpy(k.public_key, kp.public_key, sizeof k.public_key);
        if (ent_key_write(s_keys_dir, &k, &kp, err, sizeof err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            return -1;
        }
    }
    if (ent_master_key_create(s_keys_dir, "records", err, sizeof err) != 0) { /* records' content at rest */
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    setenv("ENTRETIENS_KEYS_DIR", s_keys_dir, 1);
    unsetenv("ENTRETIENS_INSECURE");
    return 0;
}

int bench_curve(const char *daemon, ent_curve_client_t *out)
{
    char err[512];
    ent_keypair_t own;
    ent_keyring_t *ring = NULL;
    int rc = ent_keypair_load(s_keys_dir, "bench", &own, err, sizeof err);
    if (!rc && !(ring = ent_keyring_load(s_keys_dir, err, sizeof err)))
        rc = -1;
    if (!rc && ent_keyring_client(ring, &own, daemon, out) != 0) {
        snprintf(err, sizeof err, "no key for %s", daemon);
        rc = -1;
    }
    ent_keyring_destroy(&ring);
    if (rc)
        fprintf(stderr, "bench: %s\n", err);
    return rc;
}

int bench_wait_up(void *ctx, const char *ep, const ent_curve_client_t *curve, pid_t pid, const char *name)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, ep, 1000, curve);
    if (!c) {
        fprintf(stderr, "%s: no RPC client for %s\n", name, ep);
        return -2;
    }
    int rc = -2;
    for (int i = 0; i < 200; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "%s exited during start-up (%s %d): is its port taken? (see its log above)\n", name,
                    WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            rc = -1;
            break;
        }
        ent_rpc_result_t r;
        int up = ent_rpc_client_call(c, "health", NULL, NULL, 0, &r) == 0 && r.code == ENT_OK;
        ent_rpc_result_clear(&r);
        if (up) {
            rc = 0;
            break;
        }
        usleep(50000);
    }
    if (rc == -2)
        fprintf(stderr, "%s does not answer health on %s\n", name, ep);
    ent_rpc_client_destroy(&c);
    return rc;
}

/* What an interrupted benchmark leaves behind: its children and folders. */
#define S_KEEP_MAX 64
static pid_t s_children[S_KEEP_MAX];
static char s_dirs[8][128];
static volatile sig_atomic_t s_nchildren, s_ndirs;

/* SIGINT, SIGTERM, SIGHUP: the children killed and reaped, the folders
 * removed (by rm, forked: async-signal-safe), then the signal's own end. */
static void s_on_signal(int sig)
{
    /* only a child still ours: one reaped already (ECHILD) may have lent
     * its pid to another process */
    for (int i = 0; i < s_nchildren; i++)
        if (s_children[i] > 0 && waitpid(s_children[i], NULL, WNOHANG) == 0 && kill(s_children[i], SIGKILL) == 0)
            waitpid(s_children[i], NULL, 0);
    for (int i = 0; i < s_ndirs; i++) {
        pid_t p = fork();
        if (p == 0) {
            execl("/bin/rm", "rm", "-rf", s_dirs[i], (char *) NULL);
            _exit(127);
        }
        if (p > 0)
            waitpid(p, NULL, 0);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void s_trap(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

char *bench_mkdtemp(char *tmpl)
{
    if (!mkdtemp(tmpl))
        return NULL;
    size_t n = strlen(tmpl);
    if (s_ndirs < (sig_atomic_t) (sizeof s_dirs / sizeof *s_dirs) && n < sizeof s_dirs[0]) {
        memcpy(s_dirs[s_ndirs], tmpl, n + 1);
        s_ndirs++;
        s_trap();
    }
    return tmpl;
}

pid_t bench_fork(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    /* the signal survives exec (not a set-uid one); it fires when the
     * forking thread ends, which in every benchmark is its main thread */
    if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent))
        _exit(1);
    if (pid == 0) { /* the parent's clean-up is not the child's */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
    }
    if (pid > 0 && s_nchildren < S_KEEP_MAX) {
        s_children[s_nchildren] = pid;
        s_nchildren++;
    }
    return pid;
}
