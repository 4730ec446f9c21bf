/* cmd_stats.c - `mlfy stats FILE|PROJECT`: the label-count distribution of a
 * label file (ReaL, Multilabelfy, single-label, CSV) or of a project's
 * final labels. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "cli/coverage_cli.h"
#include "evaluate/label_counts.h"
#include "ingest/labels.h"
#include "store/final_labels.h"

const char cmd_stats_summary[] = "label-count distribution of a label file or a project";

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
	"PROJECT is an mlfy project file: its final labels are counted, and images\n"
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

struct project_walk {
	struct mlfy_label_counts *lc;
	size_t by_stage[MLFY_FINAL_IMPORTED + 1];
	struct mlfy_err *err;
};

static int project_cb(const struct mlfy_final *f, void *ctx)
{
	struct project_walk *w = ctx;
	if (f->stage >= MLFY_FINAL_AGREED && f->stage <= MLFY_FINAL_IMPORTED)
		w->by_stage[f->stage]++;
	return mlfy_label_counts_add(w->lc, f->n, w->err);
}

static void print_text(const char *src, const char *what, const struct mlfy_label_counts *lc, long max_k)
{
	char a[32], b[32];
	size_t c, last = lc->max_count;

	printf("%s: %s image%s (%s), %s label%s, %.2f per image\n", src, rcli_thousands((int64_t)lc->n_images, a),
	       lc->n_images == 1 ? "" : "s", what, rcli_thousands((int64_t)lc->total_labels, b),
	       lc->total_labels == 1 ? "" : "s", mlfy_label_counts_mean(lc));
	printf("summary: 0: %s (%.2f %%), ", rcli_thousands((int64_t)mlfy_label_counts_exactly(lc, 0), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 0)));
	printf("1: %s (%.2f %%), ", rcli_thousands((int64_t)mlfy_label_counts_exactly(lc, 1), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 1)));
	printf("2: %s (%.2f %%), ", rcli_thousands((int64_t)mlfy_label_counts_exactly(lc, 2), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, 2)));
	printf(">2: %s (%.2f %%), ", rcli_thousands((int64_t)mlfy_label_counts_at_least(lc, 3), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 3)));
	printf(">=2: %.2f %%\n", mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 2)));
	printf("empty (no label): %s of %s images\n", rcli_thousands((int64_t)mlfy_label_counts_exactly(lc, 0), a),
	       rcli_thousands((int64_t)lc->n_images, b));
	printf("\n%8s %12s %9s\n", "labels", "images", "%");
	if (max_k >= 0 && (size_t)max_k < last)
		last = (size_t)max_k;
	for (c = 0; c <= last; c++)
		printf("%8zu %12s %9.2f\n", c, rcli_thousands((int64_t)mlfy_label_counts_exactly(lc, c), a),
		       mlfy_label_counts_pct(lc, mlfy_label_counts_exactly(lc, c)));
	if (last < lc->max_count) {
		char k[32];
		snprintf(k, sizeof(k), ">%zu", last);
		printf("%8s %12s %9.2f\n", k, rcli_thousands((int64_t)mlfy_label_counts_at_least(lc, last + 1), a),
		       mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, last + 1)));
	}
	printf("%8s %12s %9.2f\n", ">2", rcli_thousands((int64_t)mlfy_label_counts_at_least(lc, 3), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 3)));
	printf("%8s %12s %9.2f\n", ">=2", rcli_thousands((int64_t)mlfy_label_counts_at_least(lc, 2), a),
	       mlfy_label_counts_pct(lc, mlfy_label_counts_at_least(lc, 2)));
}

static json_t *bucket(const struct mlfy_label_counts *lc, size_t n)
{
	return json_pack("{s:I, s:f}", "images", (json_int_t)n, "percent", mlfy_label_counts_pct(lc, n));
}

/* Builds the JSON report (a new reference). */
static json_t *to_json(const char *src, const char *kind, const char *format,
		       const struct mlfy_label_counts *lc, long max_k)
{
	json_t *o = json_object(), *counts = json_array();
	size_t c, last = lc->max_count;

	json_object_set_new(o, "source", json_string(src));
	json_object_set_new(o, "kind", json_string(kind));
	if (format)
		json_object_set_new(o, "format", json_string(format));
	json_object_set_new(o, "images", json_integer((json_int_t)lc->n_images));
	json_object_set_new(o, "labels", json_integer((json_int_t)lc->total_labels));
	json_object_set_new(o, "mean_labels", json_real(mlfy_label_counts_mean(lc)));
	if (max_k >= 0 && (size_t)max_k < last)
		last = (size_t)max_k;
	for (c = 0; lc->n_images && c <= last; c++) {
		json_t *b = bucket(lc, mlfy_label_counts_exactly(lc, c));
		json_object_set_new(b, "labels", json_integer((json_int_t)c));
		json_array_append_new(counts, b);
	}
	json_object_set_new(o, "counts", counts);
	if (last < lc->max_count) {
		json_t *b = bucket(lc, mlfy_label_counts_at_least(lc, last + 1));
		json_object_set_new(b, "more_than", json_integer((json_int_t)last));
		json_object_set_new(o, "rest", b);
	}
	json_object_set_new(o, "more_than_2", bucket(lc, mlfy_label_counts_at_least(lc, 3)));
	json_object_set_new(o, "at_least_2", bucket(lc, mlfy_label_counts_at_least(lc, 2)));
	return o;
}

static int print_json(json_t *o)
{
	int rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	json_decref(o);
	return rc;
}

static int stats_project(const char *path, int as_json, long max_k)
{
	struct mlfy_store *s;
	struct mlfy_label_counts lc;
	struct project_walk w;
	struct mlfy_err err;
	struct mlfy_review_stats rs;
	int64_t decided = 0, undecided = 0;
	int rc, i;
	char a[32];

	if (!(s = cli_open_project("stats", path, MLFY_STORE_READONLY)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	mlfy_label_counts_init(&lc);
	memset(&w, 0, sizeof(w));
	w.lc = &lc;
	w.err = &err;
	if ((rc = mlfy_final_foreach(s, project_cb, &w, &err)) || (rc = mlfy_final_count(s, &decided, &undecided, &err)) ||
	    (rc = mlfy_review_stats_get(s, &rs, &err))) {
		mlfy_label_counts_release(&lc);
		mlfy_store_close(s);
		return cli_report("stats", &err);
	}
	mlfy_store_close(s);
	if (as_json) {
		json_t *o = to_json(path, "project", NULL, &lc, max_k), *st = json_object();
		json_object_set_new(o, "undecided", json_integer(undecided));
		for (i = MLFY_FINAL_AGREED; i <= MLFY_FINAL_IMPORTED; i++)
			json_object_set_new(st, mlfy_final_stage_name(i), json_integer((json_int_t)w.by_stage[i]));
		json_object_set_new(o, "by_stage", st);
		json_object_set_new(o, "review", rcli_review_stats_json(&rs));
		{
			json_t *cov;
			if ((rc = cli_coverage_json("stats", path, &cov))) {
				json_decref(o);
				mlfy_label_counts_release(&lc);
				return rc;
			}
			if (cov)
				json_object_set_new(o, "proposal_coverage", cov);
		}
		rc = print_json(o);
	} else {
		print_text(path, "final labels", &lc, max_k);
		printf("\nnot yet decided: %s\n", rcli_thousands((int64_t)undecided, a));
		printf("decided by stage:");
		for (i = MLFY_FINAL_AGREED; i <= MLFY_FINAL_IMPORTED; i++)
			printf(" %s %s%s", mlfy_final_stage_name(i), rcli_thousands((int64_t)w.by_stage[i], a),
			       i < MLFY_FINAL_IMPORTED ? "," : "\n");
		rcli_print_review_stats(stdout, &rs);
	}
	mlfy_label_counts_release(&lc);
	return rc ? MLFY_EXIT_FAIL : 0;
}

static int stats_file(const char *path, int format, long n_classes, int as_json, long max_k)
{
	struct mlfy_labels *l = NULL;
	struct mlfy_label_counts lc;
	struct mlfy_err err;
	char a[32];
	int rc;

	mlfy_err_clear(&err);
	if (mlfy_labels_load(path, format, (int)n_classes, &l, &err))
		return cli_report("stats", &err);
	if (l->n_duplicates)
		cli_warn("stats", "%s: %s repeated label%s within an image ignored (first in image %zu)", path,
			 rcli_thousands((int64_t)l->n_duplicates, a), l->n_duplicates == 1 ? "" : "s", l->first_duplicate);
	mlfy_label_counts_init(&lc);
	if (mlfy_label_counts_add_csr(&lc, l->offsets, l->n, &err)) {
		mlfy_labels_free(l);
		return cli_report("stats", &err);
	}
	if (as_json) {
		json_t *o = to_json(path, "file", mlfy_labels_format_name(l->format), &lc, max_k);
		json_object_set_new(o, "repeated_labels_ignored", json_integer((json_int_t)l->n_duplicates));
		rc = print_json(o);
	} else {
		print_text(path, mlfy_labels_format_name(l->format), &lc, max_k);
		rc = 0;
	}
	mlfy_label_counts_release(&lc);
	mlfy_labels_free(l);
	return rc ? MLFY_EXIT_FAIL : 0;
}

int cmd_stats(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_MAX, OPT_FORMAT, OPT_CLASSES };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "max-count", required_argument, NULL, OPT_MAX },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "num-classes", required_argument, NULL, OPT_CLASSES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, as_json = 0, format = MLFY_LABELS_AUTO;
	long max_k = -1, n_classes = 0;
	const char *path;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_JSON:
			as_json = 1;
			break;
		case OPT_MAX:
			if ((max_k = cli_parse_long("stats", "--max-count", optarg, 0, 1000000)) < 0)
				return MLFY_EXIT_USAGE;
			break;
		case OPT_FORMAT:
			if ((format = mlfy_labels_parse_format(optarg)) < 0)
				return cli_usage_error("stats", "--format: unknown format '%s' "
							"(auto, real, multilabelfy, single, csv)", optarg);
			break;
		case OPT_CLASSES:
			if ((n_classes = cli_parse_long("stats", "--num-classes", optarg, 1, 1000000000)) < 0)
				return MLFY_EXIT_USAGE;
			break;
		default:
			return cli_usage_error("stats", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("stats", "expected one FILE or PROJECT argument");
	path = argv[optind];
	if (rcli_is_sqlite(path)) {
		if (format != MLFY_LABELS_AUTO || n_classes)
			return cli_usage_error("stats", "--format and --num-classes apply to label files, not projects");
		/* text output: the proposal coverage follows (docs/evaluate.md);
		 * --json has it inside the object */
		if ((c = stats_project(path, as_json, max_k)) || as_json)
			return c;
		return cli_print_coverage("stats", path);
	}
	return stats_file(path, format, n_classes, as_json, max_k);
}
