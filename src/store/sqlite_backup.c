/* sqlite_backup.c - `mlfy backup`'s library half (backup.h): an online copy
 * of a SQLite project with SQLite's backup API, from a held read snapshot
 * into a temporary file beside DEST, checked, fsync'd and linked into
 * place.  One of the two files of the project that include sqlite3.h (the
 * other is the engine, sqlite.c): the backup API works on raw connections,
 * not on the statement interface of engine.h. */
#include "store/backup.h"
#include "store/store.h"
#include "util/file.h"
#include "util/outfile.h"
#include "util/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define APPLICATION_ID 0x6d6c6679 /* "mlfy", as store/sqlite.c writes it */
#define BUSY_RETRIES 200          /* x 50 ms: 10 s, as the engine's busy timeout */

void mlfy_backup_opts_init(struct mlfy_backup_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->step_pages = 1024;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The work of one backup: the names and the open things to release. */
struct job {
	const char *project, *dest;
	char *dir;          /* DEST's folder */
	char *tmp;          /* the temporary file, NULL once gone or linked */
	sqlite3 *src, *dst;
	sqlite3_backup *b;
};

/* One integer of a pragma or query on db; -1 when it fails. */
static int64_t query_i64(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Removes the temporary file and what SQLite may have left beside it. */
static void remove_tmp(struct job *j)
{
	static const char *const companions[] = { "-journal", "-wal", "-shm" };
	char *p;
	size_t i, n;

	if (!j->tmp)
		return;
	unlink(j->tmp);
	n = strlen(j->tmp) + 16;
	if ((p = malloc(n))) {
		for (i = 0; i < sizeof(companions) / sizeof(companions[0]); i++) {
			snprintf(p, n, "%s%s", j->tmp, companions[i]);
			unlink(p);
		}
		free(p);
	}
	free(j->tmp);
	j->tmp = NULL;
}

static void release(struct job *j)
{
	if (j->b)
		sqlite3_backup_finish(j->b);
	sqlite3_close_v2(j->dst);
	sqlite3_close_v2(j->src);
	remove_tmp(j);
	free(j->dir);
}

/* Sets err from the SQLite connection db (naming what failed) and returns
 * code, with SQLite's message. */
static int fail_db(struct mlfy_err *err, int code, sqlite3 *db, const char *name, const char *what)
{
	int ec = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
	if ((ec & 0xff) == SQLITE_FULL ||
	    ((ec & 0xff) == SQLITE_IOERR && db && sqlite3_system_errno(db) == ENOSPC))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s: the disk is full (%s); no backup was written", name,
				    what, sqlite3_errmsg(db));
	if ((ec & 0xff) == SQLITE_IOERR)
		code = MLFY_EIO;
	return mlfy_err_set(err, code, "%s: %s: %s", name, what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* Checks the names and creates the temporary file: fills j->dir, j->tmp. */
static int prepare(struct job *j, const struct mlfy_backup_opts *o, struct mlfy_err *err)
{
	struct stat st;
	const char *slash, *base;
	int fd;
	size_t n;

	if (mlfy_store_is_pg(j->project)) {
		char *shown = mlfy_store_redacted(j->project);
		mlfy_err_set(err, MLFY_EINVAL,
			     "%s: a PostgreSQL project is backed up with PostgreSQL's own tools: pg_dump "
			     "--format=custom --file=FILE 'URI' (and pg_restore), see docs/deploy.md",
			     shown ? shown : "the project");
		free(shown);
		return err->code;
	}
	if (mlfy_store_is_pg(j->dest))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a backup is a file: DEST must be a file name, not a "
				    "PostgreSQL URI", j->project);
	if (o->step_pages < 1 || o->pause_ms < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "backup: step_pages must be >= 1 and pause_ms >= 0");
	if (stat(j->project, &st) != 0)
		return errno == ENOENT ? mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no such project file", j->project)
				       : mlfy_err_set(err, MLFY_EIO, "%s: %s", j->project, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a project file (not a regular file)", j->project);
	if (mlfy_path_protected(j->dest, j->project))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: is the project file or one of its companions (-wal, -shm, "
				    "-journal); choose another name for the backup", j->dest);
	if (lstat(j->dest, &st) == 0)
		return mlfy_err_set(err, MLFY_ECONFLICT, "%s: already exists; a backup never replaces a file (choose "
				    "a new name, or remove the old one first)", j->dest);
	slash = strrchr(j->dest, '/');
	base = slash ? slash + 1 : j->dest;
	if (!*base)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: names a folder; give the backup's file name", j->dest);
	if (!slash)
		j->dir = strdup(".");
	else
		j->dir = slash == j->dest ? strdup("/") : strndup(j->dest, (size_t)(slash - j->dest));
	n = strlen(j->dest) + 32;
	if (!j->dir || !(j->tmp = malloc(n)))
		return mlfy_err_oom(err);
	snprintf(j->tmp, n, "%s/.%s.backup-XXXXXX", j->dir, base);
	if ((fd = mkstemp(j->tmp)) < 0) {
		int e = errno;
		free(j->tmp);
		j->tmp = NULL;
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create a file in the folder %s: %s", j->dest, j->dir,
				    strerror(e));
	}
	close(fd);
	return 0;
}

/* Opens the project read-only and starts the read transaction whose
 * snapshot is copied; checks that it is an mlfy project.  Fills *version
 * and *pages (the snapshot's page count). */
static int open_source(struct job *j, int *version, int64_t *pages, struct mlfy_err *err)
{
	int rc;

	rc = sqlite3_open_v2(j->project, &j->src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return fail_db(err, MLFY_ESTORE, j->src, j->project, "cannot open the project");
	sqlite3_extended_result_codes(j->src, 1);
	sqlite3_busy_timeout(j->src, 10000);
	/* BEGIN is deferred: the first read takes the snapshot, which the
	 * read transaction then keeps until the copy is done */
	if (sqlite3_exec(j->src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    query_i64(j->src, "SELECT count(*) FROM sqlite_master") < 0) {
		if ((sqlite3_extended_errcode(j->src) & 0xff) == SQLITE_NOTADB)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (not a SQLite file)", j->project);
		return fail_db(err, MLFY_ESTORE, j->src, j->project, "cannot read the project");
	}
	*version = (int)query_i64(j->src, "PRAGMA user_version");
	*pages = query_i64(j->src, "PRAGMA page_count");
	if (query_i64(j->src, "PRAGMA application_id") != APPLICATION_ID || *version <= 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (%s)", j->project,
				    *version <= 0 ? "no schema" : "foreign application id");
	return 0;
}

/* Copies the snapshot into the temporary file, step by step. */
static int copy(struct job *j, const struct mlfy_backup_opts *o, int64_t pages, struct mlfy_backup_summary *sum,
		struct mlfy_err *err)
{
	int rc, busy = 0;
	int64_t prev_remaining = -1;

	if (sqlite3_open_v2(j->tmp, &j->dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return fail_db(err, MLFY_EIO, j->dst, j->dest, "cannot open the temporary file");
	sqlite3_extended_result_codes(j->dst, 1);
	/* a private temporary file, removed on any failure and fsync'd once
	 * at the end: no journal, no sync per step */
	if (sqlite3_exec(j->dst, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "cannot set up the copy");
	if (!(j->b = sqlite3_backup_init(j->dst, "main", j->src, "main")))
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "cannot start the backup");
	mlfy_progress_set_total(o->progress, pages);
	for (;;) {
		int64_t remaining, count;

		if (o->cancel && *o->cancel)
			return mlfy_err_set(err, MLFY_EINTR, "%s: interrupted; no backup was written", j->dest);
		rc = sqlite3_backup_step(j->b, o->step_pages);
		sum->steps++;
		remaining = sqlite3_backup_remaining(j->b);
		count = sqlite3_backup_pagecount(j->b);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++busy > BUSY_RETRIES)
				return fail_db(err, MLFY_ESTORE, j->src, j->project,
					       "the project stayed locked for 10 s");
			sqlite3_sleep(50);
			continue;
		}
		busy = 0;
		if (rc != SQLITE_OK && rc != SQLITE_DONE) {
			/* the error is the destination's (a full disk) or the source's */
			sqlite3 *db = sqlite3_errcode(j->dst) != SQLITE_OK ? j->dst : j->src;
			return fail_db(err, MLFY_ESTORE, db, db == j->dst ? j->dest : j->project,
				       "the copy failed");
		}
		if (prev_remaining >= 0 && remaining > prev_remaining)
			sum->restarts++;
		prev_remaining = remaining;
		mlfy_progress_update(o->progress, count - remaining);
		if (rc == SQLITE_DONE)
			break;
		if (o->pause_ms > 0)
			sqlite3_sleep(o->pause_ms);
	}
	rc = sqlite3_backup_finish(j->b);
	j->b = NULL;
	if (rc != SQLITE_OK)
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "the copy failed");
	mlfy_progress_finish(o->progress);
	/* the snapshot is no longer needed: let the servers checkpoint */
	sqlite3_close_v2(j->src);
	j->src = NULL;
	if (sqlite3_close(j->dst) != SQLITE_OK)
		return fail_db(err, MLFY_EIO, j->dst, j->dest, "cannot close the copy");
	j->dst = NULL;
	return 0;
}

/* Opens the finished copy afresh and checks it: SQLite's integrity check,
 * the source's application id and schema version.  Fills the sizes. */
static int check_copy(struct job *j, int version, struct mlfy_backup_summary *sum, struct mlfy_err *err)
{
	sqlite3_stmt *st = NULL;
	char first[512] = "";
	int rc, n = 0;

	if (sqlite3_open_v2(j->tmp, &j->dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "cannot open the copy");
	sqlite3_extended_result_codes(j->dst, 1);
	if (sqlite3_prepare_v2(j->dst, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "integrity check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (n++ == 0)
			snprintf(first, sizeof(first), "%s", t ? t : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail_db(err, MLFY_ESTORE, j->dst, j->dest, "integrity check");
	if (n != 1 || strcmp(first, "ok"))
		return mlfy_err_set(err, MLFY_ESTORE, "%s: the copy failed SQLite's integrity check (%s); no backup "
				    "was written", j->dest, first);
	if (query_i64(j->dst, "PRAGMA application_id") != APPLICATION_ID ||
	    query_i64(j->dst, "PRAGMA user_version") != version)
		return mlfy_err_set(err, MLFY_ESTORE, "%s: the copy's application id or schema version differs from "
				    "the project's; no backup was written", j->dest);
	sum->pages = query_i64(j->dst, "PRAGMA page_count");
	sum->page_size = query_i64(j->dst, "PRAGMA page_size");
	sum->schema_version = version;
	if (sqlite3_close(j->dst) != SQLITE_OK)
		return fail_db(err, MLFY_EIO, j->dst, j->dest, "cannot close the copy");
	j->dst = NULL;
	return 0;
}

/* fsyncs the copy and puts it at DEST without ever replacing a file. */
static int publish(struct job *j, struct mlfy_backup_summary *sum, struct mlfy_err *err)
{
	char wal[4200];
	struct stat st;
	int e;

	/* a clean close leaves no WAL beside the copy; one with content
	 * would hold pages that the file alone lacks */
	snprintf(wal, sizeof(wal), "%s-wal", j->tmp);
	if (stat(wal, &st) == 0 && st.st_size > 0)
		return mlfy_err_set(err, MLFY_ESTORE, "%s: the copy kept a write-ahead log; no backup was written",
				    j->dest);
	if ((e = mlfy_fsync_path(j->tmp, 0)))
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot fsync the copy: %s; no backup was written", j->dest,
				    strerror(e));
	if (stat(j->tmp, &st) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", j->tmp, strerror(errno));
	sum->bytes = (int64_t)st.st_size;
	/* link() fails with EEXIST instead of replacing a DEST made meanwhile
	 * (rename() would replace it) */
	if (link(j->tmp, j->dest) != 0) {
		e = errno;
		if (e == EEXIST)
			return mlfy_err_set(err, MLFY_ECONFLICT, "%s: appeared during the backup; it was left alone and "
					    "no backup was written", j->dest);
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create it: %s; no backup was written", j->dest,
				    strerror(e));
	}
	remove_tmp(j);
	if ((e = mlfy_fsync_path(j->dir, 1)))
		return mlfy_err_set(err, MLFY_EIO, "%s: written, but its folder %s could not be fsync'd: %s", j->dest,
				    j->dir, strerror(e));
	return 0;
}

int mlfy_backup(const char *project, const char *dest, const struct mlfy_backup_opts *o,
		struct mlfy_backup_summary *sum, struct mlfy_err *err)
{
	struct mlfy_backup_opts defaults;
	struct mlfy_backup_summary s;
	struct job j;
	double t0 = now_s();
	int rc, version = 0;
	int64_t pages = 0;

	if (!o) {
		mlfy_backup_opts_init(&defaults);
		o = &defaults;
	}
	memset(&s, 0, sizeof(s));
	memset(&j, 0, sizeof(j));
	j.project = project;
	j.dest = dest;
	if (!project || !dest)
		return mlfy_err_set(err, MLFY_EINVAL, "backup: a project and a destination are needed");
	if (!(rc = prepare(&j, o, err)) && !(rc = open_source(&j, &version, &pages, err)) &&
	    !(rc = copy(&j, o, pages, &s, err))) {
		s.copy_seconds = now_s() - t0;
		if (!(rc = check_copy(&j, version, &s, err)))
			rc = publish(&j, &s, err);
	}
	release(&j);
	s.seconds = now_s() - t0;
	if (!rc && sum)
		*sum = s;
	return rc;
}
