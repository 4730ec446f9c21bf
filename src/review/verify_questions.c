/* verify_questions.c - which (image, label) questions the verification
 * protocol asks (review/verify.h, mlfy_verify_questions): the union over
 * the chosen models of each image's top-k proposals above a score, plus
 * the original label on request, added to the project's verification
 * questions without ever removing one.  ReaL (Beyer et al. 2020, section
 * 3) asked raters about the union of the top proposals of several models
 * and the original label in the same way. */
#include "review/verify.h"
#include "store/proposals.h"
#include "store/verify.h"
#include "util/vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most proposals per image and model a question may come from (the
 * top-20 of the paper's protocol, store/proposals.h). */
#define VERIFY_TOP_K_MAX MLFY_SHOWN_MAX

/* One candidate entry: c[idx], proposed by model (index into the model
 * list), or -1 for an original label. */
struct entry {
	size_t idx;
	int model;
};

struct sort_ctx {
	const struct mlfy_vq_candidate *c;
};

/* By image name, class, then model order (originals last). */
static int cmp_entry(const void *x, const void *y, void *ctx)
{
	const struct mlfy_vq_candidate *c = ((const struct sort_ctx *)ctx)->c;
	const struct entry *a = x, *b = y;
	int r = strcmp(c[a->idx].image, c[b->idx].image);
	unsigned ma = (unsigned)a->model, mb = (unsigned)b->model;   /* -1 sorts last */
	if (r)
		return r;
	if (c[a->idx].class_idx != c[b->idx].class_idx)
		return c[a->idx].class_idx < c[b->idx].class_idx ? -1 : 1;
	return (ma > mb) - (ma < mb);
}

/* The models the options name (or the active one): *ids, *names (owned). */

/* MLFY_ENOTFOUND for a model name the project does not have, naming the
 * ones it has. */
static int no_model(struct mlfy_store *s, const char *name, struct mlfy_err *err)
{
	struct mlfy_model *m = NULL;
	char list[512] = "";
	size_t n = 0, i, len = 0;

	if (mlfy_models_list(s, &m, &n, err))
		return mlfy_err_set(err, MLFY_ENOTFOUND, "models: no model '%s' in the project", name);
	for (i = 0; i < n; i++) {
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", m[i].name);
		mlfy_model_release(&m[i]);
	}
	free(m);
	return mlfy_err_set(err, MLFY_ENOTFOUND, "models: no model '%s' in the project (it has: %s)", name,
			    n ? list : "none; import proposals first");
}

static int resolve_models(struct mlfy_store *s, const struct mlfy_questions_opts *o, int64_t **ids,
			  char ***names, size_t *n, struct mlfy_err *err)
{
	size_t want = o->models && o->n_models ? o->n_models : 1, i, j;
	struct mlfy_model m;
	int rc;

	*n = 0;
	if (!(*ids = calloc(want, sizeof(**ids))) || !(*names = calloc(want, sizeof(**names))))
		return mlfy_err_oom(err);
	if (!o->models || !o->n_models) {
		if ((rc = mlfy_models_active(s, &m, err)))
			return rc == MLFY_ENOTFOUND ? mlfy_err_set(err, MLFY_ENOTFOUND, "the project has no proposal"
								   " model: import predictions first ('mlfy import-predictions')")
						    : rc;
		(*ids)[0] = m.id;
		(*names)[0] = m.name;
		m.name = NULL;
		mlfy_model_release(&m);
		*n = 1;
		return 0;
	}
	for (i = 0; i < o->n_models; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(o->models[i], o->models[j]))
				return mlfy_err_set(err, MLFY_EINVAL, "models: '%s' named twice", o->models[i]);
		if ((rc = mlfy_models_find(s, o->models[i], &m, err)))
			return rc == MLFY_ENOTFOUND ? no_model(s, o->models[i], err) : rc;
		(*ids)[i] = m.id;
		(*names)[i] = m.name;
		m.name = NULL;
		mlfy_model_release(&m);
		(*n)++;
	}
	return 0;
}

/* Appends "; " and text to the origin buffer *buf (length *len, capacity *cap). */
static int origin_add(char **buf, size_t *len, size_t *cap, const char *text, struct mlfy_err *err)
{
	size_t add = strlen(text) + (*len ? 2 : 0);
	if (*len + add + 1 > *cap) {
		size_t nc = (*len + add + 1) * 2;
		char *nb = realloc(*buf, nc);
		if (!nb)
			return mlfy_err_oom(err);
		*buf = nb;
		*cap = nc;
	}
	snprintf(*buf + *len, *cap - *len, "%s%s", *len ? "; " : "", text);
	*len += add;
	return 0;
}

/* Adds every distinct (image, class) of the sorted entries e[0..ne) (a dry
 * run only looks each up). */
static int add_all(struct mlfy_store *s, const struct mlfy_vq_candidate *c, const struct entry *e, size_t ne,
		   char *const *model_names, int dry_run, struct mlfy_questions_result *r, struct mlfy_err *err)
{
	char *origin = NULL, piece[512];
	size_t start, end, i, len, cap = 0;
	int rc = 0, added;

	for (start = 0; start < ne; start = end) {
		const struct mlfy_vq_candidate *first = &c[e[start].idx];
		int only_original = 1;
		for (end = start + 1; end < ne && c[e[end].idx].class_idx == first->class_idx &&
				      !strcmp(c[e[end].idx].image, first->image); end++)
			;
		len = 0;
		for (i = start; i < end && !rc; i++) {
			if (e[i].model >= 0) {
				only_original = 0;
				snprintf(piece, sizeof(piece), "model:%s rank %d", model_names[e[i].model],
					 (int)c[e[i].idx].rank);
			} else {
				snprintf(piece, sizeof(piece), "original");
			}
			rc = origin_add(&origin, &len, &cap, piece, err);
		}
		if (!rc && dry_run && !(rc = mlfy_vq_store_is_question(s, first->image, first->class_idx, &added, err)))
			added = !added;
		else if (!rc && !dry_run)
			rc = mlfy_vq_store_add(s, first->image, first->class_idx, origin, &added, err);
		if (rc)
			break;
		r->candidates++;
		r->from_original += only_original;
		if (added)
			r->added++;
		else
			r->existing++;
	}
	free(origin);
	return rc;
}

static int questions_tx(struct mlfy_store *s, const struct mlfy_questions_opts *o, struct mlfy_questions_result *r,
			struct mlfy_err *err)
{
	struct mlfy_vq_candidate *c = NULL;
	struct entry *e = NULL;
	int64_t *ids = NULL;
	char **names = NULL;
	size_t n_models = 0, nc = 0, ecap = 0, m, i, start;
	struct sort_ctx sc;
	int rc;

	if ((rc = resolve_models(s, o, &ids, &names, &n_models, err)))
		goto out;
	if ((rc = mlfy_vq_store_count_images(s, &r->images, err)))
		goto out;
	/* every candidate, tagged with its model (or -1: original label) */
	for (m = 0; m < n_models; m++) {
		start = nc;
		if ((rc = mlfy_vq_store_proposals(s, ids[m], o->top_k, o->min_score, &c, &nc, err)))
			goto out;
		if (MLFY_GROW(e, ecap, nc ? nc : 1)) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = start; i < nc; i++)
			e[i] = (struct entry){ i, (int)m };
	}
	if (o->with_original) {
		start = nc;
		if ((rc = mlfy_vq_store_originals(s, &c, &nc, err)))
			goto out;
		if (MLFY_GROW(e, ecap, nc ? nc : 1)) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = start; i < nc; i++)
			e[i] = (struct entry){ i, -1 };
	}
	sc.c = c;
	if (nc)
		qsort_r(e, nc, sizeof(*e), cmp_entry, &sc);
	rc = add_all(s, c, e, nc, names, o->dry_run, r, err);
out:
	for (m = 0; names && m < n_models; m++)
		free(names[m]);
	MLFY_FREE_ALL(ids, names, e);
	mlfy_vq_candidates_free(c, nc);
	return rc;
}

struct questions_args {
	const struct mlfy_questions_opts *o;
	struct mlfy_questions_result *r;
};

static int questions_run(struct mlfy_store *s, void *ctx, struct mlfy_err *err)
{
	struct questions_args *a = ctx;
	return questions_tx(s, a->o, a->r, err);
}

int mlfy_verify_questions(struct mlfy_store *s, const struct mlfy_questions_opts *o,
			  struct mlfy_questions_result *r, struct mlfy_err *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->top_k < 1 || o->top_k > VERIFY_TOP_K_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "top: %d is not in [1, %d]", o->top_k, VERIFY_TOP_K_MAX);
	if (!(o->min_score >= 0.0 && o->min_score <= 1.0))
		return mlfy_err_set(err, MLFY_EINVAL, "min-score: %g is not in [0, 1]", o->min_score);
	if (o->n_models && !o->models)
		return mlfy_err_set(err, MLFY_EINVAL, "models: %zu names announced, none given", o->n_models);
	/* a dry run only reads (one snapshot), so it works on a read-only handle */
	rc = mlfy_store_run(s, o->dry_run, questions_run, &(struct questions_args){ o, r }, err);
	if (rc)
		memset(r, 0, sizeof(*r));
	return rc;
}
