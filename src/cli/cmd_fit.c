/* cmd_fit.c - `mlfy fit`: least-squares line of ReaL accuracy on top-1
 * accuracy over models, from evaluate results or timm's results tables. */
#include <errno.h>
#include <getopt.h>
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
#include "util/numfmt.h"

const char cmd_fit_summary[] = "fit ReaL accuracy against top-1 accuracy over models";

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

enum { OPT_TIMM = 0x100, OPT_BY_SIZE, OPT_STRICT, OPT_OUTLIER, OPT_FIGURE, OPT_JSON };

int cmd_fit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timm", no_argument, NULL, OPT_TIMM },
		{ "by-size", no_argument, NULL, OPT_BY_SIZE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "outlier-t", required_argument, NULL, OPT_OUTLIER },
		{ "figure", required_argument, NULL, OPT_FIGURE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_model_scores s = { 0 };
	struct mlfy_linfit fit = { 0 };
	struct mlfy_err err;
	const char *figure = NULL;
	double outlier_t = 2;
	int c, timm = 0, by_size = 0, strict = 0, json = 0, rc;
	size_t i, m;
	double *x = NULL, *y = NULL;
	char **names = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); return 0;
		case OPT_TIMM: timm = 1; break;
		case OPT_BY_SIZE: by_size = 1; break;
		case OPT_STRICT: strict = 1; break;
		case OPT_JSON: json = 1; break;
		case OPT_FIGURE: figure = optarg; break;
		case OPT_OUTLIER: {
			char *end;
			outlier_t = strtod(optarg, &end);
			if (*end || end == optarg || !(outlier_t > 0))
				return cli_usage_error("fit", "--outlier-t: '%s' is not a positive number",
						       optarg);
			break;
		}
		default: return cli_usage_error("fit", "unknown option");
		}
	}
	if (timm ? argc - optind != 2 : argc - optind != 1)
		return cli_usage_error("fit", timm ? "--timm needs two tables: IMAGENET.csv REAL.csv"
						   : "expected one RESULTS file (or --timm A B)");
	if (!timm && (by_size || strict))
		return cli_usage_error("fit", "--by-size and --strict apply to --timm only");
	mlfy_err_clear(&err);
	if (timm) {
		if ((rc = cli_timm_scores("fit", argv[optind], argv[optind + 1], by_size, strict, &s)))
			return rc;
	} else if (mlfy_model_scores_read(argv[optind], &s, &err)) {
		return cli_report("fit", &err);
	}
	/* models without both accuracies cannot be points */
	x = malloc(s.n * sizeof(double));
	y = malloc(s.n * sizeof(double));
	names = malloc(s.n * sizeof(char *));
	if (!x || !y || !names) {
		rc = cli_error("fit", "out of memory");
		goto out;
	}
	for (i = m = 0; i < s.n; i++)
		if (s.top1[i] == s.top1[i] && s.real[i] == s.real[i]) {
			x[m] = s.top1[i];
			y[m] = s.real[i];
			names[m++] = s.model[i];
		}
	if (m < s.n)
		cli_warn("fit", "%zu model%s without both accuracies left out", s.n - m,
			 s.n - m == 1 ? "" : "s");
	/* the points actually fitted, in the same order as fit's arrays */
	{
		struct mlfy_model_scores pts = { m, names, x, y, s.source };
		if (mlfy_linfit(x, y, m, &fit, &err)) {
			rc = cli_report("fit", &err);
			goto out;
		}
		if (mlfy_fit_write(stdout, &pts, &fit, outlier_t, json, &err)) {
			rc = cli_report("fit", &err);
			goto out;
		}
		if (figure) {
			struct mlfy_fig_scatter f = {
				"ReaL accuracy vs top-1 accuracy", "top-1 accuracy (%)",
				"ReaL accuracy (%)", "top-1", "ReaL", m, x, y,
				(const char *const *)names, &fit, outlier_t, 8
			};
			if (mkdir(figure, 0777) && errno != EEXIST) {
				rc = cli_error("fit", "%s: cannot create directory: %s", figure,
					       strerror(errno));
				goto out;
			}
			rc = mlfy_fig_scatter(figure, "real_vs_top1", MLFY_FIG_ALL, &f, &err);
			mlfy_plot_shutdown();
			if (rc) {
				rc = cli_report("fit", &err);
				goto out;
			}
		}
	}
	rc = 0;
out:
	mlfy_linfit_release(&fit);
	free(x);
	free(y);
	free(names);
	mlfy_model_scores_release(&s);
	return rc;
}
