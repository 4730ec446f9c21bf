/* pg_stmt.c - the PostgreSQL engine's statements (engine.h through
 * engine_ops.h): the family files' SQL with its ?N placeholders turned into
 * $N once, prepared once per connection and cached by the SQL string's
 * address (as sqlite.c does), parameters bound as text with their type
 * inferred by the server, results read back from text.
 *
 * Execution: a statement runs at its first stmt_step with the bound values
 * (PQexecPrepared, text format) and its whole result is kept and walked row
 * by row: other statements may run while a caller walks one, as SQLite
 * allows.  An owned statement (store_stmt_open: the cursors that walk a
 * whole table, such as the export) that is a query streams instead, through
 * a server-side cursor fetched PG_FETCH rows at a time, so a 10-million-row
 * export holds PG_FETCH rows in memory; outside a transaction the cursor is
 * WITH HOLD (the server keeps its result until it is closed).
 *
 * Ids: an INSERT into a table whose primary key is one integer column gets
 * " RETURNING <that column>" appended when prepared (its primary key is
 * looked up once per table and connection); the ids it returns set
 * store_last_id (the last row's, as SQLite's last_insert_rowid after a
 * multi-row insert) and the caller sees no rows, as with SQLite.  An INSERT
 * that inserts nothing (ON CONFLICT DO NOTHING) leaves store_last_id as it
 * was.  store_changes is the row count of the last INSERT, UPDATE or
 * DELETE's command tag.
 *
 * A lost connection: a statement outside any transaction (an autocommit
 * read: a query, or the cursor of an owned one) whose prepare or first
 * execution finds the connection lost reconnects and runs once more
 * (pg_fresh / pg_recover in pg.c); inside a transaction nothing is sent
 * again.  A cursor declared on a connection since replaced is reported as
 * a lost connection (MLFY_EIO), never walked on from the new one. */
#define MLFY_STORE_ENGINE_C   /* no analyzer macros for store_fail here (engine.h) */
#include "store/pg_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOOLOID 16   /* pg_type.oid of boolean: read as 1 / 0, as SQLite's comparisons */

static const struct store_stmt_ops pg_stmt_ops;

#define ST(st) ((struct pg_stmt *)(void *)(st))

/* ---- SQL text ---------------------------------------------------------------------- */

/* Length of the quoted literal, identifier or comment starting at p (0 when
 * p starts none): '...' and "..." (doubled quotes inside), -- to the end of
 * the line, block comments. */
static size_t skip_quoted(const char *p)
{
	const char *q;
	if (*p == '\'' || *p == '"') {
		for (q = p + 1; *q; q++)
			if (*q == *p) {
				if (q[1] != *p)
					return (size_t)(q + 1 - p);
				q++;
			}
		return (size_t)(q - p);
	}
	if (p[0] == '-' && p[1] == '-')
		return strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		q = strstr(p + 2, "*/");
		return q ? (size_t)(q + 2 - p) : strlen(p);
	}
	return 0;
}

/* sql with SQLite's ?N and ? placeholders as PostgreSQL's $N (a bare ? is
 * one more than the largest number so far, as in SQLite), outside quoted
 * text and comments; *nparams = the largest number.  New string, NULL when
 * out of memory. */
static char *convert_placeholders(const char *sql, int *nparams)
{
	size_t n = 0, k;
	const char *p;
	char *out, *q;
	int max = 0;

	for (p = sql; *p; p++)
		n += *p == '?';
	if (!(out = malloc(strlen(sql) + 8 * n + 1)))
		return NULL;
	for (p = sql, q = out; *p;) {
		if ((k = skip_quoted(p))) {
			memcpy(q, p, k);
			q += k;
			p += k;
		} else if (*p == '?') {
			int v;
			p++;
			if (isdigit((unsigned char)*p)) {
				v = (int)strtol(p, (char **)&p, 10);
			} else {
				v = max + 1;
			}
			if (v > max)
				max = v;
			q += sprintf(q, "$%d", v);
		} else {
			*q++ = *p++;
		}
	}
	*q = '\0';
	*nparams = max;
	return out;
}

/* The n-th word of sql (0-based; words are runs of letters, digits, _ . and
 * quoted text, skipping parentheses, spaces and comments) into buf. */
static void word_at(const char *sql, int n, char *buf, size_t size)
{
	const char *p = sql;
	size_t k;
	for (;;) {
		while (*p && (isspace((unsigned char)*p) || *p == '(' || *p == ')' || *p == ',' || *p == ';' ||
			      (p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')))
			p += (*p == '-' || *p == '/') ? skip_quoted(p) : 1;
		k = 0;
		while (p[k] && (isalnum((unsigned char)p[k]) || p[k] == '_' || p[k] == '.' || p[k] == '"'))
			k += p[k] == '"' ? skip_quoted(p + k) : 1;
		if (!k || !n--)
			break;
		p += k;
	}
	if (k >= size)
		k = 0;
	memcpy(buf, p, k);
	buf[k] = '\0';
}

/* 1 when sql holds word w (any case) outside quoted text. */
static int has_word(const char *sql, const char *w)
{
	size_t n = strlen(w), k;
	const char *p;
	for (p = sql; *p;) {
		if ((k = skip_quoted(p))) {
			p += k;
			continue;
		}
		if (!strncasecmp(p, w, n) && (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
			return 1;
		p++;
	}
	return 0;
}

/* The primary key column of table when it is one integer column, as a
 * quoted identifier in *pk ("" when none); looked up once per table and
 * connection.  0, or MLFY_* with the handle's error set. */
static int table_pk(struct pg_store *p, const char *table, const char **pk, struct mlfy_err *err)
{
	static const char sql[] =
		"SELECT (SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
		"  AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass($1) AND i.indisprimary"
		"  AND i.indnkeyatts = 1 AND a.atttypid IN (20, 21, 23)), to_regclass($1) IS NOT NULL";
	const char *vals[1] = { table };
	PGresult *res;
	char *col = NULL, *name;
	void *grown;
	int i;

	for (i = 0; i < p->n_pks; i++)
		if (!strcmp(p->pks[i].table, table)) {
			*pk = p->pks[i].pk;
			return 0;
		}
	res = PQexecParams(p->conn, sql, 1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pg_note(p, res);
		PQclear(res);
		return p->base.ops->fail(&p->base, err, "prepare");
	}
	if (*PQgetvalue(res, 0, 1) != 't') {
		/* no such table (yet): the prepare reports it; nothing is remembered */
		PQclear(res);
		*pk = "";
		return 0;
	}
	col = PQgetisnull(res, 0, 0) ? NULL
				     : PQescapeIdentifier(p->conn, PQgetvalue(res, 0, 0), strlen(PQgetvalue(res, 0, 0)));
	name = col ? strdup(col) : strdup("");
	PQfreemem(col);
	PQclear(res);
	if (!name || !(grown = realloc(p->pks, sizeof(*p->pks) * (size_t)(p->n_pks + 1)))) {
		free(name);
		return mlfy_err_oom(err);
	}
	p->pks = grown;
	if (!(p->pks[p->n_pks].table = strdup(table))) {
		free(name);
		return mlfy_err_oom(err);
	}
	p->pks[p->n_pks++].pk = name;
	*pk = name;
	return 0;
}

/* ---- statement objects ---------------------------------------------------------------- */

static void clear_result(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
}

static void close_cursor(struct pg_stmt *st)
{
	char sql[48];
	if (!st->cursor_open)
		return;
	st->cursor_open = 0;
	/* a cursor of a replaced connection is gone; CLOSE on the new one would
	 * fail (and abort a transaction open there) */
	if (PQstatus(st->s->conn) != CONNECTION_OK || st->cursor_gen != st->s->generation)
		return;
	/* fails only in an aborted transaction, which ends the cursor anyway */
	snprintf(sql, sizeof(sql), "CLOSE %s", st->name);
	PQclear(PQexec(st->s->conn, sql));
}

static void pg_reset(struct store_stmt *base)
{
	struct pg_stmt *st = ST(base);
	clear_result(st);
	close_cursor(st);
	st->state = 0;
}

static void clear_bindings(struct pg_stmt *st)
{
	int i;
	for (i = 0; i < st->nparams; i++) {
		free(st->params[i].heap);
		st->params[i].heap = NULL;
		st->params[i].val = NULL;
		st->vals[i] = NULL;
	}
}

static void stmt_free(struct pg_stmt *st)
{
	struct pg_store *p = st->s;
	pg_reset(&st->base);
	if (!st->select || !st->owned) {
		/* the server's prepared statement (never for a cursor's query) */
		if (st->prepared_gen == p->generation && PQstatus(p->conn) == CONNECTION_OK &&
		    PQtransactionStatus(p->conn) != PQTRANS_INERROR) {
			char sql[48];
			snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
			PQclear(PQexec(p->conn, sql));
		}
	}
	clear_bindings(st);
	free(st->params);
	free(st->vals);
	free(st->sql);
	free(st);
}

/* Prepares st on the current connection: 0, or MLFY_* (err filled). */
static int prepare(struct pg_stmt *st, struct mlfy_err *err)
{
	struct pg_store *p = st->s;
	PGresult *res = PQprepare(p->conn, st->name, st->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_note(p, res);
		PQclear(res);
		return p->base.ops->fail(&p->base, err, "prepare");
	}
	PQclear(res);
	st->prepared_gen = p->generation;
	return 0;
}

/* A new statement for sql: converted, and prepared unless it is an owned
 * query (a cursor declares it at its first step).  NULL on error (err). */
static struct pg_stmt *stmt_new(struct pg_store *p, const char *sql, int owned, struct mlfy_err *err)
{
	struct pg_stmt *st = calloc(1, sizeof(*st));
	char first[16], table[256];
	int i;

	if (!st || !(st->sql = convert_placeholders(sql, &st->nparams)))
		goto oom;
	st->base.ops = &pg_stmt_ops;
	st->s = p;
	st->owned = owned;
	snprintf(st->name, sizeof(st->name), "%s%u", owned ? "mlfy_c" : "mlfy_s", ++p->next_name);
	if (st->nparams > 0 && (!(st->params = calloc((size_t)st->nparams, sizeof(*st->params))) ||
				!(st->vals = calloc((size_t)st->nparams, sizeof(*st->vals)))))
		goto oom;
	word_at(st->sql, 0, first, sizeof(first));
	st->select = !strcasecmp(first, "SELECT") || !strcasecmp(first, "WITH") || !strcasecmp(first, "VALUES");
	if (!strcasecmp(first, "INSERT") && !has_word(st->sql, "RETURNING")) {
		const char *pk = "";
		for (i = 1; i < 4; i++) {   /* INSERT [OR x] INTO table */
			word_at(st->sql, i, table, sizeof(table));
			if (!strcasecmp(table, "INTO"))
				break;
		}
		word_at(st->sql, i + 1, table, sizeof(table));
		if (i < 4 && table[0] && table_pk(p, table, &pk, err)) {
			stmt_free(st);
			return NULL;
		}
		if (*pk) {
			size_t n = strlen(st->sql);
			char *grown;
			while (n > 0 && (isspace((unsigned char)st->sql[n - 1]) || st->sql[n - 1] == ';'))
				n--;
			if (!(grown = realloc(st->sql, n + strlen(pk) + 12)))
				goto oom;
			st->sql = grown;
			sprintf(st->sql + n, " RETURNING %s", pk);
			st->returning = 1;
		}
	}
	if ((!owned || !st->select) && prepare(st, err)) {
		stmt_free(st);
		return NULL;
	}
	pg_ok(p);
	return st;
oom:
	if (st) {
		free(st->params);
		free(st->vals);
		free(st->sql);
		free(st);
	}
	mlfy_err_oom(err);
	return NULL;
}

struct store_stmt *pg_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	struct pg_store *p = PG(s);
	struct pg_stmt *st;
	int i, fresh;

	if (pg_ready(p, err))
		return NULL;
	for (i = 0; i < p->n_cache; i++) {
		if (p->cache[i].sql == sql) {
			st = p->cache[i].stmt;
			pg_reset(&st->base);
			clear_bindings(st);
			return &st->base;
		}
	}
	fresh = pg_fresh(p);
	if (!(st = stmt_new(p, sql, 0, err)) && !(pg_recover(p, fresh) && (st = stmt_new(p, sql, 0, err))))
		return NULL;
	if (p->n_cache == PG_CACHE) {   /* full: evict the oldest entry */
		stmt_free(p->cache[0].stmt);
		memmove(&p->cache[0], &p->cache[1], sizeof(p->cache[0]) * (size_t)(p->n_cache - 1));
		p->n_cache--;
	}
	p->cache[p->n_cache].sql = sql;
	p->cache[p->n_cache].stmt = st;
	p->n_cache++;
	return &st->base;
}

struct store_stmt *pg_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err)
{
	struct pg_stmt *st;
	int fresh;
	if (pg_ready(PG(s), err))
		return NULL;
	fresh = pg_fresh(PG(s));
	if (!(st = stmt_new(PG(s), sql, 1, err)) && pg_recover(PG(s), fresh))
		st = stmt_new(PG(s), sql, 1, err);
	return st ? &st->base : NULL;
}

static void pg_stmt_close(struct store_stmt *base)
{
	stmt_free(ST(base));
}

void pg_cache_free(struct pg_store *p)
{
	int i;
	for (i = 0; i < p->n_cache; i++)
		stmt_free(p->cache[i].stmt);
	p->n_cache = 0;
	for (i = 0; i < p->n_pks; i++) {
		free(p->pks[i].table);
		free(p->pks[i].pk);
	}
	free(p->pks);
	p->pks = NULL;
	p->n_pks = 0;
}

/* ---- binding ---------------------------------------------------------------------------- */

static struct pg_param *param(struct pg_stmt *st, int i)
{
	if (i < 1 || i > st->nparams)
		return NULL;   /* SQLite's SQLITE_RANGE, which callers ignore too */
	free(st->params[i - 1].heap);
	st->params[i - 1].heap = NULL;
	return &st->params[i - 1];
}

static void pg_bind_int64(struct store_stmt *base, int i, int64_t v)
{
	struct pg_param *a = param(ST(base), i);
	if (!a)
		return;
	snprintf(a->num, sizeof(a->num), "%lld", (long long)v);
	a->val = ST(base)->vals[i - 1] = a->num;
}

static void pg_bind_double(struct store_stmt *base, int i, double v)
{
	struct pg_param *a = param(ST(base), i);
	if (!a)
		return;
	/* 17 significant digits: the double comes back exactly */
	snprintf(a->num, sizeof(a->num), "%.17g", v);
	a->val = ST(base)->vals[i - 1] = a->num;
}

static void pg_bind_text(struct store_stmt *base, int i, const char *v)
{
	struct pg_param *a = param(ST(base), i);
	if (!a)
		return;
	/* out of memory: binds NULL, which the statement's constraints or
	 * the caller's checks then refuse (SQLite answers SQLITE_NOMEM the
	 * same way: the bind is lost) */
	a->heap = v ? strdup(v) : NULL;
	a->val = ST(base)->vals[i - 1] = a->heap;
}

/* ---- running ------------------------------------------------------------------------------ */

/* Takes res as the statement's current result: STORE_ROW / STORE_DONE /
 * STORE_ERROR for its first row. */
static int take(struct pg_stmt *st, PGresult *res)
{
	struct pg_store *p = st->s;
	ExecStatusType es = PQresultStatus(res);
	const char *cmd;

	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		pg_note(p, res);
		PQclear(res);
		st->state = 2;
		return STORE_ERROR;
	}
	pg_ok(p);
	cmd = PQcmdStatus(res);
	if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6) ||
	    !strncmp(cmd, "MERGE", 5))
		p->changes = strtoll(PQcmdTuples(res), NULL, 10);
	if (st->returning) {
		int n = PQntuples(res);
		if (n > 0)
			p->last_id = strtoll(PQgetvalue(res, n - 1, 0), NULL, 10);
		PQclear(res);
		st->state = 2;
		return STORE_DONE;
	}
	st->res = res;
	st->nrows = PQntuples(res);
	st->row = -1;
	st->state = 1;
	return STORE_ROW;   /* the caller walks to the first row */
}

/* The next PG_FETCH rows of st's cursor as its result. */
static int fetch(struct pg_stmt *st)
{
	char sql[64];
	int rc;
	clear_result(st);
	if (st->cursor_gen != st->s->generation) {
		/* declared on a connection lost since (another statement reconnected):
		 * the rest of the walk is gone */
		snprintf(st->s->sqlstate, sizeof(st->s->sqlstate), "08003");
		snprintf(st->s->errmsg, sizeof(st->s->errmsg), "the cursor %s was on a connection lost since", st->name);
		st->s->failed = 1;
		st->cursor_open = 0;
		st->state = 2;
		return STORE_ERROR;
	}
	snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM %s", PG_FETCH, st->name);
	rc = take(st, PQexec(st->s->conn, sql));
	st->cursor_more = rc == STORE_ROW && st->nrows == PG_FETCH;
	return rc;
}

/* Declares st's cursor with the bound values and fetches its first rows. */
static int declare(struct pg_stmt *st)
{
	struct pg_store *p = st->s;
	int in_tx = PQtransactionStatus(p->conn) == PQTRANS_INTRANS;
	size_t n = strlen(st->sql) + 96;
	char *sql = malloc(n);
	PGresult *res;

	if (!sql) {
		pg_note(p, NULL);
		st->state = 2;
		return STORE_ERROR;
	}
	snprintf(sql, n, "DECLARE %s NO SCROLL CURSOR %sFOR %s", st->name, in_tx ? "" : "WITH HOLD ", st->sql);
	res = PQexecParams(p->conn, sql, st->nparams, NULL, st->vals, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_note(p, res);
		PQclear(res);
		st->state = 2;
		return STORE_ERROR;
	}
	PQclear(res);
	st->cursor_open = 1;
	st->cursor_gen = p->generation;
	return fetch(st);
}

/* The statement's first execution: its cursor declared (an owned query)
 * or its prepared statement run (prepared again on a new connection). */
static int run(struct pg_stmt *st)
{
	struct pg_store *p = st->s;
	if (st->owned && st->select)
		return declare(st);
	if (st->prepared_gen != p->generation && prepare(st, NULL)) {
		st->state = 2;
		return STORE_ERROR;
	}
	return take(st, PQexecPrepared(p->conn, st->name, st->nparams, st->vals, NULL, NULL, 0));
}

static int pg_step(struct store_stmt *base)
{
	struct pg_stmt *st = ST(base);
	int rc;

	if (st->state == 2)
		return STORE_DONE;
	if (st->state == 0) {
		/* an autocommit query may run again on a new connection: it
		 * changed nothing (writes run inside transactions) */
		int fresh = st->select && pg_fresh(st->s);
		rc = run(st);
		if (rc == STORE_ERROR && pg_recover(st->s, fresh))
			rc = run(st);
		if (rc != STORE_ROW)
			return rc;
	}
	for (;;) {
		if (++st->row < st->nrows)
			return STORE_ROW;
		if (!st->cursor_open || !st->cursor_more)
			break;
		if ((rc = fetch(st)) != STORE_ROW)
			return rc;
	}
	clear_result(st);
	close_cursor(st);
	st->state = 2;
	return STORE_DONE;
}

/* ---- columns -------------------------------------------------------------------------------- */

/* The text of column col of the current row (NULL for SQL NULL or no such
 * column); *boolean = 1 for a boolean column. */
static const char *cell(struct store_stmt *base, int col, int *boolean)
{
	struct pg_stmt *st = ST(base);
	*boolean = 0;
	if (st->state != 1 || !st->res || st->row < 0 || st->row >= st->nrows || col < 0 ||
	    col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col))
		return NULL;
	*boolean = PQftype(st->res, col) == BOOLOID;
	return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_int64(struct store_stmt *base, int col)
{
	int boolean;
	const char *v = cell(base, col, &boolean);
	char *end;
	long long x;

	if (!v)
		return 0;
	if (boolean)
		return *v == 't';
	x = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') {   /* a real number: truncated, as SQLite does */
		double d = strtod(v, NULL);
		return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : d == d ? (int64_t)d : 0;
	}
	return (int64_t)x;
}

static double pg_col_double(struct store_stmt *base, int col)
{
	int boolean;
	const char *v = cell(base, col, &boolean);
	if (!v)
		return 0.0;
	if (boolean)
		return *v == 't' ? 1.0 : 0.0;
	return strtod(v, NULL);
}

static const char *pg_col_text(struct store_stmt *base, int col)
{
	int boolean;
	const char *v = cell(base, col, &boolean);
	if (v && boolean)
		return *v == 't' ? "1" : "0";
	return v;
}

static int pg_col_is_null(struct store_stmt *base, int col)
{
	int boolean;
	return cell(base, col, &boolean) == NULL;
}

static const struct store_stmt_ops pg_stmt_ops = {
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.step = pg_step,
	.reset = pg_reset,
	.col_int64 = pg_col_int64,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_is_null = pg_col_is_null,
	.close = pg_stmt_close,
};
