/*  keys.h — CurveZMQ key pairs and the key directory (ENTRETIENS_KEYS_DIR).
 *
 *  Every daemon and every client (the operator CLI, an HRIS connector, the
 *  gateway) has a long-term CurveZMQ key pair.  The directory holds:
 *
 *    NAME.pub     the public record of a key, mode 0644, lines "field=value":
 *                   public=<40-character Z85 public key>
 *                   principal=<role:id>     who the key acts as (principal.h)
 *                   assert=yes|no           may act for another principal
 *                                           through Request.caller
 *                   daemon=yes|no           a daemon's own key: may subscribe
 *                                           to events and replay them
 *                   allow=*|METHOD,...      the methods it may call ("*" all;
 *                                           "records.interview.*" a prefix)
 *                 Lines starting with '#' and blank lines are ignored.
 *    NAME.secret  the secret half, mode 0600, lines public=... and secret=...
 *
 *  A daemon reads every *.pub (its allow-list: the ZAP handler admits only
 *  those public keys) and its own NAME.secret; a client reads the *.pub of
 *  the daemons it talks to and its own secret.  On Kubernetes the .pub files
 *  come from one Secret shared by all pods and each pod gets only its own
 *  .secret.  NAME is 1 to 64 of [A-Za-z0-9._-].
 *
 *  Rotation: two keys may be bound to the same principal at once (add the
 *  new key, move the client to it, remove the old one); a daemon re-reads
 *  the directory on SIGHUP.  Secret keys are never logged; a key is named
 *  in logs by its file name or its fingerprint (ent_key_fingerprint).
 */
#ifndef ENT_KEYS_H
#define ENT_KEYS_H

#include "common/principal.h"

#include <stdbool.h>
#include <stddef.h>

#define ENT_KEY_Z85 41              /* 40 characters + NUL */
#define ENT_KEY_NAME_MAX 64
#define ENT_KEY_ALLOW_MAX 1024
#define ENT_KEY_FINGERPRINT 17      /* 16 hex characters + NUL */

typedef struct {
    char public_key[ENT_KEY_Z85];
    char secret_key[ENT_KEY_Z85];
} ent_keypair_t;

/* The public record of one key (a NAME.pub file). */
typedef struct {
    char name[ENT_KEY_NAME_MAX + 1];
    char public_key[ENT_KEY_Z85];
    char principal[ENT_PRINCIPAL_MAX + 1];
    bool may_assert;
    bool daemon;
    char allow[ENT_KEY_ALLOW_MAX];   /* "*" or a comma-separated list */
} ent_key_t;

/* What a client needs to speak CURVE to one server. */
typedef struct {
    ent_keypair_t own;
    char server_key[ENT_KEY_Z85];
} ent_curve_client_t;

/* What a server socket needs: its secret and the ZAP domain that tells the
 * handler which kind of endpoint is being joined ("rpc ..." or "events ...",
 * see zap.h). */
typedef struct {
    char secret_key[ENT_KEY_Z85];
    char domain[256];
} ent_curve_server_t;

/* True when libzmq was built with CURVE (zmq_has("curve")). */
bool ent_keys_available(void);

/* Creates a fresh key pair.  Returns 0, or -1 when libzmq has no CURVE. */
int ent_keypair_new(ent_keypair_t *out);

/* True when name is a valid key name (1..64 of [A-Za-z0-9._-]). */
bool ent_key_name_valid(const char *name);

/* The first 16 hex digits of SHA-256 of the 32-byte public key, to name a
 * key in logs without printing it whole.  out: ENT_KEY_FINGERPRINT bytes.
 * A key that is not valid Z85 gives "invalid". */
void ent_key_fingerprint(const char *public_z85, char out[ENT_KEY_FINGERPRINT]);

/* True when the key may call method: allow is "*", names it, or holds a
 * prefix "a.b.*" that matches it. */
bool ent_key_allows(const ent_key_t *key, const char *method);

/* True when allow names method itself (not through "*"). */
bool ent_key_allows_explicitly(const ent_key_t *key, const char *method);

/* Writes DIR/NAME.pub (0644) and, when pair is not NULL, DIR/NAME.secret
 * (0600), each through a temporary file and a rename.  DIR is created
 * (0700) when missing.  Refuses to replace an existing key.
 * Returns 0, or -1 with a reason in err. */
int ent_key_write(const char *dir, const ent_key_t *key, const ent_keypair_t *pair, char *err, size_t errsize);

/* Adds to DIR/NAME.pub's allow list each method of methods (comma-separated)
 * it does not allow yet, keeping the rest of the key (its public half,
 * principal, flags and any method an operator added) and rewriting the file
 * through a rename; a key allowing "*" is left alone.  *added: how many.
 * This is how `keys init` brings an older installation's gateway key up to
 * the methods a newer gateway calls (the daemons re-read keys on SIGHUP).
 * Returns 0, or -1 with a reason in err (no such key, unreadable directory,
 * list too long, cannot write). */
int ent_key_widen_allow(const char *dir, const char *name, const char *methods, size_t *added, char *err,
                        size_t errsize);

/* Reads DIR/NAME.secret.  Refuses a file other users may read.
 * Returns 0, or -1 with a reason in err (missing, unreadable, malformed,
 * readable by others, the public half not matching the secret). */
int ent_keypair_load(const char *dir, const char *name, ent_keypair_t *out, char *err, size_t errsize);

/* Reads the secret at path (a file path rather than a name in a dir). */
int ent_keypair_load_path(const char *path, ent_keypair_t *out, char *err, size_t errsize);

/* A client's key as ENTRETIENS_CLIENT_KEY names it: a path when it holds a
 * '/', else a name in dir.  Returns as the two above. */
int ent_keypair_load_client(const char *dir, const char *name_or_path, ent_keypair_t *out, char *err,
                            size_t errsize);

/* ------------------------------------------------------- master keys */

/* A symmetric master key: 32 random bytes in DIR/NAME.master (mode 0600,
 * one line "master=<64 hex digits>").  Records wraps each employee's data
 * key with "records.master" (services/records/rec_crypt.h). */
#define ENT_MASTER_KEY_LEN 32

/* Creates DIR/NAME.master with a fresh random key; refuses to replace one.
 * Returns 0, or -1 with a reason in err. */
int ent_master_key_create(const char *dir, const char *name, char *err, size_t errsize);

/* True when DIR/NAME.master exists. */
bool ent_master_key_exists(const char *dir, const char *name);

/* Reads DIR/NAME.master into out.  Refuses a file other users may read or a
 * malformed one.  Returns 0, or -1 with a reason in err (out zeroed). */
int ent_master_key_load(const char *dir, const char *name, unsigned char out[ENT_MASTER_KEY_LEN], char *err,
                        size_t errsize);

/* ------------------------------------------------------------- the ring */

/* Every public record of a directory.  Lookups copy the record under a
 * lock, so the ZAP handler's thread and the loop thread may ask while the
 * loop reloads. */
typedef struct ent_keyring ent_keyring_t;

/* Reads every DIR/ *.pub.  Returns NULL with a reason in err when the
 * directory cannot be read, a record is malformed, or two records share a
 * public key. */
ent_keyring_t *ent_keyring_load(const char *dir, char *err, size_t errsize);

/* Reads the directory again and replaces the records at once.  On error
 * the previous records stay.  Returns 0, or -1 with a reason in err. */
int ent_keyring_reload(ent_keyring_t *ring, char *err, size_t errsize);

/* Number of records. */
size_t ent_keyring_count(ent_keyring_t *ring);

/* Copies the record with that Z85 public key / that name into *out.
 * Returns 0, or -1 when there is none. */
int ent_keyring_find_public(ent_keyring_t *ring, const char *public_z85, ent_key_t *out);
int ent_keyring_find_name(ent_keyring_t *ring, const char *name, ent_key_t *out);

/* Copies the i-th record (in file-name order) into *out.  Returns 0, or -1
 * past the end. */
int ent_keyring_at(ent_keyring_t *ring, size_t i, ent_key_t *out);

/* Fills a client's CURVE settings to talk to the daemon (or any key) named
 * server.  Returns 0, or -1 when the ring has no such key. */
int ent_keyring_client(ent_keyring_t *ring, const ent_keypair_t *own, const char *server, ent_curve_client_t *out);

/* Frees; *ring_p set to NULL; safe on NULL. */
void ent_keyring_destroy(ent_keyring_t **ring_p);

/* Applies CURVE settings to a ZeroMQ socket before it binds / connects.
 * Returns 0, or -1 (errno from zmq_setsockopt). */
int ent_curve_apply_client(void *sock, const ent_curve_client_t *c);
int ent_curve_apply_server(void *sock, const ent_curve_server_t *s);

#endif
