/* pg.c - the PostgreSQL engine of the store (engine_ops.h; statements in
 * pg_stmt.c): the connection to a libpq URI, one project per database (or
 * per schema, when the URI's options set search_path), create/open with the
 * schema of pg_schema.c, session settings, transactions, the translation of
 * SQLSTATEs into MLFY_* codes, and the integrity check.
 *
 * Transactions keep SQLite's guarantees: a write transaction is BEGIN plus
 * pg_advisory_xact_lock(PG_WRITE_LOCK), so writers serialise exactly as
 * with BEGIN IMMEDIATE and every statement after the lock (READ COMMITTED)
 * sees all earlier writers' commits: a version checked inside the
 * transaction stays true until its commit.  Read snapshots are REPEATABLE
 * READ, READ ONLY.  The lock waits at most lock_timeout (10 s, SQLite's
 * busy timeout).
 *
 * A lost connection (a database server restarted, a backend terminated) is
 * found and re-established before it fails a request wherever that is safe:
 * the first command of a write transaction or read snapshot (BEGIN ...) and
 * an autocommit read (pg_stmt.c) that fail with a lost connection reconnect
 * (PQreset, pg_recover) and are sent once more.  Inside a transaction that
 * ran anything, and for COMMIT, a lost connection is MLFY_EIO and nothing is
 * retried (a COMMIT may or may not have been applied); the next call outside
 * a transaction reconnects (statements prepare again).
 *
 * Messages name the project by its URI with any password replaced by "***"
 * (mlfy_store_redacted), and the URI's decoded password is scrubbed from
 * the server's and libpq's texts too.
 *
 * With pg_stmt.c, pg_schema.c and pg_listen.c it is built as the module
 * store-pg.so, whose entry point (mlfy_store_pg, at the end) dispatch.c
 * loads on first use (engine_ops.h). */
#define MLFY_STORE_ENGINE_C   /* no analyzer macros for store_fail here (engine.h) */
#include "store/pg_int.h"
#include "store/pg_schema.h"
#include "store/pg_listen.h"
#include "mlfy_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key of the project's write lock: "mlfy" as SQLite's application id. */
#define PG_WRITE_LOCK "1835820665"

static const struct store_engine_ops pg_ops;

/* Notices (e.g. "relation ... already exists, skipping") are not errors. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Copies msg into the handle's last error: one line, the password gone. */
static void set_msg(struct pg_store *p, const char *msg)
{
	char *q, *hit;
	size_t n;

	snprintf(p->errmsg, sizeof(p->errmsg), "%s", msg && *msg ? msg : "unknown error");
	for (q = p->errmsg; *q; q++)
		if (*q == '\n' || *q == '\t')
			*q = ' ';
	while ((n = strlen(p->errmsg)) > 0 && p->errmsg[n - 1] == ' ')
		p->errmsg[n - 1] = '\0';
	if (p->password && *p->password)
		while ((hit = strstr(p->errmsg, p->password)) != NULL) {
			size_t k = strlen(p->password);
			memmove(hit + 3, hit + k, strlen(hit + k) + 1);
			hit[0] = hit[1] = hit[2] = '*';
		}
}

void pg_note(struct pg_store *p, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!msg && res)
		msg = PQresultErrorMessage(res);
	if (!msg || !*msg)
		msg = p->conn ? PQerrorMessage(p->conn) : "out of memory";
	p->failed = 1;
	snprintf(p->sqlstate, sizeof(p->sqlstate), "%s", state ? state : "");
	set_msg(p, msg);
}

void pg_ok(struct pg_store *p)
{
	p->failed = 0;
	p->sqlstate[0] = '\0';
}

static int lost(struct pg_store *p)
{
	return PQstatus(p->conn) == CONNECTION_BAD;
}

static const char *pg_errmsg(struct mlfy_store *s)
{
	return PG(s)->failed ? PG(s)->errmsg : "not an error";
}

static int pg_fail(struct mlfy_store *s, struct mlfy_err *err, const char *what)
{
	struct pg_store *p = PG(s);
	const char *st = p->sqlstate, *msg = pg_errmsg(s);

	if (lost(p) || !strncmp(st, "08", 2) || !strncmp(st, "57P", 3))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s: the connection to the database server was lost (%s)%s",
				    s->display, what, msg, s->in_tx ? "; the change was not saved" : "");
	if (!strcmp(st, "53100"))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s: the database server's disk is full (%s); the change was not saved",
				    s->display, what, msg);
	if (!strncmp(st, "53", 2) || !strncmp(st, "58", 2))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s: the database server is out of resources or failing (%s)",
				    s->display, what, msg);
	if (!strcmp(st, "25006"))
		return mlfy_err_set(err, MLFY_ESTORE, "%s: %s: cannot write: the project was opened read-only (%s)",
				    s->display, what, msg);
	if (!strcmp(st, "55P03"))
		return mlfy_err_set(err, MLFY_ESTORE,
				    "%s: %s: another connection held the project's write lock for too long (%s)", s->display,
				    what, msg);
	return mlfy_err_set(err, MLFY_ESTORE, "%s: %s: %s", s->display, what, msg);
}

/* The session's settings, after every (re)connection. */
static int session_setup(struct pg_store *p)
{
	PGresult *res;
	int ok;

	PQsetNoticeProcessor(p->conn, quiet, NULL);
	res = PQexec(p->conn, p->base.readonly
				      ? "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'; SET lock_timeout = '10s';"
					" SET default_transaction_read_only = on"
				      : "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'; SET lock_timeout = '10s'");
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		pg_note(p, res);
	PQclear(res);
	p->set_up = ok;
	return ok ? 0 : -1;
}

/* A new connection with the same URI in place of the lost one: 0, or -1
 * with the handle's error set.  Every statement of the cache prepares again
 * (the generation moves on even when the reset fails). */
static int reconnect(struct pg_store *p)
{
	PQreset(p->conn);
	p->generation++;
	p->set_up = 0;
	if (lost(p)) {
		pg_note(p, NULL);
		return -1;
	}
	if (session_setup(p))
		return -1;
	pg_ok(p);
	return 0;
}

/* 1 when the last failure lost the connection. */
static int conn_failure(struct pg_store *p)
{
	const char *st = p->sqlstate;
	return lost(p) || !strncmp(st, "08", 2) || !strcmp(st, "57P01") || !strcmp(st, "57P02") || !strcmp(st, "57P03");
}

int pg_fresh(struct pg_store *p)
{
	return !p->base.in_tx && !p->base.in_read && !p->in_pgtx && !lost(p) &&
	       PQtransactionStatus(p->conn) == PQTRANS_IDLE;
}

int pg_recover(struct pg_store *p, int fresh)
{
	return fresh && p->failed && conn_failure(p) && reconnect(p) == 0;
}

int pg_ready(struct pg_store *p, struct mlfy_err *err)
{
	if (!lost(p) && p->set_up)
		return 0;
	if (p->base.in_tx || p->base.in_read || p->in_pgtx) {
		pg_note(p, NULL);
		return pg_fail(&p->base, err, "connection");
	}
	if (reconnect(p))
		return pg_fail(&p->base, err, "reconnect");
	return 0;
}

/* Runs sql (no parameters).  first: sql opens the caller's work (BEGIN
 * ...), so when it finds the connection lost and no transaction was open,
 * it reconnects and runs once more (pg_recover). */
static int exec_sql(struct pg_store *p, const char *sql, int first, struct mlfy_err *err)
{
	PGresult *res;
	ExecStatusType es;
	int rc, fresh;

	if ((rc = pg_ready(p, err)))
		return rc;
	fresh = first && pg_fresh(p);
	for (;;) {
		res = PQexec(p->conn, sql);
		es = PQresultStatus(res);
		if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK || es == PGRES_EMPTY_QUERY)
			break;
		pg_note(p, res);
		PQclear(res);
		if (!pg_recover(p, fresh))
			return pg_fail(&p->base, err, "sql");
		fresh = 0;   /* once */
	}
	pg_ok(p);
	PQclear(res);
	return 0;
}

static int pg_exec(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	return exec_sql(PG(s), sql, 0, err);
}

static int pg_idle(struct mlfy_store *s)
{
	PGTransactionStatusType t = PQtransactionStatus(PG(s)->conn);
	return t == PQTRANS_IDLE || t == PQTRANS_UNKNOWN;
}

static void pg_rollback(struct mlfy_store *s)
{
	struct pg_store *p = PG(s);
	p->in_pgtx = 0;
	if (!lost(p) && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		PQclear(PQexec(p->conn, "ROLLBACK"));
}

static int pg_begin(struct mlfy_store *s, struct mlfy_err *err)
{
	int rc = exec_sql(PG(s), "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", 1, err);
	if (rc)
		pg_rollback(s);
	else
		PG(s)->in_pgtx = 1;
	return rc;
}

static int pg_commit(struct mlfy_store *s, struct mlfy_err *err)
{
	struct pg_store *p = PG(s);
	PGresult *res = PQexec(p->conn, "COMMIT");   /* never retried: it may have been applied */
	int rc;

	p->in_pgtx = 0;
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		/* COMMIT of a transaction with a failed statement answers ROLLBACK */
		int committed = !strcmp(PQcmdStatus(res), "COMMIT");
		PQclear(res);
		if (committed) {
			pg_ok(p);
			return 0;
		}
		return mlfy_err_set(err, MLFY_ESTORE,
				    "%s: commit: a statement of the transaction had failed (%s), so the database rolled "
				    "it back; the change was not saved", s->display, pg_errmsg(s));
	}
	pg_note(p, res);
	PQclear(res);
	if (lost(p))
		return mlfy_err_set(err, MLFY_EIO,
				    "%s: the connection to the database server was lost during the commit (%s): the change "
				    "may or may not have been saved; look before repeating it", s->display, p->errmsg);
	rc = pg_fail(s, err, "commit");
	pg_rollback(s);
	return rc;
}

static int pg_begin_read(struct mlfy_store *s, int snapshot_now, struct mlfy_err *err)
{
	/* REPEATABLE READ takes its snapshot at the first query: SELECT 1 */
	int rc = exec_sql(PG(s),
			  snapshot_now ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1"
				       : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
			  1, err);
	if (rc)
		pg_rollback(s);
	else
		PG(s)->in_pgtx = 1;
	return rc;
}

static int64_t pg_last_id(struct mlfy_store *s)
{
	return PG(s)->last_id;
}

static int64_t pg_changes(struct mlfy_store *s)
{
	return PG(s)->changes;
}

static int pg_failed_constraint(struct mlfy_store *s)
{
	return PG(s)->failed && !strncmp(PG(s)->sqlstate, "23", 2);
}

/* One row of text values from sql (no parameters): the result, or NULL with
 * the handle's error set. */
static PGresult *query_row(struct pg_store *p, const char *sql)
{
	PGresult *res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_note(p, res);
		PQclear(res);
		return NULL;
	}
	pg_ok(p);
	return res;
}

static int pg_schema_version(struct mlfy_store *s)
{
	PGresult *res = query_row(PG(s), "SELECT version FROM mlfy_schema");
	int v = res && !PQgetisnull(res, 0, 0) ? (int)strtol(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	PQclear(res);
	return v;
}

static int pg_integrity_check(struct mlfy_store *s, struct mlfy_err *err)
{
	/* what can break a project's guarantees in a healthy server: a
	 * constraint added NOT VALID, an index left invalid by a failed
	 * concurrent build, a trigger disabled (DISABLE TRIGGER ALL turns off
	 * the foreign keys' internal triggers too) */
	static const char sql[] =
		"SELECT (SELECT version FROM mlfy_schema),"
		" (SELECT string_agg(c.conrelid::regclass || '.' || c.conname, ', ') FROM pg_constraint c"
		"   JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()"
		"   AND NOT c.convalidated),"
		" (SELECT string_agg(x.relname, ', ') FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
		"   JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = current_schema()"
		"   AND (NOT i.indisvalid OR NOT i.indisready)),"
		" (SELECT string_agg(c.relname || '.' || t.tgname, ', ') FROM pg_trigger t"
		"   JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
		"   WHERE n.nspname = current_schema() AND t.tgenabled = 'D')";
	struct pg_store *p = PG(s);
	PGresult *res;
	int rc = 0, v, fresh;

	if ((rc = pg_ready(p, err)))
		return rc;
	fresh = pg_fresh(p);   /* a read: sent again on a new connection when that one was lost */
	if (!(res = query_row(p, sql)) && !(pg_recover(p, fresh) && (res = query_row(p, sql))))
		return pg_fail(s, err, "integrity check");
	v = PQgetisnull(res, 0, 0) ? -1 : (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	if (v != MLFY_SCHEMA_VERSION)
		rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: schema version %d, expected %d", s->display, v,
				  MLFY_SCHEMA_VERSION);
	else if (!PQgetisnull(res, 0, 1))
		rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: constraints not validated: %s", s->display,
				  PQgetvalue(res, 0, 1));
	else if (!PQgetisnull(res, 0, 2))
		rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: invalid indexes: %s", s->display,
				  PQgetvalue(res, 0, 2));
	else if (!PQgetisnull(res, 0, 3))
		rc = mlfy_err_set(err, MLFY_ESTORE, "%s: integrity check: disabled triggers: %s", s->display,
				  PQgetvalue(res, 0, 3));
	PQclear(res);
	return rc;
}

static void pg_close(struct mlfy_store *s)
{
	struct pg_store *p = PG(s);
	if (p->conn) {
		pg_cache_free(p);
		if (s->in_tx || s->in_read)
			pg_rollback(s);
		PQfinish(p->conn);
		p->conn = NULL;
	}
	free(p->password);
	p->password = NULL;
}

/* Creates the project in an empty database, or checks and migrates an
 * existing one, in one transaction holding the write lock. */
static int open_project(struct pg_store *p, int flags, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT current_schema(),"
		" EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		"   WHERE n.nspname = current_schema() AND c.relname = 'mlfy_schema' AND c.relkind = 'r'),"
		" (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		"   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S'))";
	struct mlfy_store *s = &p->base;
	int create = !!(flags & MLFY_STORE_CREATE), has, version, rc;
	long long tables;
	PGresult *res;

	if ((rc = pg_exec(s, s->readonly ? "BEGIN" : "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", err)))
		goto out;
	if (!(res = query_row(p, sql))) {
		rc = pg_fail(s, err, "open");
		goto out;
	}
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s: the search_path names no existing schema (no project there; to create one, create the schema first)", s->display);
		goto out;
	}
	has = *PQgetvalue(res, 0, 1) == 't';
	tables = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	if (create && has) {
		rc = mlfy_err_set(err, MLFY_ECONFLICT, "%s: already holds an mlfy project", s->display);
		goto out;
	}
	if (create && tables) {
		rc = mlfy_err_set(err, MLFY_ECONFLICT,
				  "%s: the database already holds %lld tables of another program; a project needs an empty "
				  "database (or a schema of its own: options=-csearch_path%%3DNAME in the URI)", s->display, tables);
		goto out;
	}
	if (!create && !has) {
		rc = tables ? mlfy_err_set(err, MLFY_EINVAL, "%s: not an mlfy project (no mlfy_schema table)", s->display)
			    : mlfy_err_set(err, MLFY_ENOTFOUND,
					   "%s: the database holds no mlfy project: create one with mlfy init", s->display);
		goto out;
	}
	version = create ? 0 : pg_schema_version(s);
	if (version < 0) {
		rc = pg_fail(s, err, "schema version");
		goto out;
	}
	if (version > MLFY_SCHEMA_VERSION) {
		rc = mlfy_err_set(err, MLFY_ESCHEMA,
				  "%s: project schema version %d is newer than this mlfy supports (%d); upgrade mlfy",
				  s->display, version, MLFY_SCHEMA_VERSION);
		goto out;
	}
	if (version < MLFY_SCHEMA_VERSION && s->readonly) {
		rc = mlfy_err_set(err, MLFY_ESCHEMA,
				  "%s: project schema version %d is older than %d: run 'mlfy upgrade PROJECT' (a backup first)",
				  s->display, version, MLFY_SCHEMA_VERSION);
		goto out;
	}
	if (version < MLFY_SCHEMA_VERSION) {
		s->in_tx = 1;   /* the migrations write inside this transaction */
		rc = pg_schema_migrate(s, version, err);
		s->in_tx = 0;
		if (rc) {
			mlfy_err_prefix(err, "%s", create ? "create" : "migrate");
			goto out;
		}
		if (create && (flags & MLFY_STORE_CREATE_OPEN_TX)) {
			s->in_tx = 1;   /* the caller fills the project and commits */
			return 0;
		}
		return pg_commit(s, err);
	}
out:
	pg_rollback(s);
	return rc;
}

int pg_store_open(const char *uri, int flags, struct mlfy_store **out, struct mlfy_err *err)
{
	struct pg_store *p = calloc(1, sizeof(*p));
	struct mlfy_store *s = &p->base;
	PQconninfoOption *opts, *o;
	char *perr = NULL;
	int rc;

	*out = NULL;
	if (!p)
		return mlfy_err_oom(err);
	p->generation = 1;
	if ((rc = store_base_init(s, &pg_ops, uri, flags, err))) {
		store_base_free(s);
		return rc;
	}
	if (!(opts = PQconninfoParse(uri, &perr))) {
		/* libpq may quote the faulty part: shown only when the URI has no
		 * password to leak; without libpq's trailing newline */
		for (size_t k = perr ? strlen(perr) : 0; k && (perr[k - 1] == '\n' || perr[k - 1] == ' '); k--)
			perr[k - 1] = '\0';
		rc = mlfy_err_set(err, perr ? MLFY_EINVAL : MLFY_ENOMEM, "%s: not a valid PostgreSQL connection URI%s%s%s",
				  s->display, perr && !strcmp(s->display, uri) ? " (" : "",
				  perr && !strcmp(s->display, uri) ? perr : "", perr && !strcmp(s->display, uri) ? ")" : "");
		PQfreemem(perr);
		store_base_free(s);
		return rc;
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			p->password = strdup(o->val);
	PQconninfoFree(opts);
	if (!(p->conn = PQconnectdb(uri))) {
		rc = mlfy_err_oom(err);
		goto fail;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pg_note(p, NULL);
		if (strstr(p->errmsg, "database \"") && strstr(p->errmsg, "does not exist"))
			rc = mlfy_err_set(err, MLFY_ENOTFOUND,
					  "%s: no such database (%s): create it first (createdb NAME), then the project "
					  "in it with mlfy init", s->display, p->errmsg);
		else
			rc = mlfy_err_set(err, MLFY_EIO, "%s: cannot connect to the database server: %s", s->display,
					  p->errmsg);
		goto fail;
	}
	if (session_setup(p)) {
		rc = pg_fail(s, err, "connect");
		goto fail;
	}
	if ((rc = open_project(p, flags, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	mlfy_store_close(s);
	return rc;
}

static const struct store_engine_ops pg_ops = {
	.dialect = STORE_PG,
	.stmt = pg_stmt,
	.stmt_open = pg_stmt_open,
	.last_id = pg_last_id,
	.changes = pg_changes,
	.failed_constraint = pg_failed_constraint,
	.errmsg = pg_errmsg,
	.fail = pg_fail,
	.exec = pg_exec,
	.idle = pg_idle,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.begin_read = pg_begin_read,
	.schema_version = pg_schema_version,
	.integrity_check = pg_integrity_check,
	.close = pg_close,
};

/* ---- the module's entry point (engine_ops.h) ----------------------------------- */

static const struct store_pg_engine engine = {
	.head = { STORE_PG_ABI, "mlfy " MLFY_VERSION },
	.open = pg_store_open,
	.listen = pg_listen,
	.listen_wait = pg_listen_wait,
};

const struct mlfy_module_head *mlfy_store_pg(struct mlfy_err *err);
const struct mlfy_module_head *mlfy_store_pg(struct mlfy_err *err)
{
	(void)err;   /* nothing to start: libpq needs no global initialisation */
	return &engine.head;
}
