/* test_file.c - whole-file reads (src/util/file.c): contents, length and
 * the NUL after them; an empty file; NUL bytes inside; the size cap; and
 * each refusal naming the path with its status code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/file.h"
#include "testutil.h"

static void write_bytes(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void reads_whole_files(void **state)
{
	char path[4096], *buf;
	size_t len;
	struct mlfy_err err;

	(void)state;
	test_tmpfile(path, sizeof(path), "cert.pem");
	write_bytes(path, "-----BEGIN CERTIFICATE-----\nAAAA\n", 33);
	assert_int_equal(mlfy_read_file(path, 1 << 20, &buf, &len, &err), 0);
	assert_int_equal(len, 33);
	assert_string_equal(buf, "-----BEGIN CERTIFICATE-----\nAAAA\n");   /* NUL-terminated */
	free(buf);
	/* NUL bytes are kept: the length counts them */
	write_bytes(path, "a\0b", 3);
	assert_int_equal(mlfy_read_file(path, 3, &buf, &len, &err), 0);   /* exactly the cap */
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "a\0b\0", 4);
	free(buf);
	/* empty */
	write_bytes(path, "", 0);
	assert_int_equal(mlfy_read_file(path, 0, &buf, &len, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

static void refusals_name_the_path(void **state)
{
	char path[4096], *buf = (char *)"x";
	size_t len = 7;
	struct mlfy_err err;

	(void)state;
	test_tmpfile(path, sizeof(path), "big.txt");
	write_bytes(path, "0123456789", 10);
	assert_int_equal(mlfy_read_file(path, 9, &buf, &len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "big.txt: too large (10 bytes, at most 9)"));
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(mlfy_read_file("/nonexistent/key.pem", 100, &buf, &len, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/key.pem: cannot open: "));
	assert_int_equal(mlfy_read_file(test_tmpdir(), 100, &buf, &len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, ": is a directory"));
	if (geteuid() != 0) {   /* root reads anything */
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(mlfy_read_file(path, 100, &buf, &len, &err), MLFY_EIO);
		assert_non_null(strstr(err.msg, "big.txt: cannot open: Permission denied"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_whole_files),
		cmocka_unit_test(refusals_name_the_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
