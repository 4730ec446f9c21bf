/* store.h - the project store: one SQLite file or one PostgreSQL database
 * per annotation project.
 *
 * This header is the storage interface of libmultilabelfy.  Nothing outside
 * src/store includes sqlite3.h or libpq-fe.h or writes SQL; every other
 * layer calls typed functions declared here and in the other
 * src/store/<area>.h headers.  Two engines behind one interface, chosen by
 * the project argument (dispatch.c): a file path is SQLite 3, the embedded
 * default (WAL journal, foreign_keys=ON, schema versioned by PRAGMA
 * user_version with forward migrations; docs/schema.md); a
 * postgresql:// or postgres:// URI is a PostgreSQL database (libpq; one
 * project per database, schema version in table mlfy_schema;
 * docs/schema.md, "PostgreSQL").  Callers only ever see struct mlfy_store
 * (opaque), MLFY_* status codes and plain C values.
 *
 * Threading: a struct mlfy_store is one connection and must be used by one
 * thread at a time.  Several connections (threads or processes, and on
 * PostgreSQL several machines) may open the same project concurrently;
 * writers serialise on BEGIN IMMEDIATE with a busy timeout (SQLite) or on a
 * transaction-level advisory lock taken at BEGIN (PostgreSQL).
 */
#ifndef MLFY_STORE_STORE_H
#define MLFY_STORE_STORE_H

#include <stdint.h>
#include "util/error.h"

struct mlfy_store;

/* The schema version this binary writes (PRAGMA user_version). */
#define MLFY_SCHEMA_VERSION 7

enum mlfy_store_flags {
	MLFY_STORE_CREATE = 1 << 0,   /* create a new project; fail if the file exists */
	MLFY_STORE_READONLY = 1 << 1, /* open read-only (no migrations are run) */
	/* with CREATE, PostgreSQL only: the transaction that creates the schema
	 * stays open (write lock held); the caller writes the project's first
	 * rows and calls mlfy_store_commit(), so a killed `mlfy init` leaves no
	 * half project (mlfy_store_close() rolls it all back) */
	MLFY_STORE_CREATE_OPEN_TX = 1 << 2,
};

/* Opens (or with MLFY_STORE_CREATE creates) the project at path and runs any
 * pending forward migrations in one transaction.  path is a file (SQLite)
 * or a libpq connection URI starting with postgresql:// or postgres://
 * (the database must exist; CREATE makes the project in it).  On success
 * *out is a new handle; close it with mlfy_store_close().  Errors:
 * MLFY_ENOTFOUND (no such project: a missing file, a database without
 * tables), MLFY_ECONFLICT (CREATE and the file exists / the database
 * already holds tables), MLFY_ESCHEMA (written by a newer mlfy),
 * MLFY_EINVAL (not an mlfy project), MLFY_EIO (cannot reach the database
 * server), MLFY_ESTORE.  Messages never show a password of the URI. */
int mlfy_store_open(const char *path, int flags, struct mlfy_store **out,
		    struct mlfy_err *err);

/* Closes the handle, rolling back an open transaction.  Accepts NULL. */
void mlfy_store_close(struct mlfy_store *s);

/* Path the store was opened with, with any password of a PostgreSQL URI
 * replaced by "***" (mlfy_store_redacted): fit for messages and logs
 * (borrowed; valid until close). */
const char *mlfy_store_path(const struct mlfy_store *s);

/* 1 when path names a PostgreSQL project (starts with postgresql:// or
 * postgres://), else 0 (a file: SQLite). */
int mlfy_store_is_pg(const char *path);

/* A copy of the project argument path fit for messages: for a PostgreSQL
 * URI the password of user:password@ and the value of every query
 * parameter whose name ends in "password" become "***"; a file path is
 * copied as is.  New string (free()), NULL when out of memory. */
char *mlfy_store_redacted(const char *path);

/* Transactions.  begin() takes the write lock at once (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: BEGIN and pg_advisory_xact_lock on a fixed key,
 * so writers serialise exactly alike and every read inside the transaction
 * sees the other writers' committed work) so a transaction never fails
 * half-way for lock reasons; every write in the library happens between
 * begin() and commit().  On PostgreSQL a failed statement aborts the whole
 * transaction: the caller rolls back (as every caller does on an error).
 * A commit whose connection is lost is MLFY_EIO and is never retried.
 * PostgreSQL, a lost connection (server restarted, backend terminated):
 * begin(), begin_read() and every read outside a transaction reconnect
 * (same URI, statements prepared again) and send their first command once
 * more when that command finds the connection lost, so they succeed once
 * the server is back; inside a transaction that ran a statement nothing is
 * retried (MLFY_EIO, "the change was not saved"; the caller rolls back),
 * nor is a commit.  While the server is down they fail with MLFY_EIO.
 * rollback() accepts a handle with no open transaction.  Nesting is not
 * supported (MLFY_EINVAL). */
int mlfy_store_begin(struct mlfy_store *s, struct mlfy_err *err);
int mlfy_store_commit(struct mlfy_store *s, struct mlfy_err *err);
void mlfy_store_rollback(struct mlfy_store *s);
/* 1 when a transaction is open on this handle. */
int mlfy_store_in_transaction(const struct mlfy_store *s);

/* Read snapshots.  begin_read() opens a read transaction and takes its
 * snapshot at once (PostgreSQL: REPEATABLE READ, READ ONLY): every read on this handle until end_read() sees the
 * project as it was at that moment, while other connections go on
 * committing (WAL readers never block writers), so a series of reads (a
 * report) is consistent.  Works on read-only handles.  Writes inside it
 * are refused (MLFY_EINVAL), and so are mlfy_store_begin() and a second
 * begin_read() (MLFY_EINVAL; also begin_read() inside a write transaction).
 * Errors: those, MLFY_ESTORE.  end_read() ends it; it accepts a handle
 * without a read transaction (and NULL). */
int mlfy_store_begin_read(struct mlfy_store *s, struct mlfy_err *err);
void mlfy_store_end_read(struct mlfy_store *s);

/* Runs fn(s, ctx, err) in a write transaction (committed when fn returns
 * 0, rolled back otherwise) or, with read_only, in a read snapshot (a dry
 * run: it works on a read-only handle and writes nothing).  Returns fn's
 * status, or the begin/commit error.  Call it outside a transaction. */
int mlfy_store_run(struct mlfy_store *s, int read_only, int (*fn)(struct mlfy_store *, void *, struct mlfy_err *),
		   void *ctx, struct mlfy_err *err);

/* Schema version found in the project (SQLite: PRAGMA user_version;
 * PostgreSQL: table mlfy_schema); -1 when it cannot be read. */
int mlfy_store_schema_version(struct mlfy_store *s);

/* Project metadata, a string key/value table.  get() returns a new string
 * (free with free()) in *value, or MLFY_ENOTFOUND.  set() needs an open
 * transaction (MLFY_EINVAL otherwise). */
int mlfy_store_meta_get(struct mlfy_store *s, const char *key, char **value,
			struct mlfy_err *err);
int mlfy_store_meta_set(struct mlfy_store *s, const char *key,
			const char *value, struct mlfy_err *err);

/* The engine's own integrity check: SQLite's PRAGMA integrity_check (0
 * when it reports "ok"); on PostgreSQL (which checks its pages itself) the
 * connection answers, the schema version is this binary's, and no
 * constraint is left unvalidated, no index invalid and no trigger of the
 * project disabled (the append-only history rests on them).  MLFY_ESTORE
 * with the first problem in err otherwise. */
int mlfy_store_integrity_check(struct mlfy_store *s, struct mlfy_err *err);

/* Current UTC time as ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void mlfy_store_now(char buf[32]);

#endif
