/* live_json.c - the live project view as JSON (see live_json.h). */
#include "evaluate/live_json.h"

#include "evaluate/proportion_json.h"

/* Sets o[key] = v (stolen); *bad = 1 when v is NULL or the set fails. */
static void set(json_t *o, const char *key, json_t *v, int *bad)
{
	if (!v || json_object_set_new(o, key, v))
		*bad = 1;
}

static json_t *count_share(const struct mlfy_label_counts *lc, size_t n)
{
	return json_pack("{s:I, s:f}", "images", (json_int_t)n, "percent", mlfy_label_counts_pct(lc, n));
}

static json_t *label_counts(const struct mlfy_label_counts *lc, int *bad)
{
	json_t *o = json_object(), *counts = json_array();
	size_t c;

	if (!o || !counts) {
		json_decref(o);
		json_decref(counts);
		*bad = 1;
		return NULL;
	}
	set(o, "images", json_integer((json_int_t)lc->n_images), bad);
	set(o, "labels", json_integer((json_int_t)lc->total_labels), bad);
	set(o, "mean_labels", json_real(mlfy_label_counts_mean(lc)), bad);
	for (c = 0; lc->n_images && c <= lc->max_count; c++) {
		json_t *b = count_share(lc, mlfy_label_counts_exactly(lc, c));
		if (!b || json_object_set_new(b, "labels", json_integer((json_int_t)c)) ||
		    json_array_append_new(counts, b))
			*bad = 1;
	}
	set(o, "counts", counts, bad);
	set(o, "more_than_2", count_share(lc, mlfy_label_counts_at_least(lc, 3)), bad);
	set(o, "at_least_2", count_share(lc, mlfy_label_counts_at_least(lc, 2)), bad);
	return o;
}

static json_t *model(const struct mlfy_live_view *v, size_t j, int *bad)
{
	const struct mlfy_model_result *m = &v->results.models[j];
	struct mlfy_proportion t, r;
	json_t *o = json_object(), *by = json_array();
	char name[32];
	int b;

	if (!o || !by) {
		json_decref(o);
		json_decref(by);
		*bad = 1;
		return NULL;
	}
	mlfy_eval_top1(m, &t);
	mlfy_eval_real(m, &r);
	set(o, "model", json_string(m->model), bad);
	set(o, "id", json_integer((json_int_t)v->model_ids[j]), bad);
	set(o, "active", json_boolean(v->coverage_model && v->model_ids[j] == v->coverage_model_id), bad);
	set(o, "predicted", json_integer((json_int_t)m->acc.n_images), bad);
	set(o, "top1", mlfy_proportion_json(&t), bad);
	set(o, "real", mlfy_proportion_json(&r), bad);
	for (b = 0; b <= v->results.max_count + 1; b++) {
		json_t *e = json_object();
		mlfy_eval_bucket(m, b, &t, &r);
		if (!e || json_array_append_new(by, e)) {
			*bad = 1;
			continue;
		}
		set(e, "label_count",
		    json_string(mlfy_eval_bucket_name(b, v->results.max_count, name, sizeof(name))), bad);
		set(e, "top1", mlfy_proportion_json(&t), bad);
		set(e, "real", mlfy_proportion_json(&r), bad);
	}
	set(o, "by_label_count", by, bad);
	return o;
}

static json_t *coverage(const struct mlfy_live_view *v, int *bad)
{
	json_t *o;
	if (!v->coverage_model)
		return json_null();
	if (!(o = json_object())) {
		*bad = 1;
		return NULL;
	}
	set(o, "model", json_string(v->coverage_model), bad);
	set(o, "k", json_integer(v->coverage_k), bad);
	set(o, "images", json_integer((json_int_t)v->coverage_images), bad);
	set(o, "images_without_proposals", json_integer((json_int_t)v->coverage_no_proposals), bad);
	set(o, "labels", json_integer((json_int_t)v->within.n), bad);
	set(o, "within", mlfy_proportion_json(&v->within), bad);
	set(o, "outside", mlfy_proportion_json(&v->outside), bad);
	return o;
}

/* The fit of the scatter, or null with fit_reason. */
static void fit(json_t *root, const struct mlfy_live_view *v, int *bad)
{
	struct mlfy_model_scores sc = { 0 };
	struct mlfy_linfit f;
	struct mlfy_err err;
	int rc;

	mlfy_err_clear(&err);
	rc = mlfy_live_scores(v, &sc, &f, &err);
	if (rc == MLFY_ENOTFOUND) {
		set(root, "fit", json_null(), bad);
		set(root, "fit_reason", json_string(err.msg), bad);
		return;
	}
	if (rc) {
		*bad = 1;
		return;
	}
	set(root, "fit", json_pack("{s:I, s:o, s:o, s:o, s:o}", "n", (json_int_t)f.n,
				   "slope", mlfy_real_or_null(f.slope),
				   "intercept", mlfy_real_or_null(f.intercept),
				   "r2", mlfy_real_or_null(f.r2),
				   "resid_sd", mlfy_real_or_null(f.resid_sd)), bad);
	mlfy_linfit_release(&f);
	mlfy_model_scores_release(&sc);
}

json_t *mlfy_live_json(const struct mlfy_live_view *v)
{
	const struct mlfy_eval_results *r = &v->results;
	json_t *root = json_object(), *models = json_array();
	size_t j;
	int bad = 0;

	if (!root || !models) {
		json_decref(root);
		json_decref(models);
		return NULL;
	}
	set(root, "seq", json_integer((json_int_t)v->seq), &bad);
	set(root, "labels", json_string(r->labels ? r->labels : ""), &bad);
	set(root, "images", json_integer((json_int_t)r->n_images), &bad);
	set(root, "decided", json_integer((json_int_t)(r->n_images - r->n_undecided)), &bad);
	set(root, "undecided", json_integer((json_int_t)r->n_undecided), &bad);
	set(root, "empty_sets", json_integer((json_int_t)r->n_empty), &bad);
	set(root, "no_original", json_integer((json_int_t)r->n_no_original), &bad);
	set(root, "max_count", json_integer(r->max_count), &bad);
	set(root, "z", json_real(MLFY_Z95), &bad);
	for (j = 0; j < r->n_models; j++)
		if (json_array_append_new(models, model(v, j, &bad)))
			bad = 1;
	set(root, "models", models, &bad);
	set(root, "label_counts", label_counts(&v->counts, &bad), &bad);
	set(root, "coverage", coverage(v, &bad), &bad);
	fit(root, v, &bad);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}
