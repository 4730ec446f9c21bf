/* accounts.h - the people of a project (accounts.c): accounts with a role
 * (annotators, experts, admins) and their login sessions.
 *
 * Writes need an open transaction (mlfy_store_begin) unless a function says
 * it opens its own.  Structs filled by getters own their strings; release
 * them with the matching release or free function (which accept zeroed
 * structs / NULL).
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str,
 * OPSLIMIT/MEMLIMIT_INTERACTIVE); session tokens are 256-bit random values of
 * which only the SHA-256 is stored.
 */
#ifndef MLFY_STORE_ACCOUNTS_H
#define MLFY_STORE_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

enum mlfy_role {
	MLFY_ROLE_ANNOTATOR = 0,   /* stage ii: labels images of assigned batches */
	MLFY_ROLE_EXPERT = 1,      /* stage iv: refines images of the refinement queue */
	MLFY_ROLE_ADMIN = 2        /* dashboard; no labelling unless assigned */
};

/* "annotator" / "expert" / "admin" (static strings). */
const char *mlfy_role_name(enum mlfy_role r);
/* Parses a role name; MLFY_EINVAL naming the word when unknown. */
int mlfy_role_parse(const char *s, enum mlfy_role *r, struct mlfy_err *err);

/* Minimum and maximum password length in bytes. */
#define MLFY_PASSWORD_MIN 8
#define MLFY_PASSWORD_MAX 1024

struct mlfy_user {
	int64_t id;
	char *name;          /* [A-Za-z0-9._-]{1,64}, unique */
	enum mlfy_role role;
	int disabled;        /* 1: cannot log in, sessions dropped */
	int has_password;    /* 0: the account cannot log in yet */
	char created_at[32]; /* ISO-8601 UTC */
};

void mlfy_user_release(struct mlfy_user *u);
/* Releases n users and frees the array.  Accepts NULL. */
void mlfy_users_free(struct mlfy_user *u, size_t n);

/* 0 when name is a valid account name, MLFY_EINVAL (message names it) else. */
int mlfy_user_name_check(const char *name, struct mlfy_err *err);

/* Bytes of an argon2id hash string with its NUL (libsodium's
 * crypto_pwhash_STRBYTES; accounts.c checks that they agree). */
#define MLFY_PWHASH_BYTES 128

/* Checks password's length (MLFY_PASSWORD_MIN..MAX bytes, else MLFY_EINVAL)
 * and hashes it with argon2id into out, NUL-terminated (MLFY_ENOMEM when
 * argon2id cannot get its 64 MiB).  About 0.15 s of CPU: callers hash
 * BEFORE mlfy_store_begin, so that no other writer of the project waits
 * for it behind the write lock, and pass the result to the _hashed
 * functions below.  Touches no store. */
int mlfy_password_hash(const char *password, char out[MLFY_PWHASH_BYTES], struct mlfy_err *err);

/* Adds an account.  password (borrowed, NUL-terminated) may be NULL for an
 * account that cannot log in until mlfy_users_set_password; otherwise it
 * must be MLFY_PASSWORD_MIN..MAX bytes.  *id (may be NULL) receives the new
 * id.  MLFY_ECONFLICT when the name exists.  Needs a transaction; hashes
 * inside it (mlfy_users_add_tx hashes first, then begins). */
int mlfy_users_add(struct mlfy_store *s, const char *name, enum mlfy_role role,
		   const char *password, int64_t *id, struct mlfy_err *err);
/* mlfy_users_add with the password already hashed by mlfy_password_hash
 * (pw_hash NULL: an account without a password). */
int mlfy_users_add_hashed(struct mlfy_store *s, const char *name, enum mlfy_role role,
			  const char *pw_hash, int64_t *id, struct mlfy_err *err);

/* All accounts ordered by name: *out a new array (mlfy_users_free). */
int mlfy_users_list(struct mlfy_store *s, struct mlfy_user **out, size_t *n,
		    struct mlfy_err *err);

/* One account by name / id into *out (mlfy_user_release); MLFY_ENOTFOUND. */
int mlfy_users_get(struct mlfy_store *s, const char *name, struct mlfy_user *out,
		   struct mlfy_err *err);
int mlfy_users_get_id(struct mlfy_store *s, int64_t id, struct mlfy_user *out,
		      struct mlfy_err *err);

/* Enables (disabled = 0) or disables an account; disabling also ends all its
 * sessions.  MLFY_ENOTFOUND; MLFY_ECONFLICT for the last enabled admin.
 * Needs a transaction. */
int mlfy_users_set_disabled(struct mlfy_store *s, const char *name, int disabled,
			    struct mlfy_err *err);

/* Sets a new password (length as in add) and ends all sessions of the
 * account.  MLFY_ENOTFOUND.  Needs a transaction. */
int mlfy_users_set_password(struct mlfy_store *s, const char *name,
			    const char *password, struct mlfy_err *err);
/* mlfy_users_set_password with a hash of mlfy_password_hash. */
int mlfy_users_set_password_hashed(struct mlfy_store *s, const char *name,
				   const char *pw_hash, struct mlfy_err *err);

/* Changes the role of an account (its sessions keep going: a session reads
 * the role of its account on every lookup).  MLFY_EINVAL for a role out of
 * range, MLFY_ENOTFOUND for an unknown name, MLFY_ECONFLICT for demoting the
 * last enabled admin.  Needs a transaction. */
int mlfy_users_set_role(struct mlfy_store *s, const char *name, enum mlfy_role role,
			struct mlfy_err *err);

/* Removes the password of an account, so that it cannot log in until a new
 * one is set (mlfy_users_set_password, or an invitation: store/invites.h),
 * and ends all its sessions.  MLFY_ENOTFOUND.  Needs a transaction. */
int mlfy_users_clear_password(struct mlfy_store *s, const char *name, struct mlfy_err *err);

/* Checks a login.  On success fills *out (release it).  Unknown name, wrong
 * password, no password and disabled account all return MLFY_EPERM with the
 * same message ("wrong user name or password"), so a caller cannot probe
 * which names exist; an unknown name still costs one argon2id verification.
 * Read-only.  Each call takes about 64 MiB for argon2id: a multi-threaded
 * caller serialises calls (mlfy serve does), which also makes the lazy
 * set-up of the dummy hash for unknown names race-free. */
int mlfy_users_verify(struct mlfy_store *s, const char *name, const char *password,
		      struct mlfy_user *out, struct mlfy_err *err);

/* ---- sessions ------------------------------------------------------------- */

/* Token and CSRF token: 64 lowercase hex characters (256 random bits). */
#define MLFY_TOKEN_LEN 64

/* Fills token with a fresh random token: MLFY_TOKEN_LEN lowercase hex
 * characters (256 bits from libsodium's randombytes) and a NUL.  MLFY_EIO
 * when libsodium cannot be initialised. */
int mlfy_token_new(char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err);

/* Fills hash with the lowercase hex SHA-256 of token (64 characters and a
 * NUL): what the store keeps of a session or invitation token.  token must
 * look like one (MLFY_TOKEN_LEN lowercase hex characters): otherwise
 * MLFY_EINVAL, whose message never quotes the token.  MLFY_EIO when
 * libsodium cannot be initialised. */
int mlfy_token_hash(const char *token, char hash[MLFY_TOKEN_LEN + 1], struct mlfy_err *err);

struct mlfy_session {
	struct mlfy_user user;               /* the logged-in account (owned) */
	char csrf[MLFY_TOKEN_LEN + 1];       /* to be echoed in X-CSRF-Token */
	int64_t created;                     /* unix seconds */
	int64_t last_seen;                   /* unix seconds */
};

void mlfy_session_release(struct mlfy_session *ss);

/* Starts a session for user_id at time now (unix seconds): fills token and
 * csrf with fresh random hex strings (NUL-terminated, MLFY_TOKEN_LEN
 * characters); only SHA-256(token) is stored.  Needs a transaction. */
int mlfy_sessions_create(struct mlfy_store *s, int64_t user_id, int64_t now,
			 char token[MLFY_TOKEN_LEN + 1], char csrf[MLFY_TOKEN_LEN + 1],
			 struct mlfy_err *err);

/* Looks a token up at time now.  A session idle for more than idle_s seconds
 * (now - last_seen > idle_s), older than max_age_s seconds (now - created >
 * max_age_s: an absolute lifetime, however busy the session), or whose
 * account is disabled, is deleted and MLFY_ENOTFOUND returned, as for an
 * unknown or malformed token.  last_seen
 * is refreshed when it is older than touch_s seconds (so a busy session does
 * not write on every request; the effective idle limit is thus between
 * idle_s - touch_s and idle_s).  Opens its own short transaction when it
 * writes (one transaction; must be called outside one).  Fills *out. */
int mlfy_sessions_lookup(struct mlfy_store *s, const char *token, int64_t now,
			 int64_t idle_s, int64_t max_age_s, int64_t touch_s,
			 struct mlfy_session *out, struct mlfy_err *err);

/* Sets last_seen of token's session to now (no error when there is none).
 * One transaction: call outside one.  For callers that look sessions up
 * with touch_s = INT64_MAX and refresh them under their own write lock. */
int mlfy_sessions_touch(struct mlfy_store *s, const char *token, int64_t now,
			struct mlfy_err *err);

/* Ends the session of token (no error when there is none).  Needs a
 * transaction. */
int mlfy_sessions_delete(struct mlfy_store *s, const char *token, struct mlfy_err *err);

/* Deletes sessions idle for more than idle_s at time now; *n (may be NULL)
 * receives how many.  Needs a transaction. */
int mlfy_sessions_purge(struct mlfy_store *s, int64_t now, int64_t idle_s, int64_t *n,
			struct mlfy_err *err);
#endif
