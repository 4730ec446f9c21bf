/* test_npz.c - .npz archives: the streamed member reader (npz.h) against
 * archives written by tests/npz_writer.h (stored) and util/npz_write.h
 * (stored and deflated): reads in pieces that do not line up with the
 * internal buffers, empty members, corrupt deflate data, truncated members,
 * CRC mismatches, reads past the end, the inflating thread (members
 * larger than its ring, two streams in turns, early close, errors passed
 * on); and the writer itself (round trip of numbers and strings, its
 * errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/npz.h"
#include "util/npz_write.h"
#include "testutil.h"
#include "npz_writer.h"

/* A pseudo-random but compressible byte pattern of n bytes (new). */
static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n ? n : 1);
	size_t i;
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (seed >> 16) % 7 == 0 ? (unsigned char)(seed >> 24) : 0;
	}
	return p;
}

/* Writes one |u1 member "data.npy" of n bytes to path with level (0 =
 * stored), through npz_write.h. */
static void write_u1(const char *path, const unsigned char *data, size_t n, int level)
{
	struct mlfy_npz_writer *w;
	struct mlfy_err err;
	FILE *f = fopen(path, "wb");
	size_t shape[1] = { n }, off = 0;
	assert_non_null(f);
	assert_int_equal(mlfy_npz_writer_open(f, level, &w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "data.npy", "|u1", 1, 1, shape, &err), 0);
	/* odd-sized puts */
	while (off < n) {
		size_t k = n - off < 9973 ? n - off : 9973;
		assert_int_equal(mlfy_npz_writer_put(w, data + off, k, &err), 0);
		off += k;
	}
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_finish(w, &err), 0);
	assert_int_equal(fclose(f), 0);
}

/* Reads member "data" of path as a stream in pieces of piece bytes and
 * compares with data[0..n). */
static void check_stream(const char *path, const unsigned char *data, size_t n, size_t piece)
{
	struct mlfy_npz *z;
	struct mlfy_npz_stream *st;
	struct mlfy_err err;
	unsigned char *buf = malloc(piece);
	size_t off = 0;
	assert_non_null(buf);
	assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
	assert_int_equal(mlfy_npz_stream_open(z, "data", &st, &err), 0);
	assert_int_equal(mlfy_npz_stream_header(st)->count, n);
	assert_int_equal(mlfy_npz_stream_header(st)->dtype, MLFY_NPY_U1);
	while (off < n) {
		size_t k = n - off < piece ? n - off : piece;
		assert_int_equal(mlfy_npz_stream_read(st, buf, k, &err), 0);
		assert_memory_equal(buf, data + off, k);
		off += k;
	}
	assert_int_equal(mlfy_npz_stream_left(st), 0);
	/* past the end */
	assert_int_equal(mlfy_npz_stream_read(st, buf, 1, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "past the end"));
	mlfy_npz_stream_close(st);
	mlfy_npz_close(z);
	free(buf);
}

static void stream_pieces(void **state)
{
	/* sizes around the reader's 256 KiB input buffer and not multiples of
	 * anything; one empty member */
	const size_t sizes[] = { 0, 1, 4095, (256u << 10) + 3, 3u << 20 };
	const size_t pieces[] = { 1, 7, 65536 + 1, 5u << 20 };
	size_t i, j;
	int level;
	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *d = pattern(sizes[i], (unsigned)i + 1);
		for (level = 0; level <= 6; level += 6) {
			char path[4096];
			test_tmpfile(path, sizeof(path), "data.npz");
			write_u1(path, d, sizes[i], level);
			for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++)
				if (pieces[j] > 1 || sizes[i] < 100000)
					check_stream(path, d, sizes[i], pieces[j]);
			/* and the whole-member reader agrees */
			{
				struct mlfy_npz *z;
				struct mlfy_npy *a;
				struct mlfy_err err;
				void *all = NULL;
				assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
				assert_int_equal(mlfy_npz_member(z, "data.npy", &a, &err), 0);
				assert_int_equal(mlfy_npy_read_native(a, &all, &err), 0);
				if (sizes[i])
					assert_memory_equal(all, d, sizes[i]);
				free(all);
				mlfy_npy_close(a);
				mlfy_npz_close(z);
			}
		}
		free(d);
	}
}

/* Reads the whole file into memory (new; *n its size). */
static unsigned char *slurp(const char *path, size_t *n)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*n = (size_t)st.st_size;
	b = malloc(*n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

/* Streams member data of the in-memory archive to its end; returns the
 * first error (0 when none) and leaves the message in err. */
static int stream_all(const unsigned char *buf, size_t n, struct mlfy_err *err)
{
	struct mlfy_npz *z;
	struct mlfy_npz_stream *st;
	unsigned char tmp[1000];
	int rc;
	if ((rc = mlfy_npz_open_mem("mem.npz", buf, n, &z, err)))
		return rc;
	if (!(rc = mlfy_npz_stream_open(z, "data", &st, err))) {
		while (!rc && mlfy_npz_stream_left(st)) {
			size_t k = mlfy_npz_stream_left(st) < sizeof(tmp) ? (size_t)mlfy_npz_stream_left(st) : sizeof(tmp);
			rc = mlfy_npz_stream_read(st, tmp, k, err);
		}
		mlfy_npz_stream_close(st);
	}
	mlfy_npz_close(z);
	return rc;
}

/* Offset of the member's data in an archive written by write_u1: after the
 * 30-byte local header and the name "data.npy". */
#define DATA_OFF (30 + 8)

/* A member that is only its .npy header (no elements) with a wrong CRC-32:
 * the error comes from the open itself, after the header was parsed
 * (once freed twice there). */
static void stream_header_only_bad_crc(void **state)
{
	unsigned char *a;
	char path[4096];
	size_t len, i;
	struct mlfy_err err;
	(void)state;
	for (int level = 0; level <= 6; level += 6) {
		test_tmpfile(path, sizeof(path), "empty.npz");
		write_u1(path, (const unsigned char *)"", 0, level);
		a = slurp(path, &len);
		assert_int_equal(stream_all(a, len, &err), 0);
		for (i = len - 22; i > 0 && memcmp(a + i, "PK\x01\x02", 4); i--)
			;
		assert_true(i > 0);
		a[i + 16] ^= 1;     /* the central directory's CRC-32 */
		assert_int_equal(stream_all(a, len, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "CRC-32 mismatch"));
		free(a);
	}
}

static void stream_corrupt(void **state)
{
	const size_t n = 200000;
	unsigned char *d = pattern(n, 99), *a, *b;
	char path[4096];
	size_t len, i, csize;
	struct mlfy_err err;
	(void)state;
	test_tmpfile(path, sizeof(path), "deflated.npz");
	write_u1(path, d, n, 6);
	a = slurp(path, &len);
	assert_int_equal(stream_all(a, len, &err), 0);
	/* the central directory's compressed size of the only member */
	for (i = len - 22; i > 0 && memcmp(a + i, "PK\x01\x02", 4); i--)
		;
	csize = (size_t)a[i + 20] | (size_t)a[i + 21] << 8 | (size_t)a[i + 22] << 16 | (size_t)a[i + 23] << 24;
	assert_true(csize > 1000 && csize < len);
	b = malloc(len);
	assert_non_null(b);

	/* garbage in the middle of the deflate stream */
	memcpy(b, a, len);
	memset(b + DATA_OFF + csize / 2, 0xff, 64);
	assert_int_equal(stream_all(b, len, &err), MLFY_EINVAL);
	assert_true(strstr(err.msg, "corrupt") || strstr(err.msg, "CRC"));
	assert_non_null(strstr(err.msg, "mem.npz:data.npy"));

	/* flipped bits anywhere in the stream: an error or, where the flip
	 * only changes which zeros a match copies, success -- never a crash */
	for (size_t k = 0; k < 40; k++) {
		int rc;
		memcpy(b, a, len);
		b[DATA_OFF + 200 + k * (csize - 400) / 40] ^= 0x10;
		rc = stream_all(b, len, &err);
		assert_true(rc == 0 || rc == MLFY_EINVAL);
	}

	/* the stored CRC itself wrong */
	memcpy(b, a, len);
	b[i + 16] ^= 1;
	assert_int_equal(stream_all(b, len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "CRC-32 mismatch"));

	/* truncated archive: the member's data run past the end */
	assert_int_not_equal(stream_all(a, DATA_OFF + csize / 2, &err), 0);

	/* a deflate stream cut short inside a complete archive: the declared
	 * compressed size lies, the stream ends early */
	memcpy(b, a, len);
	{
		size_t cut = csize / 3;
		b[i + 20] = (unsigned char)cut;
		b[i + 21] = (unsigned char)(cut >> 8);
		b[i + 22] = (unsigned char)(cut >> 16);
		b[i + 23] = (unsigned char)(cut >> 24);
	}
	assert_int_equal(stream_all(b, len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "ends early"));

	/* a declared size larger than what the stream inflates to */
	memcpy(b, a, len);
	b[i + 24] = (unsigned char)(b[i + 24] + 1);
	assert_int_equal(stream_all(b, len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "data.npy"));

	free(a);
	free(b);
	free(d);
}

/* Writes two deflated |u1 members "a.npy" (da, na bytes) and "b.npy"
 * (db, nb bytes) to path. */
static void write_two(const char *path, const unsigned char *da, size_t na, const unsigned char *db, size_t nb)
{
	struct mlfy_npz_writer *w;
	struct mlfy_err err;
	FILE *f = fopen(path, "wb");
	size_t sa[1] = { na }, sb[1] = { nb };
	assert_non_null(f);
	assert_int_equal(mlfy_npz_writer_open(f, 6, &w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "a.npy", "|u1", 1, 1, sa, &err), 0);
	assert_int_equal(mlfy_npz_writer_put(w, da, na, &err), 0);
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "b.npy", "|u1", 1, 1, sb, &err), 0);
	assert_int_equal(mlfy_npz_writer_put(w, db, nb, &err), 0);
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_finish(w, &err), 0);
	assert_int_equal(fclose(f), 0);
}

/* Deflated members are inflated by a thread of their own into a ring of a
 * few MiB: two streams of one archive read in turns (as the vote reader
 * does), members several times the ring, and streams closed early --
 * before any read, mid-way with the ring full, right after opening --
 * which must stop the thread (ASan and TSan runs check for leaks and
 * races). */
static void stream_threaded(void **state)
{
	const size_t na = (9u << 20) + 17, nb = (5u << 20) + 3;
	unsigned char *da = pattern(na, 11), *db = pattern(nb, 12), *buf = malloc(100003);
	struct mlfy_npz *z;
	struct mlfy_npz_stream *sa, *sb;
	struct mlfy_err err;
	char path[4096];
	size_t oa = 0, ob = 0;
	int k;
	(void)state;
	assert_non_null(buf);
	test_tmpfile(path, sizeof(path), "two.npz");
	write_two(path, da, na, db, nb);
	assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
	assert_int_equal(mlfy_npz_stream_open(z, "a", &sa, &err), 0);
	assert_int_equal(mlfy_npz_stream_open(z, "b.npy", &sb, &err), 0);
	/* in turns: 100,003 bytes of a, 65,537 of b */
	while (oa < na || ob < nb) {
		size_t ka = na - oa < 100003 ? na - oa : 100003, kb = nb - ob < 65537 ? nb - ob : 65537;
		if (ka) {
			assert_int_equal(mlfy_npz_stream_read(sa, buf, ka, &err), 0);
			assert_memory_equal(buf, da + oa, ka);
			oa += ka;
		}
		if (kb) {
			assert_int_equal(mlfy_npz_stream_read(sb, buf, kb, &err), 0);
			assert_memory_equal(buf, db + ob, kb);
			ob += kb;
		}
	}
	assert_int_equal(mlfy_npz_stream_left(sa), 0);
	assert_int_equal(mlfy_npz_stream_read(sb, buf, 1, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "two.npz:b.npy: read of 1 bytes past the end"));
	mlfy_npz_stream_close(sa);
	mlfy_npz_stream_close(sb);
	/* closed early: right after opening, after one byte, after half */
	for (k = 0; k < 3; k++) {
		size_t want = k == 0 ? 0 : k == 1 ? 1 : na / 2, got = 0;
		assert_int_equal(mlfy_npz_stream_open(z, "a", &sa, &err), 0);
		while (got < want) {
			size_t n = want - got < 100003 ? want - got : 100003;
			assert_int_equal(mlfy_npz_stream_read(sa, buf, n, &err), 0);
			assert_memory_equal(buf, da + got, n);
			got += n;
		}
		assert_int_equal(mlfy_npz_stream_left(sa), na - want);
		mlfy_npz_stream_close(sa);
	}
	mlfy_npz_close(z);
	free(buf);
	free(da);
	free(db);
}

/* A corrupt stretch far into a member several times the ring: the error
 * reaches the reader from the inflating thread, with the member named, only
 * after the bytes before it; the stream is then closed mid-member. */
static void stream_threaded_corrupt(void **state)
{
	const size_t n = 7u << 20;
	unsigned char *d = pattern(n, 5), *a, *buf = malloc(65536);
	char path[4096];
	size_t len, got = 0;
	struct mlfy_npz *z;
	struct mlfy_npz_stream *st;
	struct mlfy_err err;
	int rc = 0;
	(void)state;
	assert_non_null(buf);
	test_tmpfile(path, sizeof(path), "big.npz");
	write_u1(path, d, n, 6);
	a = slurp(path, &len);
	/* a run of 0xff bytes three quarters into the compressed data */
	memset(a + DATA_OFF + (len - DATA_OFF) * 3 / 4, 0xff, 256);
	assert_int_equal(mlfy_npz_open_mem("big.npz", a, len, &z, &err), 0);
	assert_int_equal(mlfy_npz_stream_open(z, "data", &st, &err), 0);
	while (!rc && mlfy_npz_stream_left(st)) {
		size_t k = mlfy_npz_stream_left(st) < 65536 ? (size_t)mlfy_npz_stream_left(st) : 65536;
		if (!(rc = mlfy_npz_stream_read(st, buf, k, &err)))
			got += k;
	}
	assert_int_equal(rc, MLFY_EINVAL);
	if (strncmp(err.msg, "big.npz:data.npy: ", 18) || (!strstr(err.msg, "corrupt") && !strstr(err.msg, "CRC")))
		fail_msg("%s", err.msg);
	/* the first half came through intact, well past the ring */
	assert_true(got > n / 2);
	mlfy_npz_stream_close(st);
	mlfy_npz_close(z);
	free(a);
	free(buf);
	free(d);
}

/* A stored member cut short (tests/npz_writer.h archive, then truncated):
 * clear error, no crash. */
static void stream_stored_truncated(void **state)
{
	unsigned char *d = pattern(5000, 3), *a;
	struct npz_member m[1];
	char path[4096];
	size_t len, k;
	struct mlfy_err err;
	(void)state;
	m[0].name = "data.npy";
	m[0].data = npz_npy("|u1", "(5000,)", d, 5000, &m[0].len);
	test_tmpfile(path, sizeof(path), "stored.npz");
	assert_int_equal(npz_write(path, m, 1), 0);
	a = slurp(path, &len);
	assert_int_equal(stream_all(a, len, &err), 0);
	for (k = 1; k < len; k += len / 17)
		assert_int_not_equal(stream_all(a, k, &err), 0);
	/* a corrupt byte in stored data: CRC */
	a[DATA_OFF + 300] ^= 0x40;
	assert_int_equal(stream_all(a, len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "CRC-32 mismatch"));
	/* a bad .npy header in the member */
	a[DATA_OFF + 300] ^= 0x40;
	a[DATA_OFF + 1] = 'X';
	assert_int_equal(stream_all(a, len, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "not a .npy"));
	free(a);
	free(m[0].data);
	free(d);
}

static void writer_round_trip(void **state)
{
	struct mlfy_npz_writer *w;
	struct mlfy_npz *z;
	struct mlfy_npy *a;
	struct mlfy_err err;
	char path[4096], **s = NULL;
	double x[6] = { 0, 1, 0.5, -2, 1e300, 3 };
	int64_t *ids = NULL, iv[2] = { 7, -1 };
	double *dv = NULL;
	size_t sh2[2] = { 2, 3 }, sh1[1] = { 2 }, sh0[1] = { 0 };
	int level;
	FILE *f;
	(void)state;
	for (level = 0; level <= 9; level += 9) {
		test_tmpfile(path, sizeof(path), "w.npz");
		assert_non_null(f = fopen(path, "wb"));
		assert_int_equal(mlfy_npz_writer_open(f, level, &w, &err), 0);
		assert_int_equal(mlfy_npz_writer_begin(w, "x.npy", "<f8", 8, 2, sh2, &err), 0);
		/* a second member before the first ends */
		assert_int_equal(mlfy_npz_writer_begin(w, "y.npy", "<f8", 8, 2, sh2, &err), MLFY_EINVAL);
		assert_int_equal(mlfy_npz_writer_put(w, x, 5 * sizeof(double), &err), 0);
		assert_int_equal(mlfy_npz_writer_end(w, &err), MLFY_EINVAL);   /* one element short */
		assert_non_null(strstr(err.msg, "short"));
		assert_int_equal(mlfy_npz_writer_put(w, x + 5, 2 * sizeof(double), &err), MLFY_EINVAL);
		assert_int_equal(mlfy_npz_writer_put(w, x + 5, sizeof(double), &err), 0);
		assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
		assert_int_equal(mlfy_npz_writer_begin(w, "s.npy", "<U5", 20, 1, sh1, &err), 0);
		assert_int_equal(mlfy_npz_writer_put_str(w, "toolong", 5, &err), MLFY_EINVAL);
		assert_int_equal(mlfy_npz_writer_put_str(w, "\xff", 5, &err), MLFY_EINVAL);
		assert_int_equal(mlfy_npz_writer_put_str(w, "caf\xc3\xa9", 5, &err), 0);
		assert_int_equal(mlfy_npz_writer_put_str(w, "", 5, &err), 0);
		assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
		assert_int_equal(mlfy_npz_writer_begin(w, "i.npy", "<i8", 8, 1, sh1, &err), 0);
		assert_int_equal(mlfy_npz_writer_put(w, iv, sizeof(iv), &err), 0);
		assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
		assert_int_equal(mlfy_npz_writer_begin(w, "e.npy", "<f8", 8, 1, sh0, &err), 0);
		assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
		assert_int_equal(mlfy_npz_writer_finish(w, &err), 0);
		assert_int_equal(fclose(f), 0);

		assert_int_equal(mlfy_npz_open(path, &z, &err), 0);
		assert_int_equal(mlfy_npz_count(z), 4);
		assert_int_equal(mlfy_npz_member(z, "x", &a, &err), 0);
		assert_int_equal(a->ndim, 2);
		assert_int_equal(a->shape[1], 3);
		assert_int_equal(mlfy_npy_read_double(a, &dv, &err), 0);
		assert_memory_equal(dv, x, sizeof(x));
		free(dv);
		mlfy_npy_close(a);
		assert_int_equal(mlfy_npz_member(z, "s", &a, &err), 0);
		assert_int_equal(mlfy_npy_read_strings(a, &s, &err), 0);
		assert_string_equal(s[0], "caf\xc3\xa9");
		assert_string_equal(s[1], "");
		mlfy_npy_strings_free(s, 2);
		mlfy_npy_close(a);
		assert_int_equal(mlfy_npz_member(z, "i", &a, &err), 0);
		assert_int_equal(mlfy_npy_read_int64(a, &ids, &err), 0);
		assert_int_equal(ids[0], 7);
		assert_int_equal(ids[1], -1);
		free(ids);
		mlfy_npy_close(a);
		assert_int_equal(mlfy_npz_member(z, "e", &a, &err), 0);
		assert_int_equal(a->count, 0);
		mlfy_npy_close(a);
		mlfy_npz_close(z);
	}
	/* level out of range; finishing with a member open */
	assert_int_equal(mlfy_npz_writer_open(stdout, 10, &w, &err), MLFY_EINVAL);
	test_tmpfile(path, sizeof(path), "open.npz");
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(mlfy_npz_writer_open(f, 1, &w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "x.npy", "<f8", 8, 2, sh2, &err), 0);
	assert_int_equal(mlfy_npz_writer_finish(w, &err), MLFY_EINVAL);
	fclose(f);
	/* a full disk: /dev/full */
	if ((f = fopen("/dev/full", "wb"))) {
		int rc;
		assert_int_equal(mlfy_npz_writer_open(f, 0, &w, &err), 0);
		rc = mlfy_npz_writer_begin(w, "x.npy", "<f8", 8, 2, sh2, &err);
		if (!rc)
			rc = mlfy_npz_writer_put(w, x, sizeof(x), &err);
		if (!rc)
			rc = mlfy_npz_writer_end(w, &err);
		if (!rc)
			rc = mlfy_npz_writer_finish(w, &err);
		else
			mlfy_npz_writer_free(w);
		assert_int_equal(rc, MLFY_EIO);
		assert_non_null(strstr(err.msg, "write: "));
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_pieces),
		cmocka_unit_test(stream_corrupt),
		cmocka_unit_test(stream_header_only_bad_crc),
		cmocka_unit_test(stream_stored_truncated),
		cmocka_unit_test(stream_threaded),
		cmocka_unit_test(stream_threaded_corrupt),
		cmocka_unit_test(writer_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
