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
 */
#ifndef MLFY_TESTS_FIXTURE_PROJECT_H
#define MLFY_TESTS_FIXTURE_PROJECT_H

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

/* Creates the project file at path (must not exist).  0 on success. */
static inline int fixture_project(const char *path, const struct fixture_spec *f)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char buf[4096], sha[65], fake[65];
	char (*memo)[65] = NULL;   /* real hashes of the distinct image files */
	int i, r, rc = -1, n_files = f->image_files > 0 ? f->image_files : f->n_images;

	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return -1;
	}
	mlfy_store_close(s);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto out;
	if (fixture_exec(db, "PRAGMA foreign_keys=ON; BEGIN"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO classes(idx, ext_id, name, synonyms, gloss) VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &st, NULL))
		goto out;
	for (i = 0; i < f->n_classes; i++) {
		char ext[32], name[64], syn[96], gloss[96];
		snprintf(ext, sizeof(ext), "c%d", i);
		snprintf(name, sizeof(name), "class_%d", i);
		snprintf(syn, sizeof(syn), "class %d, thing %d", i, i);
		snprintf(gloss, sizeof(gloss), "gloss of class %d", i);
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, ext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, syn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, gloss, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (fixture_exec(db, "INSERT INTO models(id, name, source, kind, created_at)"
			     " VALUES (1, 'fixture', 'synthetic', 'npy-probs', '2026-01-01T00:00:00Z')"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height,"
			       " bytes, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 64, 48, 1000, '2026-01-01T00:00:00Z')",
			       -1, &st, NULL))
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
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, buf, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, (i - 1) % f->n_classes);
		sqlite3_bind_int(st, 5, (i - 1) / f->batch_size + 1);
		sqlite3_bind_text(st, 6, sha, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score)"
			       " VALUES (?1, 1, ?2, ?3, ?4)", -1, &st, NULL))
		goto out;
	for (i = 1; i <= f->n_images; i++)
		for (r = 0; r < f->k && r < f->n_classes; r++) {
			sqlite3_bind_int(st, 1, i);
			sqlite3_bind_int(st, 2, r);
			sqlite3_bind_int(st, 3, (i - 1 + r) % f->n_classes);
			sqlite3_bind_double(st, 4, 0.5 / (r + 1));
			if (sqlite3_step(st) != SQLITE_DONE)
				goto out;
			sqlite3_reset(st);
		}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO exemplars(class_idx, rank, path, sha256, width, height)"
			       " VALUES (?1, ?2, ?3, ?4, 64, 48)", -1, &st, NULL))
		goto out;
	for (i = 0; i < f->n_classes; i++)
		for (r = 0; r < f->n_exemplars; r++) {
			snprintf(buf, sizeof(buf), "%s/ex%d-%d.jpg", f->exemplar_dir ? f->exemplar_dir : "/nonexistent",
				 f->exemplar_classes > 0 ? i % f->exemplar_classes : i, r);
			snprintf(fake, sizeof(fake), "e%063x", i * 1000 + r);
			fixture_file_sha(buf, fake, NULL, -1, sha);
			sqlite3_bind_int(st, 1, i);
			sqlite3_bind_int(st, 2, r);
			sqlite3_bind_text(st, 3, buf, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, sha, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto out;
			sqlite3_reset(st);
		}
	if (fixture_exec(db, "COMMIT"))
		goto out;
	rc = 0;
out:
	if (rc && db)
		fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
	free(memo);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

#endif
