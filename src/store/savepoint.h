/* savepoint.h - several independent steps in one write transaction
 * (savepoint.c): each step in a savepoint of its own, then one commit.
 * This is the store side of group commit (`mlfy serve` commits the saves
 * that arrive together with one COMMIT, so with one fsync; serve/commit.h):
 * a step that fails leaves nothing behind and does not disturb the others,
 * and nothing is stored unless the one commit succeeds.
 *
 * The SQL is the standard SAVEPOINT / RELEASE SAVEPOINT / ROLLBACK TO
 * SAVEPOINT, the same on SQLite and PostgreSQL (on PostgreSQL a failed
 * statement aborts the transaction until ROLLBACK TO, which this does).
 */
#ifndef MLFY_STORE_SAVEPOINT_H
#define MLFY_STORE_SAVEPOINT_H

#include <stddef.h>
#include "store/store.h"
#include "util/error.h"

/* One step: fn(s, ctx, err) runs inside the transaction and returns 0 or an
 * MLFY_* code with err filled (as any library function that writes inside
 * a caller's transaction).  rc and err are outputs of mlfy_store_steps. */
struct mlfy_store_step {
	int (*fn)(struct mlfy_store *s, void *ctx, struct mlfy_err *err);
	void *ctx;
	int rc;               /* out: fn's status, or the transaction's failure (see below) */
	struct mlfy_err err;  /* out: the message that goes with rc */
};

/* Runs steps[0..n) in order in one write transaction (mlfy_store_begin),
 * each between SAVEPOINT and RELEASE: a step whose fn fails is rolled back
 * to its savepoint (its writes undone, the transaction still open for the
 * next step), and its rc/err keep fn's answer; then one mlfy_store_commit.
 * Call it outside a transaction; n may be 0 (nothing is done).
 *
 * Returns 0 when the transaction committed: then exactly the steps with
 * rc == 0 are stored, durably as any commit.  Otherwise nothing at all is
 * stored and the return value is the failure of the transaction itself --
 * begin or commit failed (MLFY_ESTORE, MLFY_EIO: a full disk, a project
 * file moved while open, ...), or a savepoint could not be rolled back to
 * or released (the engine abandoned the transaction, e.g. after an I/O
 * error inside a step) -- with its message in err; and every step's rc/err
 * is set to that failure, including the steps whose fn had succeeded, so
 * that no caller reports as stored what is not.  Cost: one transaction and
 * three extra statements per step. */
int mlfy_store_steps(struct mlfy_store *s, struct mlfy_store_step *steps, size_t n, struct mlfy_err *err);

#endif
