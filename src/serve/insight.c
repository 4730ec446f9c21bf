/* insight.c - the console's read-only views of people and of the log
 * (console.h): GET /api/admin/quality (`mlfy quality --json
 * --anchoring`), GET /api/admin/progress (done/assigned, pace, projected
 * finish and stalls per person and per stage) and GET /api/admin/audit
 * (the audit log, newest first, as `mlfy audit --json`). */
#include "serve/console.h"
#include "serve/http.h"
#include "review/anchoring.h"
#include "review/quality.h"
#include "review/quality_format.h"
#include "store/audit.h"
#include "store/review_stats.h"
#include "util/json_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The quality of human work and the anchoring arms, as mlfy quality. */
static int quality_of(struct req *r, struct mlfy_quality *q, struct mlfy_anchoring *a, struct mlfy_err *err)
{
	struct mlfy_quality_opts opts = { .min_accuracy = 0.8 };
	const char *t = req_arg(r, "min_accuracy");
	int rc;

	if (t) {
		char *end;
		opts.min_accuracy = strtod(t, &end);
		if (end == t || *end)
			return mlfy_err_set(err, MLFY_EINVAL, "min_accuracy: '%.40s' is not a number", t);
	}
	if ((t = req_arg(r, "stall_hours"))) {
		char *end;
		opts.stall_hours = strtod(t, &end);
		if (end == t || *end || !(opts.stall_hours > 0))
			return mlfy_err_set(err, MLFY_EINVAL, "stall_hours: '%.40s' is not a positive number", t);
	}
	if ((rc = mlfy_quality_compute(r->store, &opts, q, err)))
		return rc;
	if ((rc = mlfy_anchoring_compute(r->store, a, err)))
		mlfy_quality_release(q);
	return rc;
}

enum MHD_Result h_admin_quality(struct req *r, const char *rest)
{
	struct mlfy_quality q;
	struct mlfy_anchoring a;
	struct mlfy_err err;
	json_t *o;

	(void)rest;
	mlfy_err_clear(&err);
	if (quality_of(r, &q, &a, &err))
		return reply_err(r, &err);
	o = mlfy_quality_json(&q, &a);
	mlfy_quality_release(&q);
	return o ? reply_json(r, 200, o) : reply_error(r, 500, "internal error: cannot encode the quality");
}

static json_t *real_or_null(double x)
{
	return x == x && !isinf(x) ? json_real(x) : json_null();
}

/* GET /api/admin/progress */
enum MHD_Result h_admin_progress(struct req *r, const char *rest)
{
	struct mlfy_review_stats rs;
	struct mlfy_quality q;
	struct mlfy_anchoring a;
	struct mlfy_err err;
	int64_t s2_total = 0, s2_done = 0;
	json_t *people, *o;
	size_t i;

	(void)rest;
	mlfy_err_clear(&err);
	if (mlfy_review_stats_get(r->store, &rs, &err) || quality_of(r, &q, &a, &err))
		return reply_err(r, &err);
	people = json_array();
	for (i = 0; i < q.n_people; i++) {
		const struct mlfy_person_quality *p = &q.people[i];
		const struct mlfy_time_stats *t = &p->time;
		int expert = strcmp(p->role, "annotator") != 0;
		if (!t->queue_total && !p->answers && !p->refinements)
			continue;   /* nothing assigned, nothing done: an admin, a new account */
		if (!expert) {
			s2_total += t->queue_total;
			s2_done += t->queue_done;
		}
		json_array_append_new(people, json_pack("{sssssssbsIsIsososossss?sb}", "name", p->name, "role", p->role,
							 "stage", expert ? "iv" : "ii", "disabled", p->disabled,
							 "done", (json_int_t)t->queue_done, "assigned",
							 (json_int_t)t->queue_total, "pace_per_day",
							 real_or_null(t->pace_per_day), "median_seconds",
							 real_or_null(t->median), "remaining_hours",
							 real_or_null(t->remaining_hours), "projected_finish",
							 t->eta[0] ? t->eta : "unknown", "last_answer",
							 t->last_answer[0] ? t->last_answer : NULL, "stalled", t->stalled));
	}
	o = json_pack("{s{sIsIsIss}s{sIsIsIsI}s{sIsIsI}sfso}",
		      "stage_ii", "done", (json_int_t)s2_done, "assigned", (json_int_t)s2_total, "remaining",
		      (json_int_t)q.stage_remaining, "projected_finish", q.stage_eta[0] ? q.stage_eta : "unknown",
		      "stage_iii", "images", (json_int_t)rs.images, "decided", (json_int_t)(rs.images - rs.undecided),
		      "agreed", (json_int_t)rs.agreed, "queued", (json_int_t)rs.queued,
		      "stage_iv", "queued", (json_int_t)rs.queued, "assigned", (json_int_t)rs.queue_assigned, "refined",
		      (json_int_t)rs.queue_refined, "stall_hours", q.stall_hours, "people", people);
	mlfy_quality_release(&q);
	return o ? reply_json(r, 200, o) : reply_error(r, 500, "internal error: cannot encode the progress");
}

/* GET /api/admin/audit?before=ID&limit=N&action=A */
enum MHD_Result h_admin_audit(struct req *r, const char *rest)
{
	const char *b = req_arg(r, "before"), *l = req_arg(r, "limit"), *act = req_arg(r, "action"), *end;
	struct mlfy_audit_entry *e = NULL;
	struct mlfy_err err;
	int64_t before = 0, limit = 100;
	size_t n = 0, i;
	json_t *arr;

	(void)rest;
	if (b && *b && (before = parse_id(b, &end, INT64_MAX)) < 0)
		return reply_error(r, 400, "before: not an id");
	if (l && *l && ((limit = parse_id(l, &end, 1000)) < 1))
		return reply_error(r, 400, "limit: give 1 to 1000");
	mlfy_err_clear(&err);
	if (mlfy_audit_list(r->store, before, (size_t)limit, act && *act ? act : NULL, &e, &n, &err))
		return reply_err(r, &err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *params = json_loads(e[i].params, 0, NULL), *res = json_loads(e[i].result, 0, NULL);
		/* stored text that is not UTF-8 still shows: never a row left out */
		json_array_append_new(arr, json_pack("{sIsssosososososb}", "id", (json_int_t)e[i].id, "at", e[i].at,
						      "actor", mlfy_json_text(e[i].actor), "via", mlfy_json_text(e[i].via),
						      "action", mlfy_json_text(e[i].action), "params",
						      params ? params : mlfy_json_text(e[i].params), "result",
						      res ? res : mlfy_json_text(e[i].result), "ok", e[i].ok));
	}
	mlfy_audit_entries_free(e, n);
	return reply_json(r, 200, json_pack("{so}", "entries", arr));
}
