/* cmd_report.c - `mlfy report`: all figures (SVG, PNG, PDF) and an
 * index.html with the tables, for a project or for label files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/evalargs.h"
#include "cli/timm_cli.h"
#include "evaluate/coverage.h"
#include "evaluate/fit.h"
#include "evaluate/label_counts.h"
#include "evaluate/scores.h"
#include "report/plot.h"
#include "report/project_report.h"
#include "report/report.h"

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
	"  quality_accuracy         exact-set accuracy per person on gold and\n"
	"                           against the final labels (PROJECT; forest plot)\n"
	"  quality_seconds          seconds per image per person (PROJECT)\n"
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

static struct {
	struct cli_evalargs ea;
	const char *out, *results, *model, *title;
	int timm, k_max, formats;
	double outlier_t;
} o = { .ea = CLI_EVALARGS_INIT, .k_max = 20, .formats = MLFY_FIG_ALL, .outlier_t = 2 };

static int formats_of(const char *s)
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

static int parse_formats(const struct cli_option *opt, const char *arg, const char *cmd)
{
	if ((o.formats = formats_of(arg)) < 0)
		return cli_usage_error(cmd, "--formats: '%s' is not a list of svg, png, pdf", arg);
	return 0;
}

static const struct cli_option options[] = {
	CLI_EVALARGS_OPTIONS(o.ea),
	CLI_OPT_STRING(0, "out", &o.out),
	CLI_OPT_FLAG(0, "timm", &o.timm),
	CLI_OPT_STRING(0, "results", &o.results),
	CLI_OPT_CALLBACK(0, "outlier-t", &o.outlier_t, cli_opt_positive_double, 1),
	CLI_OPT_INT(0, "proposals", &o.k_max, 1, MLFY_COVERAGE_MAX_K),
	CLI_OPT_STRING(0, "model", &o.model),
	CLI_OPT_STRING(0, "title", &o.title),
	CLI_OPT_CALLBACK(0, "formats", NULL, parse_formats, 1),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	int first = 0;

	/* PROJECT as an operand is the same as --project; with --timm the two
	 * operands are the tables (then name a project with --project) */
	if (!o.timm && c->argc == 1 && !o.ea.project)
		o.ea.project = c->argv[first++];
	if (!o.out)
		return cli_usage_error(c->name, "--out DIR is required");
	if ((o.timm ? c->argc - first != 2 : c->argc - first != 0) || (o.timm && o.results))
		return cli_usage_error(c->name, "unexpected arguments (give PROJECT or --labels, and "
						"at most one of --timm A B / --results FILE)");
	if (!cli_evalargs_has_set(&o.ea) && !o.timm && !o.results)
		return cli_usage_error(c->name, "name a PROJECT or --labels FILE (or scores with "
						"--timm / --results)");
	c->project = o.ea.project;
	return o.ea.n_preds ? cli_evalargs_check(c->name, &o.ea) : 0;
}

/* The evaluation set of label files in *es when there are no predictions
 * to evaluate (a project's label counts are report/project_report.h's). */
static int label_counts(struct cli_ctx *c, struct mlfy_evalset **es)
{
	struct mlfy_err err;

	mlfy_err_clear(&err);
	if (!c->store && o.ea.labels && !o.ea.n_preds &&
	    mlfy_evalset_from_files(o.ea.labels, o.ea.original, o.ea.n_classes, es, &err))
		return cli_report(c->name, &err);
	return 0;
}

/* The ReaL vs top-1 points (models with both accuracies) and their fit:
 * fit->n == 0 when there is no figure to draw. */
static int scatter(struct cli_ctx *c, const struct mlfy_eval_results *res, struct mlfy_model_scores *scores,
		   struct mlfy_linfit *fit)
{
	struct mlfy_err err;
	size_t i, m = 0;
	int rc;

	mlfy_err_clear(&err);
	if (o.timm) {
		if ((rc = cli_timm_scores(c->name, c->argv[0], c->argv[1], -1, 0, scores)))
			return rc;
	} else if (o.results) {
		if (mlfy_model_scores_read(o.results, scores, &err))
			return cli_report(c->name, &err);
	} else if (res->n_models >= 3 && mlfy_model_scores_from_eval(res, scores, &err)) {
		return cli_report(c->name, &err);
	}
	if (!scores->n)
		return 0;
	for (i = 0; i < scores->n; i++)   /* keep models with both accuracies */
		if (scores->top1[i] == scores->top1[i] && scores->real[i] == scores->real[i]) {
			char *t = scores->model[m];
			scores->model[m] = scores->model[i];
			scores->model[i] = t;
			scores->top1[m] = scores->top1[i];
			scores->real[m++] = scores->real[i];
		}
	if (m < 3) {
		cli_warn(c->name, "fewer than 3 models with both accuracies: no ReaL vs top-1 figure");
	} else if ((rc = mlfy_linfit(scores->top1, scores->real, m, fit, &err))) {
		if (rc != MLFY_EINVAL)
			return cli_report(c->name, &err);
		/* a degenerate fit (all top-1 accuracies equal) costs the scatter
		 * only, not the rest of the report */
		cli_warn(c->name, "%s: no ReaL vs top-1 figure", err.msg);
		mlfy_linfit_release(fit);
	}
	for (i = m; i < scores->n; i++)
		free(scores->model[i]);
	scores->n = m;
	return 0;
}

/* The report of the project (report/project_report.h: the same call as
 * the admin console's), with the predictions and scatter given here. */
static int write_project(struct cli_ctx *c, const struct mlfy_eval_results *res,
			 const struct mlfy_model_scores *scores, const struct mlfy_linfit *fit)
{
	struct mlfy_project_report_opts po;
	struct mlfy_report_warnings w = { 0 };
	struct mlfy_err err;
	size_t i;
	int rc;

	mlfy_err_clear(&err);
	mlfy_project_report_opts_init(&po);
	po.title = o.title;
	po.model = o.model;
	po.k_max = o.k_max;
	po.formats = o.formats;
	po.outlier_t = o.outlier_t;
	po.results = res->n_models ? res : NULL;
	po.scores = fit->n ? scores : NULL;
	po.fit = fit->n ? fit : NULL;
	rc = mlfy_report_project(c->store, o.out, &po, &w, &err);
	for (i = 0; i < w.n; i++)
		cli_warn(c->name, "%s", w.msg[i]);
	mlfy_report_warnings_release(&w);
	return rc ? cli_report(c->name, &err) : 0;
}

/* The report of label files or of scores alone. */
static int write_files(struct cli_ctx *c, const struct mlfy_label_counts *counts,
		       const struct mlfy_eval_results *res, const struct mlfy_model_scores *scores,
		       const struct mlfy_linfit *fit)
{
	struct mlfy_report_input in;
	struct mlfy_err err;
	char *title = NULL;
	int rc = 0;

	mlfy_err_clear(&err);
	if (!o.title && asprintf(&title, "multilabelfy report: %s", o.ea.labels ? o.ea.labels : "models") < 0)
		title = NULL;
	in = (struct mlfy_report_input){
		.title = o.title ? o.title : title,
		.counts = counts->n_images ? counts : NULL,
		.counts_source = o.ea.labels,
		.results = res->n_models ? res : NULL,
		.scores = fit->n ? scores : NULL,
		.fit = fit->n ? fit : NULL,
		.outlier_t = o.outlier_t,
		.formats = o.formats,
	};
	if (mlfy_report_write(o.out, &in, &err))
		rc = cli_report(c->name, &err);
	free(title);
	return rc;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_label_counts counts;
	struct mlfy_model_scores scores = { 0 };
	struct mlfy_linfit fit = { 0 };
	struct mlfy_eval_results res = { 0 };
	struct mlfy_evalset *es = NULL;
	struct mlfy_err err;
	int rc;

	mlfy_label_counts_init(&counts);
	mlfy_err_clear(&err);
	if ((rc = label_counts(c, &es)))
		goto out;
	/* accuracies */
	if (o.ea.n_preds && (rc = cli_evalargs_run(c->name, &o.ea, c->store, &es, &res)))
		goto out;
	if (!c->store && es && mlfy_label_counts_add_csr(&counts, es->off, es->n, &err)) {
		rc = cli_report(c->name, &err);
		goto out;
	}
	if ((rc = scatter(c, &res, &scores, &fit)))
		goto out;
	rc = c->store ? write_project(c, &res, &scores, &fit) : write_files(c, &counts, &res, &scores, &fit);
	if (!rc)
		printf("%s/index.html\n", o.out);
out:
	mlfy_plot_shutdown();
	mlfy_linfit_release(&fit);
	mlfy_model_scores_release(&scores);
	mlfy_eval_results_release(&res);
	mlfy_evalset_free(es);
	mlfy_label_counts_release(&counts);
	return rc;
}

static void release(void)
{
	cli_evalargs_release(&o.ea);
}

const struct cli_builtin cmd_report = {
	.summary = "write figures (SVG/PNG/PDF) and index.html",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
