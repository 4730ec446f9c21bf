/* gold.c - the console's gold images and zero-label review (console.h):
 * GET /api/admin/gold (the list of `mlfy gold list --json`), POST
 * /api/admin/gold/add (an uploaded label file, or {"from_final": true}),
 * POST /api/admin/gold/remove, GET /api/admin/zero-label (the images whose
 * empty final set awaits a review, with the counts by category and
 * verdict) and POST /api/admin/zero-label (record a review).  Uploads are
 * parsed by the same reader as `mlfy gold add FILE` (ingest/gold_file.h):
 * a bad file is refused with its line named and nothing is added. */
#include "serve/console.h"
#include "serve/http.h"
#include "ingest/gold_file.h"
#include "ingest/labels.h"
#include "review/class_label.h"
#include "review/gold.h"
#include "review/review_tx.h"
#include "store/catalog.h"
#include "store/gold.h"
#include "store/review_stats.h"
#include "store/zero_label.h"
#include "util/json_text.h"

#include <stdlib.h>
#include <string.h>

enum MHD_Result h_admin_gold(struct req *r, const char *rest)
{
	struct mlfy_gold *g = NULL;
	struct mlfy_err err;
	size_t n = 0;
	json_t *o;

	(void)rest;
	mlfy_err_clear(&err);
	if (mlfy_gold_list(r->store, &g, &n, &err))
		return reply_err(r, &err);
	o = mlfy_gold_list_json(g, n);
	mlfy_gold_list_free(g, n);
	return o ? reply_json(r, 200, o) : reply_error(r, 500, "out of memory");
}

/* 1 when name is a plain file name fit for messages and the gold list (no
 * path, no control characters, UTF-8, at most 200 bytes). */
static int upload_name_ok(const char *name)
{
	const unsigned char *p;
	if (!name || !*name || strlen(name) > 200 || !mlfy_json_text_ok(name))
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return 0;
	return 1;
}

/* POST /api/admin/gold/add?file=NAME with the label file as the body
 * (CSV or Multilabelfy JSON, as `mlfy gold add`), or POST
 * /api/admin/gold/add?from_final=1 with no body. */
enum MHD_Result h_admin_gold_add(struct req *r, const char *rest)
{
	const char *name = req_arg(r, "file"), *ff = req_arg(r, "from_final");
	struct mlfy_err err;
	int64_t added = 0, other = 0;
	json_t *params, *res;
	int rc;

	(void)rest;
	mlfy_err_clear(&err);
	if (ff && !strcmp(ff, "1")) {
		params = json_pack("{sb}", "from_final", 1);
		pthread_mutex_lock(&r->srv->write_mu);
		rc = mlfy_gold_from_final(r->store, &added, &other, &err);
		pthread_mutex_unlock(&r->srv->write_mu);
		res = rc ? NULL : json_pack("{sIsI}", "added", (json_int_t)added, "kept", (json_int_t)other);
	} else {
		if (!upload_name_ok(name))
			return reply_error(r, 400, "name the uploaded file: ?file=NAME (a file name in UTF-8, at most 200 bytes)");
		if (!r->body || !r->len)
			return reply_error(r, 400, "%s: the upload is empty", name);
		params = json_pack("{sssI}", "file", name, "bytes", (json_int_t)r->len);
		pthread_mutex_lock(&r->srv->write_mu);
		rc = mlfy_gold_import_text(r->store, name, r->body, r->len, MLFY_LABELS_AUTO, &added, &other, &err);
		pthread_mutex_unlock(&r->srv->write_mu);
		res = rc ? NULL : json_pack("{sIsI}", "added", (json_int_t)added, "replaced", (json_int_t)other);
	}
	console_audit(r, "gold.add", params, res, rc ? &err : NULL);
	json_decref(params);
	if (rc)
		return reply_err(r, &err);
	return reply_json(r, 200, res);
}

/* POST /api/admin/gold/remove {"images": [names]} */
enum MHD_Result h_admin_gold_remove(struct req *r, const char *rest)
{
	const char **names = NULL;
	size_t n = 0;
	enum MHD_Result ret;
	struct mlfy_err err;
	int64_t removed = 0, dropped = 0;
	json_t *j, *res = NULL;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	if (console_names(r, j, "images", &names, &n, &ret)) {
		json_decref(j);
		return ret;
	}
	if (!n) {
		json_decref(j);
		return reply_error(r, 400, "name the gold images to remove (\"images\")");
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_gold_remove_names(r->store, names, n, &removed, &dropped, &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	free(names);
	if (!rc)
		res = json_pack("{sIsI}", "removed", (json_int_t)removed, "dropped_tasks", (json_int_t)dropped);
	console_audit(r, "gold.remove", j, res, rc ? &err : NULL);
	json_decref(j);
	return rc ? reply_err(r, &err) : reply_json(r, 200, res);
}

static json_t *counts_json(const int64_t *n, size_t k, const char *(*name)(int), const char *(*label)(int))
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_pack("{sssssI}", "name", name((int)i), "label", label((int)i), "images",
						    (json_int_t)n[i]));
	return a;
}

/* GET /api/admin/zero-label: the pending images (first 500) with their
 * original label, and the reviews so far by category and verdict. */
enum MHD_Result h_admin_zero(struct req *r, const char *rest)
{
	struct mlfy_review_stats rs;
	struct mlfy_err err;
	int64_t *ids = NULL;
	size_t n = 0, i;
	json_t *pending, *o;

	(void)rest;
	mlfy_err_clear(&err);
	if (mlfy_review_stats_get(r->store, &rs, &err) || mlfy_review_zero_pending(r->store, &ids, &n, &err))
		return reply_err(r, &err);
	pending = json_array();
	for (i = 0; i < n && i < 500; i++) {
		struct mlfy_image img;
		char cls[256];
		memset(&img, 0, sizeof(img));
		if (mlfy_catalog_image_by_id(r->store, ids[i], &img, &err)) {
			free(ids);
			json_decref(pending);
			return reply_err(r, &err);
		}
		json_array_append_new(pending, json_pack("{sIssss?}", "id", (json_int_t)img.id, "image", img.name, "original",
							 img.original_label >= 0 ? mlfy_class_label(r->store, img.original_label,
												   cls, sizeof(cls))
										 : NULL));
		mlfy_image_release(&img);
	}
	free(ids);
	o = json_pack("{sIsIsIsososo}", "empty_sets", (json_int_t)rs.zero_label, "reviewed", (json_int_t)rs.zero_reviewed,
		      "pending_total", (json_int_t)n, "pending", pending, "by_category",
		      counts_json(rs.by_category, MLFY_ZERO_N_CATEGORIES, mlfy_zero_category_name, mlfy_zero_category_label),
		      "by_verdict",
		      counts_json(rs.by_verdict, MLFY_ZERO_N_VERDICTS, mlfy_zero_verdict_name, mlfy_zero_verdict_label));
	return o ? reply_json(r, 200, o) : reply_error(r, 500, "out of memory");
}

/* POST /api/admin/zero-label {"image", "category", "verdict", "comment"}:
 * the admin's own review, as `mlfy zero-review IMAGE --expert ADMIN`. */
enum MHD_Result h_admin_zero_review(struct req *r, const char *rest)
{
	const char *image, *cat, *verdict, *comment;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	image = str_field(j, "image");
	cat = str_field(j, "category");
	verdict = str_field(j, "verdict");
	comment = str_field(j, "comment");
	if (!image || !cat || !verdict) {
		json_decref(j);
		return reply_error(r, 400, "a review needs \"image\", \"category\" and \"verdict\"");
	}
	if (mlfy_zero_category_index(cat) < 0 || mlfy_zero_verdict_index(verdict) < 0) {
		/* the message before the body goes: its strings are the body's */
		int bad_cat = mlfy_zero_category_index(cat) < 0;
		ret = reply_error(r, 400, "unknown %s '%.64s'", bad_cat ? "category" : "verdict", bad_cat ? cat : verdict);
		json_decref(j);
		return ret;
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_zero_review_record(r->store, image, r->sess.user.name, cat, verdict, comment, &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	console_audit(r, "zero_review", j, NULL, rc ? &err : NULL);
	json_decref(j);
	return rc ? reply_err(r, &err) : reply_json(r, 200, json_pack("{sb}", "ok", 1));
}
