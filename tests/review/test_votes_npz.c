/* test_votes_npz.c - the streamed ReaL vote-file reader
 * (mlfy_vote_set_read_npz): every tensor dtype the header may give, stored
 * and deflated members, votes on both sides of the reader's buffer
 * boundaries, R = 1, N = 0, non-ASCII image names, and clear errors for
 * string tensors, values other than 0/1, bad info strings, a question
 * given twice, and corrupt or truncated members. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "review/votes.h"
#include "util/npy.h"
#include "util/npz_write.h"
#include "testutil.h"

/* When set, write_votes writes these N x 2 info strings instead of its
 * pattern. */
static const char *const *custom_info;

/* Writes a vote file: tensor of R x N x 3 elements (t, in descr with
 * itemsize bytes each), info "img<n>.jpg" / "<n % 1000>" (or custom_info),
 * ids 100 + r. */
static void write_votes(const char *path, int level, const char *descr, size_t itemsize, size_t R, size_t N,
			const void *t)
{
	struct mlfy_npz_writer *w;
	struct mlfy_err err;
	FILE *f = fopen(path, "wb");
	size_t sh3[3] = { R, N, 3 }, sh2[2] = { N, 2 }, sh1[1] = { R }, i;
	assert_non_null(f);
	assert_int_equal(mlfy_npz_writer_open(f, level, &w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "tensor.npy", descr, itemsize, 3, sh3, &err), 0);
	assert_int_equal(mlfy_npz_writer_put(w, t, R * N * 3 * itemsize, &err), 0);
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "info.npy", "<U16", 64, 2, sh2, &err), 0);
	for (i = 0; i < N; i++) {
		char img[32], lab[16];
		snprintf(img, sizeof(img), "img%zu.jpg", i);
		snprintf(lab, sizeof(lab), "%zu", i % 1000);
		assert_int_equal(mlfy_npz_writer_put_str(w, custom_info ? custom_info[2 * i] : img, 16, &err), 0);
		assert_int_equal(mlfy_npz_writer_put_str(w, custom_info ? custom_info[2 * i + 1] : lab, 16, &err), 0);
	}
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_begin(w, "ids.npy", "<i8", 8, 1, sh1, &err), 0);
	for (i = 0; i < R; i++) {
		int64_t id = 100 + (int64_t)i;
		assert_int_equal(mlfy_npz_writer_put(w, &id, sizeof(id), &err), 0);
	}
	assert_int_equal(mlfy_npz_writer_end(w, &err), 0);
	assert_int_equal(mlfy_npz_writer_finish(w, &err), 0);
	assert_int_equal(fclose(f), 0);
}

/* The answer of rater r to question n in the test pattern: -1 (none) or
 * 0..2; dense near multiples of 1000 questions so that the reader's
 * buffer boundaries fall between and inside answered triples. */
static int answer_of(size_t r, size_t n)
{
	unsigned h = (unsigned)(r * 2654435761u ^ n * 40503u);
	if (n % 1000 < 3 || n % 1000 > 997)
		return (int)(h % 3);
	return h % 11 == 0 ? (int)(h / 11 % 3) : -1;
}

/* Converts 0/1 into one element of descr at p. */
static void put_elem(const char *descr, unsigned char *p, int one)
{
	if (!strcmp(descr, "<f8")) { double d = one; memcpy(p, &d, 8); }
	else if (!strcmp(descr, "<f4")) { float x = (float)one; memcpy(p, &x, 4); }
	else if (!strcmp(descr, "<f2")) { uint16_t h = one ? 0x3c00 : 0; memcpy(p, &h, 2); }
	else if (!strcmp(descr, "<i8")) { int64_t x = one; memcpy(p, &x, 8); }
	else if (!strcmp(descr, "<i4")) { int32_t x = one; memcpy(p, &x, 4); }
	else p[0] = (unsigned char)one;   /* |b1, |u1 */
}

static unsigned char *make_tensor(const char *descr, size_t itemsize, size_t R, size_t N, size_t *n_votes)
{
	unsigned char *t = calloc(R * N > 0 ? R * N * 3 : 1, itemsize);
	size_t r, n;
	assert_non_null(t);
	*n_votes = 0;
	for (r = 0; r < R; r++)
		for (n = 0; n < N; n++) {
			int a = answer_of(r, n), k;
			for (k = 0; k < 3; k++)
				put_elem(descr, t + ((r * N + n) * 3 + (size_t)k) * itemsize, k == a);
			*n_votes += a >= 0;
		}
	return t;
}

static void check_set(const struct mlfy_vote_set *v, size_t R, size_t N, size_t n_votes)
{
	size_t i;
	assert_int_equal(v->n_raters, R);
	assert_int_equal(v->n_questions, N);
	assert_int_equal(v->n_votes, n_votes);
	assert_int_equal(v->n_answers, 3);
	for (i = 0; i < v->n_votes; i++) {
		const struct mlfy_vote *x = &v->votes[i];
		assert_int_equal(answer_of(x->rater, x->question), x->answer);
		/* rater-major order, as the tensor */
		if (i)
			assert_true(v->votes[i - 1].rater < x->rater ||
				    (v->votes[i - 1].rater == x->rater && v->votes[i - 1].question < x->question));
	}
	if (N) {
		char want[32];
		snprintf(want, sizeof(want), "img%zu.jpg", N - 1);
		assert_string_equal(v->image[N - 1], want);
		assert_int_equal(v->label[N - 1], (int)((N - 1) % 1000));
	}
	if (R) {
		char want[32];
		snprintf(want, sizeof(want), "%zu", 100 + R - 1);
		assert_string_equal(v->rater[R - 1], want);
	}
}

static void dtypes_and_boundaries(void **state)
{
	static const struct { const char *descr; size_t size; } types[] = {
		{ "<f8", 8 }, { "<f4", 4 }, { "<f2", 2 }, { "|b1", 1 }, { "|u1", 1 }, { "<i4", 4 }, { "<i8", 8 },
	};
	/* 5 raters x 30,011 questions: each rater's row is not a multiple of
	 * the reader's buffer, and answered triples straddle its edges */
	const size_t R = 5, N = 30011;
	size_t k, n_votes;
	int level;
	(void)state;
	for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		unsigned char *t = make_tensor(types[k].descr, types[k].size, R, N, &n_votes);
		for (level = 0; level <= 1; level++) {
			char path[4096];
			struct mlfy_vote_set v;
			struct mlfy_err err;
			test_tmpfile(path, sizeof(path), "votes.npz");
			write_votes(path, level, types[k].descr, types[k].size, R, N, t);
			if (mlfy_vote_set_read_npz(path, &v, &err))
				fail_msg("%s level %d: %s", types[k].descr, level, err.msg);
			check_set(&v, R, N, n_votes);
			mlfy_vote_set_release(&v);
		}
		free(t);
	}
}

static void one_rater_no_questions(void **state)
{
	char path[4096];
	struct mlfy_vote_set v;
	struct mlfy_err err;
	size_t n_votes;
	unsigned char *t;
	(void)state;
	t = make_tensor("<f8", 8, 1, 2000, &n_votes);
	test_tmpfile(path, sizeof(path), "r1.npz");
	write_votes(path, 6, "<f8", 8, 1, 2000, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), 0);
	check_set(&v, 1, 2000, n_votes);
	mlfy_vote_set_release(&v);
	free(t);
	/* no questions: an empty vote set, not an error */
	test_tmpfile(path, sizeof(path), "n0.npz");
	write_votes(path, 6, "<f8", 8, 3, 0, "");
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), 0);
	check_set(&v, 3, 0, 0);
	mlfy_vote_set_release(&v);
	/* no raters */
	test_tmpfile(path, sizeof(path), "r0.npz");
	write_votes(path, 0, "<f8", 8, 0, 4, "");
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), 0);
	check_set(&v, 0, 4, 0);
	mlfy_vote_set_release(&v);
}

static void bad_values(void **state)
{
	char path[4096];
	struct mlfy_vote_set v;
	struct mlfy_err err;
	size_t n_votes;
	unsigned char *t;
	float *f;
	double *d;
	(void)state;
	/* 0.5 in a float32 tensor, rater 1, question 1500 */
	t = make_tensor("<f4", 4, 2, 3000, &n_votes);
	f = (float *)(void *)t;
	f[(1 * 3000 + 1500) * 3 + 1] = 0.5f;
	test_tmpfile(path, sizeof(path), "half.npz");
	write_votes(path, 6, "<f4", 4, 2, 3000, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "tensor[1][1500] is neither one-hot nor all zero"));
	free(t);
	/* two ones in a triple; NaN; 2 in an int tensor */
	t = make_tensor("<f8", 8, 2, 3000, &n_votes);
	d = (double *)(void *)t;
	d[(0 * 3000 + 2999) * 3 + 0] = 1.0;
	d[(0 * 3000 + 2999) * 3 + 2] = 1.0;
	test_tmpfile(path, sizeof(path), "twohot.npz");
	write_votes(path, 0, "<f8", 8, 2, 3000, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "tensor[0][2999]"));
	memset(&d[(0 * 3000 + 2999) * 3], 0, 24);
	d[(1 * 3000 + 7) * 3 + 2] = 0.0 / 0.0;
	test_tmpfile(path, sizeof(path), "nan.npz");
	write_votes(path, 1, "<f8", 8, 2, 3000, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "tensor[1][7]"));
	free(t);
	t = make_tensor("<i4", 4, 1, 10, &n_votes);
	((int32_t *)(void *)t)[4 * 3] = 2;
	test_tmpfile(path, sizeof(path), "two.npz");
	write_votes(path, 1, "<i4", 4, 1, 10, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "tensor[0][4]"));
	free(t);
	/* a string tensor */
	{
		unsigned char z[4 * 3 * 4] = { 0 };
		test_tmpfile(path, sizeof(path), "str.npz");
		write_votes(path, 1, "<U1", 4, 1, 4, z);
		assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "tensor holds strings"));
	}
}

/* Reads path into memory (new; *n its size). */
static unsigned char *slurp(const char *path, size_t *n)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*n = (size_t)st.st_size;
	assert_non_null(b = malloc(*n));
	assert_int_equal(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void corrupt_members(void **state)
{
	char path[4096], bad[4096];
	struct mlfy_vote_set v;
	struct mlfy_err err;
	size_t n_votes, len;
	unsigned char *t = make_tensor("<f8", 8, 4, 20000, &n_votes), *a;
	(void)state;
	test_tmpfile(path, sizeof(path), "good.npz");
	write_votes(path, 6, "<f8", 8, 4, 20000, t);
	a = slurp(path, &len);
	/* the tensor's deflate stream (after the 30-byte local header and
	 * "tensor.npy") starting with a reserved block type */
	a[30 + 10] = 0xff;
	test_tmpfile(bad, sizeof(bad), "corrupt.npz");
	spit(bad, a, len);
	assert_int_equal(mlfy_vote_set_read_npz(bad, &v, &err), MLFY_EINVAL);
	if (!strstr(err.msg, "corrupt.npz:tensor.npy: corrupt deflate data"))
		fail_msg("%s", err.msg);
	assert_int_equal(v.n_votes, 0);   /* released on error */
	free(a);
	/* garbage in the middle: refused, either as corrupt data, by the
	 * CRC-32 at the end, or as a non-one-hot triple it decodes to */
	a = slurp(path, &len);
	memset(a + 30 + 10 + 2000, 0x5a, 16);
	spit(bad, a, len);
	assert_int_equal(mlfy_vote_set_read_npz(bad, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "corrupt.npz"));
	free(a);
	/* truncated file: the central directory is gone */
	a = slurp(path, &len);
	test_tmpfile(bad, sizeof(bad), "truncated.npz");
	spit(bad, a, len / 2);
	assert_int_equal(mlfy_vote_set_read_npz(bad, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "truncated.npz"));
	free(a);
	free(t);
}

/* Image names beyond ASCII come back as UTF-8; one image with several
 * labels is several questions; a question (image, label) given twice is
 * refused, naming both rows however far apart. */
static void questions(void **state)
{
	static const char *const info[6 * 2] = {
		"b\xc3\xa4r.jpg", "1",  "\xe7\x8c\xab.jpg", "1",   "b\xc3\xa4r.jpg", "2",
		"x\xf0\x9f\x98\x80.jpg", "0", "\xe7\x8c\xab.jpg", "2", "b\xc3\xa4r.jpg", "1",
	};
	char path[4096];
	struct mlfy_vote_set v;
	struct mlfy_err err;
	size_t n_votes, i;
	unsigned char *t = make_tensor("|u1", 1, 2, 6, &n_votes);
	(void)state;
	custom_info = info;
	test_tmpfile(path, sizeof(path), "q5.npz");
	write_votes(path, 6, "|u1", 1, 2, 5, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), 0);
	assert_int_equal(v.n_questions, 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(v.image[i], info[2 * i]);
		assert_int_equal(v.label[i], atoi(info[2 * i + 1]));
	}
	mlfy_vote_set_release(&v);
	test_tmpfile(path, sizeof(path), "q6.npz");
	write_votes(path, 1, "|u1", 1, 2, 6, t);
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), MLFY_EINVAL);
	if (!strstr(err.msg, "q6.npz: info[0] and info[5] are the same question (image 'b\xc3\xa4r.jpg', label 1)"))
		fail_msg("%s", err.msg);
	custom_info = NULL;
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dtypes_and_boundaries),
		cmocka_unit_test(one_rater_no_questions),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(corrupt_members),
		cmocka_unit_test(questions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
