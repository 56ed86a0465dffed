/*  test_records_payload.c — rec_sole_field1 (services/records/interviews.c):
 *  the packed employee or obligation inside a scheduler event's payload,
 *  stored as it came instead of unpacked and packed again, only when the
 *  payload is exactly that one field. */
#include "records.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *s_pack_upserted(const Entretiens__V1__Employee *e, size_t *len)
{
    Entretiens__V1__EmployeeUpserted u = ENTRETIENS__V1__EMPLOYEE_UPSERTED__INIT;
    u.employee = (Entretiens__V1__Employee *) e;
    *len = entretiens__v1__employee_upserted__get_packed_size(&u);
    uint8_t *buf = malloc(*len);
    cr_assert_not_null(buf);
    entretiens__v1__employee_upserted__pack(&u, buf);
    return buf;
}

Test(records_payload, the_employee_of_an_upsert_is_its_packed_bytes)
{
    Entretiens__V1__Employee e = ENTRETIENS__V1__EMPLOYEE__INIT;
    e.employee_id = "E000042";
    e.manager_id = "M0007";
    char name[300]; /* a length over 127: a two-byte varint */
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    e.last_name = name;
    size_t want_len = entretiens__v1__employee__get_packed_size(&e);
    uint8_t *want = malloc(want_len);
    cr_assert_not_null(want);
    entretiens__v1__employee__pack(&e, want);
    size_t len;
    uint8_t *buf = s_pack_upserted(&e, &len);
    ProtobufCBinaryData p = { len, buf }, out;
    cr_assert(rec_sole_field1(&p, &out));
    cr_assert_eq(out.len, want_len);
    cr_assert_eq(memcmp(out.data, want, want_len), 0);
    Entretiens__V1__Employee *back = entretiens__v1__employee__unpack(NULL, out.len, out.data);
    cr_assert_not_null(back);
    cr_expect_str_eq(back->employee_id, "E000042");
    entretiens__v1__employee__free_unpacked(back, NULL);

    /* anything else: refused, the caller packs the unpacked message */
    p.len = len - 1; /* truncated */
    cr_expect_not(rec_sole_field1(&p, &out));
    uint8_t *more = malloc(len + 2);
    cr_assert_not_null(more);
    memcpy(more, buf, len);
    more[len] = 0x10, more[len + 1] = 0x01; /* a second field after it */
    p = (ProtobufCBinaryData) { len + 2, more };
    cr_expect_not(rec_sole_field1(&p, &out));
    uint8_t other[] = { 0x12, 0x00 }; /* field 2 */
    p = (ProtobufCBinaryData) { sizeof other, other };
    cr_expect_not(rec_sole_field1(&p, &out));
    uint8_t endless[] = { 0x0a, 0x80, 0x80 }; /* a varint that never ends */
    p = (ProtobufCBinaryData) { sizeof endless, endless };
    cr_expect_not(rec_sole_field1(&p, &out));
    p = (ProtobufCBinaryData) { 0, NULL };
    cr_expect_not(rec_sole_field1(&p, &out));
    free(more);
    free(buf);
    free(want);
}
