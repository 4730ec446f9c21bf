/* testutil.h - helpers for the cmocka unit tests (header-only). */
#ifndef MLFY_TESTUTIL_H
#define MLFY_TESTUTIL_H

#include <ctype.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh per-process temporary directory (created on first use, removed by
 * nobody: it lives under $TMPDIR and is small). */
static inline const char *test_tmpdir(void)
{
	static char dir[4096];
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/mlfy-test-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return dir;
}

/* Fills buf with a fresh path (dir/NNN-name) that does not exist yet. */
static inline void test_tmpfile(char *buf, size_t n, const char *name)
{
	static int seq;
	snprintf(buf, n, "%s/%03d-%s", test_tmpdir(), seq++, name);
	unlink(buf);
}

static inline void test_quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The socket folder of the test PostgreSQL cluster (MLFY_TEST_PG, set by
 * CTest for the tests labelled pg: scripts/pg-test-cluster), or NULL when
 * the tests run on SQLite. */
static inline const char *test_pg(void)
{
	const char *d = getenv("MLFY_TEST_PG");
	return d && *d ? d : NULL;
}

/* Skips the calling cmocka test (returns from it) under PostgreSQL, saying
 * why: for what only a SQLite file has (its header, a moved file, WAL). */
#define TEST_SQLITE_ONLY(why)                                                      \
	do {                                                                       \
		if (test_pg()) {                                                   \
			fprintf(stderr, "skipped under PostgreSQL: %s\n", (why)); \
			skip();                                                    \
		}                                                                  \
	} while (0)

/* Skips the calling cmocka test on SQLite: for what only the PostgreSQL
 * engine has (a server connection, its locks and catalogues). */
#define TEST_PG_ONLY(what)                                                             \
	do {                                                                           \
		if (!test_pg()) {                                                      \
			fprintf(stderr, "skipped without PostgreSQL: %s\n", (what)); \
			skip();                                                        \
		}                                                                      \
	} while (0)

/* A fresh project target named after name, that does not exist yet: a file
 * path under test_tmpdir(), or under PostgreSQL (test_pg()) the URI of a
 * new empty database "<name>_<pid>_<seq>" created through the cluster's
 * postgres database (any leftover of that name dropped first).  Exits the
 * test program when the database cannot be made. */
static inline void test_project(char *buf, size_t n, const char *name)
{
	static int seq;
	const char *pg = test_pg();
	char db[64], sql[160], conninfo[4200];
	PGconn *c;
	PGresult *r;
	size_t i, k = 0;

	if (!pg) {
		test_tmpfile(buf, n, name);
		return;
	}
	for (i = 0; name[i] && k < 40; i++)
		db[k++] = isalnum((unsigned char)name[i]) ? (char)tolower((unsigned char)name[i]) : '_';
	snprintf(db + k, sizeof(db) - k, "_%ld_%d", (long)getpid(), seq++);
	snprintf(conninfo, sizeof(conninfo), "postgresql:///postgres?host=%s&user=postgres", pg);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test_project: %s: %s", conninfo, PQerrorMessage(c));
		exit(1);
	}
	PQsetNoticeProcessor(c, test_quiet_notice, NULL);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "test_project: %s: %s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
	PQfinish(c);
	snprintf(buf, n, "postgresql:///%s?host=%s&user=postgres", db, pg);
}

/* Runs sql (no parameters, several statements allowed) on the project at
 * target (a file or a PostgreSQL URI, as test_project gives) on a
 * connection of its own, as another program would (to corrupt or probe a
 * project behind the library's back): 0 when it succeeded, else -1 with
 * the engine's message in msg (may be NULL).  SQLite runs it with
 * foreign_keys=ON, as the library does. */
static inline int test_sql(const char *target, const char *sql, char *msg, size_t n)
{
	int ok;
	if (!strncmp(target, "postgresql://", 13)) {
		PGconn *c = PQconnectdb(target);
		PGresult *r;
		if (PQstatus(c) != CONNECTION_OK) {
			if (msg)
				snprintf(msg, n, "%s", PQerrorMessage(c));
			PQfinish(c);
			return -1;
		}
		PQsetNoticeProcessor(c, test_quiet_notice, NULL);
		r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok && msg)
			snprintf(msg, n, "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		char *m = NULL;
		ok = sqlite3_open_v2(target, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		     sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) == SQLITE_OK &&
		     sqlite3_exec(db, sql, NULL, NULL, &m) == SQLITE_OK;
		if (!ok && msg)
			snprintf(msg, n, "%s", m ? m : sqlite3_errmsg(db));
		sqlite3_free(m);
		sqlite3_close(db);
	}
	return ok ? 0 : -1;
}

/* The integer in the first column of the first row of sql on target (a
 * second connection, as test_sql), or def when there is no row or it fails. */
static inline long long test_sql_int(const char *target, const char *sql, long long def)
{
	long long v = def;
	if (!strncmp(target, "postgresql://", 13)) {
		PGconn *c = PQconnectdb(target);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = PQftype(r, 0) == 16 ? *PQgetvalue(r, 0, 0) == 't'   /* boolean: 1 / 0 as SQLite */
						: strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_open_v2(target, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

/* Path of a file under the shared data dir, or NULL when $MLFY_SHARED or the
 * file is absent (the caller then skips with a message). */
static inline const char *test_shared(char *buf, size_t n, const char *rel)
{
	const char *root = getenv("MLFY_SHARED");
	struct stat st;
	if (!root || !*root)
		root = "../shared";
	snprintf(buf, n, "%s/%s", root, rel);
	if (stat(buf, &st) != 0) {
		fprintf(stderr, "skipping: shared data %s not found\n", buf);
		return NULL;
	}
	return buf;
}

#endif
