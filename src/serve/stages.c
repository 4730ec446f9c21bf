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

/* "dry_run": true / false / absent (false); -1 after a 400 for anything
 * else ("true" as a string must never mean "apply"). */
static int dry_run_of(struct req *r, json_t *o, enum MHD_Result *ret)
{
	json_t *v = json_object_get(o, "dry_run");
	if (!v)
		return 0;   /* absent: apply; null is not a boolean */
	if (!json_is_boolean(v)) {
		*ret = reply_error(r, 400, "\"dry_run\" must be true or false");
		return -1;
	}
	return json_is_true(v);
}

/* An apply may carry "expect": the reply of the preview it follows.  The
 * plan of the apply is computed first as a dry run, under the write lock
 * the apply then keeps, and compared with it on keys: 1 when they differ
 * (someone changed the project since, or the settings differ), 0 when
 * they agree or there is no "expect". */
static int plan_changed(json_t *body, json_t *dry, const char *const *keys)
{
	json_t *expect = json_object_get(body, "expect");
	size_t i;
	if (!expect)
		return 0;
	for (i = 0; keys[i]; i++)
		if (!json_equal(json_object_get(expect, keys[i]), json_object_get(dry, keys[i])))
			return 1;
	return 0;
}

static enum MHD_Result reply_changed(struct req *r, json_t *dry)
{
	return reply_json(r, 409, json_pack("{ssso}", "error",
					    "the plan changed since the preview (someone assigned, invited or saved"
					    " meanwhile): check the new preview and apply again", "preview", dry));
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

/* One stage-ii run (a dry run when plan->dry_run) as its reply; NULL with
 * err set on error. */
static json_t *assign_run(struct req *r, const struct mlfy_stage2_plan *plan, const char **names, size_t n,
			  struct mlfy_err *err)
{
	struct mlfy_assign_report rep;
	struct mlfy_gold_placed *placed = NULL;
	size_t n_placed = 0;
	json_t *res;

	if (mlfy_assign_stage2(r->store, plan, names, n, &rep, &placed, &n_placed, err))
		return NULL;
	res = assign_result(&rep, placed, n_placed, plan->per_image, plan->dry_run);
	if (res && plan->per_image > 0 && rep.complete < rep.n_batches)
		/* as `mlfy assign`, which exits 1 for it: said, not hidden */
		json_object_set_new(res, "warning", json_sprintf("%d of %d batches have fewer than %d annotators%s",
								 rep.n_batches - rep.complete, rep.n_batches,
								 plan->per_image,
								 plan->gold ? "" : " (too few candidates, or a batch holding one"
										  " of a candidate's gold tasks)"));
	mlfy_assign_report_release(&rep);
	mlfy_gold_placed_free(placed, n_placed);
	if (!res)
		mlfy_err_oom(err);
	return res;
}

/* POST /api/admin/assign {"per_image": K, "annotators": [..], "gold":
 * {"first": N, "rate": P, "seed": S} | null, "dry_run": bool, "expect":
 * the preview's reply} */
enum MHD_Result h_admin_assign(struct req *r, const char *rest)
{
	static const char *const keys[] = { "batches", "added", "complete", "load", "gold", NULL };
	struct mlfy_stage2_plan plan;
	const char **names = NULL;
	size_t n = 0;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *g, *res = NULL;
	long long k, first = 0, seed = 0;
	double rate = 0;
	int dry;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	g = json_object_get(j, "gold");
	if (g && !json_is_null(g) && !json_is_object(g)) {
		json_decref(j);
		return reply_error(r, 400, "\"gold\" must be an object {first, rate, seed} or null");
	}
	if ((dry = dry_run_of(r, j, &ret)) < 0 || int_field(r, j, "per_image", 0, 1000, 2, &k, &ret) ||
	    (json_is_object(g) && (int_field(r, g, "first", 0, 1000000, 0, &first, &ret) ||
				   real_field(r, g, "rate", 0, 1, 1, 0, &rate, &ret) ||
				   int_field(r, g, "seed", 0, INT64_MAX, 0, &seed, &ret))) ||
	    console_names(r, j, "annotators", &names, &n, &ret)) {
		json_decref(j);
		return ret;
	}
	plan = (struct mlfy_stage2_plan){ (int)k, json_is_object(g), (int)first, rate, (uint64_t)seed, 1 };
	mlfy_err_clear(&err);
	if (dry) {
		res = assign_run(r, &plan, names, n, &err);
	} else {
		json_t *preview = NULL;
		pthread_mutex_lock(&r->srv->write_mu);
		if (json_object_get(j, "expect") && (preview = assign_run(r, &plan, names, n, &err)) &&
		    plan_changed(j, preview, keys)) {
			pthread_mutex_unlock(&r->srv->write_mu);
			free(names);
			json_decref(j);
			return reply_changed(r, preview);
		}
		json_decref(preview);
		plan.dry_run = 0;
		if (!err.code)
			res = assign_run(r, &plan, names, n, &err);
		pthread_mutex_unlock(&r->srv->write_mu);
	}
	free(names);
	json_object_del(j, "expect");
	if (!res) {
		if (!dry)
			console_audit(r, "assign", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	if (!dry)
		console_audit(r, "assign", j, res, NULL);
	json_decref(j);
	return reply_json(r, 200, res);
}

/* One analysis (a dry run with opts->dry_run) as the JSON of `mlfy
 * analyze --json`; NULL with err set on error. */
static json_t *analyze_run(struct req *r, const struct mlfy_analyze_opts *opts, struct mlfy_err *err)
{
	struct mlfy_analysis a;
	json_t *res;

	if (mlfy_analyze(r->store, opts, &a, err))
		return NULL;
	res = mlfy_analysis_json(r->store, &a);
	mlfy_analysis_release(&a);
	if (!res)
		mlfy_err_set(err, MLFY_ENOMEM, "internal error: cannot encode the analysis");
	return res;
}

/* POST /api/admin/analyze {"rule": "paper", "dry_run": bool, "expect": the
 * dry run's reply}: the analysis JSON of `mlfy analyze --json` */
enum MHD_Result h_admin_analyze(struct req *r, const char *rest)
{
	static const char *const keys[] = { "rule", "judged", "agreed", "refine", "changes", NULL };
	struct mlfy_analyze_opts opts;
	enum MHD_Result ret;
	struct mlfy_err err;
	const char *rule;
	json_t *j, *res = NULL, *summary;
	int dry;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	memset(&opts, 0, sizeof(opts));
	rule = str_field(j, "rule");
	mlfy_err_clear(&err);
	if ((dry = dry_run_of(r, j, &ret)) < 0) {
		json_decref(j);
		return ret;
	}
	if (mlfy_rule_parse(rule ? rule : "paper", &opts.rule, &err)) {
		json_decref(j);
		return reply_err(r, &err);
	}
	opts.dry_run = 1;
	opts.top = 10;
	opts.max_missing = 20;
	if (dry) {
		res = analyze_run(r, &opts, &err);
	} else {
		json_t *preview = NULL;
		pthread_mutex_lock(&r->srv->write_mu);
		if (json_object_get(j, "expect") && (preview = analyze_run(r, &opts, &err)) &&
		    plan_changed(j, preview, keys)) {
			pthread_mutex_unlock(&r->srv->write_mu);
			json_decref(j);
			return reply_changed(r, preview);
		}
		json_decref(preview);
		opts.dry_run = 0;
		if (!err.code)
			res = analyze_run(r, &opts, &err);
		pthread_mutex_unlock(&r->srv->write_mu);
	}
	json_object_del(j, "expect");
	if (!res) {
		if (!dry)
			console_audit(r, "analyze", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	if (!dry) {
		/* the audit keeps the counts, not the per-pair tables */
		summary = json_deep_copy(json_object_get(res, "changes"));
		console_audit(r, "analyze", j, summary ? summary : res, NULL);
		json_decref(summary);
	}
	json_decref(j);
	return reply_json(r, 200, res);
}

/* One refinement split (a dry run with plan->dry_run) as its reply; NULL
 * with err set on error. */
static json_t *refine_run(struct req *r, const struct mlfy_refine_plan *plan, const char **names, size_t n,
			  struct mlfy_err *err)
{
	struct mlfy_expert_load *load = NULL;
	struct mlfy_arms_drawn d;
	size_t n_load = 0, i;
	json_t *loads, *res;

	if (mlfy_assign_refinement(r->store, names, n, plan, &load, &n_load, &d, err))
		return NULL;
	loads = json_array();
	for (i = 0; i < n_load; i++)
		json_array_append_new(loads, json_pack("{sssIsIsI}", "expert", load[i].name, "assigned",
						       (json_int_t)load[i].assigned, "added", (json_int_t)load[i].added,
						       "refined", (json_int_t)load[i].refined));
	mlfy_expert_loads_free(load, n_load);
	res = json_pack("{sbsos{sbsIsIsIsI}}", "dry_run", plan->dry_run, "experts", loads, "arms", "drawn", plan->arms,
			"blind", (json_int_t)d.blind, "shown", (json_int_t)d.shown, "planted", (json_int_t)d.planted,
			"kept", (json_int_t)d.kept);
	if (!res)
		mlfy_err_oom(err);
	return res;
}

/* POST /api/admin/refinement {"experts": [..], "blind_share": S,
 * "plant_share": Q, "seed": N, "dry_run": bool, "expect": the preview's
 * reply} */
enum MHD_Result h_admin_refinement(struct req *r, const char *rest)
{
	static const char *const keys[] = { "experts", "arms", NULL };
	struct mlfy_refine_plan plan;
	const char **names = NULL;
	size_t n = 0;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *res = NULL;
	double blind, plant;
	long long seed;
	int dry;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	if ((dry = dry_run_of(r, j, &ret)) < 0 || real_field(r, j, "blind_share", 0, 1, 0, NAN, &blind, &ret) ||
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
					  plant == plant ? plant : 0, (uint64_t)seed, 1 };
	mlfy_err_clear(&err);
	if (dry) {
		res = refine_run(r, &plan, names, n, &err);
	} else {
		json_t *preview = NULL;
		pthread_mutex_lock(&r->srv->write_mu);
		if (json_object_get(j, "expect") && (preview = refine_run(r, &plan, names, n, &err)) &&
		    plan_changed(j, preview, keys)) {
			pthread_mutex_unlock(&r->srv->write_mu);
			free(names);
			json_decref(j);
			return reply_changed(r, preview);
		}
		json_decref(preview);
		plan.dry_run = 0;
		if (!err.code)
			res = refine_run(r, &plan, names, n, &err);
		pthread_mutex_unlock(&r->srv->write_mu);
	}
	free(names);
	json_object_del(j, "expect");
	if (!res) {
		if (!dry)
			console_audit(r, "refinement", j, NULL, &err);
		json_decref(j);
		return reply_err(r, &err);
	}
	if (!dry)
		console_audit(r, "refinement", j, res, NULL);
	json_decref(j);
	return reply_json(r, 200, res);
}
