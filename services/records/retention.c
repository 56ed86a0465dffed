/*  retention.c — retention options and phases (rec_retention.h). */
#include "rec_retention.h"

#include "common/date.h"

#include <stdio.h>

/* The option of each part (declared with their defaults in service.c). */
static const char *const s_vars[REC_PART_COUNT] = { "ENTRETIENS_RETENTION_CONTENT_YEARS",
                                                    "ENTRETIENS_RETENTION_NOTES_YEARS",
                                                    "ENTRETIENS_RETENTION_PREPARATION_YEARS" };

static const char *const s_parts[REC_PART_COUNT] = { "content", "notes", "preparation" };

const char *rec_part_name(rec_part_t part)
{
    return (unsigned) part < REC_PART_COUNT ? s_parts[part] : "?";
}

int rec_retention_load(const ent_config_t *cfg, rec_retention_t *out, char *err, size_t errsize)
{
    for (int i = 0; i < REC_PART_COUNT; i++) {
        bool ok = true;
        int64_t y = ent_config_get_int(cfg, s_vars[i], 0, &ok);
        if (!ok || y < 1 || y > 100) {
            snprintf(err, errsize, "%s must be a number of years from 1 to 100", s_vars[i]);
            return -1;
        }
        out->years[i] = (int) y;
    }
    return 0;
}

int32_t rec_retention_purge_day(const rec_retention_t *ret, rec_part_t part, int32_t left_on)
{
    if (left_on == ENT_DATE_NONE || (unsigned) part >= REC_PART_COUNT)
        return ENT_DATE_NONE;
    int years = ret->years[part];
    if (years > ret->years[REC_PART_CONTENT])
        years = ret->years[REC_PART_CONTENT];
    return ent_date_add_years(left_on, years);
}

rec_phase_t rec_retention_phase(const rec_retention_t *ret, int32_t left_on, int32_t today)
{
    if (left_on == ENT_DATE_NONE || today < left_on)
        return REC_PHASE_ACTIVE;
    return today >= rec_retention_purge_day(ret, REC_PART_CONTENT, left_on) ? REC_PHASE_PURGED : REC_PHASE_ARCHIVE;
}

const char *rec_phase_name(rec_phase_t phase)
{
    static const char *const names[] = { "active", "archive", "purged" };
    return (unsigned) phase <= REC_PHASE_PURGED ? names[phase] : "?";
}
