/*  atrest.c — how an interview's header and content are written to and
 *  read from the store: the free-text parts and the content sealed under
 *  the employee's data key (rec_crypt.h), the rest in clear for the
 *  indexes and lists (records.h, docs/data-protection.md). */
#include "records.h"
#include "rec_pack.h"

#include "common/log.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define S_HEADER "header"
#define S_CONTENT "content"

static bool s_empty(const char *s)
{
    return !s || !*s;
}

/* Seals a packed message, or copies it when encryption is off. */
static int s_seal(records_t *r, const rec_iv_t *iv, const char *field, uint8_t *pt, size_t n, uint8_t **out,
                  size_t *len)
{
    if (r->crypt && r->encrypt)
        return rec_crypt_seal(r->crypt, iv->employee_id, iv->id, field, pt, n, out, len);
    *out = malloc(n ? n : 1);
    if (!*out)
        return ENOMEM;
    memcpy(*out, pt, n);
    *len = n;
    return 0;
}

int rec_header_pack(records_t *r, const rec_iv_t *iv, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    Entretiens__V1__InterviewSealed s = ENTRETIENS__V1__INTERVIEW_SEALED__INIT;
    s.title = (char *) rec_str(iv->title);
    s.reason = (char *) rec_str(iv->reason);
    s.employee_comment = (char *) (iv->employee_signature ? rec_str(iv->employee_signature->comment) : "");
    s.manager_comment = (char *) (iv->manager_signature ? rec_str(iv->manager_signature->comment) : "");
    s.n_carried_objectives = iv->n_carried_objectives, s.carried_objectives = iv->carried_objectives;
    s.n_carried_action_items = iv->n_carried_action_items, s.carried_action_items = iv->carried_action_items;
    bool any = !s_empty(s.title) || !s_empty(s.reason) || !s_empty(s.employee_comment) ||
        !s_empty(s.manager_comment) || s.n_carried_objectives || s.n_carried_action_items;
    rec_iv_t h = *iv; /* shallow: the free text moves into sealed */
    Entretiens__V1__Signature es, ms;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    int rc = 0;
    if (any && r->crypt && r->encrypt) {
        size_t n = entretiens__v1__interview_sealed__get_packed_size(&s);
        uint8_t *pt = malloc(n ? n : 1);
        if (!pt)
            return ENOMEM;
        entretiens__v1__interview_sealed__pack(&s, pt);
        rc = rec_crypt_seal(r->crypt, iv->employee_id, iv->id, S_HEADER, pt, n, &sealed, &sealed_len);
        sodium_memzero(pt, n);
        free(pt);
        if (rc)
            return rc;
        h.title = h.reason = (char *) "";
        if (iv->employee_signature) {
            es = *iv->employee_signature;
            es.comment = (char *) "";
            h.employee_signature = &es;
        }
        if (iv->manager_signature) {
            ms = *iv->manager_signature;
            ms.comment = (char *) "";
            h.manager_signature = &ms;
        }
        h.n_carried_objectives = h.n_carried_action_items = 0;
        h.carried_objectives = NULL;
        h.carried_action_items = NULL;
    }
    h.sealed = (ProtobufCBinaryData) { sealed_len, sealed };
    /* by hand when it can (rec_pack.h: the same bytes), else protobuf-c */
    uint8_t stack[2048];
    size_t n = 0;
    bool hand = rec_interview_pack(&h, stack, sizeof stack, &n) == 0;
    if (!hand)
        n = entretiens__v1__interview__get_packed_size(&h);
    *out = malloc(n ? n : 1);
    if (!*out) {
        free(sealed);
        return ENOMEM;
    }
    if (hand)
        memcpy(*out, stack, n);
    else
        entretiens__v1__interview__pack(&h, *out);
    *len = n;
    free(sealed);
    return 0;
}

/* Logs a value that does not open (never its content). */
static void s_log_unreadable(const char *id, const char *field, int rc)
{
    if (rc == REC_CRYPT_SHREDDED)
        ent_log_info("records.purged", "interview %s: %s sealed under a destroyed key (purged)", id, field);
    else
        ent_log_error("records.corrupt", "interview %s: %s does not open (%s)", id, field,
                      rc == REC_CRYPT_FORGED ? "altered, moved, or another master key" : "keystore error");
}

int rec_header_open(records_t *r, rec_iv_t *iv)
{
    if (!iv->sealed.len)
        return 0;
    uint8_t *pt = NULL;
    size_t n = 0;
    int rc = r->crypt ? rec_crypt_open_value(r->crypt, iv->id, S_HEADER, iv->sealed.data, iv->sealed.len, &pt, &n, NULL)
                      : REC_CRYPT_FORGED;
    free(iv->sealed.data);
    iv->sealed = (ProtobufCBinaryData) { 0, NULL };
    if (rc) {
        s_log_unreadable(iv->id, S_HEADER, rc);
        return rc;
    }
    Entretiens__V1__InterviewSealed *s = entretiens__v1__interview_sealed__unpack(NULL, n, pt);
    sodium_memzero(pt, n);
    free(pt);
    if (!s)
        return MDB_CORRUPTED;
    rec_set_str(&iv->title, s->title);
    rec_set_str(&iv->reason, s->reason);
    if (iv->employee_signature)
        rec_set_str(&iv->employee_signature->comment, s->employee_comment);
    if (iv->manager_signature)
        rec_set_str(&iv->manager_signature->comment, s->manager_comment);
    /* the carried lists move over (the stored header holds none) */
    iv->carried_objectives = s->carried_objectives, iv->n_carried_objectives = s->n_carried_objectives;
    iv->carried_action_items = s->carried_action_items, iv->n_carried_action_items = s->n_carried_action_items;
    s->carried_objectives = NULL, s->n_carried_objectives = 0;
    s->carried_action_items = NULL, s->n_carried_action_items = 0;
    entretiens__v1__interview_sealed__free_unpacked(s, NULL);
    return 0;
}

int rec_content_pack(records_t *r, const rec_iv_t *iv, const rec_content_t *c, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    size_t n = entretiens__v1__interview_content__get_packed_size(c);
    uint8_t *pt = malloc(n ? n : 1);
    if (!pt)
        return ENOMEM;
    entretiens__v1__interview_content__pack(c, pt);
    /* an empty content holds nothing about anyone: stored as it is, so that
     * an employee gets a key (a keystore write) only with her first words */
    int rc = n ? s_seal(r, iv, S_CONTENT, pt, n, out, len) : 0;
    if (!n)
        *out = pt, pt = NULL;
    if (pt)
        sodium_memzero(pt, n);
    free(pt);
    return rc;
}

int rec_content_unpack(records_t *r, const char *id, const uint8_t *v, size_t n, rec_content_t **out)
{
    *out = NULL;
    if (!rec_crypt_is_sealed(v, n)) { /* written before encryption at rest, or with it off */
        *out = entretiens__v1__interview_content__unpack(NULL, n, v);
        return *out ? 0 : MDB_CORRUPTED;
    }
    uint8_t *pt = NULL;
    size_t ptl = 0;
    int rc = r->crypt ? rec_crypt_open_value(r->crypt, id, S_CONTENT, v, n, &pt, &ptl, NULL) : REC_CRYPT_FORGED;
    if (rc) {
        s_log_unreadable(id, S_CONTENT, rc);
        return rc;
    }
    *out = entretiens__v1__interview_content__unpack(NULL, ptl, pt);
    sodium_memzero(pt, ptl);
    free(pt);
    return *out ? 0 : MDB_CORRUPTED;
}
