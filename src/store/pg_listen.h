/* pg_listen.h - LISTEN/NOTIFY on a PostgreSQL handle, for
 * store/live_watch.c: no libpq type crosses this header.  Only for a
 * handle whose store_dialect is STORE_PG.  pg_listen.c implements them in
 * the PostgreSQL module (store-pg.so); the rest of the store calls them
 * through store_pg_listen / store_pg_listen_wait (dispatch.c), which reach
 * the module's table (engine_ops.h). */
#ifndef MLFY_STORE_PG_LISTEN_H
#define MLFY_STORE_PG_LISTEN_H

#include "store/store.h"

/* Starts listening on channel (an SQL identifier, not quoted) on the
 * handle's connection, outside any transaction.  0, or MLFY_ESTORE /
 * MLFY_EIO with err filled. */
int pg_listen(struct mlfy_store *s, const char *channel, struct mlfy_err *err);
int store_pg_listen(struct mlfy_store *s, const char *channel, struct mlfy_err *err);

/* Waits at most timeout_ms for a notification on any channel the handle
 * listens on (all pending ones are consumed).  *notified is 1 when at
 * least one arrived (or when the connection was re-made since pg_listen,
 * which lost the LISTEN: the caller must then call pg_listen again and
 * re-read what it follows), else 0.  0, or MLFY_EIO for a lost connection
 * (err filled). */
int pg_listen_wait(struct mlfy_store *s, int timeout_ms, int *notified, struct mlfy_err *err);
int store_pg_listen_wait(struct mlfy_store *s, int timeout_ms, int *notified, struct mlfy_err *err);

#endif
