/* proposals.c - the models and their proposals (proposals.h): the models table, the
 * project's active proposal model (meta key "proposal_model") and the
 * top-k proposals of each (image, model).  Computing proposals (softmax,
 * top-k) is src/ingest's and src/propose's job. */
#include "store/proposals.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlfy_model_release(struct mlfy_model *m)
{
	if (!m)
		return;
	MLFY_FREE_ALL(m->name, m->source, m->kind);
	memset(m, 0, sizeof(*m));
}

/* Row (id, name, source, kind) into *m. */
static int model_from_row(struct store_stmt *st, struct mlfy_model *m, struct mlfy_err *err)
{
	memset(m, 0, sizeof(*m));
	m->id = stmt_int64(st, 0);
	m->name = stmt_dup(st, 1);
	m->source = stmt_dup(st, 2);
	m->kind = stmt_dup(st, 3);
	if (!m->name || !m->source || !m->kind) {
		mlfy_model_release(m);
		return mlfy_err_oom(err);
	}
	return 0;
}

int mlfy_models_ensure(struct mlfy_store *s, const char *name, const char *source,
		       const char *kind, int64_t *id, struct mlfy_err *err)
{
	static const char find[] = "SELECT id FROM models WHERE name = ?1";
	static const char upd[] = "UPDATE models SET source = ?2, kind = ?3 WHERE id = ?1";
	static const char ins[] = "INSERT INTO models(name, source, kind, created_at) VALUES (?1, ?2, ?3, ?4)";
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "add model")))
		return rc;
	if (!name || !*name)
		return mlfy_err_set(err, MLFY_EINVAL, "empty model name");
	STMT(st, find);
	stmt_bind_text(st, 1, name);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*id = stmt_int64(st, 0);
		stmt_reset(st);
		STMT(st, upd);
		stmt_bind_int64(st, 1, *id);
		stmt_bind_text(st, 2, source ? source : "");
		stmt_bind_text(st, 3, kind ? kind : "");
		return store_step_done(s, st, "update model", err);
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "find model");
	mlfy_store_now(now);
	STMT(st, ins);
	stmt_bind_text(st, 1, name);
	stmt_bind_text(st, 2, source ? source : "");
	stmt_bind_text(st, 3, kind ? kind : "");
	stmt_bind_text(st, 4, now);
	if ((rc = store_step_done(s, st, "add model", err)))
		return rc;
	*id = store_last_id(s);
	return 0;
}

int mlfy_models_lookup(struct mlfy_store *s, const char *name, size_t *n_models, int *exists,
		       struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT (SELECT COUNT(*) FROM models), CAST(EXISTS (SELECT 1 FROM models WHERE name = ?1) AS INTEGER)";
	struct store_stmt *st;
	int rc;

	*n_models = 0;
	*exists = 0;
	if ((rc = store_require_tx(s, err, "look up model")))
		return rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, name);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*n_models = (size_t)stmt_int64(st, 0);
		*exists = stmt_int(st, 1) != 0;
		stmt_reset(st);
		return 0;
	}
	stmt_reset(st);
	return store_fail(s, err, "look up model");
}

int mlfy_models_find(struct mlfy_store *s, const char *name, struct mlfy_model *out,
		     struct mlfy_err *err)
{
	static const char sql[] = "SELECT id, name, source, kind FROM models WHERE name = ?1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_text(st, 1, name);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		rc = model_from_row(st, out, err);
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no model named '%s'", mlfy_store_path(s), name);
	return store_fail(s, err, "find model");
}

static int model_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	return model_from_row(st, elem, err);
}

static void model_release_any(void *elem)
{
	mlfy_model_release(elem);
}

int mlfy_models_list(struct mlfy_store *s, struct mlfy_model **out, size_t *n,
		     struct mlfy_err *err)
{
	static const char sql[] = "SELECT id, name, source, kind FROM models ORDER BY id";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, model_row, NULL, model_release_any, "list models", err);
}

int mlfy_models_active(struct mlfy_store *s, struct mlfy_model *out, struct mlfy_err *err)
{
	static const char latest[] = "SELECT id, name, source, kind FROM models ORDER BY id DESC LIMIT 1";
	struct store_stmt *st;
	char *name = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mlfy_store_meta_get(s, "proposal_model", &name, err);
	if (rc == 0) {
		rc = mlfy_models_find(s, name, out, err);
		free(name);
		if (rc != MLFY_ENOTFOUND)
			return rc;
		/* the named model is gone: fall back to the latest one */
	} else if (rc != MLFY_ENOTFOUND) {
		return rc;
	}
	mlfy_err_clear(err);
	STMT(st, latest);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		rc = model_from_row(st, out, err);
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no model imported yet (mlfy import-predictions)", mlfy_store_path(s));
	return store_fail(s, err, "active model");
}

int mlfy_models_active_id(struct mlfy_store *s, int64_t *id, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COALESCE((SELECT m.id FROM models m JOIN meta k ON k.key = 'proposal_model'"
		"  AND k.value = m.name), (SELECT MAX(id) FROM models))";
	struct store_stmt *st;

	STMT(st, sql);
	return store_query_i64(s, st, 0, id, "find the proposal model", err);
}

int mlfy_models_set_active(struct mlfy_store *s, const char *name, struct mlfy_err *err)
{
	struct mlfy_model m;
	int rc;

	if ((rc = store_require_tx(s, err, "set active model")))
		return rc;
	if ((rc = mlfy_models_find(s, name, &m, err)))
		return rc;
	mlfy_model_release(&m);
	return mlfy_store_meta_set(s, "proposal_model", name, err);
}

int mlfy_proposals_put(struct mlfy_store *s, int64_t image_id, int64_t model_id,
		       const struct mlfy_proposal *p, size_t k, struct mlfy_err *err)
{
	static const char del[] = "DELETE FROM proposals WHERE image_id = ?1 AND model_id = ?2";
	static const char ins[] =
		"INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES (?1, ?2, ?3, ?4, ?5)";
	struct store_stmt *st;
	size_t i;
	int rc;

	if ((rc = store_require_tx(s, err, "put proposals")))
		return rc;
	STMT(st, del);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, model_id);
	if ((rc = store_step_done(s, st, "put proposals", err)))
		return rc;
	for (i = 0; i < k; i++) {
		if (p[i].rank < 0 || p[i].class_idx < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "image %lld: proposal %zu: negative rank or class",
					    (long long)image_id, i);
		STMT(st, ins);
		stmt_bind_int64(st, 1, image_id);
		stmt_bind_int64(st, 2, model_id);
		stmt_bind_int(st, 3, p[i].rank);
		stmt_bind_int(st, 4, p[i].class_idx);
		stmt_bind_double(st, 5, p[i].score);
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc != STORE_DONE) {
			if (store_failed_constraint(s))
				return mlfy_err_set(err, MLFY_ECONFLICT,
						    "%s: image %lld, model %lld, rank %d, class %d: %s (unknown image, "
						    "model or class, or a repeated rank)",
						    mlfy_store_path(s), (long long)image_id, (long long)model_id, p[i].rank,
						    p[i].class_idx, store_errmsg(s));
			return store_fail(s, err, "put proposals");
		}
	}
	return 0;
}

int mlfy_proposals_clear(struct mlfy_store *s, int64_t model_id, struct mlfy_err *err)
{
	static const char del[] = "DELETE FROM proposals WHERE model_id = ?1";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "clear proposals")))
		return rc;
	STMT(st, del);
	stmt_bind_int64(st, 1, model_id);
	return store_step_done(s, st, "clear proposals", err);
}

int mlfy_proposals_get(struct mlfy_store *s, int64_t image_id, int64_t model_id,
		       struct mlfy_proposal *out, size_t cap, size_t *n,
		       struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT rank, class_idx, score FROM proposals WHERE image_id = ?1 AND model_id = ?2 ORDER BY rank";
	struct store_stmt *st;
	size_t cnt = 0;
	int rc = STORE_DONE;

	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, model_id);
	while (cnt < cap && (rc = stmt_step(st)) == STORE_ROW) {
		out[cnt].rank = stmt_int(st, 0);
		out[cnt].class_idx = stmt_int(st, 1);
		out[cnt].score = stmt_double(st, 2);
		cnt++;
	}
	if (cnt < cap && rc != STORE_DONE) {
		stmt_reset(st);
		return store_fail(s, err, "get proposals");
	}
	stmt_reset(st);
	*n = cnt;
	return 0;
}

int mlfy_proposals_count_images(struct mlfy_store *s, int64_t model_id, int64_t *count,
				struct mlfy_err *err)
{
	static const char sql[] = "SELECT COUNT(DISTINCT image_id) FROM proposals WHERE model_id = ?1";
	struct store_stmt *st;

	*count = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, model_id);
	return store_query_i64(s, st, 0, count, "count proposals", err);
}

static const char SQL_SHOWN[] =
	"SELECT class_idx, rank FROM proposals WHERE image_id = ?1 AND model_id = ?2 ORDER BY rank LIMIT ?3";

int mlfy_proposals_shown(struct mlfy_store *s, int64_t image_id, int64_t model_id, struct mlfy_ivec *out,
			 int *top1, struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	out->n = 0;
	if (top1)
		*top1 = -1;
	STMT(st, SQL_SHOWN);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, model_id);
	stmt_bind_int(st, 3, MLFY_SHOWN_MAX);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (top1 && stmt_int(st, 1) == 0)
			*top1 = stmt_int(st, 0);
		if (mlfy_ivec_push(out, stmt_int(st, 0))) {
			stmt_reset(st);
			return mlfy_err_oom(err);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "read proposals");
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(int32_t), mlfy_cmp_i32);
	return 0;
}
