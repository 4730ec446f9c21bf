/* evalargs.c - evaluation-set and prediction options shared by evaluate,
 * select-model and report (see evalargs.h). */
#include "cli/evalargs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "evaluate/top1.h"
#include "util/numfmt.h"

void cli_evalargs_init(struct cli_evalargs *a)
{
	memset(a, 0, sizeof(*a));
	a->max_count = 4;
}

void cli_evalargs_release(struct cli_evalargs *a)
{
	size_t i;
	for (i = 0; i < a->n_preds; i++) {
		free(a->pred_names[i]);
		free(a->pred_paths[i]);
	}
	free(a->pred_names);
	free(a->pred_paths);
	memset(a, 0, sizeof(*a));
}

/* NAME=FILE, or FILE with NAME = base name without its extension */
static int add_prediction(const char *cmd, struct cli_evalargs *a, const char *arg)
{
	const char *eq = strchr(arg, '='), *path = arg, *base;
	char *name, *dot;
	char **nn, **np;
	size_t i;

	if (eq && eq != arg) {
		name = strndup(arg, (size_t)(eq - arg));
		path = eq + 1;
	} else {
		base = strrchr(arg, '/');
		name = strdup(base ? base + 1 : arg);
		if (name && (dot = strrchr(name, '.')) && dot != name)
			*dot = '\0';
	}
	if (!name || !*path) {
		free(name);
		cli_usage_error(cmd, "--predictions: expected NAME=FILE or FILE, got '%s'", arg);
		return -1;
	}
	for (i = 0; i < a->n_preds; i++)
		if (!strcmp(a->pred_names[i], name)) {
			cli_usage_error(cmd, "--predictions: model name '%s' is given twice", name);
			free(name);
			return -1;
		}
	nn = realloc(a->pred_names, (a->n_preds + 1) * sizeof(char *));
	if (nn)
		a->pred_names = nn;
	np = realloc(a->pred_paths, (a->n_preds + 1) * sizeof(char *));
	if (np)
		a->pred_paths = np;
	if (!nn || !np || !(a->pred_paths[a->n_preds] = strdup(path))) {
		free(name);
		cli_error(cmd, "out of memory");
		return -1;
	}
	a->pred_names[a->n_preds++] = name;
	return 0;
}

int cli_evalargs_option(const char *cmd, struct cli_evalargs *a, int c, const char *arg)
{
	long v;
	switch (c) {
	case EVALOPT_LABELS: a->labels = arg; return 1;
	case EVALOPT_ORIGINAL: a->original = arg; return 1;
	case EVALOPT_PROJECT: a->project = arg; return 1;
	case EVALOPT_ORDER: a->order = arg; return 1;
	case EVALOPT_PREDICTIONS: return add_prediction(cmd, a, arg) ? -1 : 1;
	case EVALOPT_MAX_COUNT:
		if ((v = cli_parse_long(cmd, "--max-count", arg, 1, MLFY_EVAL_MAX_COUNT)) < 0)
			return -1;
		a->max_count = (int)v;
		return 1;
	case EVALOPT_CLASSES:
		if ((v = cli_parse_long(cmd, "--classes", arg, 1, 1 << 30)) < 0)
			return -1;
		a->n_classes = (int)v;
		return 1;
	case EVALOPT_JOBS:
		if ((v = cli_parse_long(cmd, "--jobs", arg, 1, 64)) < 0)
			return -1;
		a->jobs = (int)v;
		return 1;
	}
	return 0;
}

int cli_evalargs_has_set(const struct cli_evalargs *a)
{
	return a->labels || a->project;
}

static void warn_set(const char *cmd, const struct cli_evalargs *a, const struct mlfy_evalset *es)
{
	char n1[32], n2[32];
	if (es->n_label_duplicates)
		cli_warn(cmd, "%s: %s repeated label%s within an image dropped", es->source,
			 mlfy_fmt_count(n1, sizeof(n1), es->n_label_duplicates),
			 es->n_label_duplicates == 1 ? "" : "s");
	if (es->n_original_unmatched)
		cli_warn(cmd, "%s: %s image%s not in %s ignored (first: '%s')", a->original,
			 mlfy_fmt_count(n1, sizeof(n1), es->n_original_unmatched),
			 es->n_original_unmatched == 1 ? "" : "s", es->source,
			 es->first_original_unmatched);
	if (es->n_no_original && (a->original || a->project))
		cli_warn(cmd, "%s of %s images have no original label: left out of top-1 accuracy",
			 mlfy_fmt_count(n1, sizeof(n1), es->n_no_original),
			 mlfy_fmt_count(n2, sizeof(n2), es->n));
	if (!a->original && !a->project)
		cli_warn(cmd, "no --original labels: top-1 accuracy and accuracy by label count "
			      "are not computed (ReaL accuracy is)");
}

int cli_evalargs_run(const char *cmd, struct cli_evalargs *a, struct mlfy_evalset **es,
		     struct mlfy_eval_results *res)
{
	struct mlfy_store *s = NULL;
	struct mlfy_top1_job *jobs = NULL;
	struct mlfy_top1 **preds = NULL;
	char **order = NULL;
	size_t n_order = 0, i;
	struct mlfy_err err;
	int rc = MLFY_EXIT_FAIL, threads, n_classes;
	long ncpu;

	*es = NULL;
	mlfy_err_clear(&err);
	if (a->project && (a->labels || a->original))
		return cli_usage_error(cmd, "--project and --labels/--original exclude each other");
	if (!a->project && !a->labels)
		return cli_usage_error(cmd, "name the ground truth with --labels FILE or --project "
					    "PROJECT");
	if (!a->n_preds)
		return cli_usage_error(cmd, "no --predictions given");
	if (a->project) {
		if (!(s = cli_open_project(cmd, a->project, MLFY_STORE_READONLY)))
			return MLFY_EXIT_FAIL;
		rc = mlfy_evalset_from_project(s, es, &err);
		mlfy_store_close(s);
	} else {
		rc = mlfy_evalset_from_files(a->labels, a->original, a->n_classes, es, &err);
	}
	if (rc)
		return cli_report(cmd, &err);
	warn_set(cmd, a, *es);
	n_classes = a->n_classes ? a->n_classes : (*es)->n_classes;
	if (a->order && mlfy_evalset_read_order(a->order, &order, &n_order, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	jobs = calloc(a->n_preds, sizeof(*jobs));
	preds = calloc(a->n_preds, sizeof(*preds));  /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	if (!jobs || !preds) {
		rc = cli_error(cmd, "out of memory");
		goto out;
	}
	for (i = 0; i < a->n_preds; i++) {
		jobs[i].model = a->pred_names[i];
		jobs[i].path = a->pred_paths[i];
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = a->jobs ? a->jobs : (int)(ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu);
	if (mlfy_top1_load_many(jobs, a->n_preds, n_classes, threads)) {
		for (i = 0; i < a->n_preds; i++)
			if (!jobs[i].out) {
				rc = cli_report(cmd, &jobs[i].err);
				break;
			}
		goto out;
	}
	for (i = 0; i < a->n_preds; i++)
		preds[i] = jobs[i].out;
	if (mlfy_eval_run(*es, preds, a->n_preds, order, n_order, a->max_count, res, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	rc = 0;
out:
	if (jobs)
		for (i = 0; i < a->n_preds; i++)
			mlfy_top1_free(jobs[i].out);
	free(jobs);
	free(preds);
	mlfy_evalset_names_free(order, n_order);
	if (rc) {
		mlfy_evalset_free(*es);
		*es = NULL;
	}
	return rc;
}
