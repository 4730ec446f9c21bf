/* livewait.h - the long poll of the console's live view (livewait.c):
 * GET /api/admin/live?after=SEQ&wait=S answers as soon as the project's
 * change sequence (the highest final_changes.seq) differs from SEQ -- with
 * the live view, as GET /api/admin/live does -- or after S seconds with
 * {"changed": false, "seq": SEQ}.  The change may come from any instance
 * on the project: one thread per server follows the sequence through the
 * database (store/live_watch.h: LISTEN/NOTIFY on PostgreSQL, PRAGMA
 * data_version every LIVEWAIT_TICK_MS on SQLite) for every waiting request.
 * A waiting request's connection is suspended (as logins.h does), so it
 * holds no worker thread; at most LIVEWAIT_MAX wait at once (503 past it). */
#ifndef MLFY_SERVE_LIVEWAIT_H
#define MLFY_SERVE_LIVEWAIT_H

#include <microhttpd.h>
#include <stdint.h>

#include "serve/state.h"

#define LIVEWAIT_MAX 64          /* waiting requests per server */
#define LIVEWAIT_MAX_S 30        /* longest wait= accepted (deploy/nginx-mlfy.conf: proxy_read_timeout 120 s) */
#define LIVEWAIT_DEFAULT_S 25    /* wait= when absent */
#define LIVEWAIT_TICK_MS 200     /* the watcher's period: SQLite's check, PostgreSQL's poll timeout */
#define LIVEWAIT_IDLE_S 10       /* the watcher closes its connection after this long without a waiter */

/* One waiting request.  Owned by the waiters' list while suspended, then
 * by the request (r->lwait) until freed by the reply or livewait_free. */
struct live_waiter {
	struct req *r;
	int64_t after;               /* the client's sequence */
	int64_t seq;                 /* the sequence when answered */
	int64_t deadline_ms;         /* CLOCK_MONOTONIC ms */
	int changed;                 /* the sequence passed after */
	int failed;                  /* the watch failed (the store): 503 */
	int cancelled;               /* the server is stopping: 503 */
	enum MHD_Result (*fresh)(struct req *r);   /* replies with the live view */
	struct live_waiter *next;
};

/* Starts the watcher thread (it opens its store connection only once a
 * request waits, and closes it after LIVEWAIT_IDLE_S s without one).  0, or MLFY_EIO in err. */
int livewait_start(struct mlfy_server *srv, struct mlfy_err *err);

/* Stops the thread and resumes every waiting request (they answer 503),
 * so that libmicrohttpd can stop.  Safe when livewait_start never ran;
 * server.c destroys the lock afterwards (livewait_destroy). */
void livewait_stop(struct mlfy_server *srv);
void livewait_destroy(struct mlfy_server *srv);

/* The route's long-poll half (from h_admin_live when ?after= is given):
 * parses after (a sequence number >= 0, else 400) and wait (0 to
 * LIVEWAIT_MAX_S s, default LIVEWAIT_DEFAULT_S, else 400); replies with
 * fresh(r) at once when the store's sequence differs from after, with "no
 * change" at once when wait is 0, else suspends the request (503 when
 * LIVEWAIT_MAX already wait). */
enum MHD_Result livewait_begin(struct req *r, enum MHD_Result (*fresh)(struct req *r));

/* Frees a waiter no longer in the list (NULL is fine): server.c's
 * completion callback. */
void livewait_free(struct live_waiter *w);

#endif
