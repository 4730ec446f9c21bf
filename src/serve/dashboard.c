/* dashboard.c - GET /api/dashboard (dashboard.h): stage-ii progress per
 * batch x annotator, the review counts and the export links, as JSON. */
#include "serve/dashboard.h"
#include "serve/http.h"
#include "review/export.h"
#include "store/dashboard.h"
#include "store/zero_label.h"

#include <stdio.h>

static json_t *counts_json(const char *const *names, const int64_t *n, size_t k)
{
	json_t *o = json_object();
	size_t i;
	for (i = 0; i < k; i++)
		json_object_set_new(o, names[i], json_integer(n[i]));
	return o;
}

enum MHD_Result h_dashboard(struct req *r, const char *rest)
{
	static const char *const categories[] = MLFY_ZERO_CATEGORIES;
	static const char *const verdicts[] = MLFY_ZERO_VERDICTS;
	const struct mlfy_review_stats *rs;
	struct mlfy_dashboard d;
	struct mlfy_err err;
	json_t *rows, *exports, *o;
	size_t i;
	int64_t assigned = 0, done = 0;
	char now[32];

	(void)rest;
	mlfy_err_clear(&err);
	if (mlfy_dashboard_get(r->store, &d, &err))
		return reply_err(r, &err);
	rs = &d.review;
	rows = json_array();
	for (i = 0; i < d.n_rows; i++) {
		const struct mlfy_dash_row *w = &d.rows[i];
		assigned += w->assigned;
		done += w->done;
		json_array_append_new(rows, json_pack("{sisssIsIsfsfsI}", "batch", w->batch, "annotator", w->annotator,
						      "assigned", (json_int_t)w->assigned, "done", (json_int_t)w->done,
						      "median_seconds", w->median_seconds, "labels_per_image",
						      w->labels_per_image, "empty", (json_int_t)w->empty));
	}
	exports = json_array();
	/* the final-label formats; real-votes and real-scores (the raw votes
	 * and posteriors as .npz) are served at /api/export/<format> too but
	 * exist only once votes are imported or aggregated, so not listed */
	for (i = 0; i < MLFY_EXPORT_REAL_VOTES; i++) {
		char url[64];
		snprintf(url, sizeof(url), "/api/export/%s", mlfy_export_format_name((enum mlfy_export_format)i));
		json_array_append_new(exports, json_pack("{ssssss}", "format",
							 mlfy_export_format_name((enum mlfy_export_format)i), "url", url,
							 "ext", mlfy_export_format_ext((enum mlfy_export_format)i)));
	}
	mlfy_store_now(now);
	o = json_pack("{sssIsIsIso"
		      "s{sIsIsIsIsIsI}"
		      "s{sIsIsIsI}"
		      "s{sIsIsIsoso}so}",
		      "generated_at", now, "images", (json_int_t)d.n_images, "assigned", (json_int_t)assigned, "done",
		      (json_int_t)done, "rows", rows,
		      "final", "decided", (json_int_t)(rs->images - rs->undecided), "undecided", (json_int_t)rs->undecided,
		      "agreed", (json_int_t)rs->agreed, "refined", (json_int_t)rs->refined, "aggregated",
		      (json_int_t)rs->aggregated, "imported", (json_int_t)rs->imported,
		      "refinement", "queued", (json_int_t)rs->queued, "assigned", (json_int_t)rs->queue_assigned,
		      "refined", (json_int_t)rs->queue_refined, "waiting", (json_int_t)(rs->queued - rs->queue_refined),
		      "zero_label", "empty_sets", (json_int_t)rs->zero_label, "reviewed", (json_int_t)rs->zero_reviewed,
		      "pending", (json_int_t)(rs->zero_label - rs->zero_reviewed), "by_category",
		      counts_json(categories, rs->by_category, MLFY_ZERO_N_CATEGORIES), "by_verdict",
		      counts_json(verdicts, rs->by_verdict, MLFY_ZERO_N_VERDICTS), "exports", exports);
	mlfy_dashboard_release(&d);
	if (!o)
		return reply_error(r, 500, "internal error: cannot encode the dashboard");
	return reply_json(r, 200, o);
}
