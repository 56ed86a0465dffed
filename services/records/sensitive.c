/*  sensitive.c — see rec_sensitive.h.  The list is short on purpose: words
 *  that almost only appear when someone writes about the special
 *  categories, not words a review uses every day ("malade" of a project,
 *  "santé" of a business would make the warning noise).  Tested in
 *  tests/unit/test_records_sensitive.c. */
#include "rec_sensitive.h"

#include <stdbool.h>
#include <string.h>

typedef struct {
    const char *word;      /* lower case, UTF-8 */
    const char *category;
} s_word_t;

static const s_word_t S_WORDS[] = {
    /* health */
    { "maladie", "health" }, { "arrêt maladie", "health" }, { "cancer", "health" }, { "dépression", "health" },
    { "burn-out", "health" }, { "burnout", "health" }, { "enceinte", "health" }, { "grossesse", "health" },
    { "handicap", "health" }, { "rqth", "health" }, { "diabète", "health" }, { "chimiothérapie", "health" },
    { "hospitalisation", "health" }, { "hospitalisé", "health" }, { "hospitalisée", "health" },
    { "thérapie", "health" }, { "psychiatre", "health" }, { "traitement médical", "health" },
    { "médecin traitant", "health" }, { "diagnostic", "health" }, { "alcoolisme", "health" },
    { "illness", "health" }, { "sick leave", "health" }, { "pregnant", "health" }, { "pregnancy", "health" },
    { "disability", "health" }, { "depression", "health" }, { "diagnosis", "health" }, { "therapy", "health" },
    { "hospitalised", "health" }, { "hospitalized", "health" }, { "medication", "health" },
    /* trade union */
    { "syndiqué", "trade_union" }, { "syndiquée", "trade_union" }, { "syndicat", "trade_union" },
    { "cgt", "trade_union" }, { "cfdt", "trade_union" }, { "trade union", "trade_union" },
    { "union member", "trade_union" },
    /* religion, politics, origin, sex life */
    { "religion", "religion" }, { "musulman", "religion" }, { "musulmane", "religion" }, { "juif", "religion" },
    { "juive", "religion" }, { "catholique", "religion" }, { "ramadan", "religion" }, { "muslim", "religion" },
    { "jewish", "religion" }, { "catholic", "religion" },
    { "parti politique", "politics" }, { "militant", "politics" }, { "militante", "politics" },
    { "political party", "politics" },
    { "origine ethnique", "origin" }, { "ethnie", "origin" }, { "race", "origin" }, { "ethnicity", "origin" },
    { "homosexuel", "sex_life" }, { "homosexuelle", "sex_life" }, { "orientation sexuelle", "sex_life" },
    { "gay", "sex_life" }, { "lesbienne", "sex_life" }, { "sexual orientation", "sex_life" },
    /* offences (art. 10) */
    { "casier judiciaire", "offences" }, { "condamnation", "offences" }, { "condamné", "offences" },
    { "criminal record", "offences" }, { "convicted", "offences" },
};

/* Lower case of one ASCII letter or of the accented capitals of French
 * (two-byte UTF-8 sequences C3 80-9E map to C3 A0-BE); writes into out,
 * returns the bytes consumed. */
static size_t s_lower(const unsigned char *p, unsigned char out[2], size_t *outlen)
{
    if (p[0] >= 'A' && p[0] <= 'Z') {
        out[0] = (unsigned char) (p[0] + 32);
        *outlen = 1;
        return 1;
    }
    if (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
        out[0] = 0xC3;
        out[1] = (unsigned char) (p[1] + 0x20);
        *outlen = 2;
        return 2;
    }
    out[0] = p[0];
    *outlen = 1;
    return 1;
}

static bool s_letter(const unsigned char *p)
{
    return (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= '0' && p[0] <= '9') ||
           p[0] >= 0x80;
}

/* Does the word start at text (case folded) and end at a word boundary? */
static bool s_match_at(const unsigned char *text, const char *word)
{
    const unsigned char *w = (const unsigned char *) word;
    while (*w) {
        if (!*text)
            return false;
        unsigned char low[2];
        size_t n;
        size_t used = s_lower(text, low, &n);
        for (size_t i = 0; i < n; i++)
            if (w[i] != low[i])
                return false;
        w += n;
        text += used;
    }
    return !*text || !s_letter(text);
}

const char *rec_sensitive_find(const char *text, const char **word)
{
    if (word)
        *word = NULL;
    if (!text)
        return NULL;
    const unsigned char *p = (const unsigned char *) text;
    bool start = true; /* at the start of a word */
    while (*p) {
        if (start)
            for (size_t i = 0; i < sizeof S_WORDS / sizeof *S_WORDS; i++)
                if (s_match_at(p, S_WORDS[i].word)) {
                    if (word)
                        *word = S_WORDS[i].word;
                    return S_WORDS[i].category;
                }
        bool letter = s_letter(p);
        /* skip a whole UTF-8 sequence, and no further than its
         * continuation bytes go (ill-formed text) */
        size_t want = *p < 0xC0 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4, len = 1;
        while (len < want && (p[len] & 0xC0) == 0x80)
            len++;
        p += len;
        start = !letter;
    }
    return NULL;
}
