/* migrate.h - `mlfy migrate SRC DST`: a whole project copied between the
 * store's engines (SQLite file <-> PostgreSQL URI, or file -> file, URI ->
 * URI) and verified table by table (store/migrate.c; docs/deploy.md,
 * "Moving a project between SQLite and PostgreSQL"; docs/schema.md).
 *
 * The list of the schema's tables with their columns, in foreign-key order,
 * lives in one place (mlfy_migrate_tables); tests/store/test_migrate.c
 * compares it with the live schema of both engines, so a table or column
 * added to the schema without being listed fails that test.
 *
 * Verification: for every table, its row count and a BLAKE2b-256 checksum
 * (libsodium crypto_generichash) over a canonical serialisation of its rows
 * in primary-key order, computed by the same function on SRC (while the
 * rows are read for the copy) and on DST (reading them back).  Each value
 * is a type tag and its value, ended by ';': "n;" for SQL NULL, "i<decimal>;"
 * for an integer column, "r<%.17g>;" for a REAL (double precision) column,
 * "t<bytes>:<text>;" for text (its length in bytes in decimal, so NULL, ''
 * and any text differ); each row ends with '\n'.  The column types come
 * from the list, not from the engine, so both engines serialise alike.
 */
#ifndef MLFY_STORE_MIGRATE_H
#define MLFY_STORE_MIGRATE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

/* One table of the schema as migrate copies it. */
struct mlfy_migrate_table {
	const char *name;
	/* the columns copied, comma-separated, in the order of the table's
	 * definition; invites lists "rowid" first (SQLite's implicit rowid, a
	 * real column on PostgreSQL: insertion order of invitations) */
	const char *columns;
	/* one letter per column: 'i' integer, 'r' real, 't' text */
	const char *types;
	/* the primary key's columns (the ORDER BY of the copy and checksum) */
	const char *key;
	/* 1 when triggers fill the table from another table's writes
	 * (final_changes from final_status, progress_counts from annotations): DST's trigger-made rows are
	 * deleted just before the table is copied, so the copy holds exactly
	 * SRC's rows */
	int trigger_filled;
};

/* The tables in foreign-key order (a table after every table it refers
 * to); *n = their number.  Static storage.  Not listed: PostgreSQL's
 * mlfy_schema (the schema version, written by the schema itself). */
const struct mlfy_migrate_table *mlfy_migrate_tables(size_t *n);

#define MLFY_MIGRATE_MAX_TABLES 64

/* The verification of one table. */
struct mlfy_migrate_check {
	const char *table;            /* static (the list's name) */
	int64_t src_rows, dst_rows;
	unsigned char src_sum[32], dst_sum[32];
	int ok;                       /* rows and checksum equal */
};

/* What a migration (or comparison) found: one check per table, in list
 * order; first_bad = the index of the first mismatching table, -1 when
 * every table matched; n may be below the list's length when the run
 * stopped early on an error. */
struct mlfy_migrate_report {
	size_t n;
	struct mlfy_migrate_check t[MLFY_MIGRATE_MAX_TABLES];
	int first_bad;
	int64_t rows;                 /* rows copied, all tables */
	double copy_seconds;          /* reading SRC + writing DST (+ DST checksums on PostgreSQL) */
	double seconds;               /* the whole run: open, copy, verify, fsync, publish */
};

struct mlfy_migrate_opts {
	/* called before a table is copied (rows = -1) and after it (rows =
	 * its row count), and once per table verified on DST (phase 'v');
	 * may be NULL.  phase is 'c' (copy) or 'v' (verify). */
	void (*on_table)(void *ctx, char phase, const char *table, int64_t rows);
	void *ctx;
	/* when non-NULL and set (SIGINT), the run stops: MLFY_EINTR, no DST */
	volatile sig_atomic_t *cancel;
};

/* Copies the project at src (a file or a postgresql:// URI, opened
 * read-only and read in one snapshot) into dst (a file that does not exist,
 * or a PostgreSQL database / schema holding no tables), every table in
 * foreign-key order with its ids, then verifies every table's row count
 * and checksum (above).  All or nothing: on PostgreSQL the schema and
 * every row are written in one transaction, committed only after the
 * checksums matched; for a file, the project is written to a temporary
 * file beside dst (".NAME.migrate-XXXXXX"), committed, reopened and
 * verified, fsync'd and linked to dst (never replacing a file), so a
 * killed run leaves no dst (a temporary file may remain; a killed
 * PostgreSQL run leaves an empty database).  rep (may be NULL) is filled
 * as far as the run got, also on a mismatch.  Errors: MLFY_ENOTFOUND (no
 * src), MLFY_ESCHEMA (src at another schema version: open it read-write
 * once with this mlfy to upgrade it), MLFY_ECONFLICT (dst exists or holds
 * tables: "already holds a project; migrate writes only into an empty
 * destination"), MLFY_ESTORE naming the first mismatching table, MLFY_EINTR
 * (cancelled), MLFY_EINVAL, MLFY_EIO, and the engines' errors.  The
 * messages show URIs with their passwords as ***. */
int mlfy_migrate(const char *src, const char *dst, const struct mlfy_migrate_opts *o,
		 struct mlfy_migrate_report *rep, struct mlfy_err *err);

/* Compares two projects a and b (files or URIs, each opened read-only and
 * read in one snapshot) table by table with the checksums of mlfy_migrate:
 * 0 when every table matches, MLFY_ESTORE naming the first table that
 * differs (rep tells which, as for mlfy_migrate), or the open errors.
 * rep may be NULL. */
int mlfy_migrate_compare(const char *a, const char *b, struct mlfy_migrate_report *rep, struct mlfy_err *err);

#endif
