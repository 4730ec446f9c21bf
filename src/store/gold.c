/* gold.c - gold images and gold tasks (tables gold_images, gold_labels,
 * gold_tasks; gold.h). */
#include "store/gold.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_GOLD_HAS[] = "SELECT 1 FROM gold_images WHERE image_id = ?1";
static const char SQL_GOLD_INS[] =
	"INSERT INTO gold_images(image_id, source, annotation_id, added_at) VALUES (?1, ?2, ?4, ?3)"
	" ON CONFLICT(image_id) DO UPDATE SET source = excluded.source, annotation_id = excluded.annotation_id,"
	" added_at = excluded.added_at";
static const char SQL_GOLD_CLEAR[] = "DELETE FROM gold_labels WHERE image_id = ?1";
static const char SQL_GOLD_LABEL[] = "INSERT INTO gold_labels(image_id, class_idx) VALUES (?1, ?2)";
static const char SQL_CLASS_HAS[] = "SELECT 1 FROM classes WHERE idx = ?1";

static int exists_id(struct mlfy_store *s, const char *sql, int64_t id, const char *what, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, sql, err);
	if (!st)
		return -err->code;
	stmt_bind_int64(st, 1, id);
	return store_exists(s, st, what, err);
}

int mlfy_gold_put(struct mlfy_store *s, int64_t image_id, const int32_t *cls, size_t n, const char *source,
		  int64_t annotation_id, int *replaced, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	size_t i;
	int rc, had;

	if ((rc = store_require_tx(s, err, "gold image")))
		return rc;
	if ((had = exists_id(s, SQL_GOLD_HAS, image_id, "read gold images", err)) < 0)
		return -had;
	for (i = 0; i < n; i++) {
		int ok = exists_id(s, SQL_CLASS_HAS, cls[i], "read classes", err);
		if (ok < 0)
			return -ok;
		if (!ok)
			return mlfy_err_set(err, MLFY_EINVAL, "labels: no class with index %d", (int)cls[i]);
	}
	mlfy_store_now(now);
	STMT(st, SQL_GOLD_INS);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, source ? source : "");
	stmt_bind_text(st, 3, now);
	if (annotation_id > 0)
		stmt_bind_int64(st, 4, annotation_id);
	else
		stmt_bind_null(st, 4);
	if ((rc = store_step_done(s, st, "add gold image", err)))
		return rc;
	STMT(st, SQL_GOLD_CLEAR);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "replace gold set", err)))
		return rc;
	for (i = 0; i < n; i++) {
		STMT(st, SQL_GOLD_LABEL);
		stmt_bind_int64(st, 1, image_id);
		stmt_bind_int(st, 2, cls[i]);
		if ((rc = store_step_done(s, st, "add gold label", err)))
			return store_failed_constraint(s)
				       ? mlfy_err_set(err, MLFY_EINVAL, "labels: class %d given twice", (int)cls[i])
				       : rc;
	}
	if (replaced)
		*replaced = had;
	return 0;
}

static const char SQL_GOLD_DEL[] = "DELETE FROM gold_images WHERE image_id = ?1";
static const char SQL_GOLD_DROP_TASKS[] =
	"DELETE FROM gold_tasks WHERE image_id = ?1 AND NOT EXISTS (SELECT 1 FROM annotations n"
	" WHERE n.image_id = gold_tasks.image_id AND n.annotator_id = gold_tasks.annotator_id"
	"   AND n.stage = 'annotate')";

int mlfy_gold_remove(struct mlfy_store *s, int64_t image_id, int64_t *dropped_tasks, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc, had;

	if ((rc = store_require_tx(s, err, "gold image")))
		return rc;
	if ((had = exists_id(s, SQL_GOLD_HAS, image_id, "read gold images", err)) < 0)
		return -had;
	if (!had)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not a gold image", (long long)image_id);
	STMT(st, SQL_GOLD_CLEAR);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "remove gold set", err)))
		return rc;
	STMT(st, SQL_GOLD_DEL);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "remove gold image", err)))
		return rc;
	STMT(st, SQL_GOLD_DROP_TASKS);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "remove gold tasks", err)))
		return rc;
	if (dropped_tasks)
		*dropped_tasks = store_changes(s);
	return 0;
}

static void gold_release(void *p)
{
	struct mlfy_gold *g = p;
	MLFY_FREE_ALL(g->name, g->source, g->labels);
}

void mlfy_gold_list_free(struct mlfy_gold *g, size_t n)
{
	size_t i;
	for (i = 0; g && i < n; i++)
		gold_release(&g[i]);
	free(g);
}

static const char SQL_GOLD_LIST[] =
	"SELECT g.image_id, i.name, g.source, g.added_at,"
	" (SELECT COUNT(*) FROM gold_tasks t WHERE t.image_id = g.image_id),"
	" (SELECT COUNT(*) FROM gold_tasks t WHERE t.image_id = g.image_id AND EXISTS (SELECT 1 FROM"
	"   annotations n WHERE n.image_id = t.image_id AND n.annotator_id = t.annotator_id"
	"   AND n.stage = 'annotate'))"
	" FROM gold_images g JOIN images i ON i.id = g.image_id ORDER BY i.name";
static const char SQL_GOLD_SET[] = "SELECT class_idx FROM gold_labels WHERE image_id = ?1 ORDER BY class_idx";

static int gold_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_gold *g = elem;
	const char *t = stmt_text(st, 3);
	(void)ctx;
	(void)err;
	g->image_id = stmt_int64(st, 0);
	g->name = stmt_dup(st, 1);
	g->source = stmt_dup(st, 2);
	snprintf(g->added_at, sizeof(g->added_at), "%s", t ? t : "");
	g->tasks = stmt_int64(st, 4);
	g->answered = stmt_int64(st, 5);
	return g->name && g->source ? 0 : MLFY_ENOMEM;
}

static int gold_labels_of(struct mlfy_store *s, int64_t image_id, int32_t **cls, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_GOLD_SET);
	stmt_bind_int64(st, 1, image_id);
	return store_list_i32(s, st, cls, n, "read gold set", err);
}

int mlfy_gold_list(struct mlfy_store *s, struct mlfy_gold **out, size_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;
	size_t i;
	int rc;

	STMT(st, SQL_GOLD_LIST);
	if ((rc = STORE_LIST(s, st, *out, n, gold_row, NULL, gold_release, "list gold images", err)))
		return rc;
	for (i = 0; i < *n; i++)
		if ((rc = gold_labels_of(s, (*out)[i].image_id, &(*out)[i].labels, &(*out)[i].n_labels, err))) {
			mlfy_gold_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
	return 0;
}

int mlfy_gold_set(struct mlfy_store *s, int64_t image_id, int32_t **cls, size_t *n, struct mlfy_err *err)
{
	int had = exists_id(s, SQL_GOLD_HAS, image_id, "read gold images", err);

	*cls = NULL;
	*n = 0;
	if (had < 0)
		return -had;
	if (!had)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld is not a gold image", (long long)image_id);
	return gold_labels_of(s, image_id, cls, n, err);
}

static const char SQL_GOLD_CANDIDATES[] =
	"SELECT g.image_id FROM gold_images g JOIN images i ON i.id = g.image_id"
	" WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.batch = i.batch AND a.annotator_id = ?1)"
	"   AND NOT EXISTS (SELECT 1 FROM gold_tasks t WHERE t.image_id = g.image_id AND t.annotator_id = ?1)"
	" ORDER BY g.image_id";

int mlfy_gold_candidates(struct mlfy_store *s, int64_t annotator_id, int64_t **ids, size_t *n,
			 struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_GOLD_CANDIDATES);
	stmt_bind_int64(st, 1, annotator_id);
	return store_list_i64(s, st, ids, n, "list gold candidates", err);
}

static const char SQL_TASK_ADD[] =
	"INSERT INTO gold_tasks(annotator_id, image_id, position, seq, assigned_at) VALUES (?1, ?2, ?3, ?4, ?5)";

int mlfy_gold_task_add(struct mlfy_store *s, int64_t annotator_id, int64_t image_id, int64_t position,
		       int64_t seq, struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "gold task")))
		return rc;
	mlfy_store_now(now);
	STMT(st, SQL_TASK_ADD);
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int64(st, 2, image_id);
	stmt_bind_int64(st, 3, position);
	stmt_bind_int64(st, 4, seq);
	stmt_bind_text(st, 5, now);
	if ((rc = store_step_done(s, st, "add gold task", err)))
		return store_failed_constraint(s) ? mlfy_err_set(err, MLFY_ECONFLICT,
								 "image %lld is a gold task of this annotator already",
								 (long long)image_id)
						  : rc;
	return 0;
}

static const char SQL_TASK_COUNT[] = "SELECT COUNT(*) FROM gold_tasks WHERE annotator_id = ?1";

int mlfy_gold_task_count(struct mlfy_store *s, int64_t annotator_id, int64_t *n, struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_TASK_COUNT);
	stmt_bind_int64(st, 1, annotator_id);
	return store_query_i64(s, st, 0, n, "count gold tasks", err);
}

static const char SQL_TASK_IS[] = "SELECT 1 FROM gold_tasks WHERE annotator_id = ?1 AND image_id = ?2";

int mlfy_gold_task_is(struct mlfy_store *s, int64_t annotator_id, int64_t image_id, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, SQL_TASK_IS, err);
	if (!st)
		return -err->code;
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int64(st, 2, image_id);
	return store_exists(s, st, "read gold tasks", err);
}

static const char SQL_TASKS_OF[] =
	"SELECT t.image_id, t.position, t.seq, CAST(EXISTS (SELECT 1 FROM annotations n WHERE n.image_id = t.image_id"
	"   AND n.annotator_id = t.annotator_id AND n.stage = 'annotate') AS INTEGER)"
	" FROM gold_tasks t WHERE t.annotator_id = ?1 ORDER BY t.position, t.seq, t.image_id";

static int task_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_gold_task *t = elem;
	(void)ctx;
	(void)err;
	t->image_id = stmt_int64(st, 0);
	t->position = stmt_int64(st, 1);
	t->seq = stmt_int64(st, 2);
	t->done = stmt_int(st, 3);
	return 0;
}

int mlfy_gold_tasks_of(struct mlfy_store *s, int64_t annotator_id, struct mlfy_gold_task **out, size_t *n,
		       struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_TASKS_OF);
	stmt_bind_int64(st, 1, annotator_id);
	return STORE_LIST(s, st, *out, n, task_row, NULL, NULL, "list gold tasks", err);
}
