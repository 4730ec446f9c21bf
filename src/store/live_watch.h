/* live_watch.h - following the project's change sequence (the highest
 * final_changes.seq, store/live_input.h) across processes, cheaply
 * (live_watch.c), for the live view's long poll (serve/livewait.c).
 *
 * A watch owns one store connection of its own.  On PostgreSQL it LISTENs
 * on channel mlfy_changes, which a trigger notifies at the commit of every
 * transaction that wrote final_changes (schema 7, store/pg_schema.c), and
 * reads the sequence only when notified (and every LIVE_WATCH_RECHECK_MS
 * anyway).  On SQLite it asks PRAGMA data_version (one integer from the
 * file's header, changed by any other connection's commit) at every wait,
 * and reads the sequence only when it changed.  No write, ever. */
#ifndef MLFY_STORE_LIVE_WATCH_H
#define MLFY_STORE_LIVE_WATCH_H

#include <stdint.h>
#include "store/store.h"

/* PostgreSQL: the sequence is read again at least this often even without
 * a notification (a safety net; notifications are not lost while the
 * connection lives) */
#define LIVE_WATCH_RECHECK_MS 5000

struct mlfy_live_watch;

/* Opens a watch on project (a file or a postgresql:// URI, as
 * mlfy_store_open takes it) and reads the current sequence.  0 with *out
 * set (free with mlfy_live_watch_close), or the store's error. */
int mlfy_live_watch_open(const char *project, struct mlfy_live_watch **out, struct mlfy_err *err);

/* Waits for a sign of change: on PostgreSQL at most timeout_ms for a
 * notification; on SQLite it sleeps timeout_ms, then checks data_version.
 * *seq receives the highest final_changes.seq as last read (read again
 * when a sign came).  0, or MLFY_EIO / MLFY_ESTORE (a lost connection):
 * close the watch and open a new one. */
int mlfy_live_watch_wait(struct mlfy_live_watch *w, int timeout_ms, int64_t *seq, struct mlfy_err *err);

/* Closes the watch (NULL is fine). */
void mlfy_live_watch_close(struct mlfy_live_watch *w);

#endif
