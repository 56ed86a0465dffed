/*  pbdate.c — protobuf Date <-> day numbers (pbdate.h). */
#include "common/pbdate.h"

int32_t ent_pbdate_day(const Entretiens__V1__Date *d)
{
    if (!d || !ent_date_valid(d->year, d->month, d->day))
        return ENT_DATE_NONE;
    return ent_date_from_ymd(d->year, d->month, d->day);
}

void ent_pbdate_set(int32_t day, Entretiens__V1__Date *out)
{
    entretiens__v1__date__init(out);
    if (day == ENT_DATE_NONE)
        return;
    int y, m, d;
    ent_date_to_ymd(day, &y, &m, &d);
    out->year = y;
    out->month = m;
    out->day = d;
}

Entretiens__V1__Date *ent_pbdate_ptr(int32_t day, Entretiens__V1__Date *storage)
{
    if (day == ENT_DATE_NONE)
        return NULL;
    ent_pbdate_set(day, storage);
    return storage;
}
