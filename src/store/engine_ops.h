/* engine_ops.h - what one engine of the store implements: the two tables
 * of functions behind engine.h and store.h (dispatch.c dispatches through
 * them), the part of struct mlfy_store every engine shares, and the engines'
 * open functions.  Included only by dispatch.c and the engines (sqlite.c,
 * pg.c, pg_stmt.c); family files never see it.
 *
 * Dispatch: struct mlfy_store begins with a pointer to its engine's
 * store_engine_ops, and every statement (struct store_stmt) with a pointer
 * to its engine's store_stmt_ops, so each engine.h call costs one indirect
 * call.  The engine's own handle embeds struct mlfy_store as its first
 * member (struct lite_store, struct pg_store), its statements embed struct
 * store_stmt, and the engine casts back.
 *
 * dispatch.c keeps the rules common to both engines (no nested transaction,
 * no write transaction inside a read snapshot, writes only inside a
 * transaction, in_tx / in_read); the engine runs its own SQL for them. */
#ifndef MLFY_STORE_ENGINE_OPS_H
#define MLFY_STORE_ENGINE_OPS_H

#include "store/engine.h"
#include "util/module.h"

struct store_stmt_ops {
	void (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	void (*bind_double)(struct store_stmt *st, int i, double v);
	void (*bind_text)(struct store_stmt *st, int i, const char *v);   /* NULL binds SQL NULL */
	int (*step)(struct store_stmt *st);                               /* STORE_ROW/DONE/ERROR */
	void (*reset)(struct store_stmt *st);
	int64_t (*col_int64)(struct store_stmt *st, int col);
	double (*col_double)(struct store_stmt *st, int col);
	const char *(*col_text)(struct store_stmt *st, int col);           /* NULL for SQL NULL */
	int (*col_is_null)(struct store_stmt *st, int col);
	void (*close)(struct store_stmt *st);                               /* owned statements only */
};

struct store_stmt {
	const struct store_stmt_ops *ops;
};

struct store_engine_ops {
	enum store_dialect dialect;
	/* engine.h's calls, with the same contracts */
	struct store_stmt *(*stmt)(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
	struct store_stmt *(*stmt_open)(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
	int64_t (*last_id)(struct mlfy_store *s);
	int64_t (*changes)(struct mlfy_store *s);
	int (*failed_constraint)(struct mlfy_store *s);
	const char *(*errmsg)(struct mlfy_store *s);
	int (*fail)(struct mlfy_store *s, struct mlfy_err *err, const char *what);
	int (*exec)(struct mlfy_store *s, const char *sql, struct mlfy_err *err);
	/* 1 when the connection has no transaction open (autocommit) */
	int (*idle)(struct mlfy_store *s);
	/* a write transaction holding the project's write lock; 0 or MLFY_* */
	int (*begin)(struct mlfy_store *s, struct mlfy_err *err);
	/* commits; on failure the transaction is rolled back and gone */
	int (*commit)(struct mlfy_store *s, struct mlfy_err *err);
	/* ends the open transaction without keeping anything; never fails */
	void (*rollback)(struct mlfy_store *s);
	/* a read-only transaction whose snapshot is taken now (begin_read) or
	 * at its first read (store_read_begin) */
	int (*begin_read)(struct mlfy_store *s, int snapshot_now, struct mlfy_err *err);
	int (*schema_version)(struct mlfy_store *s);
	int (*integrity_check)(struct mlfy_store *s, struct mlfy_err *err);
	/* frees the engine's part (the statements, the connection); dispatch.c
	 * frees the shared part afterwards */
	void (*close)(struct mlfy_store *s);
};

/* The part of every handle that dispatch.c reads. */
struct mlfy_store {
	const struct store_engine_ops *ops;
	char *path;       /* as given to mlfy_store_open (may hold a password) */
	char *display;    /* path with any password redacted: for every message */
	int in_tx;        /* invariant: 1 iff this handle began a write transaction not yet ended */
	int in_read;      /* invariant: 1 iff mlfy_store_begin_read without mlfy_store_end_read
			   * (never together with in_tx) */
	int readonly;
};

/* Fills the shared part of a new handle (path, display, readonly): 0, or
 * MLFY_ENOMEM with err filled (the caller frees the handle with
 * store_base_free). */
int store_base_init(struct mlfy_store *s, const struct store_engine_ops *ops, const char *path, int flags,
		    struct mlfy_err *err);
void store_base_free(struct mlfy_store *s);

/* The engines' mlfy_store_open, with its contract (store.h).  pg_store_open
 * is inside the PostgreSQL module: the rest of the library reaches it
 * through store_pg_engine. */
int lite_store_open(const char *path, int flags, struct mlfy_store **out, struct mlfy_err *err);
int pg_store_open(const char *uri, int flags, struct mlfy_store **out, struct mlfy_err *err);

/* The PostgreSQL engine (pg*.c) is a module of its own, store-pg.so, the
 * one part of the library that needs libpq: dispatch.c loads it
 * (util/module.h; $MLFY_STORE_PG_MODULE overrides its path) the first time
 * a postgresql:// project is opened, so that commands on SQLite files start
 * without libpq and the Kerberos, LDAP and TLS libraries it brings.  Bump
 * STORE_PG_ABI whenever this table changes. */
#define STORE_PG_ABI 1
#define STORE_PG_ENTRY "mlfy_store_pg"   /* util/module.h's mlfy_module_entry_fn */
struct store_pg_engine {
	struct mlfy_module_head head;   /* STORE_PG_ABI, "mlfy <release>" (util/module.h) */
	int (*open)(const char *uri, int flags, struct mlfy_store **out, struct mlfy_err *err);  /* pg_store_open */
	int (*listen)(struct mlfy_store *s, const char *channel, struct mlfy_err *err);     /* pg_listen.h */
	int (*listen_wait)(struct mlfy_store *s, int timeout_ms, int *notified, struct mlfy_err *err);
};

/* The PostgreSQL engine, loaded once per process (thread-safe).  NULL with
 * MLFY_EUNSUPPORTED in err when the module cannot be found or loaded, or
 * belongs to another build (the message names the path tried). */
const struct store_pg_engine *store_pg_engine(struct mlfy_err *err);

#endif
