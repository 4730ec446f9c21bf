/* accounts_tx.h - account changes as one transaction each, for callers
 * that run no transaction of their own (`mlfy user`).  They wrap the
 * "needs a transaction" account writes of store/accounts.h; an error
 * changes nothing.  Call them outside a transaction (MLFY_EINVAL inside). */
#ifndef MLFY_STORE_ACCOUNTS_TX_H
#define MLFY_STORE_ACCOUNTS_TX_H

#include <stdint.h>
#include "store/accounts.h"

/* mlfy_users_add (password may be NULL: an account that cannot log in yet);
 * errors as there. */
int mlfy_users_add_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
		      const char *password, struct mlfy_err *err);

/* mlfy_users_set_password: a new password, the account's sessions ended,
 * and its open invitations revoked (a link must not replace it later). */
int mlfy_users_set_password_tx(struct mlfy_store *s, const char *name, const char *password,
			       struct mlfy_err *err);

/* mlfy_users_set_disabled: disabling also ends the account's sessions and
 * revokes its open invitations (enabling does not bring them back). */
int mlfy_users_set_disabled_tx(struct mlfy_store *s, const char *name, int disabled,
			       struct mlfy_err *err);

/* mlfy_users_set_role: a new role for the account named name. */
int mlfy_users_set_role_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
			   struct mlfy_err *err);

/* ---- invitations (store/invites.h) ---------------------------------------- */

/* Creates the account name with role and no password (it cannot log in
 * until the link is used), and its invitation (mlfy_invite_create: open
 * from now for ttl_s seconds, made by created_by), both or neither.  token
 * receives the invitation's token (cleared on error).  Errors as
 * mlfy_users_add (MLFY_ECONFLICT when the name exists, MLFY_EINVAL for a
 * bad name) and mlfy_invite_create (MLFY_EINVAL for ttl_s, created_by). */
int mlfy_users_invite_tx(struct mlfy_store *s, const char *name, enum mlfy_role role, const char *created_by,
			 int64_t now, int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err);

/* Resets the access of the account name: clears its password
 * (mlfy_users_clear_password: it cannot log in until the new link is used)
 * and ends its sessions, revokes its older invitations and creates a new
 * one as mlfy_users_invite_tx does.  A disabled account stays disabled (its
 * link works once it is enabled again, if still open).  MLFY_ENOTFOUND for
 * an unknown name; token cleared on error. */
int mlfy_users_reset_tx(struct mlfy_store *s, const char *name, const char *created_by, int64_t now,
			int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err);

/* mlfy_invite_redeem: sets the password of token's account and uses up the
 * invitation; MLFY_ENOTFOUND (MLFY_INVITE_INVALID) for a token that is not
 * open, MLFY_EINVAL for a password of the wrong length (nothing changes,
 * the link stays usable).  *out as there. */
int mlfy_invite_redeem_tx(struct mlfy_store *s, const char *token, const char *password, int64_t now,
			  struct mlfy_user *out, struct mlfy_err *err);

#endif
