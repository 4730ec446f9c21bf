/* review_fixture.h - small synthetic projects for the review tests
 * (header-only).  Writes catalog, accounts, assignments and annotation rows
 * with plain SQL on a second connection, following src/store/schema.c, so
 * these tests do not depend on the ingest and serve code paths.
 *
 * The fixture: classes 0..n_classes-1 ("c<i>", name "class<i>"), images
 * "img<NN>.jpg" (id NN, 1-based) with original label (NN-1) % n_classes and
 * batch 1 + (NN-1) / batch_size; model 1 "fixture" proposing, for image NN,
 * classes (NN-1+r) % n_classes for r < k; annotators by name and role.
 *
 * The project may be a file (SQLite) or a PostgreSQL URI (the tests' pg
 * runs, tests/testutil.h): the same SQL goes through sqlite3 or libpq.
 */
#ifndef MLFY_TESTS_REVIEW_FIXTURE_H
#define MLFY_TESTS_REVIEW_FIXTURE_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

struct rfix {
	sqlite3 *db;     /* a SQLite project, or */
	PGconn *pg;      /* a PostgreSQL one */
	int n_classes;
};

static inline void rfix_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Runs sql on the fixture's connection: 0, or -1 with *msg (malloc'd, may
 * be NULL) the engine's message. */
static inline int rfix_run(struct rfix *f, const char *sql, char **msg)
{
	PGresult *r;
	int ok;
	if (!f->pg) {
		char *m = NULL;
		ok = sqlite3_exec(f->db, sql, NULL, NULL, &m) == SQLITE_OK;
		if (msg)
			*msg = m ? strdup(m) : NULL;
		sqlite3_free(m);
		return ok ? 0 : -1;
	}
	r = PQexec(f->pg, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (msg)
		*msg = ok ? NULL : strdup(PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

static inline int rfix_exec(struct rfix *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int rfix_exec(struct rfix *f, const char *fmt, ...)
{
	char sql[8192], *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (rfix_run(f, sql, &msg)) {
		fprintf(stderr, "fixture: %s: %s\n", sql, msg ? msg : "?");
		free(msg);
		return -1;
	}
	return 0;
}

/* Creates the project at path with classes, images and proposals. */
static inline int rfix_create(struct rfix *f, const char *path, int n_classes, int n_images,
			      int batch_size, int k)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	int i, r;

	memset(f, 0, sizeof(*f));
	f->n_classes = n_classes;
	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return -1;
	}
	mlfy_store_close(s);
	if (!strncmp(path, "postgresql://", 13)) {
		f->pg = PQconnectdb(path);
		if (PQstatus(f->pg) != CONNECTION_OK)
			return -1;
		PQsetNoticeProcessor(f->pg, rfix_quiet, NULL);
		if (rfix_exec(f, "BEGIN"))
			return -1;
	} else {
		if (sqlite3_open(path, &f->db) != SQLITE_OK)
			return -1;
		sqlite3_busy_timeout(f->db, 10000);
		if (rfix_exec(f, "PRAGMA foreign_keys=ON; BEGIN"))
			return -1;
	}
	for (i = 0; i < n_classes; i++)
		if (rfix_exec(f, "INSERT INTO classes(idx, ext_id, name) VALUES (%d, 'c%d', 'class%d')", i, i, i))
			return -1;
	if (rfix_exec(f, "INSERT INTO models(id, name, created_at) VALUES (1, 'fixture', '2026-01-01T00:00:00Z')"))
		return -1;
	for (i = 1; i <= n_images; i++) {
		if (rfix_exec(f, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height,"
			      " bytes, added_at) VALUES (%d, 'img%02d.jpg', '/data/img%02d.jpg', %d, %d, '%064d',"
			      " 64, 48, 100, '2026-01-01T00:00:00Z')",
			      i, i, i, (i - 1) % n_classes, 1 + (i - 1) / batch_size, i))
			return -1;
		for (r = 0; r < k; r++)
			if (rfix_exec(f, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score)"
				      " VALUES (%d, 1, %d, %d, %g)", i, r, (i - 1 + r) % n_classes, 0.5 / (r + 1)))
				return -1;
	}
	return rfix_exec(f, "COMMIT");
}

static inline int rfix_user(struct rfix *f, int id, const char *name, const char *role)
{
	return rfix_exec(f, "INSERT INTO annotators(id, name, role, created_at)"
			 " VALUES (%d, '%s', '%s', '2026-01-01T00:00:00Z')", id, name, role);
}

static inline int rfix_assign(struct rfix *f, int batch, int annotator_id)
{
	return rfix_exec(f, "INSERT INTO assignments(batch, annotator_id, assigned_at)"
			 " VALUES (%d, %d, '2026-01-01T00:00:00Z')", batch, annotator_id);
}

static inline long long rfix_int(struct rfix *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends the next version of (image, annotator, stage) with labels[0..n)
 * (source 'proposal' when among the image's proposals, else 'search').
 * Returns the annotation id, or -1. */
static inline long long rfix_annotate(struct rfix *f, int image_id, int annotator_id, const char *stage,
				      const int *labels, int n, const char *comment)
{
	long long id, version;
	int i;

	/* stage is a fixed word of the tests: no quoting needed */
	version = rfix_int(f, "SELECT COALESCE(MAX(version), 0) + 1 FROM annotations"
			   " WHERE image_id = %d AND annotator_id = %d AND stage = '%s'", image_id, annotator_id, stage);
	if (version < 1 || rfix_exec(f, "BEGIN"))
		return -1;
	if (f->pg) {
		id = rfix_int(f, "INSERT INTO annotations(image_id, annotator_id, stage, version, model_id, comment,"
			      " seconds, created_at) VALUES (%d, %d, '%s', %lld, 1, '%s', 3.5, '2026-01-02T00:00:00Z')"
			      " RETURNING id", image_id, annotator_id, stage, version, comment ? comment : "");
		if (id < 0)
			return -1;
	} else {
		if (rfix_exec(f, "INSERT INTO annotations(image_id, annotator_id, stage, version, model_id, comment,"
			      " seconds, created_at) VALUES (%d, %d, '%s', %lld, 1, '%s', 3.5, '2026-01-02T00:00:00Z')",
			      image_id, annotator_id, stage, version, comment ? comment : ""))
			return -1;
		id = sqlite3_last_insert_rowid(f->db);
	}
	for (i = 0; i < n; i++)
		if (rfix_exec(f, "INSERT INTO annotation_labels(annotation_id, class_idx, source) VALUES (%lld, %d,"
			      " CASE WHEN EXISTS (SELECT 1 FROM proposals WHERE image_id = %d AND class_idx = %d)"
			      " THEN 'proposal' ELSE 'search' END)", id, labels[i], image_id, labels[i]))
			return -1;
	if (rfix_exec(f, "COMMIT"))
		return -1;
	return id;
}

/* One integer from a query (for assertions); -1 on error. */
static inline long long rfix_int(struct rfix *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline long long rfix_int(struct rfix *f, const char *fmt, ...)
{
	char sql[4096];
	sqlite3_stmt *st;
	long long v = -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (f->pg) {
		PGresult *r = PQexec(f->pg, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "fixture: %s: %s\n", sql, PQresultErrorMessage(r));
		else if (PQntuples(r) > 0 && PQftype(r, 0) == 16)   /* boolean: 1 / 0 as SQLite */
			v = *PQgetvalue(r, 0, 0) == 't';
		else if (PQntuples(r) > 0)
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		return v;
	}
	if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(f->db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static inline void rfix_close(struct rfix *f)
{
	sqlite3_close(f->db);
	f->db = NULL;
	PQfinish(f->pg);
	f->pg = NULL;
}

#endif
