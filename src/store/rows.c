/* rows.c - engine-neutral helpers over engine.h's statement calls: the row
 * collector every list-returning store function uses, integer column lists,
 * single-value queries, existence checks and statements without rows; and
 * running a step in a transaction or a read snapshot (mlfy_store_run).
 * One loop each, instead of one per caller. */
#include "store/engine.h"

#include <stdlib.h>
#include <string.h>

#include "util/vec.h"

int store_rows(struct mlfy_store *s, struct store_stmt *st, void *pitems, size_t *n, size_t elem,
	       store_row_fn fn, void *ctx, void (*release)(void *elem), const char *what,
	       struct mlfy_err *err)
{
	size_t first = *n, cap = *n, i;
	char *items;
	int rc;

	memcpy(&items, pitems, sizeof(items));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (mlfy_grow_(&items, &cap, *n + 1, elem)) {
			rc = mlfy_err_oom(err);
			goto fail;
		}
		memset(items + *n * elem, 0, elem);
		(*n)++;
		if ((rc = fn(st, items + (*n - 1) * elem, ctx, err)))
			goto fail;
	}
	stmt_reset(st);
	memcpy(pitems, &items, sizeof(items));
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, what);
		stmt_reset(st);
		goto fail_saved;
	}
	return 0;
fail:
	stmt_reset(st);
	memcpy(pitems, &items, sizeof(items));
fail_saved:
	for (i = first; release && i < *n; i++)
		release(items + i * elem);
	*n = first;
	return rc;
}

int store_list(struct mlfy_store *s, struct store_stmt *st, void *pitems, size_t *n, size_t elem,
	       store_row_fn fn, void *ctx, void (*release)(void *elem), const char *what,
	       struct mlfy_err *err)
{
	void *items = NULL;
	int rc;

	*n = 0;
	memcpy(pitems, &items, sizeof(items));
	if ((rc = store_rows(s, st, pitems, n, elem, fn, ctx, release, what, err))) {
		memcpy(&items, pitems, sizeof(items));
		free(items);
		items = NULL;
		memcpy(pitems, &items, sizeof(items));
	}
	return rc;
}

int store_row_i32(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	(void)err;
	*(int32_t *)elem = (int32_t)stmt_int64(st, 0);
	return 0;
}

int store_row_i64(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	(void)err;
	*(int64_t *)elem = stmt_int64(st, 0);
	return 0;
}

int store_rows_i32(struct mlfy_store *s, struct store_stmt *st, int32_t **out, size_t *n,
		   const char *what, struct mlfy_err *err)
{
	return STORE_ROWS(s, st, *out, n, store_row_i32, NULL, NULL, what, err);
}

int store_rows_i64(struct mlfy_store *s, struct store_stmt *st, int64_t **out, size_t *n,
		   const char *what, struct mlfy_err *err)
{
	return STORE_ROWS(s, st, *out, n, store_row_i64, NULL, NULL, what, err);
}

int store_query_i64(struct mlfy_store *s, struct store_stmt *st, int64_t def, int64_t *v,
		    const char *what, struct mlfy_err *err)
{
	int rc = stmt_step(st);
	if (rc == STORE_ROW)
		*v = stmt_int64(st, 0);   /* SQL NULL reads as 0 */
	else if (rc == STORE_DONE)
		*v = def;
	else {
		rc = store_fail(s, err, what);
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	return 0;
}

int store_scalar(struct mlfy_store *s, const char *sql, int64_t *v, const char *what, struct mlfy_err *err)
{
	struct store_stmt *st;

	*v = 0;
	STMT(st, sql);
	return store_query_i64(s, st, 0, v, what, err);
}

/* One step of st, reset afterwards: STORE_ROW, STORE_DONE, or the
 * store_fail code naming what. */
static int step_once(struct mlfy_store *s, struct store_stmt *st, const char *what, struct mlfy_err *err)
{
	int rc = stmt_step(st);
	if (rc == STORE_ERROR)
		rc = store_fail(s, err, what);
	stmt_reset(st);
	return rc;
}

int store_exists(struct mlfy_store *s, struct store_stmt *st, const char *what, struct mlfy_err *err)
{
	int rc = step_once(s, st, what, err);
	return rc < 0 ? rc : rc == STORE_ROW;
}

int store_step_done(struct mlfy_store *s, struct store_stmt *st, const char *what,
		    struct mlfy_err *err)
{
	int rc = step_once(s, st, what, err);
	return rc < 0 ? rc : 0;
}

int mlfy_store_run(struct mlfy_store *s, int read_only, int (*fn)(struct mlfy_store *, void *, struct mlfy_err *),
		   void *ctx, struct mlfy_err *err)
{
	int rc;

	if ((rc = read_only ? mlfy_store_begin_read(s, err) : mlfy_store_begin(s, err)))
		return rc;
	rc = fn(s, ctx, err);
	if (read_only)
		mlfy_store_end_read(s);
	else if (!rc)
		rc = mlfy_store_commit(s, err);
	if (rc && !read_only)
		mlfy_store_rollback(s);
	return rc;
}
