/* ratelimit.h - login throttling per (user name, client address) and per
 * client address across user names (ratelimit.c): the rule, written once,
 * over state kept in the store (store/login_throttle.h), so that every
 * `mlfy serve` instance on a project shares one count and a restart keeps
 * it.  No HTTP here: auth.c and logins.c call it. */
#ifndef MLFY_SERVE_RATELIMIT_H
#define MLFY_SERVE_RATELIMIT_H

#include <stdint.h>

#include "store/login_throttle.h"
#include "store/store.h"
#include "util/error.h"

#define RL_FREE_TRIES 5        /* failures allowed before delays start */
#define RL_BASE_DELAY 30       /* seconds after the RL_FREE_TRIES-th failure; doubles */
#define RL_MAX_DELAY 900       /* seconds */
#define RL_ADDR_FREE_TRIES 20  /* failures from one address, any names, before delays start */
#define RL_ADDR_WINDOW 600     /* seconds without a failure after which an address's count restarts */
#define RL_IDLE_FORGET RL_MAX_DELAY /* a row whose delay has ended and whose last failure is older
				      * than this is deleted (its count restarts), as the former
				      * in-memory table reused such a slot */
#define RL_CAP 100000          /* rows kept at most (a flood of made-up names): past it the rows
				* that refuse nothing now go first, oldest failure first, then
				* the delays that end first (mlfy_throttle_prune) */
#define RL_KEY_LEN 32          /* hex digits of a key (BLAKE2b-128) */

/* The delay in seconds after `fails` failures of which `free` are free:
 * 0 below free, RL_BASE_DELAY at free, doubling, at most RL_MAX_DELAY. */
int64_t rl_delay_of(int fails, int free);

/* The rule on one row (pure functions; times unix seconds):
 * rl_pair_fail: one more failure for a (name, address) pair, a delay from
 *   the RL_FREE_TRIES-th on;
 * rl_addr_fail: one more failure from an address; its count restarts
 *   first when its last failure is over RL_ADDR_WINDOW s old and no delay
 *   runs; a delay from the RL_ADDR_FREE_TRIES-th on;
 * rl_addr_ok: a right password from the address: returns 1 when the row
 *   is to be deleted (no delay running), else keeps the running delay and
 *   sets the count so that the next failure starts a new RL_BASE_DELAY one
 *   (behind a proxy or NAT one typo after a wait must not lock everyone
 *   out for twice as long). */
void rl_pair_fail(struct mlfy_throttle_row *row, int64_t now);
void rl_addr_fail(struct mlfy_throttle_row *row, int64_t now);
int rl_addr_ok(struct mlfy_throttle_row *row, int64_t now);

/* The store keys of (user, addr) and of addr alone: RL_KEY_LEN lowercase
 * hex digits of BLAKE2b-128 (libsodium's crypto_generichash, unkeyed) of a
 * domain byte ('p' / 'a'), the user name's length and bytes (pair only)
 * and the address (at most 63 bytes).  No per-instance secret, so every
 * instance computes the same keys; the table holds no name, address or
 * password in clear (docs/schema.md, "login_throttle"). */
void rl_keys(const char *user, const char *addr, char pair[RL_KEY_LEN + 1], char addr_key[RL_KEY_LEN + 1]);

/* Seconds (user, addr) must still wait before trying (0 = may try): the
 * longer of the pair's delay and the address's.  A read (two point reads;
 * no transaction needed).  0 with *wait set, or the store's error
 * (MLFY_ESTORE / MLFY_EIO): the caller then refuses the login (fail
 * closed), never lets it through. */
int rl_wait(struct mlfy_store *s, const char *user, const char *addr, int64_t now, int64_t *wait,
	    struct mlfy_err *err);

/* Records a login's outcome in the caller's write transaction: a failure
 * (ok 0) counts for the pair and the address; a success (ok 1) deletes the
 * pair's row and restarts the address's count (rl_addr_ok).  Then prunes
 * and caps the table in the same write (mlfy_throttle_prune with
 * RL_IDLE_FORGET and RL_CAP).  Nothing of the password is passed or
 * stored.  0, MLFY_EINVAL without a transaction, MLFY_ESTORE / MLFY_EIO. */
int rl_record(struct mlfy_store *s, const char *user, const char *addr, int ok, int64_t now,
	      struct mlfy_err *err);

#endif
