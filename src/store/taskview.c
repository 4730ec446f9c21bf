/* taskview.c - what a person sees and may open: their task lists (stage ii:
 * images of assigned batches; stage iv: their refinement-queue rows), the
 * access checks, the page's task view (image and top-k proposals of the
 * active model), class lookups and the class search of the "add a label"
 * box, and the file paths behind images and exemplars (taskview.h).  Reads
 * only; owns no table. */
#include "store/taskview.h"
#include "store/engine.h"
#include "store/gold.h"
#include "store/proposals.h"
#include "store/queue.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlfy_task_list_release(struct mlfy_task_list *t)
{
	if (!t)
		return;
	MLFY_FREE_ALL(t->image_ids, t->done);
	memset(t, 0, sizeof(*t));
}

/* Stage iv: the expert's rows of the refinement queue (review.h). */
static int refine_tasks(struct mlfy_store *s, int64_t user_id, struct mlfy_task_list *out,
			struct mlfy_err *err)
{
	struct mlfy_queue_entry *q = NULL;
	size_t n = 0, i;
	int rc;

	if (user_id <= 0)   /* 0 would list every expert's rows */
		return 0;
	if ((rc = mlfy_review_queue_list(s, user_id, &q, &n, err)))
		return rc;
	if (n && (!(out->image_ids = malloc(n * sizeof(*out->image_ids))) || !(out->done = malloc(n)))) {
		mlfy_queue_entries_free(q, n);
		mlfy_task_list_release(out);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < n; i++) {
		out->image_ids[i] = q[i].image_id;
		out->done[i] = q[i].refined ? 1 : 0;
		out->n_done += out->done[i];
	}
	out->n = n;
	mlfy_queue_entries_free(q, n);
	return 0;
}

/* Merges user_id's gold tasks (store/gold.h) into their own stage-ii list
 * out: gold task (position p, seq) goes just before own image number p. */
static int merge_gold(struct mlfy_store *s, int64_t user_id, struct mlfy_task_list *out, struct mlfy_err *err)
{
	struct mlfy_gold_task *g = NULL;
	int64_t *ids;
	unsigned char *done;
	size_t n_g = 0, i, j = 0, k = 0;
	int rc;

	if ((rc = mlfy_gold_tasks_of(s, user_id, &g, &n_g, err)) || !n_g)
		return rc;
	ids = malloc((out->n + n_g) * sizeof(*ids));
	done = malloc(out->n + n_g);
	if (!ids || !done) {
		MLFY_FREE_ALL(ids, done, g);
		return mlfy_err_oom(err);
	}
	for (i = 0; i <= out->n; i++) {
		for (; j < n_g && (size_t)g[j].position <= i; j++) {
			ids[k] = g[j].image_id;
			done[k++] = (unsigned char)(g[j].done != 0);
			out->n_done += g[j].done != 0;
		}
		if (i < out->n) {
			ids[k] = out->image_ids[i];
			done[k++] = out->done[i];
		}
	}
	for (; j < n_g; j++) {   /* positions past the end: after the last own image */
		ids[k] = g[j].image_id;
		done[k++] = (unsigned char)(g[j].done != 0);
		out->n_done += g[j].done != 0;
	}
	MLFY_FREE_ALL(out->image_ids, out->done, g);
	out->image_ids = ids;
	out->done = done;
	out->n = k;
	return 0;
}

int mlfy_tasks_list(struct mlfy_store *s, int64_t user_id, enum mlfy_stage stg,
		    struct mlfy_task_list *out, struct mlfy_err *err)
{
	/* with gold tasks, own images go in a keyed-shuffled order within each
	 * batch, so that no id pattern (ascending ids of one batch) tells a
	 * gold image from the others */
	static const char sql_ann[] =
		"SELECT i.id, CAST(EXISTS (SELECT 1 FROM annotations n WHERE n.image_id = i.id"
		"   AND n.annotator_id = ?1 AND n.stage = 'annotate') AS INTEGER)"
		" FROM assignments a JOIN images i ON i.batch = a.batch"
		" WHERE a.annotator_id = ?1 ORDER BY i.batch,"
		"  CASE WHEN EXISTS (SELECT 1 FROM gold_tasks g WHERE g.annotator_id = ?1)"
		"   THEN (i.id * 2654435761 + ?1 * 40503) % 4294967291 ELSE 0 END, i.id";
	size_t cap_ids = 0, cap_done = 0;
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (stg == MLFY_STAGE_REFINE)
		return refine_tasks(s, user_id, out, err);
	STMT(st, sql_ann);
	stmt_bind_int64(st, 1, user_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (MLFY_GROW(out->image_ids, cap_ids, out->n + 1) || MLFY_GROW(out->done, cap_done, out->n + 1)) {
			stmt_reset(st);
			mlfy_task_list_release(out);
			return mlfy_err_oom(err);
		}
		out->image_ids[out->n] = stmt_int64(st, 0);
		out->done[out->n] = (unsigned char)stmt_int(st, 1);
		out->n_done += out->done[out->n];
		out->n++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_task_list_release(out);
		return store_fail(s, err, "list tasks");
	}
	if ((rc = merge_gold(s, user_id, out, err)))
		mlfy_task_list_release(out);
	return rc;
}

/* -1 error, 0 no, 1 yes */
static int exists1(struct mlfy_store *s, const char *sql, int64_t a, int64_t b, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, sql, err);
	int rc;
	if (!st)
		return -1;
	stmt_bind_int64(st, 1, a);
	stmt_bind_int64(st, 2, b);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc == STORE_ROW)
		return 1;
	if (rc == STORE_DONE)
		return 0;
	store_fail(s, err, "check access");
	return -1;
}

static const char sql_image_exists[] = "SELECT 1 FROM images WHERE id = ?1 AND ?2 = ?2";

static const char sql_may_annotate[] =
	"SELECT 1 FROM images i JOIN assignments a ON a.batch = i.batch AND a.annotator_id = ?2"
	" WHERE i.id = ?1"
	" UNION ALL SELECT 1 FROM gold_tasks g WHERE g.image_id = ?1 AND g.annotator_id = ?2";

/* -1 error, 0 no, 1 yes: image_id's refinement-queue row is user_id's. */
static int may_refine(struct mlfy_store *s, int64_t image_id, int64_t user_id, struct mlfy_err *err)
{
	struct mlfy_queue_entry q;
	int rc = mlfy_review_queue_get(s, image_id, &q, err);
	if (rc == MLFY_ENOTFOUND)
		return 0;
	if (rc)
		return -1;
	rc = q.expert_id > 0 && q.expert_id == user_id;
	mlfy_queue_entry_release(&q);
	return rc;
}

int mlfy_tasks_check(struct mlfy_store *s, int64_t user_id, enum mlfy_stage stg,
		     int64_t image_id, struct mlfy_err *err)
{
	int r = exists1(s, sql_image_exists, image_id, 0, err);
	if (r < 0)
		return err ? err->code : MLFY_ESTORE;
	if (!r)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
	r = stg == MLFY_STAGE_REFINE ? may_refine(s, image_id, user_id, err)
				     : exists1(s, sql_may_annotate, image_id, user_id, err);
	if (r < 0)
		return err ? err->code : MLFY_ESTORE;
	if (!r)
		return mlfy_err_set(err, MLFY_EPERM, "image %lld is not in your %s tasks", (long long)image_id,
				    stg == MLFY_STAGE_REFINE ? "refinement" : "annotation");
	return 0;
}

int mlfy_tasks_can_view(struct mlfy_store *s, int64_t user_id, int64_t image_id,
			struct mlfy_err *err)
{
	int rc = mlfy_tasks_check(s, user_id, MLFY_STAGE_ANNOTATE, image_id, err);
	if (rc == MLFY_EPERM)
		rc = mlfy_tasks_check(s, user_id, MLFY_STAGE_REFINE, image_id, err);
	if (rc == MLFY_EPERM)
		rc = mlfy_err_set(err, MLFY_EPERM, "image %lld is not in your tasks", (long long)image_id);
	return rc;
}

void mlfy_task_view_release(struct mlfy_task_view *v)
{
	if (!v)
		return;
	MLFY_FREE_ALL(v->name, v->proposals);
	memset(v, 0, sizeof(*v));
}

int mlfy_task_view_get(struct mlfy_store *s, int64_t image_id, size_t k,
		       struct mlfy_task_view *out, struct mlfy_err *err)
{
	static const char sql_img[] =
		"SELECT name, width, height, batch, original_label, sha256 FROM images WHERE id = ?1";
	static const char sql_prop[] =
		"SELECT rank, class_idx, score FROM proposals WHERE image_id = ?1 AND model_id = ?2"
		" ORDER BY rank LIMIT ?3";
	struct store_stmt *st;
	int64_t model;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql_img);
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
		return store_fail(s, err, "read image");
	}
	out->image_id = image_id;
	out->name = stmt_dup(st, 0);
	out->width = stmt_int(st, 1);
	out->height = stmt_int(st, 2);
	out->batch = stmt_int(st, 3);
	out->original_label = stmt_is_null(st, 4) ? -1 : stmt_int(st, 4);
	snprintf(out->sha256, sizeof(out->sha256), "%s", stmt_text(st, 5));
	stmt_reset(st);
	if (!out->name)
		return mlfy_err_oom(err);
	if ((rc = mlfy_models_active_id(s, &model, err)))
		goto fail;
	if (!model || !k)  /* NOLINT(clang-analyzer-core.uninitialized.Branch): STMT returns err->code, never 0, on failure */
		return 0;
	if (!(out->proposals = calloc(k > 1000 ? 1000 : k, sizeof(*out->proposals)))) {
		rc = mlfy_err_oom(err);
		goto fail;
	}
	if (!(st = store_stmt(s, sql_prop, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto fail;
	}
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, model);
	stmt_bind_int64(st, 3, (int64_t)(k > 1000 ? 1000 : k));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_view_proposal *p = &out->proposals[out->n_proposals++];
		p->rank = stmt_int(st, 0);
		p->class_idx = stmt_int(st, 1);
		p->score = stmt_double(st, 2);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read proposals");
		goto fail;
	}
	return 0;
fail:
	mlfy_task_view_release(out);
	return rc;
}

static void view_class_release(void *elem)
{
	struct mlfy_view_class *c = elem;
	MLFY_FREE_ALL(c->ext_id, c->name, c->synonyms, c->gloss);
}

void mlfy_view_classes_free(struct mlfy_view_class *c, size_t n)
{
	mlfy_array_free(c, n, sizeof(*c), view_class_release);
}

#define CLASS_COLS "c.idx, c.ext_id, c.name, c.synonyms, c.gloss," \
	" (SELECT COUNT(*) FROM exemplars e WHERE e.class_idx = c.idx)"

static int class_from_row(struct store_stmt *st, struct mlfy_view_class *c, struct mlfy_err *err)
{
	c->idx = stmt_int(st, 0);
	c->ext_id = stmt_dup(st, 1);
	c->name = stmt_dup(st, 2);
	c->synonyms = stmt_dup(st, 3);
	c->gloss = stmt_dup(st, 4);
	c->n_exemplars = stmt_int(st, 5);
	if (!c->ext_id || !c->name || !c->synonyms || !c->gloss)
		return mlfy_err_oom(err);
	return 0;
}

int mlfy_view_classes(struct mlfy_store *s, const int *idx, size_t n,
		      struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err)
{
	static const char sql[] = "SELECT " CLASS_COLS " FROM classes c WHERE c.idx = ?1";
	struct mlfy_view_class *v;
	int *sorted;
	size_t i, len = 0;
	struct store_stmt *st;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (!n)
		return 0;
	sorted = malloc(n * sizeof(int));
	v = calloc(n, sizeof(*v));
	if (!sorted || !v) {
		MLFY_FREE_ALL(sorted, v);
		return mlfy_err_oom(err);
	}
	memcpy(sorted, idx, n * sizeof(int));
	qsort(sorted, n, sizeof(int), mlfy_cmp_int);
	for (i = 0; i < n; i++) {
		if (i && sorted[i] == sorted[i - 1])
			continue;
		if (!(st = store_stmt(s, sql, err))) {
			rc = err ? err->code : MLFY_ESTORE;
			break;
		}
		stmt_bind_int(st, 1, sorted[i]);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			rc = class_from_row(st, &v[len++], err);
		} else if (rc == STORE_DONE) {
			rc = 0;
		} else {
			stmt_reset(st);
			rc = store_fail(s, err, "read class");
			break;
		}
		stmt_reset(st);
		if (rc)
			break;
	}
	free(sorted);
	if (rc) {
		mlfy_view_classes_free(v, len);
		return rc;
	}
	*out = v;
	*n_out = len;
	return 0;
}

/* Appends q to *w with LIKE's wildcards escaped; with words != 0, commas
 * and hyphens become spaces (as in the searched word lists). */
static void like_escape(char **w, const char *q, int words)
{
	char *p = *w;
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*p++ = '\\';
		*p++ = words && (*q == ',' || *q == '-') ? ' ' : *q;
	}
	*w = p;
}

int mlfy_view_search_classes(struct mlfy_store *s, const char *q, size_t limit,
			     struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err)
{
	/* ranks: the index, an exact name or synonym, whole words, a name
	 * prefix, a word prefix, a substring (annotations.h).  SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does the same
	 * under the columns' collation "C" (store/pg_schema.c) */
#define WORDS "(' ' || replace(replace(c.name || ' ' || c.synonyms, ',', ' '), '-', ' ') || ' ')"
#define SEARCH_SQL(LIKE)									\
	"SELECT " CLASS_COLS " FROM classes c"							\
	" WHERE c.name " LIKE " ?1 ESCAPE '\\' OR c.synonyms " LIKE " ?1 ESCAPE '\\'"		\
	"    OR c.ext_id " LIKE " ?1 ESCAPE '\\' OR c.idx = ?3"					\
	" ORDER BY CASE WHEN c.idx = ?3 THEN 0"							\
	"   WHEN c.name " LIKE " ?5 ESCAPE '\\' OR (', ' || c.synonyms || ',') " LIKE " ?6 ESCAPE '\\' THEN 1" \
	"   WHEN " WORDS " " LIKE " ?7 ESCAPE '\\' THEN 2"						\
	"   WHEN c.name " LIKE " ?2 ESCAPE '\\' THEN 3"						\
	"   WHEN " WORDS " " LIKE " ?8 ESCAPE '\\' THEN 4"						\
	"   ELSE 5 END, length(c.name), c.idx LIMIT ?4"
	static const char sql_lite[] = SEARCH_SQL("LIKE");
	static const char sql_pg[] = SEARCH_SQL("ILIKE");
#undef SEARCH_SQL
#undef WORDS
	/* the patterns ?1 %q%, ?2 q%, ?5 q, ?6 %, q,%, ?7 % q %, ?8 % q% (q escaped: at most 2 bytes per byte) */
	static const char *const pre[6] = { "%", "", "", "%, ", "% ", "% " };
	static const char *const post[6] = { "%", "%", "", ",%", " %", "%" };
	static const int param[6] = { 1, 2, 5, 6, 7, 8 };
	struct mlfy_view_class *v;
	char *pat[6] = { NULL }, *end;
	size_t i, len = 0, qn;
	struct store_stmt *st;
	long num;
	int rc, bad = 0;

	*out = NULL;
	*n_out = 0;
	qn = strlen(q);
	if (!qn || !limit)
		return 0;
	if (qn > 200)
		return mlfy_err_set(err, MLFY_EINVAL, "q: longer than 200 bytes");
	if (limit > 200)
		limit = 200;
	for (i = 0; i < 6; i++) {
		size_t np = strlen(pre[i]), nq = strlen(post[i]);
		char *w;
		if (!(pat[i] = malloc(2 * qn + np + nq + 1))) {
			bad = 1;
			break;
		}
		w = pat[i];
		memcpy(w, pre[i], np);
		w += np;
		like_escape(&w, q, param[i] >= 7);
		memcpy(w, post[i], nq + 1);
	}
	v = bad ? NULL : calloc(limit, sizeof(*v));
	if (!v) {
		for (i = 0; i < 6; i++)
			free(pat[i]);
		return mlfy_err_oom(err);
	}
	num = strtol(q, &end, 10);
	if (*end || end == q || num < 0 || num > 1000000000L)
		num = -1;
	if (!(st = store_stmt(s, STORE_SQL(s, sql_lite, sql_pg), err))) {
		for (i = 0; i < 6; i++)
			free(pat[i]);
		free(v);
		return err ? err->code : MLFY_ESTORE;
	}
	for (i = 0; i < 6; i++) {
		stmt_bind_text(st, param[i], pat[i]);
		free(pat[i]);
	}
	stmt_bind_int64(st, 3, num);
	stmt_bind_int64(st, 4, (int64_t)limit);
	rc = 0;
	while (len < limit && (rc = stmt_step(st)) == STORE_ROW) {
		if ((rc = class_from_row(st, &v[len++], err)))
			break;
	}
	stmt_reset(st);
	if (rc == MLFY_ENOMEM) {
		mlfy_view_classes_free(v, len);
		return rc;
	}
	if (rc != STORE_DONE && rc != STORE_ROW && rc != 0) {
		mlfy_view_classes_free(v, len);
		return store_fail(s, err, "search classes");
	}
	*out = v;
	*n_out = len;
	return 0;
}

static int file_row(struct mlfy_store *s, struct store_stmt *st, const char *what, char **path,
		    char sha256[65], struct mlfy_err *err)
{
	int rc = stmt_step(st);
	*path = NULL;
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "no %s", what);
		return store_fail(s, err, "read file row");
	}
	*path = stmt_dup(st, 0);
	snprintf(sha256, 65, "%s", stmt_text(st, 1));
	stmt_reset(st);
	return *path ? 0 : mlfy_err_oom(err);
}

int mlfy_view_image_file(struct mlfy_store *s, int64_t image_id, char **path,
			 char sha256[65], struct mlfy_err *err)
{
	static const char sql[] = "SELECT path, sha256 FROM images WHERE id = ?1";
	struct store_stmt *st;
	char what[64];
	*path = NULL;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	snprintf(what, sizeof(what), "image with id %lld", (long long)image_id);
	return file_row(s, st, what, path, sha256, err);
}

/* An exemplar e whose content is an image of the tasks of person ?U (0 =
 * nobody): an image of an assigned batch, or a refinement-queue row of
 * theirs, or a gold task of theirs.  images_sha256 makes it an index
 * lookup. */
#define OWN_TASK_IMAGE(U)                                                                               \
	"EXISTS (SELECT 1 FROM images i WHERE i.sha256 = e.sha256 AND ("                                 \
	"EXISTS (SELECT 1 FROM assignments a WHERE a.batch = i.batch AND a.annotator_id = " U ")"        \
	" OR EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = i.id AND g.annotator_id = " U ")"       \
	" OR EXISTS (SELECT 1 FROM refinement_queue q WHERE q.image_id = i.id AND q.expert_id = " U ")))"

int mlfy_view_exemplar_file(struct mlfy_store *s, int class_idx, int rank, int64_t user_id, char **path,
			    char sha256[65], struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT e.path, e.sha256 FROM exemplars e WHERE e.class_idx = ?1 AND e.rank = ?2"
		" AND NOT (?3 > 0 AND " OWN_TASK_IMAGE("?3") ")";
	struct store_stmt *st;
	char what[64];
	*path = NULL;
	STMT(st, sql);
	stmt_bind_int(st, 1, class_idx);
	stmt_bind_int(st, 2, rank);
	stmt_bind_int64(st, 3, user_id);
	snprintf(what, sizeof(what), "exemplar %d of class %d", rank, class_idx);
	return file_row(s, st, what, path, sha256, err);
}

static int exemplar_rank_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_exemplar_rank *e = elem;
	(void)ctx;
	(void)err;
	e->class_idx = stmt_int(st, 0);
	e->rank = stmt_int(st, 1);
	return 0;
}

int mlfy_view_exemplar_ranks_of(struct mlfy_store *s, const int *classes, size_t n_classes, int64_t image_id,
				int64_t user_id, struct mlfy_exemplar_rank **out, size_t *n, struct mlfy_err *err)
{
	/* the classes as one JSON array parameter ("[3,17,42]"): one cached
	 * statement whatever their number; the image's own sha256 is read once
	 * (an uncorrelated subquery), not once per exemplar */
#define EXEMPLAR_RANKS(CLASSES)                                                                         \
	"SELECT e.class_idx, e.rank FROM exemplars e WHERE e.class_idx IN (" CLASSES ")"                   \
	" AND COALESCE(e.sha256 <> (SELECT m.sha256 FROM images m WHERE m.id = ?2), TRUE)"                 \
	" AND NOT (?3 > 0 AND " OWN_TASK_IMAGE("?3") ") ORDER BY e.class_idx, e.rank"
	static const char lite[] = EXEMPLAR_RANKS("SELECT value FROM json_each(?1)");
	static const char pg[] = EXEMPLAR_RANKS("SELECT CAST(value AS integer) FROM json_array_elements_text(CAST(?1 AS json))");
#undef EXEMPLAR_RANKS
	struct store_stmt *st;
	char *list, *p;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!n_classes)
		return 0;
	if (!(p = list = malloc(n_classes * 13 + 3)))
		return mlfy_err_oom(err);
	*p++ = '[';
	for (i = 0; i < n_classes; i++)
		p += sprintf(p, i ? ",%d" : "%d", classes[i]);
	*p++ = ']';
	*p = '\0';
	if (!(st = store_stmt(s, STORE_SQL(s, lite, pg), err))) {
		free(list);
		return err ? err->code : MLFY_ESTORE;
	}
	stmt_bind_text(st, 1, list);
	stmt_bind_int64(st, 2, image_id);
	stmt_bind_int64(st, 3, user_id);
	rc = STORE_LIST(s, st, *out, n, exemplar_rank_row, NULL, NULL, "list exemplars", err);
	free(list);
	return rc;
}

int mlfy_view_exemplar_ranks(struct mlfy_store *s, int class_idx, int64_t image_id, int64_t user_id,
			     int32_t **ranks, size_t *n, struct mlfy_err *err)
{
	struct mlfy_exemplar_rank *er;
	size_t i;
	int rc;

	*ranks = NULL;
	*n = 0;
	if ((rc = mlfy_view_exemplar_ranks_of(s, &class_idx, 1, image_id, user_id, &er, n, err)))
		return rc;
	if (*n && !(*ranks = malloc(*n * sizeof(**ranks)))) {
		free(er);
		*n = 0;
		return mlfy_err_oom(err);
	}
	for (i = 0; i < *n; i++)
		(*ranks)[i] = er[i].rank;
	free(er);
	return 0;
}
