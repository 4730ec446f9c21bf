/* meta.c - the project's key/value metadata (table meta) and the store's
 * clock (store.h).  Engine-neutral: runs its SQL through engine.h. */
#include "store/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int mlfy_store_meta_get(struct mlfy_store *s, const char *key, char **value,
			struct mlfy_err *err)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
	struct store_stmt *st;
	int rc;

	*value = NULL;
	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*value = stmt_dup(st, 0);
		stmt_reset(st);
		return *value ? 0 : mlfy_err_oom(err);
	}
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no meta key '%s'", mlfy_store_path(s), key);
	return store_fail(s, err, "meta get");
}

int mlfy_store_meta_set(struct mlfy_store *s, const char *key,
			const char *value, struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO meta(key, value) VALUES (?1, ?2)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "meta set")))
		return rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, key);
	stmt_bind_text(st, 2, value);
	return store_step_done(s, st, "meta set", err);
}

void mlfy_store_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
