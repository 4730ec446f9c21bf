/* savepoint.c - steps in one transaction, each in a savepoint of its own,
 * and one commit (savepoint.h). */
#include "store/savepoint.h"

#include "store/engine.h"

/* Rolls back the transaction and gives every step the failure in *err. */
static int fail_all(struct mlfy_store *s, struct mlfy_store_step *steps, size_t n, int rc, struct mlfy_err *err)
{
	size_t i;

	mlfy_store_rollback(s);
	for (i = 0; i < n; i++) {
		steps[i].rc = rc;
		steps[i].err = *err;
	}
	return rc;
}

int mlfy_store_steps(struct mlfy_store *s, struct mlfy_store_step *steps, size_t n, struct mlfy_err *err)
{
	size_t i;
	int rc;

	if (!n)
		return 0;
	if ((rc = mlfy_store_begin(s, err)))
		return fail_all(s, steps, n, rc, err);
	for (i = 0; i < n; i++) {
		struct mlfy_store_step *st = &steps[i];
		if ((rc = store_exec(s, "SAVEPOINT mlfy_step", err)))
			return fail_all(s, steps, n, rc, err);
		mlfy_err_clear(&st->err);
		st->rc = st->fn(s, st->ctx, &st->err);
		if (st->rc && (rc = store_exec(s, "ROLLBACK TO SAVEPOINT mlfy_step", err))) {
			/* the engine ended the transaction itself (SQLite does on
			 * an I/O error or a full disk): the earlier steps are gone */
			mlfy_err_prefix(err, "a failed step could not be undone alone");
			return fail_all(s, steps, n, rc, err);
		}
		if ((rc = store_exec(s, "RELEASE SAVEPOINT mlfy_step", err)))
			return fail_all(s, steps, n, rc, err);
	}
	if ((rc = mlfy_store_commit(s, err)))
		return fail_all(s, steps, n, rc, err);
	return 0;
}
