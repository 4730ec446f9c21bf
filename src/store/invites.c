/* invites.c - one-time invitation links (table invites): making one (and
 * revoking the account's older ones), checking and redeeming a token, and
 * the latest invitation of an account (invites.h).  Owns the SQL of the
 * invites table; passwords and tokens themselves are accounts.c's. */
#include "store/invites.h"
#include "store/engine.h"
#include "util/duration.h"

#include <string.h>

static int invalid(struct mlfy_err *err)
{
	return mlfy_err_set(err, MLFY_ENOTFOUND, "%s", MLFY_INVITE_INVALID);
}

int mlfy_invites_revoke(struct mlfy_store *s, int64_t annotator_id, int64_t now, struct mlfy_err *err)
{
	static const char revoke[] =
		"UPDATE invites SET revoked_at = ?2"
		" WHERE annotator_id = ?1 AND used_at IS NULL AND revoked_at IS NULL";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "revoke invitations")))
		return rc;
	STMT(st, revoke);
	stmt_bind_int64(st, 1, annotator_id);
	stmt_bind_int64(st, 2, now);
	return store_step_done(s, st, "revoke invitations", err);
}

int mlfy_invite_create(struct mlfy_store *s, int64_t annotator_id, const char *created_by, int64_t now,
		       int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	static const char insert[] =
		"INSERT INTO invites(token_hash, annotator_id, created_by, created_at, expires_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	char hash[MLFY_TOKEN_LEN + 1];
	struct mlfy_user u;
	struct store_stmt *st;
	size_t by = created_by ? strlen(created_by) : 0;
	int rc;

	token[0] = '\0';
	if ((rc = store_require_tx(s, err, "create invitation")))
		return rc;
	if (ttl_s < 1 || ttl_s > MLFY_DURATION_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "invitation lifetime %lld s: must be 1 s to 365 days",
				    (long long)ttl_s);
	if (by < 1 || by > 200)
		return mlfy_err_set(err, MLFY_EINVAL, "invitation creator must be 1 to 200 bytes");
	if ((rc = mlfy_users_get_id(s, annotator_id, &u, err)))
		return rc;
	mlfy_user_release(&u);
	if ((rc = mlfy_invites_revoke(s, annotator_id, now, err)))
		return rc;
	if ((rc = mlfy_token_new(token, err)) || (rc = mlfy_token_hash(token, hash, err))) {
		memset(token, 0, MLFY_TOKEN_LEN + 1);
		return rc;
	}
	if (!(st = store_stmt(s, insert, err))) {
		memset(token, 0, MLFY_TOKEN_LEN + 1);
		return err ? err->code : MLFY_ESTORE;
	}
	stmt_bind_text(st, 1, hash);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, created_by);
	stmt_bind_int64(st, 4, now);
	stmt_bind_int64(st, 5, now + ttl_s);
	if ((rc = store_step_done(s, st, "create invitation", err)))
		memset(token, 0, MLFY_TOKEN_LEN + 1);
	return rc;
}

/* The open invitation of token at now: *hash its SHA-256 and *out its
 * account; MLFY_ENOTFOUND (MLFY_INVITE_INVALID) for any other token. */
static int find_open(struct mlfy_store *s, const char *token, int64_t now, char hash[MLFY_TOKEN_LEN + 1],
		     struct mlfy_user *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT annotator_id FROM invites"
		" WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND ?2 <= expires_at";
	struct store_stmt *st;
	int64_t id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mlfy_token_hash(token, hash, err);
	if (rc == MLFY_EINVAL)
		return invalid(err);
	if (rc)
		return rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, hash);
	stmt_bind_int64(st, 2, now);
	if ((rc = store_query_i64(s, st, 0, &id, "check invitation", err)))
		return rc;
	if (id <= 0)
		return invalid(err);
	rc = mlfy_users_get_id(s, id, out, err);
	if (rc == MLFY_ENOTFOUND || (!rc && out->disabled)) {
		mlfy_user_release(out);
		return invalid(err);
	}
	return rc;
}

int mlfy_invite_check(struct mlfy_store *s, const char *token, int64_t now, struct mlfy_user *out,
		      struct mlfy_err *err)
{
	char hash[MLFY_TOKEN_LEN + 1];
	return find_open(s, token, now, hash, out, err);
}

static int mark_used(struct mlfy_store *s, const char *hash, int64_t now, struct mlfy_err *err)
{
	static const char sql[] = "UPDATE invites SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL";
	struct store_stmt *st;
	STMT(st, sql);
	stmt_bind_text(st, 1, hash);
	stmt_bind_int64(st, 2, now);
	return store_step_done(s, st, "redeem invitation", err);
}

/* mlfy_invite_redeem's steps, the password given as a plain text
 * (hashed here, inside the transaction) or as a hash */
static int redeem(struct mlfy_store *s, const char *token, const char *password, const char *pw_hash,
		  int64_t now, struct mlfy_user *out, struct mlfy_err *err)
{
	char hash[MLFY_TOKEN_LEN + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_require_tx(s, err, "redeem invitation")) || (rc = find_open(s, token, now, hash, out, err)))
		return rc;
	if (!password && !pw_hash)
		rc = mlfy_err_set(err, MLFY_EINVAL, "password missing");
	else if (!(rc = mark_used(s, hash, now, err)))
		rc = pw_hash ? mlfy_users_set_password_hashed(s, out->name, pw_hash, err)
			     : mlfy_users_set_password(s, out->name, password, err);
	if (rc)
		mlfy_user_release(out);
	return rc;
}

int mlfy_invite_redeem(struct mlfy_store *s, const char *token, const char *password, int64_t now,
		       struct mlfy_user *out, struct mlfy_err *err)
{
	return redeem(s, token, password, NULL, now, out, err);
}

int mlfy_invite_redeem_hashed(struct mlfy_store *s, const char *token, const char *pw_hash, int64_t now,
			      struct mlfy_user *out, struct mlfy_err *err)
{
	return redeem(s, token, NULL, pw_hash, now, out, err);
}

int mlfy_invite_latest(struct mlfy_store *s, int64_t annotator_id, struct mlfy_invite_info *out,
		       struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT created_at, expires_at, COALESCE(used_at, 0), COALESCE(revoked_at, 0),"
		"       CAST(used_at IS NULL AND revoked_at IS NULL AS INTEGER)"
		" FROM invites WHERE annotator_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, annotator_id);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		out->created_at = stmt_int64(st, 0);
		out->expires_at = stmt_int64(st, 1);
		out->used_at = stmt_int64(st, 2);
		out->revoked_at = stmt_int64(st, 3);
		out->open = stmt_int(st, 4);
	}
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no invitation for the user with id %lld",
				    (long long)annotator_id);
	return rc == STORE_ROW ? 0 : store_fail(s, err, "latest invitation");
}
