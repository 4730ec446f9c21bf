/* annotations.c - the append-only annotation history of stages ii and iv
 * (tables annotations and annotation_labels): appending a version, reading
 * the current version of a person or of everyone, label lists, version
 * counts; stage and label-source names (annotations.h).  Owns the SQL of
 * both tables.  Whether a save is valid as a whole and what it implies
 * (an expert's save is the image's final set) is src/review/save.c's. */
#include "store/annotations.h"
#include "store/engine.h"
#include "store/flags.h"
#include "util/vocab.h"
#include "store/proposals.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[] = { "annotate", "refine" };

static const char *const source_names[] = { "proposal", "search", "prefill" };

static const char *const source_labels[] = { "model proposal", "class search", "pre-checked (stage ii)" };

const char *mlfy_stage_name(enum mlfy_stage st)
{
	return mlfy_name_of(stage_names, 2, (int)st, "?");
}

int mlfy_stage_parse(const char *s, enum mlfy_stage *st, struct mlfy_err *err)
{
	int i = mlfy_name_index(stage_names, 2, s);
	if (i < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "unknown stage '%s' (expected annotate or refine)", s ? s : "");
	*st = (enum mlfy_stage)i;
	return 0;
}

const char *mlfy_source_name(enum mlfy_label_source src)
{
	return mlfy_name_of(source_names, MLFY_N_SOURCES, (int)src, "?");
}

const char *mlfy_source_label(enum mlfy_label_source src)
{
	return mlfy_name_of(source_labels, MLFY_N_SOURCES, (int)src, "?");
}

int mlfy_source_parse(const char *s, enum mlfy_label_source *src, struct mlfy_err *err)
{
	int i = mlfy_name_index(source_names, MLFY_N_SOURCES, s);
	if (i < 0)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "unknown label source '%s' (expected proposal, search or prefill)", s ? s : "");
	*src = (enum mlfy_label_source)i;
	return 0;
}

void mlfy_annotation_release(struct mlfy_annotation *a)
{
	if (!a)
		return;
	MLFY_FREE_ALL(a->annotator, a->comment, a->labels);
	memset(a, 0, sizeof(*a));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_annotations_free, struct mlfy_annotation, mlfy_annotation_release)

static int current_version(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			   enum mlfy_stage stg, int64_t *v, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT MAX(version) FROM annotations WHERE image_id = ?1 AND annotator_id = ?2 AND stage = ?3";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	return store_query_i64(s, st, 0, v, "read version", err);
}

/* Not the answer to a gold task (store/gold.h): those never count toward an
 * image's own labels. */
#define NOT_GOLD(A) "NOT EXISTS (SELECT 1 FROM gold_tasks g WHERE g.image_id = " A ".image_id" \
	" AND g.annotator_id = " A ".annotator_id)"

int mlfy_annotations_stage2_union(struct mlfy_store *s, int64_t image_id, int32_t **out, size_t *n,
				  struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT DISTINCT l.class_idx FROM current_annotations c"
		" JOIN annotation_labels l ON l.annotation_id = c.id"
		" WHERE c.image_id = ?1 AND c.stage = 'annotate' AND " NOT_GOLD("c") " ORDER BY l.class_idx";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	return store_list_i32(s, st, out, n, "read stage-ii labels", err);
}

int mlfy_annotations_append(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			    int64_t *version, int64_t *annotation_id, struct mlfy_err *err)
{
	static const char sql_class[] = "SELECT 1 FROM classes WHERE idx = ?1";
	static const char sql_ins[] =
		"INSERT INTO annotations(image_id, annotator_id, stage, version, model_id, comment, seconds,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char sql_lab[] =
		"INSERT INTO annotation_labels(annotation_id, class_idx, source) VALUES (?1, ?2, ?3)";
	int64_t cur, model, ann;
	struct store_stmt *st;
	char now[32];
	size_t i;
	int rc, r;

	if ((rc = store_require_tx(s, err, "save annotation")))
		return rc;
	if ((rc = current_version(s, in->image_id, in->annotator_id, in->stage, &cur, err)))
		return rc;
	if (cur != in->base_version)  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): STMT returns err->code, never 0, on failure */
		return mlfy_err_set(err, MLFY_ECONFLICT,
				    "stale save: image %lld is at version %lld, this save was based on version %lld",
				    (long long)in->image_id, (long long)cur, (long long)in->base_version);
	for (i = 0; i < in->n_labels; i++) {
		STMT(st, sql_class);
		stmt_bind_int(st, 1, in->labels[i].class_idx);
		if ((r = store_exists(s, st, "check class", err)) < 0)
			return r;
		if (!r)
			return mlfy_err_set(err, MLFY_EINVAL, "labels: no class with index %d", in->labels[i].class_idx);
	}
	if ((rc = mlfy_models_active_id(s, &model, err)))
		return rc;
	mlfy_store_now(now);
	STMT(st, sql_ins);
	stmt_bind_int64(st, 1, in->image_id);
	stmt_bind_int64(st, 2, in->annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(in->stage));
	stmt_bind_int64(st, 4, cur + 1);
	if (model)  /* NOLINT(clang-analyzer-core.uninitialized.Branch): STMT returns err->code, never 0, on failure */
		stmt_bind_int64(st, 5, model);
	else
		stmt_bind_null(st, 5);
	stmt_bind_text(st, 6, in->comment ? in->comment : "");
	stmt_bind_double(st, 7, in->seconds);
	stmt_bind_text(st, 8, now);
	rc = stmt_step(st);   /* the row itself: engine.h straight to SQLite */
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "save annotation");
	ann = store_last_id(s);
	for (i = 0; i < in->n_labels; i++) {
		STMT(st, sql_lab);
		stmt_bind_int64(st, 1, ann);
		stmt_bind_int(st, 2, in->labels[i].class_idx);
		stmt_bind_text(st, 3, mlfy_source_name(in->labels[i].source));
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc != STORE_DONE)
			return store_fail(s, err, "save labels");
	}
	if ((rc = mlfy_flags_append(s, ann, in->unsure - 1, in->tags, err)))
		return rc;
	*version = cur + 1;
	if (annotation_id)
		*annotation_id = ann;
	return 0;
}

static int label_from_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_label_choice *l = elem;
	(void)ctx;
	(void)err;
	l->class_idx = stmt_int(st, 0);
	if (mlfy_source_parse(stmt_text(st, 1), &l->source, NULL))
		l->source = MLFY_SOURCE_PROPOSAL;
	return 0;
}

static int read_labels(struct mlfy_store *s, struct mlfy_annotation *a, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT class_idx, source FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";
	struct store_stmt *st;
	int rc, unsure;

	STMT(st, sql);
	stmt_bind_int64(st, 1, a->id);
	if ((rc = STORE_ROWS(s, st, a->labels, &a->n_labels, label_from_row, NULL, NULL, "read labels", err)) ||
	    (rc = mlfy_flags_get(s, a->id, &unsure, &a->tags, err)))
		return rc;
	a->unsure = unsure + 1;
	return 0;
}

#define ANN_COLS "n.id, n.image_id, n.annotator_id, u.name, n.stage, n.version, n.comment, n.seconds, n.created_at"

static int ann_from_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_annotation *a = elem;
	const char *c = stmt_text(st, 8);

	(void)ctx;
	a->id = stmt_int64(st, 0);
	a->image_id = stmt_int64(st, 1);
	a->annotator_id = stmt_int64(st, 2);
	a->annotator = stmt_dup(st, 3);
	if (mlfy_stage_parse(stmt_text(st, 4), &a->stage, NULL))
		a->stage = MLFY_STAGE_ANNOTATE;
	a->version = stmt_int64(st, 5);
	a->comment = stmt_dup(st, 6);
	a->seconds = stmt_double(st, 7);
	snprintf(a->created_at, sizeof(a->created_at), "%s", c ? c : "");
	return a->annotator && a->comment ? 0 : mlfy_err_oom(err);
}

/* Runs st (bound; at most one row wanted) into *out with its labels;
 * MLFY_ENOTFOUND with the message of notfound when it has no row. */
static int one_annotation(struct mlfy_store *s, struct store_stmt *st, struct mlfy_annotation *out,
			  const char *notfound, struct mlfy_err *err)
{
	struct mlfy_annotation *v = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = STORE_ROWS(s, st, v, &n, ann_from_row, NULL, mlfy_annotation_release_any, "read annotation", err))) {
		free(v);
		return rc;
	}
	if (!n) {
		free(v);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s", notfound);
	}
	*out = v[0];
	free(v);
	if ((rc = read_labels(s, out, err)))
		mlfy_annotation_release(out);
	return rc;
}

int mlfy_annotations_current(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			     enum mlfy_stage stg, struct mlfy_annotation *out,
			     struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM annotations n JOIN annotators u ON u.id = n.annotator_id"
		" WHERE n.image_id = ?1 AND n.annotator_id = ?2 AND n.stage = ?3"
		" ORDER BY n.version DESC LIMIT 1";
	struct store_stmt *st;
	char what[128];

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	snprintf(what, sizeof(what), "image %lld has no %s annotation by this user", (long long)image_id,
		 mlfy_stage_name(stg));
	return one_annotation(s, st, out, what, err);
}

int mlfy_annotations_latest(struct mlfy_store *s, int64_t image_id, enum mlfy_stage stg,
			    struct mlfy_annotation *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM annotations n JOIN annotators u ON u.id = n.annotator_id"
		" WHERE n.image_id = ?1 AND n.stage = ?2 ORDER BY n.id DESC LIMIT 1";
	struct store_stmt *st;
	char what[96];

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, mlfy_stage_name(stg));
	snprintf(what, sizeof(what), "image %lld has no %s annotation", (long long)image_id, mlfy_stage_name(stg));
	return one_annotation(s, st, out, what, err);
}

int mlfy_annotations_of_image(struct mlfy_store *s, int64_t image_id, enum mlfy_stage stg,
			      struct mlfy_annotation **out, size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM current_annotations n JOIN annotators u ON u.id = n.annotator_id"
		" WHERE n.image_id = ?1 AND n.stage = ?2 AND " NOT_GOLD("n") " ORDER BY u.name";
	struct mlfy_annotation *v = NULL;
	struct store_stmt *st;
	size_t len = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, mlfy_stage_name(stg));
	if ((rc = STORE_ROWS(s, st, v, &len, ann_from_row, NULL, mlfy_annotation_release_any, "read annotations", err))) {
		free(v);
		return rc;
	}
	for (i = 0; i < len; i++)
		if ((rc = read_labels(s, &v[i], err))) {
			mlfy_annotations_free(v, len);
			return rc;
		}
	*out = v;
	*n = len;
	return 0;
}

int mlfy_annotations_n_versions(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
				enum mlfy_stage stg, int64_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM annotations WHERE image_id = ?1 AND annotator_id = ?2 AND stage = ?3";
	struct store_stmt *st;

	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	return store_query_i64(s, st, 0, n, "count versions", err);
}

int mlfy_annotation_label_ids(struct mlfy_store *s, int64_t annotation_id, int32_t **v, size_t *n,
			      size_t *cap, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT class_idx FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";
	struct store_stmt *st;
	int rc;

	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (MLFY_GROW(*v, *cap, *n + 1)) {
			stmt_reset(st);
			return mlfy_err_oom(err);
		}
		(*v)[(*n)++] = stmt_int(st, 0);
	}
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "read annotation labels");
}
