/* test_names.c - vocabulary lookups (util/vocab.h): found, absent, NULL
 * entries and arguments, out-of-range indices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/vocab.h"

static const char *const words[] = { NULL, "agreed", "refined", "imported" };

static void index_of_names(void **state)
{
	(void)state;
	assert_int_equal(mlfy_name_index(words, 4, "agreed"), 1);
	assert_int_equal(mlfy_name_index(words, 4, "imported"), 3);
	assert_int_equal(mlfy_name_index(words, 3, "imported"), -1);   /* outside n */
	assert_int_equal(mlfy_name_index(words, 4, "Agreed"), -1);     /* case-sensitive */
	assert_int_equal(mlfy_name_index(words, 4, ""), -1);
	assert_int_equal(mlfy_name_index(words, 4, NULL), -1);         /* never the NULL entry */
}

static void name_of_index(void **state)
{
	(void)state;
	assert_string_equal(mlfy_name_of(words, 4, 2, "?"), "refined");
	assert_string_equal(mlfy_name_of(words, 4, 0, "?"), "?");      /* NULL entry */
	assert_string_equal(mlfy_name_of(words, 4, 4, "?"), "?");
	assert_string_equal(mlfy_name_of(words, 4, -1, "?"), "?");
	assert_null(mlfy_name_of(words, 4, 9, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_of_names),
		cmocka_unit_test(name_of_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
