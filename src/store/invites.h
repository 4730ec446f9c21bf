/* invites.h - one-time invitation links (invites.c, table invites): an
 * account made without a password gets a random token; whoever opens the
 * link holding it sets the account's password once.  Only the SHA-256 of
 * a token is stored, as for sessions (store/accounts.h), so a copy of the
 * project file cannot be used to redeem a link; tokens are never written
 * into an error message.
 *
 * An invitation is open while it is not used, not revoked, not expired
 * (now <= expires_at) and its account is not disabled.  An account has at
 * most one open invitation: making a new one revokes the older ones.
 *
 * Times are unix seconds given by the caller (now), so that tests and the
 * server use one clock.  Writes need an open transaction; the same steps as
 * one transaction each are in store/accounts_tx.h (mlfy_users_invite_tx,
 * mlfy_users_reset_tx, mlfy_invite_redeem_tx).
 */
#ifndef MLFY_STORE_INVITES_H
#define MLFY_STORE_INVITES_H

#include <stdint.h>
#include "store/accounts.h"

/* How long an invitation stays open unless told otherwise: 7 days. */
#define MLFY_INVITE_TTL_DEFAULT (7 * 24 * 3600)

/* The one message of every refused invitation token (used, replaced,
 * expired, unknown, malformed, disabled account), so that nothing about a
 * token or an account can be probed with it. */
#define MLFY_INVITE_INVALID \
	"this invitation link is not valid: it was used, replaced or has expired; ask the coordinator for a new one"

/* Makes a new invitation for account annotator_id, open from now for ttl_s
 * seconds (1..MLFY_DURATION_MAX of util/duration.h, i.e. 365 days), and
 * revokes (revoked_at = now) every earlier open invitation of the account.
 * created_by (borrowed; 1..200 bytes) names who made it: an admin's account
 * name, or "shell:LOGIN".  token receives the new token (MLFY_TOKEN_LEN
 * lowercase hex characters and a NUL): the caller hands it to the person
 * (a link) and forgets it; only its SHA-256 is stored.  Errors: MLFY_EINVAL
 * (ttl_s or created_by out of range, or no transaction), MLFY_ENOTFOUND (no
 * such account), MLFY_ESTORE/MLFY_EIO; token is then cleared.  Needs a
 * transaction. */
/* Revokes (revoked_at = now) every open invitation of annotator_id: a new
 * password set on the shell (`mlfy user passwd`, accounts_tx.h) must not be
 * overwritten later through an older link.  Needs a transaction. */
int mlfy_invites_revoke(struct mlfy_store *s, int64_t annotator_id, int64_t now, struct mlfy_err *err);

int mlfy_invite_create(struct mlfy_store *s, int64_t annotator_id, const char *created_by, int64_t now,
		       int64_t ttl_s, char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err);

/* Looks token (borrowed; may be NULL) up at time now.  0 when it is open:
 * *out then holds its account (release with mlfy_user_release).  Any other
 * token -- used, revoked, expired, unknown, malformed, or of a disabled
 * account -- gives MLFY_ENOTFOUND with the one message MLFY_INVITE_INVALID.
 * *out is zeroed on every error.  Read-only. */
int mlfy_invite_check(struct mlfy_store *s, const char *token, int64_t now, struct mlfy_user *out,
		      struct mlfy_err *err);

/* Redeems an open invitation: checks token as mlfy_invite_check does (the
 * same MLFY_ENOTFOUND), then sets the account's password (borrowed;
 * MLFY_PASSWORD_MIN..MAX bytes, else MLFY_EINVAL and nothing written),
 * ends the account's sessions and marks the invitation used (used_at =
 * now), so that it works once.  On success *out holds the account
 * (mlfy_user_release); zeroed on error.  Needs a transaction. */
int mlfy_invite_redeem(struct mlfy_store *s, const char *token, const char *password, int64_t now,
		       struct mlfy_user *out, struct mlfy_err *err);
/* mlfy_invite_redeem with the password already hashed (mlfy_password_hash,
 * store/accounts.h), so the transaction does no argon2id work
 * (mlfy_invite_redeem_tx).  Needs a transaction. */
int mlfy_invite_redeem_hashed(struct mlfy_store *s, const char *token, const char *pw_hash, int64_t now,
			      struct mlfy_user *out, struct mlfy_err *err);

/* The latest invitation of an account, for showing "invited, the link
 * expires ...".  Times in unix seconds; used_at and revoked_at are 0 when
 * the invitation was not used / not revoked.  open is 1 when it is neither
 * used nor revoked: whether it has expired is for the caller to compare
 * (expires_at < now), and a disabled account's link does not work either
 * (struct mlfy_user's disabled). */
struct mlfy_invite_info {
	int64_t created_at, expires_at;
	int64_t used_at, revoked_at;
	int open;
};

/* Fills *out with the latest invitation made for annotator_id (by creation
 * time, then by order of creation); MLFY_ENOTFOUND when the account never
 * had one (an account with no invitation or an unknown id).  Read-only. */
int mlfy_invite_latest(struct mlfy_store *s, int64_t annotator_id, struct mlfy_invite_info *out,
		       struct mlfy_err *err);

#endif
