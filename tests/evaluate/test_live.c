/* test_live.c - the live project view (src/evaluate/live.c, live_json.c,
 * store/live_input.c, report/figures.c's SVG in memory): its figures equal
 * `mlfy evaluate --project` (the evalset + CSV predictions + mlfy_eval_run
 * path), `mlfy stats` (label counts) and mlfy_coverage_from_project; after
 * changes, reopenings, new models and new images a refresh equals a fresh
 * build; the JSON and the SVG carry the same numbers and names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "evaluate/coverage.h"
#include "evaluate/evalset.h"
#include "evaluate/evaluate.h"
#include "evaluate/live.h"
#include "evaluate/live_json.h"
#include "evaluate/project_stats.h"
#include "evaluate/top1.h"
#include "report/figures.h"
#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/proposals.h"
#include "testutil.h"

#define N_IMG 48
#define N_CLS 30

/* A deterministic generator (xorshift), so the project is the same in every run. */
static uint64_t rng = 88172645463325252ull;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int64_t ids[N_IMG + 8];
static int orig[N_IMG + 8];
static int n_cls = N_CLS;   /* classes of the project being built */

static void tx(struct mlfy_store *s, int begin)
{
	struct mlfy_err err;
	if (begin)
		assert_int_equal(mlfy_store_begin(s, &err), 0);
	else
		assert_int_equal(mlfy_store_commit(s, &err), 0);
}

static void add_images(struct mlfy_store *s, int from, int to)
{
	struct mlfy_err err;
	int i;
	for (i = from; i < to; i++) {
		struct mlfy_image img = { 0 };
		char name[32];
		snprintf(name, sizeof(name), "img%02d.jpg", i);
		/* every fifth image has no original label */
		orig[i] = i % 5 == 3 ? -1 : (int)next((unsigned)n_cls);
		img.name = name;
		img.path = name;
		img.original_label = orig[i];
		img.batch = 1;
		snprintf(img.sha256, sizeof(img.sha256), "%064d", i);
		img.width = img.height = 10;
		img.bytes = 100;
		assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
		ids[i] = img.id;
	}
}

/* Model `name` proposes k classes for images [from, to): the top-1 equals
 * the original label about half of the time; ranks k consecutive classes. */
static void add_model(struct mlfy_store *s, const char *name, int k, int from, int to)
{
	struct mlfy_err err;
	int64_t model;
	int i, r;
	assert_int_equal(mlfy_models_ensure(s, name, "test", "npy-logits", &model, &err), 0);
	for (i = from; i < to; i++) {
		struct mlfy_proposal p[N_CLS];
		int top = orig[i] >= 0 && next(2) ? orig[i] : (int)next((unsigned)n_cls);
		/* a long list (alpha's 25) has ranks 0, 10, 20, ... for odd images:
		 * the coverage counts the first 20 by rank, not the ranks below 20 */
		for (r = 0; r < k; r++)
			p[r] = (struct mlfy_proposal){ k > 20 && i % 2 ? 10 * r : r, (top + r) % n_cls,
						       0.5 / (r + 1) };
		assert_int_equal(mlfy_proposals_put(s, ids[i], model, p, (size_t)k, &err), 0);
	}
}

/* Decides image i with a random set of 0..7 labels (the original label
 * in it more often than not), or reopens it when size < 0. */
static void decide(struct mlfy_store *s, int i, int size)
{
	struct mlfy_err err;
	int set[N_CLS], n = 0, c;
	if (size < 0) {
		assert_int_equal(mlfy_final_delete(s, ids[i], &err), 0);
		return;
	}
	if (size > 0 && orig[i] >= 0 && next(4))
		set[n++] = orig[i];
	while (n < size) {
		int dup = 0, j;
		c = (int)next((unsigned)n_cls);
		for (j = 0; j < n; j++)
			dup |= set[j] == c;
		if (!dup)
			set[n++] = c;
	}
	assert_int_equal(mlfy_final_put(s, ids[i], MLFY_FINAL_AGREED, 0, set, (size_t)n, &err), 0);
}

/* The project: N_IMG images, models alpha (top-25; the active one), beta
 * (top-1), gamma (top-3); 3 of 4 images decided with 0..7 labels. */
static struct mlfy_store *project(char *path, size_t n)
{
	struct mlfy_class cls[N_CLS];
	struct mlfy_store *s;
	struct mlfy_err err;
	char ext[N_CLS][8], nm[N_CLS][8];
	int i;

	rng = 88172645463325252ull;
	n_cls = N_CLS;
	test_tmpfile(path, n, "live.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	tx(s, 1);
	for (i = 0; i < N_CLS; i++) {
		snprintf(ext[i], sizeof(ext[i]), "n%d", i);
		snprintf(nm[i], sizeof(nm[i]), "c%d", i);
		cls[i] = (struct mlfy_class){ i, ext[i], nm[i], "", "" };
	}
	assert_int_equal(mlfy_catalog_add_classes(s, cls, N_CLS, &err), 0);
	add_images(s, 0, N_IMG);
	add_model(s, "alpha", 25, 0, N_IMG);   /* more than the 20 the coverage counts */
	add_model(s, "beta", 1, 0, N_IMG);
	add_model(s, "gamma", 3, 0, N_IMG);
	assert_int_equal(mlfy_models_set_active(s, "alpha", &err), 0);
	for (i = 0; i < N_IMG; i++)
		if (i % 4 != 1)
			decide(s, i, (int)next(8));
	tx(s, 0);
	return s;
}

/* ---- the reference: what mlfy evaluate --project and mlfy stats compute ---- */

/* Writes model's rank-0 proposals as a CSV name,index file (as the lead's
 * acceptance test exports them) and scores it like `mlfy evaluate
 * --project`; *r is filled (mlfy_eval_results_release). */
static void evaluate_models(struct mlfy_store *s, const struct mlfy_live_view *v,
			    struct mlfy_eval_results *r)
{
	struct mlfy_top1 *p[8];
	struct mlfy_evalset *es;
	struct mlfy_err err;
	size_t j, i;

	assert_true(v->results.n_models <= 8);
	assert_int_equal(mlfy_evalset_from_project(s, &es, &err), 0);
	for (j = 0; j < v->results.n_models; j++) {
		char csv[4096];
		FILE *f;
		test_tmpfile(csv, sizeof(csv), "pred.csv");
		assert_non_null(f = fopen(csv, "w"));
		fprintf(f, "name,index\n");
		for (i = 0; i < es->n; i++) {
			struct mlfy_proposal q[1];
			size_t k = 0;
			int64_t id;
			size_t at;
			assert_int_equal(sscanf(es->names[i], "img%02zu.jpg", &at), 1);
			id = ids[at];
			assert_int_equal(mlfy_proposals_get(s, id, v->model_ids[j], q, 1, &k, &err), 0);
			assert_int_equal(k, 1);   /* every model proposes for every image */
			assert_int_equal(q[0].rank, 0);
			fprintf(f, "%s,%d\n", es->names[i], q[0].class_idx);
		}
		fclose(f);
		assert_int_equal(mlfy_top1_load(v->results.models[j].model, csv, es->n_classes, &p[j], &err), 0);
	}
	assert_int_equal(mlfy_eval_run(es, p, v->results.n_models, NULL, 0, MLFY_LIVE_MAX_COUNT, r, &err), 0);
	for (j = 0; j < v->results.n_models; j++)
		mlfy_top1_free(p[j]);
	mlfy_evalset_free(es);
}

/* The view against evaluate, stats and coverage of the same project. */
static void check_against_reference(struct mlfy_store *s, const struct mlfy_live_view *v)
{
	struct mlfy_eval_results r;
	struct mlfy_project_stats st;
	struct mlfy_err err;
	size_t j, c;

	evaluate_models(s, v, &r);
	assert_int_equal(v->results.n_images, r.n_images);
	assert_int_equal(v->results.n_empty, r.n_empty);
	assert_int_equal(v->results.n_undecided, r.n_undecided);
	assert_int_equal(v->results.n_no_original, r.n_no_original);
	assert_int_equal(v->results.max_count, r.max_count);
	assert_int_equal(v->results.n_models, r.n_models);
	for (j = 0; j < r.n_models; j++) {
		struct mlfy_proportion a, b;
		assert_string_equal(v->results.models[j].model, r.models[j].model);
		/* every counter: top-1, ReaL, per label count, undecided, empty */
		assert_memory_equal(&v->results.models[j].acc, &r.models[j].acc, sizeof(r.models[j].acc));
		mlfy_eval_real(&v->results.models[j], &a);
		mlfy_eval_real(&r.models[j], &b);
		assert_true(a.n > 0 && a.k > 0 && a.k < a.n);   /* a non-trivial figure */
		assert_true(a.lo == b.lo && a.hi == b.hi);
	}
	mlfy_eval_results_release(&r);

	assert_int_equal(mlfy_project_stats_get(s, NULL, MLFY_LIVE_K, &st, &err), 0);
	assert_int_equal(v->counts.n_images, st.counts.n_images);
	assert_int_equal(v->counts.total_labels, st.counts.total_labels);
	assert_int_equal(v->counts.max_count, st.counts.max_count);
	for (c = 0; c <= st.counts.max_count; c++)
		assert_int_equal(mlfy_label_counts_exactly(&v->counts, c),
				 mlfy_label_counts_exactly(&st.counts, c));
	assert_non_null(st.coverage);
	assert_string_equal(v->coverage_model, st.coverage_model);
	assert_int_equal(v->coverage_images, st.coverage->n_images);
	assert_int_equal(v->coverage_no_proposals, st.coverage->n_no_proposals);
	assert_int_equal(v->within.n, st.coverage->n_labels);
	assert_int_equal(v->within.k, st.coverage->labels_in_top[MLFY_LIVE_K]);
	assert_true(fabs(1 - v->within.p - mlfy_coverage_outside(st.coverage, 0)) < 1e-12);
	assert_int_equal(v->outside.k + v->within.k, v->outside.n);
	mlfy_project_stats_release(&st);
}

/* Two views hold the same figures. */
static void check_same(const struct mlfy_live_view *a, const struct mlfy_live_view *b)
{
	size_t j, c;
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->results.n_images, b->results.n_images);
	assert_int_equal(a->results.n_empty, b->results.n_empty);
	assert_int_equal(a->results.n_undecided, b->results.n_undecided);
	assert_int_equal(a->results.n_no_original, b->results.n_no_original);
	assert_int_equal(a->results.n_models, b->results.n_models);
	for (j = 0; j < a->results.n_models; j++) {
		assert_string_equal(a->results.models[j].model, b->results.models[j].model);
		assert_int_equal(a->model_ids[j], b->model_ids[j]);
		assert_memory_equal(&a->results.models[j].acc, &b->results.models[j].acc,
				    sizeof(a->results.models[j].acc));
	}
	assert_int_equal(a->counts.n_images, b->counts.n_images);
	assert_int_equal(a->counts.total_labels, b->counts.total_labels);
	assert_int_equal(a->counts.max_count, b->counts.max_count);
	for (c = 0; c <= a->counts.max_count; c++)
		assert_int_equal(mlfy_label_counts_exactly(&a->counts, c), mlfy_label_counts_exactly(&b->counts, c));
	assert_true((a->coverage_model == NULL) == (b->coverage_model == NULL));
	if (a->coverage_model)
		assert_string_equal(a->coverage_model, b->coverage_model);
	assert_int_equal(a->coverage_images, b->coverage_images);
	assert_int_equal(a->coverage_no_proposals, b->coverage_no_proposals);
	assert_int_equal(a->within.k, b->within.k);
	assert_int_equal(a->within.n, b->within.n);
	assert_int_equal(a->outside.k, b->outside.k);
}

/* A fresh build of s equals lv's view. */
static void check_fresh(struct mlfy_store *s, const struct mlfy_live *lv)
{
	struct mlfy_live *fresh;
	struct mlfy_err err;
	assert_int_equal(mlfy_live_open(s, &fresh, &err), 0);
	check_same(mlfy_live_view(lv), mlfy_live_view(fresh));
	mlfy_live_free(fresh);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_open_matches_evaluate(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path));
	struct mlfy_live *lv;
	const struct mlfy_live_view *v;
	struct mlfy_err err;
	int64_t decided, undecided;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	v = mlfy_live_view(lv);
	assert_int_equal(v->results.n_models, 3);
	assert_string_equal(v->results.models[0].model, "alpha");
	assert_string_equal(v->coverage_model, "alpha");
	assert_int_equal(v->coverage_k, 20);
	assert_int_equal(v->results.n_images, N_IMG);
	assert_int_equal(mlfy_final_count(s, &decided, &undecided, &err), 0);
	assert_int_equal(v->results.n_undecided, (size_t)undecided);
	assert_int_equal(v->seq, decided);   /* one change per decided image so far */
	assert_true(v->results.n_empty > 0);
	assert_true(v->counts.max_count > MLFY_LIVE_MAX_COUNT);   /* the ">4" bucket is used */
	check_against_reference(s, v);
	/* 4 + 3 bytes per image (dense ids) and the fixed tables */
	assert_true(mlfy_live_bytes(lv) >= N_IMG * 7);
	assert_true(mlfy_live_bytes(lv) < N_IMG * 7 + 300 * 1024);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

static void test_refresh_is_incremental(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path)), *ro;
	struct mlfy_live *lv;
	struct mlfy_err err;
	int changed = -1, i, n_empty;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 0);   /* nothing happened */

	/* re-decide some, reopen some, decide undecided ones, one twice; give
	 * every empty set labels */
	tx(s, 1);
	for (i = 0, n_empty = 0; i < N_IMG; i++) {
		struct mlfy_final f;
		if (!mlfy_final_get(s, ids[i], &f, &err) && f.n == 0) {
			decide(s, i, 2);
			n_empty++;
		}
		mlfy_final_release(&f);
	}
	assert_true(n_empty > 1);
	for (i = 0; i < N_IMG; i += 3)
		decide(s, i, i % 4 == 1 ? 2 : (int)next(8));
	decide(s, 4, -1);
	decide(s, 8, -1);
	decide(s, 6, 0);
	decide(s, 6, 5);
	tx(s, 0);
	/* through a second, read-only connection, as the server's workers have */
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_READONLY, &ro, &err), 0);
	assert_int_equal(mlfy_live_refresh(lv, ro, &changed, &err), 0);
	assert_int_equal(changed, 1);
	check_fresh(s, lv);
	check_against_reference(s, mlfy_live_view(lv));

	/* a second round, then nothing */
	tx(s, 1);
	decide(s, 4, 3);
	decide(s, 0, -1);
	decide(s, 1, 7);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, ro, &changed, &err), 0);
	assert_int_equal(changed, 1);
	check_fresh(s, lv);
	check_against_reference(s, mlfy_live_view(lv));
	assert_int_equal(mlfy_live_refresh(lv, ro, &changed, &err), 0);
	assert_int_equal(changed, 0);
	mlfy_store_close(ro);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

/* A change that the refresh must not miss: the same image changed twice
 * between refreshes counts once, with its last set. */
static void test_refresh_counts_last_set(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path));
	struct mlfy_live *lv;
	struct mlfy_err err;
	size_t before;
	int changed;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	before = mlfy_live_view(lv)->counts.n_images;
	tx(s, 1);
	decide(s, 1, 2);   /* image 1 was undecided */
	decide(s, 1, 3);
	decide(s, 5, -1);  /* image 5 too: reopening it changes nothing */
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(mlfy_live_view(lv)->counts.n_images, before + 1);
	check_fresh(s, lv);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

static void test_new_models_and_images_rebuild(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path));
	struct mlfy_live *lv;
	const struct mlfy_live_view *v;
	struct mlfy_err err;
	int changed;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	tx(s, 1);
	add_model(s, "delta", 2, 0, N_IMG);
	decide(s, 2, 4);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	v = mlfy_live_view(lv);
	assert_int_equal(v->results.n_models, 4);
	assert_string_equal(v->results.models[3].model, "delta");
	assert_string_equal(v->coverage_model, "alpha");
	check_fresh(s, lv);
	check_against_reference(s, v);

	/* another active model: the coverage follows it */
	tx(s, 1);
	assert_int_equal(mlfy_models_set_active(s, "gamma", &err), 0);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	v = mlfy_live_view(lv);
	assert_string_equal(v->coverage_model, "gamma");
	check_against_reference(s, v);

	/* new images, undecided, with proposals of an existing model: the
	 * models are the same, the images not */
	tx(s, 1);
	add_images(s, N_IMG, N_IMG + 2);
	add_model(s, "alpha", 3, N_IMG, N_IMG + 2);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	v = mlfy_live_view(lv);
	assert_int_equal(v->results.n_images, N_IMG + 2);
	assert_int_equal(v->results.models[0].acc.n_images, N_IMG + 2);
	check_fresh(s, lv);

	/* new images with proposals of a new model only, decided */
	tx(s, 1);
	add_images(s, N_IMG + 2, N_IMG + 6);
	add_model(s, "epsilon", 1, N_IMG + 2, N_IMG + 6);
	decide(s, N_IMG + 2, 2);
	decide(s, N_IMG + 3, 0);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	v = mlfy_live_view(lv);
	assert_int_equal(v->results.n_images, N_IMG + 6);
	assert_int_equal(v->results.n_models, 5);
	/* a model without a proposal for an image leaves it out */
	assert_int_equal(v->results.models[0].acc.n_images, N_IMG + 2);
	assert_int_equal(v->results.models[4].acc.n_images, 4);
	/* the active model (gamma) has no proposals for them */
	assert_int_equal(v->coverage_no_proposals, 2);
	check_fresh(s, lv);
	/* and they change: out of and into the coverage's "without proposals" */
	tx(s, 1);
	decide(s, N_IMG + 2, -1);
	decide(s, N_IMG + 3, 3);
	decide(s, N_IMG + 4, 1);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(mlfy_live_view(lv)->coverage_no_proposals, 2);
	check_fresh(s, lv);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

static void test_json(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path));
	struct mlfy_live *lv;
	const struct mlfy_live_view *v;
	struct mlfy_proportion t;
	struct mlfy_err err;
	json_t *o, *m, *by;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	v = mlfy_live_view(lv);
	assert_non_null(o = mlfy_live_json(v));
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), v->seq);
	assert_int_equal(json_integer_value(json_object_get(o, "images")), N_IMG);
	assert_int_equal(json_integer_value(json_object_get(o, "decided")), v->counts.n_images);
	assert_int_equal(json_array_size(json_object_get(o, "models")), 3);
	m = json_array_get(json_object_get(o, "models"), 2);
	assert_string_equal(json_string_value(json_object_get(m, "model")), "gamma");
	assert_true(json_is_false(json_object_get(m, "active")));
	mlfy_eval_top1(&v->results.models[2], &t);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "top1"), "k")), t.k);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "top1"), "n")), t.n);
	assert_true(json_real_value(json_object_get(json_object_get(m, "top1"), "ci_low")) == t.lo);
	by = json_object_get(m, "by_label_count");
	assert_int_equal(json_array_size(by), MLFY_LIVE_MAX_COUNT + 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(by, 5), "label_count")), ">4");
	/* bucket 0: ReaL undefined */
	assert_true(json_is_null(json_object_get(json_object_get(json_array_get(by, 0), "real"), "p")));
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(o, "models"), 0), "active")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "label_counts"), "images")),
			 v->counts.n_images);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(o, "coverage"),
									      "within"), "k")), v->within.k);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "fit"), "n")), 3);
	assert_null(json_object_get(o, "fit_reason"));
	json_decref(o);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

static void test_scatter_svg(void **state)
{
	char path[4096];
	struct mlfy_store *s = project(path, sizeof(path));
	struct mlfy_live *lv;
	struct mlfy_err err;
	char *svg = NULL;
	size_t len = 0;
	(void)state;

	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	assert_int_equal(mlfy_live_scatter_svg(mlfy_live_view(lv), &svg, &len, &err), 0);
	assert_non_null(svg);
	assert_int_equal(strlen(svg), len);
	assert_true(!strncmp(svg, "<?xml", 5) || !strncmp(svg, "<svg", 4));
	assert_non_null(strstr(svg, "</svg>"));
	assert_non_null(strstr(svg, "<title>ReaL accuracy vs top-1 accuracy</title>"));
	assert_non_null(strstr(svg, " alpha (top-1 "));
	assert_non_null(strstr(svg, " beta (top-1 "));
	assert_non_null(strstr(svg, " gamma (top-1 "));
	free(svg);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

/* Fewer than 3 models: no figure, and the reason. */
static void test_scatter_needs_three_models(void **state)
{
	char path[4096];
	struct mlfy_store *s;
	struct mlfy_live *lv;
	struct mlfy_err err;
	char *svg = (char *)"x";
	size_t len = 7;
	json_t *o;
	(void)state;

	test_tmpfile(path, sizeof(path), "two.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	tx(s, 1);
	{
		struct mlfy_class c[2] = { { 0, "a", "a", "", "" }, { 1, "b", "b", "", "" } };
		assert_int_equal(mlfy_catalog_add_classes(s, c, 2, &err), 0);
	}
	n_cls = 2;
	add_images(s, 0, 3);
	add_model(s, "one", 1, 0, 3);
	add_model(s, "two", 2, 0, 3);
	tx(s, 0);
	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	assert_int_equal(mlfy_live_scatter_svg(mlfy_live_view(lv), &svg, &len, &err), MLFY_ENOTFOUND);
	assert_null(svg);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "no ReaL vs top-1 figure"));
	assert_non_null(o = mlfy_live_json(mlfy_live_view(lv)));
	assert_true(json_is_null(json_object_get(o, "fit")));
	assert_non_null(strstr(json_string_value(json_object_get(o, "fit_reason")), "at least 3"));
	json_decref(o);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

/* A project without models: label counts, no coverage, no figure. */
static void test_no_models(void **state)
{
	char path[4096];
	struct mlfy_class c[3] = { { 0, "a", "a", "", "" }, { 1, "b", "b", "", "" }, { 2, "c", "c", "", "" } };
	struct mlfy_store *s;
	struct mlfy_live *lv;
	const struct mlfy_live_view *v;
	struct mlfy_err err;
	char *svg;
	size_t len;
	int changed;
	json_t *o;
	(void)state;

	test_tmpfile(path, sizeof(path), "none.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	tx(s, 1);
	assert_int_equal(mlfy_catalog_add_classes(s, c, 3, &err), 0);
	n_cls = 3;
	add_images(s, 0, 4);
	decide(s, 0, 2);
	decide(s, 1, 0);
	tx(s, 0);
	assert_int_equal(mlfy_live_open(s, &lv, &err), 0);
	tx(s, 1);
	decide(s, 2, 3);
	decide(s, 1, -1);
	tx(s, 0);
	assert_int_equal(mlfy_live_refresh(lv, s, &changed, &err), 0);
	assert_int_equal(changed, 1);
	v = mlfy_live_view(lv);
	assert_int_equal(v->results.n_models, 0);
	assert_null(v->coverage_model);
	assert_int_equal(v->counts.n_images, 2);
	assert_int_equal(v->counts.total_labels, 5);
	assert_int_equal(v->results.n_undecided, 2);
	assert_int_equal(v->results.n_empty, 0);
	check_fresh(s, lv);
	assert_non_null(o = mlfy_live_json(v));
	assert_true(json_is_null(json_object_get(o, "coverage")));
	assert_int_equal(json_array_size(json_object_get(o, "models")), 0);
	json_decref(o);
	assert_int_equal(mlfy_live_scatter_svg(v, &svg, &len, &err), MLFY_ENOTFOUND);
	mlfy_live_free(lv);
	mlfy_store_close(s);
}

/* A degenerate fit (every top-1 accuracy equal) is no figure either. */
static void test_fit_scores_degenerate(void **state)
{
	char *names[3] = { strdup("a"), strdup("b"), strdup("c") };
	double top1[3] = { 50, 50, 50 }, real[3] = { 60, 61, NAN };
	struct mlfy_model_scores sc = { 3, names, top1, real, NULL };
	struct mlfy_linfit fit;
	struct mlfy_err err;
	(void)state;

	/* c has no ReaL accuracy: dropped, 2 left */
	assert_int_equal(mlfy_live_fit_scores(&sc, &fit, &err), MLFY_ENOTFOUND);
	assert_int_equal(sc.n, 2);
	assert_non_null(strstr(err.msg, "2 models with both accuracies"));
	real[0] = 60;
	top1[2] = 50;
	real[2] = 62;
	names[2] = strdup("c");
	sc.n = 3;
	assert_int_equal(mlfy_live_fit_scores(&sc, &fit, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no ReaL vs top-1 figure: "));
	assert_int_equal(fit.n, 0);
	top1[2] = 52;
	assert_int_equal(mlfy_live_fit_scores(&sc, &fit, &err), 0);
	assert_int_equal(fit.n, 3);
	mlfy_linfit_release(&fit);
	free(names[0]);
	free(names[1]);
	free(names[2]);
}

/* The SVG's <title>/<desc> are escaped; the figure is the file's drawing. */
static void test_scatter_svg_escapes(void **state)
{
	double x[3] = { 70, 75, 80 }, y[3] = { 76, 80, 85 };
	const char *names[3] = { "a<b", "c&d", "e\"f" };
	struct mlfy_fig_scatter f = { "t<1>", "x", "y", "X", "Y", 3, x, y, names, NULL, 2, 8 };
	struct mlfy_err err;
	char *svg;
	size_t len;
	(void)state;

	assert_int_equal(mlfy_fig_scatter_svg(&f, &svg, &len, &err), 0);
	assert_non_null(strstr(svg, "<title>t&lt;1&gt;</title>"));
	assert_non_null(strstr(svg, "a&lt;b (X 70.00, Y 76.00); c&amp;d"));
	assert_non_null(strstr(svg, "e&quot;f"));
	assert_null(strstr(svg, "a<b"));
	free(svg);
	x[1] = NAN;
	assert_int_equal(mlfy_fig_scatter_svg(&f, &svg, &len, &err), MLFY_EINVAL);
	assert_null(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_matches_evaluate),
		cmocka_unit_test(test_refresh_is_incremental),
		cmocka_unit_test(test_refresh_counts_last_set),
		cmocka_unit_test(test_new_models_and_images_rebuild),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_scatter_svg),
		cmocka_unit_test(test_scatter_needs_three_models),
		cmocka_unit_test(test_no_models),
		cmocka_unit_test(test_fit_scores_degenerate),
		cmocka_unit_test(test_scatter_svg_escapes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mlfy_plot_shutdown();
	return rc;
}
