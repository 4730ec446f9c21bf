/* test_store.c - the store core: create/open, migrations, transactions,
 * meta, append-only annotations, newer-schema refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "testutil.h"

static void create_then_reopen(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	char *v = NULL;

	(void)state;
	test_project(path, sizeof(path), "proj.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	assert_int_equal(mlfy_store_schema_version(s), MLFY_SCHEMA_VERSION);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "name", "demo", &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	mlfy_store_close(s);

	/* creating again refuses to clobber */
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), MLFY_ECONFLICT);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(mlfy_store_meta_get(s, "name", &v, &err), 0);
	assert_string_equal(v, "demo");
	free(v);
	assert_int_equal(mlfy_store_meta_get(s, "nope", &v, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_store_integrity_check(s, &err), 0);
	mlfy_store_close(s);
}

static void rollback_discards(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	char *v = NULL;

	(void)state;
	test_project(path, sizeof(path), "proj.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	/* a write outside a transaction is refused */
	assert_int_equal(mlfy_store_meta_set(s, "k", "v", &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), MLFY_EINVAL); /* nested */
	assert_int_equal(mlfy_store_meta_set(s, "k", "v", &err), 0);
	mlfy_store_rollback(s);
	assert_int_equal(mlfy_store_meta_get(s, "k", &v, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

static void missing_and_foreign_files(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	FILE *f;

	(void)state;
	if (test_pg()) {
		/* an empty database: no project yet */
		test_project(path, sizeof(path), "missing");
		assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_ENOTFOUND);
		assert_non_null(strstr(err.msg, "holds no mlfy project: create one with mlfy init"));
		assert_null(s);
		/* another program's tables: not a project, and not overwritten */
		assert_int_equal(test_sql(path, "CREATE TABLE other(x integer)", NULL, 0), 0);
		assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "not an mlfy project"));
		assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), MLFY_ECONFLICT);
		assert_null(s);
		/* no such database */
		snprintf(path, sizeof(path), "postgresql:///no_such_db_%ld?host=%s&user=postgres", (long)getpid(),
			 test_pg());
		assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_ENOTFOUND);
		assert_non_null(strstr(err.msg, "no such database"));
		return;
	}
	test_tmpfile(path, sizeof(path), "missing.mlfy");
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "missing.mlfy"));

	test_tmpfile(path, sizeof(path), "text.mlfy");
	f = fopen(path, "w");
	fputs("this is not a database, just some text long enough to be read as a header..........\n", f);
	fclose(f);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "not an mlfy project"));
	assert_null(s);
}

static void newer_schema_refused(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	(void)state;
	test_project(path, sizeof(path), "proj.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	mlfy_store_close(s);
	assert_int_equal(test_sql(path, test_pg() ? "UPDATE mlfy_schema SET version = 99" : "PRAGMA user_version = 99",
				  NULL, 0), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), MLFY_ESCHEMA);
	assert_non_null(strstr(err.msg, "newer"));
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_READONLY, &s, &err), MLFY_ESCHEMA);
}

static void annotations_are_append_only(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	char msg[512];

	(void)state;
	test_project(path, sizeof(path), "proj.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	mlfy_store_close(s);
	assert_int_equal(test_sql(path,
		"INSERT INTO classes(idx, ext_id, name) VALUES (0, 'n0', 'zero');"
		"INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at)"
		" VALUES (1, 'a.jpg', '/x/a.jpg', 0, 1, 'h', 10, 10, 5, 'now');"
		"INSERT INTO annotators(id, name, role, created_at) VALUES (1, 'ann', 'annotator', 'now');"
		"INSERT INTO annotations(id, image_id, annotator_id, stage, version, created_at)"
		" VALUES (1, 1, 1, 'annotate', 1, 'now');",
		msg, sizeof(msg)), 0);
	assert_int_not_equal(test_sql(path, "UPDATE annotations SET comment = 'x'", msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_not_equal(test_sql(path, "DELETE FROM annotations", msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM annotations", -1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_then_reopen),
		cmocka_unit_test(rollback_discards),
		cmocka_unit_test(missing_and_foreign_files),
		cmocka_unit_test(newer_schema_refused),
		cmocka_unit_test(annotations_are_append_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
