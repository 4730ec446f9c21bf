/* stages.c - the console's stage actions (console.h): stage-ii assignment
 * (POST /api/admin/assign), stage-iii analysis (POST /api/admin/analyze)
 * and the stage-iv refinement split (POST /api/admin/refinement).  Each
 * takes "dry_run": true for a preview, which runs the same library
 * function as the apply (and as `mlfy assign`, `mlfy analyze`, `mlfy
 * assign-refinement`) and writes nothing; an apply is recorded in the
 * audit log with its parameters and result. */
#include "serve/console.h"
#include "serve/http.h"
#include "review/analyze.h"
#include "review/analyze_report.h"
#include "review/assign_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An integer member in [lo, hi] or def when absent: 0, or -1 after a 400. */
static int int_field(struct req *r, json_t *o, const char *key, long long lo, long long hi, long long def,
		     long long *out, enum MHD_Result *ret)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		*ret = reply_error(r, 400, "\"%s\" must be an integer from %lld to %lld", key, lo, hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* A number member in [lo, hi] (hi_open: below hi) or def when absent. */
static int real_field(struct req *r, json_t *o, const char *key, double lo, double hi, int hi_open, double def,
		      double *out, enum MHD_Result *ret)
{
	json_t *v = json_object_get(o, key);
	double x;
	if (!v || json_is_null(v)) {
		*out = def;
		return 0;
	}
	x = json_number_value(v);
	if (!json_is_number(v) || !(x >= lo) || (hi_open ? !(x < hi) : !(x <= hi))) {
		*ret = reply_error(r, 400, "\"%s\" must be a number from %g to %s%g", key, lo, hi_open ? "below " : "", hi);
		return -1;
	}
	*out = x;
	return 0;
}

static int dry_run_of(json_t *o)
{
	return json_is_true(json_object_get(o, "dry_run"));
}

/* An assignment's report (and gold placements) as JSON. */
static json_t *assign_result(const struct mlfy_assign_report *rep, const struct mlfy_gold_placed *p, size_t n,
			     int per_image, int dry_run)
{
	json_t *load = json_array(), *gold = json_array(), *o;
	size_t i;
	for (i = 0; i < rep->n_load; i++)
		json_array_append_new(load, json_pack("{sssisIsi}", "annotator", rep->load[i].annotator, "batches",
						      rep->load[i].batches, "images", (json_int_t)rep->load[i].images,
						      "added", rep->load[i].added));
	for (i = 0; i < n; i++)
		json_array_append_new(gold, json_pack("{sssIsIsIsI}", "annotator", p[i].annotator, "own",
						      (json_int_t)p[i].own, "placed", (json_int_t)p[i].placed, "had",
						      (json_int_t)p[i].had, "wanted", (json_int_t)(p[i].had ? 0 : p[i].wanted)));
	o = json_pack("{sbsisisisisoso}", "dry_run", dry_run, "per_image", per_image, "batches", rep->n_batches,
		      "added", rep->added, "complete", rep->complete, "load", load, "gold", gold);
	return o;
}

/* POST /api/admin/assign {"per_image": K, "annotators": [..], "gold":
 * {"first": N, "rate": P, "seed": S} | null, "dry_run": bool} */
enum MHD_Result h_admin_assign(struct req *r, const char *rest)
{
	struct mlfy_stage2_plan plan;
	struct mlfy_assign_report rep;
	struct mlfy_gold_placed *placed = NULL;
	const char **names = NULL;
	size_t n = 0, n_placed = 0;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *g, *res;
	long long k, first = 0, seed = 0;
	double rate = 0;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	g = json_object_get(j, "gold");
	if (g && !json_is_null(g) && !json_is_object(g)) {
		json_decref(j);
		return reply_error(r, 400, "\"gold\" must be an object {first, rate, seed} or null");
	}
	if (int_field(r, j, "per_image", 0, 1000, 2, &k, &ret) ||
	    (json_is_object(g) && (int_field(r, g, "first", 0, 1000000, 0, &first, &ret) ||
				   real_field(r, g, "rate", 0, 1, 1, 0, &rate, &ret) ||
				   int_field(r, g, "seed", 0, INT64_MAX, 0, &seed, &ret))) ||
	    console_names(r, j, "annotators", &names, &n, &ret)) {
		json_decref(j);
		return ret;
	}
	plan = (struct mlfy_stage2_plan){ (int)k, json_is_object(g), (int)first, rate, (uint64_t)seed, dry_run_of(j) };
	mlfy_err_clear(&err);
	if (!plan.dry_run)
		pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_assign_stage2(r->store, &plan, names, n, &rep, &placed, &n_placed, &err);
	if (!plan.dry_run)
		pthread_mutex_unlock(&r->srv->write_mu);
	free(names);
	if (rc) {
		if (!plan.dry_run)
			console_audit(r, "assign", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	res = assign_result(&rep, placed, n_placed, plan.per_image, plan.dry_run);
	mlfy_assign_report_release(&rep);
	mlfy_gold_placed_free(placed, n_placed);
	if (!plan.dry_run)
		console_audit(r, "assign", j, res, NULL);
	json_decref(j);
	return reply_json(r, 200, res);
}

/* POST /api/admin/analyze {"rule": "paper", "dry_run": bool}: the analysis
 * JSON of `mlfy analyze --json` */
enum MHD_Result h_admin_analyze(struct req *r, const char *rest)
{
	struct mlfy_analyze_opts opts;
	struct mlfy_analysis a;
	enum MHD_Result ret;
	struct mlfy_err err;
	const char *rule;
	json_t *j, *res, *summary;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	memset(&opts, 0, sizeof(opts));
	rule = str_field(j, "rule");
	mlfy_err_clear(&err);
	if (mlfy_rule_parse(rule ? rule : "paper", &opts.rule, &err)) {
		json_decref(j);
		return reply_err(r, &err);
	}
	opts.dry_run = dry_run_of(j);
	opts.top = 10;
	opts.max_missing = 20;
	if (!opts.dry_run)
		pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_analyze(r->store, &opts, &a, &err);
	if (!opts.dry_run)
		pthread_mutex_unlock(&r->srv->write_mu);
	if (rc) {
		if (!opts.dry_run)
			console_audit(r, "analyze", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	res = mlfy_analysis_json(r->store, &a);
	mlfy_analysis_release(&a);
	if (!res) {
		json_decref(j);
		return reply_error(r, 500, "internal error: cannot encode the analysis");
	}
	if (!opts.dry_run) {
		/* the audit keeps the counts, not the per-pair tables */
		summary = json_deep_copy(json_object_get(res, "changes"));
		console_audit(r, "analyze", j, summary ? summary : res, NULL);
		json_decref(summary);
	}
	json_decref(j);
	return reply_json(r, 200, res);
}

/* POST /api/admin/refinement {"experts": [..], "blind_share": S,
 * "plant_share": Q, "seed": N, "dry_run": bool} */
enum MHD_Result h_admin_refinement(struct req *r, const char *rest)
{
	struct mlfy_refine_plan plan;
	struct mlfy_expert_load *load = NULL;
	struct mlfy_arms_drawn d;
	const char **names = NULL;
	size_t n = 0, n_load = 0, i;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *res, *loads;
	double blind, plant;
	long long seed;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	if (real_field(r, j, "blind_share", 0, 1, 0, NAN, &blind, &ret) ||
	    real_field(r, j, "plant_share", 0, 1, 0, NAN, &plant, &ret) ||
	    int_field(r, j, "seed", 0, INT64_MAX, 0, &seed, &ret) || console_names(r, j, "experts", &names, &n, &ret)) {
		json_decref(j);
		return ret;
	}
	if (!n) {
		json_decref(j);
		return reply_error(r, 400, "choose at least one expert (\"experts\")");
	}
	plan = (struct mlfy_refine_plan){ blind == blind || plant == plant, blind == blind ? blind : 0,
					  plant == plant ? plant : 0, (uint64_t)seed, dry_run_of(j) };
	mlfy_err_clear(&err);
	if (!plan.dry_run)
		pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_assign_refinement(r->store, names, n, &plan, &load, &n_load, &d, &err);
	if (!plan.dry_run)
		pthread_mutex_unlock(&r->srv->write_mu);
	free(names);
	if (rc) {
		if (!plan.dry_run)
			console_audit(r, "refinement", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	loads = json_array();
	for (i = 0; i < n_load; i++)
		json_array_append_new(loads, json_pack("{sssIsIsI}", "expert", load[i].name, "assigned",
						       (json_int_t)load[i].assigned, "added", (json_int_t)load[i].added,
						       "refined", (json_int_t)load[i].refined));
	mlfy_expert_loads_free(load, n_load);
	res = json_pack("{sbsos{sbsIsIsIsI}}", "dry_run", plan.dry_run, "experts", loads, "arms", "drawn", plan.arms,
			"blind", (json_int_t)d.blind, "shown", (json_int_t)d.shown, "planted", (json_int_t)d.planted,
			"kept", (json_int_t)d.kept);
	if (!plan.dry_run)
		console_audit(r, "refinement", j, res, NULL);
	json_decref(j);
	return reply_json(r, 200, res);
}
