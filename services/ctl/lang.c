/*  lang.c — see lang.h. */
#include "lang.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool s_is_fr(const char *v)
{
    return v && (v[0] == 'f' || v[0] == 'F') && (v[1] == 'r' || v[1] == 'R') &&
           (v[2] == '\0' || v[2] == '_' || v[2] == '-' || v[2] == '.' || v[2] == '@');
}

int ctl_lang_detect(const char *flag, ctl_lang_t *out)
{
    *out = CTL_LANG_EN;
    if (flag) {
        if (strcasecmp(flag, "fr") == 0)
            *out = CTL_LANG_FR;
        else if (strcasecmp(flag, "en") != 0)
            return -1;
        return 0;
    }
    /* the first variable set and non-empty decides, as setlocale would */
    const char *vars[] = { "ENTRETIENS_LANG", "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            *out = s_is_fr(v) ? CTL_LANG_FR : CTL_LANG_EN;
            return 0;
        }
    }
    return 0;
}

const char *ctl_lang_code(ctl_lang_t lang) { return lang == CTL_LANG_FR ? "fr" : "en"; }

/* French labels; English tables keep the wire names operators grep for. */
typedef struct {
    const char *wire, *fr;
} s_label_t;

static const s_label_t S_TYPES[] = {
    { "annual_review", "entretien annuel d'évaluation" },
    { "professional", "entretien professionnel" },
    { "professional_recap", "état des lieux récapitulatif" },
    { "professional_return", "entretien professionnel de reprise" },
    { "professional_mid_career", "entretien professionnel de mi-carrière" },
    { "professional_end_of_career", "entretien professionnel de fin de carrière" },
    { "return_to_work", "entretien de reprise" },
    { "return_medical_visit", "visite médicale de reprise" },
    { "internal_mobility", "entretien de mobilité interne" },
    { "end_of_trial", "entretien de fin de période d'essai" },
    { "end_of_contract", "entretien de fin de contrat" },
    { "workload_review", "entretien de charge de travail (forfait jours)" },
    { "corrective", "entretien de recadrage" },
};

static const s_label_t S_STATUSES[] = {
    { "upcoming", "à venir" },     { "overdue", "en retard" },
    { "met", "réalisé" },               { "waived", "non dû" },
    { "cancelled", "annulé" },    { "planned", "à planifier" },
    { "scheduled", "planifié" },  { "held", "tenu" },
    { "signed", "signé" },           { "closed", "clos" },
    { "reported", "compte rendu écrit" },
};

static const char *s_label(const s_label_t *t, size_t n, ctl_lang_t lang, const char *wire)
{
    if (!wire)
        return "";
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].wire, wire) == 0)
            return lang == CTL_LANG_FR ? t[i].fr : wire;
    return wire;
}

const char *ctl_type_label(ctl_lang_t lang, const char *type)
{
    if (lang != CTL_LANG_FR)
        return type ? type : "";
    return s_label(S_TYPES, sizeof S_TYPES / sizeof *S_TYPES, lang, type);
}

const char *ctl_status_label(ctl_lang_t lang, const char *status)
{
    if (lang != CTL_LANG_FR)
        return status ? status : "";
    return s_label(S_STATUSES, sizeof S_STATUSES / sizeof *S_STATUSES, lang, status);
}
