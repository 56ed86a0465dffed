/*  channel.h — delivery channels and the sender threads.
 *
 *  Three channels:
 *    smtp     the e-mail over SMTP with libcurl (smtp:// with STARTTLS when
 *             offered or required, smtps://, credentials);
 *    webhook  an HTTP POST of a JSON body with an Idempotency-Key header and
 *             the Standard Webhooks headers (https://www.standardwebhooks.com):
 *             webhook-id (the message key, the same on every attempt),
 *             webhook-timestamp (Unix seconds of this attempt, real clock)
 *             and webhook-signature ("v1,<base64 HMAC-SHA256 of
 *             id.timestamp.body>" per active secret), so a captured call
 *             cannot be replayed once its timestamp is stale; plus the
 *             deprecated X-Entretiens-Signature: sha256=<hex HMAC-SHA256 of
 *             the body alone>, kept for receivers written against it;
 *    file     the e-mail written as <dir>/<key>.eml (write, fsync, rename:
 *             a resend overwrites the same file).
 *
 *  SMTP and HTTP block, so sending happens on a small pool of worker
 *  threads, never on the daemon's loop: the loop submits jobs after its
 *  transaction committed and takes finished jobs back on a later turn,
 *  where their outcome is recorded (notifier.h).  A job owns copies of
 *  everything it needs; the threads touch nothing else but the pool's
 *  queues and their own curl handles (one per channel per thread, so
 *  connections are reused).
 */
#ifndef NTF_CHANNEL_H
#define NTF_CHANNEL_H

#include "common/webhook_sign.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { NTF_CH_SMTP = 0, NTF_CH_WEBHOOK, NTF_CH_FILE, NTF_CH_COUNT };

/* "smtp" | "webhook" | "file"; parse returns -1 when unknown. */
const char *ntf_channel_name(int channel);
int ntf_channel_parse(const char *name);

typedef enum { NTF_TLS_AUTO = 0, NTF_TLS_TRY, NTF_TLS_REQUIRED, NTF_TLS_OFF } ntf_tls_t;

/* Parses "auto" | "try" | "required" | "off"; returns -1 when unknown. */
int ntf_tls_parse(const char *name);

typedef struct {
    const char *smtp_url;        /* NULL: no SMTP */
    const char *smtp_from;       /* "Name <addr>" or "addr" */
    const char *smtp_user;
    const char *smtp_password;
    ntf_tls_t smtp_tls;          /* auto: required with credentials on smtp://, else try */
    const char *webhook_url;     /* NULL: no webhook */
    const char *webhook_secret;  /* NULL: unsigned; "whsec_<base64>" or any other string (ent_webhook_key_parse) */
    const char *webhook_secret_previous; /* NULL, or a secret being rotated out: signed with too */
    const char *outbox_dir;      /* NULL: no file outbox */
    long timeout_ms;             /* per send */
} ntf_channel_config_t;

/* The channels a configuration enables (bit 1 << NTF_CH_*). */
unsigned ntf_channel_mask(const ntf_channel_config_t *cfg);

typedef enum { NTF_SEND_OK = 0, NTF_SEND_RETRY, NTF_SEND_PERMANENT } ntf_outcome_t;

typedef struct ntf_job {
    struct ntf_job *next;
    int channel;
    char *notification_id;
    char key[33];              /* Message-ID / Idempotency-Key / file name */
    char *data;                /* e-mail (smtp, file) or JSON (webhook) */
    size_t len;
    char **rcpt;               /* smtp envelope recipients */
    size_t n_rcpt;
    /* filled by the sender */
    ntf_outcome_t outcome;
    char error[256];
    double seconds;
} ntf_job_t;

/* A job carrying copies of id and data.  NULL on ENOMEM. */
ntf_job_t *ntf_job_new(int channel, const char *notification_id, const char *key, const char *data, size_t len);
/* Adds an envelope recipient.  Returns 0 or ENOMEM. */
int ntf_job_add_rcpt(ntf_job_t *job, const char *addr);
/* Frees a job (not its next ones); safe on NULL. */
void ntf_job_free(ntf_job_t *job);
/* Frees a whole list. */
void ntf_job_list_free(ntf_job_t *list);


/* ------------------------------------------------------------ sending */

typedef struct ntf_sender ntf_sender_t;

/* One thread's senders (curl handles).  cfg must outlive it.  NULL on
 * failure. */
ntf_sender_t *ntf_sender_new(const ntf_channel_config_t *cfg);
/* Sends job synchronously and sets its outcome, error and seconds. */
void ntf_sender_send(ntf_sender_t *s, ntf_job_t *job);
void ntf_sender_destroy(ntf_sender_t **s_p);

/* ------------------------------------------------------------ the pool */

typedef struct ntf_pool ntf_pool_t;

/* Starts `workers` threads (1..64).  cfg must outlive the pool.  NULL on
 * failure (logged). */
ntf_pool_t *ntf_pool_new(const ntf_channel_config_t *cfg, unsigned workers);

/* Queues a list of jobs (the pool owns them until ntf_pool_take). */
void ntf_pool_submit(ntf_pool_t *p, ntf_job_t *jobs);

/* The finished jobs (a list, NULL when none); the caller owns them. */
ntf_job_t *ntf_pool_take(ntf_pool_t *p);

/* Jobs queued or being sent. */
size_t ntf_pool_busy(ntf_pool_t *p);

/* Waits until nothing is queued or being sent, at most timeout_ms.
 * Returns the jobs still busy (0 = idle). */
size_t ntf_pool_wait(ntf_pool_t *p, int timeout_ms);

/* Stops the threads: queued jobs are dropped (never started), running
 * sends finish (bounded by the send timeout), finished jobs are freed.
 * *p_p = NULL; safe on NULL. */
void ntf_pool_destroy(ntf_pool_t **p_p);

#endif
