/*  Unit tests of the trust layer: common/principal, common/keys, common/zap
 *  and the key binding of common/rpc, through a real daemon runtime with
 *  CurveZMQ on (each refusal tested, not only each success). */
#include "common/daemon.h"
#include "common/principal.h"
#include "common/rpc.h"
#include "common/zap.h"
#include "keys_fixture.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

/* ------------------------------------------------------------ principal */

Test(principal, grammar)
{
    ent_principal_t p;
    const char *why = NULL;
    cr_expect_eq(ent_principal_parse("employee:E42", &p, &why), 0);
    cr_expect_eq(p.role, ENT_ROLE_EMPLOYEE);
    cr_expect_str_eq(p.id, "E42");
    cr_expect_eq(ent_principal_parse("service:hris", &p, NULL), 0);
    cr_expect_eq(p.role, ENT_ROLE_SERVICE);
    cr_expect_eq(ent_principal_parse("hr:alice.martin@corp-1", &p, NULL), 0);
    const char *bad[] = { NULL, "", "E42", "boss:E1", "employee:", "employee:a b", "admin:x;rm", ":x",
                          "employee:0123456789012345678901234567890123456789012345678901234567890123456789" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why = NULL;
        cr_expect_eq(ent_principal_parse(bad[i], &p, &why), -1, "'%s' accepted", bad[i] ? bad[i] : "(null)");
        cr_expect_not_null(why);
        cr_expect_eq(p.id[0], '\0');
    }
    char buf[ENT_PRINCIPAL_MAX + 1];
    ent_principal_parse("manager:M7", &p, NULL);
    cr_expect_str_eq(ent_principal_format(&p, buf, sizeof buf), "manager:M7");
}

Test(principal, relations_deny_by_default)
{
    char *ents[] = { "ACME-FR" };
    ent_scope_t scope = { .granted = true, .entities = ents, .n_entities = 1 };
    ent_scope_t none = { 0 };
    ent_subject_t s = { .employee_id = "E1", .entity = "ACME-FR" };
    ent_principal_t p;
    ent_principal_parse("employee:E1", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_SELF);
    ent_principal_parse("employee:E2", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_NONE);
    s.in_line = true; /* an employee role never gets the line relation */
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_NONE);
    ent_principal_parse("manager:E2", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_LINE);
    s.in_line = false;
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_NONE);
    ent_principal_parse("hr:alice", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, &scope, &s), ENT_REL_HR);
    cr_expect_eq(ent_principal_relation(&p, &none, &s), ENT_REL_NONE, "HR without a grant sees nothing");
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_NONE);
    s.entity = "ACME-DE";
    cr_expect_eq(ent_principal_relation(&p, &scope, &s), ENT_REL_NONE);
    s.entity = "";
    cr_expect_eq(ent_principal_relation(&p, &scope, &s), ENT_REL_NONE, "no entity: only '*' covers it");
    scope.all = true;
    cr_expect_eq(ent_principal_relation(&p, &scope, &s), ENT_REL_HR);
    ent_principal_parse("service:hris", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, &scope, &s), ENT_REL_NONE, "a service sees no one's data");
    ent_principal_parse("admin:root", &p, NULL);
    cr_expect_eq(ent_principal_relation(&p, NULL, &s), ENT_REL_ADMIN);
    cr_expect(ent_relation_sees_health(ENT_REL_SELF));
    cr_expect(ent_relation_sees_health(ENT_REL_HR));
    cr_expect_not(ent_relation_sees_health(ENT_REL_LINE), "a line manager learns that, not why");
    cr_expect_not(ent_relation_sees_health(ENT_REL_NONE));
}

/* ------------------------------------------------------------ keys */

static char s_dir[64];

static void s_tmpdir(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/ent-trust-XXXXXX");
    cr_assert_not_null(mkdtemp(s_dir));
}

static void s_rmdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    cr_assert_eq(system(cmd), 0);
}

static void s_write(const char *name, const char *text, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

Test(keys, files_modes_and_round_trip)
{
    s_tmpdir();
    fx_key(s_dir, "hris", "service:hris", false, false, "scheduler.ingest");
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/hris.secret", s_dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600, "secret mode %o", st.st_mode & 0777);
    snprintf(path, sizeof path, "%s/hris.pub", s_dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0644);
    char err[512];
    ent_keyring_t *ring = ent_keyring_load(s_dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    ent_key_t k;
    cr_assert_eq(ent_keyring_find_name(ring, "hris", &k), 0);
    cr_expect_str_eq(k.principal, "service:hris");
    cr_expect_not(k.may_assert);
    cr_expect_not(k.daemon);
    ent_keypair_t kp;
    cr_assert_eq(ent_keypair_load(s_dir, "hris", &kp, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(kp.public_key, k.public_key);
    ent_key_t by_pub;
    cr_expect_eq(ent_keyring_find_public(ring, kp.public_key, &by_pub), 0);
    cr_expect_str_eq(by_pub.name, "hris");
    cr_expect_eq(ent_keyring_find_name(ring, "nobody", &k), -1);
    /* an existing key is never replaced */
    ent_key_t again = by_pub;
    cr_expect_eq(ent_key_write(s_dir, &again, &kp, err, sizeof err), -1);
    cr_expect(strstr(err, "already exists") != NULL, "%s", err);
    /* the fingerprint names the key without printing it */
    char fp[ENT_KEY_FINGERPRINT], fp2[ENT_KEY_FINGERPRINT];
    ent_key_fingerprint(kp.public_key, fp);
    ent_key_fingerprint(kp.public_key, fp2);
    cr_expect_eq(strlen(fp), 16);
    cr_expect_str_eq(fp, fp2);
    cr_expect(strstr(kp.public_key, fp) == NULL);
    ent_key_fingerprint("not a key", fp);
    cr_expect_str_eq(fp, "invalid");
    ent_keyring_destroy(&ring);
    cr_expect_null(ring);
    s_rmdir();
}

Test(keys, refuses_bad_files)
{
    s_tmpdir();
    char err[512];
    fx_key(s_dir, "ops", "admin:ops", true, false, "*");
    /* a secret readable by every user */
    char path[256];
    snprintf(path, sizeof path, "%s/ops.secret", s_dir);
    chmod(path, 0644);
    ent_keypair_t kp;
    cr_expect_eq(ent_keypair_load(s_dir, "ops", &kp, err, sizeof err), -1);
    cr_expect(strstr(err, "readable by every user") != NULL, "%s", err);
    chmod(path, 0600);
    cr_expect_eq(ent_keypair_load(s_dir, "ops", &kp, err, sizeof err), 0, "%s", err);
    /* a secret whose public half belongs to another key */
    ent_keypair_t other;
    ent_keypair_new(&other);
    char text[256];
    snprintf(text, sizeof text, "public=%s\nsecret=%s\n", other.public_key, kp.secret_key);
    s_write("mixed.secret", text, 0600);
    cr_expect_eq(ent_keypair_load(s_dir, "mixed", &kp, err, sizeof err), -1);
    cr_expect(strstr(err, "does not belong") != NULL, "%s", err);
    cr_expect_eq(ent_keypair_load(s_dir, "../etc/passwd", &kp, err, sizeof err), -1);
    /* a malformed public record stops the ring from loading */
    s_write("broken.pub", "public=short\nprincipal=admin:x\nallow=*\n", 0644);
    cr_expect_null(ent_keyring_load(s_dir, err, sizeof err));
    cr_expect(strstr(err, "broken.pub") != NULL, "%s", err);
    unlink(strcat(strcpy(path, s_dir), "/broken.pub"));
    s_write("bad-role.pub", "public=rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\nprincipal=king:x\nallow=*\n", 0644);
    cr_expect_null(ent_keyring_load(s_dir, err, sizeof err));
    unlink(strcat(strcpy(path, s_dir), "/bad-role.pub"));
    /* two records with one public key */
    ent_keyring_t *ring = ent_keyring_load(s_dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    ent_key_t k;
    ent_keyring_find_name(ring, "ops", &k);
    snprintf(text, sizeof text, "public=%s\nprincipal=admin:copy\nallow=*\n", k.public_key);
    s_write("copy.pub", text, 0644);
    cr_expect_eq(ent_keyring_reload(ring, err, sizeof err), -1);
    cr_expect(strstr(err, "same public key") != NULL, "%s", err);
    cr_expect_eq(ent_keyring_find_name(ring, "ops", &k), 0, "a failed reload keeps the previous keys");
    ent_keyring_destroy(&ring);
    s_rmdir();
}

Test(keys, allow_lists)
{
    ent_key_t k = { 0 };
    snprintf(k.allow, sizeof k.allow, "scheduler.ingest, records.interview.*");
    cr_expect(ent_key_allows(&k, "scheduler.ingest"));
    cr_expect(ent_key_allows_explicitly(&k, "scheduler.ingest"));
    cr_expect(ent_key_allows(&k, "records.interview.get"));
    cr_expect_not(ent_key_allows_explicitly(&k, "records.interview.get"));
    cr_expect_not(ent_key_allows(&k, "records.interview"));
    cr_expect_not(ent_key_allows(&k, "records.interviewX.get"));
    cr_expect_not(ent_key_allows(&k, "scheduler.ingest2"));
    cr_expect_not(ent_key_allows(&k, "admin.backup"));
    cr_expect_not(ent_key_allows(&k, ""));
    snprintf(k.allow, sizeof k.allow, "*");
    cr_expect(ent_key_allows(&k, "admin.backup"));
    cr_expect_not(ent_key_allows_explicitly(&k, "scheduler.ingest"), "'*' is not naming a method");
}

Test(keys, widen_allow_adds_only_what_is_missing)
{
    s_tmpdir();
    char err[512];
    fx_key(s_dir, "gateway", "service:gateway", true, false, "health,records.interview.*,custom.added");
    fx_key(s_dir, "ops", "admin:ops", true, false, "*");
    ent_keyring_t *ring = ent_keyring_load(s_dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    ent_key_t before;
    cr_assert_eq(ent_keyring_find_name(ring, "gateway", &before), 0);
    ent_keyring_destroy(&ring);
    size_t added = 99;
    /* records.interview.step_back is covered by the pattern; the pattern itself is there */
    cr_assert_eq(ent_key_widen_allow(s_dir, "gateway", "health,records.interview.*,records.interview.step_back,"
                                                       "records.template.import,notifier.list",
                                     &added, err, sizeof err), 0, "%s", err);
    cr_expect_eq(added, 2);
    ring = ent_keyring_load(s_dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    ent_key_t after;
    cr_assert_eq(ent_keyring_find_name(ring, "gateway", &after), 0);
    ent_keyring_destroy(&ring);
    cr_expect_str_eq(after.allow, "health,records.interview.*,custom.added,records.template.import,notifier.list");
    cr_expect_str_eq(after.public_key, before.public_key, "the key itself is kept");
    cr_expect_str_eq(after.principal, "service:gateway");
    cr_expect(after.may_assert);
    /* a second run adds nothing and leaves the file as it is */
    cr_assert_eq(ent_key_widen_allow(s_dir, "gateway", "records.template.import,notifier.list", &added, err, sizeof err), 0);
    cr_expect_eq(added, 0);
    /* "*" allows everything already; a missing key is said */
    cr_assert_eq(ent_key_widen_allow(s_dir, "ops", "records.template.import", &added, err, sizeof err), 0);
    cr_expect_eq(added, 0);
    cr_expect_eq(ent_key_widen_allow(s_dir, "nobody", "health", &added, err, sizeof err), -1);
    cr_expect(strstr(err, "nobody") != NULL, "%s", err);
    /* the secret is untouched, still 0600 */
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/gateway.secret", s_dir);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    s_rmdir();
}

/* ------------------------------------------------------------ the binding */

typedef struct {
    char dir[64];
    char rpc[160];
    ent_curve_client_t operator, hris, daemon, unknown;
    void (*client)(void *ctx);
} s_fx_t;

static s_fx_t s_fx;

/* test.whoami answers the principal the handler sees. */
static int s_whoami(ent_rpc_call_t *call, void *arg)
{
    (void) arg;
    return ent_rpc_ok_bytes(call, (const uint8_t *) call->caller, strlen(call->caller));
}

static void *s_client_thread(void *arg)
{
    (void) arg;
    void *ctx = zmq_ctx_new();
    s_fx.client(ctx);
    zmq_ctx_term(ctx);
    raise(SIGTERM);
    return NULL;
}

static void s_serve(void (*client)(void *ctx))
{
    memset(&s_fx, 0, sizeof s_fx);
    s_fx.client = client;
    snprintf(s_fx.dir, sizeof s_fx.dir, "/tmp/ent-bind-XXXXXX");
    cr_assert_not_null(mkdtemp(s_fx.dir));
    snprintf(s_fx.rpc, sizeof s_fx.rpc, "ipc://%s/rpc.ipc", s_fx.dir);
    char keys[128], other[128];
    snprintf(keys, sizeof keys, "%s/keys", s_fx.dir);
    snprintf(other, sizeof other, "%s/elsewhere", s_fx.dir);
    fx_key(keys, "unit", "service:unit", false, true, "events.replay,health");
    fx_key(keys, "operator", "admin:operator", true, false, "*");
    fx_key(keys, "hris", "service:hris", false, false, "test.whoami,test.named");
    fx_key(keys, "peer", "service:peer", false, true, "events.replay,health,test.*");
    fx_key(other, "unknown", "admin:intruder", true, false, "*");
    fx_curve(keys, "operator", "unit", &s_fx.operator);
    fx_curve(keys, "hris", "unit", &s_fx.hris);
    fx_curve(keys, "peer", "unit", &s_fx.daemon);
    s_fx.unknown = s_fx.operator;
    ent_keypair_load(other, "unknown", &s_fx.unknown.own, NULL, 0);
    unsetenv("ENTRETIENS_KEYS_DIR");
    unsetenv("ENTRETIENS_INSECURE");
    unsetenv("ENTRETIENS_NOW");
    char http[64];
    snprintf(http, sizeof http, "127.0.0.1:%d", 14000 + getpid() % 6000);
    setenv("ENTRETIENS_DATA_DIR", s_fx.dir, 1);
    setenv("ENTRETIENS_UNIT_RPC", s_fx.rpc, 1);
    setenv("ENTRETIENS_UNIT_HTTP", http, 1);
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    const ent_daemon_spec_t spec = { .name = "unit", .summary = "trust test", .max_dbs = 1, .schema_version = 1 };
    char *argv[] = { "unit", NULL };
    ent_daemon_t *d = NULL;
    cr_assert_eq(ent_daemon_new(&spec, 1, argv, &d), 0);
    cr_assert_not_null(d);
    cr_assert_not(ent_daemon_insecure(d));
    ent_daemon_method(d, "test.whoami", s_whoami, NULL);
    ent_daemon_method_for(d, "test.named", ENT_RPC_NAMED, s_whoami, NULL);
    ent_daemon_method_for(d, "test.daemons", ENT_RPC_DAEMONS, s_whoami, NULL);
    cr_assert_eq(ent_daemon_start(d), 0);
    pthread_t th;
    pthread_create(&th, NULL, s_client_thread, NULL);
    ent_daemon_run(d);
    pthread_join(th, NULL);
    /* refusals were counted where operators look */
    char *text = NULL;
    size_t len = 0;
    cr_assert_eq(ent_metrics_render(ent_daemon_metrics(d), &text, &len), 0);
    const char *names[] = { "\nentretiens_unit_zap_denied_total ", "\nentretiens_unit_rpc_denied_total " };
    for (int i = 0; i < 2; i++) {
        const char *p = strstr(text, names[i]);
        cr_expect_not_null(p, "%s is exported", names[i]);
        if (p)
            cr_expect_gt(atof(p + strlen(names[i])), 0, "%s counted the refusals", names[i]);
    }
    free(text);
    ent_daemon_destroy(&d);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_fx.dir);
    cr_assert_eq(system(cmd), 0);
}

/* Calls method as caller with curve; returns the result (payload cleared
 * into who, when given). */
static ent_code_t s_ask(void *ctx, const ent_curve_client_t *curve, const char *method, const char *caller,
                        char *who, size_t who_size, char *field, size_t field_size)
{
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, s_fx.rpc, 3000, curve);
    cr_assert_not_null(c);
    ent_rpc_result_t r;
    ent_rpc_client_call(c, method, caller, NULL, 0, &r);
    if (who) {
        size_t n = r.payload_len < who_size - 1 ? r.payload_len : who_size - 1;
        memcpy(who, r.payload ? (char *) r.payload : "", n);
        who[n] = '\0';
    }
    if (field)
        snprintf(field, field_size, "%.*s", (int) field_size - 1, r.field);
    ent_rpc_result_clear(&r);
    ent_rpc_client_destroy(&c);
    return r.code;
}

static void s_client_binding(void *ctx)
{
    char who[128], field[128];
    /* a key acts as its own principal */
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "test.whoami", NULL, who, sizeof who, NULL, 0), ENT_OK);
    cr_expect_str_eq(who, "service:hris");
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "test.whoami", "service:hris", who, sizeof who, NULL, 0), ENT_OK,
                 "naming its own principal is fine");
    /* ... and may not claim another one */
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "test.whoami", "admin:x", NULL, 0, field, sizeof field),
                 ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "caller");
    /* nor call what its allow list does not name */
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "health", NULL, NULL, 0, field, sizeof field), ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "method");
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "admin.backup", NULL, NULL, 0, field, sizeof field), ENT_PERMISSION_DENIED);
    /* NAMED: the hris key names test.named; the peer key's "test.*" does not count */
    cr_expect_eq(s_ask(ctx, &s_fx.hris, "test.named", NULL, who, sizeof who, NULL, 0), ENT_OK);
    cr_expect_eq(s_ask(ctx, &s_fx.daemon, "test.named", NULL, NULL, 0, field, sizeof field), ENT_PERMISSION_DENIED);
    cr_expect_eq(s_ask(ctx, &s_fx.operator, "test.named", NULL, NULL, 0, NULL, 0), ENT_OK, "operators may");
    /* DAEMONS: daemon keys only, even an operator is refused */
    cr_expect_eq(s_ask(ctx, &s_fx.daemon, "test.daemons", NULL, who, sizeof who, NULL, 0), ENT_OK);
    cr_expect_str_eq(who, "service:peer");
    cr_expect_eq(s_ask(ctx, &s_fx.operator, "test.daemons", NULL, NULL, 0, NULL, 0), ENT_PERMISSION_DENIED);
    /* OPERATOR: admin.clock.set refused to a daemon key before the handler */
    cr_expect_eq(s_ask(ctx, &s_fx.daemon, "admin.clock.set", NULL, NULL, 0, field, sizeof field),
                 ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "method");
    /* the operator's key asserts whom it acts for; the principal must parse */
    cr_expect_eq(s_ask(ctx, &s_fx.operator, "test.whoami", NULL, who, sizeof who, NULL, 0), ENT_OK);
    cr_expect_str_eq(who, "admin:operator");
    cr_expect_eq(s_ask(ctx, &s_fx.operator, "test.whoami", "employee:E42", who, sizeof who, NULL, 0), ENT_OK);
    cr_expect_str_eq(who, "employee:E42");
    cr_expect_eq(s_ask(ctx, &s_fx.operator, "test.whoami", "employee:E4 2", NULL, 0, field, sizeof field),
                 ENT_PERMISSION_DENIED);
    cr_expect_str_eq(field, "caller");
    /* an unknown key never completes the handshake */
    cr_expect_eq(s_ask(ctx, &s_fx.unknown, "test.whoami", NULL, NULL, 0, NULL, 0), ENT_UNAUTHENTICATED);
    /* a client without CURVE gets nothing at all */
    ent_rpc_client_t *c = ent_rpc_client_new(ctx, s_fx.rpc, 500, NULL);
    ent_rpc_result_t r;
    cr_expect_eq(ent_rpc_client_call(c, "health", "admin:x", NULL, 0, &r), -1);
    cr_expect_eq(r.code, ENT_DEADLINE_EXCEEDED);
    ent_rpc_client_destroy(&c);
    /* a key removed from the directory: refused after SIGHUP, even on a
     * connection opened before */
    c = ent_rpc_client_new(ctx, s_fx.rpc, 3000, &s_fx.hris);
    cr_expect_eq(ent_rpc_client_call(c, "test.whoami", NULL, NULL, 0, &r), 0);
    cr_expect_eq(r.code, ENT_OK);
    ent_rpc_result_clear(&r);
    char path[256];
    snprintf(path, sizeof path, "%s/keys/hris.pub", s_fx.dir);
    cr_assert_eq(unlink(path), 0);
    raise(SIGHUP);
    int code = ENT_OK;
    for (int i = 0; i < 50 && code == ENT_OK; i++) {
        usleep(20000);
        ent_rpc_client_call(c, "test.whoami", NULL, NULL, 0, &r);
        code = r.code;
        ent_rpc_result_clear(&r);
    }
    cr_expect_eq(code, ENT_PERMISSION_DENIED, "a revoked key still served");
    ent_rpc_client_destroy(&c);
}

Test(trust, every_request_is_bound_to_its_key)
{
    alarm(120);
    s_serve(s_client_binding);
}

Test(trust, a_daemon_refuses_to_start_without_keys)
{
    s_tmpdir();
    unsetenv("ENTRETIENS_KEYS_DIR");
    unsetenv("ENTRETIENS_INSECURE");
    setenv("ENTRETIENS_DATA_DIR", s_dir, 1);
    setenv("ENTRETIENS_LOG_LEVEL", "error", 1);
    const ent_daemon_spec_t spec = { .name = "unit", .summary = "trust test", .max_dbs = 1, .schema_version = 1 };
    char *argv[] = { "unit", NULL };
    ent_daemon_t *d = NULL;
    cr_expect_neq(ent_daemon_new(&spec, 1, argv, &d), 0);
    cr_expect_null(d);
    /* another daemon's key is not this one's */
    char keys[128];
    snprintf(keys, sizeof keys, "%s/keys", s_dir);
    fx_key(keys, "other", "service:other", false, true, "health");
    cr_expect_neq(ent_daemon_new(&spec, 1, argv, &d), 0);
    /* a client key under the daemon's name is not a daemon key */
    fx_key(keys, "unit", "admin:unit", true, false, "*");
    cr_expect_neq(ent_daemon_new(&spec, 1, argv, &d), 0);
    cr_expect_null(d);
    /* explicitly insecure: starts, and says so */
    setenv("ENTRETIENS_INSECURE", "1", 1);
    char rpc[128];
    snprintf(rpc, sizeof rpc, "ipc://%s/rpc.ipc", s_dir);
    setenv("ENTRETIENS_UNIT_RPC", rpc, 1);
    cr_expect_eq(ent_daemon_new(&spec, 1, argv, &d), 0);
    cr_assert_not_null(d);
    cr_expect(ent_daemon_insecure(d));
    ent_daemon_destroy(&d);
    unsetenv("ENTRETIENS_INSECURE");
    s_rmdir();
}

/* ------------------------------------------------------------ events */

/* A PUB whose ZAP domain is "events": a daemon's key receives, a client's
 * key (even an operator's) is refused at the handshake. */
Test(zap, events_are_for_daemons_only)
{
    alarm(60);
    s_tmpdir();
    fx_key(s_dir, "prod", "service:prod", false, true, "health");
    fx_key(s_dir, "cons", "service:cons", false, true, "health");
    fx_key(s_dir, "operator", "admin:operator", true, false, "*");
    char err[512];
    ent_keyring_t *ring = ent_keyring_load(s_dir, err, sizeof err);
    cr_assert_not_null(ring, "%s", err);
    void *ctx = zmq_ctx_new();
    ent_zap_t *zap = ent_zap_new(ctx, ring);
    cr_assert_not_null(zap);
    cr_expect_null(ent_zap_new(ctx, ring), "one handler per context");
    ent_keypair_t prod;
    cr_assert_eq(ent_keypair_load(s_dir, "prod", &prod, err, sizeof err), 0);
    ent_curve_server_t srv = { 0 };
    memcpy(srv.secret_key, prod.secret_key, sizeof srv.secret_key);
    char ep[128];
    snprintf(ep, sizeof ep, "ipc://%s/pub.ipc", s_dir);
    ent_zap_domain(srv.domain, sizeof srv.domain, ENT_ZAP_DOMAIN_EVENTS, ep);
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    cr_assert_eq(ent_curve_apply_server(pub, &srv), 0);
    cr_assert_eq(zmq_bind(pub, ep), 0);
    void *subs[2];
    const char *who[2] = { "cons", "operator" };
    for (int i = 0; i < 2; i++) {
        ent_curve_client_t cc;
        fx_curve(s_dir, who[i], "prod", &cc);
        subs[i] = zmq_socket(ctx, ZMQ_SUB);
        cr_assert_eq(ent_curve_apply_client(subs[i], &cc), 0);
        zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0);
        cr_assert_eq(zmq_connect(subs[i], ep), 0);
    }
    int got[2] = { 0, 0 };
    for (int round = 0; round < 100 && !got[0]; round++) {
        zmq_send(pub, "prod.x", 6, 0);
        usleep(10000);
        for (int i = 0; i < 2; i++) {
            char buf[16];
            while (zmq_recv(subs[i], buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                got[i]++;
        }
    }
    cr_expect_gt(got[0], 0, "the daemon's key receives events");
    cr_expect_eq(got[1], 0, "a client key must not receive events");
    ent_zap_stats_t st;
    ent_zap_stats(zap, &st);
    cr_expect_gt(st.denied, 0);
    cr_expect_gt(st.allowed, 0);
    int linger = 0;
    for (int i = 0; i < 2; i++) {
        zmq_setsockopt(subs[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(subs[i]);
    }
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(pub);
    ent_zap_destroy(&zap);
    cr_expect_null(zap);
    zmq_ctx_term(ctx);
    ent_keyring_destroy(&ring);
    s_rmdir();
}
