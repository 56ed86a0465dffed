/*  cmd_demo.c — entretiensctl demo generate: a believable organisation as
 *  JSON-lines employee events (the same generator the tests and the
 *  benchmarks use, services/ctl/orggen.h), and the policy that goes with it. */
#include "ctl.h"
#include "common/event_json.h"
#include "orggen.h"

#include "common/clock.h"
#include "common/date.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void s_usage(void)
{
    fprintf(stderr, "usage: entretiensctl demo generate --employees N [--seed S] [--start YYYY-MM-DD]\n"
                    "                                   [--out FILE] [--policy-out FILE]\n"
                    "  writes JSON-lines employee events (stdout by default); histories end on --start\n"
                    "  (default: today); --policy-out writes a policy file with every generated entity\n");
}

static int s_write_policy(orggen_t *g, const char *path)
{
    orggen_entity_t ents[16];
    size_t n = orggen_entities(g, ents, 16);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        /* the generated contracts provide for renewing the trial, and the
         * demo's branch agreements allow it */
        json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:i, s:b}", "id", ents[i].id, "headcount",
                                             (json_int_t) ents[i].headcount, "region", ents[i].region,
                                             "periodicity_years", 4, "branch_trial_renewal", 1));
    json_t *policy = json_pack("{s:o, s:{s:s, s:s}}", "entities", arr, "options", "first_interview_transition",
                               "art2222", "recap_deadline", "seniority");
    int rc = json_dump_file(policy, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(policy);
    if (rc != 0) {
        fprintf(stderr, "entretiensctl: cannot write %s: %s\n", path, strerror(errno));
        return CTL_FAILED;
    }
    return CTL_OK;
}

int ctl_cmd_demo(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "generate") != 0) {
        s_usage();
        return CTL_USAGE;
    }
    long employees = 0;
    unsigned long long seed = 1;
    int32_t start = ent_date_from_unix_ms(ent_clock_now_ms());
    const char *out = NULL, *policy = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--employees") == 0 && v) {
            employees = strtol(v, &end, 10);
            if (*end || employees <= 0 || employees > 10000000) {
                fprintf(stderr, "entretiensctl: --employees must be between 1 and 10000000\n");
                return CTL_USAGE;
            }
        } else if (strcmp(a, "--seed") == 0 && v) {
            seed = strtoull(v, &end, 10);
            if (*end) {
                fprintf(stderr, "entretiensctl: --seed must be a number\n");
                return CTL_USAGE;
            }
        } else if (strcmp(a, "--start") == 0 && v) {
            if (ent_date_parse(v, &start) != 0) {
                fprintf(stderr, "entretiensctl: --start must be YYYY-MM-DD\n");
                return CTL_USAGE;
            }
        } else if (strcmp(a, "--out") == 0 && v) {
            out = v;
        } else if (strcmp(a, "--policy-out") == 0 && v) {
            policy = v;
        } else {
            fprintf(stderr, "entretiensctl: demo generate: unexpected '%s'\n", a);
            s_usage();
            return CTL_USAGE;
        }
        i++;
    }
    if (employees <= 0) {
        s_usage();
        return CTL_USAGE;
    }
    orggen_t *g = orggen_new(seed, (size_t) employees, start);
    if (!g)
        return CTL_FAILED;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "entretiensctl: cannot write %s: %s\n", out, strerror(errno));
        orggen_destroy(&g);
        return CTL_FAILED;
    }
    const Entretiens__V1__EmployeeEvent *ev;
    while (orggen_next(g, &ev)) {
        json_t *j = ent_evjson_to_json(ev);
        char *line = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (line) {
            fputs(line, f);
            fputc('\n', f);
        }
        free(line);
        json_decref(j);
    }
    size_t count = orggen_count(g);
    int rc = ferror(f) ? CTL_FAILED : CTL_OK;
    if (out && fclose(f) != 0)
        rc = CTL_FAILED;
    if (rc == CTL_OK && policy)
        rc = s_write_policy(g, policy);
    if (ctl->json) {
        json_t *o = json_pack("{s:I, s:I}", "employees", (json_int_t) employees, "events", (json_int_t) count);
        if (out) /* stdout holds the events otherwise */
            ctl_print_json(o);
        else
            json_decref(o);
    } else if (out) {
        fprintf(stderr, "%zu events for %ld employees written to %s\n", count, employees, out);
    }
    orggen_destroy(&g);
    return rc;
}
