/* cmd_select_model.c - `mlfy select-model`: stage (i) model selection,
 * ranking models by ReaL accuracy (ties by top-1 accuracy). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/timm_cli.h"
#include "cli/evalargs.h"
#include "evaluate/scores.h"
#include "report/tables.h"
#include "store/proposals.h"

const char cmd_select_model_summary[] = "rank models by ReaL accuracy (stage i)";

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

enum { OPT_RESULTS = 0x200, OPT_TIMM, OPT_TOP, OPT_ACTIVATE, OPT_JSON };

static int activate(const char *project, const struct mlfy_model_scores *s, const size_t *order)
{
	struct mlfy_store *st;
	struct mlfy_model m = { 0 };
	struct mlfy_err err;
	size_t i;
	int rc = MLFY_EXIT_FAIL;

	if (!(st = cli_open_project("select-model", project, 0)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	for (i = 0; i < s->n; i++) {
		int r = mlfy_models_find(st, s->model[order[i]], &m, &err);
		mlfy_model_release(&m);
		if (r == MLFY_ENOTFOUND)
			continue;
		if (r) {
			rc = cli_report("select-model", &err);
			goto out;
		}
		if (mlfy_store_begin(st, &err) ||
		    mlfy_models_set_active(st, s->model[order[i]], &err) ||
		    mlfy_store_commit(st, &err)) {
			mlfy_store_rollback(st);
			rc = cli_report("select-model", &err);
			goto out;
		}
		fprintf(stderr, "mlfy select-model: '%s' is now the active proposal model of %s\n",
			s->model[order[i]], project);
		rc = 0;
		goto out;
	}
	rc = cli_error("select-model", "none of the ranked models has proposals in %s (import "
				       "them with 'mlfy import-predictions' first)",
		       project);
out:
	mlfy_store_close(st);
	return rc;
}

int cmd_select_model(int argc, char **argv)
{
	static const struct option opts[] = {
		EVALARGS_OPTIONS,
		{ "results", required_argument, NULL, OPT_RESULTS },
		{ "timm", no_argument, NULL, OPT_TIMM },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "activate", no_argument, NULL, OPT_ACTIVATE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_evalargs a;
	struct mlfy_model_scores s = { 0 };
	struct mlfy_err err;
	const char *results = NULL;
	size_t *order = NULL;
	long top = 0;
	int c, rc, timm = 0, act = 0, json = 0, sources;

	cli_evalargs_init(&a);
	optind = 1;
	mlfy_err_clear(&err);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); cli_evalargs_release(&a); return 0;
		case OPT_RESULTS: results = optarg; continue;
		case OPT_TIMM: timm = 1; continue;
		case OPT_ACTIVATE: act = 1; continue;
		case OPT_JSON: json = 1; continue;
		case OPT_TOP:
			if ((top = cli_parse_long("select-model", "--top", optarg, 1, 1L << 30)) < 0) {
				cli_evalargs_release(&a);
				return MLFY_EXIT_USAGE;
			}
			continue;
		}
		rc = cli_evalargs_option("select-model", &a, c, optarg);
		if (rc == 1)
			continue;
		cli_evalargs_release(&a);
		return rc < 0 ? MLFY_EXIT_USAGE : cli_usage_error("select-model", "unknown option");
	}
	sources = !!results + timm + cli_evalargs_has_set(&a);
	if (sources != 1 || (timm ? argc - optind != 2 : argc - optind != 0)) {
		cli_evalargs_release(&a);
		return cli_usage_error("select-model", "give exactly one of --labels/--project with "
						       "--predictions, --results FILE, --timm A B");
	}
	if (act && !a.project) {
		cli_evalargs_release(&a);
		return cli_usage_error("select-model", "--activate needs --project");
	}
	if (results) {
		if (mlfy_model_scores_read(results, &s, &err)) {
			rc = cli_report("select-model", &err);
			goto out;
		}
	} else if (timm) {
		if ((rc = cli_timm_scores("select-model", argv[optind], argv[optind + 1], -1, 0, &s)))
			goto out;
	} else {
		struct mlfy_evalset *es;
		struct mlfy_eval_results res;
		if ((rc = cli_evalargs_run("select-model", &a, &es, &res)))
			goto out;
		rc = mlfy_model_scores_from_eval(&res, &s, &err);
		mlfy_eval_results_release(&res);
		mlfy_evalset_free(es);
		if (rc) {
			rc = cli_report("select-model", &err);
			goto out;
		}
	}
	if (!(order = malloc((s.n ? s.n : 1) * sizeof(size_t)))) {
		rc = cli_error("select-model", "out of memory");
		goto out;
	}
	mlfy_rank_models(s.real, s.top1, s.model, s.n, order);
	if (mlfy_rank_write(stdout, &s, order, (size_t)top, json, &err)) {
		rc = cli_report("select-model", &err);
		goto out;
	}
	rc = act ? activate(a.project, &s, order) : 0;
out:
	free(order);
	mlfy_model_scores_release(&s);
	cli_evalargs_release(&a);
	return rc;
}
