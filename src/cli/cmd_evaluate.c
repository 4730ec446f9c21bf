/* cmd_evaluate.c - `mlfy evaluate`: top-1, ReaL and per-label-count
 * accuracy of one or more models' predictions against multi-label ground
 * truth. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/evalargs.h"
#include "report/tables.h"

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

static struct {
	struct cli_evalargs ea;
	const char *format;
} o = { .ea = CLI_EVALARGS_INIT, .format = "table" };

static const struct cli_option options[] = {
	CLI_EVALARGS_OPTIONS(o.ea),
	CLI_OPT_STRING('f', "format", &o.format),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc > 0)
		return cli_usage_error(c->name, "unexpected argument '%s'", c->argv[0]);
	if (strcmp(o.format, "table") && strcmp(o.format, "csv") && strcmp(o.format, "json"))
		return cli_usage_error(c->name, "--format: '%s' is not table, csv or json", o.format);
	c->project = o.ea.project;
	return cli_evalargs_check(c->name, &o.ea);
}

static int run(struct cli_ctx *c)
{
	struct mlfy_evalset *es;
	struct mlfy_eval_results res;
	struct mlfy_err err;
	int rc;

	if ((rc = cli_evalargs_run(c->name, &o.ea, c->store, &es, &res)))
		return rc;
	mlfy_err_clear(&err);
	if (!strcmp(o.format, "csv"))
		rc = mlfy_results_write_csv(stdout, &res, &err);
	else if (!strcmp(o.format, "json"))
		rc = mlfy_results_write_json(stdout, &res, &err);
	else
		rc = mlfy_results_write_table(stdout, &res, &err);
	mlfy_eval_results_release(&res);
	mlfy_evalset_free(es);
	return rc ? cli_report(c->name, &err) : 0;
}

static void release(void)
{
	cli_evalargs_release(&o.ea);
}

const struct cli_builtin cmd_evaluate = {
	.summary = "top-1, ReaL and per-label-count accuracy of models",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
