/* evalargs.c - evaluation-set and prediction options shared by evaluate,
 * select-model and report (see evalargs.h). */
#include "cli/evalargs.h"
#include "util/vec.h"
#include "util/file.h"

#include <stdlib.h>
#include <string.h>

#include "evaluate/eval_files.h"
#include "util/numfmt.h"

void cli_evalargs_release(struct cli_evalargs *a)
{
	size_t i;
	for (i = 0; i < a->n_preds; i++) {
		MLFY_FREE_ALL(a->pred_names[i], a->pred_paths[i]);
	}
	MLFY_FREE_ALL(a->pred_names, a->pred_paths);
	memset(a, 0, sizeof(*a));
	a->max_count = 4;
}

int cli_evalargs_add_prediction(const struct cli_option *opt, const char *arg, const char *cmd)
{
	struct cli_evalargs *a = opt->value;
	const char *eq = strchr(arg, '='), *path = arg;
	char *name, *dot;
	char **nn, **np;
	size_t i;

	if (eq && eq != arg) {
		name = strndup(arg, (size_t)(eq - arg));
		path = eq + 1;
	} else {
		name = strdup(mlfy_path_base(arg));
		if (name && (dot = strrchr(name, '.')) && dot != name)
			*dot = '\0';
	}
	if (!name || !*path) {
		free(name);
		return cli_usage_error(cmd, "--predictions: expected NAME=FILE or FILE, got '%s'", arg);
	}
	for (i = 0; i < a->n_preds; i++)
		if (!strcmp(a->pred_names[i], name)) {
			cli_usage_error(cmd, "--predictions: model name '%s' is given twice", name);
			free(name);
			return MLFY_EXIT_USAGE;
		}
	nn = realloc(a->pred_names, (a->n_preds + 1) * sizeof(char *));
	if (nn)
		a->pred_names = nn;
	np = realloc(a->pred_paths, (a->n_preds + 1) * sizeof(char *));
	if (np)
		a->pred_paths = np;
	if (!nn || !np || !(a->pred_paths[a->n_preds] = strdup(path))) {
		free(name);
		return cli_error(cmd, "out of memory");
	}
	a->pred_names[a->n_preds++] = name;
	return 0;
}

int cli_evalargs_has_set(const struct cli_evalargs *a)
{
	return a->labels || a->project;
}

int cli_evalargs_check(const char *cmd, const struct cli_evalargs *a)
{
	if (a->project && (a->labels || a->original))
		return cli_usage_error(cmd, "--project and --labels/--original exclude each other");
	if (!a->project && !a->labels)
		return cli_usage_error(cmd, "name the ground truth with --labels FILE or --project "
					    "PROJECT");
	if (!a->n_preds)
		return cli_usage_error(cmd, "no --predictions given");
	return 0;
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

int cli_evalargs_run(const char *cmd, const struct cli_evalargs *a, struct mlfy_store *s,
		     struct mlfy_evalset **es, struct mlfy_eval_results *res)
{
	struct mlfy_eval_files f = {
		(const char *const *)a->pred_names, (const char *const *)a->pred_paths, a->n_preds,
		a->order, a->n_classes, a->max_count, a->jobs
	};
	struct mlfy_err err;

	*es = NULL;
	mlfy_err_clear(&err);
	if (a->project ? mlfy_evalset_from_project(s, es, &err)
		       : mlfy_evalset_from_files(a->labels, a->original, a->n_classes, es, &err))
		return cli_report(cmd, &err);
	warn_set(cmd, a, *es);
	if (mlfy_eval_files_run(*es, &f, res, &err)) {
		mlfy_evalset_free(*es);
		*es = NULL;
		return cli_report(cmd, &err);
	}
	return 0;
}
