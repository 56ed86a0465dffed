/*  tzmemo.c — the time-zone key of local-time memos (tzmemo.h). */
#include "common/tzmemo.h"

#include <string.h>

extern char **environ;

/* The index of TZ's entry in env (the first, as getenv), or -1. */
static long s_find(char **env)
{
    for (long i = 0; env && env[i]; i++)
        if (env[i][0] == 'T' && env[i][1] == 'Z' && env[i][2] == '=')
            return i;
    return -1;
}

bool ent_tzmemo_same(ent_tzmemo_key_t *key)
{
    char **env = environ;
    /* the same array (setenv and putenv move it when they add an entry;
     * unsetenv only moves entries down, leaving NULLs behind: the slot
     * still holds an entry or NULL), the same entry at TZ's slot, saying
     * the same (a putenv'd string can be changed in place) */
    if (key->filled && key->entry && env && env == key->env && env[key->slot] == key->entry &&
        strcmp(key->entry + 3, key->value) == 0)
        return true;
    long at = s_find(env);
    const char *tz = at >= 0 ? env[at] + 3 : NULL;
    bool same = key->filled && key->set == (tz != NULL) && (!tz || strcmp(key->value, tz) == 0);
    size_t len = tz ? strlen(tz) : 0;
    if (len > ENT_TZMEMO_MAX) {
        key->filled = false; /* cannot be told apart from another long zone */
        return false;
    }
    key->filled = true;
    key->set = tz != NULL;
    memcpy(key->value, tz ? tz : "", len + 1);
    key->env = env;
    key->entry = tz ? env[at] : NULL;
    key->slot = tz ? (size_t) at : 0;
    return same;
}
