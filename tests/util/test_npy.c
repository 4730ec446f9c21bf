/* test_npy.c - the .npy reader/writer and the .npz reader: hand-made files
 * for every dtype and header version, every malformed header we know of,
 * streamed row reads, the atomic writer, hand-built zip archives (stored,
 * deflated, zip64, corrupt) and ReaL's shared vote archives.
 *
 * Reference for the byte layouts: numpy/lib/format.py ("The .npy format")
 * and PKWARE APPNOTE.TXT 6.3.x. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "util/npy.h"
#include "util/npy_write.h"
#include "util/npz.h"
#include "testutil.h"

/* ---- helpers: hand-made .npy images ----------------------------------------- */

/* Builds a .npy image: magic, version, header length, dict padded with
 * spaces + '\n' to a multiple of 64, then data.  Returns a malloc'd buffer
 * and its length in *len. */
static unsigned char *make_npy(int major, const char *dict, const void *data, size_t n, size_t *len)
{
	size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
	size_t total = pre + dl + 1, pad = (64 - total % 64) % 64, hl = dl + 1 + pad;
	unsigned char *b = malloc(pre + hl + n + 1);

	memcpy(b, "\x93NUMPY", 6);
	b[6] = (unsigned char)major;
	b[7] = 0;
	b[8] = (unsigned char)hl;
	b[9] = (unsigned char)(hl >> 8);
	if (major != 1) {
		b[10] = (unsigned char)(hl >> 16);
		b[11] = (unsigned char)(hl >> 24);
	}
	memcpy(b + pre, dict, dl);
	memset(b + pre + dl, ' ', pad);
	b[pre + dl + pad] = '\n';
	if (n)
		memcpy(b + pre + hl, data, n);
	*len = pre + hl + n;
	return b;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Writes a hand-made .npy to a fresh temp file whose path goes to path. */
static void npy_file(char *path, size_t cap, int major, const char *dict, const void *data, size_t n)
{
	size_t len;
	unsigned char *b = make_npy(major, dict, data, n, &len);
	test_tmpfile(path, cap, "a.npy");
	write_file(path, b, len);
	free(b);
}

/* Opens a hand-made file expecting failure with code and a message that
 * names the file and contains reason. */
static void expect_bad(const char *dict, const void *data, size_t n, int code, const char *reason)
{
	char path[4096];
	struct mlfy_npy *a = (struct mlfy_npy *)1;
	struct mlfy_err err;

	npy_file(path, sizeof(path), 1, dict, data, n);
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_npy_open(path, &a, &err), code);
	assert_null(a);
	if (!strstr(err.msg, path) || !strstr(err.msg, reason))
		fail_msg("dict %s: message '%s' lacks '%s'", dict, err.msg, reason);
}

/* ---- dtypes --------------------------------------------------------------------- */

static void reads_each_dtype(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	double *d;
	int64_t *iv;
	float f[8];
	size_t got;

	(void)state;
	/* <f4 */
	{
		float v[6] = { 1.5f, -2.25f, 0.0f, 3e38f, -1e-30f, 7.0f };
		npy_file(path, sizeof(path), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v,
			 sizeof(v));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(a->dtype, MLFY_NPY_F4);
		assert_int_equal(a->ndim, 2);
		assert_int_equal(a->shape[0], 2);
		assert_int_equal(a->shape[1], 3);
		assert_int_equal(a->count, 6);
		assert_int_equal(mlfy_npy_rows(a), 2);
		assert_int_equal(mlfy_npy_row_len(a), 3);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_true(d[0] == 1.5 && d[1] == -2.25 && d[3] == (double)3e38f && d[4] == (double)-1e-30f);
		free(d);
		assert_int_equal(mlfy_npy_read_rows_f32(a, f, 8, &got, &err), 0);
		assert_int_equal(got, 2);
		assert_memory_equal(f, v, sizeof(v));
		mlfy_npy_close(a);
	}
	/* <f8, 1-d */
	{
		double v[3] = { 0.1, -1e300, 42.0 };
		npy_file(path, sizeof(path), 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", v,
			 sizeof(v));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(mlfy_npy_rows(a), 3);
		assert_int_equal(mlfy_npy_row_len(a), 1);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_memory_equal(d, v, sizeof(v));
		free(d);
		/* not integral: read_int64 refuses and names the element */
		assert_int_equal(mlfy_npy_read_int64(a, &iv, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "element 0"));
		mlfy_npy_close(a);
	}
	/* <f2: values with known binary16 encodings (IEEE 754-2008 binary16):
	 * 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (max), 0x0001 = 2^-24 (min
	 * subnormal), 0x03ff = 1023 * 2^-24 (max subnormal), 0x0400 = 2^-14,
	 * 0x3555 = 0.333251953125, 0x8000 = -0, 0x7c00 = +inf, 0xfc00 = -inf,
	 * 0x7e00 = NaN */
	{
		uint16_t v[11] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x8000, 0x7c00, 0xfc00,
				   0x7e00 };
		npy_file(path, sizeof(path), 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (11,), }", v,
			 sizeof(v));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(a->dtype, MLFY_NPY_F2);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_true(d[0] == 1.0);
		assert_true(d[1] == -2.0);
		assert_true(d[2] == 65504.0);
		assert_true(d[3] == ldexp(1.0, -24));
		assert_true(d[4] == 1023.0 * ldexp(1.0, -24));
		assert_true(d[5] == ldexp(1.0, -14));
		assert_true(d[6] == 0.333251953125);
		assert_true(d[7] == 0.0 && signbit(d[7]));
		assert_true(isinf(d[8]) && d[8] > 0);
		assert_true(isinf(d[9]) && d[9] < 0);
		assert_true(isnan(d[10]));
		free(d);
		mlfy_npy_close(a);
	}
	/* <i4 and <i8 */
	{
		int32_t v4[4] = { -7, 0, 2147483647, -2147483647 - 1 };
		int64_t v8[2] = { INT64_MIN, 1234567890123LL };
		npy_file(path, sizeof(path), 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", v4,
			 sizeof(v4));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(mlfy_npy_read_int64(a, &iv, &err), 0);
		assert_true(iv[0] == -7 && iv[2] == 2147483647 && iv[3] == -2147483648LL);
		free(iv);
		mlfy_npy_close(a);
		npy_file(path, sizeof(path), 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", v8,
			 sizeof(v8));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(mlfy_npy_read_int64(a, &iv, &err), 0);
		assert_true(iv[0] == INT64_MIN && iv[1] == 1234567890123LL);
		free(iv);
		assert_int_equal(mlfy_npy_read_rows_f32(a, f, 8, &got, &err), 0);
		assert_int_equal(got, 2);
		assert_true(f[1] == (float)1234567890123LL);
		mlfy_npy_close(a);
	}
	/* |u1 and |b1 */
	{
		unsigned char u[3] = { 0, 200, 255 }, b[4] = { 1, 0, 0, 1 };
		npy_file(path, sizeof(path), 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", u,
			 sizeof(u));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_true(d[0] == 0 && d[1] == 200 && d[2] == 255);
		free(d);
		mlfy_npy_close(a);
		npy_file(path, sizeof(path), 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", b,
			 sizeof(b));
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(a->dtype, MLFY_NPY_B1);
		assert_int_equal(mlfy_npy_read_int64(a, &iv, &err), 0);
		assert_true(iv[0] == 1 && iv[1] == 0 && iv[2] == 0 && iv[3] == 1);
		free(iv);
		mlfy_npy_close(a);
	}
}

static void reads_utf32_strings(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	char **s;
	double *d;
	/* <U3, shape (2, 2): "ab", "", "é€", "x😀y" (U+00E9, U+20AC, U+1F600) */
	uint32_t v[12] = { 'a', 'b', 0, 0, 0, 0, 0xe9, 0x20ac, 0, 'x', 0x1f600, 'y' };

	(void)state;
	npy_file(path, sizeof(path), 1, "{'descr': '<U3', 'fortran_order': False, 'shape': (2, 2), }", v, sizeof(v));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->dtype, MLFY_NPY_U);
	assert_int_equal(a->str_len, 3);
	assert_int_equal(a->itemsize, 12);
	assert_int_equal(mlfy_npy_read_strings(a, &s, &err), 0);
	assert_string_equal(s[0], "ab");
	assert_string_equal(s[1], "");
	assert_string_equal(s[2], "\xc3\xa9\xe2\x82\xac");
	assert_string_equal(s[3], "x\xf0\x9f\x98\x80y");
	mlfy_npy_strings_free(s, a->count);
	/* strings are not numbers */
	assert_int_equal(mlfy_npy_read_double(a, &d, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "string array"));
	mlfy_npy_close(a);

	/* a surrogate code point is not valid Unicode */
	v[0] = 0xd800;
	npy_file(path, sizeof(path), 1, "{'descr': '<U3', 'fortran_order': False, 'shape': (2, 2), }", v, sizeof(v));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(mlfy_npy_read_strings(a, &s, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "element 0"));
	assert_null(s);
	mlfy_npy_close(a);
}

/* Header versions 2.0 and 3.0, other spellings of the dict, ranks 0 and 3,
 * an empty array. */
static void header_variants(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	float v[24];
	double *d;
	int i;

	(void)state;
	for (i = 0; i < 24; i++)
		v[i] = (float)i;
	npy_file(path, sizeof(path), 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", v, sizeof(v));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->version, 2);
	assert_int_equal(a->ndim, 3);
	assert_int_equal(mlfy_npy_rows(a), 2);
	assert_int_equal(mlfy_npy_row_len(a), 12);
	mlfy_npy_close(a);

	/* 3.0 (UTF-8 header), double quotes, other key order, no trailing
	 * comma, Python 2 long suffixes */
	npy_file(path, sizeof(path), 3, "{\"shape\": (4L, 6L), \"fortran_order\": False, \"descr\": \"<f4\"}", v,
		 sizeof(v));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->version, 3);
	assert_int_equal(a->shape[0], 4);
	assert_int_equal(a->shape[1], 6);
	assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
	assert_true(d[23] == 23.0);
	free(d);
	mlfy_npy_close(a);

	/* rank 0: one element */
	npy_file(path, sizeof(path), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", v + 5, 4);
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->ndim, 0);
	assert_int_equal(a->count, 1);
	assert_int_equal(mlfy_npy_rows(a), 1);
	assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
	assert_true(d[0] == 5.0);
	free(d);
	mlfy_npy_close(a);

	/* an empty [0, 1000] array */
	npy_file(path, sizeof(path), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1000), }", NULL, 0);
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->count, 0);
	assert_int_equal(mlfy_npy_rows(a), 0);
	{
		size_t got = 9;
		assert_int_equal(mlfy_npy_read_rows_f32(a, v, 1, &got, &err), 0);
		assert_int_equal(got, 0);
	}
	mlfy_npy_close(a);
}

/* ---- malformed input: each case -> MLFY_EINVAL naming the file and reason ----- */

static void malformed_headers(void **state)
{
	float v[6] = { 0 };
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;

	(void)state;
	expect_bad("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", v, 24, MLFY_EINVAL,
		   "fortran_order=True");
	expect_bad("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", v, 24, MLFY_EINVAL, "big-endian");
	expect_bad("{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", v, 24, MLFY_EINVAL, "object");
	expect_bad("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", v, 24, MLFY_EINVAL,
		   "structured");
	expect_bad("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", v, 24, MLFY_EINVAL,
		   "unsupported dtype '<c8'");
	expect_bad("{'descr': '|f4', 'fortran_order': False, 'shape': (6,), }", v, 24, MLFY_EINVAL, "byte order");
	expect_bad("{'descr': 'f4', 'fortran_order': False, 'shape': (6,), }", v, 24, MLFY_EINVAL, "byte-order");
	expect_bad("{'descr': '<U0', 'fortran_order': False, 'shape': (6,), }", v, 24, MLFY_EINVAL, "string width");
	expect_bad("{'descr': '<f4', 'fortran_order': False}", v, 24, MLFY_EINVAL, "missing key 'shape'");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", v, 24, MLFY_EINVAL,
		   "unexpected key 'x'");
	expect_bad("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", v, 24, MLFY_EINVAL,
		   "duplicate key");
	expect_bad("['descr', '<f4']", v, 24, MLFY_EINVAL, "not a dict");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} junk", v, 24, MLFY_EINVAL, "trailing");
	expect_bad("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (6,)}", v, 24, MLFY_EINVAL, "fortran_order");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}", v, 24, MLFY_EINVAL, "negative");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", v, 24, MLFY_EINVAL, "malformed shape");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': [6]}", v, 24, MLFY_EINVAL, "not a tuple");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (6,}", v, 24, MLFY_EINVAL, "shape");
	expect_bad("{'descr': '<f4, 'fortran_order': False, 'shape': (6,)}", v, 24, MLFY_EINVAL, "unsupported dtype");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", v, 24,
		   MLFY_EINVAL, "too large");
	/* each dimension fits, the product overflows size_t */
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4),}", v, 24,
		   MLFY_EINVAL, "absurd shape");
	/* an empty array whose other dimensions still overflow */
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296),}", v, 0, MLFY_EINVAL,
		   "absurd shape");
	/* the element count fits, the byte size overflows */
	expect_bad("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,),}", v, 24, MLFY_EINVAL,
		   "absurd shape");
	/* data shorter or longer than the shape says */
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", v, 24, MLFY_EINVAL, "truncated");
	expect_bad("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", v, 24, MLFY_EINVAL,
		   "header says shape (5,) of <f4 = 20 bytes");
	{
		char d[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }";
		d[2] = '\0';   /* strlen stops there: the header is just "{'" padded */
		expect_bad(d, v, 24, MLFY_EINVAL, "bad .npy header");
	}

	/* preamble-level damage */
	{
		size_t len;
		unsigned char *b = make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", v, 24, &len);
		unsigned char saved;

		test_tmpfile(path, sizeof(path), "bad.npy");
		write_file(path, b, 0);   /* empty file */
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "bad magic"));
		write_file(path, b, 9);   /* cut inside the preamble */
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		write_file(path, b, 40);  /* cut inside the dict */
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "truncated .npy header"));
		saved = b[1];
		b[1] = 'X';
		write_file(path, b, len);
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "bad magic"));
		b[1] = saved;
		b[6] = 4;   /* version 4.0 does not exist */
		write_file(path, b, len);
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "version 4.0"));
		b[6] = 1;
		b[8] = 0xff;   /* header length beyond the file */
		b[9] = 0xff;
		write_file(path, b, len);
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "truncated .npy header"));
		free(b);

		/* version 2 with an absurd 32-bit header length */
		b = make_npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", v, 24, &len);
		b[11] = 0x7f;
		write_file(path, b, len);
		assert_int_equal(mlfy_npy_open(path, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "absurd .npy header length"));
		free(b);
	}
	/* not found / not a regular file */
	assert_int_equal(mlfy_npy_open("/nonexistent/x.npy", &a, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x.npy"));
	assert_int_equal(mlfy_npy_open(test_tmpdir(), &a, &err), MLFY_EINVAL);
	/* memory mode: a too-short buffer */
	{
		char tiny[3] = { (char)0x93, 'N', 'U' };
		assert_int_equal(mlfy_npy_open_mem("tiny", tiny, 3, 0, &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "tiny"));
	}
}

/* ---- streaming ---------------------------------------------------------------- */

static void streams_rows_in_chunks(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	float v[30], buf[12];
	double dbuf[12];
	uint16_t h[30];
	size_t got, seen = 0;
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		v[i] = (float)i * 0.5f - 3.0f;
	}
	npy_file(path, sizeof(path), 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 3), }", v, sizeof(v));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	/* chunks of 4 rows: 4, 4, 2, then 0 */
	{
		size_t expect[4] = { 4, 4, 2, 0 };
		for (i = 0; i < 4; i++) {
			assert_int_equal(mlfy_npy_read_rows_f32(a, buf, 4, &got, &err), 0);
			assert_int_equal(got, expect[i]);
			if (got)
				assert_memory_equal(buf, v + seen * 3, got * 3 * sizeof(float));
			seen += got;
		}
	}
	assert_int_equal(seen, 10);
	mlfy_npy_rewind(a);
	assert_int_equal(mlfy_npy_read_rows_f64(a, dbuf, 4, &got, &err), 0);
	assert_int_equal(got, 4);
	assert_true(dbuf[11] == (double)v[11]);
	mlfy_npy_close(a);

	/* halves are converted on the way (1.0 + i/1024 is exact in binary16) */
	for (i = 0; i < 30; i++)
		h[i] = (uint16_t)(0x3c00 + i);
	npy_file(path, sizeof(path), 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (10, 3), }", h, sizeof(h));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	a->next_row = 8;
	assert_int_equal(mlfy_npy_read_rows_f32(a, buf, 4, &got, &err), 0);
	assert_int_equal(got, 2);
	for (i = 0; i < 6; i++)
		assert_true(buf[i] == 1.0f + (float)(24 + i) / 1024.0f);
	mlfy_npy_close(a);
}

/* The scratch-buffer path over more than one internal chunk (<f8 read as
 * float: 4 MiB scratch holds 524,288 doubles; 600,000 need two chunks). */
static void streams_through_several_scratch_chunks(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	size_t n = 600000, i, got, shape[2] = { 600000, 1 };
	double *v = malloc(n * sizeof(double));
	float *f = malloc(n * sizeof(float));

	(void)state;
	for (i = 0; i < n; i++)
		v[i] = (double)i;
	test_tmpfile(path, sizeof(path), "big.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F8, 2, shape, v, &err), 0);
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(mlfy_npy_read_rows_f32(a, f, n, &got, &err), 0);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++)
		if (f[i] != (float)i)
			fail_msg("element %zu: %g", i, (double)f[i]);
	mlfy_npy_close(a);
	free(v);
	free(f);
}

/* ---- writer ------------------------------------------------------------------- */

static void writer_round_trip(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_npy_writer *w;
	struct mlfy_err err;
	float f[6] = { 1, 2, 3, 4, 5, 6 };
	int64_t iv[3] = { -1, 0, INT64_MAX }, *ir;
	double *d;
	size_t shape[2] = { 2, 3 }, shape1[1] = { 3 };
	FILE *fp;
	unsigned char head[128];

	(void)state;
	test_tmpfile(path, sizeof(path), "w.npy");
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 2, shape, f, &err), 0);
	/* the header is exactly what numpy writes, data 64-byte aligned */
	fp = fopen(path, "rb");
	assert_int_equal(fread(head, 1, sizeof(head), fp), 128);
	fclose(fp);
	assert_memory_equal(head, "\x93NUMPY\x01\x00\x76\x00", 10);
	assert_memory_equal(head + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 59);
	assert_int_equal(head[127], '\n');
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->data_offset, 128);
	assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
	assert_true(d[0] == 1 && d[5] == 6);
	free(d);
	mlfy_npy_close(a);

	/* int64, 1-d: "(3,)" */
	assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 1, shape1, iv, &err), 0);
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_string_equal(a->descr, "<i8");
	assert_int_equal(mlfy_npy_read_int64(a, &ir, &err), 0);
	assert_memory_equal(ir, iv, sizeof(iv));
	free(ir);
	mlfy_npy_close(a);

	/* float64 streamed in two puts */
	{
		double d1[3] = { 0.5, 1.5, 2.5 }, d2[3] = { 3.5, 4.5, 5.5 };
		assert_int_equal(mlfy_npy_writer_open(path, MLFY_NPY_F8, 2, shape, &w, &err), 0);
		assert_int_equal(mlfy_npy_writer_put(w, d1, 3, &err), 0);
		assert_int_equal(mlfy_npy_writer_put(w, d2, 3, &err), 0);
		/* one more element than the shape holds */
		assert_int_equal(mlfy_npy_writer_put(w, d2, 1, &err), MLFY_EINVAL);
		assert_int_equal(mlfy_npy_writer_close(w, &err), 0);
		assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_true(d[3] == 3.5 && d[5] == 5.5);
		free(d);
		mlfy_npy_close(a);
	}
	/* too few elements: error, and the previous file is untouched */
	assert_int_equal(mlfy_npy_writer_open(path, MLFY_NPY_F4, 2, shape, &w, &err), 0);
	assert_int_equal(mlfy_npy_writer_put(w, f, 2, &err), 0);
	assert_int_equal(mlfy_npy_writer_close(w, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "only 2 of 6"));
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_string_equal(a->descr, "<f8");
	mlfy_npy_close(a);
	/* strings cannot be written; a missing directory is an I/O error */
	assert_int_equal(mlfy_npy_writer_open(path, MLFY_NPY_U, 2, shape, &w, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_npy_save("/nonexistent/dir/x.npy", MLFY_NPY_F4, 2, shape, f, &err), MLFY_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/x.npy"));
}

/* ---- .npz ---------------------------------------------------------------------- */

struct zmember {
	const char *name;
	const unsigned char *data;
	size_t len;
	int method;      /* 0 stored, 8 deflate, other: written as-is (stored bytes) */
};

static void put16(FILE *f, unsigned v)
{
	fputc(v & 0xff, f);
	fputc((v >> 8) & 0xff, f);
}

static void put32(FILE *f, uint32_t v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

static void put64(FILE *f, uint64_t v)
{
	put32(f, (uint32_t)v);
	put32(f, (uint32_t)(v >> 32));
}

/* Writes a zip archive of the members; zip64 = 1 writes zip64 extra fields
 * (sizes and offsets 0xffffffff in the 32-bit slots) and the zip64 end
 * records, as Python's zipfile does with force_zip64. */
static void write_zip(const char *path, const struct zmember *m, int n, int zip64)
{
	FILE *f = fopen(path, "wb");
	long offs[8];
	unsigned char *comp[8];
	size_t clen[8];
	uint32_t crc[8];
	long cd_start, cd_end;
	int i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		crc[i] = (uint32_t)crc32(0, m[i].data, (uInt)m[i].len);
		if (m[i].method == 8) {
			z_stream zs;
			memset(&zs, 0, sizeof(zs));
			assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
			clen[i] = deflateBound(&zs, (uLong)m[i].len);
			comp[i] = malloc(clen[i]);
			zs.next_in = (unsigned char *)m[i].data;
			zs.avail_in = (uInt)m[i].len;
			zs.next_out = comp[i];
			zs.avail_out = (uInt)clen[i];
			assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
			clen[i] = zs.total_out;
			deflateEnd(&zs);
		} else {
			clen[i] = m[i].len;
			comp[i] = malloc(m[i].len + 1);
			memcpy(comp[i], m[i].data, m[i].len);
		}
		offs[i] = ftell(f);
		put32(f, 0x04034b50);
		put16(f, zip64 ? 45 : 20);
		put16(f, 0);
		put16(f, (unsigned)m[i].method);
		put16(f, 0);
		put16(f, 0x21);
		put32(f, crc[i]);
		put32(f, zip64 ? 0xffffffffu : (uint32_t)clen[i]);
		put32(f, zip64 ? 0xffffffffu : (uint32_t)m[i].len);
		put16(f, (unsigned)strlen(m[i].name));
		put16(f, zip64 ? 20 : 0);
		fputs(m[i].name, f);
		if (zip64) {
			put16(f, 1);
			put16(f, 16);
			put64(f, m[i].len);
			put64(f, clen[i]);
		}
		fwrite(comp[i], 1, clen[i], f);
	}
	cd_start = ftell(f);
	for (i = 0; i < n; i++) {
		put32(f, 0x02014b50);
		put16(f, zip64 ? 45 : 20);
		put16(f, zip64 ? 45 : 20);
		put16(f, 0);
		put16(f, (unsigned)m[i].method);
		put16(f, 0);
		put16(f, 0x21);
		put32(f, crc[i]);
		put32(f, zip64 ? 0xffffffffu : (uint32_t)clen[i]);
		put32(f, zip64 ? 0xffffffffu : (uint32_t)m[i].len);
		put16(f, (unsigned)strlen(m[i].name));
		put16(f, zip64 ? 28 : 0);
		put16(f, 0);
		put16(f, 0);
		put16(f, 0);
		put32(f, 0);
		put32(f, zip64 ? 0xffffffffu : (uint32_t)offs[i]);
		fputs(m[i].name, f);
		if (zip64) {
			put16(f, 1);
			put16(f, 24);
			put64(f, m[i].len);
			put64(f, clen[i]);
			put64(f, (uint64_t)offs[i]);
		}
		free(comp[i]);
	}
	cd_end = ftell(f);
	if (zip64) {
		put32(f, 0x06064b50);
		put64(f, 44);
		put16(f, 45);
		put16(f, 45);
		put32(f, 0);
		put32(f, 0);
		put64(f, (uint64_t)n);
		put64(f, (uint64_t)n);
		put64(f, (uint64_t)(cd_end - cd_start));
		put64(f, (uint64_t)cd_start);
		put32(f, 0x07064b50);
		put32(f, 0);
		put64(f, (uint64_t)cd_end);
		put32(f, 1);
	}
	put32(f, 0x06054b50);
	put16(f, 0);
	put16(f, 0);
	put16(f, zip64 ? 0xffff : (unsigned)n);
	put16(f, zip64 ? 0xffff : (unsigned)n);
	put32(f, zip64 ? 0xffffffffu : (uint32_t)(cd_end - cd_start));
	put32(f, zip64 ? 0xffffffffu : (uint32_t)cd_start);
	put16(f, 0);
	assert_int_equal(fclose(f), 0);
}

static void npz_hand_made(void **state)
{
	char path[4096];
	struct mlfy_npz *z;
	struct mlfy_npy *a;
	struct mlfy_err err;
	double vals[4] = { 0.25, 0.5, 0.75, 1.0 }, *d;
	int32_t ints[1000];
	size_t la, lb;
	unsigned char *na, *nb;
	int i, zip64;

	(void)state;
	for (i = 0; i < 1000; i++)
		ints[i] = i % 7;
	na = make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", vals, sizeof(vals), &la);
	nb = make_npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1000,), }", ints, sizeof(ints), &lb);
	for (zip64 = 0; zip64 <= 1; zip64++) {
		struct zmember m[2] = { { "a.npy", na, la, 0 }, { "b.npy", nb, lb, 8 } };
		test_tmpfile(path, sizeof(path), "x.npz");
		write_zip(path, m, 2, zip64);
		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		assert_int_equal(mlfy_npz_count(z), 2);
		assert_string_equal(mlfy_npz_name(z, 0), "a.npy");
		assert_string_equal(mlfy_npz_name(z, 1), "b.npy");
		assert_null(mlfy_npz_name(z, 2));
		/* stored member, by name without the suffix */
		assert_int_equal(mlfy_npz_member(z, "a", &a, &err), 0);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_memory_equal(d, vals, sizeof(vals));
		free(d);
		assert_non_null(strstr(a->name, "x.npz:a.npy"));
		mlfy_npy_close(a);
		/* deflated member */
		assert_int_equal(mlfy_npz_member(z, "b.npy", &a, &err), 0);
		assert_int_equal(a->count, 1000);
		assert_int_equal(mlfy_npy_read_double(a, &d, &err), 0);
		assert_true(d[999] == 999 % 7 && d[500] == 500 % 7);
		free(d);
		mlfy_npy_close(a);
		/* unknown member: the message lists what is there */
		assert_int_equal(mlfy_npz_member(z, "c", &a, &err), MLFY_ENOTFOUND);
		assert_non_null(strstr(err.msg, "a.npy, b.npy"));
		mlfy_npz_close(z);
	}

	/* a corrupted byte inside the stored member: CRC mismatch */
	{
		struct zmember m[1] = { { "a.npy", na, la, 0 } };
		FILE *f;
		long pos;
		test_tmpfile(path, sizeof(path), "crc.npz");
		write_zip(path, m, 1, 0);
		f = fopen(path, "r+b");
		pos = 30 + 5 + (long)la - 3;   /* inside the data of the member */
		fseek(f, pos, SEEK_SET);
		fputc(0x55, f);
		fclose(f);
		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		assert_int_equal(mlfy_npz_member(z, "a", &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "CRC-32"));
		mlfy_npz_close(z);
	}
	/* an unsupported compression method (12 = bzip2) */
	{
		struct zmember m[1] = { { "a.npy", na, la, 12 } };
		test_tmpfile(path, sizeof(path), "bz.npz");
		write_zip(path, m, 1, 0);
		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		assert_int_equal(mlfy_npz_member(z, "a", &a, &err), MLFY_EUNSUPPORTED);
		assert_non_null(strstr(err.msg, "method 12"));
		mlfy_npz_close(z);
	}
	/* a member that is not a .npy */
	{
		struct zmember m[1] = { { "notes.txt", (const unsigned char *)"hello world", 11, 8 } };
		test_tmpfile(path, sizeof(path), "txt.npz");
		write_zip(path, m, 1, 0);
		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		assert_int_equal(mlfy_npz_member(z, "notes.txt", &a, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "txt.npz:notes.txt: not a .npy file"));
		mlfy_npz_close(z);
	}
	/* damaged archives: truncated, not a zip, the end record pointing away */
	{
		struct zmember m[2] = { { "a.npy", na, la, 0 }, { "b.npy", nb, lb, 8 } };
		FILE *f;
		long size;
		unsigned char *all;
		char cut[4096];

		test_tmpfile(path, sizeof(path), "ok.npz");
		write_zip(path, m, 2, 0);
		f = fopen(path, "rb");
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, 0, SEEK_SET);
		all = malloc((size_t)size);
		assert_int_equal(fread(all, 1, (size_t)size, f), (size_t)size);
		fclose(f);

		test_tmpfile(cut, sizeof(cut), "cut.npz");
		write_file(cut, all, (size_t)size - 30);   /* end record gone */
		assert_int_equal(mlfy_npz_open(cut, &z, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "not a zip archive"));
		write_file(cut, all, 10);
		assert_int_equal(mlfy_npz_open(cut, &z, &err), MLFY_EINVAL);
		/* directory offset beyond the end record */
		all[size - 6] = 0xff;
		all[size - 5] = 0xff;
		write_file(cut, all, (size_t)size);
		assert_int_equal(mlfy_npz_open(cut, &z, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "cut.npz"));
		free(all);

		/* the member's deflate stream cut short (archive shortened before
		 * the directory is moot: rewrite b's declared sizes instead) */
		assert_int_equal(mlfy_npz_open("/nonexistent.npz", &z, &err), MLFY_ENOTFOUND);
	}
	free(na);
	free(nb);
}

/* A deflated member whose stream is damaged: an error, never a crash. */
static void npz_corrupt_deflate(void **state)
{
	char path[4096];
	struct mlfy_npz *z;
	struct mlfy_npy *a;
	struct mlfy_err err;
	int32_t ints[1000];
	size_t len;
	unsigned char *nb;
	FILE *f;
	int i, k;

	(void)state;
	for (i = 0; i < 1000; i++)
		ints[i] = i * 31;
	nb = make_npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1000,), }", ints, sizeof(ints), &len);
	/* flip a different byte of the deflate data each round */
	for (k = 0; k < 8; k++) {
		struct zmember m[1] = { { "b.npy", nb, len, 8 } };
		int rc;
		test_tmpfile(path, sizeof(path), "def.npz");
		write_zip(path, m, 1, 0);
		f = fopen(path, "r+b");
		fseek(f, 30 + 5 + 40 * k + 3, SEEK_SET);
		fputc(0xa5 ^ k, f);
		fclose(f);
		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		rc = mlfy_npz_member(z, "b", &a, &err);
		assert_int_equal(rc, MLFY_EINVAL);
		assert_null(a);
		assert_non_null(strstr(err.msg, "def.npz:b.npy"));
		mlfy_npz_close(z);
	}
	free(nb);
}

/* ReaL's raw votes (Beyer et al. 2020, "Are we done with ImageNet?",
 * github.com/google-research/reassessed-imagenet): golden.npz holds the
 * 5 expert raters, raters_golden.npz the 78 crowd raters, on the same 1,135
 * (image, label) questions.  Expected values read with numpy 1.24. */
static void npz_shared_real_votes(void **state)
{
	char path[4096];
	struct mlfy_npz *z;
	struct mlfy_npy *a;
	struct mlfy_err err;
	double *t;
	int64_t *ids;
	char **info;

	(void)state;
	if (!test_shared(path, sizeof(path), "data/real/golden.npz"))
		skip();
	assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
	assert_int_equal(mlfy_npz_count(z), 3);
	assert_int_equal(mlfy_npz_member(z, "tensor", &a, &err), 0);
	assert_string_equal(a->descr, "<f8");
	assert_int_equal(a->ndim, 3);
	assert_int_equal(a->shape[0], 5);
	assert_int_equal(a->shape[1], 1135);
	assert_int_equal(a->shape[2], 3);
	assert_int_equal(mlfy_npy_read_double(a, &t, &err), 0);
	assert_true(t[0] == 0 && t[1] == 0 && t[2] == 1);   /* rater 0, question 0: yes */
	free(t);
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "info", &a, &err), 0);
	assert_string_equal(a->descr, "<U28");
	assert_int_equal(a->shape[0], 1135);
	assert_int_equal(a->shape[1], 2);
	assert_int_equal(mlfy_npy_read_strings(a, &info, &err), 0);
	assert_string_equal(info[0], "ILSVRC2012_val_00030153.JPEG");
	assert_string_equal(info[1], "101");
	assert_string_equal(info[2], "ILSVRC2012_val_00030153.JPEG");
	assert_string_equal(info[3], "385");
	mlfy_npy_strings_free(info, a->count);
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "ids.npy", &a, &err), 0);
	assert_int_equal(mlfy_npy_read_int64(a, &ids, &err), 0);
	assert_int_equal(a->count, 5);
	assert_true(ids[0] == 168 && ids[1] == 121 && ids[2] == 170 && ids[3] == 115 && ids[4] == 156);
	free(ids);
	mlfy_npy_close(a);
	mlfy_npz_close(z);

	if (!test_shared(path, sizeof(path), "data/real/raters_golden.npz"))
		skip();
	assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
	assert_int_equal(mlfy_npz_member(z, "tensor", &a, &err), 0);
	assert_int_equal(a->shape[0], 78);
	assert_int_equal(a->shape[1], 1135);
	{
		/* stream it as float rows of 1135 * 3 (one rater per row) */
		float *rows = malloc(10 * 1135 * 3 * sizeof(float));
		size_t got, total = 0;
		assert_int_equal(mlfy_npy_row_len(a), 1135 * 3);
		assert_int_equal(mlfy_npy_read_rows_f32(a, rows, 10, &got, &err), 0);
		assert_true(rows[0] == 1 && rows[1] == 0 && rows[2] == 0);   /* rater 0, question 0: no */
		total += got;
		while (got) {
			assert_int_equal(mlfy_npy_read_rows_f32(a, rows, 10, &got, &err), 0);
			total += got;
		}
		assert_int_equal(total, 78);
		free(rows);
	}
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "ids", &a, &err), 0);
	assert_int_equal(mlfy_npy_read_int64(a, &ids, &err), 0);
	assert_true(ids[0] == 183 && ids[1] == 184 && ids[2] == 143 && ids[3] == 188 && ids[4] == 126);
	free(ids);
	mlfy_npy_close(a);
	mlfy_npz_close(z);
}

/* The shared darknet logits: float32 [7, 1000] (models/README.md). */
static void shared_logits_header(void **state)
{
	char path[4096];
	struct mlfy_npy *a;
	struct mlfy_err err;
	float *rows;
	size_t got;

	(void)state;
	if (!test_shared(path, sizeof(path), "models/darknet-photos.mobilenetv2-12-int8.logits.npy"))
		skip();
	assert_int_equal(mlfy_npy_open(path, &a, &err), 0);
	assert_int_equal(a->dtype, MLFY_NPY_F4);
	assert_int_equal(mlfy_npy_rows(a), 7);
	assert_int_equal(mlfy_npy_row_len(a), 1000);
	rows = malloc(7000 * sizeof(float));
	assert_int_equal(mlfy_npy_read_rows_f32(a, rows, 7, &got, &err), 0);
	assert_int_equal(got, 7);
	/* dog.jpg's malamute (class 249) logit, read with numpy: 13.478034973144531 */
	assert_true(rows[249] == 13.478034973144531f);
	free(rows);
	mlfy_npy_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_each_dtype),
		cmocka_unit_test(reads_utf32_strings),
		cmocka_unit_test(header_variants),
		cmocka_unit_test(malformed_headers),
		cmocka_unit_test(streams_rows_in_chunks),
		cmocka_unit_test(streams_through_several_scratch_chunks),
		cmocka_unit_test(writer_round_trip),
		cmocka_unit_test(npz_hand_made),
		cmocka_unit_test(npz_corrupt_deflate),
		cmocka_unit_test(npz_shared_real_votes),
		cmocka_unit_test(shared_logits_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
