/* sqlite.c - the SQLite engine of the store: the only file of the project
 * that includes sqlite3.h.  Owns the connection (open/create, WAL and
 * foreign keys, forward migrations from sqlite_schema.c, the read-only
 * fallbacks), transactions, the statement cache and the statement calls of
 * engine.h, the translation of SQLite's errors into MLFY_* codes, and
 * SQLite's integrity check.  The tables' SQL lives in the family files. */
#define MLFY_STORE_ENGINE_C   /* no analyzer macros for store_fail here (engine.h) */
#include "store/engine.h"
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

struct mlfy_store {
	sqlite3 *db;
	char *path;
	int in_tx;        /* invariant: 1 iff this handle issued BEGIN without COMMIT/ROLLBACK */
	int in_read;      /* invariant: 1 iff mlfy_store_begin_read without mlfy_store_end_read
			   * (never together with in_tx) */
	int readonly;
	struct {
		const char *sql;   /* key: the static SQL string's address */
		sqlite3_stmt *stmt;
	} cache[96];
	int n_cache;
};

/* engine.h's statements are SQLite's: the cast is the whole adapter. */
#define RAW(st) ((sqlite3_stmt *)(void *)(st))
#define WRAP(st) ((struct store_stmt *)(void *)(st))

int store_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	int code = MLFY_ESTORE;   /* the store's own failure, never the caller's input */

	if ((rc & 0xff) == SQLITE_FULL ||
	    ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(s->db) == ENOSPC))
		return mlfy_err_set(err, MLFY_EIO, "%s: the disk is full (%s: %s); the change was not saved", s->path,
				    what, sqlite3_errmsg(s->db));
	if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE) {
		/* SQLite keeps no errno for these; EFBIG (a file-size limit)
		 * and EIO end here */
		int e = sqlite3_system_errno(s->db);
		return mlfy_err_set(err, MLFY_EIO,
				    "%s: cannot write to the disk (%s: %s%s%s): it may be full, failing, or over a "
				    "file-size limit; the change was not saved",
				    s->path, what, sqlite3_errmsg(s->db), e ? ": " : "", e ? strerror(e) : "");
	}
	if ((rc & 0xff) == SQLITE_READONLY)
		return mlfy_err_set(err, code,
				    "%s: cannot write: the project file or its folder is read-only (%s: %s); SQLite needs "
				    "write access to both (it keeps %s-wal and %s-shm beside the file)",
				    s->path, what, sqlite3_errmsg(s->db), s->path, s->path);
	return mlfy_err_set(err, code, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int store_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = store_fail(s, err, "sql");
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

int store_require_tx(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	if (!s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: internal error: write outside a transaction", what);
	return 0;
}

int store_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err)
{
	int rc;
	*began = 0;
	if (s->in_tx || !sqlite3_get_autocommit(s->db))
		return 0;
	if ((rc = store_exec(s, "BEGIN", err)))
		return rc;
	*began = 1;
	return 0;
}

void store_read_end(struct mlfy_store *s, int began)
{
	if (began)
		store_exec(s, "COMMIT", NULL);
}

struct store_stmt *store_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < s->n_cache; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return WRAP(s->cache[i].stmt);
		}
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, err, "prepare");
		return NULL;
	}
	if (s->n_cache < (int)(sizeof(s->cache) / sizeof(s->cache[0]))) {
		s->cache[s->n_cache].sql = sql;
		s->cache[s->n_cache].stmt = st;
		s->n_cache++;
		return WRAP(st);
	}
	/* cache full: evict the oldest entry */
	sqlite3_finalize(s->cache[0].stmt);
	memmove(&s->cache[0], &s->cache[1], sizeof(s->cache[0]) * (size_t)(s->n_cache - 1));
	s->cache[s->n_cache - 1].sql = sql;
	s->cache[s->n_cache - 1].stmt = st;
	return WRAP(st);
}

struct store_stmt *store_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, err, "prepare");
		return NULL;
	}
	return WRAP(st);
}

void store_stmt_close(struct store_stmt *st)
{
	sqlite3_finalize(RAW(st));
}

void stmt_bind_int(struct store_stmt *st, int i, int v)
{
	sqlite3_bind_int(RAW(st), i, v);
}

void stmt_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(RAW(st), i, (sqlite3_int64)v);
}

void stmt_bind_double(struct store_stmt *st, int i, double v)
{
	sqlite3_bind_double(RAW(st), i, v);
}

void stmt_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(RAW(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(RAW(st), i);
}

void stmt_bind_null(struct store_stmt *st, int i)
{
	sqlite3_bind_null(RAW(st), i);
}

int stmt_step(struct store_stmt *st)
{
	int rc = sqlite3_step(RAW(st));
	return rc == SQLITE_ROW ? STORE_ROW : rc == SQLITE_DONE ? STORE_DONE : STORE_ERROR;
}

void stmt_reset(struct store_stmt *st)
{
	sqlite3_reset(RAW(st));
}

int stmt_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int(RAW(st), col);
}

int64_t stmt_int64(struct store_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(RAW(st), col);
}

double stmt_double(struct store_stmt *st, int col)
{
	return sqlite3_column_double(RAW(st), col);
}

const char *stmt_text(struct store_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(RAW(st), col);
}

int stmt_is_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(RAW(st), col) == SQLITE_NULL;
}

char *stmt_dup(struct store_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(RAW(st), col);
	return strdup(t ? (const char *)t : "");
}

int64_t store_last_id(struct mlfy_store *s)
{
	return (int64_t)sqlite3_last_insert_rowid(s->db);
}

int64_t store_changes(struct mlfy_store *s)
{
	return sqlite3_changes(s->db);
}

const char *store_errmsg(struct mlfy_store *s)
{
	return sqlite3_errmsg(s->db);
}

int store_failed_constraint(struct mlfy_store *s)
{
	return (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT;
}

static int pragma_int(struct mlfy_store *s, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int mlfy_store_schema_version(struct mlfy_store *s)
{
	return pragma_int(s, "PRAGMA user_version");
}

static int migrate(struct mlfy_store *s, int created, struct mlfy_err *err)
{
	int version, i, rc;
	char sql[64];

	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	version = mlfy_store_schema_version(s);
	if (!created && version == 0) {
		/* an existing SQLite file that mlfy never wrote */
		store_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (no schema)", s->path);
	}
	if (!created && pragma_int(s, "PRAGMA application_id") != APPLICATION_ID) {
		store_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (foreign application id)", s->path);
	}
	if (version > store_n_migrations) {
		store_exec(s, "ROLLBACK", NULL);
		return mlfy_err_set(err, MLFY_ESCHEMA,
				    "%s: project schema version %d is newer than this mlfy supports (%d); upgrade mlfy",
				    s->path, version, store_n_migrations);
	}
	for (i = version; i < store_n_migrations; i++) {
		if ((rc = store_exec(s, store_migrations[i], err))) {
			store_exec(s, "ROLLBACK", NULL);
			return mlfy_err_prefix(err, "migration %d -> %d", i, i + 1);
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_n_migrations);
	if ((rc = store_exec(s, sql, err)) ||
	    (created && (rc = store_exec(s, "PRAGMA application_id = 1835820665", err)))) {
		store_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return store_exec(s, "COMMIT", err);
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
	int ec = sqlite3_extended_errcode(s->db) & 0xff;

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
	sqlite3_close_v2(s->db);
	s->db = db;
	sqlite3_extended_result_codes(s->db, 1);
	return pragma_int(s, "PRAGMA schema_version") < 0 ? -1 : 0;
}

int mlfy_store_open(const char *path, int flags, struct mlfy_store **out,
		    struct mlfy_err *err)
{
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

	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return mlfy_err_oom(err);
	}
	s->readonly = !!(flags & MLFY_STORE_READONLY);
	oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & MLFY_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: cannot open: %s", path,
				  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		mlfy_store_close(s);
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 10000);
	/* A file that is not SQLite fails on the first read. */
	readable = pragma_int(s, "PRAGMA schema_version") >= 0;
	if (!readable && s->readonly)   /* a read-only project in a read-only place */
		readable = reopen_immutable(s) == 0;
	if (!readable) {
		int ec = sqlite3_extended_errcode(s->db) & 0xff;
		if (ec == SQLITE_READONLY || ec == SQLITE_CANTOPEN || ec == SQLITE_PERM)
			/* e.g. a WAL project in a read-only folder: SQLite cannot
			 * create the -shm file it needs even to read */
			rc = mlfy_err_set(err, MLFY_EPERM,
					  "%s: cannot open the project (%s): the project file or its folder is read-only; "
					  "SQLite needs write access to both to change it (it keeps %s-wal and %s-shm beside "
					  "the file)", path, sqlite3_errmsg(s->db), path, path);
		else
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (%s)", path, sqlite3_errmsg(s->db));
		mlfy_store_close(s);
		return rc;
	}
	/* SQLite silently opens a write-protected file read-only */
	if (!s->readonly && sqlite3_db_readonly(s->db, "main") == 1) {
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
			why = mlfy_store_schema_version(s) <= 0 ? "no schema" : "foreign application id";
		if (why) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (%s)", path, why);
			mlfy_store_close(s);
			return rc;
		}
	}
	if (!s->readonly) {
		if ((rc = store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err))) {
			if (access(path, W_OK) != 0)
				rc = mlfy_err_set(err, MLFY_EPERM, "%s: project file is read-only (%s)", path,
						  strerror(errno));
			mlfy_store_close(s);
			if (flags & MLFY_STORE_CREATE)
				unlink(path);
			return rc;
		}
	}
	if ((rc = store_exec(s, "PRAGMA foreign_keys=ON;", err))) {
		mlfy_store_close(s);
		return rc;
	}
	if (s->readonly) {
		int v = mlfy_store_schema_version(s);
		if (v > store_n_migrations)
			rc = mlfy_err_set(err, MLFY_ESCHEMA,
					  "%s: project schema version %d is newer than this mlfy supports (%d); upgrade mlfy",
					  path, v, store_n_migrations);
		else if (v <= 0)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (no schema)", path);
		else if (v < store_n_migrations)
			rc = mlfy_err_set(err, MLFY_ESCHEMA,
					  "%s: project schema version %d is older than %d; open it read-write once to migrate",
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

void mlfy_store_close(struct mlfy_store *s)
{
	int i;
	if (!s)
		return;
	for (i = 0; i < s->n_cache; i++)
		sqlite3_finalize(s->cache[i].stmt);
	if (s->db) {
		if (s->in_tx || s->in_read)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	MLFY_FREE_ALL(s->path, s);
}

const char *mlfy_store_path(const struct mlfy_store *s)
{
	return s->path;
}

int mlfy_store_begin(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc;
	if (s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: nested transaction");
	if (s->in_read)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: write transaction inside a read snapshot");
	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)))
		return rc;
	s->in_tx = 1;
	return 0;
}

int mlfy_store_commit(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc, moved = 0;
	if (!s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: commit without a transaction");
	/* A project file renamed or deleted while open still takes commits,
	 * into an inode no later open of the path will find (and a renamed
	 * file's write-ahead log keeps the old name): such a commit would be
	 * acknowledged and then lost.  Refuse it. */
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_tx = 0;
		return mlfy_err_set(err, MLFY_EIO,
				    "%s: the project file was moved, renamed or deleted while in use; the change was not"
				    " saved (put the file back, or restart the command on its new name)", s->path);
	}
	rc = store_exec(s, "COMMIT", err);
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->in_tx = 0;
	return rc;
}

void mlfy_store_rollback(struct mlfy_store *s)
{
	if (!s || !s->in_tx)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

int mlfy_store_in_transaction(const struct mlfy_store *s)
{
	return s->in_tx;
}

int mlfy_store_begin_read(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc;
	if (s->in_tx || s->in_read)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: %s",
				    s->in_read ? "nested read snapshot" : "read snapshot inside a write transaction");
	/* a deferred BEGIN takes its snapshot at the first read: read now */
	if ((rc = store_exec(s, "BEGIN; SELECT count(*) FROM sqlite_master", err))) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->in_read = 1;
	return 0;
}

void mlfy_store_end_read(struct mlfy_store *s)
{
	if (!s || !s->in_read)
		return;
	/* nothing was written: ending it cannot lose anything */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_read = 0;
}

int mlfy_store_integrity_check(struct mlfy_store *s, struct mlfy_err *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "integrity check");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0)
			rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: %s", s->path, r ? r : "?");
	} else {
		rc = store_fail(s, err, "integrity check");
	}
	sqlite3_finalize(st);
	return rc;
}
