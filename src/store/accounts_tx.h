/* accounts_tx.h - account changes as one transaction each, for callers
 * that run no transaction of their own (`mlfy user`).  They wrap the
 * "needs a transaction" account writes of store/accounts.h; an error
 * changes nothing.  Call them outside a transaction (MLFY_EINVAL inside). */
#ifndef MLFY_STORE_ACCOUNTS_TX_H
#define MLFY_STORE_ACCOUNTS_TX_H

#include "store/accounts.h"

/* mlfy_users_add (password may be NULL: an account that cannot log in yet);
 * errors as there. */
int mlfy_users_add_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
		      const char *password, struct mlfy_err *err);

/* mlfy_users_set_password: a new password, the account's sessions ended. */
int mlfy_users_set_password_tx(struct mlfy_store *s, const char *name, const char *password,
			       struct mlfy_err *err);

/* mlfy_users_set_disabled: disabling also ends the account's sessions. */
int mlfy_users_set_disabled_tx(struct mlfy_store *s, const char *name, int disabled,
			       struct mlfy_err *err);

#endif
