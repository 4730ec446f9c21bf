/* decisions.c - the tables decision_basis and reopenings (decisions.h):
 * the annotations each decision rested on, and the append-only audit of
 * reopened images. */
#include "store/decisions.h"
#include "store/engine.h"
#include "util/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static const char SQL_BASIS_GET[] =
	"SELECT annotation_id FROM decision_basis WHERE image_id = ?1 ORDER BY annotation_id";

int mlfy_decision_basis_get(struct mlfy_store *s, int64_t image_id, int64_t **ids, size_t *n,
			    struct mlfy_err *err)
{
	struct store_stmt *st;

	*ids = NULL;
	*n = 0;
	STMT(st, SQL_BASIS_GET);
	stmt_bind_int64(st, 1, image_id);
	return store_list_i64(s, st, ids, n, "read decision basis", err);
}

/* ids sorted without repeats into a new array *out (NULL when n == 0). */
static int unique_sorted(const int64_t *ids, size_t n, int64_t **out, size_t *n_out, struct mlfy_err *err)
{
	size_t i, k = 0;

	*out = NULL;
	*n_out = 0;
	if (!n)
		return 0;
	if (!(*out = malloc(n * sizeof(**out))))
		return mlfy_err_oom(err);
	memcpy(*out, ids, n * sizeof(**out));
	qsort(*out, n, sizeof(**out), cmp_i64);
	for (i = 0; i < n; i++)
		if (!k || (*out)[k - 1] != (*out)[i])
			(*out)[k++] = (*out)[i];
	*n_out = k;
	return 0;
}

static const char SQL_BASIS_DEL[] = "DELETE FROM decision_basis WHERE image_id = ?1";
static const char SQL_BASIS_INS[] = "INSERT INTO decision_basis(image_id, annotation_id) VALUES (?1, ?2)";

int mlfy_decision_basis_set(struct mlfy_store *s, int64_t image_id, const int64_t *ids, size_t n,
			    int *changed, struct mlfy_err *err)
{
	int64_t *want = NULL, *have = NULL;
	size_t n_want = 0, n_have = 0, i;
	struct store_stmt *st;
	int rc;

	if (changed)
		*changed = 0;
	if ((rc = store_require_tx(s, err, "decision basis")))
		return rc;
	if ((rc = unique_sorted(ids, n, &want, &n_want, err)))
		return rc;
	if ((rc = mlfy_decision_basis_get(s, image_id, &have, &n_have, err)))
		goto out;
	if (n_have == n_want && (!n_want || !memcmp(have, want, n_want * sizeof(*want))))
		goto out;
	if (!(st = store_stmt(s, SQL_BASIS_DEL, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	stmt_bind_int64(st, 1, image_id);
	if ((rc = store_step_done(s, st, "clear decision basis", err)))
		goto out;
	for (i = 0; i < n_want; i++) {
		if (!(st = store_stmt(s, SQL_BASIS_INS, err))) {
			rc = err ? err->code : MLFY_ESTORE;
			goto out;
		}
		stmt_bind_int64(st, 1, image_id);
		stmt_bind_int64(st, 2, want[i]);
		if ((rc = store_step_done(s, st, "record decision basis", err)))
			goto out;
	}
	if (changed)
		*changed = 1;
out:
	MLFY_FREE_ALL(want, have);
	return rc;
}

void mlfy_reopening_release(struct mlfy_reopening *r)
{
	if (!r)
		return;
	MLFY_FREE_ALL(r->by, r->reason, r->stage, r->labels, r->decided_at, r->queue_reason, r->basis);
	memset(r, 0, sizeof(*r));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_reopenings_free, struct mlfy_reopening, mlfy_reopening_release)

static const char SQL_REOPEN_INS[] =
	"INSERT INTO reopenings(image_id, reopened_by, reason, reopened_at, stage, labels, annotation_id,"
	" decided_at, queue_reason, basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

static void bind_text_or_null(struct store_stmt *st, int i, const char *v)
{
	if (v)
		stmt_bind_text(st, i, v);
	else
		stmt_bind_null(st, i);
}

int mlfy_reopening_add(struct mlfy_store *s, const struct mlfy_reopening *r, int64_t *id,
		       struct mlfy_err *err)
{
	struct store_stmt *st;
	char now[32];
	int rc;

	if ((rc = store_require_tx(s, err, "reopen")))
		return rc;
	mlfy_store_now(now);
	STMT(st, SQL_REOPEN_INS);
	stmt_bind_int64(st, 1, r->image_id);
	stmt_bind_text(st, 2, r->by ? r->by : "");
	stmt_bind_text(st, 3, r->reason ? r->reason : "");
	stmt_bind_text(st, 4, now);
	stmt_bind_text(st, 5, r->stage ? r->stage : "queued");
	stmt_bind_text(st, 6, r->labels ? r->labels : "");
	if (r->annotation_id)
		stmt_bind_int64(st, 7, r->annotation_id);
	else
		stmt_bind_null(st, 7);
	bind_text_or_null(st, 8, r->decided_at);
	bind_text_or_null(st, 9, r->queue_reason);
	stmt_bind_text(st, 10, r->basis ? r->basis : "");
	if ((rc = store_step_done(s, st, "record reopening", err)))
		return rc;
	if (id)
		*id = store_last_id(s);
	STMT(st, SQL_BASIS_DEL);
	stmt_bind_int64(st, 1, r->image_id);
	return store_step_done(s, st, "clear decision basis", err);
}

static const char SQL_REOPEN_LIST[] =
	"SELECT id, image_id, reopened_by, reason, reopened_at, stage, labels, COALESCE(annotation_id, 0),"
	" decided_at, queue_reason, basis FROM reopenings WHERE ?1 = 0 OR image_id = ?1 ORDER BY id";

static int reopening_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	struct mlfy_reopening *r = elem;
	const char *at = stmt_text(st, 4);
	(void)ctx;
	r->id = stmt_int64(st, 0);
	r->image_id = stmt_int64(st, 1);
	r->annotation_id = stmt_int64(st, 7);
	snprintf(r->at, sizeof(r->at), "%s", at ? at : "");
	if (!(r->by = stmt_dup(st, 2)) || !(r->reason = stmt_dup(st, 3)) || !(r->stage = stmt_dup(st, 5)) ||
	    !(r->labels = stmt_dup(st, 6)) || (!stmt_is_null(st, 8) && !(r->decided_at = stmt_dup(st, 8))) ||
	    (!stmt_is_null(st, 9) && !(r->queue_reason = stmt_dup(st, 9))) || !(r->basis = stmt_dup(st, 10)))
		return mlfy_err_oom(err);
	return 0;
}

int mlfy_reopenings_list(struct mlfy_store *s, int64_t image_id, struct mlfy_reopening **out, size_t *n,
			 struct mlfy_err *err)
{
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, SQL_REOPEN_LIST);
	stmt_bind_int64(st, 1, image_id);
	return STORE_LIST(s, st, *out, n, reopening_row, NULL, mlfy_reopening_release_any, "list reopenings", err);
}
