/* pg_int.h - the PostgreSQL engine's private types, shared by its two files:
 * pg.c (the connection: open/create, session settings, transactions,
 * errors, integrity check) and pg_stmt.c (statements: placeholders, the
 * statement cache, execution, results, columns).  Only these files include
 * libpq-fe.h. */
#ifndef MLFY_STORE_PG_INT_H
#define MLFY_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store/engine_ops.h"

#define PG_CACHE 128      /* prepared statements kept per connection */
#define PG_FETCH 2048     /* rows per FETCH of an owned statement's cursor */

/* One bound parameter, sent as text with the type left to the server. */
struct pg_param {
	char num[32];     /* a number's text */
	char *heap;       /* a copied text value (free()) */
	const char *val;  /* what is sent: num, heap, or NULL for SQL NULL */
};

struct pg_stmt {
	struct store_stmt base;
	struct pg_store *s;
	char *sql;             /* converted: $N placeholders (+ " RETURNING pk" for an INSERT) */
	int owned;             /* from store_stmt_open: a cursor, never from the cache */
	int select;            /* the SQL is a query (SELECT / WITH / VALUES): an owned one is streamed */
	int returning;         /* " RETURNING pk" was appended: its rows set last_id, the caller sees none */
	unsigned prepared_gen; /* connection generation the statement was prepared in (0: never) */
	char name[24];         /* server-side prepared statement name */
	int nparams;
	struct pg_param *params;
	const char **vals;     /* nparams pointers for libpq */
	/* the current execution */
	int state;             /* 0 not run, 1 rows being walked, 2 done (or failed) */
	PGresult *res;
	int row, nrows;
	int cursor_open;       /* owned + select: the cursor named name is open on the server */
	int cursor_more;       /* another FETCH may return rows */
	unsigned cursor_gen;   /* connection generation the cursor was declared in */
};

struct pg_store {
	struct mlfy_store base;   /* first: the handle dispatch.c sees */
	PGconn *conn;
	unsigned generation;      /* bumped by every (re)connection: statements prepare again */
	int set_up;               /* session_setup ran on the current connection */
	int in_pgtx;              /* a BEGIN of pg_begin / pg_begin_read is open (store_read_begin's too) */
	unsigned listen_gen;      /* the generation pg_listen ran LISTEN in (pg_listen.c) */
	unsigned next_name;       /* counter for statement and cursor names */
	struct {
		const char *sql;  /* key: the static SQL string's address */
		struct pg_stmt *stmt;
	} cache[PG_CACHE];
	int n_cache;
	/* the primary key column of each table an INSERT wrote to ("" none) */
	struct {
		char *table, *pk;
	} *pks;
	int n_pks;
	int64_t last_id, changes;
	int failed;               /* 1 when the last call on the connection failed */
	char sqlstate[6];         /* of the last error; "" for a client-side one (a lost connection) */
	char errmsg[1024];        /* the last error's text */
	char *password;           /* decoded password of the URI, scrubbed from messages (or NULL) */
};

#define PG(s) ((struct pg_store *)(void *)(s))

/* pg.c: records the error of res (NULL: the connection's) as the handle's
 * last error. */
void pg_note(struct pg_store *p, const PGresult *res);
/* pg.c: clears the last error (a call succeeded). */
void pg_ok(struct pg_store *p);
/* pg.c: reconnects a lost connection when no transaction is open (a
 * transaction's work is never redone): 0, or MLFY_EIO with err filled. */
int pg_ready(struct pg_store *p, struct mlfy_err *err);
/* pg.c: 1 when no transaction is open on the connection (none of
 * dispatch.c's, none of store_read_begin's, and the server's status idle):
 * a command sent now is the first of its work, and if the connection turns
 * out lost it may be sent again on a new one.  Taken BEFORE the command. */
int pg_fresh(struct pg_store *p);
/* pg.c: after a command failed (the handle's error set by pg_note): when
 * fresh (pg_fresh before the command) and the failure lost the connection
 * (libpq's CONNECTION_BAD, SQLSTATE class 08 or 57P01/57P02/57P03), resets
 * the connection (PQreset, the same URI; the session's settings again; the
 * generation bumped, so cached statements prepare again): 1 when the caller
 * should send the command once more, 0 when it reports the failure as it
 * is (the handle's error is then the reconnection's when that failed). */
int pg_recover(struct pg_store *p, int fresh);

/* pg_stmt.c: engine.h's statement calls for pg.c's table of functions. */
struct store_stmt *pg_stmt(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
struct store_stmt *pg_stmt_open(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
/* Frees every cached statement of the handle (at close). */
void pg_cache_free(struct pg_store *p);

#endif
