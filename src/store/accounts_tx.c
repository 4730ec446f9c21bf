/* accounts_tx.c - account writes as one transaction each (see
 * accounts_tx.h); the SQL stays with the account functions themselves. */
#include "store/accounts_tx.h"

/* Ends the transaction begun for a write that returned rc. */
static int finish(struct mlfy_store *s, int rc, struct mlfy_err *err)
{
	if (!rc && !(rc = mlfy_store_commit(s, err)))
		return 0;
	mlfy_store_rollback(s);
	return rc;
}

int mlfy_users_add_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
		      const char *password, struct mlfy_err *err)
{
	int rc = mlfy_store_begin(s, err);
	return rc ? rc : finish(s, mlfy_users_add(s, name, role, password, NULL, err), err);
}

int mlfy_users_set_password_tx(struct mlfy_store *s, const char *name, const char *password,
			       struct mlfy_err *err)
{
	int rc = mlfy_store_begin(s, err);
	return rc ? rc : finish(s, mlfy_users_set_password(s, name, password, err), err);
}

int mlfy_users_set_disabled_tx(struct mlfy_store *s, const char *name, int disabled,
			       struct mlfy_err *err)
{
	int rc = mlfy_store_begin(s, err);
	return rc ? rc : finish(s, mlfy_users_set_disabled(s, name, disabled, err), err);
}
