/* fixture_project.h - builds a synthetic project for tests and benchmarks
 * (header-only).  Writes the catalog and proposal rows with plain SQL on a
 * second connection, so the serve tests do not depend on the ingest
 * commands; the layout follows src/store/schema.c.
 *
 * The synthetic project: classes 0..n_classes-1 named "class_<i>" (ext_id
 * "c<i>", synonyms "class <i>, thing <i>", gloss "gloss of class <i>");
 * images 1..n_images named "img<i>.jpg" with original label (i-1) % n_classes,
 * batch (i-1) / batch_size + 1; model "fixture" with top-k proposals
 * (class (i-1+r) % n_classes at rank r, score 0.5 / (r+1)); n_exemplars
 * exemplars per class.  Files are named as described in the spec (under
 * /nonexistent when the directory is NULL).  The recorded sha256 of a file
 * that exists is its real SHA-256 (mlfy serve only serves bytes matching
 * it); a missing file gets a distinct made-up hash.
 *
 * The project may be a file (SQLite) or a PostgreSQL URI (the tests' pg
 * runs, tests/testutil.h): the rows go through the small adapter fx_* below,
 * sqlite3 or libpq with the same SQL.  On PostgreSQL the statements are
 * pipelined (libpq's pipeline mode: up to FX_PIPELINE sent before their
 * results are read), so a row costs no round trip of its own: 4,000 images
 * took 24 s one round trip at a time.
 */
#ifndef MLFY_TESTS_FIXTURE_PROJECT_H
#define MLFY_TESTS_FIXTURE_PROJECT_H

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

struct fixture_spec {
	int n_classes;
	int n_images;
	int batch_size;
	int k;              /* proposals per image */
	int n_exemplars;    /* per class */
	const char *image_dir;     /* image i's file: <image_dir>/img<j>.jpg, j = (i-1) % image_files + 1 */
	int image_files;           /* distinct image files (0: one per image) */
	const char *exemplar_dir;  /* exemplar (c, r)'s file: <exemplar_dir>/ex<c % exemplar_classes>-<r>.jpg */
	int exemplar_classes;      /* distinct exemplar classes (0: one per class) */
};

/* One connection and one statement of either engine, parameters bound as
 * text (?N in the SQL; $N for libpq). */
struct fx {
	sqlite3 *db;
	PGconn *pg;
	sqlite3_stmt *st;
	char sql[512];
	char val[8][160];
	const char *vals[8];
	int n;
	int pending;          /* PostgreSQL: statements sent, results not read yet */
	char pgerr[512];      /* PostgreSQL: the first failed statement's message */
};

#define FX_PIPELINE 256

/* PostgreSQL: ends the pipeline's segment and reads every result; 0, or -1
 * when a statement failed (its message in x->pgerr) or the connection broke. */
static inline int fx_pg_drain(struct fx *x)
{
	if (!x->pending)
		return x->pgerr[0] ? -1 : 0;
	if (!PQpipelineSync(x->pg))
		return -1;
	x->pending = 0;
	for (;;) {
		PGresult *r = PQgetResult(x->pg);
		ExecStatusType st;
		if (!r) {   /* between two statements' results */
			if (PQstatus(x->pg) != CONNECTION_OK)
				return -1;
			continue;
		}
		st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && !x->pgerr[0])
			snprintf(x->pgerr, sizeof(x->pgerr), "%s",
				 st == PGRES_PIPELINE_ABORTED ? "pipeline aborted" : PQresultErrorMessage(r));
		PQclear(r);
	}
	return x->pgerr[0] ? -1 : 0;
}

/* PostgreSQL: sends one statement into the pipeline (x->sql or sql). */
static inline int fx_pg_send(struct fx *x, const char *sql, int n)
{
	if (!PQsendQueryParams(x->pg, sql, n, NULL, n ? x->vals : NULL, NULL, NULL, 0))
		return -1;
	return ++x->pending >= FX_PIPELINE ? fx_pg_drain(x) : 0;
}

static inline int fx_open(struct fx *x, const char *path)
{
	memset(x, 0, sizeof(*x));
	if (!strncmp(path, "postgresql://", 13)) {
		x->pg = PQconnectdb(path);
		return PQstatus(x->pg) == CONNECTION_OK && PQenterPipelineMode(x->pg) ? 0 : -1;
	}
	return sqlite3_open(path, &x->db) == SQLITE_OK ? 0 : -1;
}

static inline const char *fx_errmsg(struct fx *x)
{
	if (x->pg)
		return x->pgerr[0] ? x->pgerr : PQerrorMessage(x->pg);
	return x->db ? sqlite3_errmsg(x->db) : "out of memory";
}

static inline int fx_exec(struct fx *x, const char *sql)
{
	int ok;
	if (x->pg) {
		ok = !fx_pg_drain(x) && !fx_pg_send(x, sql, 0) && !fx_pg_drain(x);
	} else {
		ok = sqlite3_exec(x->db, sql, NULL, NULL, NULL) == SQLITE_OK;
	}
	if (!ok)
		fprintf(stderr, "fixture: %s: %s\n", sql, fx_errmsg(x));
	return ok ? 0 : -1;
}

/* sql with ?N placeholders (no '?' elsewhere) */
static inline int fx_prepare(struct fx *x, const char *sql)
{
	const char *p;
	char *q = x->sql;
	if (x->db) {
		sqlite3_finalize(x->st);
		x->st = NULL;
		return sqlite3_prepare_v2(x->db, sql, -1, &x->st, NULL) == SQLITE_OK ? 0 : -1;
	}
	for (p = sql; *p && q < x->sql + sizeof(x->sql) - 1; p++)
		*q++ = *p == '?' ? '$' : *p;
	*q = '\0';
	x->n = 0;
	return 0;
}

static inline void fx_text(struct fx *x, int i, const char *v)
{
	if (x->db) {
		sqlite3_bind_text(x->st, i, v, -1, SQLITE_TRANSIENT);
		return;
	}
	snprintf(x->val[i - 1], sizeof(x->val[i - 1]), "%s", v);
	x->vals[i - 1] = x->val[i - 1];
	if (i > x->n)
		x->n = i;
}

static inline void fx_int(struct fx *x, int i, int v)
{
	char b[16];
	if (x->db) {
		sqlite3_bind_int(x->st, i, v);
		return;
	}
	snprintf(b, sizeof(b), "%d", v);
	fx_text(x, i, b);
}

static inline void fx_double(struct fx *x, int i, double v)
{
	char b[40];
	if (x->db) {
		sqlite3_bind_double(x->st, i, v);
		return;
	}
	snprintf(b, sizeof(b), "%.17g", v);
	fx_text(x, i, b);
}

/* Runs the statement once with its bound values: 0 or -1. */
static inline int fx_step(struct fx *x)
{
	int ok;
	if (x->db) {
		ok = sqlite3_step(x->st) == SQLITE_DONE;
		sqlite3_reset(x->st);
	} else {
		ok = !fx_pg_send(x, x->sql, x->n);
	}
	return ok ? 0 : -1;
}

static inline void fx_close(struct fx *x)
{
	if (x->pg)
		(void)fx_pg_drain(x);
	sqlite3_finalize(x->st);
	sqlite3_close(x->db);
	PQfinish(x->pg);
	memset(x, 0, sizeof(*x));
}

static inline int fixture_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "fixture: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Hex SHA-256 of the file at path into out; -1 when it cannot be read. */
static inline int fixture_sha256(const char *path, char out[65])
{
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	fclose(f);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
	return 0;
}

/* The sha256 to record for a fixture file: the real one when the file
 * exists (memo[slot] caches it; slot < 0: no cache), else fake. */
static inline void fixture_file_sha(const char *path, const char *fake, char (*memo)[65], int slot, char out[65])
{
	if (memo && slot >= 0 && memo[slot][0]) {
		memcpy(out, memo[slot], 65);
		return;
	}
	if (fixture_sha256(path, out) != 0)
		snprintf(out, 65, "%s", fake);
	if (memo && slot >= 0)
		memcpy(memo[slot], out, 65);
}

/* Creates the project at path (a file that must not exist, or an empty
 * PostgreSQL database's URI).  0 on success. */
static inline int fixture_project(const char *path, const struct fixture_spec *f)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	struct fx x;
	char buf[4096], sha[65], fake[65];
	char (*memo)[65] = NULL;   /* real hashes of the distinct image files */
	int i, r, rc = -1, n_files = f->image_files > 0 ? f->image_files : f->n_images;

	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return -1;
	}
	mlfy_store_close(s);
	if (fx_open(&x, path))
		goto out;
	if (fx_exec(&x, x.db ? "PRAGMA foreign_keys=ON; BEGIN" : "BEGIN"))
		goto out;
	if (fx_prepare(&x, "INSERT INTO classes(idx, ext_id, name, synonyms, gloss) VALUES (?1, ?2, ?3, ?4, ?5)"))
		goto out;
	for (i = 0; i < f->n_classes; i++) {
		char ext[32], name[64], syn[96], gloss[96];
		snprintf(ext, sizeof(ext), "c%d", i);
		snprintf(name, sizeof(name), "class_%d", i);
		snprintf(syn, sizeof(syn), "class %d, thing %d", i, i);
		snprintf(gloss, sizeof(gloss), "gloss of class %d", i);
		fx_int(&x, 1, i);
		fx_text(&x, 2, ext);
		fx_text(&x, 3, name);
		fx_text(&x, 4, syn);
		fx_text(&x, 5, gloss);
		if (fx_step(&x))
			goto out;
	}
	if (fx_exec(&x, "INSERT INTO models(id, name, source, kind, created_at)"
			" VALUES (1, 'fixture', 'synthetic', 'npy-probs', '2026-01-01T00:00:00Z')"))
		goto out;
	if (fx_prepare(&x, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height,"
			   " bytes, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 64, 48, 1000, '2026-01-01T00:00:00Z')"))
		goto out;
	for (i = 1; i <= f->n_images; i++) {
		char name[64];
		snprintf(name, sizeof(name), "img%05d.jpg", i);
		snprintf(buf, sizeof(buf), "%s/img%05d.jpg", f->image_dir ? f->image_dir : "/nonexistent",
			 f->image_files > 0 ? (i - 1) % f->image_files + 1 : i);
		snprintf(fake, sizeof(fake), "%064x", i);
		if (!memo && !(memo = calloc((size_t)n_files + 1, sizeof(*memo))))
			goto out;
		fixture_file_sha(buf, fake, memo, f->image_files > 0 ? (i - 1) % f->image_files : i - 1, sha);
		fx_int(&x, 1, i);
		fx_text(&x, 2, name);
		fx_text(&x, 3, buf);
		fx_int(&x, 4, (i - 1) % f->n_classes);
		fx_int(&x, 5, (i - 1) / f->batch_size + 1);
		fx_text(&x, 6, sha);
		if (fx_step(&x))
			goto out;
	}
	if (fx_prepare(&x, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score)"
			   " VALUES (?1, 1, ?2, ?3, ?4)"))
		goto out;
	for (i = 1; i <= f->n_images; i++)
		for (r = 0; r < f->k && r < f->n_classes; r++) {
			fx_int(&x, 1, i);
			fx_int(&x, 2, r);
			fx_int(&x, 3, (i - 1 + r) % f->n_classes);
			fx_double(&x, 4, 0.5 / (r + 1));
			if (fx_step(&x))
				goto out;
		}
	if (fx_prepare(&x, "INSERT INTO exemplars(class_idx, rank, path, sha256, width, height)"
			   " VALUES (?1, ?2, ?3, ?4, 64, 48)"))
		goto out;
	for (i = 0; i < f->n_classes; i++)
		for (r = 0; r < f->n_exemplars; r++) {
			snprintf(buf, sizeof(buf), "%s/ex%d-%d.jpg", f->exemplar_dir ? f->exemplar_dir : "/nonexistent",
				 f->exemplar_classes > 0 ? i % f->exemplar_classes : i, r);
			snprintf(fake, sizeof(fake), "e%063x", i * 1000 + r);
			fixture_file_sha(buf, fake, NULL, -1, sha);
			fx_int(&x, 1, i);
			fx_int(&x, 2, r);
			fx_text(&x, 3, buf);
			fx_text(&x, 4, sha);
			if (fx_step(&x))
				goto out;
		}
	if (fx_exec(&x, "COMMIT"))
		goto out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "fixture: %s\n", fx_errmsg(&x));
	free(memo);
	fx_close(&x);
	return rc;
}

#endif
