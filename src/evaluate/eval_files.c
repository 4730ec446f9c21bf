/* eval_files.c - prediction files read, aligned and scored in one call (see
 * eval_files.h). */
#include "evaluate/eval_files.h"
#include "util/vec.h"

#include <stdlib.h>
#include <unistd.h>

#include "evaluate/top1.h"

int mlfy_eval_files_run(const struct mlfy_evalset *es, const struct mlfy_eval_files *f,
			struct mlfy_eval_results *res, struct mlfy_err *err)
{
	struct mlfy_top1_job *jobs = NULL;
	struct mlfy_top1 **preds = NULL;
	char **order = NULL;
	size_t n_order = 0, i;
	long ncpu;
	int rc, threads;

	if (f->order && (rc = mlfy_evalset_read_order(f->order, &order, &n_order, err)))
		return rc;
	jobs = calloc(f->n ? f->n : 1, sizeof(*jobs));
	preds = calloc(f->n ? f->n : 1, sizeof(*preds));  /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	if (!jobs || !preds) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		jobs[i].model = f->names[i];
		jobs[i].path = f->paths[i];
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = f->threads ? f->threads : (int)(ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu);
	if ((rc = mlfy_top1_load_many(jobs, f->n, f->n_classes ? f->n_classes : es->n_classes, threads))) {
		for (i = 0; i < f->n; i++)
			if (!jobs[i].out) {
				if (err)
					*err = jobs[i].err;
				break;
			}
		if (i == f->n)
			mlfy_err_set(err, rc, "cannot read the prediction files");
		goto out;
	}
	for (i = 0; i < f->n; i++)
		preds[i] = jobs[i].out;
	rc = mlfy_eval_run(es, preds, f->n, order, n_order, f->max_count, res, err);
out:
	if (jobs)
		for (i = 0; i < f->n; i++)
			mlfy_top1_free(jobs[i].out);
	MLFY_FREE_ALL(jobs, preds);
	mlfy_evalset_names_free(order, n_order);
	return rc;
}
