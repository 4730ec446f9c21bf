/* sqlite.c - the SQLite engine of the store (engine_ops.h): the only file
 * of the project that includes sqlite3.h.  Owns the connection
 * (open/create, WAL and foreign keys, forward migrations from
 * sqlite_schema.c, the read-only fallbacks), transactions, the statement
 * cache and the statement calls of engine.h, the translation of SQLite's
 * errors into MLFY_* codes, and SQLite's integrity check.  The tables' SQL
 * lives in the family files; dispatch.c dispatches to this file. */
#define MLFY_STORE_ENGINE_C   /* no analyzer macros for store_fail here (engine.h) */
#include "store/engine_ops.h"
#include "util/vec.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define APPLICATION_ID 0x6d6c6679 /* "mlfy" */

/* The forward migrations: store_migrations[i] brings the schema from
 * version i to i + 1 (sqlite_schema.c). */
extern const char *const store_migrations[];
extern const int store_n_migrations;

/* A statement: SQLite's, behind the dispatch pointer. */
struct lite_stmt {
	struct store_stmt base;
	sqlite3_stmt *raw;
};

struct lite_store {
	struct mlfy_store base;   /* first: the handle dispatch.c sees */
	sqlite3 *db;
	struct {
		const char *sql;   /* key: the static SQL string's address */
		struct lite_stmt *stmt;
	} cache[96];
	int n_cache;
};

#define LITE(s) ((struct lite_store *)(void *)(s))
#define DB(s) (LITE(s)->db)
#define RAW(st) (((struct lite_stmt *)(void *)(st))->raw)

static const struct store_engine_ops lite_ops;
static const struct store_stmt_ops lite_stmt_ops;

static int lite_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(DB(s));
	int code = MLFY_ESTORE;   /* the store's own failure, never the caller's input */

	if ((rc & 0xff) == SQLITE_FULL ||
	    ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(DB(s)) == ENOSPC))
		return mlfy_err_set(err, MLFY_EIO, "%s: the disk is full (%s: %s); the change was not saved", s->path,
				    what, sqlite3_errmsg(DB(s)));
	if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE) {
		/* SQLite keeps no errno for these; EFBIG (a file-size limit)
		 * and EIO end here */
		int e = sqlite3_system_errno(DB(s));
		return mlfy_err_set(err, MLFY_EIO,
				    "%s: cannot write to the disk (%s: %s%s%s): it may be full, failing, or over a "
				    "file-size limit; the change was not saved",
				    s->path, what, sqlite3_errmsg(DB(s)), e ? ": " : "", e ? strerror(e) : "");
	}
	if ((rc & 0xff) == SQLITE_READONLY)
		return mlfy_err_set(err, code,
				    "%s: cannot write: the project file or its folder is read-only (%s: %s); SQLite needs "
				    "write access to both (it keeps %s-wal and %s-shm beside the file)",
				    s->path, what, sqlite3_errmsg(DB(s)), s->path, s->path);
	return mlfy_err_set(err, code, "%s: %s: %s", s->path, what, sqlite3_errmsg(DB(s)));
}

static int lite_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(DB(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = lite_fail(s, err, "sql");
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static int lite_idle(struct mlfy_store *s)
{
	return sqlite3_get_autocommit(DB(s));
}

/* A new statement object for sql, or NULL (err filled). */
static struct lite_stmt *lite_prepare(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	struct lite_stmt *st = malloc(sizeof(*st));
	if (!st) {
		mlfy_err_oom(err);
		return NULL;
	}
	st->base.ops = &lite_stmt_ops;
	if (sqlite3_prepare_v2(DB(s), sql, -1, &st->raw, NULL) != SQLITE_OK) {
		lite_fail(s, err, "prepare");
		free(st);
		return NULL;
	}
	return st;
}

static void lite_stmt_close(struct store_stmt *st)
{
	sqlite3_finalize(RAW(st));
	free(st);
}

static struct store_stmt *lite_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	struct lite_store *l = LITE(s);
	struct lite_stmt *st;
	int i;

	for (i = 0; i < l->n_cache; i++) {
		if (l->cache[i].sql == sql) {
			sqlite3_reset(l->cache[i].stmt->raw);
			sqlite3_clear_bindings(l->cache[i].stmt->raw);
			return &l->cache[i].stmt->base;
		}
	}
	if (!(st = lite_prepare(s, sql, err)))
		return NULL;
	if (l->n_cache < (int)(sizeof(l->cache) / sizeof(l->cache[0]))) {
		l->cache[l->n_cache].sql = sql;
		l->cache[l->n_cache].stmt = st;
		l->n_cache++;
		return &st->base;
	}
	/* cache full: evict the oldest entry */
	lite_stmt_close(&l->cache[0].stmt->base);
	memmove(&l->cache[0], &l->cache[1], sizeof(l->cache[0]) * (size_t)(l->n_cache - 1));
	l->cache[l->n_cache - 1].sql = sql;
	l->cache[l->n_cache - 1].stmt = st;
	return &st->base;
}

static struct store_stmt *lite_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	struct lite_stmt *st = lite_prepare(s, sql, err);
	return st ? &st->base : NULL;
}

static void lite_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(RAW(st), i, (sqlite3_int64)v);
}

static void lite_bind_double(struct store_stmt *st, int i, double v)
{
	sqlite3_bind_double(RAW(st), i, v);
}

static void lite_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(RAW(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(RAW(st), i);
}

static int lite_step(struct store_stmt *st)
{
	int rc = sqlite3_step(RAW(st));
	return rc == SQLITE_ROW ? STORE_ROW : rc == SQLITE_DONE ? STORE_DONE : STORE_ERROR;
}

static void lite_reset(struct store_stmt *st)
{
	sqlite3_reset(RAW(st));
}

static int64_t lite_col_int64(struct store_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(RAW(st), col);
}

static double lite_col_double(struct store_stmt *st, int col)
{
	return sqlite3_column_double(RAW(st), col);
}

static const char *lite_col_text(struct store_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(RAW(st), col);
}

static int lite_col_is_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(RAW(st), col) == SQLITE_NULL;
}

static int64_t lite_last_id(struct mlfy_store *s)
{
	return (int64_t)sqlite3_last_insert_rowid(DB(s));
}

static int64_t lite_changes(struct mlfy_store *s)
{
	return sqlite3_changes(DB(s));
}

static const char *lite_errmsg(struct mlfy_store *s)
{
	return sqlite3_errmsg(DB(s));
}

static int lite_failed_constraint(struct mlfy_store *s)
{
	return (sqlite3_extended_errcode(DB(s)) & 0xff) == SQLITE_CONSTRAINT;
}

static int pragma_int(struct mlfy_store *s, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(DB(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int lite_schema_version(struct mlfy_store *s)
{
	return pragma_int(s, "PRAGMA user_version");
}

static int migrate(struct mlfy_store *s, int created, struct mlfy_err *err)
{
	int version, i, rc;
	char sql[64];

	if ((rc = lite_exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	version = lite_schema_version(s);
	if (!created && version == 0) {
		/* an existing SQLite file that mlfy never wrote */
		lite_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (no schema)", s->path);
	}
	if (!created && pragma_int(s, "PRAGMA application_id") != APPLICATION_ID) {
		lite_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (foreign application id)", s->path);
	}
	if (version > store_n_migrations) {
		lite_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_ESCHEMA,
				    "%s: project schema version %d is newer than this mlfy supports (%d); upgrade mlfy",
				    s->path, version, store_n_migrations);
	}
	for (i = version; i < store_n_migrations; i++) {
		if ((rc = lite_exec(s, store_migrations[i], err))) {
			lite_exec(s, "ROLLBACK", NULL);
			return mlfy_err_prefix(err, "migration %d -> %d", i, i + 1);
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_n_migrations);
	if ((rc = lite_exec(s, sql, err)) ||
	    (created && (rc = lite_exec(s, "PRAGMA application_id = 1835820665", err)))) {
		lite_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return lite_exec(s, "COMMIT", err);
}

/* Read-only opens of a WAL project that SQLite cannot give a -shm file (a
 * read-only file, or a read-only folder): reopens it with the URI
 * parameter immutable=1 (https://sqlite.org/uri.html), which reads the
 * file without any locking or -shm.  Only when no -wal file with content
 * exists beside it: immutable ignores the WAL, so committed changes still
 * in a WAL would be silently missed.  Returns 0 when the project can now
 * be read, -1 otherwise (s unchanged or reopened: the caller's next read
 * reports the error). */
static int reopen_immutable(struct mlfy_store *s)
{
	char wal[4096], *uri, *q;
	struct stat st;
	const unsigned char *p;
	sqlite3 *db = NULL;
	int ec = sqlite3_extended_errcode(DB(s)) & 0xff;

	if (ec != SQLITE_READONLY && ec != SQLITE_CANTOPEN)
		return -1;
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", s->path) >= sizeof(wal) ||
	    (stat(wal, &st) == 0 && st.st_size > 0))
		return -1;
	if (!(uri = malloc(3 * strlen(s->path) + 32)))
		return -1;
	q = uri + sprintf(uri, "file:");
	for (p = (const unsigned char *)s->path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/._-~", *p))
			*q++ = (char)*p;
		else
			q += sprintf(q, "%%%02X", *p);
	}
	strcpy(q, "?immutable=1");
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close_v2(db);
		free(uri);
		return -1;
	}
	free(uri);
	sqlite3_close_v2(DB(s));
	DB(s) = db;
	sqlite3_extended_result_codes(DB(s), 1);
	return pragma_int(s, "PRAGMA schema_version") < 0 ? -1 : 0;
}

int lite_store_open(const char *path, int flags, struct mlfy_store **out, struct mlfy_err *err)
{
	struct lite_store *l;
	struct mlfy_store *s;
	struct stat st;
	int exists = stat(path, &st) == 0;
	int oflags, rc, readable;

	*out = NULL;
	if ((flags & MLFY_STORE_CREATE) && exists)
		return mlfy_err_set(err, MLFY_ECONFLICT, "%s: already exists", path);
	if (!(flags & MLFY_STORE_CREATE) && !exists)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no such project (create it with 'mlfy init')", path);
	if (exists && !S_ISREG(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a regular file", path);

	if (!(l = calloc(1, sizeof(*l))))
		return mlfy_err_oom(err);
	s = &l->base;
	if ((rc = store_base_init(s, &lite_ops, path, flags, err))) {
		store_base_free(s);
		return rc;
	}
	oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & MLFY_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &DB(s), oflags, NULL) != SQLITE_OK) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: cannot open: %s", path,
				  DB(s) ? sqlite3_errmsg(DB(s)) : "out of memory");
		mlfy_store_close(s);
		return rc;
	}
	sqlite3_extended_result_codes(DB(s), 1);
	sqlite3_busy_timeout(DB(s), 10000);
	/* A file that is not SQLite fails on the first read. */
	readable = pragma_int(s, "PRAGMA schema_version") >= 0;
	if (!readable && s->readonly)   /* a read-only project in a read-only place */
		readable = reopen_immutable(s) == 0;
	if (!readable) {
		int ec = sqlite3_extended_errcode(DB(s)) & 0xff;
		if (ec == SQLITE_READONLY || ec == SQLITE_CANTOPEN || ec == SQLITE_PERM)
			/* e.g. a WAL project in a read-only folder: SQLite cannot
			 * create the -shm file it needs even to read */
			rc = mlfy_err_set(err, MLFY_EPERM,
					  "%s: cannot open the project (%s): the project file or its folder is read-only; "
					  "SQLite needs write access to both to change it (it keeps %s-wal and %s-shm beside "
					  "the file)", path, sqlite3_errmsg(DB(s)), path, path);
		else
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (%s)", path, sqlite3_errmsg(DB(s)));
		mlfy_store_close(s);
		return rc;
	}
	/* SQLite silently opens a write-protected file read-only */
	if (!s->readonly && sqlite3_db_readonly(DB(s), "main") == 1) {
		rc = mlfy_err_set(err, MLFY_EPERM, "%s: project file is read-only (no write permission)", path);
		mlfy_store_close(s);
		return rc;
	}
	/* An existing file must be a project before anything is written to
	 * it (journal_mode=WAL below rewrites the header): an empty file or
	 * another program's SQLite database is left exactly as it was. */
	if (exists && !(flags & MLFY_STORE_CREATE)) {
		const char *why = NULL;
		if (st.st_size == 0)
			why = "empty file";
		else if (pragma_int(s, "PRAGMA application_id") != APPLICATION_ID)
			why = lite_schema_version(s) <= 0 ? "no schema" : "foreign application id";
		if (why) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (%s)", path, why);
			mlfy_store_close(s);
			return rc;
		}
	}
	if (!s->readonly) {
		if ((rc = lite_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err))) {
			if (access(path, W_OK) != 0)
				rc = mlfy_err_set(err, MLFY_EPERM, "%s: project file is read-only (%s)", path,
						  strerror(errno));
			mlfy_store_close(s);
			if (flags & MLFY_STORE_CREATE)
				unlink(path);
			return rc;
		}
	}
	if ((rc = lite_exec(s, "PRAGMA foreign_keys=ON;", err))) {
		mlfy_store_close(s);
		return rc;
	}
	if (s->readonly) {
		int v = lite_schema_version(s);
		if (v > store_n_migrations)
			rc = mlfy_err_set(err, MLFY_ESCHEMA,
					  "%s: project schema version %d is newer than this mlfy supports (%d); upgrade mlfy",
					  path, v, store_n_migrations);
		else if (v <= 0)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (no schema)", path);
		else if (v < store_n_migrations)
			rc = mlfy_err_set(err, MLFY_ESCHEMA,
					  "%s: project schema version %d is older than %d: run 'mlfy upgrade PROJECT' (a backup first)",
					  path, v, store_n_migrations);
		if (rc) {
			mlfy_store_close(s);
			return rc;
		}
	} else if ((rc = migrate(s, !!(flags & MLFY_STORE_CREATE), err))) {
		mlfy_store_close(s);
		if (flags & MLFY_STORE_CREATE) {
			char aux[4096];
			unlink(path);
			snprintf(aux, sizeof(aux), "%s-wal", path);
			unlink(aux);
			snprintf(aux, sizeof(aux), "%s-shm", path);
			unlink(aux);
		}
		return rc;
	}
	*out = s;
	return 0;
}

static void lite_close(struct mlfy_store *s)
{
	struct lite_store *l = LITE(s);
	int i;
	for (i = 0; i < l->n_cache; i++)
		lite_stmt_close(&l->cache[i].stmt->base);
	if (l->db) {
		if (s->in_tx || s->in_read)
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(l->db);
	}
}

static int lite_begin(struct mlfy_store *s, struct mlfy_err *err)
{
	return lite_exec(s, "BEGIN IMMEDIATE", err);
}

static int lite_commit(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc, moved = 0;
	/* A project file renamed or deleted while open still takes commits,
	 * into an inode no later open of the path will find (and a renamed
	 * file's write-ahead log keeps the old name): such a commit would be
	 * acknowledged and then lost.  Refuse it. */
	if (sqlite3_file_control(DB(s), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
		sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
		return mlfy_err_set(err, MLFY_EIO,
				    "%s: the project file was moved, renamed or deleted while in use; the change was not"
				    " saved (put the file back, or restart the command on its new name)", s->path);
	}
	rc = lite_exec(s, "COMMIT", err);
	if (rc)
		sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void lite_rollback(struct mlfy_store *s)
{
	sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
}

static int lite_begin_read(struct mlfy_store *s, int snapshot_now, struct mlfy_err *err)
{
	int rc;
	if (!snapshot_now)
		return lite_exec(s, "BEGIN", err);
	/* a deferred BEGIN takes its snapshot at the first read: read now */
	if ((rc = lite_exec(s, "BEGIN; SELECT count(*) FROM sqlite_master", err))) {
		if (!sqlite3_get_autocommit(DB(s)))
			sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

static int lite_integrity_check(struct mlfy_store *s, struct mlfy_err *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(DB(s), "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return lite_fail(s, err, "integrity check");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0)
			rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: %s", s->path, r ? r : "?");
	} else {
		rc = lite_fail(s, err, "integrity check");
	}
	sqlite3_finalize(st);
	return rc;
}

static const struct store_stmt_ops lite_stmt_ops = {
	.bind_int64 = lite_bind_int64,
	.bind_double = lite_bind_double,
	.bind_text = lite_bind_text,
	.step = lite_step,
	.reset = lite_reset,
	.col_int64 = lite_col_int64,
	.col_double = lite_col_double,
	.col_text = lite_col_text,
	.col_is_null = lite_col_is_null,
	.close = lite_stmt_close,
};

static const struct store_engine_ops lite_ops = {
	.dialect = STORE_SQLITE,
	.stmt = lite_stmt,
	.stmt_open = lite_stmt_open,
	.last_id = lite_last_id,
	.changes = lite_changes,
	.failed_constraint = lite_failed_constraint,
	.errmsg = lite_errmsg,
	.fail = lite_fail,
	.exec = lite_exec,
	.idle = lite_idle,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.begin_read = lite_begin_read,
	.schema_version = lite_schema_version,
	.integrity_check = lite_integrity_check,
	.close = lite_close,
};
