/*  version.c — the version every program reports (see version.h). */
#include "common/version.h"

#include "version_build.h"

const char *ent_version(void) { return ENT_BUILD_VERSION; }

const char *ent_version_revision(void) { return ENT_BUILD_REVISION; }

const char *ent_version_full(void) { return ENT_BUILD_VERSION " (" ENT_BUILD_REVISION ")"; }

int ent_version_print(FILE *out, const char *program)
{
    return fprintf(out, "%s %s\n", program, ent_version_full());
}
