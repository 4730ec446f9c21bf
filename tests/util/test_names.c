/* test_names.c - image-name resolution (src/util/names.c): exact name,
 * absolute path, unique file name (of a bare key or of a key with another
 * folder), ambiguity at each rule, and the order of the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/names.h"

static void rules_in_order(void **state)
{
	char *names[] = { "n01/x.jpg", "n02/y.jpg", "n03/y.jpg", "z.jpg", "n04/z.jpg", "q.jpg" };
	char *paths[] = { "/data/n01/x.jpg", "/data/n02/y.jpg", "", NULL, "/data/n04/z.jpg", "/data/n01/x.jpg" };
	struct mlfy_names *ix;
	struct mlfy_err err;

	(void)state;
	assert_int_equal(mlfy_names_new(names, paths, 6, &ix, &err), 0);
	/* 1. exact name, before anything else ("z.jpg" is also n04/z.jpg's file name) */
	assert_int_equal(mlfy_names_find(ix, "n02/y.jpg"), 1);
	assert_int_equal(mlfy_names_find(ix, "z.jpg"), 3);
	/* 2. absolute path */
	assert_int_equal(mlfy_names_find(ix, "/data/n04/z.jpg"), 4);
	/* ... given twice: ambiguous, no fall-through to the file name */
	assert_int_equal(mlfy_names_find(ix, "/data/n01/x.jpg"), MLFY_NAME_AMBIGUOUS);
	/* 3. the file name, bare or under another folder */
	assert_int_equal(mlfy_names_find(ix, "x.jpg"), 0);
	assert_int_equal(mlfy_names_find(ix, "val/x.jpg"), 0);
	assert_int_equal(mlfy_names_find(ix, "/elsewhere/q.jpg"), 5);
	/* ... of two images: ambiguous */
	assert_int_equal(mlfy_names_find(ix, "y.jpg"), MLFY_NAME_AMBIGUOUS);
	assert_int_equal(mlfy_names_find(ix, "other/y.jpg"), MLFY_NAME_AMBIGUOUS);
	/* unknown */
	assert_int_equal(mlfy_names_find(ix, "w.jpg"), MLFY_NAME_UNKNOWN);
	assert_int_equal(mlfy_names_find(ix, "n01/"), MLFY_NAME_UNKNOWN);
	assert_int_equal(mlfy_names_find(ix, ""), MLFY_NAME_UNKNOWN);
	mlfy_names_free(ix);
}

static void names_only_and_empty(void **state)
{
	char *names[] = { "b", "a", "a" };
	struct mlfy_names *ix;
	struct mlfy_err err;

	(void)state;
	assert_int_equal(mlfy_names_new(names, NULL, 3, &ix, &err), 0);
	assert_int_equal(mlfy_names_find(ix, "b"), 0);
	assert_int_equal(mlfy_names_find(ix, "dir/b"), 0);
	assert_int_equal(mlfy_names_find(ix, "a"), MLFY_NAME_AMBIGUOUS);   /* a name given twice */
	mlfy_names_free(ix);
	assert_int_equal(mlfy_names_new(NULL, NULL, 0, &ix, &err), 0);
	assert_int_equal(mlfy_names_find(ix, "a"), MLFY_NAME_UNKNOWN);
	mlfy_names_free(ix);
	mlfy_names_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rules_in_order),
		cmocka_unit_test(names_only_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
