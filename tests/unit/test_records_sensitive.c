/*  test_records_sensitive.c — the sensitive-data warning of comment zones
 *  (services/records/rec_sensitive.h): the words it must see, in French and
 *  English, in any case, whole words only; everyday review words pass. */
#include <criterion/criterion.h>

#include "rec_sensitive.h"

static void s_sees(const char *text, const char *category, const char *word)
{
    const char *w;
    const char *c = rec_sensitive_find(text, &w);
    cr_assert_not_null(c, "nothing seen in \"%s\"", text);
    cr_expect_str_eq(c, category, "\"%s\"", text);
    cr_expect_str_eq(w, word, "\"%s\"", text);
}

static void s_passes(const char *text)
{
    const char *w;
    cr_expect_null(rec_sensitive_find(text, &w), "\"%s\" flagged (%s)", text, w ? w : "");
}

Test(sensitive, the_special_categories_in_french_and_english)
{
    s_sees("Absente trois mois pour une dépression.", "health", "dépression");
    s_sees("DÉPRESSION saisonnière", "health", "dépression");
    s_sees("Elle est enceinte et souhaite réduire ses déplacements", "health", "enceinte");
    s_sees("Reconnu RQTH depuis 2024", "health", "rqth");
    s_sees("Back from sick leave in May", "health", "sick leave");
    s_sees("Délégué CGT, peu disponible", "trade_union", "cgt");
    s_sees("Pratique le ramadan", "religion", "ramadan");
    s_sees("Militante dans un parti", "politics", "militante");
    s_sees("He told us he is gay", "sex_life", "gay");
    s_sees("casier judiciaire à vérifier", "offences", "casier judiciaire");
}

Test(sensitive, whole_words_only_and_everyday_words_pass)
{
    s_passes("Très bonne année : objectifs atteints, projet livré en avance.");
    s_passes("Souhaite une formation en gestion de projet et en anglais.");
    s_passes("La santé financière du service s'améliore.");
    s_passes("Gaya a piloté la migration");   /* "gay" inside a word */
    s_passes("Le diagnostiqueur de pannes"); /* "diagnostic" inside a word */
    s_passes("racers and races");            /* "race" inside words */
    s_passes("");
    cr_expect_null(rec_sensitive_find(NULL, NULL));
    s_sees("gay", "sex_life", "gay");        /* at both ends of the text */
    s_sees("(maladie)", "health", "maladie");
}

Test(sensitive, ill_formed_utf8_does_not_trip_it)
{
    s_passes("\xff\xfe\xc3");
    s_sees("\xc3 maladie", "health", "maladie");
}
