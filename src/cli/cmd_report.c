/* cmd_report.c - `mlfy report`: all figures (SVG, PNG, PDF) and an
 * index.html with the tables, for a project or for label files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/timm_cli.h"
#include "cli/evalargs.h"
#include "evaluate/coverage.h"
#include "evaluate/fit.h"
#include "evaluate/label_counts.h"
#include "evaluate/scores.h"
#include "report/plot.h"
#include "report/report.h"
#include "store/final_labels.h"
#include "store/dashboard.h"
#include "store/review_stats.h"
#include "store/zero_label.h"

const char cmd_report_summary[] = "write figures (SVG/PNG/PDF) and index.html";

static const char usage[] =
	"usage: mlfy report PROJECT --out DIR [options]\n"
	"       mlfy report --labels FILE [--original FILE] --out DIR [options]\n"
	"       mlfy report [--project P | --labels FILE] --timm A B --out DIR\n"
	"\n"
	"Writes into DIR every figure the inputs allow, each as SVG, PNG and PDF,\n"
	"and index.html with the tables (docs/evaluate.md shows examples):\n"
	"  label_counts             labels per image (donut with percentages)\n"
	"  top1_by_label_count      heatmap models x label count of top-1 accuracy\n"
	"  moe_by_label_count       heatmap of the margin of error E\n"
	"  accuracy_by_label_count  top-1 accuracy by label count with +-E bars\n"
	"  real_vs_top1             ReaL vs top-1 over models: fitted line, equation,\n"
	"                           R^2, outliers labelled (needs >= 3 models)\n"
	"  proposal_coverage        share of final labels within the top-k proposals\n"
	"                           (PROJECT with proposals)\n"
	"  zero_label_review        categories of the expert's review of images\n"
	"                           without labels (PROJECT with such reviews)\n"
	"plus results.csv and results.json when predictions are evaluated.\n"
	"\n"
	"With PROJECT the final label sets, original labels and proposals of the\n"
	"project are used; with --labels the label files.  Predictions\n"
	"(--predictions) are evaluated as by 'mlfy evaluate'.\n"
	"\n"
	"Options:\n" EVALARGS_USAGE
	"  --out DIR             output directory (created when missing; required)\n"
	"  --timm A B            scatter points from timm results tables A (top-1) and\n"
	"                        B (ReaL) instead of the evaluated models\n"
	"  --results FILE        scatter points from 'mlfy evaluate' results\n"
	"  --outlier-t T         outlier threshold on |studentized residual| (default 2)\n"
	"  --proposals K         proposals per image for the coverage curve (default 20)\n"
	"  --model NAME          coverage of this model's proposals (default: the active\n"
	"                        proposal model)\n"
	"  --title TEXT          page title\n"
	"  --formats LIST        comma-separated subset of svg,png,pdf (default all)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy report --labels refined_labels.json --out report/\n"
	"  firefox report/index.html\n"
	"\n"
	"Exit status: 0 on success, 1 on bad input, 2 on a bad command line.\n";

enum { OPT_OUT = 0x200, OPT_TIMM, OPT_RESULTS, OPT_OUTLIER, OPT_PROPOSALS, OPT_MODEL,
       OPT_TITLE, OPT_FORMATS };

struct count_walk {
	struct mlfy_label_counts *lc;
	struct mlfy_err *err;
};

static int count_cb(const struct mlfy_final *f, void *ctx)
{
	struct count_walk *w = ctx;
	return mlfy_label_counts_add(w->lc, f->n, w->err);
}

static int parse_formats(const char *s)
{
	int f = 0;
	char buf[64], *tok, *save;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "svg"))
			f |= MLFY_FIG_SVG;
		else if (!strcmp(tok, "png"))
			f |= MLFY_FIG_PNG;
		else if (!strcmp(tok, "pdf"))
			f |= MLFY_FIG_PDF;
		else
			return -1;
	}
	return f ? f : -1;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		EVALARGS_OPTIONS,
		{ "out", required_argument, NULL, OPT_OUT },
		{ "timm", no_argument, NULL, OPT_TIMM },
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "outlier-t", required_argument, NULL, OPT_OUTLIER },
		{ "proposals", required_argument, NULL, OPT_PROPOSALS },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "formats", required_argument, NULL, OPT_FORMATS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_evalargs a;
	struct mlfy_report_input in;
	struct mlfy_label_counts lc;
	struct mlfy_model_scores scores = { 0 };
	struct mlfy_linfit fit = { 0 };
	struct mlfy_coverage *cov = NULL;
	struct mlfy_eval_results res = { 0 };
	struct mlfy_evalset *es = NULL;
	struct mlfy_err err;
	struct mlfy_review_stats rs = { 0 };
	/* display names of MLFY_ZERO_CATEGORIES and MLFY_ZERO_VERDICTS, same order */
	static const char *const zero_names[MLFY_ZERO_N_CATEGORIES] = {
		"no valid proposal", "low resolution", "fine-grained", "unusual object or view"
	};
	static const char *const verdict_names[MLFY_ZERO_N_VERDICTS] = { "agree", "disagree",
									  "unsure" };
	const char *out = NULL, *results = NULL, *model = NULL, *title = NULL;
	char *cov_model = NULL, *auto_title = NULL;
	int c, rc = MLFY_EXIT_FAIL, timm = 0, k_max = 20, formats = MLFY_FIG_ALL;
	long v;
	double outlier_t = 2;

	cli_evalargs_init(&a);
	mlfy_label_counts_init(&lc);
	mlfy_err_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); cli_evalargs_release(&a); return 0;
		case OPT_OUT: out = optarg; continue;
		case OPT_TIMM: timm = 1; continue;
		case OPT_RESULTS: results = optarg; continue;
		case OPT_MODEL: model = optarg; continue;
		case OPT_TITLE: title = optarg; continue;
		case OPT_FORMATS:
			if ((formats = parse_formats(optarg)) < 0) {
				cli_evalargs_release(&a);
				return cli_usage_error("report", "--formats: '%s' is not a list of svg, "
								 "png, pdf", optarg);
			}
			continue;
		case OPT_PROPOSALS:
			if ((v = cli_parse_long("report", "--proposals", optarg, 1,
						MLFY_COVERAGE_MAX_K)) < 0) {
				cli_evalargs_release(&a);
				return MLFY_EXIT_USAGE;
			}
			k_max = (int)v;
			continue;
		case OPT_OUTLIER: {
			char *end;
			outlier_t = strtod(optarg, &end);
			if (*end || end == optarg || !(outlier_t > 0)) {
				cli_evalargs_release(&a);
				return cli_usage_error("report", "--outlier-t: '%s' is not a positive "
								 "number", optarg);
			}
			continue;
		}
		}
		rc = cli_evalargs_option("report", &a, c, optarg);
		if (rc == 1)
			continue;
		cli_evalargs_release(&a);
		return rc < 0 ? MLFY_EXIT_USAGE : cli_usage_error("report", "unknown option");
	}
	/* PROJECT as an operand is the same as --project; with --timm the two
	 * operands are the tables (then name a project with --project) */
	if (!timm && argc - optind == 1 && !a.project)
		a.project = argv[optind++];
	if (!out) {
		cli_evalargs_release(&a);
		return cli_usage_error("report", "--out DIR is required");
	}
	if ((timm ? argc - optind != 2 : argc - optind != 0) || (timm && results)) {
		cli_evalargs_release(&a);
		return cli_usage_error("report", "unexpected arguments (give PROJECT or --labels, and "
						 "at most one of --timm A B / --results FILE)");
	}
	if (!cli_evalargs_has_set(&a) && !timm && !results) {
		cli_evalargs_release(&a);
		return cli_usage_error("report", "name a PROJECT or --labels FILE (or scores with "
						 "--timm / --results)");
	}

	/* label-count distribution and proposal coverage */
	if (a.project) {
		struct mlfy_store *s = cli_open_project("report", a.project, MLFY_STORE_READONLY);
		struct count_walk w = { &lc, &err };
		int64_t undecided = 0;
		if (!s)
			goto out;
		rc = mlfy_final_foreach(s, count_cb, &w, &err);
		if (!rc)
			rc = mlfy_final_count(s, NULL, &undecided, &err);
		if (!rc && undecided)
			cli_warn("report", "%lld image%s not yet decided: left out of the label counts",
				 (long long)undecided, undecided == 1 ? "" : "s");
		if (!rc)
			rc = mlfy_review_stats_get(s, &rs, &err);
		if (!rc && (cov = malloc(sizeof(*cov)))) {
			int r2 = mlfy_coverage_from_project(s, model, k_max, 3, cov, &cov_model, &err);
			if (r2 == MLFY_ENOTFOUND && !model) {
				free(cov);   /* no proposals in the project: no coverage curve */
				cov = NULL;
			} else if (r2) {
				rc = r2;
			} else if (cov->n_no_proposals) {
				cli_warn("report", "%zu decided image%s without proposals from '%s'",
					 cov->n_no_proposals, cov->n_no_proposals == 1 ? "" : "s",
					 cov_model);
			}
		}
		mlfy_store_close(s);
		if (rc) {
			rc = cli_report("report", &err);
			goto out;
		}
	} else if (a.labels && !a.n_preds) {
		if ((rc = mlfy_evalset_from_files(a.labels, a.original, a.n_classes, &es, &err))) {
			rc = cli_report("report", &err);
			goto out;
		}
	}
	/* accuracies */
	if (a.n_preds && (rc = cli_evalargs_run("report", &a, &es, &res)))
		goto out;
	if (!a.project && es && mlfy_label_counts_add_csr(&lc, es->off, es->n, &err)) {
		rc = cli_report("report", &err);
		goto out;
	}
	/* scatter points */
	if (timm) {
		if ((rc = cli_timm_scores("report", argv[optind], argv[optind + 1], -1, 0, &scores)))
			goto out;
	} else if (results) {
		if (mlfy_model_scores_read(results, &scores, &err)) {
			rc = cli_report("report", &err);
			goto out;
		}
	} else if (res.n_models >= 3 && mlfy_model_scores_from_eval(&res, &scores, &err)) {
		rc = cli_report("report", &err);
		goto out;
	}
	if (scores.n) {
		size_t i, m = 0;
		for (i = 0; i < scores.n; i++)   /* keep models with both accuracies */
			if (scores.top1[i] == scores.top1[i] && scores.real[i] == scores.real[i]) {
				char *t = scores.model[m];
				scores.model[m] = scores.model[i];
				scores.model[i] = t;
				scores.top1[m] = scores.top1[i];
				scores.real[m++] = scores.real[i];
			}
		if (m < 3) {
			cli_warn("report", "fewer than 3 models with both accuracies: no ReaL vs top-1 "
					   "figure");
		} else if ((rc = mlfy_linfit(scores.top1, scores.real, m, &fit, &err))) {
			if (rc != MLFY_EINVAL) {
				rc = cli_report("report", &err);
				goto out;
			}
			/* a degenerate fit (all top-1 accuracies equal) costs the
			 * scatter only, not the rest of the report */
			cli_warn("report", "%s: no ReaL vs top-1 figure", err.msg);
			mlfy_linfit_release(&fit);
			rc = 0;
		}
		for (i = m; i < scores.n; i++)
			free(scores.model[i]);
		scores.n = m;
	}
	if (!title) {
		if (asprintf(&auto_title, "multilabelfy report: %s",
			     a.project ? a.project : a.labels ? a.labels : "models") < 0)
			auto_title = NULL;
		title = auto_title;
	}
	in = (struct mlfy_report_input){
		.title = title,
		.counts = lc.n_images ? &lc : NULL,
		.counts_source = a.project ? a.project : a.labels,
		.results = res.n_models ? &res : NULL,
		.scores = fit.n ? &scores : NULL,
		.fit = fit.n ? &fit : NULL,
		.outlier_t = outlier_t,
		.coverage = cov,
		.coverage_model = cov_model,
		/* the zero-label review, when an expert reviewed any empty-set image */
		.n_zero = rs.zero_reviewed ? MLFY_ZERO_N_CATEGORIES : 0,
		.zero_names = zero_names,
		.zero_counts = rs.by_category,
		.zero_pending = rs.zero_label - rs.zero_reviewed,
		.n_verdicts = rs.zero_reviewed ? MLFY_ZERO_N_VERDICTS : 0,
		.verdict_names = verdict_names,
		.verdict_counts = rs.by_verdict,
		.formats = formats,
	};
	if (mlfy_report_write(out, &in, &err)) {
		rc = cli_report("report", &err);
		goto out;
	}
	printf("%s/index.html\n", out);
	rc = 0;
out:
	mlfy_plot_shutdown();
	free(auto_title);
	free(cov_model);
	free(cov);
	mlfy_linfit_release(&fit);
	mlfy_model_scores_release(&scores);
	mlfy_eval_results_release(&res);
	mlfy_evalset_free(es);
	mlfy_label_counts_release(&lc);
	cli_evalargs_release(&a);
	return rc;
}
