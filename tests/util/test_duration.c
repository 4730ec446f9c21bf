/* test_duration.c - durations (util/duration.h): each unit and a bare
 * number, the 365-day limit exactly, and the refused forms (zero, sign,
 * space, fraction, unknown or repeated unit, empty, NULL, overflow), each
 * with a message quoting the text and *seconds unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/duration.h"

static int64_t parse_ok(const char *s)
{
	struct mlfy_err err;
	int64_t v = -1;
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_duration_parse(s, &v, &err), 0);
	return v;
}

static void units(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("90s"), 90);
	assert_int_equal(parse_ok("90"), 90);
	assert_int_equal(parse_ok("1"), 1);
	assert_int_equal(parse_ok("15m"), 15 * 60);
	assert_int_equal(parse_ok("12h"), 12 * 3600);
	assert_int_equal(parse_ok("7d"), 7 * 86400);
	assert_int_equal(parse_ok("007d"), 7 * 86400);
	assert_int_equal(parse_ok("365d"), 365LL * 86400);
	assert_int_equal(parse_ok("8760h"), 365LL * 86400);
	assert_int_equal(parse_ok("31536000"), 365LL * 86400);
}

static void refused(void **state)
{
	static const struct { const char *s, *why; } cases[] = {
		{ "0", "longer than 0" }, { "0d", "longer than 0" },
		{ "366d", "at most 365 days" }, { "8761h", "at most 365 days" },
		{ "31536001", "at most 365 days" }, { "31536001s", "at most 365 days" },
		{ "99999999999999999999999999d", "at most 365 days" },
		{ "-5m", "expected" }, { "+5m", "expected" }, { " 5m", "expected" }, { "5m ", "expected" },
		{ "5 m", "expected" }, { "1.5h", "expected" }, { "5w", "expected" }, { "5mm", "expected" },
		{ "5M", "expected" }, { "h", "expected" }, { "", "expected" }, { "5d3h", "expected" },
	};
	struct mlfy_err err;
	char quoted[128];
	size_t i;
	int64_t v;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 42;
		mlfy_err_clear(&err);
		assert_int_equal(mlfy_duration_parse(cases[i].s, &v, &err), MLFY_EINVAL);
		assert_int_equal(err.code, MLFY_EINVAL);
		assert_int_equal(v, 42);
		snprintf(quoted, sizeof(quoted), "duration '%s'", cases[i].s);
		if (!strstr(err.msg, quoted) || !strstr(err.msg, cases[i].why))
			fail_msg("'%s': message '%s'", cases[i].s, err.msg);
	}
	v = 42;
	assert_int_equal(mlfy_duration_parse(NULL, &v, &err), MLFY_EINVAL);
	assert_int_equal(v, 42);
	assert_non_null(strstr(err.msg, "duration ''"));
}

static void long_text_is_cut(void **state)
{
	char s[300];
	struct mlfy_err err;
	int64_t v = 0;

	(void)state;
	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(mlfy_duration_parse(s, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "xxx...'"));
	assert_true(strlen(err.msg) < 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units),
		cmocka_unit_test(refused),
		cmocka_unit_test(long_text_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
