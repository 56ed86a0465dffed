/*  retention.c — retention cutoffs (retention.h). */
#include "common/retention.h"

#include "common/date.h"

#include <stdio.h>

#define S_DAY_MS 86400000LL

int32_t ent_retention_purge_day(int32_t left_on, int years)
{
    if (left_on == ENT_DATE_NONE || years < 1)
        return ENT_DATE_NONE;
    return ent_date_add_years(left_on, years);
}

bool ent_retention_departed_due(int32_t left_on, int years, int32_t today)
{
    int32_t day = ent_retention_purge_day(left_on, years);
    return day != ENT_DATE_NONE && today != ENT_DATE_NONE && today >= day;
}

bool ent_retention_expired(int64_t at_ms, int64_t now_ms, uint32_t days)
{
    if (days < 1 || at_ms > now_ms)
        return false;
    return now_ms - at_ms > (int64_t) days * S_DAY_MS;
}

int ent_retention_option(const ent_config_t *cfg, const char *name, const char *unit, int64_t min, int64_t max,
                         int64_t *out, char *err, size_t errsize)
{
    bool ok = true;
    int64_t v = ent_config_get_int(cfg, name, min, &ok);
    if (!ok || v < min || v > max) {
        snprintf(err, errsize, "%s must be a whole number of %s from %lld to %lld", name, unit, (long long) min,
                 (long long) max);
        return -1;
    }
    *out = v;
    return 0;
}
