/* tasks.c - the JSON routes of the annotation and refinement pages
 * (tasks.h; docs/serve.md lists them).  Each handler parses the request,
 * calls the library, and encodes the reply; whether a save is valid is
 * review/save.h's answer, never decided here. */
#include "serve/tasks.h"
#include "serve/commit.h"
#include "serve/http.h"
#include "serve/served.h"
#include "review/refine.h"
#include "review/save.h"
#include "store/annotations.h"
#include "store/catalog.h"
#include "store/flags.h"
#include "store/taskpage.h"
#include "store/taskview.h"
#include "store/zero_label.h"

#include "util/vec.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /api/vocabulary: the words and limits the pages need, from the library
 * (never copied into HTML or JS): zero-label categories and verdicts, label
 * sources, unsure reasons and problem tags (name and label each), proposals
 * per image and group size, and the longest comment.  The same for every
 * role. */
enum MHD_Result h_vocabulary(struct req *r, const char *rest)
{
	json_t *cat = json_array(), *ver = json_array(), *src = json_array(), *uns = json_array(), *tags = json_array();
	json_t *o;
	int i;

	(void)rest;
	for (i = 0; i < MLFY_N_UNSURE; i++)
		json_array_append_new(uns, json_pack("{ssss}", "name", mlfy_unsure_name(i), "label", mlfy_unsure_label(i)));
	for (i = 0; i < MLFY_N_TAGS; i++)
		json_array_append_new(tags, json_pack("{ssss}", "name", mlfy_tag_name(i), "label", mlfy_tag_label(i)));
	for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
		json_array_append_new(cat, json_pack("{ssss}", "name", mlfy_zero_category_name(i), "label",
						     mlfy_zero_category_label(i)));
	for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
		json_array_append_new(ver, json_pack("{ssss}", "name", mlfy_zero_verdict_name(i), "label",
						     mlfy_zero_verdict_label(i)));
	for (i = 0; i < MLFY_N_SOURCES; i++)
		json_array_append_new(src, json_pack("{ssss}", "name", mlfy_source_name((enum mlfy_label_source)i),
						     "label", mlfy_source_label((enum mlfy_label_source)i)));
	o = json_pack("{s{soso}sosisisi}", "zero_label", "categories", cat, "verdicts", ver, "label_sources", src,
		      "proposals_per_image", MLFY_TASK_TOP_K, "group_size", MLFY_TASK_GROUP, "comment_max",
		      MLFY_COMMENT_MAX);
	json_object_set_new(o, "unsure_reasons", uns);
	json_object_set_new(o, "problem_tags", tags);
	return reply_json(r, 200, o);
}

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

/* The most tasks one GET /api/tasks sends (its limit's default and maximum). */
#define MLFY_TASKS_LIMIT 1000

static json_t *task_build(struct req *r, int64_t id, enum mlfy_stage st, struct mlfy_err *e);

/* The batch sizes GET /api/tasks counts (store/taskpage.h), kept for the
 * worker threads of this process, and the server they were counted for. */
static pthread_mutex_t sizes_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mlfy_batch_sizes sizes;
static const struct mlfy_server *sizes_srv;

/* ?name= as a decimal integer in [lo, hi] into *v (def when absent); -1
 * after replying 400 naming it. */
static int int_arg(struct req *r, const char *name, long long lo, long long hi, long long def, long long *v,
		   enum MHD_Result *ret)
{
	const char *a = req_arg(r, name);
	char *e;

	*v = def;
	if (!a)
		return 0;
	errno = 0;
	*v = strtoll(a, &e, 10);
	if (*a < '0' || *a > '9' || *e || errno || *v < lo || *v > hi) {
		*ret = reply_error(r, 400, "%s: expected an integer in [%lld, %lld]", name, lo, hi);
		return -1;
	}
	return 0;
}

/* GET /api/tasks?stage=&limit=&offset= | &around=<image id>|open
 * [&include=task]: a window of the person's task list (store/taskpage.h)
 * with the list's total, its done count, the window's offset and the
 * asked task's position; include=task adds that task's GET /api/tasks/<id>
 * reply, so that a page starts with one request. */
enum MHD_Result h_tasks(struct req *r, const char *rest)
{
	const char *around = req_arg(r, "around"), *inc = req_arg(r, "include");
	enum mlfy_task_anchor at = MLFY_TASKS_AT_OFFSET;
	struct mlfy_task_page p;
	long long limit, offset;
	enum mlfy_stage st;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *ids, *done, *o;
	int64_t arg;
	size_t i;
	int rc;

	(void)rest;
	if (req_stage(r, &st, &ret) || int_arg(r, "limit", 1, MLFY_TASKS_LIMIT, MLFY_TASKS_LIMIT, &limit, &ret) ||
	    int_arg(r, "offset", 0, INT64_C(1) << 53, 0, &offset, &ret))
		return ret;
	if (around && req_arg(r, "offset"))
		return reply_error(r, 400, "around, offset: give one of them, not both");
	if (inc && strcmp(inc, "task") != 0)
		return reply_error(r, 400, "include: expected \"task\"");
	arg = offset;
	if (around && !strcmp(around, "open")) {
		at = MLFY_TASKS_AT_OPEN;
	} else if (around) {
		const char *end = NULL;
		arg = parse_id(around, &end, INT64_C(1) << 53);
		if (arg < 0 || *end)
			return reply_error(r, 400, "around: expected an image id or \"open\"");
		at = MLFY_TASKS_AT_IMAGE;
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&sizes_mu);
	if (sizes_srv != r->srv) {
		mlfy_batch_sizes_release(&sizes);
		sizes_srv = r->srv;
	}
	rc = mlfy_tasks_page(r->store, r->sess.user.id, st, at, arg, (size_t)limit, &sizes, &p, &err);
	pthread_mutex_unlock(&sizes_mu);
	if (rc)
		return reply_err(r, &err);
	ids = json_array();
	done = json_array();
	for (i = 0; i < p.n; i++) {
		json_array_append_new(ids, json_integer(p.image_ids[i]));
		json_array_append_new(done, json_integer(p.done[i]));
	}
	o = json_pack("{sssIsIsIsoso}", "stage", mlfy_stage_name(st), "total", (json_int_t)p.total, "n_done",
		      (json_int_t)p.n_done, "offset", (json_int_t)p.offset, "ids", ids, "done", done);
	json_object_set_new(o, "position", p.position >= 0 ? json_integer(p.position) : json_null());
	if (inc) {
		json_t *t = NULL;
		if (p.position >= 0 && !(t = task_build(r, p.image_ids[p.position - p.offset], st, &err))) {
			mlfy_task_page_release(&p);
			json_decref(o);
			return err.code ? reply_err(r, &err) : reply_error(r, 500, "internal error: cannot encode the task");
		}
		json_object_set_new(o, "task", t ? t : json_null());
	}
	mlfy_task_page_release(&p);
	return reply_json(r, 200, o);
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
	json_t *tags = json_array();
	int i;
	for (i = 0; i < MLFY_N_TAGS; i++)
		if (a->tags >> i & 1u)
			json_array_append_new(tags, json_string(mlfy_tag_name(i)));
	return json_pack("{sIsosssfsssssIss?so}", "version", (json_int_t)a->version, "labels", labels_json(a),
			 "comment", a->comment, "seconds", a->seconds, "saved_at", a->created_at, "annotator",
			 a->annotator, "annotation_id", (json_int_t)a->id, "unsure",
			 a->unsure ? mlfy_unsure_name(a->unsure - 1) : NULL, "tags", tags);
}

/* Appends idx to a growing int array; 0 or -1 on OOM. */
static int push_idx(int **v, size_t *n, size_t *cap, int idx)
{
	if (MLFY_GROW(*v, *cap, *n + 1))
		return -1;
	(*v)[(*n)++] = idx;
	return 0;
}

/* The reply of GET /api/tasks/<id> for image id in stage st (also sent
 * inline by GET /api/tasks?include=task), noted as served to this session;
 * NULL with err filled (err.code 0: it could not be encoded). */
static json_t *task_build(struct req *r, int64_t id, enum mlfy_stage st, struct mlfy_err *e)
{
	struct mlfy_annotation cur, *others = NULL;
	struct mlfy_refine_shown shown = { .planted = -1 };
	struct mlfy_view_class *cls = NULL;
	struct mlfy_task_view tv;
	struct mlfy_err err;
	size_t n_others = 0, n_cls = 0, n_idx = 0, cap_idx = 0, i, j, n_ex = 0, ex_at = 0;
	int *idx = NULL, *cls_idx, have_cur, rc, oom = 0, store_failed = 0;
	struct mlfy_exemplar_rank *ex = NULL;
	json_t *o, *props, *classes;

	mlfy_err_clear(&err);
	mlfy_err_clear(e);
	if ((rc = mlfy_tasks_check(r->store, r->sess.user.id, st, id, &err)))
		return *e = err, NULL;
	if (mlfy_task_view_get(r->store, id, MLFY_TASK_TOP_K, &tv, &err))
		return *e = err, NULL;
	rc = mlfy_annotations_current(r->store, id, r->sess.user.id, st, &cur, &err);
	if (rc && rc != MLFY_ENOTFOUND) {
		mlfy_task_view_release(&tv);
		return *e = err, NULL;
	}
	have_cur = rc == 0;
	/* stage iv shows the stage-ii sets and pre-checks their union, unless
	 * the task is blind (review/refine.h); stage ii never shows others' labels */
	if (st == MLFY_STAGE_REFINE &&
	    (mlfy_refine_shown_get(r->store, id, &shown, &err) ||
	     (shown.show_others &&
	      mlfy_annotations_of_image(r->store, id, MLFY_STAGE_ANNOTATE, &others, &n_others, &err)))) {
		mlfy_refine_shown_release(&shown);
		mlfy_task_view_release(&tv);
		if (have_cur)
			mlfy_annotation_release(&cur);
		return *e = err, NULL;
	}
	for (i = 0; i < tv.n_proposals; i++)
		oom |= push_idx(&idx, &n_idx, &cap_idx, tv.proposals[i].class_idx);
	for (i = 0; have_cur && i < cur.n_labels; i++)
		oom |= push_idx(&idx, &n_idx, &cap_idx, cur.labels[i].class_idx);
	for (j = 0; j < n_others; j++)
		for (i = 0; i < others[j].n_labels; i++)
			oom |= push_idx(&idx, &n_idx, &cap_idx, others[j].labels[i].class_idx);
	for (i = 0; i < shown.n_prefill; i++)
		oom |= push_idx(&idx, &n_idx, &cap_idx, shown.prefill[i]);
	if (st == MLFY_STAGE_REFINE && tv.original_label >= 0)
		oom |= push_idx(&idx, &n_idx, &cap_idx, tv.original_label);
	if (oom)
		rc = mlfy_err_oom(&err);
	else
		rc = mlfy_view_classes(r->store, idx, n_idx, &cls, &n_cls, &err);
	free(idx);
	if (rc) {
		mlfy_task_view_release(&tv);
		mlfy_refine_shown_release(&shown);
		mlfy_annotations_free(others, n_others);
		if (have_cur)
			mlfy_annotation_release(&cur);
		return *e = err, NULL;
	}

	props = json_array();
	for (i = 0; i < tv.n_proposals; i++)
		json_array_append_new(props, json_pack("{sisisf}", "rank", tv.proposals[i].rank, "class",
						       tv.proposals[i].class_idx, "score", tv.proposals[i].score));
	classes = json_object();
	/* exemplars may be project photos (make demo-imagenet): never offer
	 * the image itself, nor any image of this person's tasks, as the
	 * exemplar of a class (it would show its original label).  One query
	 * for every shown class (ordered by class, then rank). */
	if (!(cls_idx = malloc((n_cls ? n_cls : 1) * sizeof(*cls_idx)))) {
		store_failed = 1;
		mlfy_err_oom(&err);
	} else {
		for (i = 0; i < n_cls; i++)
			cls_idx[i] = cls[i].idx;
		if (mlfy_view_exemplar_ranks_of(r->store, cls_idx, n_cls, id,
						r->sess.user.role == MLFY_ROLE_ADMIN ? 0 : r->sess.user.id, &ex, &n_ex,
						&err))
			store_failed = 1;
		free(cls_idx);
	}
	for (i = 0; i < n_cls && !store_failed; i++) {
		size_t n_shown = 0;
		json_t *ranks = json_array();
		char key[16];
		/* ex is ordered by class: this class's run starts at ex_at
		 * unless the classes came in another order (then search) */
		if (ex_at >= n_ex || ex[ex_at].class_idx != cls[i].idx)
			for (ex_at = 0; ex_at < n_ex && ex[ex_at].class_idx != cls[i].idx; ex_at++)
				;
		for (; ex_at < n_ex && ex[ex_at].class_idx == cls[i].idx; ex_at++, n_shown++)
			json_array_append_new(ranks, json_integer(ex[ex_at].rank));
		snprintf(key, sizeof(key), "%d", cls[i].idx);
		json_object_set_new(classes, key,
				    json_pack("{sisssssssssiso}", "idx", cls[i].idx, "ext_id", cls[i].ext_id, "name",
					      cls[i].name, "synonyms", cls[i].synonyms, "gloss", cls[i].gloss,
					      "exemplars", (int)n_shown, "exemplar_ranks", ranks));
	}
	free(ex);
	/* no file name in stage ii: names such as n01514859_hen.JPEG or an
	 * ImageFolder class folder give the original label away, which the
	 * annotators must not see (docs/serve.md); the page hiding it is not
	 * enough, the reply must not carry it */
	if (store_failed) {
		json_decref(props);
		json_decref(classes);
		o = NULL;
	} else {
		/* no batch number in stage ii either: a gold task (store/gold.h)
		 * comes from another batch, and must look like any other task */
		o = json_pack("{sss{sIsisi}sosososo}", "stage", mlfy_stage_name(st), "image", "id", (json_int_t)id,
			      "width", tv.width, "height", tv.height, "proposals", props, "classes", classes,
			      "annotation", have_cur ? annotation_json(&cur) : json_null(), "others", json_null());
	}
	if (st == MLFY_STAGE_REFINE && o) {
		json_t *arr = json_array();
		struct mlfy_zero_review z;
		json_t *pre = json_array();
		json_object_set_new(json_object_get(o, "image"), "name", json_string(tv.name));
		json_object_set_new(json_object_get(o, "image"), "batch", json_integer(tv.batch));
		for (j = 0; j < n_others; j++)
			json_array_append_new(arr, annotation_json(&others[j]));
		/* the planted label is shown as one annotator's choice (review/refine.h) */
		if (shown.planted >= 0 && n_others)
			json_array_append_new(json_object_get(json_array_get(arr, (size_t)id % n_others), "labels"),
					      json_pack("{sissss}", "class", shown.planted, "source", "proposal",
							"annotator", others[(size_t)id % n_others].annotator));
		json_object_set_new(o, "others", arr);
		for (i = 0; i < shown.n_prefill; i++)
			json_array_append_new(pre, json_integer(shown.prefill[i]));
		json_object_set_new(o, "prefill", pre);
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
	mlfy_refine_shown_release(&shown);
	mlfy_annotations_free(others, n_others);
	mlfy_view_classes_free(cls, n_cls);
	if (have_cur)
		mlfy_annotation_release(&cur);
	if (store_failed)
		return *e = err, NULL;
	if (o)
		served_note(r->token, id, (int)st);   /* the clock a save's seconds are capped by */
	return o;
}

static enum MHD_Result task_get(struct req *r, int64_t id)
{
	enum mlfy_stage st;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *o;
	int snap;

	if (req_stage(r, &st, &ret))
		return ret;
	/* the view's statements (about 25) read one snapshot: one read lock,
	 * and SQLite drops this connection's page cache at most once -- it
	 * does at the start of every read after another connection's commit
	 * (WAL), which under load is nearly every statement, each then reading
	 * its pages again.  Without a snapshot (it could not start) the
	 * statements read as before, each on its own. */
	mlfy_err_clear(&err);
	snap = mlfy_store_begin_read(r->store, &err) == 0;
	o = task_build(r, id, st, &err);
	if (snap)
		mlfy_store_end_read(r->store);
	if (!o)
		return err.code ? reply_err(r, &err) : reply_error(r, 500, "internal error: cannot encode the task");
	return reply_json(r, 200, o);
}

/* Maps a label object {"class": int, "source": name} onto *l.  Only JSON
 * types and the vocabulary's names are checked here (mlfy_source_parse);
 * whether the values make a valid save (a negative class, a repeated one)
 * is mlfy_annotation_check's to say.  0, or -1 after replying 400. */
static int label_from_json(struct req *r, size_t i, json_t *v, struct mlfy_label_choice *l,
			   enum MHD_Result *ret)
{
	json_t *c = json_object_get(v, "class"), *src = json_object_get(v, "source");

	if (!json_is_object(v) || !json_is_integer(c) || json_integer_value(c) < INT_MIN ||
	    json_integer_value(c) > INT_MAX) {
		*ret = reply_error(r, 400, "labels[%zu]: expected {\"class\": index, \"source\": name}", i);
		return -1;
	}
	l->class_idx = (int)json_integer_value(c);
	l->source = MLFY_SOURCE_PROPOSAL;   /* when absent or null */
	if (src && !json_is_null(src)) {
		struct mlfy_err err;
		if (!json_is_string(src) || mlfy_source_parse(json_string_value(src), &l->source, &err)) {
			*ret = reply_error(r, 400, "labels[%zu].source: %s", i,
					   json_is_string(src) ? err.msg : "expected a string");
			return -1;
		}
	}
	return 0;
}

/* "unsure": null or a reason's name, "tags": an array of tag names (both
 * optional) onto in.  0, or -1 after replying 400. */
static int flags_from_json(struct req *r, json_t *j, struct mlfy_annotation_save *in, enum MHD_Result *ret)
{
	json_t *u = json_object_get(j, "unsure"), *tags = json_object_get(j, "tags"), *v;
	size_t i;
	int k;

	if (u && !json_is_null(u)) {
		if (!json_is_string(u) || (k = mlfy_unsure_index(json_string_value(u))) < 0) {
			*ret = reply_error(r, 400, "unsure: expected null or one of the reasons of /api/vocabulary");
			return -1;
		}
		in->unsure = k + 1;
	}
	if (tags && !json_is_null(tags) && !json_is_array(tags)) {
		*ret = reply_error(r, 400, "tags: expected an array of tag names");
		return -1;
	}
	json_array_foreach(tags, i, v) {
		if (!json_is_string(v) || (k = mlfy_tag_index(json_string_value(v))) < 0) {
			*ret = reply_error(r, 400, "tags[%zu]: not a problem tag of /api/vocabulary", i);
			return -1;
		}
		in->tags |= 1u << k;
	}
	return 0;
}

/* A save on its way to the committer (commit.h): the request mapped onto
 * struct mlfy_annotation_save, with copies of everything it points to
 * (the JSON body is freed before the commit). */
struct save_job {
	struct mlfy_annotation_save in;
	struct mlfy_label_choice *labels;
	char *comment, *zl_category, *zl_verdict;
	int64_t version;   /* the new version, once committed */
};

static void save_job_free(void *p)
{
	struct save_job *sj = p;
	if (sj)
		MLFY_FREE_ALL(sj->labels, sj->comment, sj->zl_category, sj->zl_verdict, sj);
}

/* The committer's step: the library's save, inside its transaction. */
static int save_step(struct mlfy_store *s, void *ctx, struct mlfy_err *err)
{
	struct save_job *sj = ctx;
	return mlfy_annotations_save_in_tx(s, &sj->in, &sj->version, err);
}

/* The reply to a save whose outcome is rc (err): 200 with the new
 * version, 409 for a stale save (with the newer version) or a closed
 * image, else the status of the code. */
static enum MHD_Result save_reply(struct req *r, const struct save_job *sj, int rc, const struct mlfy_err *serr)
{
	struct mlfy_annotation cur;
	struct mlfy_err err;
	char now[32];

	if (rc == MLFY_ECLOSED)   /* decided by stage iii: not stale, closed; the page moves on */
		return reply_json(r, 409, json_pack("{sssb}", "error", serr->msg, "closed", 1));
	if (rc == MLFY_ECONFLICT) {
		/* a newer version exists (another tab): send it so the page can show it */
		json_t *o = json_pack("{ss}", "error", serr->msg);
		if (mlfy_annotations_current(r->store, sj->in.image_id, r->sess.user.id, sj->in.stage, &cur, &err) == 0) {
			json_object_set_new(o, "annotation", annotation_json(&cur));
			mlfy_annotation_release(&cur);
		}
		return reply_json(r, 409, o);
	}
	if (rc)
		return reply_err(r, serr);
	served_note(r->token, sj->in.image_id, (int)sj->in.stage);
	mlfy_store_now(now);
	return reply_json(r, 200, json_pack("{sIss}", "version", (json_int_t)sj->version, "saved_at", now));
}

/* Back from the committer (the connection resumed): reply. */
static enum MHD_Result save_done(struct req *r)
{
	const struct commit_job *job = r->commit;
	return save_reply(r, job->step.ctx, job->step.rc, &job->step.err);
}

/* A copy of string field name of j into *out (NULL when absent or not a
 * string); -1 when out of memory. */
static int dup_field(json_t *j, const char *name, char **out)
{
	const char *v = str_field(j, name);
	*out = NULL;
	return v && !(*out = strdup(v)) ? -1 : 0;
}

/* PUT /api/tasks/<id>/annotation: the JSON body mapped onto struct
 * mlfy_annotation_save and its fields checked (mlfy_annotation_check: 400
 * at once), then queued for the group commit, where mlfy_annotations_save's
 * rule (review/save.h) decides and saves, in a savepoint of the batch's
 * transaction.  A stale save gets 409 with the newer version. */
static enum MHD_Result task_save(struct req *r, int64_t id)
{
	struct save_job *sj;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *v, *arr, *zl;
	size_t i;
	int rc;

	if (!(j = body_json(r, &ret)))
		return ret;
	if (!(sj = calloc(1, sizeof(*sj)))) {
		json_decref(j);
		return reply_error(r, 500, "out of memory");
	}
	sj->in.image_id = id;
	sj->in.annotator_id = r->sess.user.id;
	mlfy_err_clear(&err);
	v = json_object_get(j, "stage");
	if (!json_is_string(v) || mlfy_stage_parse(json_string_value(v), &sj->in.stage, &err)) {
		ret = reply_error(r, 400, "stage: %s",
				  json_is_string(v) ? err.msg : "expected \"annotate\" or \"refine\"");
		goto out;
	}
	if (sj->in.stage == MLFY_STAGE_REFINE && r->sess.user.role == MLFY_ROLE_ANNOTATOR) {
		ret = reply_error(r, 403, "refinement needs the expert role");
		goto out;
	}
	v = json_object_get(j, "base_version");
	sj->in.base_version = json_is_integer(v) ? json_integer_value(v) : -1;
	arr = json_object_get(j, "labels");
	if (!json_is_array(arr)) {
		ret = reply_error(r, 400, "labels: expected an array of {\"class\", \"source\"} objects");
		goto out;
	}
	sj->in.n_labels = json_array_size(arr);
	if (!(sj->labels = calloc(sj->in.n_labels ? sj->in.n_labels : 1, sizeof(*sj->labels)))) {
		ret = reply_error(r, 500, "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, v) {
		if (label_from_json(r, i, v, &sj->labels[i], &ret))
			goto out;
	}
	sj->in.labels = sj->labels;
	v = json_object_get(j, "comment");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		ret = reply_error(r, 400, "comment: expected a string");
		goto out;
	}
	if (!(sj->comment = strdup(json_is_string(v) ? json_string_value(v) : ""))) {
		ret = reply_error(r, 500, "out of memory");
		goto out;
	}
	sj->in.comment = sj->comment;
	v = json_object_get(j, "seconds");
	if (v && !json_is_number(v)) {
		ret = reply_error(r, 400, "seconds: expected a number");
		goto out;
	}
	sj->in.seconds = v ? json_number_value(v) : 0;
	if (flags_from_json(r, j, &sj->in, &ret))
		goto out;
	zl = json_object_get(j, "zero_label");
	if (zl && !json_is_null(zl)) {
		if (dup_field(zl, "category", &sj->zl_category) || dup_field(zl, "verdict", &sj->zl_verdict)) {
			ret = reply_error(r, 500, "out of memory");
			goto out;
		}
		if (!json_is_object(zl) || !sj->zl_category || !sj->zl_verdict) {
			ret = reply_error(r, 400, "zero_label: expected {\"category\": ..., \"verdict\": ...} or null");
			goto out;
		}
		sj->in.zl_category = sj->zl_category;
		sj->in.zl_verdict = sj->zl_verdict;
	}
	/* the seconds a save may add: the time since this session was served
	 * the task (or last saved it), by the server's clock; without a record
	 * (a restart, another session's tab) at most the idle timeout */
	sj->in.elapsed_max = served_elapsed(r->token, id, (int)sj->in.stage, (double)r->srv->cfg.idle_timeout_s);
	if (sj->in.elapsed_max < 1e-3)
		sj->in.elapsed_max = 1e-3;
	json_decref(j);
	j = NULL;
	/* bad fields answer at once, without a trip to the committer */
	if ((rc = mlfy_annotation_check(&sj->in, &err))) {
		ret = reply_err(r, &err);
		goto out;
	}
	rc = commit_submit(r, save_step, sj, save_job_free, save_done);
	if (rc == 0)
		return MHD_YES;   /* suspended; save_done replies */
	if (rc < 0) {
		ret = reply_error(r, 500, "out of memory");
		goto out;
	}
	/* the server is stopping (COMMIT_STOPPED): save here, as one transaction */
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_annotations_save(r->store, &sj->in, &sj->version, &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	ret = save_reply(r, sj, rc, &err);
out:
	json_decref(j);
	save_job_free(sj);
	return ret;
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
