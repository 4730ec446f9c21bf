/* accounts_tx.c - account writes, and the invitation steps that go with
 * them, as one transaction each (see accounts_tx.h); the SQL stays with the
 * account and invitation functions themselves. */
#include "store/accounts_tx.h"
#include "store/invites.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

/* Ends the transaction begun for a write that returned rc. */
static int finish(struct mlfy_store *s, int rc, struct mlfy_err *err)
{
	if (!rc && !(rc = mlfy_store_commit(s, err)))
		return 0;
	mlfy_store_rollback(s);
	return rc;
}

/* The password hashing (argon2id, ~0.15 s) happens before the transaction
 * begins: other writers of the project (a server's saves) never wait for it
 * behind the write lock. */

int mlfy_users_add_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
		      const char *password, struct mlfy_err *err)
{
	char hash[MLFY_PWHASH_BYTES];
	int rc;

	if ((rc = mlfy_user_name_check(name, err)))
		return rc;
	if (password && (rc = mlfy_password_hash(password, hash, err)))
		return rc;
	if (!(rc = mlfy_store_begin(s, err)))
		rc = finish(s, mlfy_users_add_hashed(s, name, role, password ? hash : NULL, NULL, err), err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int mlfy_users_set_password_tx(struct mlfy_store *s, const char *name, const char *password,
			       struct mlfy_err *err)
{
	char hash[MLFY_PWHASH_BYTES];
	struct mlfy_user u;
	int rc;

	/* an unknown name is refused before the hashing (a read, no lock) */
	if ((rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	mlfy_user_release(&u);
	if ((rc = mlfy_password_hash(password, hash, err)))
		return rc;
	if ((rc = mlfy_store_begin(s, err))) {
		sodium_memzero(hash, sizeof(hash));
		return rc;
	}
	memset(&u, 0, sizeof(u));
	/* and an open invitation can no longer replace this password */
	if (!(rc = mlfy_users_set_password_hashed(s, name, hash, err)) && !(rc = mlfy_users_get(s, name, &u, err)))
		rc = mlfy_invites_revoke(s, u.id, (int64_t)time(NULL), err);
	sodium_memzero(hash, sizeof(hash));
	mlfy_user_release(&u);
	return finish(s, rc, err);
}

int mlfy_users_set_disabled_tx(struct mlfy_store *s, const char *name, int disabled,
			       struct mlfy_err *err)
{
	struct mlfy_user u;
	int rc = mlfy_store_begin(s, err);
	if (rc)
		return rc;
	memset(&u, 0, sizeof(u));
	/* disabling also cancels an open link (a link sent to the wrong person
	 * stays dead when the account is enabled again: Reset makes a new one) */
	if (!(rc = mlfy_users_set_disabled(s, name, disabled, err)) && disabled &&
	    !(rc = mlfy_users_get(s, name, &u, err)))
		rc = mlfy_invites_revoke(s, u.id, (int64_t)time(NULL), err);
	mlfy_user_release(&u);
	return finish(s, rc, err);
}

int mlfy_users_set_role_tx(struct mlfy_store *s, const char *name, enum mlfy_role role,
			   struct mlfy_err *err)
{
	int rc = mlfy_store_begin(s, err);
	return rc ? rc : finish(s, mlfy_users_set_role(s, name, role, err), err);
}

/* finish for the steps that hand out a token: cleared when nothing commits. */
static int finish_token(struct mlfy_store *s, int rc, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	if ((rc = finish(s, rc, err)))
		memset(token, 0, MLFY_TOKEN_LEN + 1);
	return rc;
}

int mlfy_users_invite_tx(struct mlfy_store *s, const char *name, enum mlfy_role role, const char *created_by,
			 int64_t now, int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	int64_t id = 0;
	int rc;

	token[0] = '\0';
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (!(rc = mlfy_users_add(s, name, role, NULL, &id, err)))
		rc = mlfy_invite_create(s, id, created_by, now, ttl_s, token, err);
	return finish_token(s, rc, token, err);
}

int mlfy_users_reset_tx(struct mlfy_store *s, const char *name, const char *created_by, int64_t now,
			int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	struct mlfy_user u;
	int rc;

	token[0] = '\0';
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (!(rc = mlfy_users_get(s, name, &u, err))) {
		if (!(rc = mlfy_users_clear_password(s, name, err)))
			rc = mlfy_invite_create(s, u.id, created_by, now, ttl_s, token, err);
		mlfy_user_release(&u);
	}
	return finish_token(s, rc, token, err);
}

int mlfy_invite_redeem_tx(struct mlfy_store *s, const char *token, const char *password, int64_t now,
			  struct mlfy_user *out, struct mlfy_err *err)
{
	char hash[MLFY_PWHASH_BYTES];
	int rc;

	/* the token first, read only: a link that is not open costs no hashing
	 * (and no write lock); then the hash, outside the transaction; then,
	 * inside it, the token again (it may have been used meanwhile) */
	if ((rc = mlfy_invite_check(s, token, now, out, err)))
		return rc;
	mlfy_user_release(out);
	if (!password)
		return mlfy_err_set(err, MLFY_EINVAL, "password missing");
	if ((rc = mlfy_password_hash(password, hash, err)))
		return rc;
	if (!(rc = mlfy_store_begin(s, err))) {
		if ((rc = finish(s, mlfy_invite_redeem_hashed(s, token, hash, now, out, err), err)))
			mlfy_user_release(out);
	} else {
		memset(out, 0, sizeof(*out));
	}
	sodium_memzero(hash, sizeof(hash));
	return rc;
}
