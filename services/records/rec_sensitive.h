/*  rec_sensitive.h — free text that seems to hold sensitive data.
 *
 *  The CNIL advises warning whoever writes in a comment zone that it must
 *  not hold data of the special categories (GDPR art. 9: health, trade-union
 *  membership, religious or political opinions, origin, sex life) nor
 *  offences and sanctions (art. 10), nor judgements that are insulting or
 *  beyond the professional.  This module spots words of those kinds in
 *  French and English so that records can answer an answer with a warning;
 *  it never refuses, never changes the text and never logs it: a word list
 *  cannot decide what is lawful, it can only make the writer look again.
 *
 *  Matching is on whole words, case-insensitive for ASCII letters and for
 *  the accented capitals of French, on UTF-8 text.
 */
#ifndef REC_SENSITIVE_H
#define REC_SENSITIVE_H

#include <stddef.h>

/* The first listed word found in text, with its category ("health",
 * "trade_union", "religion", "politics", "origin", "sex_life",
 * "offences"), or NULL when none (NULL text included).  *word is set to
 * the list's spelling of the word (static storage). */
const char *rec_sensitive_find(const char *text, const char **word);

#endif
