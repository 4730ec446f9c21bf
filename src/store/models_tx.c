/* models_tx.c - the active proposal model chosen from a ranking, one
 * transaction (see models_tx.h). */
#include "store/models_tx.h"

int mlfy_models_activate_first(struct mlfy_store *s, const char *const *names, size_t n,
			       size_t *chosen, struct mlfy_err *err)
{
	size_t i;
	int rc;

	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	for (i = 0; i < n; i++) {
		struct mlfy_model m = { 0 };
		rc = mlfy_models_find(s, names[i], &m, err);
		mlfy_model_release(&m);
		if (rc == MLFY_ENOTFOUND)
			continue;
		if (!rc && !(rc = mlfy_models_set_active(s, names[i], err)) && !(rc = mlfy_store_commit(s, err))) {
			*chosen = i;
			return 0;
		}
		break;
	}
	mlfy_store_rollback(s);
	if (i == n)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "none of the %zu models has proposals in the project", n);
	return rc;
}
