/* final_labels.c - the final labels (final_labels.h): the final_status and
 * final_labels tables.  Deciding what the final set is (agreement rules,
 * refinement, aggregation) belongs to src/review. */
#include "store/final_labels.h"
#include "store/engine.h"
#include "util/vocab.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[] = { NULL, "agreed", "refined", "aggregated", "imported" };

const char *mlfy_final_stage_name(int stage)
{
	return mlfy_name_of(stage_names, MLFY_FINAL_IMPORTED + 1, stage, NULL);
}

int mlfy_final_stage_parse(const char *name)
{
	return mlfy_name_index(stage_names, MLFY_FINAL_IMPORTED + 1, name);
}

void mlfy_final_release(struct mlfy_final *f)
{
	if (!f)
		return;
	free(f->classes);
	memset(f, 0, sizeof(*f));
}

/* 1 when the single-integer query with ?1 = id finds a row, 0 when not,
 * negative on error. */
static int exists(struct mlfy_store *s, const char *sql, int64_t id, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, sql, err);
	int rc;
	if (!st)
		return err ? err->code : MLFY_ESTORE;
	stmt_bind_int64(st, 1, id);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc == STORE_ROW)
		return 1;
	if (rc == STORE_DONE)
		return 0;
	return store_fail(s, err, "lookup");
}

int mlfy_final_put(struct mlfy_store *s, int64_t image_id, int stage, int64_t annotation_id,
		   const int *classes, size_t n, struct mlfy_err *err)
{
	static const char img_sql[] = "SELECT 1 FROM images WHERE id = ?1";
	static const char ann_sql[] = "SELECT 1 FROM annotations WHERE id = ?1";
	static const char cls_sql[] = "SELECT 1 FROM classes WHERE idx = ?1";
	static const char del_sql[] = "DELETE FROM final_labels WHERE image_id = ?1";
	static const char status_sql[] =
		"INSERT INTO final_status(image_id, stage, annotation_id, decided_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(image_id) DO UPDATE SET stage = excluded.stage,"
		" annotation_id = excluded.annotation_id, decided_at = excluded.decided_at";
	static const char ins_sql[] = "INSERT INTO final_labels(image_id, class_idx) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
	struct store_stmt *st;
	char now[32];
	size_t i;
	int rc;

	if ((rc = store_require_tx(s, err, "put final labels")))
		return rc;
	if (!mlfy_final_stage_name(stage))
		return mlfy_err_set(err, MLFY_EINVAL, "image %lld: bad final stage %d", (long long)image_id, stage);
	if ((rc = exists(s, img_sql, image_id, err)) <= 0)
		return rc < 0 ? rc : mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no image with id %lld", mlfy_store_path(s),
						  (long long)image_id);
	if (annotation_id && (rc = exists(s, ann_sql, annotation_id, err)) <= 0)
		return rc < 0 ? rc : mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no annotation with id %lld", mlfy_store_path(s),
						  (long long)annotation_id);
	for (i = 0; i < n; i++) {
		if (classes[i] < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "image %lld: negative class index %d", (long long)image_id,
					    classes[i]);
		if ((rc = exists(s, cls_sql, classes[i], err)) <= 0)
			return rc < 0 ? rc : mlfy_err_set(err, MLFY_ENOTFOUND, "%s: image %lld: no class with index %d",
							  mlfy_store_path(s), (long long)image_id, classes[i]);
	}
	mlfy_store_now(now);
	STMT(st, del_sql);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "put final labels", err)))
		return rc;
	STMT(st, status_sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, stage_names[stage]);
	if (annotation_id)
		stmt_bind_int64(st, 3, annotation_id);
	else
		stmt_bind_null(st, 3);
	stmt_bind_text(st, 4, now);
	if ((rc = store_step_done(s, st, "put final status", err)))
		return rc;
	for (i = 0; i < n; i++) {
		STMT(st, ins_sql);
		stmt_bind_int64(st, 1, image_id);
		stmt_bind_int(st, 2, classes[i]);
		if ((rc = store_step_done(s, st, "put final labels", err)))
			return rc;
	}
	return 0;
}

int mlfy_final_delete(struct mlfy_store *s, int64_t image_id, struct mlfy_err *err)
{
	static const char del_labels[] = "DELETE FROM final_labels WHERE image_id = ?1";
	static const char del_status[] = "DELETE FROM final_status WHERE image_id = ?1";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "delete final labels")))
		return rc;
	STMT(st, del_labels);
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "delete final labels", err)))
		return rc;
	STMT(st, del_status);
	stmt_bind_int64(st, 1, image_id);
	return store_step_done(s, st, "delete final status", err);
}

static void status_from_row(struct store_stmt *st, int col, struct mlfy_final *f)
{
	const char *stage = stmt_text(st, col);
	const char *at = stmt_text(st, col + 2);
	f->stage = mlfy_final_stage_parse(stage);
	f->annotation_id = stmt_is_null(st, col + 1) ? 0 : stmt_int64(st, col + 1);
	snprintf(f->decided_at, sizeof(f->decided_at), "%s", at ? at : "");
}

int mlfy_final_get(struct mlfy_store *s, int64_t image_id, struct mlfy_final *out,
		   struct mlfy_err *err)
{
	static const char status_sql[] =
		"SELECT stage, annotation_id, decided_at FROM final_status WHERE image_id = ?1";
	static const char labels_sql[] =
		"SELECT class_idx FROM final_labels WHERE image_id = ?1 ORDER BY class_idx";
	struct store_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->original_label = -1;
	STMT(st, status_sql);
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld has no final labels yet", (long long)image_id);
		return store_fail(s, err, "get final status");
	}
	out->image_id = image_id;
	status_from_row(st, 0, out);
	stmt_reset(st);
	STMT(st, labels_sql);
	stmt_bind_int64(st, 1, image_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (MLFY_GROW(out->classes, cap, out->n + 1)) {
			stmt_reset(st);
			mlfy_final_release(out);
			return mlfy_err_oom(err);
		}
		out->classes[out->n++] = stmt_int(st, 0);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_final_release(out);
		return store_fail(s, err, "get final labels");
	}
	return 0;
}

int mlfy_final_count(struct mlfy_store *s, int64_t *decided, int64_t *undecided,
		     struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT (SELECT COUNT(*) FROM final_status),"
		" (SELECT COUNT(*) FROM images i WHERE NOT EXISTS"
		"   (SELECT 1 FROM final_status f WHERE f.image_id = i.id))";
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		if (decided)
			*decided = stmt_int64(st, 0);
		if (undecided)
			*undecided = stmt_int64(st, 1);
	}
	stmt_reset(st);
	return rc == STORE_ROW ? 0 : store_fail(s, err, "count final labels");
}

int mlfy_final_foreach(struct mlfy_store *s, mlfy_final_cb cb, void *ctx, struct mlfy_err *err)
{
	/* one row per (image, label), or one row with a NULL label for an empty
	 * set; grouped by image in name order */
	static const char sql[] =
		"SELECT i.id, i.name, i.original_label, f.stage, f.annotation_id, f.decided_at, l.class_idx"
		" FROM final_status f JOIN images i ON i.id = f.image_id"
		" LEFT JOIN final_labels l ON l.image_id = f.image_id"
		" ORDER BY i.name, l.class_idx";
	struct mlfy_final cur;
	char *name = NULL;
	size_t cap = 0;
	struct store_stmt *st;
	int rc, have = 0, cbrc = 0;

	memset(&cur, 0, sizeof(cur));
	/* not cached: a callback may run other store functions meanwhile, and
	 * this statement stays active for the whole walk */
	if (!(st = store_stmt_open(s, sql, err)))
		return err ? err->code : MLFY_ESTORE;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t id = stmt_int64(st, 0);
		if (!have || id != cur.image_id) {
			if (have && (cbrc = cb(&cur, ctx)) != 0)
				break;
			free(name);
			name = strdup(stmt_text(st, 1));
			if (!name) {
				cbrc = mlfy_err_oom(err);
				break;
			}
			cur.image_id = id;
			cur.image_name = name;
			cur.original_label = stmt_is_null(st, 2) ? -1 : stmt_int(st, 2);
			status_from_row(st, 3, &cur);
			cur.n = 0;
			have = 1;
		}
		if (!stmt_is_null(st, 6)) {
			if (MLFY_GROW(cur.classes, cap, cur.n + 1)) {
				cbrc = mlfy_err_oom(err);
				break;
			}
			cur.classes[cur.n++] = stmt_int(st, 6);
		}
	}
	if (!cbrc && rc == STORE_DONE && have)
		cbrc = cb(&cur, ctx);
	else if (!cbrc && rc != STORE_DONE)
		cbrc = store_fail(s, err, "walk final labels");
	store_stmt_close(st);
	MLFY_FREE_ALL(name, cur.classes);
	return cbrc;
}

int mlfy_review_final_differs(struct mlfy_store *s, int64_t image_id, int stage,
			      const int *labels, size_t n, int64_t annotation_id, int *differs,
			      struct mlfy_err *err)
{
	struct mlfy_final cur;
	int *want = NULL;
	size_t i, k = 0;
	int rc, same = 0;

	*differs = 1;
	rc = mlfy_final_get(s, image_id, &cur, err);
	if (rc && rc != MLFY_ENOTFOUND)
		return rc;
	if (!rc) {
		if (cur.stage == stage && cur.annotation_id == annotation_id) {
			if (!(want = malloc((n ? n : 1) * sizeof(*want)))) {
				mlfy_final_release(&cur);
				return mlfy_err_oom(err);
			}
			if (n)
				memcpy(want, labels, n * sizeof(*want));
			qsort(want, n, sizeof(*want), mlfy_cmp_int);
			for (i = 0; i < n; i++)   /* repeats are ignored, as by mlfy_final_put */
				if (!k || want[k - 1] != want[i])
					want[k++] = want[i];
			same = k == cur.n && (k == 0 || !memcmp(want, cur.classes, k * sizeof(*want)));
			free(want);
		}
		mlfy_final_release(&cur);
	}
	mlfy_err_clear(err);
	*differs = !same;
	return 0;
}

int mlfy_review_final_update(struct mlfy_store *s, int64_t image_id, int stage,
			     const int *labels, size_t n, int64_t annotation_id, int *changed,
			     struct mlfy_err *err)
{
	int rc, differs;

	if (changed)
		*changed = 0;
	if ((rc = mlfy_review_final_differs(s, image_id, stage, labels, n, annotation_id, &differs, err)))
		return rc;
	if (!differs)
		return 0;
	if ((rc = mlfy_final_put(s, image_id, stage, annotation_id, labels, n, err)))
		return rc;
	if (changed)
		*changed = 1;
	return 0;
}
