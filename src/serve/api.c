/* api.c - the JSON handlers of /api/: login/logout/me, task lists, the task
 * view and saves, class search and the dashboard.  Each handler parses the
 * request, calls the store, and encodes the reply (docs/serve.md lists the
 * routes and their JSON). */
#define _POSIX_C_SOURCE 200809L
#include "serve/internal.h"
#include "review/export.h"
#include "store/catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS 1000

/* Parses the request body as a JSON object.  NULL after replying 4xx. */
static json_t *body_json(struct req *r, enum MHD_Result *ret)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *j;

	if (!ct || strncmp(ct, "application/json", 16) != 0) {
		*ret = reply_error(r, 415, "the body must be JSON (Content-Type: application/json)");
		return NULL;
	}
	if (!r->body || !r->len) {
		*ret = reply_error(r, 400, "empty body; expected a JSON object");
		return NULL;
	}
	j = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		*ret = reply_error(r, 400, "bad JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*ret = reply_error(r, 400, "expected a JSON object");
		return NULL;
	}
	return j;
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- login / logout / me ---------------------------------------------------- */

enum MHD_Result h_login(struct req *r, const char *rest)
{
	struct mlfy_server *srv = r->srv;
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1], cookie[256], retry[32];
	const char *user, *pw;
	enum MHD_Result ret;
	struct mlfy_user u;
	struct mlfy_err err;
	int64_t now = (int64_t)time(NULL), wait;
	json_t *j;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	user = str_field(j, "user");
	pw = str_field(j, "password");
	if (!user || !pw) {
		json_decref(j);
		return reply_error(r, 400, "login needs \"user\" and \"password\" strings");
	}
	if ((wait = rl_wait(&srv->rl, user, r->addr, now)) > 0) {
		json_decref(j);
		snprintf(retry, sizeof(retry), "%lld", (long long)wait);
		return reply_json_hdr(r, 429,
				      json_pack("{sssI}", "error", "too many failed logins; wait and try again",
						"retry_after", (json_int_t)wait),
				      "Retry-After", retry);
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&srv->login_mu);
	rc = mlfy_users_verify(r->store, user, pw, &u, &err);
	pthread_mutex_unlock(&srv->login_mu);
	if (rc == MLFY_EPERM) {
		rl_fail(&srv->rl, user, r->addr, now);
		json_decref(j);
		return reply_error(r, 401, "wrong user name or password");
	}
	if (rc) {
		json_decref(j);
		return reply_err(r, &err);
	}
	rl_ok(&srv->rl, user, r->addr);
	json_decref(j);
	pthread_mutex_lock(&srv->write_mu);
	if ((rc = mlfy_store_begin(r->store, &err)) ||
	    (rc = mlfy_sessions_purge(r->store, now, srv->cfg.idle_timeout_s, NULL, &err)) ||
	    (rc = mlfy_sessions_create(r->store, u.id, now, token, csrf, &err)) ||
	    (rc = mlfy_store_commit(r->store, &err))) {
		mlfy_store_rollback(r->store);
		pthread_mutex_unlock(&srv->write_mu);
		mlfy_user_release(&u);
		return reply_err(r, &err);
	}
	pthread_mutex_unlock(&srv->write_mu);
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 srv->tls ? "; Secure" : "");
	ret = reply_json_hdr(r, 200,
			     json_pack("{sssssssssI}", "user", u.name, "role", mlfy_role_name(u.role), "csrf", csrf,
				       "home", role_home(u.role), "idle_timeout", (json_int_t)srv->cfg.idle_timeout_s),
			     "Set-Cookie", cookie);
	mlfy_user_release(&u);
	return ret;
}

enum MHD_Result h_logout(struct req *r, const char *rest)
{
	char cookie[160];
	struct mlfy_err err;
	int rc;

	(void)rest;
	mlfy_err_clear(&err);
	pthread_mutex_lock(&r->srv->write_mu);
	if ((rc = mlfy_store_begin(r->store, &err)) || (rc = mlfy_sessions_delete(r->store, r->token, &err)) ||
	    (rc = mlfy_store_commit(r->store, &err))) {
		mlfy_store_rollback(r->store);
		pthread_mutex_unlock(&r->srv->write_mu);
		return reply_err(r, &err);
	}
	pthread_mutex_unlock(&r->srv->write_mu);
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		 r->srv->tls ? "; Secure" : "");
	return reply_json_hdr(r, 200, json_pack("{sb}", "ok", 1), "Set-Cookie", cookie);
}

enum MHD_Result h_me(struct req *r, const char *rest)
{
	(void)rest;
	return reply_json(r, 200,
			  json_pack("{sssssssssI}", "user", r->sess.user.name, "role", mlfy_role_name(r->sess.user.role),
				    "csrf", r->sess.csrf, "home", role_home(r->sess.user.role), "idle_timeout",
				    (json_int_t)r->srv->cfg.idle_timeout_s));
}

/* ---- vocabulary ------------------------------------------------------------ */

/* GET /api/vocabulary: the words and limits the pages need, from the library
 * (never copied into HTML or JS): zero-label categories and verdicts, label
 * sources (name and label each), proposals per image and group size, and the
 * longest comment.  The same for every role. */
enum MHD_Result h_vocabulary(struct req *r, const char *rest)
{
	json_t *cat = json_array(), *ver = json_array(), *src = json_array();
	int i;

	(void)rest;
	for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
		json_array_append_new(cat, json_pack("{ssss}", "name", mlfy_zero_category_name(i), "label",
						     mlfy_zero_category_label(i)));
	for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
		json_array_append_new(ver, json_pack("{ssss}", "name", mlfy_zero_verdict_name(i), "label",
						     mlfy_zero_verdict_label(i)));
	for (i = 0; i < MLFY_N_SOURCES; i++)
		json_array_append_new(src, json_pack("{ssss}", "name", mlfy_source_name((enum mlfy_label_source)i),
						     "label", mlfy_source_label((enum mlfy_label_source)i)));
	return reply_json(r, 200,
			  json_pack("{s{soso}sosisisi}", "zero_label", "categories", cat, "verdicts", ver,
				    "label_sources", src, "proposals_per_image", MLFY_TASK_TOP_K, "group_size",
				    MLFY_TASK_GROUP, "comment_max", MLFY_COMMENT_MAX));
}

/* ---- tasks -------------------------------------------------------------------- */

/* The stage asked for (?stage=), or the role's default.  -1 after replying. */
static int req_stage(struct req *r, enum mlfy_stage *st, enum MHD_Result *ret)
{
	const char *s = req_arg(r, "stage");
	struct mlfy_err err;
	if (!s) {
		*st = r->sess.user.role == MLFY_ROLE_EXPERT ? MLFY_STAGE_REFINE : MLFY_STAGE_ANNOTATE;
		return 0;
	}
	if (mlfy_stage_parse(s, st, &err)) {
		*ret = reply_error(r, 400, "%s", err.msg);
		return -1;
	}
	if (*st == MLFY_STAGE_REFINE && r->sess.user.role == MLFY_ROLE_ANNOTATOR) {
		*ret = reply_error(r, 403, "refinement needs the expert role");
		return -1;
	}
	return 0;
}

enum MHD_Result h_tasks(struct req *r, const char *rest)
{
	struct mlfy_task_list tl;
	enum mlfy_stage st;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *ids, *done;
	size_t i;

	(void)rest;
	if (req_stage(r, &st, &ret))
		return ret;
	mlfy_err_clear(&err);
	if (mlfy_tasks_list(r->store, r->sess.user.id, st, &tl, &err))
		return reply_err(r, &err);
	ids = json_array();
	done = json_array();
	for (i = 0; i < tl.n; i++) {
		json_array_append_new(ids, json_integer(tl.image_ids[i]));
		json_array_append_new(done, json_integer(tl.done[i]));
	}
	ret = reply_json(r, 200,
			 json_pack("{sssIsIsoso}", "stage", mlfy_stage_name(st), "total", (json_int_t)tl.n, "n_done",
				   (json_int_t)tl.n_done, "ids", ids, "done", done));
	mlfy_task_list_release(&tl);
	return ret;
}

static json_t *labels_json(const struct mlfy_annotation *a)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < a->n_labels; i++)
		json_array_append_new(arr, json_pack("{sissss}", "class", a->labels[i].class_idx, "source",
						     mlfy_source_name(a->labels[i].source), "annotator", a->annotator));
	return arr;
}

static json_t *annotation_json(const struct mlfy_annotation *a)
{
	return json_pack("{sIsosssfsssssI}", "version", (json_int_t)a->version, "labels", labels_json(a), "comment",
			 a->comment, "seconds", a->seconds, "saved_at", a->created_at, "annotator", a->annotator,
			 "annotation_id", (json_int_t)a->id);
}

/* Appends idx to a growing int array; 0 or -1 on OOM. */
static int push_idx(int **v, size_t *n, size_t *cap, int idx)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		int *nv = realloc(*v, nc * sizeof(int));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = idx;
	return 0;
}

static enum MHD_Result task_get(struct req *r, int64_t id)
{
	struct mlfy_annotation cur, *others = NULL;
	struct mlfy_view_class *cls = NULL;
	struct mlfy_task_view tv;
	enum mlfy_stage st;
	enum MHD_Result ret;
	struct mlfy_err err;
	size_t n_others = 0, n_cls = 0, n_idx = 0, cap_idx = 0, i, j;
	int *idx = NULL, have_cur, rc, oom = 0, store_failed = 0;
	json_t *o, *props, *classes;

	if (req_stage(r, &st, &ret))
		return ret;
	mlfy_err_clear(&err);
	if ((rc = mlfy_tasks_check(r->store, r->sess.user.id, st, id, &err)))
		return reply_err(r, &err);
	if (mlfy_task_view_get(r->store, id, MLFY_TASK_TOP_K, &tv, &err))
		return reply_err(r, &err);
	rc = mlfy_annotations_current(r->store, id, r->sess.user.id, st, &cur, &err);
	if (rc && rc != MLFY_ENOTFOUND) {
		mlfy_task_view_release(&tv);
		return reply_err(r, &err);
	}
	have_cur = rc == 0;
	/* stage iv shows the stage-ii sets; stage ii never shows others' labels */
	if (st == MLFY_STAGE_REFINE &&
	    mlfy_annotations_of_image(r->store, id, MLFY_STAGE_ANNOTATE, &others, &n_others, &err)) {
		mlfy_task_view_release(&tv);
		if (have_cur)
			mlfy_annotation_release(&cur);
		return reply_err(r, &err);
	}
	for (i = 0; i < tv.n_proposals; i++)
		oom |= push_idx(&idx, &n_idx, &cap_idx, tv.proposals[i].class_idx);
	for (i = 0; have_cur && i < cur.n_labels; i++)
		oom |= push_idx(&idx, &n_idx, &cap_idx, cur.labels[i].class_idx);
	for (j = 0; j < n_others; j++)
		for (i = 0; i < others[j].n_labels; i++)
			oom |= push_idx(&idx, &n_idx, &cap_idx, others[j].labels[i].class_idx);
	if (st == MLFY_STAGE_REFINE && tv.original_label >= 0)
		oom |= push_idx(&idx, &n_idx, &cap_idx, tv.original_label);
	if (oom)
		rc = mlfy_err_set(&err, MLFY_ENOMEM, "out of memory");
	else
		rc = mlfy_view_classes(r->store, idx, n_idx, &cls, &n_cls, &err);
	free(idx);
	if (rc) {
		mlfy_task_view_release(&tv);
		mlfy_annotations_free(others, n_others);
		if (have_cur)
			mlfy_annotation_release(&cur);
		return reply_err(r, &err);
	}

	props = json_array();
	for (i = 0; i < tv.n_proposals; i++)
		json_array_append_new(props, json_pack("{sisisf}", "rank", tv.proposals[i].rank, "class",
						       tv.proposals[i].class_idx, "score", tv.proposals[i].score));
	classes = json_object();
	for (i = 0; i < n_cls && !store_failed; i++) {
		struct mlfy_exemplar *ex = NULL;
		size_t n_ex = 0, k;
		json_t *ranks = json_array();
		char key[16];
		/* exemplars may be project photos (make demo-imagenet): never
		 * offer an image as its own class's exemplar, which would show
		 * the annotator its original label */
		if (mlfy_catalog_exemplars_for_image(r->store, cls[i].idx, id, &ex, &n_ex, &err)) {
			store_failed = 1;
			json_decref(ranks);
			break;
		}
		for (k = 0; k < n_ex; k++)
			json_array_append_new(ranks, json_integer(ex[k].rank));
		mlfy_exemplars_free(ex, n_ex);
		snprintf(key, sizeof(key), "%d", cls[i].idx);
		json_object_set_new(classes, key,
				    json_pack("{sisssssssssiso}", "idx", cls[i].idx, "ext_id", cls[i].ext_id, "name",
					      cls[i].name, "synonyms", cls[i].synonyms, "gloss", cls[i].gloss,
					      "exemplars", (int)n_ex, "exemplar_ranks", ranks));
	}
	/* no file name in stage ii: names such as n01514859_hen.JPEG or an
	 * ImageFolder class folder give the original label away, which the
	 * annotators must not see (docs/serve.md); the page hiding it is not
	 * enough, the reply must not carry it */
	if (store_failed) {
		json_decref(props);
		json_decref(classes);
		o = NULL;
	} else {
		o = json_pack("{sss{sIsisisi}sosososo}", "stage", mlfy_stage_name(st), "image", "id", (json_int_t)id,
			      "width", tv.width, "height", tv.height, "batch", tv.batch, "proposals", props, "classes",
			      classes, "annotation", have_cur ? annotation_json(&cur) : json_null(), "others", json_null());
	}
	if (st == MLFY_STAGE_REFINE && o) {
		json_t *arr = json_array();
		struct mlfy_zero_review z;
		json_object_set_new(json_object_get(o, "image"), "name", json_string(tv.name));
		for (j = 0; j < n_others; j++)
			json_array_append_new(arr, annotation_json(&others[j]));
		json_object_set_new(o, "others", arr);
		json_object_set_new(json_object_get(o, "image"), "original_label",
				    tv.original_label >= 0 ? json_integer(tv.original_label) : json_null());
		/* the latest zero-label review (any expert's), shown when the set is empty */
		rc = mlfy_review_zero_get(r->store, id, &z, &err);
		if (rc && rc != MLFY_ENOTFOUND) {
			json_decref(o);
			o = NULL;
			store_failed = 1;
		} else {
			json_object_set_new(o, "zero_label",
					    rc ? json_null()
					       : json_pack("{ssssssssss}", "category", z.category, "verdict", z.verdict,
							   "expert", z.expert, "comment", z.comment, "reviewed_at",
							   z.created_at));
			mlfy_zero_review_release(&z);
		}
	}
	mlfy_task_view_release(&tv);
	mlfy_annotations_free(others, n_others);
	mlfy_view_classes_free(cls, n_cls);
	if (have_cur)
		mlfy_annotation_release(&cur);
	if (store_failed)
		return reply_err(r, &err);
	if (!o)
		return reply_error(r, 500, "internal error: cannot encode the task");
	return reply_json(r, 200, o);
}

static enum MHD_Result task_save(struct req *r, int64_t id)
{
	struct mlfy_label_choice *labels = NULL;
	struct mlfy_annotation_save in;
	struct mlfy_annotation cur;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *v, *arr, *zl;
	int64_t version = 0;
	size_t i;
	int rc;

	if (!(j = body_json(r, &ret)))
		return ret;
	memset(&in, 0, sizeof(in));
	in.image_id = id;
	in.annotator_id = r->sess.user.id;
	mlfy_err_clear(&err);
	if (!str_field(j, "stage") || mlfy_stage_parse(str_field(j, "stage"), &in.stage, &err)) {
		json_decref(j);
		return reply_error(r, 400, "stage: expected \"annotate\" or \"refine\"");
	}
	if (in.stage == MLFY_STAGE_REFINE && r->sess.user.role == MLFY_ROLE_ANNOTATOR) {
		json_decref(j);
		return reply_error(r, 403, "refinement needs the expert role");
	}
	v = json_object_get(j, "base_version");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		json_decref(j);
		return reply_error(r, 400, "base_version: expected a non-negative integer");
	}
	in.base_version = json_integer_value(v);
	arr = json_object_get(j, "labels");
	if (!json_is_array(arr) || json_array_size(arr) > MAX_LABELS) {
		json_decref(j);
		return reply_error(r, 400, "labels: expected an array of at most %d {class, source} objects", MAX_LABELS);
	}
	in.n_labels = json_array_size(arr);
	if (in.n_labels && !(labels = calloc(in.n_labels, sizeof(*labels)))) {
		json_decref(j);
		return reply_error(r, 500, "out of memory");
	}
	json_array_foreach(arr, i, v) {
		json_t *c = json_object_get(v, "class"), *sv = json_object_get(v, "source");
		const char *src = str_field(v, "source");
		/* a source that is there must be one of the names (never silently "proposal") */
		if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > 1000000000 ||
		    (sv && !json_is_null(sv) && !src) || (src && mlfy_source_parse(src, &labels[i].source, &err))) {
			free(labels);
			json_decref(j);
			return reply_error(r, 400, "labels[%zu]: expected {\"class\": index, \"source\": "
					   "\"proposal\"|\"search\"|\"prefill\"}", i);
		}
		labels[i].class_idx = (int)json_integer_value(c);  /* NOLINT(clang-analyzer-core.NullDereference): labels has json_array_size(arr) entries */
		if (!src)
			labels[i].source = MLFY_SOURCE_PROPOSAL;
	}
	in.labels = labels;
	v = json_object_get(j, "comment");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		free(labels);
		json_decref(j);
		return reply_error(r, 400, "comment: expected a string");
	}
	in.comment = json_is_string(v) ? json_string_value(v) : "";
	v = json_object_get(j, "seconds");
	if (v && !json_is_number(v)) {
		free(labels);
		json_decref(j);
		return reply_error(r, 400, "seconds: expected a number");
	}
	in.seconds = v ? json_number_value(v) : 0;
	zl = json_object_get(j, "zero_label");
	if (zl && !json_is_null(zl)) {
		in.zl_category = str_field(zl, "category");
		in.zl_verdict = str_field(zl, "verdict");
		if (!json_is_object(zl) || !in.zl_category || !in.zl_verdict) {
			free(labels);
			json_decref(j);
			return reply_error(r, 400, "zero_label: expected {\"category\": ..., \"verdict\": ...} or null");
		}
	}
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_annotations_save(r->store, &in, &version, &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	free(labels);
	json_decref(j);
	if (rc == MLFY_ECONFLICT && !err_is_server_side(r, &err)) {
		/* a newer version exists (another tab): send it so the page can show it */
		json_t *o = json_pack("{ss}", "error", err.msg);
		if (mlfy_annotations_current(r->store, id, r->sess.user.id, in.stage, &cur, &err) == 0) {
			json_object_set_new(o, "annotation", annotation_json(&cur));
			mlfy_annotation_release(&cur);
		}
		return reply_json(r, 409, o);
	}
	if (rc)
		return reply_err(r, &err);
	{
		char now[32];
		mlfy_store_now(now);
		return reply_json(r, 200, json_pack("{sIss}", "version", (json_int_t)version, "saved_at", now));
	}
}

enum MHD_Result h_task(struct req *r, const char *rest)
{
	const char *end = NULL;
	int64_t id = parse_id(rest, &end, INT64_C(1) << 53);

	if (id < 0)
		return reply_error(r, 404, "no such task: expected /api/tasks/<image id>");
	if (!strcmp(r->method, "PUT")) {
		if (strcmp(end, "/annotation") != 0)
			return reply_error(r, 404, "no such route: expected PUT /api/tasks/<id>/annotation");
		return task_save(r, id);
	}
	if (*end) {
		if (!strcmp(end, "/annotation"))
			return reply_error(r, 405, "use PUT to save an annotation");
		return reply_error(r, 404, "no such route");
	}
	return task_get(r, id);
}

/* ---- classes ------------------------------------------------------------------ */

enum MHD_Result h_classes(struct req *r, const char *rest)
{
	const char *q = req_arg(r, "q"), *lim = req_arg(r, "limit");
	struct mlfy_view_class *c = NULL;
	struct mlfy_err err;
	size_t n = 0, i;
	long limit = 20;
	json_t *arr;

	(void)rest;
	if (!q)
		return reply_error(r, 400, "q: missing search text");
	if (lim) {
		char *e;
		limit = strtol(lim, &e, 10);
		if (*e || limit < 1 || limit > 100)
			return reply_error(r, 400, "limit: expected an integer in [1, 100]");
	}
	mlfy_err_clear(&err);
	if (mlfy_view_search_classes(r->store, q, (size_t)limit, &c, &n, &err))
		return reply_err(r, &err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{sisssssssssi}", "idx", c[i].idx, "ext_id", c[i].ext_id, "name",
						     c[i].name, "synonyms", c[i].synonyms, "gloss", c[i].gloss,
						     "exemplars", c[i].n_exemplars));
	mlfy_view_classes_free(c, n);
	return reply_json(r, 200, json_pack("{so}", "classes", arr));
}

/* ---- dashboard ---------------------------------------------------------------- */

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
	for (i = 0; i < MLFY_EXPORT_N_FORMATS; i++) {
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
