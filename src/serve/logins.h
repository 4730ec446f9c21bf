/* logins.h - the login queue of `mlfy serve` (logins.c): password checks
 * (argon2id, ~0.15 s and 64 MiB each) run on a thread of their own, never
 * on the worker threads that serve everyone else.  The login request's
 * connection is suspended (libmicrohttpd's suspend/resume) while its check
 * waits and runs; the queue is bounded in all and per client address, so
 * a flood of logins -- without an account, for fresh names -- costs the
 * other clients nothing but the one CPU core the checks use. */
#ifndef MLFY_SERVE_LOGINS_H
#define MLFY_SERVE_LOGINS_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "serve/state.h"
#include "store/accounts.h"
#include "util/error.h"

/* One queued password check.  Owned by the request (r->login) from
 * logins_submit until login_job_free. */
struct login_job {
	struct req *r;               /* the suspended request */
	char *user, *password;       /* copies; the password is wiped when freed */
	char addr[64];               /* client address (per-address limit) */
	int cancelled;               /* the server stopped before the check ran */
	int rc;                      /* mlfy_users_verify's result (when it ran) */
	int64_t wait;                /* > 0: throttled, no password checked; seconds to wait */
	int throttle_failed;         /* the throttle could not be read or written (err says why):
				      * the login is refused, whatever the password (fail closed) */
	struct mlfy_user u;          /* on rc == 0 */
	struct mlfy_err err;
	struct login_job *next;      /* queue link */
};

/* logins_submit results besides 0 */
#define LOGINS_FULL 1          /* the queue holds cfg.login_queue checks: answer 503 */
#define LOGINS_ADDR_FULL 2     /* this address has cfg.login_per_address pending: answer 503 too */

/* Starts the login thread.  0, or MLFY_ENOMEM/MLFY_EIO in err. */
int logins_start(struct mlfy_server *srv, struct mlfy_err *err);

/* Stops the login thread: the check in progress finishes, the queued ones
 * are cancelled (job->cancelled), and every suspended connection is
 * resumed, so that libmicrohttpd can be stopped (it must not be stopped
 * with suspended connections); later submissions are refused
 * (LOGINS_FULL).  Safe when logins_start never ran.  The queue's lock is
 * destroyed by the server after libmicrohttpd stopped. */
void logins_stop(struct mlfy_server *srv);

/* The login thread, per job: reads the throttle again (serve/ratelimit.h:
 * another instance, or a login of this one queued meanwhile, may have
 * started a delay), and only when it lets the login through checks the
 * password, then records the outcome (a right or wrong password) in one
 * write transaction under srv->write_mu.  A store error in either step sets
 * throttle_failed: the reply is then 503, and neither a count is lost nor
 * a password's rightness revealed.
 *
 * Queues the check of (user, password) for r and suspends r's connection;
 * call from the request handler and return MHD_YES.  When the check is
 * done (or cancelled) the connection is resumed and libmicrohttpd calls
 * the request handler again, which calls done(r) (r->resume); r->login
 * holds the result.  0, LOGINS_FULL, LOGINS_ADDR_FULL, or -1 when out of
 * memory (nothing queued, nothing suspended in those cases). */
int logins_submit(struct req *r, const char *user, const char *password, enum MHD_Result (*done)(struct req *));

/* Frees a job (NULL is fine), wiping the password. */
void login_job_free(struct login_job *job);

#endif
