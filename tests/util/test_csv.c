/* test_csv.c - RFC 4180 record reader and number parser (src/util/csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/csv.h"
#include "testutil.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_quoted_fields_crlf_bom(void **state)
{
	char path[4096], **f;
	size_t n;
	struct mlfy_csv *c;
	struct mlfy_err err;
	(void)state;
	test_tmpfile(path, sizeof(path), "q.csv");
	write_file(path, "\xEF\xBB\xBFmodel,param_count,note\r\n"
			 "eva,\"1,013.01\",\"say \"\"hi\"\"\"\r\n"
			 "\r\n"
			 "b,2.5,\"two\nlines\"\n"
			 "c,,last");
	assert_int_equal(mlfy_csv_open(path, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(n, 3);
	assert_string_equal(f[0], "model");
	assert_int_equal(mlfy_csv_find(f, n, "note"), 2);
	assert_int_equal(mlfy_csv_find(f, n, "top1"), -1);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[1], "1,013.01");
	assert_string_equal(f[2], "say \"hi\"");
	assert_int_equal(mlfy_csv_line(c), 2);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);   /* the blank line is skipped */
	assert_string_equal(f[0], "b");
	assert_string_equal(f[2], "two\nlines");
	assert_int_equal(mlfy_csv_line(c), 4);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(n, 3);
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "last");
	assert_int_equal(mlfy_csv_line(c), 6);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 0);
	mlfy_csv_close(c);
}

static void test_malformed(void **state)
{
	char path[4096], **f;
	size_t n;
	struct mlfy_csv *c;
	struct mlfy_err err;
	(void)state;
	test_tmpfile(path, sizeof(path), "bad.csv");
	write_file(path, "a,b\nx,\"open\n");
	assert_int_equal(mlfy_csv_open(path, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, ":2: unterminated"));
	mlfy_csv_close(c);

	write_file(path, "a,b\nx,ab\"c\n");
	assert_int_equal(mlfy_csv_open(path, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, ":2: field 2: stray"));
	mlfy_csv_close(c);

	write_file(path, "\"a\"b\n");
	assert_int_equal(mlfy_csv_open(path, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "after a closing quote"));
	mlfy_csv_close(c);

	assert_int_equal(mlfy_csv_open("/nonexistent/x.csv", &c, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x.csv"));
}

static void test_parse_number(void **state)
{
	double v;
	(void)state;
	assert_int_equal(mlfy_parse_number("1,013.01", &v), 0);
	assert_true(v == 1013.01);
	assert_int_equal(mlfy_parse_number("+1.088", &v), 0);
	assert_true(v == 1.088);
	assert_int_equal(mlfy_parse_number(" -0.329 ", &v), 0);
	assert_true(v == -0.329);
	assert_int_equal(mlfy_parse_number("1,234,567", &v), 0);
	assert_true(v == 1234567);
	assert_int_equal(mlfy_parse_number("2.5e-3", &v), 0);
	assert_true(v == 2.5e-3);
	assert_int_equal(mlfy_parse_number("1,01", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("1234,567", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number(",123", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("1.5,000", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("abc", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("12x", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("nan", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("1e999", &v), MLFY_EINVAL);
	assert_int_equal(mlfy_parse_number("1 2", &v), MLFY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_fields_crlf_bom),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
