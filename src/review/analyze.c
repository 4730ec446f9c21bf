/* analyze.c - stage (iii): judge, decide, queue and report (see analyze.h). */
#include "review/analyze.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/agreement.h"
#include "review/labelset.h"
#include "store/decisions.h"
#include "store/final_labels.h"
#include "store/queue.h"
#include "store/review_input.h"

/* Counts keyed by a 64-bit integer (open addressing). */
struct count_map {
	uint64_t *key;    /* key + 1; 0 = empty slot */
	int64_t *val;
	size_t n, n_slots;
};

static void count_map_free(struct count_map *m)
{
	MLFY_FREE_ALL(m->key, m->val);
	memset(m, 0, sizeof(*m));
}

static size_t mix(uint64_t k, size_t n_slots)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)(k & (n_slots - 1));
}

static int count_map_add(struct count_map *m, uint64_t key, int64_t by)
{
	size_t h;
	if (2 * (m->n + 1) > m->n_slots) {
		size_t ns = m->n_slots ? 2 * m->n_slots : 256, i;
		uint64_t *nk = calloc(ns, sizeof(*nk));
		int64_t *nv = calloc(ns, sizeof(*nv));
		if (!nk || !nv) {
			MLFY_FREE_ALL(nk, nv);
			return -1;
		}
		for (i = 0; i < m->n_slots; i++) {
			if (!m->key[i])
				continue;
			h = mix(m->key[i] - 1, ns);
			while (nk[h])
				h = (h + 1) & (ns - 1);
			nk[h] = m->key[i];
			nv[h] = m->val[i];
		}
		MLFY_FREE_ALL(m->key, m->val);
		m->key = nk;
		m->val = nv;
		m->n_slots = ns;
	}
	h = mix(key, m->n_slots);
	while (m->key[h] && m->key[h] != key + 1)
		h = (h + 1) & (m->n_slots - 1);
	if (!m->key[h]) {
		m->key[h] = key + 1;
		m->n++;
	}
	m->val[h] += by;
	return 0;
}

struct pair_acc {
	char *a, *b;
	int64_t images, identical;
	double sum_jaccard;
	double table[4];
};

struct ctx {
	struct mlfy_store *s;
	const struct mlfy_analyze_opts *o;
	struct mlfy_analysis *out;
	struct mlfy_err *err;
	struct pair_acc *pairs;
	size_t n_pairs, cap_pairs;
	size_t cap_batches, cap_incomplete;
	struct count_map class_pairs, classes;
	int32_t *final;           /* scratch for the judged set */
	size_t cap_final;
	struct mlfy_labelset *sets;
	size_t cap_sets;
	int64_t *basis;           /* scratch: the judged annotations' ids */
	size_t cap_basis;
};

static struct mlfy_analysis_batch *batch_of(struct ctx *c, int batch)
{
	struct mlfy_analysis *a = c->out;
	size_t i;
	for (i = 0; i < a->n_batches; i++)
		if (a->batches[i].batch == batch)
			return &a->batches[i];
	if (MLFY_GROW(a->batches, c->cap_batches, a->n_batches + 1))
		return NULL;
	/* keep sorted by batch number */
	for (i = a->n_batches; i > 0 && a->batches[i - 1].batch > batch; i--)
		a->batches[i] = a->batches[i - 1];
	memset(&a->batches[i], 0, sizeof(a->batches[i]));
	a->batches[i].batch = batch;
	a->n_batches++;
	return &a->batches[i];
}

static struct pair_acc *pair_of(struct ctx *c, const char *a, const char *b)
{
	size_t i;
	for (i = 0; i < c->n_pairs; i++)
		if (!strcmp(c->pairs[i].a, a) && !strcmp(c->pairs[i].b, b))
			return &c->pairs[i];
	if (MLFY_GROW(c->pairs, c->cap_pairs, c->n_pairs + 1))
		return NULL;
	memset(&c->pairs[c->n_pairs], 0, sizeof(c->pairs[0]));
	if (!(c->pairs[c->n_pairs].a = strdup(a)) || !(c->pairs[c->n_pairs].b = strdup(b))) {
		free(c->pairs[c->n_pairs].a);
		return NULL;
	}
	return &c->pairs[c->n_pairs++];
}

static int note_incomplete(struct ctx *c, const struct mlfy_review_image *img)
{
	struct mlfy_analysis *a = c->out;
	struct mlfy_incomplete *inc;
	size_t i, len = 1;
	char *m;

	if (a->n_incomplete >= c->o->max_missing)
		return 0;
	if (MLFY_GROW(a->incomplete, c->cap_incomplete, a->n_incomplete + 1))
		return mlfy_err_oom(c->err);
	for (i = 0; i < img->n_ann; i++)
		if (!img->ann[i].annotation_id)
			len += strlen(img->ann[i].annotator) + 2;
	if (!(m = malloc(len)))
		return mlfy_err_oom(c->err);
	m[0] = '\0';
	for (i = 0; i < img->n_ann; i++) {
		if (img->ann[i].annotation_id)
			continue;
		if (m[0])
			strcat(m, ", ");
		strcat(m, img->ann[i].annotator);
	}
	inc = &a->incomplete[a->n_incomplete];
	inc->missing = m;
	if (!(inc->image = strdup(img->name))) {
		free(m);
		return mlfy_err_oom(c->err);
	}
	a->n_incomplete++;
	return 0;
}

/* Pairwise statistics of one fully annotated image. */
static int pair_stats(struct ctx *c, const struct mlfy_review_image *img)
{
	size_t i, j, x, y;

	for (i = 0; i < img->n_ann; i++) {
		for (j = i + 1; j < img->n_ann; j++) {
			const struct mlfy_review_annotation *p = &img->ann[i], *q = &img->ann[j];
			struct mlfy_labelset sp = { p->labels, p->n_labels }, sq = { q->labels, q->n_labels };
			struct pair_acc *acc = pair_of(c, p->annotator, q->annotator);
			if (!acc)
				return mlfy_err_oom(c->err);
			acc->images++;
			acc->identical += mlfy_labelset_equal(sp, sq);
			acc->sum_jaccard += mlfy_jaccard(sp, sq);
			/* Cohen's table over the proposals shown to both */
			for (x = 0, y = 0; x < p->n_shown && y < q->n_shown;) {
				if (p->shown[x] < q->shown[y]) {
					x++;
				} else if (p->shown[x] > q->shown[y]) {
					y++;
				} else {
					int cl = p->shown[x];
					int yp = mlfy_labelset_contains(sp, cl), yq = mlfy_labelset_contains(sq, cl);
					acc->table[(yp ? 0 : 2) + (yq ? 0 : 1)] += 1.0;
					x++;
					y++;
				}
			}
			/* disagreeing classes: a in P\Q paired with b in Q\P */
			for (x = 0; x < p->n_labels; x++) {
				if (mlfy_labelset_contains(sq, p->labels[x]))
					continue;
				if (count_map_add(&c->classes, (uint64_t)(uint32_t)p->labels[x], 1))
					return mlfy_err_oom(c->err);
				for (y = 0; y < q->n_labels; y++) {
					uint32_t a = (uint32_t)p->labels[x], b = (uint32_t)q->labels[y];
					if (mlfy_labelset_contains(sp, q->labels[y]))
						continue;
					if (a > b) {
						uint32_t t = a;
						a = b;
						b = t;
					}
					if (count_map_add(&c->class_pairs, ((uint64_t)a << 32) | b, 1))
						return mlfy_err_oom(c->err);
				}
			}
			for (y = 0; y < q->n_labels; y++)
				if (!mlfy_labelset_contains(sp, q->labels[y]) &&
				    count_map_add(&c->classes, (uint64_t)(uint32_t)q->labels[y], 1))
					return mlfy_err_oom(c->err);
		}
	}
	return 0;
}

static int judge_cb(const struct mlfy_review_image *img, void *vctx)
{
	struct ctx *c = vctx;
	struct mlfy_analysis *a = c->out;
	struct mlfy_analysis_batch *b = batch_of(c, img->batch);
	enum mlfy_rule_reason reason;
	size_t i, total = 0, n_final;
	int rc, changed, kept;

	if (!b)
		return mlfy_err_oom(c->err);
	a->images++;
	b->images++;
	if (img->n_ann == 0) {
		a->unassigned++;
		b->unassigned++;
		return 0;
	}
	for (i = 0; i < img->n_ann; i++) {
		if (!img->ann[i].annotation_id) {
			a->missing++;
			b->missing++;
			return note_incomplete(c, img);
		}
		total += img->ann[i].n_labels;
	}
	if (img->n_ann > c->cap_sets) {
		struct mlfy_labelset *ns = realloc(c->sets, img->n_ann * sizeof(*ns));
		if (!ns)
			return mlfy_err_oom(c->err);
		c->sets = ns;
		c->cap_sets = img->n_ann;
	}
	if (total + 1 > c->cap_final) {
		int32_t *nf = realloc(c->final, (total + 1) * sizeof(*nf));
		if (!nf)
			return mlfy_err_oom(c->err);
		c->final = nf;
		c->cap_final = total + 1;
	}
	for (i = 0; i < img->n_ann; i++) {
		c->sets[i].labels = img->ann[i].labels;
		c->sets[i].n = img->ann[i].n_labels;
	}
	if ((rc = mlfy_rule_judge(&c->o->rule, c->sets, img->n_ann, img->original_label, &reason, c->final,
				  &n_final, NULL, c->err)))
		return rc;
	/* an unsure answer always goes to an expert, whatever the sets say */
	for (i = 0; i < img->n_ann; i++)
		if (img->ann[i].unsure)
			reason = MLFY_REASON_UNSURE;
	a->judged++;
	b->judged++;
	a->reasons[reason]++;
	if (reason == MLFY_REASON_AGREED) {
		a->agreed++;
		b->agreed++;
	} else {
		a->refine++;
		b->refine++;
	}
	if ((rc = pair_stats(c, img)))
		return rc;

	kept = (img->final_stage && strcmp(img->final_stage, "agreed")) || (img->queued && img->refine_saved);
	if (kept) {
		a->kept++;
		return 0;
	}
	/* a dry run only reads (it may run on a read-only project) and counts
	 * what the writes below would change */
	if (reason == MLFY_REASON_AGREED) {
		if (img->queued) {
			if (!c->o->dry_run && (rc = mlfy_review_queue_remove(c->s, img->id, c->err)))
				return rc;
			a->unqueued++;
		}
		if (c->o->dry_run)
			rc = mlfy_review_final_differs(c->s, img->id, MLFY_FINAL_AGREED, c->final, n_final, 0, &changed,
						       c->err);
		else
			rc = mlfy_review_final_update(c->s, img->id, MLFY_FINAL_AGREED, c->final, n_final, 0, &changed,
						      c->err);
		if (rc)
			return mlfy_err_prefix(c->err, "%s", img->name);
		if (changed) {
			if (img->final_stage)
				a->changed_agreed++;
			else
				a->new_agreed++;
		}
	} else {
		char rule[32];
		if (img->final_stage) {   /* was agreed under another rule */
			if (!c->o->dry_run && (rc = mlfy_final_delete(c->s, img->id, c->err)))
				return rc;
			a->unagreed++;
		}
		mlfy_rule_name(&c->o->rule, rule);
		if (!c->o->dry_run &&
		    (rc = mlfy_review_queue_put(c->s, img->id, rule, mlfy_rule_reason_code(reason), c->err)))
			return rc;
		if (!img->queued)
			a->queued++;
	}
	/* the decision rests on the stage-ii versions judged now */
	if (!c->o->dry_run) {
		if (MLFY_GROW(c->basis, c->cap_basis, img->n_ann))
			return mlfy_err_oom(c->err);
		for (i = 0; i < img->n_ann; i++)
			c->basis[i] = img->ann[i].annotation_id;
		if ((rc = mlfy_decision_basis_set(c->s, img->id, c->basis, img->n_ann, NULL, c->err)))
			return mlfy_err_prefix(c->err, "%s", img->name);
	}
	return 0;
}

static int cmp_class_pair(const void *x, const void *y)
{
	const struct mlfy_class_pair *p = x, *q = y;
	if (p->count != q->count)
		return p->count < q->count ? 1 : -1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

static int cmp_class_count(const void *x, const void *y)
{
	const struct mlfy_class_count *p = x, *q = y;
	if (p->count != q->count)
		return p->count < q->count ? 1 : -1;
	return (p->cls > q->cls) - (p->cls < q->cls);
}

static int cmp_pair(const void *x, const void *y)
{
	const struct mlfy_analysis_pair *p = x, *q = y;
	int r = strcmp(p->a, q->a);
	return r ? r : strcmp(p->b, q->b);
}

static int finish(struct ctx *c)
{
	struct mlfy_analysis *a = c->out;
	size_t i, k;

	if (c->n_pairs) {
		if (!(a->pairs = calloc(c->n_pairs, sizeof(*a->pairs))))
			return mlfy_err_oom(c->err);
		for (i = 0; i < c->n_pairs; i++) {
			struct mlfy_analysis_pair *p = &a->pairs[i];
			struct mlfy_err kerr;
			p->a = c->pairs[i].a;
			p->b = c->pairs[i].b;
			c->pairs[i].a = c->pairs[i].b = NULL;
			p->images = c->pairs[i].images;
			p->identical = c->pairs[i].identical;
			p->mean_jaccard = p->images ? c->pairs[i].sum_jaccard / (double)p->images : 0.0;
			memcpy(p->table, c->pairs[i].table, sizeof(p->table));
			p->kappa_defined = mlfy_cohen_kappa(p->table, 2, &p->kappa, &kerr) == 0;
			a->n_pairs++;
		}
		qsort(a->pairs, a->n_pairs, sizeof(*a->pairs), cmp_pair);
	}
	if (c->class_pairs.n) {
		struct mlfy_class_pair *all = malloc(c->class_pairs.n * sizeof(*all));
		if (!all)
			return mlfy_err_oom(c->err);
		for (i = 0, k = 0; i < c->class_pairs.n_slots; i++) {
			if (!c->class_pairs.key[i])
				continue;
			all[k].a = (int)((c->class_pairs.key[i] - 1) >> 32);
			all[k].b = (int)((c->class_pairs.key[i] - 1) & 0xffffffffu);
			all[k].count = c->class_pairs.val[i];
			k++;
		}
		qsort(all, k, sizeof(*all), cmp_class_pair);
		a->class_pairs = all;
		a->n_class_pairs = k < c->o->top ? k : c->o->top;
	}
	if (c->classes.n) {
		struct mlfy_class_count *all = malloc(c->classes.n * sizeof(*all));
		if (!all)
			return mlfy_err_oom(c->err);
		for (i = 0, k = 0; i < c->classes.n_slots; i++) {
			if (!c->classes.key[i])
				continue;
			all[k].cls = (int)(c->classes.key[i] - 1);
			all[k].count = c->classes.val[i];
			k++;
		}
		qsort(all, k, sizeof(*all), cmp_class_count);
		a->classes = all;
		a->n_classes = k < c->o->top ? k : c->o->top;
	}
	return 0;
}

void mlfy_analysis_release(struct mlfy_analysis *a)
{
	size_t i;
	if (!a)
		return;
	free(a->batches);
	for (i = 0; i < a->n_pairs; i++) {
		MLFY_FREE_ALL(a->pairs[i].a, a->pairs[i].b);
	}
	MLFY_FREE_ALL(a->pairs, a->class_pairs, a->classes);
	for (i = 0; i < a->n_incomplete; i++) {
		MLFY_FREE_ALL(a->incomplete[i].image, a->incomplete[i].missing);
	}
	free(a->incomplete);
	memset(a, 0, sizeof(*a));
}

int mlfy_analyze(struct mlfy_store *s, const struct mlfy_analyze_opts *opts,
		 struct mlfy_analysis *out, struct mlfy_err *err)
{
	struct ctx c;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.o = opts;
	c.out = out;
	c.err = err;
	mlfy_rule_name(&opts->rule, out->rule);
	out->dry_run = opts->dry_run;
	/* a dry run reads in one read transaction (the walk's own snapshot) */
	if (!opts->dry_run && (rc = mlfy_store_begin(s, err)))
		return rc;
	rc = mlfy_review_foreach_image(s, judge_cb, &c, err);
	if (!rc)
		rc = finish(&c);
	if (!opts->dry_run) {
		if (!rc)
			rc = mlfy_store_commit(s, err);
		else
			mlfy_store_rollback(s);
	}
	for (i = 0; i < c.n_pairs; i++) {
		MLFY_FREE_ALL(c.pairs[i].a, c.pairs[i].b);
	}
	MLFY_FREE_ALL(c.pairs, c.final, c.sets, c.basis);
	count_map_free(&c.class_pairs);
	count_map_free(&c.classes);
	if (rc)
		mlfy_analysis_release(out);
	return rc;
}
