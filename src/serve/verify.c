/* verify.c - the JSON routes of the verification grid (/verify, ReaL's
 * protocol: one label at a time, a grid of images answered yes / maybe /
 * no; serve/verify.h, docs/serve.md lists them).  Each handler maps the
 * request onto the structs of review/verify.h and the reply back; which
 * questions a rater has and whether a page of answers is valid is
 * review/verify.h's answer, never decided here. */
#include "serve/verify.h"
#include "serve/http.h"
#include "serve/images.h"
#include "serve/served.h"
#include "review/verify.h"
#include "store/taskview.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The answer names of the API, indexed by code (MLFY_VERIFY_NO .. _YES). */
static const char *const answer_names[] = { "no", "maybe", "yes" };

/* Items per page when ?limit= is absent. */
#define VERIFY_PAGE_DEFAULT 24
/* The "stage" under which served.h keeps the time a label's page was
 * served to a session (stages ii and iv are 0 and 1): the clock that caps a
 * page's seconds. */
#define VERIFY_CLOCK 2
/* More questions of one label than any rater is given: "all of them". */
#define VERIFY_ALL ((size_t)10000000)

static json_t *answer_json(int a)
{
	return a >= 0 && a <= 2 ? json_string(answer_names[a]) : json_null();
}

/* GET /api/verify/labels: the labels the rater has questions for, with
 * their counts, most pending first (mlfy_verify_labels). */
enum MHD_Result h_verify_labels(struct req *r, const char *rest)
{
	struct mlfy_verify_label *v = NULL;
	struct mlfy_err err;
	int64_t pending = 0, answered = 0;
	size_t n = 0, i;
	json_t *arr;

	(void)rest;
	mlfy_err_clear(&err);
	if (mlfy_verify_labels(r->store, r->sess.user.id, &v, &n, &err))
		return reply_err(r, &err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{sisssIsI}", "class", v[i].class_idx, "name", v[i].name, "pending",
						     (json_int_t)v[i].pending, "answered", (json_int_t)v[i].answered));
		pending += v[i].pending;
		answered += v[i].answered;
	}
	mlfy_verify_labels_release(v, n);
	return reply_json(r, 200, json_pack("{sosIsI}", "labels", arr, "pending", (json_int_t)pending, "answered",
					    (json_int_t)answered));
}

/* A decimal ?name= in [lo, hi], or def when absent; -1 after replying 400. */
static long query_long(struct req *r, const char *name, long lo, long hi, long def, enum MHD_Result *ret)
{
	const char *s = req_arg(r, name);
	char *e;
	long v;
	if (!s)
		return def;
	v = strtol(s, &e, 10);
	if (!*s || *e || v < lo || v > hi) {
		*ret = reply_error(r, 400, "%s: expected an integer in [%ld, %ld]", name, lo, hi);
		return -1;
	}
	return v;
}

/* The exemplar ranks of class cls to show this rater: those the annotation
 * page would show (mlfy_view_exemplar_ranks: none of the person's stage ii
 * or iv images), less any whose content is one of the images the rater is
 * asked about for this label (it would answer the question for them).
 * A new JSON array of ranks, or NULL with err set. */
static json_t *exemplar_ranks(struct req *r, int cls, const struct mlfy_verify_item *all, size_t n_all,
			      struct mlfy_err *err)
{
	int64_t uid = r->sess.user.role == MLFY_ROLE_ADMIN ? 0 : r->sess.user.id;
	char (*sha)[65] = NULL;
	int32_t *ranks = NULL;
	size_t n = 0, i, k;
	json_t *arr;

	if (mlfy_view_exemplar_ranks(r->store, cls, 0, uid, &ranks, &n, err))
		return NULL;
	if (n && !(sha = calloc(n, sizeof(*sha)))) {
		free(ranks);
		mlfy_err_oom(err);
		return NULL;
	}
	for (k = 0; k < n; k++) {
		char *path = NULL;
		int rc = mlfy_view_exemplar_file(r->store, cls, ranks[k], uid, &path, sha[k], err);
		free(path);
		if (rc == MLFY_ENOTFOUND)
			sha[k][0] = '\0';
		else if (rc) {
			free(ranks);
			free(sha);
			return NULL;
		}
	}
	for (i = 0; n && i < n_all; i++) {
		char *path = NULL, isha[65];
		int rc;
		if (all[i].image_id <= 0)
			continue;
		rc = mlfy_view_image_file(r->store, all[i].image_id, &path, isha, err);
		free(path);
		if (rc == MLFY_ENOTFOUND)
			continue;
		if (rc) {
			free(ranks);
			free(sha);
			return NULL;
		}
		for (k = 0; k < n; k++)
			if (sha[k][0] && !strcmp(sha[k], isha))
				sha[k][0] = '\0';
	}
	arr = json_array();
	for (k = 0; k < n; k++)
		if (sha[k][0])
			json_array_append_new(arr, json_integer(ranks[k]));
	free(ranks);
	free(sha);
	return arr;
}

/* GET /api/verify/labels/<class>?limit=&offset=: the label (name,
 * synonyms, gloss, exemplars) and the rater's pending questions about it.
 * No image name or id: a file name can give the original label away
 * (docs/serve.md), and the image comes through this route (label_image). */
static enum MHD_Result label_get(struct req *r, int cls)
{
	struct mlfy_verify_item *items = NULL, *all = NULL;
	struct mlfy_view_class *c = NULL;
	struct mlfy_err err;
	enum MHD_Result ret = MHD_NO;
	size_t n = 0, n_all = 0, n_c = 0, i;
	int64_t total = 0, total_all = 0;
	long limit, offset;
	json_t *arr, *ranks, *urls, *v;
	char url[96];

	if ((limit = query_long(r, "limit", 1, MLFY_VERIFY_PAGE_MAX, VERIFY_PAGE_DEFAULT, &ret)) < 0 ||
	    (offset = query_long(r, "offset", 0, LONG_MAX, 0, &ret)) < 0)
		return ret;
	mlfy_err_clear(&err);
	if (mlfy_view_classes(r->store, &cls, 1, &c, &n_c, &err))
		return reply_err(r, &err);
	if (!n_c) {
		mlfy_view_classes_free(c, n_c);
		return reply_error(r, 404, "no class %d in this project", cls);
	}
	if (mlfy_verify_items(r->store, r->sess.user.id, cls, 0, (size_t)offset, (size_t)limit, &items, &n, &total,
			      &err) ||
	    mlfy_verify_items(r->store, r->sess.user.id, cls, 1, 0, VERIFY_ALL, &all, &n_all, &total_all, &err) ||
	    !(ranks = exemplar_ranks(r, cls, all, n_all, &err))) {
		mlfy_verify_items_release(items, n);
		mlfy_verify_items_release(all, n_all);
		mlfy_view_classes_free(c, n_c);
		return reply_err(r, &err);
	}
	urls = json_array();
	json_array_foreach(ranks, i, v) {
		snprintf(url, sizeof(url), "/api/exemplars/%d/%lld", cls, (long long)json_integer_value(v));
		json_array_append_new(urls, json_string(url));
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		snprintf(url, sizeof(url), "/api/verify/labels/%d/images/%lld", cls, (long long)items[i].question_id);
		json_array_append_new(arr, json_pack("{sIsssosI}", "question_id", (json_int_t)items[i].question_id,
						     "image", url, "answer", answer_json(items[i].answer), "version",
						     (json_int_t)items[i].version));
	}
	v = json_pack("{s{sisssssssssoso}sosIsIsIsIsi}", "label", "class", c[0].idx, "ext_id", c[0].ext_id, "name",
		      c[0].name, "synonyms", c[0].synonyms, "gloss", c[0].gloss, "exemplar_ranks", ranks, "exemplars",
		      urls, "items", arr, "pending", (json_int_t)total, "assigned", (json_int_t)n_all, "offset",
		      (json_int_t)offset, "limit", (json_int_t)limit, "page_max", MLFY_VERIFY_PAGE_MAX);
	mlfy_verify_items_release(items, n);
	mlfy_verify_items_release(all, n_all);
	mlfy_view_classes_free(c, n_c);
	if (!v)
		return reply_error(r, 500, "internal error: cannot encode the label");
	served_note(r->token, cls, VERIFY_CLOCK);   /* the clock a page's seconds are capped by */
	return reply_json(r, 200, v);
}

/* GET /api/verify/labels/<class>/images/<question id>?size=: the image of
 * one of the rater's questions about the label (any of theirs, answered or
 * not); 403 for anyone else's question. */
static enum MHD_Result label_image(struct req *r, int cls, int64_t qid)
{
	struct mlfy_err err;
	int64_t image = 0;

	mlfy_err_clear(&err);
	if (mlfy_verify_image_of(r->store, r->sess.user.id, cls, qid, &image, &err))
		return reply_err(r, &err);
	if (image == 0)
		return reply_error(r, 404, "the image of question %lld is not in this project", (long long)qid);
	return image_reply(r, image);
}

/* GET /api/verify/labels/<class>[/images/<question id>] */
enum MHD_Result h_verify_label(struct req *r, const char *rest)
{
	const char *end = NULL;
	int64_t cls = parse_id(rest, &end, INT32_MAX), qid;

	if (cls < 0)
		return reply_error(r, 404, "no such label: expected /api/verify/labels/<class index>");
	if (!*end)
		return label_get(r, (int)cls);
	if (!strncmp(end, "/images/", 8) && (qid = parse_id(end + 8, &end, INT64_C(1) << 53)) >= 0 && !*end)
		return label_image(r, (int)cls, qid);
	return reply_error(r, 404, "no such route: expected /api/verify/labels/<class>[/images/<question id>]");
}

/* One element of "answers" onto *a.  Only JSON types and the answer names
 * are checked here; the values' ranges are mlfy_verify_check's to say.
 * 0, or -1 after replying 400. */
static int answer_from_json(struct req *r, size_t i, json_t *v, struct mlfy_verify_answer_in *a,
			    enum MHD_Result *ret)
{
	json_t *q = json_object_get(v, "question_id"), *ans = json_object_get(v, "answer");
	json_t *bulk = json_object_get(v, "bulk"), *sec = json_object_get(v, "seconds");
	json_t *base = json_object_get(v, "base_version");
	int k, known;

	if (!json_is_object(v)) {
		*ret = reply_error(r, 400, "answers[%zu]: expected {\"question_id\", \"answer\", \"base_version\", "
					   "\"bulk\", \"seconds\"}", i);
		return -1;
	}
	if (!json_is_integer(q)) {
		*ret = reply_error(r, 400, "answers[%zu].question_id: expected an integer", i);
		return -1;
	}
	a->question_id = json_integer_value(q);
	known = 0;
	if (json_is_string(ans)) {
		for (k = 0; k < 3; k++)
			if (!strcmp(json_string_value(ans), answer_names[k])) {
				a->answer = k;
				known = 1;
			}
	} else if (json_is_integer(ans) && json_integer_value(ans) >= INT_MIN && json_integer_value(ans) <= INT_MAX) {
		a->answer = (int)json_integer_value(ans);   /* the range is mlfy_verify_check's */
		known = 1;
	}
	if (!known) {
		*ret = reply_error(r, 400, "answers[%zu].answer: expected \"yes\", \"maybe\" or \"no\" (or 2, 1, 0)", i);
		return -1;
	}
	/* true / false; 0 / 1 as the answer codes are numbers too */
	if (!bulk || json_is_null(bulk))
		a->bulk = 0;
	else if (json_is_boolean(bulk))
		a->bulk = json_is_true(bulk);
	else if (json_is_integer(bulk) && (json_integer_value(bulk) == 0 || json_integer_value(bulk) == 1))
		a->bulk = (int)json_integer_value(bulk);
	else {
		*ret = reply_error(r, 400, "answers[%zu].bulk: expected true or false", i);
		return -1;
	}
	if (sec && !json_is_number(sec)) {
		*ret = reply_error(r, 400, "answers[%zu].seconds: expected a number", i);
		return -1;
	}
	a->seconds = sec ? json_number_value(sec) : 0;
	if (!json_is_integer(base)) {
		*ret = reply_error(r, 400, "answers[%zu].base_version: expected an integer (0: not answered before)", i);
		return -1;
	}
	a->base_version = json_integer_value(base);
	return 0;
}

/* POST /api/verify/pages: a page of answers, mapped onto struct
 * mlfy_verify_submit; mlfy_verify_submit decides and stores.  A re-send of
 * a stored page (same page_id) is answered as the first time. */
enum MHD_Result h_verify_pages(struct req *r, const char *rest)
{
	struct mlfy_verify_answer_in *answers = NULL;
	struct mlfy_verify_submit in;
	struct mlfy_verify_submit_result res;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *v, *arr;
	size_t i;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	in.annotator_id = r->sess.user.id;
	v = json_object_get(j, "class_idx");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX) {
		json_decref(j);
		return reply_error(r, 400, "class_idx: expected the page's class index");
	}
	in.class_idx = (int32_t)json_integer_value(v);
	if (!(in.client_page_id = str_field(j, "page_id"))) {
		json_decref(j);
		return reply_error(r, 400, "page_id: expected a string (the page's id, chosen by the page)");
	}
	v = json_object_get(j, "seconds");
	if (v && !json_is_number(v)) {
		json_decref(j);
		return reply_error(r, 400, "seconds: expected a number");
	}
	in.seconds = v ? json_number_value(v) : 0;
	arr = json_object_get(j, "answers");
	if (!json_is_array(arr)) {
		json_decref(j);
		return reply_error(r, 400, "answers: expected an array of {\"question_id\", \"answer\", ...} objects");
	}
	in.n_answers = json_array_size(arr);
	if (!(answers = calloc(in.n_answers ? in.n_answers : 1, sizeof(*answers)))) {
		json_decref(j);
		return reply_error(r, 500, "out of memory");
	}
	json_array_foreach(arr, i, v) {
		if (answer_from_json(r, i, v, &answers[i], &ret)) {
			free(answers);
			json_decref(j);
			return ret;
		}
	}
	in.answers = answers;
	/* the seconds a page may claim: the time since this session was served
	 * the label's page (or last stored one), by the server's clock; without a
	 * record (a restart, another session's tab) at most the idle timeout */
	in.elapsed_max = served_elapsed(r->token, in.class_idx, VERIFY_CLOCK, (double)r->srv->cfg.idle_timeout_s);
	if (in.elapsed_max < 1e-3)
		in.elapsed_max = 1e-3;
	mlfy_err_clear(&err);
	if ((rc = mlfy_verify_check(&in, &err))) {
		free(answers);
		json_decref(j);
		return reply_err(r, &err);
	}
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_verify_submit(r->store, &in, &res, &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	if (rc == MLFY_ECONFLICT && res.conflict < in.n_answers) {
		/* a newer answer stands (another tab): say which and what, so the
		 * page can show it and reload */
		json_t *o = json_pack("{sss{sIsIso}}", "error", err.msg, "conflict", "question_id",
				      (json_int_t)answers[res.conflict].question_id, "version",
				      (json_int_t)res.conflict_version, "answer", answer_json(res.conflict_answer));
		free(answers);
		json_decref(j);
		return reply_json(r, 409, o);
	}
	free(answers);
	json_decref(j);
	if (rc)
		return reply_err(r, &err);
	served_note(r->token, in.class_idx, VERIFY_CLOCK);
	return reply_json(r, 200, json_pack("{sIsIsb}", "page", (json_int_t)res.page_id, "stored", (json_int_t)res.stored,
					    "replayed", res.replayed));
}
