/* annotations.c - SQLite backend of annotations.h: accounts, sessions,
 * assignments, the annotation history, task lists, the task view and the
 * dashboard.  Owns the SQL of the tables annotators, sessions, assignments,
 * annotations and annotation_labels; catalog and proposal rows are only
 * read here, and the refinement queue, final labels and zero-label reviews
 * are reached only through store/review.h. */
#define _POSIX_C_SOURCE 200809L
#include "store/annotations.h"
#include "store/engine.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- small helpers -------------------------------------------------------- */

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

/* ---- roles, stages, sources ---------------------------------------------- */

static const char *const role_names[] = { "annotator", "expert", "admin" };
static const char *const stage_names[] = { "annotate", "refine" };
static const char *const source_names[] = { "proposal", "search", "prefill" };

const char *mlfy_role_name(enum mlfy_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "?";
}

int mlfy_role_parse(const char *s, enum mlfy_role *r, struct mlfy_err *err)
{
	int i;
	for (i = 0; i < 3; i++)
		if (s && !strcmp(s, role_names[i])) {
			*r = (enum mlfy_role)i;
			return 0;
		}
	return mlfy_err_set(err, MLFY_EINVAL, "unknown role '%s' (expected annotator, expert or admin)",
			    s ? s : "");
}

const char *mlfy_stage_name(enum mlfy_stage st)
{
	return (unsigned)st < 2 ? stage_names[st] : "?";
}

int mlfy_stage_parse(const char *s, enum mlfy_stage *st, struct mlfy_err *err)
{
	int i;
	for (i = 0; i < 2; i++)
		if (s && !strcmp(s, stage_names[i])) {
			*st = (enum mlfy_stage)i;
			return 0;
		}
	return mlfy_err_set(err, MLFY_EINVAL, "unknown stage '%s' (expected annotate or refine)", s ? s : "");
}

const char *mlfy_source_name(enum mlfy_label_source src)
{
	return (unsigned)src < 3 ? source_names[src] : "?";
}

const char *mlfy_source_label(enum mlfy_label_source src)
{
	static const char *const labels[] = { "model proposal", "class search", "pre-checked (stage ii)" };
	return (unsigned)src < 3 ? labels[src] : "?";
}

int mlfy_source_parse(const char *s, enum mlfy_label_source *src, struct mlfy_err *err)
{
	int i;
	for (i = 0; i < 3; i++)
		if (s && !strcmp(s, source_names[i])) {
			*src = (enum mlfy_label_source)i;
			return 0;
		}
	return mlfy_err_set(err, MLFY_EINVAL, "unknown label source '%s' (expected proposal, search or prefill)",
			    s ? s : "");
}

/* ---- accounts ------------------------------------------------------------- */

void mlfy_user_release(struct mlfy_user *u)
{
	if (!u)
		return;
	free(u->name);
	memset(u, 0, sizeof(*u));
}

void mlfy_users_free(struct mlfy_user *u, size_t n)
{
	size_t i;
	if (!u)
		return;
	for (i = 0; i < n; i++)
		mlfy_user_release(&u[i]);
	free(u);
}

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

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], struct mlfy_err *err)
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
	static const char sql[] =
		"INSERT INTO annotators(name, role, pw_hash, disabled, created_at) VALUES (?1, ?2, ?3, 0, ?4)";
	char hash[crypto_pwhash_STRBYTES], now[32];
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "add user")) || (rc = mlfy_user_name_check(name, err)))
		return rc;
	if ((unsigned)role > MLFY_ROLE_ADMIN)
		return mlfy_err_set(err, MLFY_EINVAL, "bad role %d", (int)role);
	if (password && (rc = hash_password(password, hash, err)))
		return rc;
	STMT(st, sql);
	mlfy_store_now(now);
	stmt_bind_text(st, 1, name);
	stmt_bind_text(st, 2, mlfy_role_name(role));
	if (password)
		stmt_bind_text(st, 3, hash);
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

#define USER_COLS "id, name, role, disabled, pw_hash IS NOT NULL, created_at"

static int user_from_row(struct store_stmt *st, struct mlfy_user *u, struct mlfy_err *err)
{
	const char *role = stmt_text(st, 2);
	const char *created = stmt_text(st, 5);
	memset(u, 0, sizeof(*u));
	u->id = stmt_int64(st, 0);
	if (!(u->name = stmt_dup(st, 1)))
		return store_oom(err);
	if (mlfy_role_parse(role, &u->role, NULL))
		u->role = MLFY_ROLE_ANNOTATOR;
	u->disabled = stmt_int(st, 3);
	u->has_password = stmt_int(st, 4);
	snprintf(u->created_at, sizeof(u->created_at), "%s", created ? created : "");
	return 0;
}

int mlfy_users_list(struct mlfy_store *s, struct mlfy_user **out, size_t *n,
		    struct mlfy_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM annotators ORDER BY name";
	struct mlfy_user *v = NULL, *nv;
	size_t len = 0, cap = 0;
	struct store_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(nv = realloc(v, cap * sizeof(*v)))) {
				stmt_reset(st);
				mlfy_users_free(v, len);
				return store_oom(err);
			}
			v = nv;
		}
		if (user_from_row(st, &v[len], err)) {
			stmt_reset(st);
			mlfy_users_free(v, len);
			return MLFY_ENOMEM;
		}
		len++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_users_free(v, len);
		return store_fail(s, err, "list users");
	}
	*out = v;
	*n = len;
	return 0;
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

int mlfy_users_get(struct mlfy_store *s, const char *name, struct mlfy_user *out,
		   struct mlfy_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM annotators WHERE name = ?1";
	char what[128];
	struct store_stmt *st;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_text(st, 1, name);
	snprintf(what, sizeof(what), "'%s'", name);
	return user_get(s, st, what, out, err);
}

int mlfy_users_get_id(struct mlfy_store *s, int64_t id, struct mlfy_user *out,
		      struct mlfy_err *err)
{
	static const char sql[] = "SELECT " USER_COLS " FROM annotators WHERE id = ?1";
	char what[64];
	struct store_stmt *st;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, id);
	snprintf(what, sizeof(what), "with id %lld", (long long)id);
	return user_get(s, st, what, out, err);
}

static int drop_sessions_of(struct mlfy_store *s, int64_t user_id, struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE annotator_id = ?1";
	struct store_stmt *st;
	int rc;
	STMT(st, sql);
	stmt_bind_int64(st, 1, user_id);
	rc = stmt_step(st);
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "end sessions");
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
	static const char sql[] = "UPDATE annotators SET pw_hash = ?2 WHERE id = ?1";
	char hash[crypto_pwhash_STRBYTES];
	struct mlfy_user u;
	struct store_stmt *st;
	int rc;

	if ((rc = store_require_tx(s, err, "set password")) || (rc = mlfy_users_get(s, name, &u, err)))
		return rc;
	if ((rc = hash_password(password, hash, err))) {
		mlfy_user_release(&u);
		return rc;
	}
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

/* ---- sessions ------------------------------------------------------------- */

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
	rc = stmt_step(st);
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "create session");
}

static int session_delete_hash(struct mlfy_store *s, const char *h, struct mlfy_err *err)
{
	static const char sql[] = "DELETE FROM sessions WHERE token_hash = ?1";
	struct store_stmt *st;
	int rc;
	STMT(st, sql);
	stmt_bind_text(st, 1, h);
	rc = stmt_step(st);
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "delete session");
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
			 int64_t idle_s, int64_t touch_s, struct mlfy_session *out,
			 struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT a.id, a.name, a.role, a.disabled, a.pw_hash IS NOT NULL, a.created_at,"
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
	if (now - out->last_seen > idle_s || out->user.disabled) {
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
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "purge sessions");
	if (n)
		*n = store_changes(s);
	return 0;
}

/* ---- assignments ---------------------------------------------------------- */

void mlfy_assign_report_release(struct mlfy_assign_report *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_load; i++)
		free(r->load[i].annotator);
	free(r->load);
	memset(r, 0, sizeof(*r));
}

struct batch_info {
	int batch;
	int64_t images;
	int n_have;     /* annotators on it (any account) */
};

static int assign_work(struct mlfy_store *s, int per_image, const char *const *names, size_t n,
		       struct mlfy_assign_report *rep, struct mlfy_err *err)
{
	static const char sql_all[] =
		"SELECT id, name FROM annotators WHERE role = 'annotator' AND disabled = 0 ORDER BY name";
	static const char sql_batches[] = "SELECT batch, COUNT(*) FROM images GROUP BY batch ORDER BY batch";
	static const char sql_have[] = "SELECT batch, annotator_id FROM assignments ORDER BY batch";
	static const char sql_ins[] =
		"INSERT INTO assignments(batch, annotator_id, assigned_at) VALUES (?1, ?2, ?3)";
	struct batch_info *b = NULL;
	struct mlfy_assign_load *L = NULL;
	unsigned char *on = NULL;   /* on[bi * nl + li]: candidate li has batch bi */
	size_t nb = 0, capb = 0, nl = 0, i, j;
	struct store_stmt *st;
	char now[32];
	int rc = 0;

	/* candidates */
	if (n == 0) {
		STMT(st, sql_all);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			struct mlfy_assign_load *nv = realloc(L, (nl + 1) * sizeof(*L));
			if (!nv) {
				rc = store_oom(err);
				goto out_reset;
			}
			L = nv;
			memset(&L[nl], 0, sizeof(*L));
			L[nl].annotator_id = stmt_int64(st, 0);
			if (!(L[nl++].annotator = stmt_dup(st, 1))) {
				rc = store_oom(err);
				goto out_reset;
			}
		}
		stmt_reset(st);
		if (rc != STORE_DONE) {
			rc = store_fail(s, err, "list annotators");
			goto out;
		}
		rc = 0;
	} else {
		if (!(L = calloc(n, sizeof(*L)))) {
			rc = store_oom(err);
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct mlfy_user u;
			for (j = 0; j < i; j++)
				if (!strcmp(names[i], names[j])) {
					rc = mlfy_err_set(err, MLFY_EINVAL, "annotator '%s' named twice", names[i]);
					goto out;
				}
			if ((rc = mlfy_users_get(s, names[i], &u, err)))
				goto out;
			if (u.disabled) {
				rc = mlfy_err_set(err, MLFY_ENOTFOUND, "user '%s' is disabled", names[i]);
				mlfy_user_release(&u);
				goto out;
			}
			L[nl].annotator_id = u.id;
			L[nl++].annotator = u.name;   /* steals the name */
		}
		/* report order: by name */
		for (i = 1; i < nl; i++)
			for (j = i; j > 0 && strcmp(L[j - 1].annotator, L[j].annotator) > 0; j--) {  /* NOLINT(clang-analyzer-core.NonNullParamChecker): mlfy_users_get filled every name */
				struct mlfy_assign_load t = L[j];
				L[j] = L[j - 1];
				L[j - 1] = t;
			}
	}
	if (per_image < 1 || (size_t)per_image > nl) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "--per-image %d needs at least that many annotators; %zu available", per_image, nl);
		goto out;
	}

	/* batches */
	if (!(st = store_stmt(s, sql_batches, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (nb == capb) {
			struct batch_info *nv;
			capb = capb ? 2 * capb : 64;
			if (!(nv = realloc(b, capb * sizeof(*b)))) {
				rc = store_oom(err);
				goto out_reset;
			}
			b = nv;
		}
		b[nb].batch = stmt_int(st, 0);
		b[nb].images = stmt_int64(st, 1);
		b[nb].n_have = 0;
		nb++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "list batches");
		goto out;
	}
	rc = 0;
	if (nb && !(on = calloc(nb * nl, 1))) {
		rc = store_oom(err);
		goto out;
	}

	/* existing assignments */
	if (!(st = store_stmt(s, sql_have, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto out;
	}
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int batch = stmt_int(st, 0);
		int64_t who = stmt_int64(st, 1);
		size_t lo = 0, hi = nb;
		while (lo < hi) {       /* batches are sorted */
			size_t mid = (lo + hi) / 2;
			if (b[mid].batch < batch)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == nb || b[lo].batch != batch)
			continue;       /* a batch with no images left */
		b[lo].n_have++;
		for (j = 0; j < nl; j++)
			if (L[j].annotator_id == who) {
				on[lo * nl + j] = 1;
				L[j].batches++;
				L[j].images += b[lo].images;
			}
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "list assignments");
		goto out;
	}
	rc = 0;

	/* fill the missing slots, least loaded first */
	mlfy_store_now(now);
	for (i = 0; i < nb; i++) {
		while (b[i].n_have < per_image) {
			size_t best = nl;
			for (j = 0; j < nl; j++) {
				if (on[i * nl + j])
					continue;
				if (best == nl || L[j].images < L[best].images ||
				    (L[j].images == L[best].images && L[j].batches < L[best].batches))
					best = j;
			}
			if (best == nl)
				break;
			if (!(st = store_stmt(s, sql_ins, err))) {
				rc = err ? err->code : MLFY_ESTORE;
				goto out;
			}
			stmt_bind_int(st, 1, b[i].batch);
			stmt_bind_int64(st, 2, L[best].annotator_id);
			stmt_bind_text(st, 3, now);
			rc = stmt_step(st);
			stmt_reset(st);
			if (rc != STORE_DONE) {
				rc = store_fail(s, err, "add assignment");
				goto out;
			}
			rc = 0;
			on[i * nl + best] = 1;
			L[best].batches++;
			L[best].images += b[i].images;
			L[best].added++;
			b[i].n_have++;
			rep->added++;
		}
		if (b[i].n_have >= per_image)
			rep->complete++;
	}
	rep->n_batches = (int)nb;
	rep->load = L;
	rep->n_load = nl;
	L = NULL;
	nl = 0;
	goto out;
out_reset:
	stmt_reset(st);
out:
	for (i = 0; i < nl; i++)
		free(L[i].annotator);
	free(L);
	free(b);
	free(on);
	return rc;
}

int mlfy_assign_batches(struct mlfy_store *s, int per_image, const char *const *names,
			size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err)
{
	int rc;
	memset(rep, 0, sizeof(*rep));
	if ((rc = mlfy_store_begin(s, err)))
		return rc;
	if ((rc = assign_work(s, per_image, names, n, rep, err))) {
		mlfy_store_rollback(s);
		mlfy_assign_report_release(rep);
		return rc;
	}
	if ((rc = mlfy_store_commit(s, err)))
		mlfy_assign_report_release(rep);
	return rc;
}

/* ---- task lists and access ------------------------------------------------ */

void mlfy_task_list_release(struct mlfy_task_list *t)
{
	if (!t)
		return;
	free(t->image_ids);
	free(t->done);
	memset(t, 0, sizeof(*t));
}

/* Stage iv: the expert's rows of the refinement queue (review.h). */
static int refine_tasks(struct mlfy_store *s, int64_t user_id, struct mlfy_task_list *out,
			struct mlfy_err *err)
{
	struct mlfy_queue_entry *q = NULL;
	size_t n = 0, i;
	int rc;

	if (user_id <= 0)   /* 0 would list every expert's rows */
		return 0;
	if ((rc = mlfy_review_queue_list(s, user_id, &q, &n, err)))
		return rc;
	if (n && (!(out->image_ids = malloc(n * sizeof(*out->image_ids))) || !(out->done = malloc(n)))) {
		mlfy_queue_entries_free(q, n);
		mlfy_task_list_release(out);
		return store_oom(err);
	}
	for (i = 0; i < n; i++) {
		out->image_ids[i] = q[i].image_id;
		out->done[i] = q[i].refined ? 1 : 0;
		out->n_done += out->done[i];
	}
	out->n = n;
	mlfy_queue_entries_free(q, n);
	return 0;
}

int mlfy_tasks_list(struct mlfy_store *s, int64_t user_id, enum mlfy_stage stg,
		    struct mlfy_task_list *out, struct mlfy_err *err)
{
	static const char sql_ann[] =
		"SELECT i.id, EXISTS(SELECT 1 FROM annotations n WHERE n.image_id = i.id"
		"   AND n.annotator_id = ?1 AND n.stage = 'annotate')"
		" FROM assignments a JOIN images i ON i.batch = a.batch"
		" WHERE a.annotator_id = ?1 ORDER BY i.batch, i.id";
	size_t cap = 0;
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (stg == MLFY_STAGE_REFINE)
		return refine_tasks(s, user_id, out, err);
	STMT(st, sql_ann);
	stmt_bind_int64(st, 1, user_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (out->n == cap) {
			int64_t *ni;
			unsigned char *nd;
			cap = cap ? 2 * cap : 256;
			ni = realloc(out->image_ids, cap * sizeof(*ni));
			if (ni)
				out->image_ids = ni;
			nd = ni ? realloc(out->done, cap) : NULL;
			if (!nd) {
				stmt_reset(st);
				mlfy_task_list_release(out);
				return store_oom(err);
			}
			out->done = nd;
		}
		out->image_ids[out->n] = stmt_int64(st, 0);
		out->done[out->n] = (unsigned char)stmt_int(st, 1);
		out->n_done += out->done[out->n];
		out->n++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_task_list_release(out);
		return store_fail(s, err, "list tasks");
	}
	return 0;
}

/* -1 error, 0 no, 1 yes */
static int exists1(struct mlfy_store *s, const char *sql, int64_t a, int64_t b, struct mlfy_err *err)
{
	struct store_stmt *st = store_stmt(s, sql, err);
	int rc;
	if (!st)
		return -1;
	stmt_bind_int64(st, 1, a);
	stmt_bind_int64(st, 2, b);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc == STORE_ROW)
		return 1;
	if (rc == STORE_DONE)
		return 0;
	store_fail(s, err, "check access");
	return -1;
}

static const char sql_image_exists[] = "SELECT 1 FROM images WHERE id = ?1 AND ?2 = ?2";
static const char sql_may_annotate[] =
	"SELECT 1 FROM images i JOIN assignments a ON a.batch = i.batch AND a.annotator_id = ?2"
	" WHERE i.id = ?1";

/* -1 error, 0 no, 1 yes: image_id's refinement-queue row is user_id's. */
static int may_refine(struct mlfy_store *s, int64_t image_id, int64_t user_id, struct mlfy_err *err)
{
	struct mlfy_queue_entry q;
	int rc = mlfy_review_queue_get(s, image_id, &q, err);
	if (rc == MLFY_ENOTFOUND)
		return 0;
	if (rc)
		return -1;
	rc = q.expert_id > 0 && q.expert_id == user_id;
	mlfy_queue_entry_release(&q);
	return rc;
}

int mlfy_tasks_check(struct mlfy_store *s, int64_t user_id, enum mlfy_stage stg,
		     int64_t image_id, struct mlfy_err *err)
{
	int r = exists1(s, sql_image_exists, image_id, 0, err);
	if (r < 0)
		return err ? err->code : MLFY_ESTORE;
	if (!r)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
	r = stg == MLFY_STAGE_REFINE ? may_refine(s, image_id, user_id, err)
				     : exists1(s, sql_may_annotate, image_id, user_id, err);
	if (r < 0)
		return err ? err->code : MLFY_ESTORE;
	if (!r)
		return mlfy_err_set(err, MLFY_EPERM, "image %lld is not in your %s tasks", (long long)image_id,
				    stg == MLFY_STAGE_REFINE ? "refinement" : "annotation");
	return 0;
}

int mlfy_tasks_can_view(struct mlfy_store *s, int64_t user_id, int64_t image_id,
			struct mlfy_err *err)
{
	int rc = mlfy_tasks_check(s, user_id, MLFY_STAGE_ANNOTATE, image_id, err);
	if (rc == MLFY_EPERM)
		rc = mlfy_tasks_check(s, user_id, MLFY_STAGE_REFINE, image_id, err);
	if (rc == MLFY_EPERM)
		rc = mlfy_err_set(err, MLFY_EPERM, "image %lld is not in your tasks", (long long)image_id);
	return rc;
}

/* ---- annotations ---------------------------------------------------------- */

void mlfy_annotation_release(struct mlfy_annotation *a)
{
	if (!a)
		return;
	free(a->annotator);
	free(a->comment);
	free(a->labels);
	memset(a, 0, sizeof(*a));
}

void mlfy_annotations_free(struct mlfy_annotation *a, size_t n)
{
	size_t i;
	if (!a)
		return;
	for (i = 0; i < n; i++)
		mlfy_annotation_release(&a[i]);
	free(a);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int current_version(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			   enum mlfy_stage stg, int64_t *v, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT MAX(version) FROM annotations WHERE image_id = ?1 AND annotator_id = ?2 AND stage = ?3";
	struct store_stmt *st;
	int rc;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	rc = stmt_step(st);
	*v = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_reset(st);
	return rc == STORE_ROW ? 0 : store_fail(s, err, "read version");
}

static int active_model(struct mlfy_store *s, int64_t *id, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COALESCE((SELECT m.id FROM models m JOIN meta k ON k.key = 'proposal_model'"
		"  AND k.value = m.name), (SELECT MAX(id) FROM models))";
	struct store_stmt *st;
	int rc;
	STMT(st, sql);
	rc = stmt_step(st);
	*id = rc == STORE_ROW && !stmt_is_null(st, 0) ? stmt_int64(st, 0) : 0;
	stmt_reset(st);
	return rc == STORE_ROW ? 0 : store_fail(s, err, "find the proposal model");
}

/* The union of the current stage-ii label sets of image_id, sorted, into
 * *out (new array, free()). */
static int stage2_union(struct mlfy_store *s, int64_t image_id, int **out, size_t *n,
			struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT DISTINCT l.class_idx FROM current_annotations c"
		" JOIN annotation_labels l ON l.annotation_id = c.id"
		" WHERE c.image_id = ?1 AND c.stage = 'annotate' ORDER BY l.class_idx";
	struct store_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (*n == cap) {
			int *nv;
			cap = cap ? 2 * cap : 16;
			if (!(nv = realloc(*out, cap * sizeof(int)))) {
				stmt_reset(st);
				free(*out);
				*out = NULL;
				return store_oom(err);
			}
			*out = nv;
		}
		(*out)[(*n)++] = stmt_int(st, 0);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		free(*out);
		*out = NULL;
		return store_fail(s, err, "read stage-ii labels");
	}
	return 0;
}

static int save_work(struct mlfy_store *s, const struct mlfy_annotation_save *in, const int *sorted,
		     int64_t *version, struct mlfy_err *err)
{
	static const char sql_class[] = "SELECT 1 FROM classes WHERE idx = ?1 AND ?2 = ?2";
	static const char sql_ins[] =
		"INSERT INTO annotations(image_id, annotator_id, stage, version, model_id, comment, seconds,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char sql_lab[] =
		"INSERT INTO annotation_labels(annotation_id, class_idx, source) VALUES (?1, ?2, ?3)";
	const char *comment = in->comment ? in->comment : "";
	int64_t cur, model, ann;
	struct store_stmt *st;
	char now[32];
	size_t i;
	int rc, r;

	if ((rc = mlfy_tasks_check(s, in->annotator_id, in->stage, in->image_id, err)))
		return rc;
	if ((rc = current_version(s, in->image_id, in->annotator_id, in->stage, &cur, err)))
		return rc;
	if (cur != in->base_version)  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult): STMT returns err->code, never 0, on failure */
		return mlfy_err_set(err, MLFY_ECONFLICT,
				    "stale save: image %lld is at version %lld, this save was based on version %lld",
				    (long long)in->image_id, (long long)cur, (long long)in->base_version);
	for (i = 0; i < in->n_labels; i++) {
		r = exists1(s, sql_class, sorted[i], 0, err);
		if (r < 0)
			return err ? err->code : MLFY_ESTORE;
		if (!r)
			return mlfy_err_set(err, MLFY_EINVAL, "labels: no class with index %d", sorted[i]);
	}
	if (in->stage == MLFY_STAGE_REFINE && !comment[0]) {
		int *u;
		size_t nu;
		if ((rc = stage2_union(s, in->image_id, &u, &nu, err)))
			return rc;
		r = nu != in->n_labels || (nu && memcmp(u, sorted, nu * sizeof(int)) != 0);
		free(u);
		if (r)
			return mlfy_err_set(err, MLFY_EINVAL,
					    "comment: required when the refined set differs from the annotators' labels");
	}
	if ((rc = active_model(s, &model, err)))
		return rc;
	mlfy_store_now(now);
	STMT(st, sql_ins);
	stmt_bind_int64(st, 1, in->image_id);
	stmt_bind_int64(st, 2, in->annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(in->stage));
	stmt_bind_int64(st, 4, cur + 1);
	if (model)  /* NOLINT(clang-analyzer-core.uninitialized.Branch): STMT returns err->code, never 0, on failure */
		stmt_bind_int64(st, 5, model);
	else
		stmt_bind_null(st, 5);
	stmt_bind_text(st, 6, comment);
	stmt_bind_double(st, 7, in->seconds);
	stmt_bind_text(st, 8, now);
	rc = stmt_step(st);
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "save annotation");
	ann = store_last_id(s);
	for (i = 0; i < in->n_labels; i++) {
		STMT(st, sql_lab);
		stmt_bind_int64(st, 1, ann);
		stmt_bind_int(st, 2, in->labels[i].class_idx);
		stmt_bind_text(st, 3, mlfy_source_name(in->labels[i].source));
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc != STORE_DONE)
			return store_fail(s, err, "save labels");
	}
	if (in->stage == MLFY_STAGE_REFINE) {
		/* the expert's set (this save) becomes the final set, stage "refined" */
		if ((rc = mlfy_review_finalize(s, in->image_id, NULL, err)))
			return rc;
		if (in->zl_category && (rc = mlfy_review_zero_add(s, in->image_id, in->annotator_id, in->zl_category,
								  in->zl_verdict, comment, NULL, err)))
			return mlfy_err_prefix(err, "zero_label");
	}
	*version = cur + 1;
	return 0;
}

/* Characters (code points) of UTF-8 text: bytes that are not continuation
 * bytes.  The page's comment box limits characters, not bytes, so a comment
 * in a non-Latin script it accepts must be accepted here too. */
static size_t utf8_chars(const char *t)
{
	size_t n = 0;
	for (; *t; t++)
		n += ((unsigned char)*t & 0xC0) != 0x80;
	return n;
}

int mlfy_annotations_save(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			  int64_t *version, struct mlfy_err *err)
{
	int *sorted = NULL;
	size_t i;
	int rc;

	if (in->n_labels && !in->labels)
		return mlfy_err_set(err, MLFY_EINVAL, "labels: missing");
	if (in->n_labels > 100000)
		return mlfy_err_set(err, MLFY_EINVAL, "labels: too many (%zu)", in->n_labels);
	if (in->comment && utf8_chars(in->comment) > MLFY_COMMENT_MAX)
		return mlfy_err_set(err, MLFY_EINVAL, "comment: longer than %d characters", MLFY_COMMENT_MAX);
	if (!isfinite(in->seconds) || in->seconds < 0 || in->seconds >= 1e7)
		return mlfy_err_set(err, MLFY_EINVAL, "seconds: %g is not in [0, 1e7)", in->seconds);
	if (in->base_version < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "base_version: negative");
	if ((unsigned)in->stage > MLFY_STAGE_REFINE)
		return mlfy_err_set(err, MLFY_EINVAL, "stage: bad value");
	if (!in->zl_category != !in->zl_verdict)
		return mlfy_err_set(err, MLFY_EINVAL, "zero_label: needs both category and verdict");
	if (in->zl_category) {
		if (in->stage != MLFY_STAGE_REFINE)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label: only in refinement");
		if (in->n_labels)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label: only for an empty label set");
		/* checked again by mlfy_review_zero_add; here before any write, naming the field */
		if (mlfy_zero_category_index(in->zl_category) < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label.category: unknown category '%s'",
					    in->zl_category);
		if (mlfy_zero_verdict_index(in->zl_verdict) < 0)
			return mlfy_err_set(err, MLFY_EINVAL, "zero_label.verdict: unknown verdict '%s'",
					    in->zl_verdict);
	}
	for (i = 0; i < in->n_labels; i++)
		if ((unsigned)in->labels[i].source > MLFY_SOURCE_PREFILL)
			return mlfy_err_set(err, MLFY_EINVAL, "labels[%zu].source: bad value", i);
	if (in->n_labels) {
		if (!(sorted = malloc(in->n_labels * sizeof(int))))
			return store_oom(err);
		for (i = 0; i < in->n_labels; i++)
			sorted[i] = in->labels[i].class_idx;
		qsort(sorted, in->n_labels, sizeof(int), cmp_int);
		for (i = 1; i < in->n_labels; i++)
			if (sorted[i] == sorted[i - 1]) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "labels: class %d given twice", sorted[i]);
				free(sorted);
				return rc;
			}
	}
	if ((rc = mlfy_store_begin(s, err))) {
		free(sorted);
		return rc;
	}
	rc = save_work(s, in, sorted, version, err);
	free(sorted);
	if (rc) {
		mlfy_store_rollback(s);
		return rc;
	}
	return mlfy_store_commit(s, err);
}

static int read_labels(struct mlfy_store *s, struct mlfy_annotation *a, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT class_idx, source FROM annotation_labels WHERE annotation_id = ?1 ORDER BY class_idx";
	struct store_stmt *st;
	size_t cap = 0;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, a->id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (a->n_labels == cap) {
			struct mlfy_label_choice *nv;
			cap = cap ? 2 * cap : 8;
			if (!(nv = realloc(a->labels, cap * sizeof(*nv)))) {
				stmt_reset(st);
				return store_oom(err);
			}
			a->labels = nv;
		}
		a->labels[a->n_labels].class_idx = stmt_int(st, 0);
		if (mlfy_source_parse(stmt_text(st, 1), &a->labels[a->n_labels].source,
				      NULL))
			a->labels[a->n_labels].source = MLFY_SOURCE_PROPOSAL;
		a->n_labels++;
	}
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "read labels");
}

#define ANN_COLS "n.id, n.image_id, n.annotator_id, u.name, n.stage, n.version, n.comment, n.seconds, n.created_at"

static int ann_from_row(struct store_stmt *st, struct mlfy_annotation *a, struct mlfy_err *err)
{
	const char *c = stmt_text(st, 8);
	memset(a, 0, sizeof(*a));
	a->id = stmt_int64(st, 0);
	a->image_id = stmt_int64(st, 1);
	a->annotator_id = stmt_int64(st, 2);
	a->annotator = stmt_dup(st, 3);
	if (mlfy_stage_parse(stmt_text(st, 4), &a->stage, NULL))
		a->stage = MLFY_STAGE_ANNOTATE;
	a->version = stmt_int64(st, 5);
	a->comment = stmt_dup(st, 6);
	a->seconds = stmt_double(st, 7);
	snprintf(a->created_at, sizeof(a->created_at), "%s", c ? c : "");
	if (!a->annotator || !a->comment) {
		mlfy_annotation_release(a);
		return store_oom(err);
	}
	return 0;
}

int mlfy_annotations_current(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			     enum mlfy_stage stg, struct mlfy_annotation *out,
			     struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM annotations n JOIN annotators u ON u.id = n.annotator_id"
		" WHERE n.image_id = ?1 AND n.annotator_id = ?2 AND n.stage = ?3"
		" ORDER BY n.version DESC LIMIT 1";
	struct store_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "image %lld has no %s annotation by this user",
					    (long long)image_id, mlfy_stage_name(stg));
		return store_fail(s, err, "read annotation");
	}
	rc = ann_from_row(st, out, err);
	stmt_reset(st);
	if (!rc && (rc = read_labels(s, out, err)))
		mlfy_annotation_release(out);
	return rc;
}

int mlfy_annotations_of_image(struct mlfy_store *s, int64_t image_id, enum mlfy_stage stg,
			      struct mlfy_annotation **out, size_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT " ANN_COLS " FROM current_annotations n JOIN annotators u ON u.id = n.annotator_id"
		" WHERE n.image_id = ?1 AND n.stage = ?2 ORDER BY u.name";
	struct mlfy_annotation *v = NULL;
	size_t len = 0, i;
	struct store_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_text(st, 2, mlfy_stage_name(stg));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_annotation *nv = realloc(v, (len + 1) * sizeof(*v));
		if (!nv) {
			stmt_reset(st);
			mlfy_annotations_free(v, len);
			return store_oom(err);
		}
		v = nv;
		if (ann_from_row(st, &v[len], err)) {
			stmt_reset(st);
			mlfy_annotations_free(v, len);
			return MLFY_ENOMEM;
		}
		len++;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		mlfy_annotations_free(v, len);
		return store_fail(s, err, "read annotations");
	}
	for (i = 0; i < len; i++)
		if ((rc = read_labels(s, &v[i], err))) {
			mlfy_annotations_free(v, len);
			return rc;
		}
	*out = v;
	*n = len;
	return 0;
}

int mlfy_annotations_n_versions(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
				enum mlfy_stage stg, int64_t *n, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT COUNT(*) FROM annotations WHERE image_id = ?1 AND annotator_id = ?2 AND stage = ?3";
	struct store_stmt *st;
	int rc;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, annotator_id);
	stmt_bind_text(st, 3, mlfy_stage_name(stg));
	rc = stmt_step(st);
	*n = rc == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_reset(st);
	return rc == STORE_ROW ? 0 : store_fail(s, err, "count versions");
}

/* ---- task view ------------------------------------------------------------ */

void mlfy_task_view_release(struct mlfy_task_view *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->proposals);
	memset(v, 0, sizeof(*v));
}

int mlfy_task_view_get(struct mlfy_store *s, int64_t image_id, size_t k,
		       struct mlfy_task_view *out, struct mlfy_err *err)
{
	static const char sql_img[] =
		"SELECT name, width, height, batch, original_label, sha256 FROM images WHERE id = ?1";
	static const char sql_prop[] =
		"SELECT rank, class_idx, score FROM proposals WHERE image_id = ?1 AND model_id = ?2"
		" ORDER BY rank LIMIT ?3";
	struct store_stmt *st;
	int64_t model;
	int rc;

	memset(out, 0, sizeof(*out));
	STMT(st, sql_img);
	stmt_bind_int64(st, 1, image_id);
	rc = stmt_step(st);
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "no image with id %lld", (long long)image_id);
		return store_fail(s, err, "read image");
	}
	out->image_id = image_id;
	out->name = stmt_dup(st, 0);
	out->width = stmt_int(st, 1);
	out->height = stmt_int(st, 2);
	out->batch = stmt_int(st, 3);
	out->original_label = stmt_is_null(st, 4) ? -1 : stmt_int(st, 4);
	snprintf(out->sha256, sizeof(out->sha256), "%s", stmt_text(st, 5));
	stmt_reset(st);
	if (!out->name)
		return store_oom(err);
	if ((rc = active_model(s, &model, err)))
		goto fail;
	if (!model || !k)  /* NOLINT(clang-analyzer-core.uninitialized.Branch): STMT returns err->code, never 0, on failure */
		return 0;
	if (!(out->proposals = calloc(k > 1000 ? 1000 : k, sizeof(*out->proposals)))) {
		rc = store_oom(err);
		goto fail;
	}
	if (!(st = store_stmt(s, sql_prop, err))) {
		rc = err ? err->code : MLFY_ESTORE;
		goto fail;
	}
	stmt_bind_int64(st, 1, image_id);
	stmt_bind_int64(st, 2, model);
	stmt_bind_int64(st, 3, (int64_t)(k > 1000 ? 1000 : k));
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_view_proposal *p = &out->proposals[out->n_proposals++];
		p->rank = stmt_int(st, 0);
		p->class_idx = stmt_int(st, 1);
		p->score = stmt_double(st, 2);
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		rc = store_fail(s, err, "read proposals");
		goto fail;
	}
	return 0;
fail:
	mlfy_task_view_release(out);
	return rc;
}

void mlfy_view_classes_free(struct mlfy_view_class *c, size_t n)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < n; i++) {
		free(c[i].ext_id);
		free(c[i].name);
		free(c[i].synonyms);
		free(c[i].gloss);
	}
	free(c);
}

#define CLASS_COLS "c.idx, c.ext_id, c.name, c.synonyms, c.gloss," \
	" (SELECT COUNT(*) FROM exemplars e WHERE e.class_idx = c.idx)"

static int class_from_row(struct store_stmt *st, struct mlfy_view_class *c, struct mlfy_err *err)
{
	c->idx = stmt_int(st, 0);
	c->ext_id = stmt_dup(st, 1);
	c->name = stmt_dup(st, 2);
	c->synonyms = stmt_dup(st, 3);
	c->gloss = stmt_dup(st, 4);
	c->n_exemplars = stmt_int(st, 5);
	if (!c->ext_id || !c->name || !c->synonyms || !c->gloss)
		return store_oom(err);
	return 0;
}

int mlfy_view_classes(struct mlfy_store *s, const int *idx, size_t n,
		      struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err)
{
	static const char sql[] = "SELECT " CLASS_COLS " FROM classes c WHERE c.idx = ?1";
	struct mlfy_view_class *v;
	int *sorted;
	size_t i, len = 0;
	struct store_stmt *st;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (!n)
		return 0;
	sorted = malloc(n * sizeof(int));
	v = calloc(n, sizeof(*v));
	if (!sorted || !v) {
		free(sorted);
		free(v);
		return store_oom(err);
	}
	memcpy(sorted, idx, n * sizeof(int));
	qsort(sorted, n, sizeof(int), cmp_int);
	for (i = 0; i < n; i++) {
		if (i && sorted[i] == sorted[i - 1])
			continue;
		if (!(st = store_stmt(s, sql, err))) {
			rc = err ? err->code : MLFY_ESTORE;
			break;
		}
		stmt_bind_int(st, 1, sorted[i]);
		rc = stmt_step(st);
		if (rc == STORE_ROW) {
			rc = class_from_row(st, &v[len++], err);
		} else if (rc == STORE_DONE) {
			rc = 0;
		} else {
			stmt_reset(st);
			rc = store_fail(s, err, "read class");
			break;
		}
		stmt_reset(st);
		if (rc)
			break;
	}
	free(sorted);
	if (rc) {
		mlfy_view_classes_free(v, len);
		return rc;
	}
	*out = v;
	*n_out = len;
	return 0;
}

/* Appends q to *w with LIKE's wildcards escaped; with words != 0, commas
 * and hyphens become spaces (as in the searched word lists). */
static void like_escape(char **w, const char *q, int words)
{
	char *p = *w;
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*p++ = '\\';
		*p++ = words && (*q == ',' || *q == '-') ? ' ' : *q;
	}
	*w = p;
}

int mlfy_view_search_classes(struct mlfy_store *s, const char *q, size_t limit,
			     struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err)
{
	/* ranks: the index, an exact name or synonym, whole words, a name
	 * prefix, a word prefix, a substring (annotations.h) */
#define WORDS "(' ' || replace(replace(c.name || ' ' || c.synonyms, ',', ' '), '-', ' ') || ' ')"
	static const char sql[] =
		"SELECT " CLASS_COLS " FROM classes c"
		" WHERE c.name LIKE ?1 ESCAPE '\\' OR c.synonyms LIKE ?1 ESCAPE '\\'"
		"    OR c.ext_id LIKE ?1 ESCAPE '\\' OR c.idx = ?3"
		" ORDER BY CASE WHEN c.idx = ?3 THEN 0"
		"   WHEN c.name LIKE ?5 ESCAPE '\\' OR (', ' || c.synonyms || ',') LIKE ?6 ESCAPE '\\' THEN 1"
		"   WHEN " WORDS " LIKE ?7 ESCAPE '\\' THEN 2"
		"   WHEN c.name LIKE ?2 ESCAPE '\\' THEN 3"
		"   WHEN " WORDS " LIKE ?8 ESCAPE '\\' THEN 4"
		"   ELSE 5 END, length(c.name), c.idx LIMIT ?4";
#undef WORDS
	/* the patterns ?1 %q%, ?2 q%, ?5 q, ?6 %, q,%, ?7 % q %, ?8 % q% (q escaped: at most 2 bytes per byte) */
	static const char *const pre[6] = { "%", "", "", "%, ", "% ", "% " };
	static const char *const post[6] = { "%", "%", "", ",%", " %", "%" };
	static const int param[6] = { 1, 2, 5, 6, 7, 8 };
	struct mlfy_view_class *v;
	char *pat[6] = { NULL }, *end;
	size_t i, len = 0, qn;
	struct store_stmt *st;
	long num;
	int rc, bad = 0;

	*out = NULL;
	*n_out = 0;
	qn = strlen(q);
	if (!qn || !limit)
		return 0;
	if (qn > 200)
		return mlfy_err_set(err, MLFY_EINVAL, "q: longer than 200 bytes");
	if (limit > 200)
		limit = 200;
	for (i = 0; i < 6; i++) {
		size_t np = strlen(pre[i]), nq = strlen(post[i]);
		char *w;
		if (!(pat[i] = malloc(2 * qn + np + nq + 1))) {
			bad = 1;
			break;
		}
		w = pat[i];
		memcpy(w, pre[i], np);
		w += np;
		like_escape(&w, q, param[i] >= 7);
		memcpy(w, post[i], nq + 1);
	}
	v = bad ? NULL : calloc(limit, sizeof(*v));
	if (!v) {
		for (i = 0; i < 6; i++)
			free(pat[i]);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	num = strtol(q, &end, 10);
	if (*end || end == q || num < 0 || num > 1000000000L)
		num = -1;
	if (!(st = store_stmt(s, sql, err))) {
		for (i = 0; i < 6; i++)
			free(pat[i]);
		free(v);
		return err ? err->code : MLFY_ESTORE;
	}
	for (i = 0; i < 6; i++) {
		stmt_bind_text(st, param[i], pat[i]);
		free(pat[i]);
	}
	stmt_bind_int64(st, 3, num);
	stmt_bind_int64(st, 4, (int64_t)limit);
	rc = 0;
	while (len < limit && (rc = stmt_step(st)) == STORE_ROW) {
		if ((rc = class_from_row(st, &v[len++], err)))
			break;
	}
	stmt_reset(st);
	if (rc == MLFY_ENOMEM) {
		mlfy_view_classes_free(v, len);
		return rc;
	}
	if (rc != STORE_DONE && rc != STORE_ROW && rc != 0) {
		mlfy_view_classes_free(v, len);
		return store_fail(s, err, "search classes");
	}
	*out = v;
	*n_out = len;
	return 0;
}

static int file_row(struct mlfy_store *s, struct store_stmt *st, const char *what, char **path,
		    char sha256[65], struct mlfy_err *err)
{
	int rc = stmt_step(st);
	*path = NULL;
	if (rc != STORE_ROW) {
		stmt_reset(st);
		if (rc == STORE_DONE)
			return mlfy_err_set(err, MLFY_ENOTFOUND, "no %s", what);
		return store_fail(s, err, "read file row");
	}
	*path = stmt_dup(st, 0);
	snprintf(sha256, 65, "%s", stmt_text(st, 1));
	stmt_reset(st);
	return *path ? 0 : store_oom(err);
}

int mlfy_view_image_file(struct mlfy_store *s, int64_t image_id, char **path,
			 char sha256[65], struct mlfy_err *err)
{
	static const char sql[] = "SELECT path, sha256 FROM images WHERE id = ?1";
	struct store_stmt *st;
	char what[64];
	*path = NULL;
	STMT(st, sql);
	stmt_bind_int64(st, 1, image_id);
	snprintf(what, sizeof(what), "image with id %lld", (long long)image_id);
	return file_row(s, st, what, path, sha256, err);
}

int mlfy_view_exemplar_file(struct mlfy_store *s, int class_idx, int rank, char **path,
			    char sha256[65], struct mlfy_err *err)
{
	static const char sql[] = "SELECT path, sha256 FROM exemplars WHERE class_idx = ?1 AND rank = ?2";
	struct store_stmt *st;
	char what[64];
	*path = NULL;
	STMT(st, sql);
	stmt_bind_int(st, 1, class_idx);
	stmt_bind_int(st, 2, rank);
	snprintf(what, sizeof(what), "exemplar %d of class %d", rank, class_idx);
	return file_row(s, st, what, path, sha256, err);
}

/* ---- dashboard ------------------------------------------------------------ */

void mlfy_dashboard_release(struct mlfy_dashboard *d)
{
	size_t i;
	if (!d)
		return;
	for (i = 0; i < d->n_rows; i++)
		free(d->rows[i].annotator);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

static int dash_row_stats(struct mlfy_store *s, struct mlfy_dash_row *r, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT n.seconds, (SELECT COUNT(*) FROM annotation_labels l WHERE l.annotation_id = n.id)"
		" FROM annotations n JOIN images i ON i.id = n.image_id"
		" WHERE n.annotator_id = ?1 AND n.stage = 'annotate' AND i.batch = ?2"
		"   AND n.version = (SELECT MAX(b.version) FROM annotations b WHERE b.image_id = n.image_id"
		"     AND b.annotator_id = n.annotator_id AND b.stage = 'annotate')"
		" ORDER BY n.seconds";
	double *sec = NULL;
	size_t cap = 0;
	int64_t labels = 0;
	struct store_stmt *st;
	int rc;

	STMT(st, sql);
	stmt_bind_int64(st, 1, r->annotator_id);
	stmt_bind_int(st, 2, r->batch);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int nl = stmt_int(st, 1);
		if ((size_t)r->done == cap) {
			double *nv;
			cap = cap ? 2 * cap : 64;
			if (!(nv = realloc(sec, cap * sizeof(double)))) {
				stmt_reset(st);
				free(sec);
				return store_oom(err);
			}
			sec = nv;
		}
		sec[r->done++] = stmt_double(st, 0);  /* NOLINT(clang-analyzer-core.NullDereference): sec was grown when done reached cap */
		labels += nl;
		r->empty += nl == 0;
	}
	stmt_reset(st);
	if (rc != STORE_DONE) {
		free(sec);
		return store_fail(s, err, "dashboard");
	}
	if (r->done) {
		/* rows come sorted by seconds: the median is the middle one or the
		 * mean of the two middle ones */
		size_t m = (size_t)r->done / 2;
		r->median_seconds = r->done % 2 ? sec[m] : (sec[m - 1] + sec[m]) / 2;  /* NOLINT(clang-analyzer-core.NullDereference): sec holds r->done values (grown with done) */
		r->labels_per_image = (double)labels / (double)r->done;
	}
	free(sec);
	return 0;
}

/* Fills out (zeroed by the caller); the caller releases it on error. */
static int dashboard_work(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err)
{
	static const char sql_rows[] =
		"SELECT a.batch, a.annotator_id, u.name, (SELECT COUNT(*) FROM images i WHERE i.batch = a.batch)"
		" FROM assignments a JOIN annotators u ON u.id = a.annotator_id ORDER BY a.batch, u.name";
	struct store_stmt *st;
	size_t cap = 0, i;
	int rc;

	STMT(st, sql_rows);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct mlfy_dash_row *r;
		if (out->n_rows == cap) {
			cap = cap ? 2 * cap : 32;
			if (!(r = realloc(out->rows, cap * sizeof(*r)))) {
				stmt_reset(st);
				return store_oom(err);
			}
			out->rows = r;
		}
		r = &out->rows[out->n_rows];
		memset(r, 0, sizeof(*r));
		r->batch = stmt_int(st, 0);
		r->annotator_id = stmt_int64(st, 1);
		r->annotator = stmt_dup(st, 2);
		r->assigned = stmt_int64(st, 3);
		out->n_rows++;
		if (!r->annotator) {
			stmt_reset(st);
			return store_oom(err);
		}
	}
	stmt_reset(st);
	if (rc != STORE_DONE)
		return store_fail(s, err, "dashboard");
	for (i = 0; i < out->n_rows; i++)
		if ((rc = dash_row_stats(s, &out->rows[i], err)))
			return rc;
	if ((rc = mlfy_review_stats_get(s, &out->review, err)))
		return rc;
	out->n_images = out->review.images;
	return 0;
}

int mlfy_dashboard_get(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err)
{
	int rc, began;

	memset(out, 0, sizeof(*out));
	if ((rc = store_read_begin(s, &began, err)))
		return rc;
	rc = dashboard_work(s, out, err);
	store_read_end(s, began);
	if (rc)
		mlfy_dashboard_release(out);
	return rc;
}
