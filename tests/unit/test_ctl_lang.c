/*  test_ctl_lang.c — the CLI's language (services/ctl/lang.h): the flag
 *  wins, then ENTRETIENS_LANG, then the locale variables in setlocale's
 *  order; labels in French, wire names in English. */
#include <criterion/criterion.h>

#include <stdlib.h>

#include "lang.h"

static void s_clear(void)
{
    unsetenv("ENTRETIENS_LANG");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
}

TestSuite(ctl_lang, .init = s_clear);

Test(ctl_lang, the_flag_then_the_environment_then_english)
{
    ctl_lang_t l;
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_EN, "no locale at all: English");
    setenv("LANG", "fr_FR.UTF-8", 1);
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_FR);
    setenv("LC_MESSAGES", "en_GB.UTF-8", 1);
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_EN, "LC_MESSAGES before LANG");
    setenv("LC_ALL", "fr_CA", 1);
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_FR, "LC_ALL before LC_MESSAGES");
    setenv("ENTRETIENS_LANG", "en", 1);
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_EN, "ENTRETIENS_LANG before the locale");
    cr_assert_eq(ctl_lang_detect("FR", &l), 0);
    cr_expect_eq(l, CTL_LANG_FR, "the flag before everything");
    setenv("LANG", "fries", 1);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("ENTRETIENS_LANG");
    cr_assert_eq(ctl_lang_detect(NULL, &l), 0);
    cr_expect_eq(l, CTL_LANG_EN, "'fries' is not French");
    cr_expect_eq(ctl_lang_detect("de", &l), -1);
    cr_expect_eq(l, CTL_LANG_EN);
}

Test(ctl_lang, labels)
{
    cr_expect_str_eq(ctl_type_label(CTL_LANG_FR, "professional_recap"), "état des lieux récapitulatif");
    cr_expect_str_eq(ctl_type_label(CTL_LANG_EN, "professional_recap"), "professional_recap");
    cr_expect_str_eq(ctl_type_label(CTL_LANG_FR, "made_up"), "made_up", "unknown: the wire name");
    cr_expect_str_eq(ctl_status_label(CTL_LANG_FR, "overdue"), "en retard");
    cr_expect_str_eq(ctl_status_label(CTL_LANG_FR, NULL), "");
    cr_expect_str_eq(ctl_lang_code(CTL_LANG_FR), "fr");
    cr_expect_str_eq(ctl_l(CTL_LANG_EN, "DUE", "ÉCHÉANCE"), "DUE");
}
