/* live.c - the live project view's state and its incremental update (see
 * live.h).  Per image it keeps what it added to the counts (label count,
 * decided/coverage flags, covered labels, one key per model); per model a
 * histogram of images over "cells" (original label present, top-1
 * correct, decided, label-count bucket, ReaL hit), each cell with the
 * contribution mlfy_accuracy_add makes for an image of it.  A changed
 * image leaves its old cell and enters its new one; the view's counters
 * are the histogram times the contributions.  The SQL is store/live_input.c's. */
#include "evaluate/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/coverage.h"
#include "store/catalog.h"
#include "store/live_input.h"
#include "store/proposals.h"
#include "util/vec.h"

/* per-image flags */
#define F_DECIDED 1u   /* has a final set */
#define F_COVERED 2u   /* decided and counted in the coverage (has proposals of the active model) */

/* per-image, per-model key bits, read off mlfy_accuracy_add's counters */
#define K_PRED 1u      /* the model has a rank-0 proposal for the image: counted */
#define K_ORIG 2u      /* counted in top-1 accuracy (has an original label) */
#define K_OK 4u        /* top-1 correct */
#define K_HIT 8u       /* ReaL hit (prediction in the final set) */

#define MC MLFY_LIVE_MAX_COUNT
#define N_BUCKETS (MC + 2)
#define N_CELLS (2 * 2 * 2 * N_BUCKETS * 2)

/* Sentinel of the change walk: an image the view does not know (rebuild). */
#define LIVE_UNKNOWN 1
/* More than REBUILD_MIN changed images and more than 1 in REBUILD_SHARE:
 * rebuild instead (a changed image costs ~4 times what an image of the
 * full walk costs: index lookups instead of one ordered scan). */
#define REBUILD_MIN 4096
#define REBUILD_SHARE 4

struct mlfy_live {
	struct mlfy_live_signature sig;
	int64_t seq;
	int stale;                  /* a refresh failed half-way: rebuild next time */
	size_t n;                   /* images */
	int64_t first_id;           /* id of image 0 */
	int64_t *ids;               /* [n] ascending, or NULL when ids are first_id + i */
	size_t m;                   /* models */
	uint16_t *orig16;           /* [n] original label + 1 (0: none), when there are at
				     * most 65,535 classes; else: */
	int32_t *orig32;            /* [n] original label (-1: none) */
	uint16_t *count;            /* [n] labels in the final set (0 when undecided) */
	uint8_t *flags;             /* [n] F_* */
	uint8_t *covered;           /* [n] final labels within the first K proposals */
	uint8_t *keys;              /* [n * m] K_* of image i, model j at i * m + j */
	size_t *hist;               /* [m * N_CELLS] images per cell, per model */
	struct mlfy_accuracy *contrib;   /* [N_CELLS] what one image of the cell adds */
	unsigned char known[N_CELLS];    /* contrib[c] was recorded */
	struct mlfy_accuracy probe;      /* mlfy_accuracy_add's counters, read by difference */
	struct mlfy_coverage cprobe;     /* mlfy_coverage_add's, likewise */
	size_t n_decided, n_empty, n_no_original;
	struct mlfy_label_counts lc;     /* label counts of the decided images */
	size_t cov_images, cov_no_proposals;   /* coverage: decided images with / without proposals */
	size_t cov_labels, cov_within;   /* their final labels, and those within the first K */
	struct mlfy_live_view view;      /* changes only in view_update (a refresh that succeeded) */
};

static int cell_of(uint8_t key, int decided, int bucket)
{
	int orig = !!(key & K_ORIG), ok = !!(key & K_OK), hit = !!(key & K_HIT);
	return ((((orig * 2 + ok) * 2 + !!decided) * N_BUCKETS + bucket) * 2) + hit;
}

static int bucket_of(uint8_t flags, size_t count)
{
	return (flags & F_DECIDED) ? mlfy_count_bucket(count, MC) : 0;
}

/* d += h * c, field by field (c: one image's contribution). */
static void acc_add_scaled(struct mlfy_accuracy *d, const struct mlfy_accuracy *c, size_t h)
{
	int b;
	d->n_images += h * c->n_images;
	d->top1_n += h * c->top1_n;
	d->top1_k += h * c->top1_k;
	d->real_n += h * c->real_n;
	d->real_k += h * c->real_k;
	d->n_empty += h * c->n_empty;
	d->n_undecided += h * c->n_undecided;
	for (b = 0; b < N_BUCKETS; b++) {
		d->count_n[b] += h * c->count_n[b];
		d->count_k[b] += h * c->count_k[b];
		d->count_all[b] += h * c->count_all[b];
		d->count_real_k[b] += h * c->count_real_k[b];
	}
}

/* ---- one image in and out ----------------------------------------------- */

static int original_of(const struct mlfy_live *lv, size_t i)
{
	return lv->orig16 ? (int)lv->orig16[i] - 1 : (int)lv->orig32[i];
}

/* Scores prediction pred of img (original label original) with
 * mlfy_accuracy_add on the probe and reads the image's key off the
 * counters it moved; records the cell's contribution the first time the
 * cell is seen. */
static int probe_image(struct mlfy_live *lv, const struct mlfy_live_image *img, int original,
		       int pred, int bucket, uint8_t *key, struct mlfy_err *err)
{
	size_t off[2] = { 0, img->n_labels };
	unsigned char decided = (unsigned char)img->decided;
	struct mlfy_truth t = { 1, &original, off, img->labels, &decided };
	struct mlfy_accuracy *p = &lv->probe;
	size_t n0 = p->top1_n, k0 = p->top1_k, h0 = p->count_real_k[bucket];
	int rc, cell;

	if ((rc = mlfy_accuracy_add(p, &t, 0, 1, &pred, err))) {
		mlfy_err_prefix(err, "image id %lld", (long long)img->id);
		return rc;
	}
	*key = (uint8_t)(K_PRED | (p->top1_n != n0 ? K_ORIG : 0) | (p->top1_k != k0 ? K_OK : 0) |
			 (p->count_real_k[bucket] != h0 ? K_HIT : 0));
	cell = cell_of(*key, img->decided, bucket);
	if (!lv->known[cell]) {
		mlfy_accuracy_init(&lv->contrib[cell], MC);
		if ((rc = mlfy_accuracy_add(&lv->contrib[cell], &t, 0, 1, &pred, err)))
			return rc;
		lv->known[cell] = 1;
	}
	return 0;
}

/* Adds image i as img describes it (its original label: original_of). */
static int image_in(struct mlfy_live *lv, size_t i, const struct mlfy_live_image *img,
		    struct mlfy_err *err)
{
	int original = original_of(lv, i);
	uint8_t flags = 0, covered = 0, *keys = lv->m ? lv->keys + i * lv->m : NULL;
	size_t j, t = 0;
	int rc, bucket;

	if (img->n_labels > UINT16_MAX)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "image id %lld: %zu final labels; the live view counts at most "
				    "65,535 per image", (long long)img->id, img->n_labels);
	if (img->decided) {
		flags |= F_DECIDED;
		if ((rc = mlfy_label_counts_add(&lv->lc, img->n_labels, err)))
			return rc;
		lv->n_decided++;
		lv->n_empty += img->n_labels == 0;
		if (img->n_proposals) {
			size_t before = lv->cprobe.labels_in_top[MLFY_LIVE_K];
			if ((rc = mlfy_coverage_add(&lv->cprobe, img->proposals, img->n_proposals,
						    img->labels, img->n_labels, err))) {
				mlfy_err_prefix(err, "image id %lld", (long long)img->id);
				return rc;
			}
			covered = (uint8_t)(lv->cprobe.labels_in_top[MLFY_LIVE_K] - before);
			flags |= F_COVERED;
			lv->cov_images++;
			lv->cov_labels += img->n_labels;
			lv->cov_within += covered;
		} else {
			lv->cov_no_proposals++;
		}
	}
	bucket = bucket_of(flags, img->n_labels);
	for (j = 0; keys && j < lv->m; j++) {
		int64_t id = lv->view.model_ids[j];
		keys[j] = 0;
		while (t < img->n_top1 && img->top1[t].model_id < id)
			t++;
		if (t < img->n_top1 && img->top1[t].model_id == id) {
			if ((rc = probe_image(lv, img, original, img->top1[t].class_idx, bucket, &keys[j],
					      err)))
				return rc;
			lv->hist[j * N_CELLS + (size_t)cell_of(keys[j], img->decided, bucket)]++;
		}
	}
	lv->count[i] = (uint16_t)img->n_labels;
	lv->flags[i] = flags;
	lv->covered[i] = covered;
	return 0;
}

/* Removes one image of c labels from the distribution (the inverse of
 * mlfy_label_counts_add, keeping label_counts.h's invariant). */
static void counts_remove(struct mlfy_label_counts *lc, size_t c)
{
	lc->hist[c]--;
	lc->n_images--;
	lc->total_labels -= c;
	while (lc->max_count > 0 && lc->hist[lc->max_count] == 0)
		lc->max_count--;
}

/* Takes image i's recorded contribution out again. */
static void image_out(struct mlfy_live *lv, size_t i)
{
	uint8_t flags = lv->flags[i], *keys = lv->m ? lv->keys + i * lv->m : NULL;
	size_t c = lv->count[i], j;
	int bucket = bucket_of(flags, c);

	if (flags & F_DECIDED) {
		counts_remove(&lv->lc, c);
		lv->n_decided--;
		lv->n_empty -= c == 0;
		if (flags & F_COVERED) {
			lv->cov_images--;
			lv->cov_labels -= c;
			lv->cov_within -= lv->covered[i];
		} else {
			lv->cov_no_proposals--;
		}
	}
	for (j = 0; keys && j < lv->m; j++)
		if (keys[j] & K_PRED)
			lv->hist[j * N_CELLS + (size_t)cell_of(keys[j], flags & F_DECIDED, bucket)]--;
	lv->count[i] = 0;
	lv->flags[i] = 0;
	lv->covered[i] = 0;
	if (keys)
		memset(keys, 0, lv->m);
}

/* The view's figures from the counters.  MLFY_ENOMEM leaves the view as
 * it was. */
static int view_update(struct mlfy_live *lv, struct mlfy_err *err)
{
	struct mlfy_live_view *v = &lv->view;
	size_t j;
	int c;

	if (lv->lc.n_images && MLFY_GROW_ZERO(v->counts.hist, v->counts.cap, lv->lc.max_count + 1))
		return mlfy_err_oom(err);
	if (lv->lc.n_images)
		memcpy(v->counts.hist, lv->lc.hist, (lv->lc.max_count + 1) * sizeof(size_t));
	v->counts.n_images = lv->lc.n_images;
	v->counts.max_count = lv->lc.max_count;
	v->counts.total_labels = lv->lc.total_labels;

	for (j = 0; j < lv->m; j++) {
		struct mlfy_accuracy *acc = &v->results.models[j].acc;
		mlfy_accuracy_init(acc, MC);
		for (c = 0; c < N_CELLS; c++)
			if (lv->hist[j * N_CELLS + (size_t)c])
				acc_add_scaled(acc, &lv->contrib[c], lv->hist[j * N_CELLS + (size_t)c]);
	}
	v->results.n_images = lv->n;
	v->results.n_empty = lv->n_empty;
	v->results.n_undecided = lv->n - lv->n_decided;
	v->results.n_no_original = lv->n_no_original;
	v->results.max_count = MC;
	mlfy_proportion(lv->cov_within, lv->cov_labels, MLFY_Z95, &v->within);
	mlfy_proportion(lv->cov_labels - lv->cov_within, lv->cov_labels, MLFY_Z95, &v->outside);
	v->coverage_images = lv->cov_images;
	v->coverage_no_proposals = lv->cov_no_proposals;
	v->seq = lv->seq;
	return 0;
}

/* ---- building ------------------------------------------------------------- */

static void live_release(struct mlfy_live *lv)
{
	mlfy_eval_results_release(&lv->view.results);
	mlfy_label_counts_release(&lv->view.counts);
	mlfy_label_counts_release(&lv->lc);
	MLFY_FREE_ALL(lv->view.model_ids, lv->view.coverage_model, lv->ids, lv->orig16, lv->orig32,
		      lv->count, lv->flags, lv->covered, lv->keys, lv->hist, lv->contrib);
	memset(lv, 0, sizeof(*lv));
}

void mlfy_live_free(struct mlfy_live *lv)
{
	if (!lv)
		return;
	live_release(lv);
	free(lv);
}

struct build {
	struct mlfy_live *lv;
	size_t cap_ids, cap_orig, cap_count, cap_flags, cap_covered, cap_keys;
	int wide;          /* more than 65,535 classes: orig32 */
	struct mlfy_err *err;
};

static int build_cb(const struct mlfy_live_image *img, void *ctx)
{
	struct build *b = ctx;
	struct mlfy_live *lv = b->lv;
	size_t i = lv->n;

	if (MLFY_GROW(lv->ids, b->cap_ids, i + 1) || MLFY_GROW(lv->count, b->cap_count, i + 1) ||
	    (b->wide ? MLFY_GROW(lv->orig32, b->cap_orig, i + 1) : MLFY_GROW(lv->orig16, b->cap_orig, i + 1)) ||
	    MLFY_GROW(lv->flags, b->cap_flags, i + 1) || MLFY_GROW(lv->covered, b->cap_covered, i + 1) ||
	    (lv->m && MLFY_GROW(lv->keys, b->cap_keys, (i + 1) * lv->m)))
		return mlfy_err_oom(b->err);
	lv->ids[i] = img->id;
	if (b->wide)
		lv->orig32[i] = img->original;
	else
		lv->orig16[i] = (uint16_t)(img->original + 1);
	lv->n++;
	lv->n_no_original += img->original < 0;
	return image_in(lv, i, img, b->err);
}

/* The models and the per-model tables. */
static int build_models(struct mlfy_live *lv, struct mlfy_store *s, struct mlfy_err *err)
{
	struct mlfy_model *models = NULL;
	struct mlfy_eval_results *r = &lv->view.results;
	size_t n = 0, j;
	int rc;

	if ((rc = mlfy_models_list(s, &models, &n, err)))
		return rc;
	lv->m = n;
	r->models = calloc(n ? n : 1, sizeof(*r->models));
	lv->view.model_ids = malloc((n ? n : 1) * sizeof(int64_t));
	lv->hist = calloc((n ? n : 1) * N_CELLS, sizeof(size_t));
	if (!r->models || !lv->view.model_ids || !lv->hist)
		rc = mlfy_err_oom(err);
	for (j = 0; !rc && j < n; j++) {
		lv->view.model_ids[j] = models[j].id;
		r->models[j].model = models[j].name;
		r->models[j].source = models[j].source;
		models[j].name = models[j].source = NULL;
		r->n_models = j + 1;
		if (models[j].id == lv->sig.active_model &&
		    !(lv->view.coverage_model = strdup(r->models[j].model)))
			rc = mlfy_err_oom(err);
	}
	for (j = 0; j < n; j++)
		mlfy_model_release(&models[j]);
	free(models);
	return rc;
}

/* Builds *lv from s (inside the caller's read transaction) for signature sig. */
static int build(struct mlfy_live *lv, struct mlfy_store *s, const struct mlfy_live_signature *sig,
		 struct mlfy_err *err)
{
	struct build b = { 0 };
	char src[4200];
	size_t i, n_classes = 0;
	int rc;

	memset(lv, 0, sizeof(*lv));
	lv->sig = *sig;
	mlfy_label_counts_init(&lv->view.counts);
	mlfy_label_counts_init(&lv->lc);
	mlfy_accuracy_init(&lv->probe, MC);
	snprintf(src, sizeof(src), "project %s", mlfy_store_path(s));
	if ((rc = mlfy_coverage_init(&lv->cprobe, MLFY_LIVE_K, 3, err)))
		return rc;
	if (!(lv->view.results.labels = strdup(src)) ||
	    !(lv->contrib = calloc(N_CELLS, sizeof(*lv->contrib))))
		return mlfy_err_oom(err);
	if ((rc = build_models(lv, s, err)))
		return rc;
	lv->view.coverage_k = MLFY_LIVE_K;
	lv->view.coverage_model_id = lv->view.coverage_model ? sig->active_model : 0;
	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)))
		return rc;
	b.lv = lv;
	b.err = err;
	b.wide = n_classes > UINT16_MAX;
	if ((rc = mlfy_live_images(s, lv->view.coverage_model_id, MLFY_LIVE_K, build_cb, &b, err)) ||
	    (rc = mlfy_live_max_seq(s, &lv->seq, err)))
		return rc;
	/* ids first_id, first_id + 1, ... (the usual case): no id table */
	lv->first_id = lv->n ? lv->ids[0] : 0;
	for (i = 0; i < lv->n && lv->ids[i] == lv->first_id + (int64_t)i; i++)
		;
	if (i == lv->n) {
		free(lv->ids);
		lv->ids = NULL;
	}
	return view_update(lv, err);
}

/* Builds a new state and puts it in place of lv's (lv unchanged on error). */
static int rebuild(struct mlfy_live *lv, struct mlfy_store *s, const struct mlfy_live_signature *sig,
		   struct mlfy_err *err)
{
	struct mlfy_live *fresh = malloc(sizeof(*fresh));   /* ~20 KiB: not on a worker's stack */
	int rc;

	if (!fresh)
		return mlfy_err_oom(err);
	if ((rc = build(fresh, s, sig, err))) {
		mlfy_live_free(fresh);
		return rc;
	}
	live_release(lv);
	*lv = *fresh;
	free(fresh);
	return 0;
}

int mlfy_live_open(struct mlfy_store *s, struct mlfy_live **out, struct mlfy_err *err)
{
	struct mlfy_live_signature sig;
	struct mlfy_live *lv;
	int rc, began;

	*out = NULL;
	if (!(lv = calloc(1, sizeof(*lv))))
		return mlfy_err_oom(err);
	if ((rc = mlfy_live_read_begin(s, &began, err))) {
		free(lv);
		return rc;
	}
	if (!(rc = mlfy_live_signature_get(s, &sig, err)))
		rc = build(lv, s, &sig, err);
	mlfy_live_read_end(s, began);
	if (rc) {
		mlfy_live_free(lv);
		return rc;
	}
	*out = lv;
	return 0;
}

/* ---- refreshing ----------------------------------------------------------- */

/* Index of the image with id, or -1. */
static long find_image(const struct mlfy_live *lv, int64_t id)
{
	size_t lo = 0, hi = lv->n;
	if (!lv->ids)
		return id >= lv->first_id && id - lv->first_id < (int64_t)lv->n ? (long)(id - lv->first_id) : -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lv->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < lv->n && lv->ids[lo] == id ? (long)lo : -1;
}

struct apply {
	struct mlfy_live *lv;
	struct mlfy_err *err;
};

static int apply_cb(const struct mlfy_live_image *img, void *ctx)
{
	struct apply *a = ctx;
	long i = find_image(a->lv, img->id);
	if (i < 0)
		return LIVE_UNKNOWN;
	image_out(a->lv, (size_t)i);
	return image_in(a->lv, (size_t)i, img, a->err);
}

int mlfy_live_refresh(struct mlfy_live *lv, struct mlfy_store *s, int *changed,
		      struct mlfy_err *err)
{
	struct mlfy_live_signature sig;
	struct apply a = { lv, err };
	int64_t seq = 0, n_changed = 0;
	int rc, began, same, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if ((rc = mlfy_live_read_begin(s, &began, err)))
		return rc;
	if ((rc = mlfy_live_signature_get(s, &sig, err)) || (rc = mlfy_live_max_seq(s, &seq, err)))
		goto out;
	same = !lv->stale && mlfy_live_signature_equal(&sig, &lv->sig);
	if (same && seq == lv->seq)
		goto out;   /* nothing changed */
	if (same && seq > lv->seq) {
		if ((rc = mlfy_live_count_changes(s, lv->seq, &n_changed, err)))
			goto out;
		if (n_changed <= REBUILD_MIN || (size_t)n_changed <= lv->n / REBUILD_SHARE) {
			rc = mlfy_live_changes(s, lv->seq, lv->view.coverage_model_id, MLFY_LIVE_K,
					       apply_cb, &a, err);
			if (rc == 0) {
				lv->seq = seq;
				if ((rc = view_update(lv, err)))
					lv->stale = 1;   /* the view lags its counters */
				else
					*changed = 1;
				goto out;
			}
			lv->stale = 1;   /* half applied: the counts are not to be trusted */
			if (rc != LIVE_UNKNOWN)
				goto out;
		}
	}
	/* new models, active model or images; an unknown image; a sequence
	 * number that went back (another file); a failed refresh; or so many
	 * changes that the full walk is cheaper */
	if (!(rc = rebuild(lv, s, &sig, err)))
		*changed = 1;
out:
	mlfy_live_read_end(s, began);
	return rc;
}

const struct mlfy_live_view *mlfy_live_view(const struct mlfy_live *lv)
{
	return &lv->view;
}

size_t mlfy_live_bytes(const struct mlfy_live *lv)
{
	size_t per_image = sizeof(uint16_t) + 2 * sizeof(uint8_t) + lv->m + (lv->ids ? sizeof(int64_t) : 0) +
			   (lv->orig16 ? sizeof(uint16_t) : sizeof(int32_t));
	return sizeof(*lv) + lv->n * per_image + lv->m * N_CELLS * sizeof(size_t) +
	       N_CELLS * sizeof(*lv->contrib) + lv->m * (sizeof(struct mlfy_model_result) + sizeof(int64_t));
}

/* ---- the scatter ---------------------------------------------------------- */

int mlfy_live_fit_scores(struct mlfy_model_scores *scores, struct mlfy_linfit *fit,
			 struct mlfy_err *err)
{
	size_t i, m = 0;
	int rc;

	memset(fit, 0, sizeof(*fit));
	for (i = 0; i < scores->n; i++) {   /* keep the models with both accuracies */
		if (scores->top1[i] != scores->top1[i] || scores->real[i] != scores->real[i]) {
			free(scores->model[i]);
			continue;
		}
		scores->model[m] = scores->model[i];
		scores->top1[m] = scores->top1[i];
		scores->real[m++] = scores->real[i];
	}
	scores->n = m;
	if (m < 3)
		return mlfy_err_set(err, MLFY_ENOTFOUND,
				    "%zu model%s with both accuracies: no ReaL vs top-1 figure (it needs "
				    "at least 3)", m, m == 1 ? "" : "s");
	if ((rc = mlfy_linfit(scores->top1, scores->real, m, fit, err))) {
		char why[sizeof(err->msg)];
		mlfy_linfit_release(fit);
		if (rc != MLFY_EINVAL)
			return rc;
		snprintf(why, sizeof(why), "%s", err ? err->msg : "degenerate fit");
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no ReaL vs top-1 figure: %s", why);
	}
	return 0;
}

int mlfy_live_scores(const struct mlfy_live_view *v, struct mlfy_model_scores *scores,
		     struct mlfy_linfit *fit, struct mlfy_err *err)
{
	int rc;
	memset(fit, 0, sizeof(*fit));
	if ((rc = mlfy_model_scores_from_eval(&v->results, scores, err)))
		return rc;
	if ((rc = mlfy_live_fit_scores(scores, fit, err)))
		mlfy_model_scores_release(scores);
	return rc;
}
