/* test_read_snapshot.c - the store's read snapshots (store.h:
 * mlfy_store_begin_read / mlfy_store_end_read): reads inside one see the
 * project as it was when it began while another connection commits, on a
 * read-write and on a read-only handle; what may not happen inside one
 * (nesting, a write transaction, a write) is refused with MLFY_EINVAL and
 * leaves the snapshot usable; ending it shows the new state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"

static void set_name(struct mlfy_store *s, const char *v)
{
	struct mlfy_err err;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "name", v, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

static void name_is(struct mlfy_store *s, const char *want)
{
	struct mlfy_err err;
	char *v = NULL;
	assert_int_equal(mlfy_store_meta_get(s, "name", &v, &err), 0);
	assert_string_equal(v, want);
	free(v);
}

/* A snapshot on reader (flags: how it is opened) keeps "before" while the
 * writer commits "after"; the writer is never blocked by it. */
static void snapshot_on(int flags)
{
	char path[4096];
	struct mlfy_store *writer = NULL, *reader = NULL;
	struct mlfy_err err;

	test_project(path, sizeof(path), "snap.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &writer, &err), 0);
	set_name(writer, "before");
	assert_int_equal(mlfy_store_open(path, flags, &reader, &err), 0);

	assert_int_equal(mlfy_store_begin_read(reader, &err), 0);
	/* taken at begin_read, not at the first read after it */
	set_name(writer, "after");
	name_is(reader, "before");
	set_name(writer, "later");
	name_is(reader, "before");
	assert_int_equal(mlfy_store_in_transaction(reader), 0);
	mlfy_store_end_read(reader);
	name_is(reader, "later");
	/* a second snapshot after the first */
	assert_int_equal(mlfy_store_begin_read(reader, &err), 0);
	name_is(reader, "later");
	mlfy_store_end_read(reader);
	mlfy_store_end_read(reader);   /* without one: nothing */
	mlfy_store_end_read(NULL);
	mlfy_store_close(reader);
	mlfy_store_close(writer);
}

static void snapshot_read_write_handle(void **state)
{
	(void)state;
	snapshot_on(0);
}

static void snapshot_read_only_handle(void **state)
{
	(void)state;
	snapshot_on(MLFY_STORE_READONLY);
}

static void refusals_inside(void **state)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	(void)state;
	test_project(path, sizeof(path), "refuse.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	set_name(s, "x");
	assert_int_equal(mlfy_store_begin_read(s, &err), 0);
	assert_int_equal(mlfy_store_begin_read(s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "nested read snapshot"));
	assert_int_equal(mlfy_store_begin(s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "inside a read snapshot"));
	assert_int_equal(mlfy_store_meta_set(s, "name", "y", &err), MLFY_EINVAL);
	/* still a usable snapshot */
	name_is(s, "x");
	mlfy_store_end_read(s);
	/* and a write transaction works again afterwards */
	set_name(s, "y");
	name_is(s, "y");
	/* no snapshot inside a write transaction */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_begin_read(s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "inside a write transaction"));
	mlfy_store_rollback(s);
	/* closing with a snapshot open is fine */
	assert_int_equal(mlfy_store_begin_read(s, &err), 0);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(snapshot_read_write_handle),
		cmocka_unit_test(snapshot_read_only_handle),
		cmocka_unit_test(refusals_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
