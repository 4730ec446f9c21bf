/* test_csv.c - RFC 4180 record reader and number parser (src/util/csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

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

/* The same reader over memory: not NUL-terminated, the name in messages,
 * list cells spanning lines as pandas writes them. */
static void test_memory_source(void **state)
{
	static const char text[] = "\xEF\xBB\xBF" "filename,index\r\na.jpg,\"[249 248\n 537]\"\r\nb.jpg,1XXXX";
	char **f;
	size_t n;
	struct mlfy_csv *c;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_csv_open_mem("mem.csv", text, sizeof(text) - 1 - 4, &c, &err), 0);
	assert_string_equal(mlfy_csv_path(c), "mem.csv");
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[0], "filename");
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[1], "[249 248\n 537]");
	assert_int_equal(mlfy_csv_line(c), 2);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(mlfy_csv_line(c), 4);
	assert_string_equal(f[1], "1");   /* len stops before "XXXX" */
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 0);
	mlfy_csv_close(c);
	/* text starting with 0xEF that is not a byte-order mark is text (U+FF06) */
	assert_int_equal(mlfy_csv_open_mem("ff06.csv", "\xEF\xBC\x86x,1\n", 7, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[0], "\xEF\xBC\x86x");
	mlfy_csv_close(c);
	assert_int_equal(mlfy_csv_open_mem("empty", NULL, 0, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 0);
	mlfy_csv_close(c);
}

/* After a malformed record the reader goes on with the next line, so a
 * caller can list every bad record with its line. */
static void test_resumes_after_a_bad_record(void **state)
{
	static const char text[] =
		"a,b\n"
		"x,ab\"c\n"          /* 2: stray quote */
		"\"y\"z,1\r\n"        /* 3: text after a closing quote */
		"ok,2\n"             /* 4 */
		"n\0l,3\n"           /* 5: a NUL byte */
		"\"two\nlines\"q,4\n"  /* 6-7: the error is found on line 7 */
		"ok,5\n"             /* 8 */
		"\"open,6\nz\n";     /* 9: never closed */
	char **f;
	size_t n;
	struct mlfy_csv *c;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_csv_open_mem("r.csv", text, sizeof(text) - 1, &c, &err), 0);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "r.csv:2: field 2: stray"));
	assert_int_equal(mlfy_csv_line(c), 2);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "r.csv:3: text after a closing quote in field 1"));
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[1], "2");
	assert_int_equal(mlfy_csv_line(c), 4);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "r.csv:5: a NUL byte in field 1"));
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "r.csv:7: text after a closing quote in field 1"));
	assert_int_equal(mlfy_csv_line(c), 6);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 1);
	assert_string_equal(f[1], "5");
	assert_int_equal(mlfy_csv_line(c), 8);
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "r.csv:9: unterminated quoted field"));
	assert_int_equal(mlfy_csv_next(c, &f, &n, &err), 0);
	mlfy_csv_close(c);
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
		cmocka_unit_test(test_memory_source),
		cmocka_unit_test(test_resumes_after_a_bad_record),
		cmocka_unit_test(test_parse_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
