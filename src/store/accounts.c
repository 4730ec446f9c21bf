/* accounts.c - the people of a project: accounts (table annotators: names,
 * roles, argon2id password hashes, disabled flags) and their login sessions
 * (table sessions: SHA-256 of the token, CSRF token, last use).  Owns the
 * SQL of both tables; the role names are defined here (accounts.h), and so
 * are the random tokens and their SHA-256 that sessions and invitations
 * (invites.c) share. */
#include "store/accounts.h"
#include "store/engine.h"
#include "util/vocab.h"
#include "util/vec.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sodium_ready(struct mlfy_err *err)
{
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	return 0;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;
	for (i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	to_hex(h, sizeof(h), out);
}

static int is_hex_token(const char *t)
{
	size_t i;
	for (i = 0; t[i]; i++)
		if (!isxdigit((unsigned char)t[i]) || isupper((unsigned char)t[i]))
			return 0;
	return i == MLFY_TOKEN_LEN;
}

static const char *const role_names[] = { "annotator", "expert", "admin" };

const char *mlfy_role_name(enum mlfy_role r)
{
	return mlfy_name_of(role_names, 3, (int)r, "?");
}

int mlfy_role_parse(const char *s, enum mlfy_role *r, struct mlfy_err *err)
{
	int i = mlfy_name_index(role_names, 3, s);
	if (i >= 0) {
		*r = (enum mlfy_role)i;
		return 0;
	}
	return mlfy_err_set(err, MLFY_EINVAL, "unknown role '%s' (expected annotator, expert or admin)",
			    s ? s : "");
}

void mlfy_user_release(struct mlfy_user *u)
{
	if (!u)
		return;
	free(u->name);
	memset(u, 0, sizeof(*u));
}

MLFY_DEFINE_ARRAY_FREE(mlfy_users_free, struct mlfy_user, mlfy_user_release)

int mlfy_user_name_check(const char *name, struct mlfy_err *err)
{
	size_t i, n = name ? strlen(name) : 0;
	if (n < 1 || n > 64)
		return mlfy_err_set(err, MLFY_EINVAL, "user name must be 1 to 64 characters");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return mlfy_err_set(err, MLFY_EINVAL,
					    "user name '%s': only letters, digits, '.', '_' and '-' are allowed", name);
	}
	if (name[0] == '-' || name[0] == '.')
		return mlfy_err_set(err, MLFY_EINVAL, "user name '%s' must not start with '-' or '.'", name);
	return 0;
}

static int password_check(const char *pw, struct mlfy_err *err)
{
	size_t n = strlen(pw);
	if (n < MLFY_PASSWORD_MIN)
		return mlfy_err_set(err, MLFY_EINVAL, "password too short (at least %d characters)", MLFY_PASSWORD_MIN);
	if (n > MLFY_PASSWORD_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "password too long (at most %d bytes)", MLFY_PASSWORD_MAX);
	return 0;
}

_Static_assert(MLFY_PWHASH_BYTES == crypto_pwhash_STRBYTES, "MLFY_PWHASH_BYTES is libsodium's crypto_pwhash_STRBYTES");

int mlfy_password_hash(const char *pw, char out[MLFY_PWHASH_BYTES], struct mlfy_err *err)
{
	int rc;
	if ((rc = sodium_ready(err)) || (rc = password_check(pw, err)))
		return rc;
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return mlfy_err_set(err, MLFY_ENOMEM, "password hashing ran out of memory");
	return 0;
}

int mlfy_users_add(struct mlfy_store *s, const char *name, enum mlfy_role role,
		   const char *password, int64_t *id, struct mlfy_err *err)
{
	char hash[MLFY_PWHASH_BYTES];
	int rc;

	if ((rc = store_require_tx(s, err, "add user")) || (rc = mlfy_user_name_check(name, err)))
		return rc;
	if ((unsigned)role > MLFY_ROLE_ADMIN)
		return mlfy_err_set(err, MLFY_EINVAL, "bad role %d", (int)role);
	if (password && (rc = mlfy_password_hash(password, hash, err)))
		return rc;
	rc = mlfy_users_add_hashed(s, name, role, password ? hash : NULL, id, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int mlfy_users_add_hashed(struct mlfy_store *s, const char *name, enum mlfy_role role,
			  const char *pw_hash, int64_t *id, struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO annotators(name, role, pw_hash, disabled, created_at) VALUES (?1, ?2, ?3, 0, ?4)";
	char now[32];
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "add user")) || (rc = mlfy_user_name_check(name, err)))
		return rc;
	if ((unsigned)role > MLFY_ROLE_ADMIN)
		return mlfy_err_set(err, MLFY_EINVAL, "bad role %d", (int)role);
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_text(st, 1, name);
	stmt_bind_text(st, 2, mlfy_role_name(role));
	if (pw_hash)
		stmt_bind_text(st, 3, pw_hash);
	else
		stmt_bind_null(st, 3);
	stmt_bind_text(st, 4, now);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE) {
		if (store_failed_constraint(s))
			return mlfy_err_set(err, MLFY_ECONFLICT, "user '%s' already exists", name);
		return store_fail(s, err, "add user");
	}
	if (id)
		*id = store_last_id(s);
	return 0;
}

#define USER_COLS "id, name, role, disabled, CAST(pw_hash IS NOT NULL AS INTEGER), created_at"

static int user_from_row(struct store_stmt *st, struct mlfy_user *u, struct mlfy_err *err)
{
	const char *role = stmt_text(st, 2);
	const char *created = stmt_text(st, 5);
	memset(u, 0, sizeof(*u));
	u->id = stmt_int64(st, 0);
	if (!(u->name = stmt_dup(st, 1)))
		return mlfy_err_oom(err);
	if (mlfy_role_parse(role, &u->role, NULL))
		u->role = MLFY_ROLE_ANNOTATOR;
	u->disabled = stmt_int(st, 3);
	u->has_password = stmt_int(st, 4);
	snprintf(u->created_at, sizeof(u->created_at), "%s", created ? created : "");
	return 0;
}

static int user_row(struct store_stmt *st, void *elem, void *ctx, struct mlfy_err *err)
{
	(void)ctx;
	return user_from_row(st, elem, err);
}

int mlfy_users_list(struct mlfy_store *s, struct mlfy_user **out, size_t *n,
		    struct mlfy_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM annotators ORDER BY name";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	return STORE_LIST(s, st, *out, n, user_row, NULL, mlfy_user_release_any, "list users", err);
}

static int user_get(struct mlfy_store *s, struct store_stmt *st, const char *what,
		    struct mlfy_user *out, struct mlfy_err *err)
{
	int rc = stmt_step(st);
	if (rc == STORE_ROW) {
		rc = user_from_row(st, out, err);
		stmt_reset(st);
		return rc;
	}
	stmt_reset(st);
	if (rc == STORE_DONE)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no user %s", what);
	return store_fail(s, err, "get user");
}

/* The account named name, or (name NULL) the one with id. */
static int user_lookup(struct mlfy_store *s, const char *name, int64_t id, struct mlfy_user *out,
		       struct mlfy_err *err)
{
	static const char by_name[] = "SELECT " USER_COLS " FROM annotators WHERE name = ?1";
	static const char by_id[] = "SELECT " USER_COLS " FROM annotators WHERE id = ?1";
	char what[128];
	struct store_stmt *st;

	memset(out, 0, sizeof(*out));
	if (name) {
		STMT(st, by_name);
		stmt_bind_text(st, 1, name);
		snprintf(what, sizeof(what), "'%s'", name);
	} else {
		STMT(st, by_id);
		stmt_bind_int64(st, 1, id);
		snprintf(what, sizeof(what), "with id %lld", (long long)id);
	}
	return user_get(s, st, what, out, err);
}

int mlfy_users_get(struct mlfy_store *s, const char *name, struct mlfy_user *out,
		   struct mlfy_err *err)
{
	return user_lookup(s, name ? name : "", 0, out, err);
}

int mlfy_users_get_id(struct mlfy_store *s, int64_t id, struct mlfy_user *out,
		      struct mlfy_err *err)
{
	return user_lookup(s, NULL, id, out, err);
}

static int drop_sessions_of(struct mlfy_store *s, int64_t user_id, struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE annotator_id = ?1";
	struct store_stmt *st;
	STMT(st, sql);
	stmt_bind_int64(st, 1, user_id);
	return store_step_done(s, st, "end sessions", err);
}

/* MLFY_ECONFLICT when u is the project's last enabled admin who can log in
 * (disabling or demoting it would leave nobody to run the console), else 0. */
static int last_admin(struct mlfy_store *s, const struct mlfy_user *u, const char *what, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM annotators WHERE role = 'admin' AND disabled = 0 AND pw_hash IS NOT NULL AND id <> ?1";
	struct store_stmt *st;
	int64_t others = 0;
	int rc;

	if (u->role != MLFY_ROLE_ADMIN || u->disabled || !u->has_password)
		return 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, u->id);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		others = stmt_int64(st, 0);
	stmt_reset(st);
	if (rc != STORE_ROW)
		return store_fail(s, err, "count admins");
	if (others)
		return 0;
	return mlfy_err_set(err, MLFY_ECONFLICT, "cannot %s '%s': it is the last enabled admin account (make another"
			    " account admin first)", what, u->name);
}

int mlfy_users_set_disabled(struct mlfy_store *s, const char *name, int disabled,
			    struct mlfy_err *err)
{
	static const char sql[] = "UPDATE annotators SET disabled = ?2 WHERE id = ?1";
	struct mlfy_user u;
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "disable user")) || (rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	if (disabled && (rc = last_admin(s, &u, "disable", err))) {
		mlfy_user_release(&u);
		return rc;
	}
	STMT(st, sql);
	stmt_bind_int64(st, 1, u.id);
	stmt_bind_int(st, 2, disabled ? 1 : 0);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE)
		rc = store_fail(s, err, "disable user");
	else
		rc = disabled ? drop_sessions_of(s, u.id, err) : 0;
	mlfy_user_release(&u);
	return rc;
}

int mlfy_users_set_password(struct mlfy_store *s, const char *name,
			    const char *password, struct mlfy_err *err)
{
	char hash[MLFY_PWHASH_BYTES];
	struct mlfy_user u;
	int rc;

	/* the account first: an unknown name is MLFY_ENOTFOUND before any hashing */
	if ((rc = store_require_tx(s, err, "set password")) || (rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	mlfy_user_release(&u);
	if ((rc = mlfy_password_hash(password, hash, err)))
		return rc;
	rc = mlfy_users_set_password_hashed(s, name, hash, err);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int mlfy_users_set_password_hashed(struct mlfy_store *s, const char *name,
				   const char *hash, struct mlfy_err *err)
{
	static const char sql[] = "UPDATE annotators SET pw_hash = ?2 WHERE id = ?1";
	struct mlfy_user u;
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "set password")) || (rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	if (!(st = store_stmt(s, sql, err))) {
		mlfy_user_release(&u);
		return err ? err->code : MLFY_ESTORE;
	}
	stmt_bind_int64(st, 1, u.id);
	stmt_bind_text(st, 2, hash);
	rc = stmt_step(st);
	stmt_reset(st);
	rc = rc == STORE_DONE ? drop_sessions_of(s, u.id, err) : store_fail(s, err, "set password");
	mlfy_user_release(&u);
	return rc;
}

int mlfy_users_set_role(struct mlfy_store *s, const char *name, enum mlfy_role role,
			struct mlfy_err *err)
{
	static const char sql[] = "UPDATE annotators SET role = ?2 WHERE id = ?1";
	struct mlfy_user u;
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "set role")))
		return rc;
	if ((unsigned)role > MLFY_ROLE_ADMIN)
		return mlfy_err_set(err, MLFY_EINVAL, "bad role %d", (int)role);
	if ((rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	if (role != MLFY_ROLE_ADMIN && (rc = last_admin(s, &u, "change the role of", err))) {
		mlfy_user_release(&u);
		return rc;
	}
	if (!(st = store_stmt(s, sql, err))) {
		mlfy_user_release(&u);
		return err ? err->code : MLFY_ESTORE;
	}
	stmt_bind_int64(st, 1, u.id);
	stmt_bind_text(st, 2, mlfy_role_name(role));
	rc = store_step_done(s, st, "set role", err);
	mlfy_user_release(&u);
	return rc;
}

int mlfy_users_clear_password(struct mlfy_store *s, const char *name, struct mlfy_err *err)
{
	static const char sql[] = "UPDATE annotators SET pw_hash = NULL WHERE id = ?1";
	struct mlfy_user u;
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "clear password")) || (rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	if (!(st = store_stmt(s, sql, err))) {
		mlfy_user_release(&u);
		return err ? err->code : MLFY_ESTORE;
	}
	stmt_bind_int64(st, 1, u.id);
	if (!(rc = store_step_done(s, st, "clear password", err)))
		rc = drop_sessions_of(s, u.id, err);
	mlfy_user_release(&u);
	return rc;
}

int mlfy_users_verify(struct mlfy_store *s, const char *name, const char *password,
		      struct mlfy_user *out, struct mlfy_err *err)
{
	static const char sql[] = "SELECT " USER_COLS ", pw_hash FROM annotators WHERE name = ?1";
	/* A valid hash of a random password, verified for unknown names so that
	 * the time taken does not reveal whether a name exists. */
	static char dummy[crypto_pwhash_STRBYTES];
	char hash[crypto_pwhash_STRBYTES] = "";
	struct store_stmt *st;
	int rc, found = 0, ok;

	memset(out, 0, sizeof(*out));
	if ((rc = sodium_ready(err)))
		return rc;
	if (!password || strlen(password) > MLFY_PASSWORD_MAX || !name || strlen(name) > 64)
		return mlfy_err_set(err, MLFY_EPERM, "wrong user name or password");
	STMT(st, sql);
	stmt_bind_text(st, 1, name);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		const char *h = stmt_text(st, 6);
		if ((rc = user_from_row(st, out, err))) {
			stmt_reset(st);
			return rc;
		}
		if (h)
			snprintf(hash, sizeof(hash), "%s", h);
		found = 1;
	} else if (rc != STORE_DONE) {
		stmt_reset(st);
		return store_fail(s, err, "verify user");
	}
	stmt_reset(st);
	if (!hash[0]) {
		if (!dummy[0]) {
			char pw[33];
			unsigned char r[16];
			randombytes_buf(r, sizeof(r));
			to_hex(r, sizeof(r), pw);
			if (crypto_pwhash_str_alg(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
						  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
				dummy[0] = '\0';
		}
		if (dummy[0])
			ok = crypto_pwhash_str_verify(dummy, password, strlen(password));
		ok = 0;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	sodium_memzero(hash, sizeof(hash));
	if (!found || !ok || out->disabled || !out->has_password) {
		mlfy_user_release(out);
		return mlfy_err_set(err, MLFY_EPERM, "wrong user name or password");
	}
	return 0;
}

int mlfy_token_new(char token[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	unsigned char r[MLFY_TOKEN_LEN / 2];
	int rc;
	if ((rc = sodium_ready(err)))
		return rc;
	randombytes_buf(r, sizeof(r));
	to_hex(r, sizeof(r), token);
	sodium_memzero(r, sizeof(r));
	return 0;
}

int mlfy_token_hash(const char *token, char hash[MLFY_TOKEN_LEN + 1], struct mlfy_err *err)
{
	int rc;
	if (!token || !is_hex_token(token))
		return mlfy_err_set(err, MLFY_EINVAL, "malformed token (expected %d lowercase hex characters)",
				    MLFY_TOKEN_LEN);
	if ((rc = sodium_ready(err)))
		return rc;
	token_hash(token, hash);
	return 0;
}

void mlfy_session_release(struct mlfy_session *ss)
{
	if (!ss)
		return;
	mlfy_user_release(&ss->user);
	sodium_memzero(ss->csrf, sizeof(ss->csrf));
	memset(ss, 0, sizeof(*ss));
}

int mlfy_sessions_create(struct mlfy_store *s, int64_t user_id, int64_t now,
			 char token[MLFY_TOKEN_LEN + 1], char csrf[MLFY_TOKEN_LEN + 1],
			 struct mlfy_err *err)
{
	static const char sql[] =
		"INSERT INTO sessions(token_hash, annotator_id, csrf, created_at, last_seen)"
		" VALUES (?1, ?2, ?3, ?4, ?4)";
	unsigned char r[MLFY_TOKEN_LEN / 2];
	char h[65];
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "create session")) || (rc = sodium_ready(err)))
		return rc;
	randombytes_buf(r, sizeof(r));
	to_hex(r, sizeof(r), token);
	randombytes_buf(r, sizeof(r));
	to_hex(r, sizeof(r), csrf);
	sodium_memzero(r, sizeof(r));
	token_hash(token, h);
	STMT(st, sql);
	stmt_bind_text(st, 1, h);
	stmt_bind_int64(st, 2, user_id);
	stmt_bind_text(st, 3, csrf);
	stmt_bind_int64(st, 4, now);
	return store_step_done(s, st, "create session", err);
}

static int session_delete_hash(struct mlfy_store *s, const char *h, struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = ?1";
	struct store_stmt *st;
	STMT(st, sql);
	stmt_bind_text(st, 1, h);
	return store_step_done(s, st, "delete session", err);
}

static int session_touch(struct mlfy_store *s, const char *h, int64_t now, int del,
			 struct mlfy_err *err)
{
	static const char sql[] = "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1";
	struct store_stmt *st;
	int rc;

	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if (del) {
		rc = session_delete_hash(s, h, err);
	} else if (!(st = store_stmt(s, sql, err))) {
		rc = err ? err->code : MLFY_ESTORE;
	} else {
		stmt_bind_text(st, 1, h);
		stmt_bind_int64(st, 2, now);
		rc = stmt_step(st) == STORE_DONE ? 0 : store_fail(s, err, "touch session");
		stmt_reset(st);
	}
	if (rc) {
		mlfy_store_rollback(s);
		return rc;
	}
	return mlfy_store_commit(s, err);
}

int mlfy_sessions_lookup(struct mlfy_store *s, const char *token, int64_t now,
			 int64_t idle_s, int64_t max_age_s, int64_t touch_s,
			 struct mlfy_session *out, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT a.id, a.name, a.role, a.disabled, CAST(a.pw_hash IS NOT NULL AS INTEGER), a.created_at,"
		"       s.csrf, s.created_at, s.last_seen"
		" FROM sessions s JOIN annotators a ON a.id = s.annotator_id WHERE s.token_hash = ?1";
	char h[65];
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!token || !is_hex_token(token))
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no such session");
	if ((rc = sodium_ready(err)))
		return rc;
	token_hash(token, h);
	STMT(st, sql);
	stmt_bind_text(st, 1, h);
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "no such session");
		return store_fail(s, err, "look up session");
	}
	if ((rc = user_from_row(st, &out->user, err))) {
		stmt_reset(st);
		return rc;
	}
	snprintf(out->csrf, sizeof(out->csrf), "%s", stmt_text(st, 6));
	out->created = stmt_int64(st, 7);
	out->last_seen = stmt_int64(st, 8);
	stmt_reset(st);
	if (now - out->last_seen > idle_s || now - out->created > max_age_s || out->user.disabled) {
		mlfy_session_release(out);
		if ((rc = session_touch(s, h, now, 1, err)))
			return rc;
		return mlfy_err_set(err, MLFY_ENOTFOUND, "session expired");
	}
	if (now - out->last_seen >= touch_s) {
		if ((rc = session_touch(s, h, now, 0, err))) {
			mlfy_session_release(out);
			return rc;
		}
		out->last_seen = now;
	}
	return 0;
}

int mlfy_sessions_touch(struct mlfy_store *s, const char *token, int64_t now,
			struct mlfy_err *err)
{
	char h[65];
	int rc;
	if (!token || !is_hex_token(token))
		return 0;
	if ((rc = sodium_ready(err)))
		return rc;
	token_hash(token, h);
	return session_touch(s, h, now, 0, err);
}

int mlfy_sessions_delete(struct mlfy_store *s, const char *token, struct mlfy_err *err)
{
	char h[65];
	int rc;
	if ((rc = store_require_tx(s, err, "delete session")))
		return rc;
	if (!token || !is_hex_token(token))
		return 0;
	if ((rc = sodium_ready(err)))
		return rc;
	token_hash(token, h);
	return session_delete_hash(s, h, err);
}

int mlfy_sessions_purge(struct mlfy_store *s, int64_t now, int64_t idle_s, int64_t *n,
			struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE ?1 - last_seen > ?2";
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "purge sessions")))
		return rc;
	STMT(st, sql);
	stmt_bind_int64(st, 1, now);
	stmt_bind_int64(st, 2, idle_s);
	if ((rc = store_step_done(s, st, "purge sessions", err)))
		return rc;
	if (n)
		*n = store_changes(s);
	return 0;
}
