/* login_throttle.h - the rows of the login throttle (login_throttle.c;
 * table login_throttle, docs/schema.md): one row per throttled key -- a
 * (user name, client address) pair or a client address alone -- with its
 * failure count, the end of its delay and its last failure.  The rule that
 * reads and changes them is serve/ratelimit.c's; this file only stores.
 * Keys are opaque text chosen by the caller (ratelimit.c stores hex
 * digests, never a name, address or password).  The table is throttling
 * state, not history: rows are replaced, pruned and capped.  All instances
 * of `mlfy serve` on a project share it, and it survives restarts. */
#ifndef MLFY_STORE_LOGIN_THROTTLE_H
#define MLFY_STORE_LOGIN_THROTTLE_H

#include <stdint.h>
#include "store/store.h"

/* One key's state; times are unix seconds. */
struct mlfy_throttle_row {
	int fails;          /* consecutive failures counted */
	int64_t until;      /* logins refused before this time (0: none) */
	int64_t last;       /* the last failure */
};

/* Reads key's row: *found 1 and *row filled, or *found 0 and *row zeroed.
 * A read (no transaction needed; inside one it sees the transaction's
 * writes).  0, or MLFY_ESTORE / MLFY_EIO. */
int mlfy_throttle_get(struct mlfy_store *s, const char *key, struct mlfy_throttle_row *row, int *found,
		      struct mlfy_err *err);

/* Writes key's row (insert or replace).  Needs a write transaction:
 * MLFY_EINVAL otherwise; MLFY_ESTORE / MLFY_EIO on a store error. */
int mlfy_throttle_put(struct mlfy_store *s, const char *key, const struct mlfy_throttle_row *row,
		      struct mlfy_err *err);

/* Removes key's row (nothing when there is none).  Write transaction. */
int mlfy_throttle_delete(struct mlfy_store *s, const char *key, struct mlfy_err *err);

/* Bounds the table, in the caller's write transaction: deletes every row
 * whose delay has ended (until <= now) and whose last failure is before
 * idle_before; then, while more than cap rows remain, deletes the rows
 * that matter least first -- those that refuse nothing now, oldest last
 * failure first, then those whose delay ends first -- down to cap.
 * *deleted (may be NULL) receives the number of rows deleted.  The last
 * query is O(rows) only when the table is over cap.  0, MLFY_EINVAL
 * without a transaction, or MLFY_ESTORE / MLFY_EIO. */
int mlfy_throttle_prune(struct mlfy_store *s, int64_t now, int64_t idle_before, int64_t cap, int64_t *deleted,
			struct mlfy_err *err);

/* The number of rows (tests, `mlfy check`-like reports).  A read. */
int mlfy_throttle_count(struct mlfy_store *s, int64_t *n, struct mlfy_err *err);

#endif
