/* cmd_stats.c - `mlfy stats FILE|PROJECT`: the label-count distribution of a
 * label file (ReaL, Multilabelfy, single-label, CSV) or of a project's
 * final labels. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evaluate/label_counts.h"
#include "evaluate/project_stats.h"
#include "ingest/labels.h"
#include "report/stats.h"
#include "store/probe.h"
#include "util/numfmt.h"

static const char usage[] =
	"usage: mlfy stats [--json] [--max-count K] [--format FMT] [--num-classes N] FILE|PROJECT\n"
	"\n"
	"Prints how many images have 0, 1, 2, ... labels (count and percentage of\n"
	"all images), and the shares of images with more than 2 and with at least\n"
	"2 labels (multi-label images).\n"
	"\n"
	"FILE is a label file; its format is detected from its content (see\n"
	"docs/formats.md):\n"
	"  real          JSON list of label lists in image order (ReaL's real.json)\n"
	"  multilabelfy  JSON object {\"file\": [\"idx\", ...]} (ImageNetV2's\n"
	"                refined_labels.json)\n"
	"  single        one class index per line (original labels)\n"
	"  csv           file,label rows (optional header; several labels per field\n"
	"                separated by spaces, ';' or '|')\n"
	"PROJECT is an mlfy project (a file or a postgresql:// URI): its final\n"
	"labels are counted, and images\n"
	"without a decision yet are reported as \"not yet decided\"; the refinement\n"
	"queue, the zero-label reviews (by category and verdict) and the raw votes\n"
	"are counted too, and the proposal coverage follows: the share of final\n"
	"labels among the top-k proposals of the active proposal model, k = 1..20\n"
	"(docs/evaluate.md).\n"
	"\n"
	"Options:\n"
	"  --json            print one JSON object instead of the table\n"
	"  --max-count K     list counts 0..K one by one and the rest as \">K\"\n"
	"                    (default: every count present)\n"
	"  --format FMT      read FILE as FMT (auto, real, multilabelfy, single, csv)\n"
	"  --num-classes N   check that every class index of FILE is below N\n"
	"  -h, --help        show this help\n"
	"\n"
	"Example:\n"
	"  $ mlfy stats refined_labels.json\n"
	"  refined_labels.json: 10,000 images (multilabelfy), 19,077 labels, 1.91 per image\n"
	"  summary: 0: 129 (1.29 %), 1: 5,083 (50.83 %), 2: 2,385 (23.85 %), >2: 2,403 (24.03 %), >=2: 47.88 %\n"
	"  ...\n"
	"\n"
	"Exit status: 0 on success, 1 when the input cannot be read, 2 on usage errors.\n";

static struct {
	int json, format;
	long max_k, n_classes;
} o = { .format = MLFY_LABELS_AUTO, .max_k = -1 };

static int parse_format(const struct cli_option *opt, const char *arg, const char *cmd)
{
	if ((o.format = mlfy_labels_parse_format(arg)) < 0)
		return cli_usage_error(cmd, "--format: unknown format '%s' (auto, real, multilabelfy, single, csv)", arg);
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_LONG(0, "max-count", &o.max_k, 0, 1000000),
	CLI_OPT_CALLBACK(0, "format", NULL, parse_format, 1),
	CLI_OPT_LONG(0, "num-classes", &o.n_classes, 1, 1000000000),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one FILE or PROJECT argument");
	if (!mlfy_store_is_project(c->argv[0])) {
		size_t n = strlen(c->argv[0]);
		/* a file named like a project but not one (QA: a damaged project
		 * was read as a label file and refused line by line) */
		if (n > 5 && !strcmp(c->argv[0] + n - 5, ".mlfy") && o.format == MLFY_LABELS_AUTO &&
		    access(c->argv[0], F_OK) == 0)
			return cli_error(c->name, "%s: not an mlfy project (not an SQLite database); a label file"
					 " named .mlfy needs --format", c->argv[0]);
		c->project = NULL;   /* a label file */
		return 0;
	}
	if (o.format != MLFY_LABELS_AUTO || o.n_classes)
		return cli_usage_error(c->name, "--format and --num-classes apply to label files, not projects");
	return 0;
}

/* A project's final labels, review counts and proposal coverage
 * (docs/evaluate.md). */
static int stats_project(struct cli_ctx *c)
{
	struct mlfy_project_stats st;
	struct mlfy_err err;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_project_stats_get(c->store, NULL, 20, &st, &err)) {
		mlfy_project_stats_release(&st);
		return cli_report(c->name, &err);
	}
	if (o.json) {
		rc = cli_print_json(c->name, mlfy_project_stats_json(c->project, &st, o.max_k), 0);
	} else if (mlfy_project_stats_write_text(stdout, c->project, &st, o.max_k, &err)) {
		rc = cli_report(c->name, &err);
	}
	mlfy_project_stats_release(&st);
	return rc;
}

/* A label file's distribution. */
static int stats_file(struct cli_ctx *c)
{
	const char *path = c->argv[0];
	struct mlfy_labels *l = NULL;
	struct mlfy_label_counts lc;
	struct mlfy_err err;
	char a[32];
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_labels_load(path, o.format, (int)o.n_classes, &l, &err))
		return cli_report(c->name, &err);
	if (l->n_duplicates)
		cli_warn(c->name, "%s: %s repeated label%s within an image ignored (first in image %zu)", path,
			 mlfy_fmt_count(a, sizeof(a), l->n_duplicates), l->n_duplicates == 1 ? "" : "s",
			 l->first_duplicate);
	if (l->n_undecided)
		cli_warn(c->name, "%s: %s undecided image%s left out (stage 'undecided': no final set yet)", path,
			 mlfy_fmt_count(a, sizeof(a), l->n_undecided), l->n_undecided == 1 ? "" : "s");
	mlfy_label_counts_init(&lc);
	if (mlfy_label_counts_add_csr(&lc, l->offsets, l->n, &err) ||
	    (!o.json && mlfy_label_counts_write_text(stdout, path, mlfy_labels_format_name(l->format), &lc,
						     o.max_k, &err))) {
		rc = cli_report(c->name, &err);
	} else if (o.json) {
		json_t *j = mlfy_label_counts_json(path, "file", mlfy_labels_format_name(l->format), &lc, o.max_k);
		json_object_set_new(j, "repeated_labels_ignored", json_integer((json_int_t)l->n_duplicates));
		json_object_set_new(j, "undecided_left_out", json_integer((json_int_t)l->n_undecided));
		rc = cli_print_json(c->name, j, 0);
	}
	mlfy_label_counts_release(&lc);
	mlfy_labels_free(l);
	return rc;
}

static int run(struct cli_ctx *c)
{
	return c->store ? stats_project(c) : stats_file(c);
}

const struct cli_builtin cmd_stats = {
	.summary = "label-count distribution of a label file or a project",
	.usage = usage, .options = options, .check = check, .run = run,
};
