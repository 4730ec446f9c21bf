/* project_stats.c - a project's label statistics in one place (see
 * project_stats.h). */
#include "evaluate/project_stats.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

struct walk {
	struct mlfy_project_stats *st;
	struct mlfy_err *err;
};

static int count_cb(const struct mlfy_final *f, void *ctx)
{
	struct walk *w = ctx;
	if (f->stage >= MLFY_FINAL_AGREED && f->stage <= MLFY_FINAL_IMPORTED)
		w->st->by_stage[f->stage]++;
	return mlfy_label_counts_add(&w->st->counts, f->n, w->err);
}

int mlfy_project_stats_get(struct mlfy_store *s, const char *model, int k_max,
			   struct mlfy_project_stats *out, struct mlfy_err *err)
{
	struct walk w;
	int rc;

	memset(out, 0, sizeof(*out));
	mlfy_label_counts_init(&out->counts);
	w.st = out;
	w.err = err;
	if ((rc = mlfy_final_foreach(s, count_cb, &w, err)) ||
	    (rc = mlfy_final_count(s, NULL, &out->undecided, err)) ||
	    (rc = mlfy_review_stats_get(s, &out->review, err)))
		return rc;
	if (k_max <= 0)
		return 0;
	if (!(out->coverage = malloc(sizeof(*out->coverage))))
		return mlfy_err_oom(err);
	rc = mlfy_coverage_from_project(s, model, k_max, 3, out->coverage, &out->coverage_model, err);
	if (rc == MLFY_ENOTFOUND && !model) {   /* no proposals in the project: no coverage */
		free(out->coverage);
		out->coverage = NULL;
		mlfy_err_clear(err);
		return 0;
	}
	return rc;
}

void mlfy_project_stats_release(struct mlfy_project_stats *st)
{
	mlfy_label_counts_release(&st->counts);
	MLFY_FREE_ALL(st->coverage, st->coverage_model);
	memset(st, 0, sizeof(*st));
}
