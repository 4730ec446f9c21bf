/* assign_plan.c - stage ii and stage iv assignments as one transaction
 * each, with a dry run (assign_plan.h). */
#include "review/assign_plan.h"

#include <string.h>

/* Commits, or rolls back after an error or in a dry run. */
static int finish(struct mlfy_store *s, int rc, int dry_run, struct mlfy_err *err)
{
	if (!rc && !dry_run && !(rc = mlfy_store_commit(s, err)))
		return 0;
	mlfy_store_rollback(s);
	return rc;
}

int mlfy_assign_stage2(struct mlfy_store *s, const struct mlfy_stage2_plan *p, const char *const *names, size_t n,
		       struct mlfy_assign_report *rep, struct mlfy_gold_placed **placed, size_t *n_placed,
		       struct mlfy_err *err)
{
	int rc;

	memset(rep, 0, sizeof(*rep));
	*placed = NULL;
	*n_placed = 0;
	if (p->gold) {
		struct mlfy_gold_opts go = { p->per_image, p->gold_first, p->gold_rate, p->seed, p->dry_run };
		return mlfy_gold_assign(s, &go, names, n, rep, placed, n_placed, err);
	}
	if (p->per_image < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "annotators per image: %d; give at least 1 (or gold settings)",
				    p->per_image);
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	rc = finish(s, mlfy_assign_batches_tx(s, p->per_image, names, n, rep, err), p->dry_run, err);
	if (rc)
		mlfy_assign_report_release(rep);
	return rc;
}

int mlfy_assign_refinement(struct mlfy_store *s, const char *const *names, size_t n, const struct mlfy_refine_plan *p,
			   struct mlfy_expert_load **loads, size_t *n_loads, struct mlfy_arms_drawn *drawn,
			   struct mlfy_err *err)
{
	int rc;

	*loads = NULL;
	*n_loads = 0;
	memset(drawn, 0, sizeof(*drawn));
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	rc = mlfy_review_queue_assign(s, names, n, loads, n_loads, err);
	if (!rc && p->arms)
		rc = mlfy_arms_draw_tx(s, p->blind_share, p->plant_share, p->seed, drawn, err);
	if ((rc = finish(s, rc, p->dry_run, err))) {
		mlfy_expert_loads_free(*loads, *n_loads);
		*loads = NULL;
		*n_loads = 0;
		memset(drawn, 0, sizeof(*drawn));
	}
	return rc;
}
