/* cmd_fit.c - `mlfy fit`: least-squares line of ReaL accuracy on top-1
 * accuracy over models, from evaluate results or timm's results tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/timm_cli.h"
#include "evaluate/fit.h"
#include "evaluate/scores.h"
#include "report/figures.h"
#include "report/tables.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy fit RESULTS [options]\n"
	"       mlfy fit --timm IMAGENET.csv REAL.csv [--by-size] [options]\n"
	"\n"
	"Fits the least-squares line ReaL = slope x top-1 + intercept over models\n"
	"(GSL gsl_fit_linear) and prints the coefficients with their standard\n"
	"errors, R^2, n, and the models whose externally studentized residual\n"
	"exceeds the threshold in absolute value (outliers).\n"
	"\n"
	"RESULTS is the CSV or JSON written by 'mlfy evaluate --format csv|json'.\n"
	"With --timm, two of timm's aggregated results tables (results-imagenet.csv\n"
	"and results-imagenet-real.csv from pytorch-image-models/results/) are\n"
	"joined on the model name; models found in one table only are reported\n"
	"with their count (an error with --strict).  timm lists a model once per\n"
	"evaluated image size: the join keeps each model's last row, or with\n"
	"--by-size joins on (model, img_size) and keeps every evaluation.\n"
	"\n"
	"Options:\n"
	"  --timm A B          read timm results tables A (x: top-1) and B (y: ReaL)\n"
	"  --by-size           join the timm tables on (model, img_size)\n"
	"  --strict            fail when a model is in one timm table only\n"
	"  --outlier-t T       outlier threshold on |studentized residual| (default 2)\n"
	"  --figure DIR        also write DIR/real_vs_top1.{svg,png,pdf} (DIR is created\n"
	"                      when missing)\n"
	"  --json              print JSON instead of text\n"
	"  -h, --help          show this help\n"
	"\n"
	"Example:\n"
	"  mlfy fit --timm results-imagenet.csv results-imagenet-real.csv\n"
	"\n"
	"Exit status: 0 on success, 1 on bad input, 2 on a bad command line.\n";

static struct {
	int timm, by_size, strict, json;
	double outlier_t;
	const char *figure;
} o = { .outlier_t = 2 };

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "timm", &o.timm),
	CLI_OPT_FLAG(0, "by-size", &o.by_size),
	CLI_OPT_FLAG(0, "strict", &o.strict),
	CLI_OPT_CALLBACK(0, "outlier-t", &o.outlier_t, cli_opt_positive_double, 1),
	CLI_OPT_STRING(0, "figure", &o.figure),
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (o.timm ? c->argc != 2 : c->argc != 1)
		return cli_usage_error(c->name, o.timm ? "--timm needs two tables: IMAGENET.csv REAL.csv"
						     : "expected one RESULTS file (or --timm A B)");
	if (!o.timm && (o.by_size || o.strict))
		return cli_usage_error(c->name, "--by-size and --strict apply to --timm only");
	return 0;
}

/* The fit of the points and, with --figure, its scatter plot. */
static int fit_and_write(struct cli_ctx *c, const struct mlfy_model_scores *pts)
{
	struct mlfy_linfit fit = { 0 };
	struct mlfy_err err;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_linfit(pts->top1, pts->real, pts->n, &fit, &err) ||
	    mlfy_fit_write(stdout, pts, &fit, o.outlier_t, o.json, &err)) {
		rc = cli_report(c->name, &err);
	} else if (o.figure) {
		struct mlfy_fig_scatter f = {
			"ReaL accuracy vs top-1 accuracy", "top-1 accuracy (%)", "ReaL accuracy (%)", "top-1", "ReaL",
			pts->n, pts->top1, pts->real, (const char *const *)pts->model, &fit, o.outlier_t, 8
		};
		if (mkdir(o.figure, 0777) && errno != EEXIST) {
			rc = cli_error(c->name, "%s: cannot create directory: %s", o.figure, strerror(errno));
		} else {
			if (mlfy_fig_scatter(o.figure, "real_vs_top1", MLFY_FIG_ALL, &f, &err))
				rc = cli_report(c->name, &err);
			mlfy_plot_shutdown();
		}
	}
	mlfy_linfit_release(&fit);
	return rc;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_model_scores s = { 0 };
	struct mlfy_err err;
	double *x = NULL, *y = NULL;
	char **names = NULL;
	size_t i, m;
	int rc;

	mlfy_err_clear(&err);
	if (o.timm) {
		if ((rc = cli_timm_scores(c->name, c->argv[0], c->argv[1], o.by_size, o.strict, &s)))
			return rc;
	} else if (mlfy_model_scores_read(c->argv[0], &s, &err)) {
		return cli_report(c->name, &err);
	}
	/* models without both accuracies cannot be points */
	x = malloc(s.n * sizeof(double));
	y = malloc(s.n * sizeof(double));
	names = malloc(s.n * sizeof(char *));
	if (!x || !y || !names) {
		rc = cli_error(c->name, "out of memory");
	} else {
		for (i = m = 0; i < s.n; i++)
			if (s.top1[i] == s.top1[i] && s.real[i] == s.real[i]) {
				x[m] = s.top1[i];
				y[m] = s.real[i];
				names[m++] = s.model[i];
			}
		if (m < s.n)
			cli_warn(c->name, "%zu model%s without both accuracies left out", s.n - m,
				 s.n - m == 1 ? "" : "s");
		/* the points actually fitted, in the same order as fit's arrays */
		struct mlfy_model_scores pts = { m, names, x, y, s.source };
		rc = fit_and_write(c, &pts);
	}
	MLFY_FREE_ALL(x, y, names);
	mlfy_model_scores_release(&s);
	return rc;
}

const struct cli_builtin cmd_fit = {
	.summary = "fit ReaL accuracy against top-1 accuracy over models",
	.usage = usage, .options = options, .check = check, .run = run,
};
