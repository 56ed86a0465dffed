/*  test_event_json_fast.c — the fast parser of a JSON array of events
 *  (common/event_json.h ent_evjson_array_fast): on every body it takes, the
 *  same events, byte for byte once packed, as json_loadb +
 *  ent_evjson_from_json; every other body is left to the general path. */
#include <criterion/criterion.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/event_json.h"

/* The packed bytes of an event (malloc'd) and their length. */
static uint8_t *s_pack(const Entretiens__V1__EmployeeEvent *ev, size_t *len)
{
    *len = entretiens__v1__employee_event__get_packed_size(ev);
    uint8_t *buf = malloc(*len ? *len : 1);
    cr_assert_not_null(buf);
    entretiens__v1__employee_event__pack(ev, buf);
    return buf;
}

/* Parses body both ways and asserts the same events. */
static void s_same(const char *body)
{
    ent_evjson_batch_t b;
    cr_assert_eq(ent_evjson_array_fast(body, strlen(body), 1000, &b), 0, "the fast path refused %s", body);
    json_error_t je;
    json_t *arr = json_loadb(body, strlen(body), 0, &je);
    cr_assert(json_is_array(arr), "jansson refused %s: %s", body, je.text);
    cr_assert_eq(b.n, json_array_size(arr), "%zu events, jansson %zu, in %s", b.n, json_array_size(arr), body);
    for (size_t i = 0; i < b.n; i++) {
        Entretiens__V1__EmployeeEvent *ev = NULL;
        ent_evjson_error_t err;
        cr_assert_eq(ent_evjson_from_json(json_array_get(arr, i), &ev, &err), 0, "%s: %s", err.field, err.reason);
        size_t la, lb;
        uint8_t *a = s_pack(ev, &la), *fast = s_pack(b.events[i], &lb);
        cr_assert(la == lb && memcmp(a, fast, la) == 0, "event %zu differs in %s", i, body);
        free(a);
        free(fast);
        ent_evjson_free(ev);
    }
    json_decref(arr);
    ent_evjson_batch_free(&b);
}

/* Asserts the fast path leaves body to the general path (max events). */
static void s_other(const char *body, size_t max)
{
    ent_evjson_batch_t b;
    cr_assert_eq(ent_evjson_array_fast(body, strlen(body), max, &b), 1, "the fast path took %s", body);
    cr_assert_null(b.events);
    cr_assert_eq(b.n, 0);
}

#define HIRE "{\"event_id\":\"h1\",\"source\":\"hris\",\"type\":\"hired\",\"employee_id\":\"E1\"," \
             "\"effective_date\":\"2020-09-01\",\"entity\":\"ACME-FR\",\"birth_date\":\"1985-02-01\"}"

Test(event_json_fast, plain_bodies_give_the_same_events)
{
    s_same("[]");
    s_same(" \r\n\t[ ] \n");
    s_same("[{}]");
    s_same("[" HIRE "]");
    s_same("[" HIRE "," HIRE "]");
    s_same("\n[\n  " HIRE " ,\n  " HIRE "\n]\n");
    /* every kind of field, nulls as absent, non-ASCII text, empty strings */
    s_same("[{\"event_id\":\"é-1\",\"source\":\"sirh\",\"type\":\"trial_started\",\"employee_id\":\"E\u00e92\","
           "\"effective_date\":\"2026-01-05\",\"trial_months\":4,\"trial_days\":0,\"trial_renewable\":true,"
           "\"forfait_jours\":false,\"mandatory\":null,\"months\":4294967295,\"first_name\":\"Zoë 日本\","
           "\"last_name\":\"\",\"contract_end\":\"2026-12-31\",\"manager_id\":null}]");
    s_same("[{ \"event_id\" : \"x\" , \"months\" : 0 }]");
}

Test(event_json_fast, anything_else_goes_to_the_general_path)
{
    s_other("", 1000);
    s_other("{}", 1000);                                             /* not an array */
    s_other("[" HIRE, 1000);                                         /* unterminated */
    s_other("[" HIRE "] x", 1000);                                   /* trailing text */
    s_other("[" HIRE ",]", 1000);                                    /* trailing comma */
    s_other("[1]", 1000);                                            /* not an object */
    s_other("[\"" HIRE "\"]", 1000);
    s_other("[{\"event_id\":\"a\\\"b\"}]", 1000);                    /* an escape */
    s_other("[{\"event_id\":\"a\\u00e9\"}]", 1000);
    s_other("[{\"event_id\":\"a\tb\"}]", 1000);                      /* a raw control character */
    s_other("[{\"event_id\":\"\xc3\x28\"}]", 1000);                  /* invalid UTF-8 */
    s_other("[{\"event_id\":\"\xed\xa0\x80\"}]", 1000);              /* a surrogate */
    s_other("[{\"colour\":\"blue\"}]", 1000);                        /* an unknown field */
    s_other("[{\"event_id\":\"a\",\"event_id\":\"b\"}]", 1000);      /* a repeated field */
    s_other("[{\"event_id\":1}]", 1000);                             /* wrong types */
    s_other("[{\"effective_date\":20200901}]", 1000);
    s_other("[{\"effective_date\":\"2026-02-30\"}]", 1000);          /* not a real day */
    s_other("[{\"trial_months\":\"4\"}]", 1000);
    s_other("[{\"trial_months\":-1}]", 1000);
    s_other("[{\"trial_months\":4294967296}]", 1000);               /* out of range */
    s_other("[{\"trial_months\":99999999999999999999999}]", 1000);
    s_other("[{\"trial_months\":4.0}]", 1000);
    s_other("[{\"trial_months\":4e1}]", 1000);
    s_other("[{\"trial_months\":04}]", 1000);                        /* not JSON */
    s_other("[{\"mandatory\":1}]", 1000);
    s_other("[{\"mandatory\":truex}]", 1000);
    s_other("[{\"event_id\":\"a\"}{\"event_id\":\"b\"}]", 1000);     /* a missing comma */
    s_other("[" HIRE "," HIRE "," HIRE "]", 2);                      /* more than max */
}

Test(event_json_fast, at_most_max_events)
{
    ent_evjson_batch_t b;
    const char *body = "[" HIRE "," HIRE "]";
    cr_assert_eq(ent_evjson_array_fast(body, strlen(body), 2, &b), 0);
    cr_assert_eq(b.n, 2);
    cr_assert_str_eq(b.events[1]->employee_id, "E1");
    cr_assert_eq(b.events[1]->effective_date->year, 2020);
    ent_evjson_batch_free(&b);
    ent_evjson_batch_free(&b); /* twice: a zeroed batch */
}
