/*  version.h — the one version every entretiens program reports.
 *
 *  The version is the CMake project version (project() in CMakeLists.txt),
 *  the revision is `git describe --tags --always --dirty` taken when the
 *  build was configured (cmake/version.cmake), or "unknown" outside a git
 *  tree.  `--version` on every program (daemons through ent_config_load,
 *  entretiensctl too), the `health` method and the <prefix>_build_info
 *  metric all print them from here, so they cannot disagree.
 *
 *  The returned strings are static and never NULL.  No function here fails.
 */
#ifndef ENT_VERSION_H
#define ENT_VERSION_H

#include <stdio.h>

/* "0.1.0": the project version (semantic versioning, CHANGELOG.md). */
const char *ent_version(void);

/* The source revision: "v0.1.0-12-gff6650f", "ff6650f-dirty", or "unknown". */
const char *ent_version_revision(void);

/* "0.1.0 (ff6650f)": what --version and `health` show. */
const char *ent_version_full(void);

/* Prints "<program> 0.1.0 (ff6650f)\n" on out: the --version line, the same
 * shape for every program.  Returns what fprintf returns. */
int ent_version_print(FILE *out, const char *program);

#endif
