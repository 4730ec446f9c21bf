/* gold.c - gold images from refined decisions, and the placement of gold
 * tasks in stage-ii queues (gold.h). */
#include "review/gold.h"
#include "util/json_text.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/accounts.h"
#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/gold.h"
#include "store/taskview.h"
#include "util/vec.h"

struct refined {
	int64_t *ids, *ann;
	int32_t *cls;
	size_t *off;          /* n + 1 */
	size_t n, cap_ids, cap_ann, cap_cls, cap_off, n_cls;
};

static int collect_refined(const struct mlfy_final *f, void *vctx)
{
	struct refined *r = vctx;
	size_t i;

	if (f->stage != MLFY_FINAL_REFINED)
		return 0;
	if (MLFY_GROW(r->ids, r->cap_ids, r->n + 1) || MLFY_GROW(r->ann, r->cap_ann, r->n + 1) ||
	    MLFY_GROW(r->off, r->cap_off, r->n + 2) ||
	    MLFY_GROW(r->cls, r->cap_cls, r->n_cls + f->n + 1))
		return MLFY_ENOMEM;
	if (!r->n)
		r->off[0] = 0;
	r->ids[r->n] = f->image_id;
	r->ann[r->n] = f->annotation_id;
	for (i = 0; i < f->n; i++)
		r->cls[r->n_cls++] = f->classes[i];
	r->off[++r->n] = r->n_cls;
	return 0;
}

int mlfy_gold_from_final(struct mlfy_store *s, int64_t *added, int64_t *kept, struct mlfy_err *err)
{
	struct refined r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	*added = *kept = 0;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	rc = mlfy_final_foreach(s, collect_refined, &r, err);
	if (rc == MLFY_ENOMEM)
		rc = mlfy_err_oom(err);
	for (i = 0; !rc && i < r.n; i++) {
		int32_t *g = NULL;
		size_t ng = 0;
		/* a gold set that is there already (from a curated file) is kept */
		rc = mlfy_gold_set(s, r.ids[i], &g, &ng, err);
		free(g);
		if (!rc) {
			(*kept)++;
			continue;
		}
		if (rc != MLFY_ENOTFOUND)
			break;
		mlfy_err_clear(err);
		rc = mlfy_gold_put(s, r.ids[i], r.cls + r.off[i], r.off[i + 1] - r.off[i], "final", r.ann[i], NULL, err);
		(*added)++;
	}
	MLFY_FREE_ALL(r.ids, r.ann, r.cls, r.off);
	if (rc) {
		mlfy_store_rollback(s);
		*added = *kept = 0;
		return rc;
	}
	return mlfy_store_commit(s, err);
}

int mlfy_gold_remove_names(struct mlfy_store *s, const char *const *names, size_t n, int64_t *removed,
			   int64_t *dropped, struct mlfy_err *err)
{
	size_t i;
	int rc;

	*dropped = *removed = 0;
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	for (i = 0; !rc && i < n; i++) {
		int64_t id = 0, d = 0;
		size_t j;
		for (j = 0; j < i && strcmp(names[j], names[i]); j++)
			;
		if (j < i)
			continue;   /* named twice: removed once */
		if (!(rc = mlfy_catalog_image_id(s, names[i], &id, err)) &&
		    !(rc = mlfy_gold_remove(s, id, &d, err))) {
			*dropped += d;
			(*removed)++;
		}
		if (rc)
			rc = mlfy_err_prefix(err, "%s", names[i]);
	}
	if (rc) {
		mlfy_store_rollback(s);
		*dropped = *removed = 0;
		return rc;
	}
	return mlfy_store_commit(s, err);
}

void mlfy_gold_placed_free(struct mlfy_gold_placed *p, size_t n)
{
	size_t i;
	for (i = 0; p && i < n; i++)
		free(p[i].annotator);
	free(p);
}

static int cmp_pos(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Places the gold tasks of one annotator (see gold.h). */
static int place_one(struct mlfy_store *s, const struct mlfy_user *u, int first, double rate, uint64_t seed,
		     gsl_rng *rng, struct mlfy_gold_placed *p, struct mlfy_err *err)
{
	struct mlfy_task_list tl;
	int64_t *cand = NULL, *pos = NULL;
	size_t n_cand = 0, i, want, extra;
	int rc;

	if (!(p->annotator = strdup(u->name)))
		return mlfy_err_oom(err);
	if ((rc = mlfy_gold_task_count(s, u->id, &p->had, err)) ||
	    (rc = mlfy_tasks_list(s, u->id, MLFY_STAGE_ANNOTATE, &tl, err)))
		return rc;
	p->own = (int64_t)tl.n - p->had;   /* the list holds their gold tasks too */
	mlfy_task_list_release(&tl);
	if (!p->own || p->had)
		return 0;
	extra = (size_t)llround((double)p->own * rate / (1.0 - rate));
	want = (size_t)first + extra;
	p->wanted = (int64_t)want;
	if ((rc = mlfy_gold_candidates(s, u->id, &cand, &n_cand, err)))
		return rc;
	gsl_rng_set(rng, (unsigned long)(seed + (uint64_t)u->id));
	if (n_cand > 1)
		gsl_ran_shuffle(rng, cand, n_cand, sizeof(*cand));
	if (want > n_cand)
		want = n_cand;
	if (want && !(pos = malloc(want * sizeof(*pos)))) {
		free(cand);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < want; i++)   /* the first N before everything, the rest after own image 1..m */
		pos[i] = i < (size_t)first ? 0 : 1 + (int64_t)gsl_rng_uniform_int(rng, (unsigned long)p->own);
	if (want > 1)
		qsort(pos, want, sizeof(*pos), cmp_pos);
	for (i = 0; !rc && i < want; i++)
		rc = mlfy_gold_task_add(s, u->id, cand[i], pos[i], (int64_t)i, err);
	p->placed = rc ? 0 : (int64_t)want;
	MLFY_FREE_ALL(cand, pos);
	return rc;
}

static int assign_tx(struct mlfy_store *s, int first, double rate, uint64_t seed, const char *const *names,
		     size_t n, struct mlfy_gold_placed **out, size_t *n_out, struct mlfy_err *err)
{
	struct mlfy_user *users = NULL;
	struct mlfy_gold *gold = NULL;
	size_t n_users = 0, n_gold = 0, i, j;
	gsl_rng *rng = NULL;
	int rc;

	if ((rc = mlfy_gold_list(s, &gold, &n_gold, err)))
		return rc;
	mlfy_gold_list_free(gold, n_gold);
	if (!n_gold)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "the project has no gold images: add some first (mlfy gold add PROJECT FILE,"
				    " or --from-final)");
	if ((rc = mlfy_users_list(s, &users, &n_users, err)))
		return rc;
	for (j = 0; j < n; j++) {
		for (i = 0; i < n_users && strcmp(users[i].name, names[j]); i++)
			;
		if (i == n_users) {
			mlfy_users_free(users, n_users);
			return mlfy_err_set(err, MLFY_ENOTFOUND, "--annotators: no account named '%s'", names[j]);
		}
	}
	if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)) || (n_users && !(*out = calloc(n_users, sizeof(**out))))) {
		if (rng)
			gsl_rng_free(rng);
		mlfy_users_free(users, n_users);
		return mlfy_err_oom(err);
	}
	for (i = 0; !rc && i < n_users; i++) {
		int named = !n;
		for (j = 0; j < n && !named; j++)
			named = !strcmp(users[i].name, names[j]);
		if (!named || users[i].disabled)
			continue;
		if ((rc = place_one(s, &users[i], first, rate, seed, rng, &(*out)[*n_out], err))) {
			free((*out)[*n_out].annotator);
			(*out)[*n_out].annotator = NULL;
		} else if (!(*out)[*n_out].own && !(*out)[*n_out].had) {   /* no stage-ii work: not listed */
			free((*out)[*n_out].annotator);
			memset(&(*out)[*n_out], 0, sizeof(**out));
		} else {
			(*n_out)++;
		}
	}
	gsl_rng_free(rng);
	mlfy_users_free(users, n_users);
	return rc;
}

int mlfy_gold_assign(struct mlfy_store *s, const struct mlfy_gold_opts *opts, const char *const *names, size_t n,
		     struct mlfy_assign_report *rep, struct mlfy_gold_placed **out, size_t *n_out,
		     struct mlfy_err *err)
{
	struct mlfy_assign_report r;
	size_t i;
	int rc;

	*out = NULL;
	*n_out = 0;
	memset(&r, 0, sizeof(r));
	if (rep)
		memset(rep, 0, sizeof(*rep));
	if (opts->first < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "--gold-first: %d is negative", opts->first);
	if (!(opts->rate >= 0 && opts->rate < 1))
		return mlfy_err_set(err, MLFY_EINVAL, "--gold-rate: %g is not in [0, 1)", opts->rate);
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (opts->per_image > 0)
		rc = mlfy_assign_batches_tx(s, opts->per_image, names, n, &r, err);
	if (!rc)
		rc = assign_tx(s, opts->first, opts->rate, opts->seed, names, n, out, n_out, err);
	for (i = 0; !rc && i < *n_out; i++)
		if (!(*out)[i].had && (*out)[i].placed < (*out)[i].wanted)
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: %lld gold tasks wanted (first %d, then a share %g of %lld own images), but"
					  " only %lld gold images are outside their own batches; nothing was assigned",
					  (*out)[i].annotator, (long long)(*out)[i].wanted, opts->first, opts->rate,
					  (long long)(*out)[i].own, (long long)(*out)[i].placed);
	if (!rc && !opts->dry_run)
		rc = mlfy_store_commit(s, err);
	else
		mlfy_store_rollback(s);
	if (rc) {
		mlfy_assign_report_release(&r);
		mlfy_gold_placed_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return rc;
	}
	if (rep)
		*rep = r;
	else
		mlfy_assign_report_release(&r);
	return 0;
}

json_t *mlfy_gold_list_json(const struct mlfy_gold *g, size_t n)
{
	json_t *arr = json_array();
	size_t i, j;
	for (i = 0; arr && i < n; i++) {
		json_t *l = json_array();
		for (j = 0; l && j < g[i].n_labels; j++)
			json_array_append_new(l, json_integer(g[i].labels[j]));
		json_array_append_new(arr, json_pack("{sosososssIsI}", "image", mlfy_json_text(g[i].name), "labels", l,
						     "source", mlfy_json_text(g[i].source), "added_at", g[i].added_at, "tasks",
						     (json_int_t)g[i].tasks, "answered", (json_int_t)g[i].answered));
	}
	return json_pack("{sIso}", "gold_images", (json_int_t)n, "gold", arr);
}
