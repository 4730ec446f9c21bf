/* engine.h - the store's engine interface: everything a table-family file
 * of src/store (catalog.c, accounts.c, annotations.c, queue.c, ...) may use
 * to run its SQL, and nothing more.  Never include this outside src/store.
 *
 * Layout of src/store: each family file owns the SQL of its tables, written
 * as static strings at the point of use with ?N placeholders, and runs it
 * through the calls below; it never sees the engine's own types.  Two
 * engines implement this header (dispatch.c picks one per handle by the
 * project argument, engine_ops.h): SQLite (sqlite.c, with sqlite_schema.c)
 * for a file, PostgreSQL (pg.c and pg_stmt.c, with pg_schema.c) for a
 * postgresql:// URI.  Where a family's SQL differs between the dialects,
 * the family picks one of two static strings with STORE_SQL below.
 * Callers outside src/store never change, since they only see struct
 * mlfy_store (opaque), the typed functions of the family headers, and
 * MLFY_* status codes.
 *
 * PostgreSQL in brief (docs/architecture.md, "The two engines of the
 * store"): ?N placeholders work unchanged (they become $N), values are sent
 * as text with their types inferred by the server (a parameter whose type
 * cannot be inferred needs a CAST in the SQL), store_last_id is the id the
 * INSERT returned, and a failed statement aborts the whole transaction, so
 * after an error the caller rolls back.
 *
 * Statements: store_stmt() returns a prepared statement for a static SQL
 * string, cached per connection (by the string's address) and already
 * reset with its bindings cleared; the caller binds, steps, reads columns
 * and resets it, and never frees it.  store_stmt_open() returns one the
 * caller owns (for cursors that stay open across other statements); free
 * it with store_stmt_close().
 *
 * Errors: stmt_step() returns STORE_ERROR without filling an error; the
 * caller then returns store_fail(s, err, "what it was doing"), which turns
 * the engine's last error into a code and a message: MLFY_EIO for a full or
 * failing disk or a lost connection to the database server, MLFY_ESTORE
 * for everything else (a read-only project file, a constraint the caller
 * did not expect, a corrupt file...).  Both mean
 * "the store failed", never "the request was wrong", so the web server
 * answers them 500 and keeps the message, which starts with the project
 * path (a URI with its password as ***) and quotes the engine, in its log.  A family function that expects a
 * constraint to fail on bad input (a duplicate name, an unknown class)
 * checks store_failed_constraint() and reports MLFY_ECONFLICT itself with a
 * message naming the input.
 */
#ifndef MLFY_STORE_ENGINE_H
#define MLFY_STORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"
#include "util/error.h"

/* A prepared statement of the engine (opaque). */
struct store_stmt;

/* ---- dialects ------------------------------------------------------------- */

/* The engine behind a handle, for the few statements whose SQL differs
 * between SQLite and PostgreSQL. */
enum store_dialect { STORE_SQLITE = 0, STORE_PG = 1 };
enum store_dialect store_dialect(const struct mlfy_store *s);
/* the SQL string for this handle's engine: both must be static strings (the cache key) */
#define STORE_SQL(s, lite, pg) (store_dialect(s) == STORE_PG ? (pg) : (lite))

/* stmt_step results: positive and distinct from 0 and from every MLFY_*
 * code (all <= 0), so a variable may hold either kind without ambiguity. */
enum { STORE_ERROR = 1, STORE_ROW = 100, STORE_DONE = 101 };

/* ---- statements ---------------------------------------------------------- */

/* The cached statement for sql (a static string: the cache is keyed by its
 * address), reset and with no bindings.  NULL on error, message in err. */
struct store_stmt *store_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err);

/* A statement the caller owns (not cached): close it with store_stmt_close
 * (accepts NULL).  NULL on error, message in err. */
struct store_stmt *store_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
void store_stmt_close(struct store_stmt *st);

/* Binds parameter i (1-based, as ?i in the SQL).  Text is copied; a NULL
 * text binds SQL NULL. */
void stmt_bind_int(struct store_stmt *st, int i, int v);
void stmt_bind_int64(struct store_stmt *st, int i, int64_t v);
void stmt_bind_double(struct store_stmt *st, int i, double v);
void stmt_bind_text(struct store_stmt *st, int i, const char *v);
void stmt_bind_null(struct store_stmt *st, int i);

/* Runs the statement to its next row: STORE_ROW, STORE_DONE, or
 * STORE_ERROR (then store_fail tells why). */
int stmt_step(struct store_stmt *st);

/* Makes the statement ready to run again (keeps its bindings). */
void stmt_reset(struct store_stmt *st);

/* Column col (0-based) of the current row.  stmt_text is borrowed until
 * the next step or reset, NULL for SQL NULL; stmt_dup returns a new copy
 * (free()), "" for NULL, or NULL when out of memory. */
int stmt_int(struct store_stmt *st, int col);
int64_t stmt_int64(struct store_stmt *st, int col);
double stmt_double(struct store_stmt *st, int col);
const char *stmt_text(struct store_stmt *st, int col);
int stmt_is_null(struct store_stmt *st, int col);
char *stmt_dup(struct store_stmt *st, int col);

/* The statement macro every family file uses: var = the cached statement
 * for sql on the handle `s`, or return the error code from the enclosing
 * function (which must have `s` and `err` in scope and return int). */
#define STMT(var, sql)                                            \
	do {                                                      \
		if (!((var) = store_stmt(s, (sql), err)))         \
			return err ? err->code : MLFY_ESTORE;     \
	} while (0)

/* ---- connection ----------------------------------------------------------- */

/* Id of the row the last successful INSERT on this handle created. */
int64_t store_last_id(struct mlfy_store *s);
/* Rows changed by the last INSERT/UPDATE/DELETE on this handle. */
int64_t store_changes(struct mlfy_store *s);
/* 1 when this handle's last error was a constraint violation (UNIQUE,
 * FOREIGN KEY, CHECK), so a caller can name the duplicate itself. */
int store_failed_constraint(struct mlfy_store *s);

/* The engine's text for the handle's last error (borrowed, until the next
 * call on the handle). */
const char *store_errmsg(struct mlfy_store *s);

/* Fills err from the handle's last error and returns MLFY_ESTORE or
 * MLFY_EIO (see the header comment); what names the operation. */
int store_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what);

/* Runs SQL with no results (may hold several statements). */
int store_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err);

/* Writes need an open transaction: 0, or MLFY_EINVAL naming what. */
int store_require_tx(struct mlfy_store *s, struct mlfy_err *err, const char *what);

/* A read snapshot for a series of reads made outside a transaction: one
 * deferred BEGIN instead of a lock round trip per statement, and every read
 * sees the same state.  *began is 1 when this call began it (end it with
 * store_read_end); inside a transaction it does nothing. */
int store_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err);
void store_read_end(struct mlfy_store *s, int began);

/* ---- rows (rows.c: engine-neutral helpers over the calls above) ------------ */

/* Fills one element from the statement's current row: 0, or an MLFY_* code
 * (err filled).  It may leave the element partly filled on failure: the
 * collector then releases it. */
typedef int (*store_row_fn)(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err);

/* The row collector: steps st (bound by the caller) to its end and appends
 * one zero-initialised element of elem bytes per row to the array *pitems
 * (a T ** holding *n elements; may be NULL with *n == 0), filled by fn.
 * Resets st in every case.  On failure every element collected by this call
 * (the one being filled included) is released with release (may be NULL
 * for plain elements), earlier elements are kept, and the MLFY_* code is
 * returned (store_fail naming what for an engine error).  Grows the array
 * as util/vec.h does, so collecting n rows costs O(n). */
int store_rows(struct mlfy_store *s, struct store_stmt *st, void *pitems, size_t *n, size_t elem,
	       store_row_fn fn, void *ctx, void (*release)(void *elem), const char *what,
	       struct mlfy_err *err);
#define STORE_ROWS(s, st, items, n, fn, ctx, release, what, err) \
	store_rows((s), (st), &(items), (n), sizeof(*(items)), (fn), (ctx), (release), (what), (err))

/* store_rows into a new array: *pitems and *n are reset first, and on
 * failure the array is freed and *pitems is NULL again. */
int store_list(struct mlfy_store *s, struct store_stmt *st, void *pitems, size_t *n, size_t elem,
	       store_row_fn fn, void *ctx, void (*release)(void *elem), const char *what,
	       struct mlfy_err *err);
#define STORE_LIST(s, st, items, n, fn, ctx, release, what, err) \
	store_list((s), (st), &(items), (n), sizeof(*(items)), (fn), (ctx), (release), (what), (err))

/* Column 0 of every row as int32 / int64 appended to *out (a new or growing
 * array, free()); st reset in every case.  On failure *out keeps what was
 * there before the call's rows. */
int store_rows_i32(struct mlfy_store *s, struct store_stmt *st, int32_t **out, size_t *n,
		   const char *what, struct mlfy_err *err);
int store_rows_i64(struct mlfy_store *s, struct store_stmt *st, int64_t **out, size_t *n,
		   const char *what, struct mlfy_err *err);
/* The same into a new array (STORE_LIST): *out and *n reset first; on
 * failure *out is freed and NULL again, *n 0. */
#define store_list_i32(s, st, out, n, what, err) STORE_LIST(s, st, *(out), n, store_row_i32, NULL, NULL, what, err)
#define store_list_i64(s, st, out, n, what, err) STORE_LIST(s, st, *(out), n, store_row_i64, NULL, NULL, what, err)
/* The row functions behind them: column 0 as int32 / int64. */
int store_row_i32(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err);
int store_row_i64(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err);

/* Runs a single-row query: *v = column 0 of its row (0 for SQL NULL), def
 * when there is no row.  st is reset. */
int store_query_i64(struct mlfy_store *s, struct store_stmt *st, int64_t def, int64_t *v,
		    const char *what, struct mlfy_err *err);

/* store_query_i64 for a static SQL string without parameters (a count, a
 * maximum): *v = its value, 0 when there is no row. */
int store_scalar(struct mlfy_store *s, const char *sql, int64_t *v, const char *what, struct mlfy_err *err);

/* 1 when the query finds a row, 0 when not, a negative MLFY_* code on
 * error.  st is reset. */
int store_exists(struct mlfy_store *s, struct store_stmt *st, const char *what, struct mlfy_err *err);

/* Runs a statement that returns no rows (INSERT/UPDATE/DELETE); 0 or the
 * store_fail code.  st is reset. */
int store_step_done(struct mlfy_store *s, struct store_stmt *st, const char *what,
		    struct mlfy_err *err);

/* For the clang static analyzer (make lint) only, as in util/error.h: it
 * cannot see into sqlite.c / rows.c, so it would assume these may return 0
 * and report impossible paths after `return store_fail(...)`. */
#if defined(__clang_analyzer__) && !defined(MLFY_STORE_ENGINE_C)
#define store_fail(s, err, what) (store_fail((s), (err), (what)), MLFY_ESTORE)
#endif

#endif
