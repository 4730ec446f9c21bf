/* test_migrate.c - `mlfy migrate` in the store (src/store/migrate.c): the
 * table list against the live schema of the engine (a table or column
 * added without being listed fails here); a project holding rows in every
 * table copied file -> DST -> file (DST a PostgreSQL database under
 * MLFY_TEST_PG, else a file) identical by the checksums, with the
 * trigger-filled final_changes, invites' rowid and the next ids right; the
 * checksum sees one changed row, NULL against '', and one ULP of a REAL;
 * a non-empty destination, a missing source and an older schema refused
 * with nothing written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"
#include "store/store.h"
#include "testutil.h"

/* Column 0 of the first row of sql on target as text into out ("" for no
 * row or NULL): 0, or -1 on error (message printed). */
static int query_text(const char *target, const char *sql, char *out, size_t n)
{
	int ok = 0;
	out[0] = '\0';
	if (!strncmp(target, "postgresql://", 13)) {
		PGconn *c = PQconnectdb(target);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
		ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
		if (ok && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
		if (!ok)
			fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		ok = sqlite3_open_v2(target, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		     sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
		if (ok) {
			int rc = sqlite3_step(st);
			ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
			if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
				snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
		}
		if (!ok)
			fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return ok ? 0 : -1;
}

static long long query_i64(const char *target, const char *sql)
{
	char v[64];
	assert_int_equal(query_text(target, sql, v, sizeof(v)), 0);
	return strtoll(v, NULL, 10);
}

/* A new empty project (an mlfy_store_open CREATE) at a fresh target. */
static void new_project(char *buf, size_t n, const char *name, int file)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	if (file)
		test_tmpfile(buf, n, name);
	else
		test_project(buf, n, name);
	if (mlfy_store_open(buf, MLFY_STORE_CREATE, &s, &err))
		fail_msg("%s", err.msg);
	mlfy_store_close(s);
}

/* ---- the list against the live schema ------------------------------------------------------- */

static void tables_cover_schema(void **state)
{
	char p[4096], sql[1024], live[4096], want[1024];
	const struct mlfy_migrate_table *t;
	size_t n, i, nlisted = 0;
	int pg = test_pg() != NULL;
	(void)state;

	new_project(p, sizeof(p), "cover.mlfy", 0);
	t = mlfy_migrate_tables(&n);
	/* every live table is listed: the live names, comma-joined and sorted,
	 * against the list's */
	assert_int_equal(query_text(p,
				    pg ? "SELECT string_agg(table_name::text, ',' ORDER BY table_name::text COLLATE \"C\") "
					 "FROM information_schema.tables WHERE table_schema = current_schema() "
					 "AND table_type = 'BASE TABLE' AND table_name <> 'mlfy_schema'"
				       : "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
					 "WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)",
				    live, sizeof(live)),
			 0);
	{
		/* the list's names sorted (byte order) */
		const char *names[MLFY_MIGRATE_MAX_TABLES];
		char *q = want;
		size_t a, b;
		for (i = 0; i < n; i++)
			names[i] = t[i].name;
		for (a = 0; a < n; a++)
			for (b = a + 1; b < n; b++)
				if (strcmp(names[b], names[a]) < 0) {
					const char *x = names[a];
					names[a] = names[b];
					names[b] = x;
				}
		want[0] = '\0';
		for (i = 0; i < n; i++)
			q += snprintf(q, sizeof(want) - (size_t)(q - want), "%s%s", i ? "," : "", names[i]);
	}
	if (strcmp(live, want))
		fail_msg("the schema's tables differ from migrate.c's list:\n  live: %s\n  list: %s\n"
			 "(add the new table to tables[] in src/store/migrate.c, in foreign-key order)", live, want);
	/* every table's columns, in order, and one type letter each */
	for (i = 0; i < n; i++) {
		char cols[1024];
		const char *c;
		size_t ncols = 1;
		snprintf(cols, sizeof(cols), "%s", t[i].columns);
		if (!pg && !strcmp(t[i].name, "invites")) {   /* SQLite's rowid is implicit */
			char *r = strstr(cols, ", rowid");
			assert_non_null(r);
			*r = '\0';
		}
		if (pg)
			snprintf(sql, sizeof(sql),
				 "SELECT string_agg(column_name::text, ', ' ORDER BY ordinal_position) FROM "
				 "information_schema.columns WHERE table_schema = current_schema() AND table_name = '%s'",
				 t[i].name);
		else
			snprintf(sql, sizeof(sql), "SELECT group_concat(name, ', ') FROM (SELECT name FROM "
				 "pragma_table_info('%s') ORDER BY cid)", t[i].name);
		assert_int_equal(query_text(p, sql, live, sizeof(live)), 0);
		if (strcmp(live, cols))
			fail_msg("table %s: live columns \"%s\", listed \"%s\"", t[i].name, live, cols);
		for (c = t[i].columns; *c; c++)
			ncols += *c == ',';
		assert_int_equal(strlen(t[i].types), ncols);
		assert_int_equal(strspn(t[i].types, "irt"), ncols);
		nlisted++;
	}
	assert_int_equal(nlisted, n);
}

/* ---- a project with rows in every table ------------------------------------------------------ */

static const char fill_sql[] =
	"INSERT INTO meta(key, value) VALUES ('name', 't'), ('empty', '');"
	"INSERT INTO classes(idx, ext_id, name, synonyms, gloss) VALUES (0, 'n0', 'zero', '', ''),"
	" (1, 'n1', 'one', 'uno, eins', 'a gloss'), (2, 'n2', 'two', '', '');"
	"INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at) VALUES"
	" (1, 'a.jpg', '/x/a.jpg', 0, 1, 'aa', 10, 10, 100, 't'), (2, 'b.jpg', '/x/b.jpg', NULL, 1, 'bb', 10, 10, 0, 't'),"
	" (5, 'c.jpg', '/x/c.jpg', 2, 2, 'cc', 10, 10, 9000000000, 't');"
	"INSERT INTO exemplars(class_idx, rank, path, sha256, width, height) VALUES (0, 0, '/e/0', 'ee', 5, 5);"
	"INSERT INTO models(id, name, source, kind, top1, real_accuracy, created_at) VALUES"
	" (3, 'm', 'src', 'onnx', 81.25, NULL, 't');"
	"INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES (1, 3, 0, 0, 0.1),"
	" (1, 3, 1, 2, 0.30000000000000004), (2, 3, 0, 1, 1e-300);"
	"INSERT INTO annotators(id, name, role, pw_hash, disabled, created_at) VALUES"
	" (1, 'ann', 'annotator', NULL, 0, 't'), (2, 'exp', 'expert', '$argon2id$x', 1, 't');"
	"INSERT INTO assignments(batch, annotator_id, assigned_at) VALUES (1, 1, 't');"
	"INSERT INTO annotations(id, image_id, annotator_id, stage, version, model_id, comment, seconds, created_at)"
	" VALUES (7, 1, 1, 'annotate', 1, 3, '', 2.5, 't'), (9, 1, 2, 'refine', 1, NULL, 'a ''quoted'' one', 0, 't');"
	"INSERT INTO annotation_labels(annotation_id, class_idx, source) VALUES (7, 0, 'proposal'), (7, 2, 'search');"
	"INSERT INTO refinement_queue(image_id, rule, reason, expert_id, queued_at, assigned_at) VALUES"
	" (1, 'r', 'why', 2, 't', NULL), (2, 'r', '', NULL, 't', '');"
	"INSERT INTO final_status(image_id, stage, annotation_id, decided_at) VALUES (1, 'refined', 9, 't'),"
	" (2, 'agreed', NULL, 't'), (5, 'imported', NULL, 't');"
	"INSERT INTO final_labels(image_id, class_idx) VALUES (1, 0), (1, 2);"
	/* final_changes (triggers): image 2 deleted (seq 4), image 5 changed (seq 5) */
	"DELETE FROM final_status WHERE image_id = 2;"
	"UPDATE final_status SET stage = 'aggregated' WHERE image_id = 5;"
	"INSERT INTO zero_label_reviews(id, image_id, expert_id, category, verdict, comment, created_at) VALUES"
	" (4, 5, 2, 'low_resolution', 'agree', '', 't');"
	"INSERT INTO questions(id, image_name, class_idx) VALUES (11, 'a.jpg', 0), (12, 'a.jpg', 1);"
	"INSERT INTO votes(question_id, rater, source, answer) VALUES (11, 'r1', 'real', 2), (12, 'r1', 'real', 0);"
	"INSERT INTO sessions(token_hash, annotator_id, csrf, created_at, last_seen) VALUES"
	" ('th', 1, 'c', 1700000000, 1700000001);"
	"INSERT INTO aggregations(question_id, method, posterior, label, threshold, computed_at) VALUES"
	" (11, 'dawid-skene', 0.75, 1, 0.5, 't');"
	"INSERT INTO decision_basis(image_id, annotation_id) VALUES (1, 9);"
	"INSERT INTO reopenings(id, image_id, reopened_by, reason, reopened_at, stage, labels, annotation_id,"
	" decided_at, queue_reason, basis) VALUES (3, 2, 'me', '', 't', 'agreed', '0 2', NULL, 't', NULL, '7');"
	"INSERT INTO gold_images(image_id, source, annotation_id, added_at) VALUES (5, 'gold.csv', NULL, 't');"
	"INSERT INTO gold_labels(image_id, class_idx) VALUES (5, 1);"
	"INSERT INTO gold_tasks(annotator_id, image_id, position, seq, assigned_at) VALUES (1, 5, 0, 0, 't');"
	"INSERT INTO annotation_flags(annotation_id, kind, code) VALUES (7, 'unsure', 'hard');"
	"INSERT INTO refinement_arms(image_id, arm, planted_class, seed, assigned_at) VALUES (1, 'blind', NULL, 42, 't');"
	/* inserted out of key order: rowid keeps the insertion order */
	"INSERT INTO invites(token_hash, annotator_id, created_by, created_at, expires_at, used_at, revoked_at) VALUES"
	" ('i2', 2, 'admin', 10, 20, NULL, NULL);"
	"INSERT INTO invites(token_hash, annotator_id, created_by, created_at, expires_at, used_at, revoked_at) VALUES"
	" ('i1', 2, 'admin', 10, 20, 15, NULL);"
	"INSERT INTO login_throttle(key, fails, until_at, last_at) VALUES ('k', 3, 0, 99);"
	"INSERT INTO audit_log(id, at, actor, via, action, params, result, ok) VALUES"
	" (1, 't', 'shell:root', 'cli', 'assign', '{}', '', 1);"
	"INSERT INTO verify_questions(question_id, origin, created_at) VALUES (11, 'original', 't');"
	"INSERT INTO verify_assignments(question_id, annotator_id, assigned_at) VALUES (11, 1, 't');"
	"INSERT INTO verify_pages(id, annotator_id, class_idx, client_page_id, seconds, created_at) VALUES"
	" (6, 1, 0, 'p1', 1.5, 't');"
	"INSERT INTO verify_answers(id, page_id, question_id, annotator_id, answer, bulk, seconds, version, created_at)"
	" VALUES (8, 6, 11, 1, 2, 0, 0.25, 1, 't');";

/* A SQLite project file with rows in every table (fill_sql). */
static void filled_file(char *buf, size_t n, const char *name)
{
	char msg[512];
	size_t nt, i;
	const struct mlfy_migrate_table *t = mlfy_migrate_tables(&nt);

	new_project(buf, n, name, 1);
	if (test_sql(buf, fill_sql, msg, sizeof(msg)))
		fail_msg("fill: %s", msg);
	for (i = 0; i < nt; i++) {   /* the fixture really fills every listed table */
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t[i].name);
		if (query_i64(buf, sql) < 1)
			fail_msg("the test's fixture leaves table %s empty: add a row to fill_sql", t[i].name);
	}
}

static void check_report(const struct mlfy_migrate_report *r)
{
	size_t nt, i;
	mlfy_migrate_tables(&nt);
	assert_int_equal(r->n, nt);
	assert_int_equal(r->first_bad, -1);
	for (i = 0; i < r->n; i++) {
		assert_true(r->t[i].ok);
		assert_true(r->t[i].src_rows >= 1);
		assert_int_equal(r->t[i].src_rows, r->t[i].dst_rows);
	}
}

static void round_trip(void **state)
{
	char a[4096], mid[4096], back[4096], v[256];
	struct mlfy_migrate_report *r = calloc(1, sizeof(*r));
	struct mlfy_err err;
	(void)state;

	assert_non_null(r);
	filled_file(a, sizeof(a), "src.mlfy");
	test_project(mid, sizeof(mid), "mid.mlfy");   /* PostgreSQL under MLFY_TEST_PG */
	test_tmpfile(back, sizeof(back), "back.mlfy");
	if (mlfy_migrate(a, mid, NULL, r, &err))
		fail_msg("%s", err.msg);
	check_report(r);
	if (mlfy_migrate(mid, back, NULL, r, &err))
		fail_msg("%s", err.msg);
	check_report(r);
	if (mlfy_migrate_compare(a, back, r, &err))
		fail_msg("%s", err.msg);
	check_report(r);
	/* what the checksums cover, by hand: the trigger-made rows are SRC's */
	assert_int_equal(query_i64(mid, "SELECT count(*) FROM final_changes"), 3);
	assert_int_equal(query_i64(mid, "SELECT seq FROM final_changes WHERE image_id = 2"), 4);
	assert_int_equal(query_i64(mid, "SELECT seq FROM final_changes WHERE image_id = 5"), 5);
	assert_int_equal(query_i64(mid, "SELECT rowid FROM invites WHERE token_hash = 'i1'"), 2);
	assert_int_equal(query_text(mid, "SELECT assigned_at IS NULL FROM refinement_queue WHERE image_id = 1", v,
				    sizeof(v)), 0);
	assert_true(!strcmp(v, "1") || !strcmp(v, "t"));
	assert_int_equal(query_i64(back, "SELECT count(*) FROM proposals WHERE image_id = 1 AND rank = 1"
				       " AND score = 0.30000000000000004 AND score <> 0.3"), 1);
	/* the next ids after a copy are fresh (PostgreSQL: the sequences moved) */
	assert_int_equal(test_sql(mid, "INSERT INTO images(name, path, batch, sha256, width, height, bytes, added_at)"
				  " VALUES ('new.jpg', '/x/n', 1, 'nn', 1, 1, 1, 't');"
				  "INSERT INTO annotations(image_id, annotator_id, stage, version, created_at)"
				  " VALUES (5, 1, 'annotate', 1, 't');"
				  "INSERT INTO invites(token_hash, annotator_id, created_by, created_at, expires_at)"
				  " VALUES ('i3', 1, 'admin', 30, 40);", v, sizeof(v)),
			 0);
	assert_int_equal(query_i64(mid, "SELECT id FROM images WHERE name = 'new.jpg'"), 6);
	assert_int_equal(query_i64(mid, "SELECT max(id) FROM annotations"), 10);
	assert_int_equal(query_i64(mid, "SELECT rowid FROM invites WHERE token_hash = 'i3'"), 3);
	/* the copies are projects of this schema that pass the engine's check */
	{
		struct mlfy_store *s = NULL;
		if (mlfy_store_open(mid, MLFY_STORE_READONLY, &s, &err) || mlfy_store_integrity_check(s, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(mlfy_store_schema_version(s), MLFY_SCHEMA_VERSION);
		mlfy_store_close(s);
	}
	free(r);
}

/* ---- the checksum can fail ------------------------------------------------------------------- */

/* Copies a filled project to a file, changes it with sql behind the
 * library's back, and expects compare to name table. */
static void expect_mismatch(const char *sql, const char *table)
{
	char a[4096], b[4096], msg[512];
	struct mlfy_migrate_report *r = calloc(1, sizeof(*r));
	struct mlfy_err err;

	assert_non_null(r);
	filled_file(a, sizeof(a), "cmp.mlfy");
	test_tmpfile(b, sizeof(b), "cmp-copy.mlfy");
	if (mlfy_migrate(a, b, NULL, r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(mlfy_migrate_compare(a, b, r, &err), 0);
	if (test_sql(b, sql, msg, sizeof(msg)))
		fail_msg("%s: %s", sql, msg);
	assert_int_equal(mlfy_migrate_compare(a, b, r, &err), MLFY_ESTORE);
	assert_true(r->first_bad >= 0);
	assert_string_equal(r->t[r->first_bad].table, table);
	assert_false(r->t[r->first_bad].ok);
	assert_non_null(strstr(err.msg, table));
	free(r);
}

static void one_changed_row(void **state)
{
	(void)state;
	expect_mismatch("UPDATE images SET name = 'b2.jpg' WHERE id = 2", "images");
}

static void null_against_empty(void **state)
{
	(void)state;
	expect_mismatch("UPDATE refinement_queue SET assigned_at = '' WHERE image_id = 1", "refinement_queue");
}

static void one_ulp(void **state)
{
	(void)state;
	/* 0.1 and the next double up: equal in 15 digits, not in 17 */
	expect_mismatch("UPDATE proposals SET score = 0.10000000000000002 WHERE image_id = 1 AND rank = 0", "proposals");
}

static void missing_row(void **state)
{
	(void)state;
	expect_mismatch("DELETE FROM final_changes WHERE image_id = 2", "final_changes");
}

/* ---- refusals ---------------------------------------------------------------------------------- */

static void refuses_non_empty_destination(void **state)
{
	char a[4096], d[4096], other[4096], before[64], after[64];
	struct mlfy_err err;
	(void)state;

	filled_file(a, sizeof(a), "refuse-src.mlfy");
	/* a project (PostgreSQL: a database holding one) */
	new_project(d, sizeof(d), "refuse-dst.mlfy", 0);
	assert_int_equal(test_sql(d, "INSERT INTO meta(key, value) VALUES ('mine', 'kept')", NULL, 0), 0);
	assert_int_equal(mlfy_migrate(a, d, NULL, NULL, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "migrate writes only into an empty destination"));
	assert_int_equal(query_i64(d, "SELECT count(*) FROM meta"), 1);
	assert_int_equal(query_i64(d, "SELECT count(*) FROM images"), 0);
	/* any existing file, even empty, is left alone */
	test_tmpfile(other, sizeof(other), "exists.mlfy");
	{
		FILE *f = fopen(other, "w");
		assert_non_null(f);
		fputs("not mine to replace", f);
		fclose(f);
	}
	snprintf(before, sizeof(before), "%s", "not mine to replace");
	assert_int_equal(mlfy_migrate(a, other, NULL, NULL, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, other));
	{
		FILE *f = fopen(other, "r");
		assert_non_null(f);
		assert_non_null(fgets(after, sizeof(after), f));
		fclose(f);
	}
	assert_string_equal(before, after);
}

static void refuses_bad_source(void **state)
{
	char a[4096], d[4096];
	struct mlfy_err err;
	(void)state;

	test_tmpfile(a, sizeof(a), "missing.mlfy");
	test_tmpfile(d, sizeof(d), "never.mlfy");
	assert_int_equal(mlfy_migrate(a, d, NULL, NULL, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, a));
	assert_int_equal(access(d, F_OK), -1);
	assert_int_equal(mlfy_migrate(d, d, NULL, NULL, &err), MLFY_EINVAL);
}

static void refuses_older_schema(void **state)
{
	char a[4096], d[4096], sql[64];
	struct mlfy_err err;
	(void)state;
	TEST_SQLITE_ONLY("a PostgreSQL project starts at the current version; the file's user_version is set here");

	filled_file(a, sizeof(a), "old.mlfy");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", MLFY_SCHEMA_VERSION - 1);
	assert_int_equal(test_sql(a, sql, NULL, 0), 0);
	test_tmpfile(d, sizeof(d), "old-copy.mlfy");
	assert_int_equal(mlfy_migrate(a, d, NULL, NULL, &err), MLFY_ESCHEMA);
	assert_non_null(strstr(err.msg, "mlfy upgrade"));
	assert_int_equal(access(d, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_cover_schema),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(one_changed_row),
		cmocka_unit_test(null_against_empty),
		cmocka_unit_test(one_ulp),
		cmocka_unit_test(missing_row),
		cmocka_unit_test(refuses_non_empty_destination),
		cmocka_unit_test(refuses_bad_source),
		cmocka_unit_test(refuses_older_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
