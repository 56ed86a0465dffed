/*  rec_template.h — interview templates and answers, pure (jansson, no store).
 *
 *  A template is a JSON document (docs/records.md has the format):
 *    {"id","type","locale","entity"?,"category"?,"title","description"?,
 *     "sections":[{"id","title","description"?,"theme"?,
 *                  "questions":[{"id","kind","label","help"?,"who","required"?,
 *                                "topic"?,"scale"?,"options"?,"items"?,"mode"?,
 *                                "after_report"?}]}]}
 *  kinds: text rating boolean single_choice multiple_choice objectives
 *  training_needs mobility_wish competencies action_items.  who: employee,
 *  manager or both.  Professional interviews (professional*) must cover the
 *  five themes of L6315-1 (skills, career_path, training, career_wishes,
 *  cpf_cep) and hold no rating question: they are not evaluations.
 *
 *  Answers are a JSON object question id -> value, one object per party.
 */
#ifndef REC_TEMPLATE_H
#define REC_TEMPLATE_H

#include "proto/records.pb-c.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* An error: the offending field ("sections[2].questions[0].scale",
 * "answers.q3") and why.  denied: the caller may not answer that question
 * (PERMISSION_DENIED) rather than a bad value (INVALID_ARGUMENT). */
typedef struct {
    char field[160];
    char reason[320];
    bool denied;
} rec_err_t;

#define REC_N_TYPES 12
extern const char *const rec_types[REC_N_TYPES]; /* every type records keeps interviews of */

bool rec_type_known(const char *type);          /* one of rec_types */
bool rec_type_professional(const char *type);   /* professional, professional_* */

/* Checks a template document.  Returns 0, or -1 with err filled. */
int rec_template_check(const json_t *doc, rec_err_t *err);

/* Number of questions of a (checked) template. */
size_t rec_template_questions(const json_t *doc);

typedef enum { REC_PARTY_EMPLOYEE = 0, REC_PARTY_MANAGER } rec_party_t;
const char *rec_party_name(rec_party_t p);

/* True when the template's question stays open to the employee once the
 * report is written ("after_report": true; the employee's comment). */
bool rec_template_after_report(const json_t *tmpl, const char *question);

/* Validates changes (object question id -> value, null = remove) against
 * the template for party, then applies them to stored (an object, changed
 * in place only when everything is valid).  Returns 0, or -1 with err
 * (field "answers.<id>[...]"). */
int rec_answers_merge(const json_t *tmpl, rec_party_t party, json_t *stored, const json_t *changes, rec_err_t *err);

/* Submission: every required question of party (who = party) has an
 * answer in stored, and every required question both parties answer (who =
 * both) has one in stored or in other (the other party's visible answers,
 * may be NULL).  Returns 0, or -1 with err naming the first missing one. */
int rec_answers_complete(const json_t *tmpl, rec_party_t party, const json_t *stored, const json_t *other,
                         rec_err_t *err);

/* What analytics and notifier read from a closed interview, taken from the
 * answers visible in the report.  Strings are owned (rec_extract_free). */
typedef struct {
    Entretiens__V1__RatingAnswer **ratings;
    size_t n_ratings;
    Entretiens__V1__TrainingNeed **training_needs;
    size_t n_training_needs;
    Entretiens__V1__MobilityWish **mobility_wishes;
    size_t n_mobility_wishes;
    Entretiens__V1__Objective **objectives;
    size_t n_objectives;
    Entretiens__V1__Competency **competencies;
    size_t n_competencies;
    Entretiens__V1__ActionItem **action_items;
    size_t n_action_items;
} rec_extract_t;

/* Adds what answers (one party's, may be NULL) hold.  Call it with the
 * manager's answers first: a rating question already taken is skipped, so
 * a question both parties rated counts the manager's level once.
 * Returns 0 or ENOMEM. */
int rec_extract(const json_t *tmpl, const json_t *answers, rec_extract_t *out);
void rec_extract_free(rec_extract_t *x);

#endif
