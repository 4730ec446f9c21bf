/* cmd_quality.c - `mlfy quality PROJECT [--json] [--anchoring]` and
 * `mlfy quality --votes VOTES.npz --gold EXPERTS.npz`: the quality of human
 * work, per annotator and expert (docs/quality.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "evaluate/rater_quality.h"
#include "review/anchoring.h"
#include "review/quality.h"
#include "review/protocols.h"
#include "review/quality_format.h"
#include "review/rater_files.h"
#include "review/verify_quality.h"

static const char usage[] =
	"usage: mlfy quality PROJECT [--json] [--anchoring] [--min-accuracy T]\n"
	"       mlfy quality --votes VOTES.npz --gold EXPERTS.npz [--json]\n"
	"\n"
	"How good was the human work?  Per annotator and per expert:\n"
	"  - on gold images ('mlfy gold', 'mlfy assign --gold-first/--gold-rate'):\n"
	"    exact-set accuracy, label sensitivity (recall) and precision, mean\n"
	"    Jaccard, each with its 95% interval (Wilson for proportions);\n"
	"  - the same against the final labels of images someone else decided\n"
	"    (refined, aggregated or imported; agreed images are left out);\n"
	"  - Dawid-Skene sensitivity and specificity from the stage-ii answers,\n"
	"    each (image, shown proposal) a yes/no vote;\n"
	"  - behaviour: answers that are the model's top-1 alone (against the\n"
	"    team), labels found by the search, \"none of these\", unsure answers\n"
	"    and problem tags;\n"
	"  - time: median and interquartile range of seconds per image (the page's\n"
	"    focused time), images per hour, and at the current pace the projected\n"
	"    finish of the person's queue and of stage ii, the latest save, and\n"
	"    whether the queue has stalled (tasks left and no save for\n"
	"    --stall-hours, default 24);\n"
	"  - flags with their reasons: accuracy whose whole 95% interval lies below\n"
	"    --min-accuracy, speeders (median time below a third of the team's),\n"
	"    rubber-stampers (top-1 alone far above the rest of the team).\n"
	"--anchoring adds the arms of the anchoring experiment ('mlfy\n"
	"assign-refinement --blind-share'): labels kept, added and removed, exact\n"
	"agreement with gold and seconds per image, shown against blind, with\n"
	"two-proportion tests; and the acceptance of planted wrong labels.\n"
	"\n"
	"When the project also ran ReaL's protocol ('mlfy questions', 'mlfy assign\n"
	"--protocol verify', the /verify grid, 'mlfy aggregate'), the two protocols\n"
	"are compared on the images both decided: people's seconds per image (mean\n"
	"with its 95% interval, median, people per image), the agreement of the\n"
	"grid's sets with the paper's sets, and each against gold.  The grid's sets\n"
	"come from the stored aggregation (--method, default dawid-skene when it\n"
	"has run, else majority).\n"
	"Before that comparison, the raters of the grid one by one: questions\n"
	"assigned and answered, shares of yes / maybe / no and of bulk \"no\"\n"
	"answers, accuracy, sensitivity and specificity of their yes/no answers\n"
	"against the aggregated result and against gold, median seconds per\n"
	"answer, and flags: low accuracy, speeders, yes-sayers (yes far above\n"
	"the rest of the raters).\n"
	"\n"
	"With --votes and --gold: ReaL-style raw votes (tensor R x N x 3 one-hot\n"
	"no/maybe/yes, info, ids) scored against experts' votes on the same\n"
	"questions: a question is valid when a strict majority of the experts who\n"
	"answered it said yes; per rater accuracy, sensitivity and specificity over\n"
	"their yes/no answers (maybe left out), and their maybe rate.\n"
	"\n"
	"Options:\n"
	"      --json               JSON (docs/quality.md lists the fields)\n"
	"      --anchoring          add the anchoring experiment's arms\n"
	"      --min-accuracy T     flag threshold in [0, 1] (default 0.8)\n"
	"      --stall-hours H      a queue with no save for H hours has stalled\n"
	"      --now TIME           projections from TIME (YYYY-MM-DDTHH:MM:SSZ)\n"
	"                           instead of the clock\n"
	"      --votes FILE         raw votes of the raters (.npz)\n"
	"      --gold FILE          raw votes of the experts (.npz), with --votes\n"
	"      --method M           aggregation behind the grid's sets in the\n"
	"                           comparison of protocols: dawid-skene, majority\n"
	"  -h, --help               show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy quality proj.mlfy\n"
	"  mlfy quality proj.mlfy --anchoring --json > quality.json\n"
	"  mlfy quality --votes raters_golden.npz --gold golden.npz\n"
	"\n"
	"Exit status: 0 on success, 1 on errors, 2 on a bad command line.\n";

static struct {
	int json, anchoring;
	double min_accuracy, stall_hours;
	const char *now, *votes, *gold, *method;
} o = { .min_accuracy = 0.8, .stall_hours = 24 };

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_FLAG(0, "anchoring", &o.anchoring),
	CLI_OPT_CALLBACK(0, "min-accuracy", &o.min_accuracy, cli_opt_share, 1),
	CLI_OPT_CALLBACK(0, "stall-hours", &o.stall_hours, cli_opt_positive_double, 1),
	CLI_OPT_STRING(0, "now", &o.now),
	CLI_OPT_STRING(0, "votes", &o.votes),
	CLI_OPT_STRING(0, "gold", &o.gold),
	CLI_OPT_STRING(0, "method", &o.method),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (o.votes || o.gold) {
		if (!o.votes || !o.gold)
			return cli_usage_error(c->name, "--votes and --gold go together");
		if (c->argc)
			return cli_usage_error(c->name, "--votes/--gold take no PROJECT");
		if (o.anchoring || o.now || o.method)
			return cli_usage_error(c->name, "--anchoring, --now and --method need a PROJECT, not vote files");
		c->project = NULL;
		return 0;
	}
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT (or --votes FILE --gold FILE)");
	if (o.method && strcmp(o.method, "dawid-skene") && strcmp(o.method, "majority"))
		return cli_usage_error(c->name, "--method: '%s' is not dawid-skene or majority", o.method);
	if (o.now) {
		time_t t;
		if (mlfy_quality_time_parse(o.now, &t))
			return cli_usage_error(c->name, "--now: '%s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ", o.now);
	}
	return 0;
}

static int run_files(struct cli_ctx *c)
{
	struct mlfy_rater_quality_report r;
	struct mlfy_err err;
	int rc;

	mlfy_err_clear(&err);
	if (mlfy_rater_quality_files(o.votes, o.gold, &r, &err))
		return cli_report(c->name, &err);
	if (o.json)
		rc = cli_print_json(c->name, mlfy_rater_quality_json(&r), 0);
	else if ((rc = mlfy_rater_quality_print_text(stdout, &r)))
		rc = cli_error(c->name, "cannot write the table");
	mlfy_rater_quality_report_release(&r);
	return rc;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_quality_opts opts = { .min_accuracy = o.min_accuracy, .now = o.now,
					  .stall_hours = o.stall_hours };
	struct mlfy_anchoring anch;
	struct mlfy_protocol_compare pc;
	struct mlfy_verify_quality vq;
	struct mlfy_quality q;
	struct mlfy_err err;
	int rc;

	if (!c->store)
		return run_files(c);
	mlfy_err_clear(&err);
	if (mlfy_quality_compute(c->store, &opts, &q, &err))
		return cli_report(c->name, &err);
	if (o.anchoring && mlfy_anchoring_compute(c->store, &anch, &err)) {
		mlfy_quality_release(&q);
		return cli_report(c->name, &err);
	}
	/* the raters are scored against the aggregation the comparison chose */
	if (mlfy_protocols_compare(c->store, o.method, &pc, &err) ||
	    mlfy_verify_quality_compute(c->store, pc.method, o.min_accuracy, &vq, &err)) {
		mlfy_quality_release(&q);
		return cli_report(c->name, &err);
	}
	if (o.json) {
		json_t *j = mlfy_quality_json(&q, o.anchoring ? &anch : NULL);
		if (j) {
			json_object_set_new(j, "verify_raters", vq.answers ? mlfy_verify_quality_json(&vq) : json_null());
			json_object_set_new(j, "protocols", pc.images_verify ? mlfy_protocols_json(&pc) : json_null());
		}
		rc = cli_print_json(c->name, j, 0);
	} else if ((rc = mlfy_quality_print(stdout, &q, o.anchoring ? &anch : NULL)) ||
		   (rc = mlfy_verify_quality_print(stdout, &vq)) || (rc = mlfy_protocols_print(stdout, &pc))) {
		rc = cli_error(c->name, "cannot write the tables");
	}
	mlfy_verify_quality_release(&vq);
	mlfy_quality_release(&q);
	return rc;
}

const struct cli_builtin cmd_quality = {
	.summary = "quality of human work: gold accuracy, Dawid-Skene, speed, flags, anchoring",
	.usage = usage, .options = options, .check = check, .run = run,
};
