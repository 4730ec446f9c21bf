/* backup.h - an online copy of a SQLite project (`mlfy backup`), made with
 * SQLite's online backup API (sqlite3_backup_init/step/finish,
 * https://sqlite.org/backup.html) while servers keep saving into it.
 *
 * How (store/sqlite_backup.c):
 *   1. the project is opened read-only on a connection of its own and a
 *      read transaction is started on it: its snapshot is the copy's
 *      content.  In WAL mode (every mlfy project) a reader never blocks a
 *      writer, so servers go on committing meanwhile; because the snapshot
 *      is held from step to step, their commits never restart the copy
 *      (the backup API restarts when a step sees the source changed);
 *   2. pages are copied step_pages at a time into a new temporary file in
 *      DEST's folder (".NAME.backup-XXXXXX", mode 0600: a project holds
 *      password hashes), with pause_ms between steps;
 *   3. the copy is checked on its own connection (PRAGMA integrity_check,
 *      the application id and schema version of the source), closed,
 *      fsync'd, linked to DEST (refused when DEST appeared meanwhile) and
 *      the folder fsync'd.  DEST is thus either absent or complete and
 *      checked, never partial; on any failure the temporary file is
 *      removed.
 * Every save committed before step 1 is in the copy; saves committed
 * after it are not (they are in the project).
 */
#ifndef MLFY_STORE_BACKUP_H
#define MLFY_STORE_BACKUP_H

#include <signal.h>
#include <stdint.h>
#include "util/error.h"

struct mlfy_progress;

struct mlfy_backup_opts {
	int step_pages;    /* pages per sqlite3_backup_step, >= 1 (default 1024: 4 MiB of 4 KiB pages) */
	int pause_ms;      /* milliseconds to sleep between steps, >= 0 (default 0): spares the disk */
	/* non-zero stops the copy between steps (MLFY_EINTR, nothing left
	 * behind); may be NULL */
	volatile sig_atomic_t *cancel;
	struct mlfy_progress *progress;   /* pages copied out of the total; may be NULL */
};

/* What a finished backup copied. */
struct mlfy_backup_summary {
	int64_t pages;        /* pages of the copy */
	int64_t page_size;    /* bytes per page */
	int64_t bytes;        /* size of DEST in bytes (pages x page_size) */
	int64_t steps;        /* sqlite3_backup_step calls */
	int64_t restarts;     /* times the copy started over (0 expected: the snapshot is held) */
	int schema_version;   /* the project's schema version (PRAGMA user_version) */
	double seconds;       /* wall-clock time of the whole backup, check included */
	double copy_seconds;  /* of which the copy itself */
};

/* Defaults: step_pages 1024, pause_ms 0, no cancel flag, no progress. */
void mlfy_backup_opts_init(struct mlfy_backup_opts *o);

/* Copies the SQLite project at project into the new file dest, as above.
 * o may be NULL (the defaults); sum (may be NULL) is filled on success.
 * Errors (err names the file first): MLFY_EINVAL (project or dest is a
 * postgresql:// URI -- PostgreSQL projects are backed up with pg_dump,
 * docs/deploy.md; dest is the project or one of its -wal/-shm/-journal
 * companions; project is not an mlfy project; bad options),
 * MLFY_ENOTFOUND (no project file), MLFY_ECONFLICT (dest exists, or
 * appeared during the copy), MLFY_EIO (dest's folder missing or not
 * writable, a write, fsync or link failed), MLFY_ESTORE (SQLite failed;
 * the copy failed its integrity check), MLFY_EINTR (o->cancel was set),
 * MLFY_ENOMEM. */
int mlfy_backup(const char *project, const char *dest, const struct mlfy_backup_opts *o,
		struct mlfy_backup_summary *sum, struct mlfy_err *err);

#endif
