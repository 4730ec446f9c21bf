/* cmd_evaluate.c - `mlfy evaluate`: top-1, ReaL and per-label-count
 * accuracy of one or more models' predictions against multi-label ground
 * truth. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/evalargs.h"
#include "report/tables.h"

const char cmd_evaluate_summary[] = "top-1, ReaL and per-label-count accuracy of models";

static const char usage[] =
	"usage: mlfy evaluate (--labels FILE [--original FILE] | --project PROJECT)\n"
	"                     --predictions [NAME=]FILE... [--format table|csv|json]\n"
	"                     [--max-count K] [--order FILE] [--classes N] [--jobs N]\n"
	"\n"
	"Scores each model's top-1 predictions against the ground truth:\n"
	"  top-1 accuracy   prediction == original label (images with one)\n"
	"  ReaL accuracy    prediction in the image's label set; images whose set is\n"
	"                   empty are left out (Beyer et al. 2020)\n"
	"  by label count   top-1 accuracy p of the images with c = 0, 1, ..., K and\n"
	"                   more than K labels, with n, the margin of error\n"
	"                   E = 1.96 sqrt(p(1-p)/n) (the seed paper's formula) and the\n"
	"                   Wilson 95 % score interval\n"
	"Predictions are matched to images by name when the file names them, else\n"
	"by position; a row-count mismatch, an unknown image, a class out of range\n"
	"or a NaN score is an error, never a silent misalignment.\n"
	"\n"
	"Options:\n" EVALARGS_USAGE
	"  --format FMT          table (default), csv or json (see docs/evaluate.md)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy evaluate --labels real.json --original val_labels.txt \\\n"
	"      --predictions resnet50=resnet50.npy --predictions vit=vit.npy\n"
	"\n"
	"Exit status: 0 on success, 1 on bad input, 2 on a bad command line.\n";

int cmd_evaluate(int argc, char **argv)
{
	static const struct option opts[] = {
		EVALARGS_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_evalargs a;
	struct mlfy_evalset *es = NULL;
	struct mlfy_eval_results res;
	struct mlfy_err err;
	const char *format = "table";
	int c, rc;

	cli_evalargs_init(&a);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			cli_evalargs_release(&a);
			return 0;
		}
		if (c == 'f') {
			format = optarg;
			continue;
		}
		rc = cli_evalargs_option("evaluate", &a, c, optarg);
		if (rc == 1)
			continue;
		cli_evalargs_release(&a);
		return rc < 0 ? MLFY_EXIT_USAGE : cli_usage_error("evaluate", "unknown option");
	}
	if (optind < argc) {
		cli_evalargs_release(&a);
		return cli_usage_error("evaluate", "unexpected argument '%s'", argv[optind]);
	}
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
		cli_evalargs_release(&a);
		return cli_usage_error("evaluate", "--format: '%s' is not table, csv or json", format);
	}
	if ((rc = cli_evalargs_run("evaluate", &a, &es, &res))) {
		cli_evalargs_release(&a);
		return rc;
	}
	mlfy_err_clear(&err);
	if (!strcmp(format, "csv"))
		rc = mlfy_results_write_csv(stdout, &res, &err);
	else if (!strcmp(format, "json"))
		rc = mlfy_results_write_json(stdout, &res, &err);
	else
		rc = mlfy_results_write_table(stdout, &res, &err);
	mlfy_eval_results_release(&res);
	mlfy_evalset_free(es);
	cli_evalargs_release(&a);
	return rc ? cli_report("evaluate", &err) : 0;
}
