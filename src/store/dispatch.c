/* dispatch.c - the dispatch between the store's two engines: mlfy_store_open
 * picks SQLite (a file path) or PostgreSQL (a postgresql:// or postgres://
 * URI), and every call of engine.h and store.h goes through the handle's or
 * the statement's table of functions (engine_ops.h).  Also the rules both
 * engines share (no nested transaction, writes only inside one), the
 * redaction of passwords in project URIs, and the loading of the PostgreSQL
 * engine's module on first use. */
#define MLFY_STORE_ENGINE_C   /* no analyzer macros for store_fail here (engine.h) */
#include "store/engine_ops.h"
#include "store/pg_listen.h"
#include "util/module.h"
#include "util/vec.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- project names ----------------------------------------------------------- */

int mlfy_store_is_pg(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

/* Appends n bytes of p to the string being built at *q. */
static void put(char **q, const char *p, size_t n)
{
	memcpy(*q, p, n);
	*q += n;
}

char *mlfy_store_redacted(const char *path)
{
	const char *auth, *end, *at = NULL, *p;
	char *out, *q;

	if (!mlfy_store_is_pg(path))
		return strdup(path ? path : "");
	/* every byte is kept or replaced by "***" (3 bytes), so 3x + 1 is enough */
	if (!(out = malloc(3 * strlen(path) + 4)))
		return NULL;
	q = out;
	auth = strstr(path, "://") + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	put(&q, path, (size_t)(auth - path));
	if (at) {   /* user[:password]@ */
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			put(&q, auth, (size_t)(colon - auth));
			put(&q, ":***", 4);
		} else {
			put(&q, auth, (size_t)(at - auth));
		}
		p = at;
	} else {
		p = auth;
	}
	/* the rest, with the value of every query parameter whose key ends in
	 * "password" (password, sslpassword) replaced */
	while (*p) {
		size_t k = strcspn(p, "?&");
		put(&q, p, k);
		p += k;
		if (!*p)
			break;
		*q++ = *p++;   /* ? or & */
		k = strcspn(p, "=&#");
		if (p[k] == '=' && k >= 8 && !strncmp(p + k - 8, "password", 8)) {
			put(&q, p, k + 1);
			put(&q, "***", 3);
			p += k + 1;
			p += strcspn(p, "&#");
		}
	}
	*q = '\0';
	return out;
}

/* ---- handles -------------------------------------------------------------------- */

int store_base_init(struct mlfy_store *s, const struct store_engine_ops *ops, const char *path, int flags,
		    struct mlfy_err *err)
{
	s->ops = ops;
	s->readonly = !!(flags & MLFY_STORE_READONLY);
	if (!(s->path = strdup(path)) || !(s->display = mlfy_store_redacted(path)))
		return mlfy_err_oom(err);
	return 0;
}

void store_base_free(struct mlfy_store *s)
{
	if (s)
		MLFY_FREE_ALL(s->path, s->display, s);
}

/* 1 when path starts like a URI (RFC 3986 scheme, then "://"). */
static int looks_like_uri(const char *path)
{
	const char *p = path;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
	       *p == '-' || *p == '.')
		p++;
	return !strncmp(p, "://", 3);
}

/* ---- the PostgreSQL engine's module ------------------------------------------------ */

static pthread_once_t pg_once = PTHREAD_ONCE_INIT;
static const struct store_pg_engine *pg_engine;
static struct mlfy_err pg_load_err;

static void pg_load(void)
{
	/* the head is the table's first member (util/module.h) */
	pg_engine = (const struct store_pg_engine *)mlfy_module_load("store-pg.so", "MLFY_STORE_PG_MODULE",
								     STORE_PG_ENTRY, "the PostgreSQL engine",
								     STORE_PG_ABI, &pg_load_err);
}

const struct store_pg_engine *store_pg_engine(struct mlfy_err *err)
{
	pthread_once(&pg_once, pg_load);
	if (!pg_engine) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s", pg_load_err.msg);
		return NULL;
	}
	return pg_engine;
}

int store_pg_listen(struct mlfy_store *s, const char *channel, struct mlfy_err *err)
{
	const struct store_pg_engine *pg = store_pg_engine(err);
	return pg ? pg->listen(s, channel, err) : MLFY_EUNSUPPORTED;
}

int store_pg_listen_wait(struct mlfy_store *s, int timeout_ms, int *notified, struct mlfy_err *err)
{
	const struct store_pg_engine *pg = store_pg_engine(err);
	return pg ? pg->listen_wait(s, timeout_ms, notified, err) : MLFY_EUNSUPPORTED;
}

/* ---- opening --------------------------------------------------------------------------- */

int mlfy_store_open(const char *path, int flags, struct mlfy_store **out, struct mlfy_err *err)
{
	const struct store_pg_engine *pg;

	*out = NULL;
	if (mlfy_store_is_pg(path))
		return (pg = store_pg_engine(err)) ? pg->open(path, flags, out, err) : MLFY_EUNSUPPORTED;
	/* mysql://…, sqlite://…: not a file name either (say so, rather than
	 * "cannot create a file in the folder mysql:") */
	if (looks_like_uri(path))   /* only the scheme is shown: the rest may hold a password */
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%.*s…: unsupported kind of project URI: a project is a file (SQLite) or a "
				    "postgresql:// (or postgres://) URI", (int)(strstr(path, "://") - path + 3), path);
	return lite_store_open(path, flags, out, err);
}

void mlfy_store_close(struct mlfy_store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	store_base_free(s);
}

const char *mlfy_store_path(const struct mlfy_store *s)
{
	return s->display;
}

enum store_dialect store_dialect(const struct mlfy_store *s)
{
	return s->ops->dialect;
}

/* ---- transactions ------------------------------------------------------------------ */

int mlfy_store_begin(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc;
	if (s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: nested transaction");
	if (s->in_read)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: write transaction inside a read snapshot");
	if ((rc = s->ops->begin(s, err)))
		return rc;
	s->in_tx = 1;
	return 0;
}

int mlfy_store_commit(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc;
	if (!s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: commit without a transaction");
	rc = s->ops->commit(s, err);
	s->in_tx = 0;
	return rc;
}

void mlfy_store_rollback(struct mlfy_store *s)
{
	if (!s || !s->in_tx)
		return;
	s->ops->rollback(s);
	s->in_tx = 0;
}

int mlfy_store_in_transaction(const struct mlfy_store *s)
{
	return s->in_tx;
}

int mlfy_store_begin_read(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc;
	if (s->in_tx || s->in_read)
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: %s",
				    s->in_read ? "nested read snapshot" : "read snapshot inside a write transaction");
	if ((rc = s->ops->begin_read(s, 1, err)))
		return rc;
	s->in_read = 1;
	return 0;
}

void mlfy_store_end_read(struct mlfy_store *s)
{
	if (!s || !s->in_read)
		return;
	/* nothing was written: ending it cannot lose anything */
	s->ops->rollback(s);
	s->in_read = 0;
}

int store_read_begin(struct mlfy_store *s, int *began, struct mlfy_err *err)
{
	int rc;
	*began = 0;
	if (s->in_tx || !s->ops->idle(s))
		return 0;
	if ((rc = s->ops->begin_read(s, 0, err)))
		return rc;
	*began = 1;
	return 0;
}

void store_read_end(struct mlfy_store *s, int began)
{
	if (began)
		s->ops->rollback(s);
}

int store_require_tx(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	if (!s->in_tx)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: internal error: write outside a transaction", what);
	return 0;
}

int mlfy_store_schema_version(struct mlfy_store *s)
{
	return s->ops->schema_version(s);
}

int mlfy_store_integrity_check(struct mlfy_store *s, struct mlfy_err *err)
{
	return s->ops->integrity_check(s, err);
}

/* ---- connection calls of engine.h ------------------------------------------------ */

int64_t store_last_id(struct mlfy_store *s)
{
	return s->ops->last_id(s);
}

int64_t store_changes(struct mlfy_store *s)
{
	return s->ops->changes(s);
}

int store_failed_constraint(struct mlfy_store *s)
{
	return s->ops->failed_constraint(s);
}

const char *store_errmsg(struct mlfy_store *s)
{
	return s->ops->errmsg(s);
}

int store_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	return s->ops->fail(s, err, what);
}

int store_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	return s->ops->exec(s, sql, err);
}

/* ---- statements -------------------------------------------------------------------- */

struct store_stmt *store_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	return s->ops->stmt(s, sql, err);
}

struct store_stmt *store_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	return s->ops->stmt_open(s, sql, err);
}

void store_stmt_close(struct store_stmt *st)
{
	if (st)
		st->ops->close(st);
}

void stmt_bind_int(struct store_stmt *st, int i, int v)
{
	st->ops->bind_int64(st, i, v);
}

void stmt_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	st->ops->bind_int64(st, i, v);
}

void stmt_bind_double(struct store_stmt *st, int i, double v)
{
	st->ops->bind_double(st, i, v);
}

void stmt_bind_text(struct store_stmt *st, int i, const char *v)
{
	st->ops->bind_text(st, i, v);
}

void stmt_bind_null(struct store_stmt *st, int i)
{
	st->ops->bind_text(st, i, NULL);
}

int stmt_step(struct store_stmt *st)
{
	return st->ops->step(st);
}

void stmt_reset(struct store_stmt *st)
{
	st->ops->reset(st);
}

int stmt_int(struct store_stmt *st, int col)
{
	return (int)st->ops->col_int64(st, col);
}

int64_t stmt_int64(struct store_stmt *st, int col)
{
	return st->ops->col_int64(st, col);
}

double stmt_double(struct store_stmt *st, int col)
{
	return st->ops->col_double(st, col);
}

const char *stmt_text(struct store_stmt *st, int col)
{
	return st->ops->col_text(st, col);
}

int stmt_is_null(struct store_stmt *st, int col)
{
	return st->ops->col_is_null(st, col);
}

char *stmt_dup(struct store_stmt *st, int col)
{
	const char *t = st->ops->col_text(st, col);
	return strdup(t ? t : "");
}
