/*  orggen.c — deterministic organisation generator (see orggen.h). */
#include "orggen.h"
#include "common/pbdate.h"

#include "common/date.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 64   /* per employee */

typedef struct {
    const char *id, *region, *site;
    unsigned share;     /* per mille of the workforce (the small one is capped) */
} s_entity_t;

static const s_entity_t s_entities[] = {
    { "ACME-FR", "metropole", "Paris", 640 },
    { "ACME-SERVICES", "metropole", "Lyon", 220 },
    { "ACME-ALSACE", "alsace_moselle", "Strasbourg", 90 },
    { "ACME-REUNION", "reunion", "Saint-Denis", 42 },
    { "ACME-LAB", "metropole", "Nantes", 8 },     /* stays under 50 */
};
#define N_ENTITIES (sizeof s_entities / sizeof s_entities[0])

static const char *const s_departments[] = { "sales", "engineering", "operations", "finance", "hr",
                                             "support", "marketing", "legal" };
static const char *const s_first[] = { "Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Alice",
                                       "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Adam", "Raphaël",
                                       "Nathalie", "Isabelle", "Sylvie", "Philippe", "Thierry", "Karim", "Fatima",
                                       "Mei", "Thomas", "Sophie", "Julien", "Émilie", "Nicolas", "Aurélie" };
static const char *const s_last[] = { "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
                                      "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel",
                                      "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
                                      "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François",
                                      "Martinez", "Legrand", "Nguyen", "Benali", "Haddad", "Schmitt", "Muller" };

typedef struct {
    int32_t date;
    int rank;          /* keeps same-day events in a sensible order */
    Entretiens__V1__EmployeeEvent ev;
    Entretiens__V1__Date d, d2;
    Entretiens__V1__Flag flag;
    Entretiens__V1__Flag flag2;  /* hired: trial_renewable */
    char event_id[48];
} s_slot_t;

struct orggen {
    uint64_t state;
    size_t employees, next, produced;
    int32_t today;
    size_t counts[N_ENTITIES];
    size_t head[N_ENTITIES], boss[N_ENTITIES];   /* 1-based employee numbers, 0 = none */
    unsigned boss_dept[N_ENTITIES];
    /* the current employee's events */
    s_slot_t slots[MAX_EVENTS];
    int n, pos;
    /* strings of the current employee */
    char id[24], manager[24], email[96], first[32], last[48], position[64];
    Entretiens__V1__Date birth, cend;
};

static uint64_t s_rand(orggen_t *g)
{
    /* splitmix64: tiny, fast, and the same everywhere */
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned s_below(orggen_t *g, unsigned n)
{
    return (unsigned) (s_rand(g) % n);
}

static bool s_chance(orggen_t *g, unsigned percent)
{
    return s_below(g, 100) < percent;
}

orggen_t *orggen_new(uint64_t seed, size_t employees, int32_t today)
{
    if (!employees)
        return NULL;
    orggen_t *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->state = seed * 0x2545f4914f6cdd1dull + 1;
    g->employees = employees;
    g->today = today;
    return g;
}

size_t orggen_count(const orggen_t *g)
{
    return g->produced;
}

static size_t s_entity_of(const orggen_t *g, size_t index)
{
    /* a fixed pattern per 1000 employees; the small entity is capped at 45 */
    size_t slot = (index * 7919) % 1000, acc = 0;
    for (size_t e = 0; e < N_ENTITIES; e++) {
        acc += s_entities[e].share;
        if (slot < acc) {
            if (strcmp(s_entities[e].id, "ACME-LAB") == 0 && g->counts[e] >= 45)
                return 0;
            return e;
        }
    }
    return 0;
}

size_t orggen_entities(const orggen_t *g, orggen_entity_t *out, size_t max)
{
    /* the headcount each entity will have: count without generating */
    size_t counts[N_ENTITIES] = { 0 };
    orggen_t probe = *g;
    memset(probe.counts, 0, sizeof probe.counts);
    for (size_t i = 0; i < g->employees; i++) {
        size_t e = s_entity_of(&probe, i);
        probe.counts[e]++;
        counts[e]++;
    }
    size_t n = 0;
    for (size_t e = 0; e < N_ENTITIES && n < max; e++, n++) {
        out[n].id = s_entities[e].id;
        out[n].region = s_entities[e].region;
        out[n].headcount = counts[e];
    }
    return n;
}

static s_slot_t *s_add(orggen_t *g, const char *type, int32_t date, int rank)
{
    if (g->n >= MAX_EVENTS || date > g->today)
        return NULL;
    s_slot_t *s = &g->slots[g->n];
    memset(s, 0, sizeof *s);
    entretiens__v1__employee_event__init(&s->ev);
    entretiens__v1__flag__init(&s->flag);
    entretiens__v1__flag__init(&s->flag2);
    s->date = date;
    s->rank = rank;
    snprintf(s->event_id, sizeof s->event_id, "%s-%02d", g->id, g->n);
    s->ev.event_id = s->event_id;
    s->ev.source = "hris";
    s->ev.type = (char *) type;
    s->ev.employee_id = g->id;
    ent_pbdate_set(date, &s->d);
    s->ev.effective_date = &s->d;
    g->n++;
    return s;
}

static int s_slot_cmp(const void *a, const void *b)
{
    const s_slot_t *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->rank - y->rank;
}

/* Builds the whole history of employee g->next. */
static void s_employee(orggen_t *g)
{
    size_t i = g->next;
    size_t e = s_entity_of(g, i);
    size_t rank = g->counts[e]++;
    const s_entity_t *ent = &s_entities[e];
    /* a management tree per entity: its first employee heads it, one in
     * eight manages a team of the following ones, in the manager's
     * department; managers report to the head */
    bool manager = rank % 8 == 0;
    unsigned ndept = sizeof s_departments / sizeof *s_departments;
    snprintf(g->id, sizeof g->id, "E%06zu", i + 1);
    g->manager[0] = '\0';
    if (manager) {
        if (g->head[e])
            snprintf(g->manager, sizeof g->manager, "E%06zu", g->head[e]);
        else
            g->head[e] = i + 1;
        g->boss[e] = i + 1;
        g->boss_dept[e] = (unsigned) (rank / 8) % ndept;
    } else if (g->boss[e]) {
        snprintf(g->manager, sizeof g->manager, "E%06zu", g->boss[e]);
    }
    const char *dept = s_departments[g->boss_dept[e]];
    const char *first = s_first[s_below(g, sizeof s_first / sizeof *s_first)];
    const char *last = s_last[s_below(g, sizeof s_last / sizeof *s_last)];
    snprintf(g->first, sizeof g->first, "%s", first);
    snprintf(g->last, sizeof g->last, "%s", last);
    snprintf(g->email, sizeof g->email, "%s.%s@acme.example", g->id, "staff");
    for (char *p = g->email; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char) (*p - 'A' + 'a');
    /* hired over the last 15 years, more recently more often */
    unsigned span = 15 * 365;
    unsigned back = (unsigned) ((uint64_t) s_below(g, span) * s_below(g, span) / span);
    if (manager) /* managers have been there longer than most of their team */
        back = span / 2 + s_below(g, span / 2);
    int32_t hired = g->today - 20 - (int32_t) back;
    int age = 22 + (int) s_below(g, 36);
    int32_t birth = ent_date_add_years(hired, -age) - (int32_t) s_below(g, 365);
    ent_pbdate_set(birth, &g->birth);
    unsigned r = s_below(g, 100);
    const char *category = r < 45 ? "ouvrier_employe" : r < 75 ? "maitrise_technicien" : "cadre";
    r = s_below(g, 100);
    const char *contract = manager || r < 85 ? "permanent" : r < 95 ? "fixed_term" : "apprentice";
    int32_t contract_end = ENT_DATE_NONE;
    if (strcmp(contract, "permanent") != 0)
        contract_end = ent_date_add_months(hired, strcmp(contract, "apprentice") == 0 ? 24 : 6 + (int) s_below(g, 13));
    g->n = g->pos = 0;
    s_slot_t *h = s_add(g, "hired", hired, 0);
    if (!h)
        return;
    h->ev.entity = (char *) ent->id;
    h->ev.department = (char *) dept;
    h->ev.site = (char *) ent->site;
    h->ev.region = (char *) ent->region;
    h->ev.manager_id = g->manager[0] ? g->manager : NULL;
    h->ev.email = g->email;
    h->ev.locale = s_chance(g, 85) ? "fr" : "en";
    h->ev.birth_date = &g->birth;
    h->ev.category = (char *) category;
    h->ev.contract = (char *) contract;
    if (contract_end != ENT_DATE_NONE) {
        ent_pbdate_set(contract_end, &g->cend);
        h->ev.contract_end = &g->cend;
    }
    h->ev.first_name = g->first;
    h->ev.last_name = g->last;
    /* A trial is never presumed (L1221-23): the contract stipulates it.
     * Every generated contract does, at the legal maximum (fixed-term
     * contracts: 2 weeks, capped by the scheduler at one day per week).
     * Deterministic, so that the random stream, hence the organisation,
     * stays what it was. */
    if (strcmp(contract, "fixed_term") == 0)
        h->ev.trial_days = 14;
    else
        h->ev.trial_months = strcmp(category, "cadre") == 0 ? 4 : strcmp(category, "maitrise_technicien") == 0 ? 3 : 2;
    if (strcmp(category, "cadre") == 0 && s_chance(g, 50)) {
        h->flag.value = true;
        h->ev.forfait_jours = &h->flag;
    }
    /* the end of employment: fixed-term contracts end, some people leave */
    int32_t left = ENT_DATE_NONE;
    if (contract_end != ENT_DATE_NONE && contract_end < g->today && s_chance(g, 80))
        left = contract_end;
    else if (!manager && s_chance(g, 12))
        left = hired + 60 + (int32_t) s_below(g, (unsigned) (g->today - hired > 61 ? g->today - hired - 60 : 1));
    int32_t end = left != ENT_DATE_NONE ? left : g->today;
    if (s_chance(g, 10) && hired + 30 < end) {
        s_slot_t *t = s_add(g, "trial_renewed", hired + 20 + (int32_t) s_below(g, 10), 3);
        if (t) {
            t->ev.months = 0;
            /* a renewal needs the contract's clause (and the entity's branch agreement) */
            h->flag2.value = true;
            h->ev.trial_renewable = &h->flag2;
        }
    }
    /* professional interviews: roughly every two years, some missed; every
     * third one (six years of seniority) is the recap (état des lieux) */
    int cycle = 0;
    for (int32_t d = ent_date_add_years(hired, 2); d < end; d = ent_date_add_years(d, 2)) {
        cycle++;
        if (s_chance(g, 78)) {
            s_slot_t *iv = s_add(g, "interview_held", d - (int32_t) s_below(g, 40), 8);
            if (iv)
                iv->ev.interview_type = cycle % 3 == 0 ? "professional_recap" : "professional";
        }
    }
    /* leaves with returns */
    if (s_chance(g, 35) && end - hired > 200) {
        static const char *const kinds[] = { "sick", "sick", "maternity", "parental", "sabbatical", "work_accident",
                                             "long_illness", "caregiver" };
        const char *kind = kinds[s_below(g, sizeof kinds / sizeof *kinds)];
        int32_t start = hired + 90 + (int32_t) s_below(g, (unsigned) (end - hired - 150));
        int32_t len = strcmp(kind, "sick") == 0 ? 5 + (int32_t) s_below(g, 90)
                    : strcmp(kind, "maternity") == 0 ? 112
                    : strcmp(kind, "long_illness") == 0 ? 200 + (int32_t) s_below(g, 200)
                    : 60 + (int32_t) s_below(g, 300);
        s_slot_t *ls = s_add(g, "leave_started", start, 5);
        if (ls)
            ls->ev.leave_kind = (char *) kind;
        if (start + len < end) {
            s_slot_t *le = s_add(g, "leave_ended", start + len, 4);
            if (le)
                le->ev.leave_kind = (char *) kind;
        }
    }
    if (s_chance(g, 15) && end - hired > 400) {
        s_slot_t *pc = s_add(g, "position_changed", hired + 365 + (int32_t) s_below(g, (unsigned) (end - hired - 365)), 2);
        if (pc) {
            pc->ev.department = (char *) s_departments[s_below(g, sizeof s_departments / sizeof *s_departments)];
            snprintf(g->position, sizeof g->position, "%s specialist", pc->ev.department);
            pc->ev.position = g->position;
        }
    }
    if (s_chance(g, 40) && end - hired > 100) {
        s_slot_t *tr = s_add(g, "training_completed", hired + 60 + (int32_t) s_below(g, (unsigned) (end - hired - 60)), 7);
        if (tr) {
            tr->flag.value = s_chance(g, 40);
            tr->ev.mandatory = &tr->flag;
        }
    }
    int32_t y45 = ent_date_add_years(birth, 45);
    int32_t visit = y45 + (int32_t) s_below(g, 200);
    if (y45 > hired && visit < end && s_chance(g, 60)) {
        s_slot_t *mv = s_add(g, "medical_visit", visit, 6);
        if (mv)
            mv->ev.visit_kind = "mid_career";
    }
    if (left != ENT_DATE_NONE)
        s_add(g, "left", left, 9);
    qsort(g->slots + 1, (size_t) g->n - 1, sizeof g->slots[0], s_slot_cmp);
    /* the sort moved the slots: re-point each event at its own storage;
     * event ids follow the final order */
    for (int k = 0; k < g->n; k++) {
        s_slot_t *s = &g->slots[k];
        snprintf(s->event_id, sizeof s->event_id, "%s-%02d", g->id, k);
        s->ev.event_id = s->event_id;
        s->ev.effective_date = &s->d;
        if (s->ev.mandatory)
            s->ev.mandatory = &s->flag;
        if (s->ev.forfait_jours)
            s->ev.forfait_jours = &s->flag;
        if (s->ev.trial_renewable)
            s->ev.trial_renewable = &s->flag2;
    }
}

int orggen_next(orggen_t *g, const Entretiens__V1__EmployeeEvent **ev)
{
    while (g->pos >= g->n) {
        if (g->next >= g->employees)
            return 0;
        s_employee(g);
        g->next++;
    }
    *ev = &g->slots[g->pos++].ev;
    g->produced++;
    return 1;
}

void orggen_destroy(orggen_t **g_p)
{
    if (!g_p || !*g_p)
        return;
    free(*g_p);
    *g_p = NULL;
}
