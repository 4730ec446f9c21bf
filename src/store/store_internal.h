/* store_internal.h - what the SQLite backend's files share; never include
 * this outside src/store. */
#ifndef MLFY_STORE_INTERNAL_H
#define MLFY_STORE_INTERNAL_H

#include <sqlite3.h>
#include "store/store.h"

struct mlfy_store {
	sqlite3 *db;
	char *path;
	int in_tx;        /* invariant: 1 iff this handle issued BEGIN without COMMIT/ROLLBACK */
	int readonly;
	struct {
		const char *sql;   /* key: the static SQL string's address */
		sqlite3_stmt *stmt;
	} cache[96];
	int n_cache;
};

/* Returns a prepared, reset statement for a static SQL string (cached by the
 * string's address; the caller must not finalize it).  NULL on error with the
 * message in err. */
sqlite3_stmt *store_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err);

/* Fills err from the connection's last error and returns MLFY_ESTORE (or
 * MLFY_ECONFLICT for constraint violations).  what names the operation. */
int store_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what);

/* Runs SQL with no results (may contain several statements). */
int store_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err);

/* Requires an open transaction for a write; returns MLFY_EINVAL otherwise. */
int store_require_tx(struct mlfy_store *s, struct mlfy_err *err, const char *what);

/* A read snapshot for a series of reads made outside a transaction: one
 * deferred BEGIN instead of a shared-lock round trip per statement, and
 * every read sees the same state.  *began is 1 when this call began it (then
 * end it with store_read_end); inside a transaction it does nothing. */
int store_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err);
void store_read_end(struct mlfy_store *s, int began);

/* A new copy (free()) of a text column, "" for NULL; NULL when out of memory. */
char *store_col_dup(sqlite3_stmt *st, int col);

/* Sets err to MLFY_ENOMEM "out of memory" and returns MLFY_ENOMEM. */
int store_oom(struct mlfy_err *err);

/* The forward migrations: migrations[i] brings the schema from version i to
 * i + 1.  Defined in schema.c. */
extern const char *const store_migrations[];
extern const int store_n_migrations;

/* For the clang static analyzer (make lint) only, as in util/error.h: it
 * cannot see into store.c, so it would assume these may return 0 and
 * report impossible paths after `return store_fail(...)`. */
#if defined(__clang_analyzer__) && !defined(MLFY_STORE_C)
#define store_fail(s, err, what) (store_fail((s), (err), (what)), MLFY_ESTORE)
#define store_oom(err) (store_oom(err), MLFY_ENOMEM)
#endif

#endif
