/*  cmd_campaign.c — the campaign subcommands served by records and the
 *  notifier (the scheduler's are in cmd_scheduler.c, which dispatches):
 *
 *    campaign progress ID [--by entity|department|manager]   records.interview.progress
 *    campaign remind ID                                       notifier.campaign.remind
 *
 *  The JSON printed with --json is a contract (docs/cli.md).  Exit
 *  statuses: 0 done, 1 failed (daemon error, refused), 2 usage.
 */
#include "args.h"
#include "ctl.h"
#include "common/event_json.h"
#include "table.h"

#include "proto/notifier.pb-c.h"
#include "proto/records.pb-c.h"

#include <stdio.h>
#include <string.h>

static const char S_USAGE[] = "campaign progress ID [--by entity|department|manager] | campaign remind ID";

static json_t *s_counts_json(const Entretiens__V1__ProgressCounts *c)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "group", c && c->group ? c->group : "", "planned",
                     (json_int_t) (c ? c->planned : 0), "scheduled", (json_int_t) (c ? c->scheduled : 0), "held",
                     (json_int_t) (c ? c->held : 0), "closed", (json_int_t) (c ? c->closed : 0), "cancelled",
                     (json_int_t) (c ? c->cancelled : 0), "total", (json_int_t) (c ? c->total : 0));
}

static void s_counts_row(ctl_table_t *t, const char *label, const Entretiens__V1__ProgressCounts *c)
{
    ctl_table_row(t);
    ctl_table_cell(t, label, CTL_PLAIN);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->planned : 0);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->scheduled : 0);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->held : 0);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->closed : 0);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->cancelled : 0);
    ctl_table_cellf(t, CTL_PLAIN, "%u", c ? c->total : 0);
}

/* campaign progress ID [--by G]: the campaign's interviews counted by group. */
static int s_progress(ctl_t *ctl, int argc, char **argv)
{
    const char *by = NULL, *pos[1];
    int np = 0;
    ctl_opt_t opts[] = { CTL_OPT("--by", &by) };
    if (ctl_args_parse("campaign progress", S_USAGE, argc, argv, 2, opts, 1, pos, 1, &np) != 0)
        return CTL_USAGE;
    if (np != 1 || !*pos[0]) {
        ctl_bad("campaign progress", "the campaign id is required");
        return ctl_usage(S_USAGE);
    }
    Entretiens__V1__CampaignProgressRequest req = ENTRETIENS__V1__CAMPAIGN_PROGRESS_REQUEST__INIT;
    req.campaign_id = (char *) pos[0];
    req.group_by = (char *) (by ? by : "entity");
    Entretiens__V1__CampaignProgress *rep = ctl_call_unpack(ctl, "records", "records.interview.progress", &req.base,
                                                            &entretiens__v1__campaign_progress__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *groups = json_array();
        for (size_t i = 0; i < rep->n_groups; i++)
            json_array_append_new(groups, s_counts_json(rep->groups[i]));
        ctl_print_json(json_pack("{s:s, s:s, s:o, s:o}", "campaign_id", pos[0], "group_by", req.group_by, "groups",
                                 groups, "total", s_counts_json(rep->total)));
    } else {
        ctl_table_t *t = ctl_table_new("GROUP", "PLANNED", "SCHEDULED", "HELD", "SIGNED", "CANCELLED", "TOTAL", NULL);
        for (size_t i = 0; i < rep->n_groups; i++)
            s_counts_row(t, rep->groups[i]->group && *rep->groups[i]->group ? rep->groups[i]->group : "(none)",
                         rep->groups[i]);
        s_counts_row(t, "(total)", rep->total);
        ctl_table_print(t, stdout, ctl_term_width(), ctl_use_color(ctl->color));
    }
    protobuf_c_message_free_unpacked(&rep->base, NULL);
    return CTL_OK;
}

/* campaign remind ID: the late ones reminded now (once a day each). */
static int s_remind(ctl_t *ctl, int argc, char **argv)
{
    const char *pos[1];
    int np = 0;
    if (ctl_args_parse("campaign remind", S_USAGE, argc, argv, 2, NULL, 0, pos, 1, &np) != 0)
        return CTL_USAGE;
    if (np != 1 || !*pos[0]) {
        ctl_bad("campaign remind", "the campaign id is required");
        return ctl_usage(S_USAGE);
    }
    Entretiens__V1__CampaignRemindRequest req = ENTRETIENS__V1__CAMPAIGN_REMIND_REQUEST__INIT;
    req.campaign_id = (char *) pos[0];
    Entretiens__V1__CampaignRemindReply *rep = ctl_call_unpack(ctl, "notifier", "notifier.campaign.remind", &req.base,
                                                               &entretiens__v1__campaign_remind_reply__descriptor);
    if (!rep)
        return CTL_FAILED;
    if (ctl->json) {
        json_t *ids = json_array();
        for (size_t i = 0; i < rep->n_notification_ids; i++)
            json_array_append_new(ids, json_string(rep->notification_ids[i]));
        ctl_print_json(json_pack("{s:s, s:i, s:i, s:i, s:o, s:s, s:o}", "campaign_id", pos[0], "late",
                                 (json_int_t) rep->late, "sent", (json_int_t) rep->sent, "already",
                                 (json_int_t) rep->already, "on", ent_json_pbdate(rep->on), "asked_by",
                                 rep->asked_by ? rep->asked_by : "", "notification_ids", ids));
    } else {
        printf("campaign %s: %u reminders sent for %u late; %u already sent today\n", pos[0], rep->sent, rep->late,
               rep->already);
    }
    protobuf_c_message_free_unpacked(&rep->base, NULL);
    return CTL_OK;
}

int ctl_campaign_more(ctl_t *ctl, int argc, char **argv, bool *handled)
{
    *handled = argc >= 2 && (strcmp(argv[1], "progress") == 0 || strcmp(argv[1], "remind") == 0);
    if (!*handled)
        return CTL_OK;
    return strcmp(argv[1], "progress") == 0 ? s_progress(ctl, argc, argv) : s_remind(ctl, argc, argv);
}
