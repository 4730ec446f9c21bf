/* test_vec.c - growing arrays (util/vec.h): growth policy, contents kept,
 * zero-filling, overflow refused with the block untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/vec.h"

struct pair {
	int a;
	double b;
};

static void push_keeps_contents(void **state)
{
	int *v = NULL;
	size_t n = 0, cap = 0, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(MLFY_GROW(v, cap, n + 1), 0);
		assert_true(cap >= n + 1);
		v[n++] = (int)(i * 3);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(v[i], (int)(i * 3));
	/* doubling: 16, 32, ..., 1024 */
	assert_int_equal(cap, 1024);
	free(v);
}

static void no_growth_when_room(void **state)
{
	struct pair *v = NULL;
	size_t cap = 0;
	struct pair *before;

	(void)state;
	assert_int_equal(MLFY_GROW(v, cap, 5), 0);
	assert_int_equal(cap, 16);
	before = v;
	assert_int_equal(MLFY_GROW(v, cap, 16), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(MLFY_GROW(v, cap, 100), 0);   /* a jump past double takes need */
	assert_int_equal(cap, 100);
	free(v);
}

static void zero_fill(void **state)
{
	struct pair *v = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_int_equal(MLFY_GROW_ZERO(v, cap, 3), 0);
	for (i = 0; i < cap; i++) {
		assert_int_equal(v[i].a, 0);
		v[i].a = 7;
	}
	assert_int_equal(MLFY_GROW_ZERO(v, cap, cap + 1), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(v[i].a, 7);
	for (; i < cap; i++)
		assert_int_equal(v[i].a, 0);
	free(v);
}

static void overflow_refused(void **state)
{
	double *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(MLFY_GROW(v, cap, 4), 0);
	v[0] = 1.5;
	assert_int_equal(MLFY_GROW(v, cap, SIZE_MAX / 4), MLFY_ENOMEM);
	assert_int_equal(cap, 16);       /* unchanged */
	assert_true(v[0] == 1.5);        /* block untouched, still ours */
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(push_keeps_contents),
		cmocka_unit_test(no_growth_when_room),
		cmocka_unit_test(zero_fill),
		cmocka_unit_test(overflow_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
