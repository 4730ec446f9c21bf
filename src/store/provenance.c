/* provenance.c - the export cursor (every image with its final decision, in
 * name order, as one read snapshot) and provenance: each image's current
 * annotations with their history counts, refinement-queue row and latest
 * zero-label review, per image or as a merged cursor (provenance.h).
 * Reads only. */
#include "store/provenance.h"
#include "store/engine.h"
#include "store/flags.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mlfy_export_cursor {
	struct mlfy_store *s;
	struct store_stmt *st;     /* owned: not from the statement cache */
	struct mlfy_ivec labels;
	int began;            /* 1 when the cursor opened the read transaction */
};

/* Every image with its decision.  GC_LABELS, GC_FLAGS: the final labels and
 * the flags of the current answers ("kind:code") joined by spaces, in each
 * engine's dialect (SQLite's group_concat, PostgreSQL's string_agg; the
 * order does not matter: both are sorted or counted below).  Gold-task
 * answers are not the image's own; the flags are skipped at once in a
 * project without flags (the EXISTS is not correlated: run once). */
#define SQL_EXPORT_(GC_LABELS, GC_FLAGS) \
	"SELECT i.id, i.name, i.path, COALESCE(i.original_label, -1), i.batch, f.stage," \
	" COALESCE(f.annotation_id, 0), COALESCE(f.decided_at, '')," \
	" (SELECT " GC_LABELS " FROM final_labels l WHERE l.image_id = i.id)," \
	" COALESCE((SELECT a.comment FROM annotations a WHERE a.id = f.annotation_id), '')," \
	" CASE WHEN EXISTS (SELECT 1 FROM annotation_flags) THEN" \
	"  (SELECT " GC_FLAGS " FROM annotations c" \
	"   JOIN annotation_flags g ON g.annotation_id = c.id WHERE c.image_id = i.id" \
	"   AND c.version = (SELECT MAX(b.version) FROM annotations b WHERE b.image_id = c.image_id" \
	"     AND b.annotator_id = c.annotator_id AND b.stage = c.stage)" \
	"   AND NOT EXISTS (SELECT 1 FROM gold_tasks t WHERE t.image_id = c.image_id AND t.annotator_id = c.annotator_id))" \
	" END," \
	" r.arm, COALESCE(r.planted_class, -1)" \
	" FROM images i LEFT JOIN final_status f ON f.image_id = i.id" \
	" LEFT JOIN refinement_arms r ON r.image_id = i.id ORDER BY i.name"
static const char SQL_EXPORT[] =
	SQL_EXPORT_("group_concat(l.class_idx, ' ')", "group_concat(g.kind || ':' || g.code, ' ')");
static const char SQL_EXPORT_PG[] =
	SQL_EXPORT_("string_agg(CAST(l.class_idx AS TEXT), ' ')", "string_agg(g.kind || ':' || g.code, ' ')");

int mlfy_export_open(struct mlfy_store *s, struct mlfy_export_cursor **out,
		     struct mlfy_err *err)
{
	struct mlfy_export_cursor *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return mlfy_err_oom(err);
	c->s = s;
	if (store_read_begin(s, &c->began, err)) {
		int rc = err->code;
		free(c);
		return rc;
	}
	if (!(c->st = store_stmt_open(s, STORE_SQL(s, SQL_EXPORT, SQL_EXPORT_PG), err))) {
		int rc = err ? err->code : MLFY_ESTORE;
		store_read_end(s, c->began);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int mlfy_export_next(struct mlfy_export_cursor *c, struct mlfy_export_row *row,
		     struct mlfy_err *err)
{
	const char *p;
	int rc = stmt_step(c->st);

	if (rc == STORE_DONE)
		return 0;
	if (rc != STORE_ROW)
		return store_fail(c->s, err, "read export rows");
	memset(row, 0, sizeof(*row));
	row->image_id = stmt_int64(c->st, 0);
	row->name = stmt_text(c->st, 1);
	row->path = stmt_text(c->st, 2);
	row->original_label = stmt_int(c->st, 3);
	row->batch = stmt_int(c->st, 4);
	row->stage = stmt_text(c->st, 5);
	row->annotation_id = stmt_int64(c->st, 6);
	row->decided_at = stmt_text(c->st, 7);
	row->comment = stmt_text(c->st, 9);
	row->arm = stmt_text(c->st, 11);
	row->planted = stmt_int(c->st, 12);
	for (p = stmt_text(c->st, 10); p && *p;) {
		char code[80];
		int n, k;
		if (sscanf(p, "%79s%n", code, &n) != 1)
			break;
		if (!strncmp(code, "unsure:", 7))
			row->n_unsure++;
		else if (!strncmp(code, "tag:", 4) && (k = mlfy_tag_index(code + 4)) >= 0)
			row->tags |= 1u << k;
		p += n;
	}
	c->labels.n = 0;
	p = stmt_text(c->st, 8);
	while (p && *p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (mlfy_ivec_push(&c->labels, (int32_t)v))
			return mlfy_err_oom(err);
		p = end;
	}
	if (c->labels.n > 1)
		qsort(c->labels.v, c->labels.n, sizeof(int32_t), mlfy_cmp_i32);
	row->labels = c->labels.v;
	row->n_labels = c->labels.n;
	return 1;
}

void mlfy_export_close(struct mlfy_export_cursor *c)
{
	if (!c)
		return;
	store_stmt_close(c->st);
	store_read_end(c->s, c->began);
	MLFY_FREE_ALL(c->labels.v, c);
}

static void prov_annotation_release(struct mlfy_prov_annotation *a)
{
	size_t i;
	MLFY_FREE_ALL(a->annotator, a->role, a->stage, a->labels);
	for (i = 0; a->sources && i < a->n_labels; i++)
		free(a->sources[i]);
	MLFY_FREE_ALL(a->sources, a->comment);
}

void mlfy_provenance_release(struct mlfy_provenance *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->n_ann; i++)
		prov_annotation_release(&p->ann[i]);
	MLFY_FREE_ALL(p->ann, p->queue_rule, p->queue_reason, p->queue_expert);
	mlfy_zero_review_release(&p->zero);
	memset(p, 0, sizeof(*p));
}

/* The unsure reason, tags and gold-task mark of a row, from columns col
 * (unsure code or NULL), col + 1 (tag codes separated by spaces, or NULL)
 * and col + 2. */
static void prov_flags(struct mlfy_prov_annotation *a, struct store_stmt *st, int col)
{
	const char *u = stmt_text(st, col), *t = stmt_text(st, col + 1);
	char code[64];
	int n, k;

	a->unsure = u ? mlfy_unsure_index(u) + 1 : 0;
	a->tags = 0;
	while (t && sscanf(t, "%63s%n", code, &n) == 1) {
		if ((k = mlfy_tag_index(code)) >= 0)
			a->tags |= 1u << k;
		t += n;
	}
	a->gold_task = stmt_int(st, col + 2);
}

/* the tag codes of annotation a.id joined by spaces (their order does not
 * matter: prov_flags makes a bit set of them) */
#define GC_TAGS_LITE "group_concat(f.code, ' ')"
#define GC_TAGS_PG "string_agg(f.code, ' ')"

#define SQL_PROV_ANN_(GC_TAGS) \
	"SELECT a.id, n.name, n.role, a.stage, a.version, a.comment, a.seconds, a.created_at," \
	" (SELECT COUNT(*) FROM annotations b WHERE b.image_id = a.image_id" \
	"   AND b.annotator_id = a.annotator_id AND b.stage = a.stage)," \
	" (SELECT f.code FROM annotation_flags f WHERE f.annotation_id = a.id AND f.kind = 'unsure')," \
	" (SELECT " GC_TAGS " FROM annotation_flags f WHERE f.annotation_id = a.id AND f.kind = 'tag')," \
	" CAST(EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = a.image_id AND g.annotator_id = a.annotator_id) AS INTEGER)" \
	" FROM annotations a JOIN annotators n ON n.id = a.annotator_id" \
	" WHERE a.image_id = ?1 AND a.version = (SELECT MAX(b.version) FROM annotations b" \
	"   WHERE b.image_id = a.image_id AND b.annotator_id = a.annotator_id AND b.stage = a.stage)" \
	" ORDER BY a.stage, n.name"
static const char SQL_PROV_ANN[] = SQL_PROV_ANN_(GC_TAGS_LITE);
static const char SQL_PROV_ANN_PG[] = SQL_PROV_ANN_(GC_TAGS_PG);

static const char SQL_PROV_LABELS[] =
	"SELECT class_idx, source FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";

static const char SQL_PROV_QUEUE[] =
	"SELECT q.rule, q.reason, a.name FROM refinement_queue q"
	" LEFT JOIN annotators a ON a.id = q.expert_id WHERE q.image_id = ?1";

/* Appends label cls with its source (copied) to a; lcap/scap are the
 * capacities of a->labels / a->sources.  0 or MLFY_ENOMEM. */
static int prov_add_label(struct mlfy_prov_annotation *a, size_t *lcap, size_t *scap, int32_t cls,
			  const char *src)
{
	if (MLFY_GROW(a->labels, *lcap, a->n_labels + 1) || MLFY_GROW(a->sources, *scap, a->n_labels + 1))
		return MLFY_ENOMEM;
	if (!(a->sources[a->n_labels] = strdup(src ? src : "")))
		return MLFY_ENOMEM;
	a->labels[a->n_labels++] = cls;
	return 0;
}

static int prov_labels(struct mlfy_store *s, int64_t annotation_id, struct mlfy_prov_annotation *a,
		       struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_PROV_LABELS, err);
	size_t lcap = 0, scap = 0;
	int rc;

	if (!st)
		return err->code;
	stmt_bind_int64(st, 1, annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW)
		if (prov_add_label(a, &lcap, &scap, stmt_int(st, 0), stmt_text(st, 1)))
			goto nomem;
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read annotation labels");
	return 0;
nomem:
	stmt_reset(st);
	return mlfy_err_oom(err);
}

int mlfy_review_provenance(struct mlfy_store *s, int64_t image_id, struct mlfy_provenance *out,
			   struct mlfy_err *err)
{
	struct store_stmt *st;
	int64_t *ann_ids = NULL;
	size_t cap = 0, cap_ids = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(st = store_stmt(s, STORE_SQL(s, SQL_PROV_ANN, SQL_PROV_ANN_PG), err)))
		return err->code;
	stmt_bind_int64(st, 1, image_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_prov_annotation *a;
		if (MLFY_GROW(out->ann, cap, out->n_ann + 1) || MLFY_GROW(ann_ids, cap_ids, out->n_ann + 1))
			goto nomem;
		a = &out->ann[out->n_ann];
		memset(a, 0, sizeof(*a));
		out->n_ann++;
		ann_ids[out->n_ann - 1] = stmt_int64(st, 0);  /* NOLINT(clang-analyzer-core.NullDereference): ann_ids grows with out->n_ann */
		a->version = stmt_int64(st, 4);
		a->seconds = stmt_double(st, 6);
		a->n_versions = stmt_int64(st, 8);
		prov_flags(a, st, 9);
		snprintf(a->created_at, sizeof(a->created_at), "%s", stmt_text(st, 7));
		if (!(a->annotator = stmt_dup(st, 1)) || !(a->role = stmt_dup(st, 2)) ||
		    !(a->stage = stmt_dup(st, 3)) || !(a->comment = stmt_dup(st, 5)))
			goto nomem;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read annotations");
		goto fail;
	}
	for (i = 0; i < out->n_ann; i++)
		if ((rc = prov_labels(s, ann_ids[i], &out->ann[i], err)))  /* NOLINT(clang-analyzer-core.NullDereference): ann_ids grows with out->n_ann */
			goto fail;
	if (!(st = store_stmt(s, SQL_PROV_QUEUE, err))) {
		rc = err->code;
		goto fail;
	}
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		out->queue_rule = stmt_dup(st, 0);
		out->queue_reason = stmt_dup(st, 1);
		if (!stmt_is_null(st, 2))
			out->queue_expert = stmt_dup(st, 2);
		if (!out->queue_rule || !out->queue_reason ||
		    (!stmt_is_null(st, 2) && !out->queue_expert)) {
			stmt_reset(st);
			rc = mlfy_err_oom(err);
			goto fail;
		}
	} else if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read refinement queue");
		stmt_reset(st);
		goto fail;
	}
	stmt_reset(st);
	rc = mlfy_review_zero_get(s, image_id, &out->zero, err);
	if (rc == MLFY_ENOTFOUND) {
		rc = 0;
		mlfy_err_clear(err);
	}
	if (rc)
		goto fail;
	free(ann_ids);
	return 0;
nomem:
	stmt_reset(st);
	rc = mlfy_err_oom(err);
fail:
	free(ann_ids);
	mlfy_provenance_release(out);
	return rc;
}

/* Each statement walks images by name (CROSS JOIN keeps images the outer
 * loop, so the ORDER BY is served by the UNIQUE index on images.name and no
 * sort of the whole table is needed) and yields the image id first. */
/* Every version of every annotation of each image with its labels: which
 * version is current and how many there are is worked out per image in C
 * (correlated MAX/COUNT subqueries and an ORDER BY beyond the image cost 3x
 * the walk), and so is the order (stage, annotator name; labels ascending). */
/* PostgreSQL has no CROSS JOIN ... ON (a plain JOIN there; its planner is
 * free to pick the order), and the rows of one annotation must stay
 * together (mlfy_provenance_cursor_get): ORDER BY i.name, a.id */
#define SQL_PCUR_ANN_(GC_TAGS, CROSS, ORDER) \
	"SELECT i.id, i.name, a.id, n.name, n.role, a.stage, a.version, a.comment, a.seconds, a.created_at," \
	" a.annotator_id, l.class_idx, l.source," \
	" (SELECT f.code FROM annotation_flags f WHERE f.annotation_id = a.id AND f.kind = 'unsure')," \
	" (SELECT " GC_TAGS " FROM annotation_flags f WHERE f.annotation_id = a.id AND f.kind = 'tag')," \
	" CAST(EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = a.image_id AND g.annotator_id = a.annotator_id) AS INTEGER)" \
	" FROM images i " CROSS " annotations a ON a.image_id = i.id" \
	" JOIN annotators n ON n.id = a.annotator_id" \
	" LEFT JOIN annotation_labels l ON l.annotation_id = a.id" \
	" ORDER BY " ORDER
static const char SQL_PCUR_ANN[] = SQL_PCUR_ANN_(GC_TAGS_LITE, "CROSS JOIN", "i.name");
static const char SQL_PCUR_ANN_PG[] = SQL_PCUR_ANN_(GC_TAGS_PG, "JOIN", "i.name, a.id");

#define SQL_PCUR_QUEUE_(CROSS) \
	"SELECT i.id, i.name, q.rule, q.reason, e.name FROM images i " CROSS " refinement_queue q ON q.image_id = i.id" \
	" LEFT JOIN annotators e ON e.id = q.expert_id ORDER BY i.name"
static const char SQL_PCUR_QUEUE[] = SQL_PCUR_QUEUE_("CROSS JOIN");
static const char SQL_PCUR_QUEUE_PG[] = SQL_PCUR_QUEUE_("JOIN");

#define SQL_PCUR_ZERO_(CROSS) \
	"SELECT i.id, i.name, z.id, a.name, z.category, z.verdict, z.comment, z.created_at" \
	" FROM images i " CROSS " zero_label_reviews z ON z.image_id = i.id" \
	" JOIN annotators a ON a.id = z.expert_id" \
	" WHERE z.id = (SELECT MAX(y.id) FROM zero_label_reviews y WHERE y.image_id = i.id)" \
	" ORDER BY i.name"
static const char SQL_PCUR_ZERO[] = SQL_PCUR_ZERO_("CROSS JOIN");
static const char SQL_PCUR_ZERO_PG[] = SQL_PCUR_ZERO_("JOIN");

enum { PCUR_ANN, PCUR_QUEUE, PCUR_ZERO, PCUR_N };

struct mlfy_provenance_cursor {
	struct mlfy_store *s;
	struct store_stmt *st[PCUR_N];   /* owned */
	int live[PCUR_N];           /* 1 while st[k] sits on an unconsumed row */
	int began;
	int64_t *who;               /* annotator id of each row of the image being read */
	size_t who_cap;
};

/* Steps cursor k; 0 with live[k] set to whether a row came, or an error. */
static int pcur_step(struct mlfy_provenance_cursor *c, int k, struct mlfy_err *err)
{
	int rc = stmt_step(c->st[k]);
	c->live[k] = rc == STORE_ROW;
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_fail(c->s, err, "read provenance");
	return 0;
}

void mlfy_provenance_cursor_close(struct mlfy_provenance_cursor *c)
{
	int k;
	if (!c)
		return;
	for (k = 0; k < PCUR_N; k++)
		store_stmt_close(c->st[k]);
	store_read_end(c->s, c->began);
	MLFY_FREE_ALL(c->who, c);
}

int mlfy_provenance_cursor_open(struct mlfy_store *s, struct mlfy_provenance_cursor **out,
				struct mlfy_err *err)
{
	static const char *const sql_lite[PCUR_N] = { SQL_PCUR_ANN, SQL_PCUR_QUEUE, SQL_PCUR_ZERO };
	static const char *const sql_pg[PCUR_N] = { SQL_PCUR_ANN_PG, SQL_PCUR_QUEUE_PG, SQL_PCUR_ZERO_PG };
	const char *const *sql = STORE_SQL(s, sql_lite, sql_pg);
	struct mlfy_provenance_cursor *c = calloc(1, sizeof(*c));
	int k, rc;

	*out = NULL;
	if (!c)
		return mlfy_err_oom(err);
	c->s = s;
	if (store_read_begin(s, &c->began, err)) {
		rc = err->code;
		free(c);
		return rc;
	}
	for (k = 0; k < PCUR_N; k++) {
		if (!(c->st[k] = store_stmt_open(s, sql[k], err))) {
			rc = err ? err->code : MLFY_ESTORE;
			mlfy_provenance_cursor_close(c);
			return rc;
		}
	}
	for (k = 0; k < PCUR_N; k++) {
		if ((rc = pcur_step(c, k, err))) {
			mlfy_provenance_cursor_close(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

/* Moves cursor k past rows of images that sort before name (images the
 * caller skipped; SQLite's BINARY collation is memcmp order, as strcmp's);
 * 1 when it then sits on a row of image_id, 0 when not, or an error. */
static int pcur_seek(struct mlfy_provenance_cursor *c, int k, int64_t image_id, const char *name,
		     struct mlfy_err *err)
{
	int rc;
	while (c->live[k] && stmt_int64(c->st[k], 0) != image_id &&
	       strcmp(stmt_text(c->st[k], 1), name) < 0)
		if ((rc = pcur_step(c, k, err)))
			return rc;
	return c->live[k] && stmt_int64(c->st[k], 0) == image_id;
}

/* Orders an annotation's labels ascending, each with its source (a
 * handful: insertion sort). */
static void prov_sort_labels(struct mlfy_prov_annotation *a)
{
	size_t i, j;
	for (i = 1; i < a->n_labels; i++) {
		int32_t l = a->labels[i];
		char *src = a->sources[i];
		for (j = i; j > 0 && a->labels[j - 1] > l; j--) {
			a->labels[j] = a->labels[j - 1];
			a->sources[j] = a->sources[j - 1];
		}
		a->labels[j] = l;
		a->sources[j] = src;
	}
}

static int cmp_prov_annotation(const void *x, const void *y)
{
	const struct mlfy_prov_annotation *a = x, *b = y;
	int r = strcmp(a->stage, b->stage);
	return r ? r : strcmp(a->annotator, b->annotator);
}

/* Of every version in p->ann (annotator ids in who[]), keeps the current one
 * of each (annotator, stage) with the number of versions, in the order of
 * mlfy_review_provenance (stage, then annotator name). */
static void prov_keep_current(struct mlfy_provenance *p, const int64_t *who)
{
	size_t i, j, k = 0;
	for (i = 0; i < p->n_ann; i++) {
		struct mlfy_prov_annotation *a = &p->ann[i];
		int current = 1;
		a->n_versions = 0;
		for (j = 0; j < p->n_ann; j++) {
			const struct mlfy_prov_annotation *b = &p->ann[j];
			if (who[j] != who[i] || strcmp(b->stage, a->stage))
				continue;
			a->n_versions++;
			if (b->version > a->version)
				current = 0;
		}
		if (!current)
			a->n_versions = -1;   /* marked: dropped below */
	}
	for (i = 0, k = 0; i < p->n_ann; i++) {
		if (p->ann[i].n_versions < 0) {
			prov_annotation_release(&p->ann[i]);
			continue;
		}
		prov_sort_labels(&p->ann[i]);
		p->ann[k++] = p->ann[i];
	}
	p->n_ann = k;
	if (k > 1)
		qsort(p->ann, k, sizeof(*p->ann), cmp_prov_annotation);
}

int mlfy_provenance_cursor_get(struct mlfy_provenance_cursor *c, int64_t image_id, const char *name,
			       struct mlfy_provenance *out, struct mlfy_err *err)
{
	struct store_stmt *st;
	size_t cap = 0, lcap = 0, scap = 0;
	int64_t ann_id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	st = c->st[PCUR_ANN];
	while ((rc = pcur_seek(c, PCUR_ANN, image_id, name, err)) == 1) {
		struct mlfy_prov_annotation *a;
		if (stmt_int64(st, 2) != ann_id || !out->n_ann) {
			if (MLFY_GROW(out->ann, cap, out->n_ann + 1) || MLFY_GROW(c->who, c->who_cap, out->n_ann + 1))
				goto nomem;
			a = &out->ann[out->n_ann++];
			memset(a, 0, sizeof(*a));
			lcap = scap = 0;
			ann_id = stmt_int64(st, 2);
			c->who[out->n_ann - 1] = stmt_int64(st, 10);
			a->version = stmt_int64(st, 6);
			a->seconds = stmt_double(st, 8);
			prov_flags(a, st, 13);
			snprintf(a->created_at, sizeof(a->created_at), "%s", stmt_text(st, 9));
			if (!(a->annotator = stmt_dup(st, 3)) || !(a->role = stmt_dup(st, 4)) ||
			    !(a->stage = stmt_dup(st, 5)) || !(a->comment = stmt_dup(st, 7)))
				goto nomem;
		}
		a = &out->ann[out->n_ann - 1];
		if (!stmt_is_null(st, 11) && prov_add_label(a, &lcap, &scap, stmt_int(st, 11), stmt_text(st, 12)))
			goto nomem;
		if ((rc = pcur_step(c, PCUR_ANN, err)))
			goto fail;
	}
	if (rc < 0)
		goto fail;
	prov_keep_current(out, c->who);
	st = c->st[PCUR_QUEUE];
	if ((rc = pcur_seek(c, PCUR_QUEUE, image_id, name, err)) < 0)
		goto fail;
	if (rc == 1) {
		out->queue_rule = stmt_dup(st, 2);
		out->queue_reason = stmt_dup(st, 3);
		if (!stmt_is_null(st, 4) && !(out->queue_expert = stmt_dup(st, 4)))
			goto nomem;
		if (!out->queue_rule || !out->queue_reason)
			goto nomem;
		if ((rc = pcur_step(c, PCUR_QUEUE, err)))
			goto fail;
	}
	st = c->st[PCUR_ZERO];
	if ((rc = pcur_seek(c, PCUR_ZERO, image_id, name, err)) < 0)
		goto fail;
	if (rc == 1) {
		struct mlfy_zero_review *z = &out->zero;
		z->id = stmt_int64(st, 2);
		z->image_id = image_id;
		snprintf(z->created_at, sizeof(z->created_at), "%s", stmt_text(st, 7));
		if (!(z->expert = stmt_dup(st, 3)) || !(z->category = stmt_dup(st, 4)) ||
		    !(z->verdict = stmt_dup(st, 5)) || !(z->comment = stmt_dup(st, 6)))
			goto nomem;
		if ((rc = pcur_step(c, PCUR_ZERO, err)))
			goto fail;
	}
	return 0;
nomem:
	rc = mlfy_err_oom(err);
fail:
	mlfy_provenance_release(out);
	return rc;
}
