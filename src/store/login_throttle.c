/* login_throttle.c - the SQL of the login_throttle table
 * (login_throttle.h): get, upsert, delete, prune and cap. */
#include "store/login_throttle.h"

#include <string.h>
#include "store/engine.h"

int mlfy_throttle_get(struct mlfy_store *s, const char *key, struct mlfy_throttle_row *row, int *found,
		      struct mlfy_err *err)
{
	static const char sql[] = "SELECT fails, until_at, last_at FROM login_throttle WHERE key = ?1";
	struct store_stmt *st;
	int rc;

	memset(row, 0, sizeof(*row));
	*found = 0;
	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		row->fails = stmt_int(st, 0);
		row->until = stmt_int64(st, 1);
		row->last = stmt_int64(st, 2);
		*found = 1;
	}
	stmt_reset(st);
	if (rc == STORE_ERROR)
		return store_fail(s, err, "login throttle read");
	return 0;
}

int mlfy_throttle_put(struct mlfy_store *s, const char *key, const struct mlfy_throttle_row *row,
		      struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO login_throttle(key, fails, until_at, last_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT(key) DO UPDATE SET fails = excluded.fails, until_at = excluded.until_at,"
		" last_at = excluded.last_at";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "login throttle write")))
		return rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	stmt_bind_int(st, 2, row->fails);
	stmt_bind_int64(st, 3, row->until);
	stmt_bind_int64(st, 4, row->last);
	return store_step_done(s, st, "login throttle write", err);
}

int mlfy_throttle_delete(struct mlfy_store *s, const char *key, struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM login_throttle WHERE key = ?1";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "login throttle delete")))
		return rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	return store_step_done(s, st, "login throttle delete", err);
}

int mlfy_throttle_prune(struct mlfy_store *s, int64_t now, int64_t idle_before, int64_t cap, int64_t *deleted,
			struct mlfy_err *err)
{
	static const char old_sql[] = "DELETE FROM login_throttle WHERE last_at < ?1 AND until_at <= ?2";
	static const char count_sql[] = "SELECT COUNT(*) FROM login_throttle";
	/* the eviction order of the former in-memory table (ratelimit.c):
	 * rows that refuse nothing now first, oldest failure first; then the
	 * delays that end first */
	static const char cap_sql[] =
		"DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle"
		" ORDER BY CASE WHEN until_at > ?1 THEN 1 ELSE 0 END,"
		" CASE WHEN until_at > ?1 THEN until_at ELSE last_at END, key LIMIT ?2)";
	struct store_stmt *st;
	int64_t n = 0, gone;
	int rc;

	if (deleted)
		*deleted = 0;
	if ((rc = store_require_tx(s, err, "login throttle prune")))
		return rc;
	STMT(st, old_sql);
	stmt_bind_int64(st, 1, idle_before);
	stmt_bind_int64(st, 2, now);
	if ((rc = store_step_done(s, st, "login throttle prune", err)))
		return rc;
	gone = store_changes(s);
	if ((rc = store_scalar(s, count_sql, &n, "login throttle count", err)))
		return rc;
	if (n > cap) {
		STMT(st, cap_sql);
		stmt_bind_int64(st, 1, now);
		stmt_bind_int64(st, 2, n - cap);
		if ((rc = store_step_done(s, st, "login throttle cap", err)))
			return rc;
		gone += store_changes(s);
	}
	if (deleted)
		*deleted = gone;
	return 0;
}

int mlfy_throttle_count(struct mlfy_store *s, int64_t *n, struct mlfy_err *err)
{
	return store_scalar(s, "SELECT COUNT(*) FROM login_throttle", n, "login throttle count", err);
}
