/* cmd_select_model.c - `mlfy select-model`: stage (i) model selection,
 * ranking models by ReaL accuracy (ties by top-1 accuracy). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/evalargs.h"
#include "cli/timm_cli.h"
#include "evaluate/scores.h"
#include "report/tables.h"
#include "store/models_tx.h"

static const char usage[] =
	"usage: mlfy select-model (--labels FILE [--original FILE] | --project PROJECT)\n"
	"                         --predictions [NAME=]FILE... [options]\n"
	"       mlfy select-model --results RESULTS [options]\n"
	"       mlfy select-model --timm IMAGENET.csv REAL.csv [options]\n"
	"\n"
	"Ranks models by ReaL accuracy, ties broken by top-1 accuracy (then by\n"
	"name), as in stage (i) of the seed paper: the best model proposes the\n"
	"labels annotators see.  The scores come from evaluating prediction files\n"
	"(the options of 'mlfy evaluate'), from results that 'mlfy evaluate --format\n"
	"csv|json' wrote, or from timm's results tables joined on the model name.\n"
	"\n"
	"Options:\n" EVALARGS_USAGE
	"  --results FILE        rank the models of an evaluate results file\n"
	"  --timm A B            rank the models of timm tables A (top-1) and B (ReaL)\n"
	"  --top N               print the N best only\n"
	"  --activate            with --project: make the best model that has\n"
	"                        proposals in the project its active proposal model\n"
	"  --json                print JSON\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 on success, 1 on bad input, 2 on a bad command line.\n";

static struct {
	struct cli_evalargs ea;
	const char *results;
	long top;
	int timm, activate, json;
} o = { .ea = CLI_EVALARGS_INIT };

static const struct cli_option options[] = {
	CLI_EVALARGS_OPTIONS(o.ea),
	CLI_OPT_STRING(0, "results", &o.results),
	CLI_OPT_FLAG(0, "timm", &o.timm),
	CLI_OPT_LONG(0, "top", &o.top, 1, 1L << 30),
	CLI_OPT_FLAG(0, "activate", &o.activate),
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	int sources = !!o.results + o.timm + cli_evalargs_has_set(&o.ea);

	if (sources != 1 || (o.timm ? c->argc != 2 : c->argc != 0))
		return cli_usage_error(c->name, "give exactly one of --labels/--project with "
						"--predictions, --results FILE, --timm A B");
	if (o.activate && !o.ea.project)
		return cli_usage_error(c->name, "--activate needs --project");
	c->project = o.ea.project;
	c->readonly = !o.activate;
	return cli_evalargs_has_set(&o.ea) ? cli_evalargs_check(c->name, &o.ea) : 0;
}

/* The scores of the models, from whichever source was named. */
static int scores(struct cli_ctx *c, struct mlfy_model_scores *s)
{
	struct mlfy_evalset *es;
	struct mlfy_eval_results res;
	struct mlfy_err err;
	int rc;

	mlfy_err_clear(&err);
	if (o.results)
		return mlfy_model_scores_read(o.results, s, &err) ? cli_report(c->name, &err) : 0;
	if (o.timm)
		return cli_timm_scores(c->name, c->argv[0], c->argv[1], -1, 0, s);
	if ((rc = cli_evalargs_run(c->name, &o.ea, c->store, &es, &res)))
		return rc;
	rc = mlfy_model_scores_from_eval(&res, s, &err);
	mlfy_eval_results_release(&res);
	mlfy_evalset_free(es);
	return rc ? cli_report(c->name, &err) : 0;
}

/* --activate: the best ranked model that has proposals in the project */
static int activate(struct cli_ctx *c, const struct mlfy_model_scores *s, const size_t *order)
{
	const char **ranked = malloc((s->n ? s->n : 1) * sizeof(*ranked));
	struct mlfy_err err;
	size_t i, best;
	int rc;

	if (!ranked)
		return cli_error(c->name, "out of memory");
	for (i = 0; i < s->n; i++)
		ranked[i] = s->model[order[i]];
	mlfy_err_clear(&err);
	rc = mlfy_models_activate_first(c->store, ranked, s->n, &best, &err);
	if (!rc)
		fprintf(stderr, "mlfy select-model: '%s' is now the active proposal model of %s\n", ranked[best],
			c->project);
	free(ranked);
	if (rc == MLFY_ENOTFOUND)
		return cli_error(c->name, "none of the ranked models has proposals in %s (import them with "
					  "'mlfy import-predictions' first)", c->project);
	return rc ? cli_report(c->name, &err) : 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_model_scores s = { 0 };
	struct mlfy_err err;
	size_t *order = NULL;
	int rc;

	if ((rc = scores(c, &s)))
		goto out;
	if (!(order = malloc((s.n ? s.n : 1) * sizeof(size_t)))) {
		rc = cli_error(c->name, "out of memory");
		goto out;
	}
	mlfy_rank_models(s.real, s.top1, s.model, s.n, order);
	mlfy_err_clear(&err);
	if (mlfy_rank_write(stdout, &s, order, (size_t)o.top, o.json, &err))
		rc = cli_report(c->name, &err);
	else if (o.activate)
		rc = activate(c, &s, order);
out:
	free(order);
	mlfy_model_scores_release(&s);
	return rc;
}

static void release(void)
{
	cli_evalargs_release(&o.ea);
}

const struct cli_builtin cmd_select_model = {
	.summary = "rank models by ReaL accuracy (stage i)",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
