/* anchoring.c - the anchoring experiment: drawing the arms of refinement
 * tasks, and the figures per arm (anchoring.h). */
#include "review/anchoring.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "review/labelset.h"
#include "review/quality.h"
#include "store/accounts.h"
#include "store/annotations.h"
#include "store/arms.h"
#include "store/gold.h"
#include "store/proposals.h"
#include "store/quality_input.h"
#include "store/queue.h"
#include "store/taskview.h"
#include "util/vec.h"

/* |a n b| of two ascending arrays (review/labelset.h) */
static size_t inter(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	struct mlfy_labelset x = { a, na }, y = { b, nb };
	return mlfy_labelset_intersection(x, y);
}

static int among(const int32_t *v, size_t n, int32_t c)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (v[i] == c)
			return 1;
	return 0;
}

/* The planted label of image_id: the best-ranked shown proposal neither in
 * the gold set nor in the stage-ii union; -1 when there is none. */
static int plant_for(struct mlfy_store *s, int64_t image_id, const int32_t *gold, size_t n_gold, int *out,
		     struct mlfy_err *err)
{
	struct mlfy_proposal props[MLFY_TASK_TOP_K];
	int32_t *u = NULL;
	size_t n_props = 0, nu = 0, i;
	int64_t model = 0;
	int rc;

	*out = -1;
	if ((rc = mlfy_models_active_id(s, &model, err)) || !model)
		return rc;
	if ((rc = mlfy_proposals_get(s, image_id, model, props, MLFY_TASK_TOP_K, &n_props, err)) ||
	    (rc = mlfy_annotations_stage2_union(s, image_id, &u, &nu, err)))
		return rc;
	for (i = 0; i < n_props && *out < 0; i++)
		if (!among(gold, n_gold, props[i].class_idx) && !among(u, nu, props[i].class_idx))
			*out = props[i].class_idx;
	free(u);
	return 0;
}

static int draw_expert(struct mlfy_store *s, int64_t expert, double blind_share, double plant_share,
		       uint64_t seed, gsl_rng *rng, struct mlfy_arms_drawn *out, struct mlfy_err *err)
{
	struct mlfy_queue_entry *q = NULL;
	int64_t *open_tasks = NULL;
	size_t n = 0, m = 0, i, n_blind;
	int rc;

	if ((rc = mlfy_review_queue_list(s, expert, &q, &n, err)))
		return rc;
	if (n && !(open_tasks = malloc(n * sizeof(*open_tasks)))) {
		mlfy_queue_entries_free(q, n);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n; i++) {
		struct mlfy_annotation a;
		int refined;
		rc = mlfy_annotations_latest(s, q[i].image_id, MLFY_STAGE_REFINE, &a, err);
		if (rc && rc != MLFY_ENOTFOUND)
			goto out;
		refined = rc == 0;
		if (refined)
			mlfy_annotation_release(&a);
		rc = 0;
		mlfy_err_clear(err);
		if (!refined)   /* a task already worked on keeps how it was shown */
			open_tasks[m++] = q[i].image_id;
	}
	gsl_rng_set(rng, (unsigned long)(seed + (uint64_t)expert));
	if (m > 1)
		gsl_ran_shuffle(rng, open_tasks, m, sizeof(*open_tasks));
	n_blind = (size_t)llround(blind_share * (double)m);
	for (i = 0; !rc && i < m; i++) {
		enum mlfy_arm arm = i < n_blind ? MLFY_ARM_BLIND : MLFY_ARM_SHOWN;
		int32_t *gold = NULL;
		size_t n_gold = 0;
		int planted = -1, kept = 0;
		double u = gsl_rng_uniform(rng);   /* drawn for every task: reproducible */
		if (arm == MLFY_ARM_SHOWN && plant_share > 0 && u < plant_share) {
			rc = mlfy_gold_set(s, open_tasks[i], &gold, &n_gold, err);
			if (!rc)
				rc = plant_for(s, open_tasks[i], gold, n_gold, &planted, err);
			else if (rc == MLFY_ENOTFOUND) {
				rc = 0;
				mlfy_err_clear(err);
			}
			free(gold);
		}
		if (!rc)
			rc = mlfy_arm_put(s, open_tasks[i], arm, planted, (int64_t)seed, &kept, err);
		if (!rc && kept)
			out->kept++;
		else if (!rc) {
			*(arm == MLFY_ARM_BLIND ? &out->blind : &out->shown) += 1;
			out->planted += planted >= 0;
		}
	}
out:
	free(open_tasks);
	mlfy_queue_entries_free(q, n);
	return rc;
}

int mlfy_arms_draw(struct mlfy_store *s, double blind_share, double plant_share, uint64_t seed,
		   struct mlfy_arms_drawn *out, struct mlfy_err *err)
{
	int rc;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = mlfy_arms_draw_tx(s, blind_share, plant_share, seed, out, err))) {
		mlfy_store_rollback(s);
		return rc;
	}
	return mlfy_store_commit(s, err);
}

int mlfy_arms_draw_tx(struct mlfy_store *s, double blind_share, double plant_share, uint64_t seed,
		      struct mlfy_arms_drawn *out, struct mlfy_err *err)
{
	struct mlfy_user *u = NULL;
	size_t n = 0, i;
	gsl_rng *rng;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "drawing the anchoring arms needs a transaction");
	if (!(blind_share >= 0 && blind_share <= 1))
		return mlfy_err_set(err, MLFY_EINVAL, "--blind-share: %g is not in [0, 1]", blind_share);
	if (!(plant_share >= 0 && plant_share <= 1))
		return mlfy_err_set(err, MLFY_EINVAL, "--plant-share: %g is not in [0, 1]", plant_share);
	if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)))
		return mlfy_err_oom(err);
	rc = mlfy_users_list(s, &u, &n, err);
	for (i = 0; !rc && i < n; i++)
		if (u[i].role != MLFY_ROLE_ANNOTATOR)
			rc = draw_expert(s, u[i].id, blind_share, plant_share, seed, rng, out, err);
	mlfy_users_free(u, n);
	gsl_rng_free(rng);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- the figures ---------------------------------------------------------- */

struct arm_acc {
	size_t n, u_total, u_kept, added, removed, gold_n, gold_exact, planted_n, planted_kept;
	double *secs;
	size_t n_secs, cap_secs;
};

static int arm_row(const struct mlfy_quality_row *r, void *ctx)
{
	struct arm_acc *acc = ctx, *a;
	size_t k, i;

	if (r->stage != MLFY_STAGE_REFINE)
		return 0;
	a = &acc[r->arm == MLFY_ARM_BLIND ? 1 : 0];
	a->n++;
	k = 0;
	for (i = 0; i < r->n_union2; i++)
		k += among(r->labels, r->n_labels, r->union2[i]);
	a->u_total += r->n_union2;
	a->u_kept += k;
	a->removed += k < r->n_union2;
	for (i = 0; i < r->n_labels; i++)
		if (!among(r->union2, r->n_union2, r->labels[i]) && r->labels[i] != r->planted) {
			a->added++;
			break;
		}
	if (r->is_gold && r->annotation_id != r->gold_annotation) {   /* never against itself (--from-final) */
		a->gold_n++;
		a->gold_exact += r->n_labels == r->n_gold && inter(r->labels, r->n_labels, r->gold, r->n_gold) ==
								      r->n_gold;
	}
	if (r->planted >= 0 && r->arm == MLFY_ARM_SHOWN) {
		a->planted_n++;
		a->planted_kept += among(r->labels, r->n_labels, r->planted);
	}
	if (MLFY_GROW(a->secs, a->cap_secs, a->n_secs + 1))
		return MLFY_ENOMEM;
	a->secs[a->n_secs++] = r->seconds;
	return 0;
}

static void arm_finish(struct arm_acc *a, struct mlfy_arm_stats *o)
{
	o->n = a->n;
	mlfy_proportion(a->u_kept, a->u_total, MLFY_Z95, &o->kept);
	mlfy_proportion(a->added, a->n, MLFY_Z95, &o->added);
	mlfy_proportion(a->removed, a->n, MLFY_Z95, &o->removed);
	mlfy_proportion(a->gold_exact, a->gold_n, MLFY_Z95, &o->gold_exact);
	mlfy_proportion(a->planted_kept, a->planted_n, MLFY_Z95, &o->planted_accepted);
	o->median_seconds = o->mean_seconds = o->seconds_lo = o->seconds_hi = NAN;
	if (a->n_secs) {
		double m = gsl_stats_mean(a->secs, 1, a->n_secs);
		double sd = a->n_secs > 1 ? gsl_stats_sd_m(a->secs, 1, a->n_secs, m) : 0;
		gsl_sort(a->secs, 1, a->n_secs);
		o->median_seconds = gsl_stats_median_from_sorted_data(a->secs, 1, a->n_secs);
		o->mean_seconds = m;
		o->seconds_lo = fmax(0, m - MLFY_Z95 * sd / sqrt((double)a->n_secs));   /* no negative time */
		o->seconds_hi = m + MLFY_Z95 * sd / sqrt((double)a->n_secs);
	}
}

static double welch_p(const struct arm_acc *a, const struct arm_acc *b)
{
	double ma, mb, va, vb, se;
	if (a->n_secs < 2 || b->n_secs < 2)
		return NAN;
	ma = gsl_stats_mean(a->secs, 1, a->n_secs);
	mb = gsl_stats_mean(b->secs, 1, b->n_secs);
	va = gsl_stats_variance_m(a->secs, 1, a->n_secs, ma);
	vb = gsl_stats_variance_m(b->secs, 1, b->n_secs, mb);
	se = sqrt(va / (double)a->n_secs + vb / (double)b->n_secs);
	return se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(ma - mb) / se) : NAN;
}

int mlfy_anchoring_compute(struct mlfy_store *s, struct mlfy_anchoring *out, struct mlfy_err *err)
{
	struct arm_acc acc[2];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(acc, 0, sizeof(acc));
	rc = mlfy_quality_foreach(s, arm_row, acc, err);
	if (rc == MLFY_ENOMEM)
		rc = mlfy_err_oom(err);
	if (!rc) {
		out->p_seconds = welch_p(&acc[0], &acc[1]);   /* before arm_finish sorts */
		arm_finish(&acc[0], &out->arm[0]);
		arm_finish(&acc[1], &out->arm[1]);
		out->p_kept = mlfy_two_proportion_p(acc[0].u_kept, acc[0].u_total, acc[1].u_kept, acc[1].u_total);
		out->p_added = mlfy_two_proportion_p(acc[0].added, acc[0].n, acc[1].added, acc[1].n);
		out->p_removed = mlfy_two_proportion_p(acc[0].removed, acc[0].n, acc[1].removed, acc[1].n);
		out->p_gold_exact =
			mlfy_two_proportion_p(acc[0].gold_exact, acc[0].gold_n, acc[1].gold_exact, acc[1].gold_n);
	}
	MLFY_FREE_ALL(acc[0].secs, acc[1].secs);
	return rc;
}
