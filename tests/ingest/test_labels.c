/* test_labels.c - label files: ReaL and Multilabelfy JSON, single-label
 * text, CSV; auto-detection; validation errors with positions; the shared
 * ReaL and ImageNetV2 files (counts read with Python's json module). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/labels.h"
#include "testutil.h"

static const char *write_tmp(const char *name, const char *text)
{
	static char path[4096];
	FILE *f;
	test_tmpfile(path, sizeof(path), name);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Loads text (written to a file called name) expecting success. */
static struct mlfy_labels *load_ok(const char *name, const char *text, int format, int n_classes)
{
	struct mlfy_labels *l = NULL;
	struct mlfy_err err;
	const char *path = write_tmp(name, text);
	mlfy_err_clear(&err);
	if (mlfy_labels_load(path, format, n_classes, &l, &err))
		fail_msg("%s: unexpected error: %s", name, err.msg);
	return l;
}

/* Loads text expecting MLFY_EINVAL with a message containing the file name
 * and each of the (up to two) fragments. */
static void load_bad(const char *name, const char *text, int format, int n_classes, const char *frag1,
		     const char *frag2)
{
	struct mlfy_labels *l = (struct mlfy_labels *)1;
	struct mlfy_err err;
	const char *path = write_tmp(name, text);
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_labels_load(path, format, n_classes, &l, &err), MLFY_EINVAL);
	assert_null(l);
	if (!strstr(err.msg, path) || !strstr(err.msg, frag1) || (frag2 && !strstr(err.msg, frag2)))
		fail_msg("%s: message '%s' lacks '%s' / '%s'", name, err.msg, frag1, frag2 ? frag2 : "");
}

static void assert_set(const struct mlfy_labels *l, size_t i, const int *want, size_t n)
{
	size_t k;
	assert_int_equal(mlfy_labels_count(l, i), n);
	for (k = 0; k < n; k++)
		assert_int_equal(l->classes[l->offsets[i] + k], want[k]);
}

static void real_format(void **state)
{
	struct mlfy_labels *l;
	static const int s1[] = { 795, 970 }, s2[] = { 230, 231 }, s3[] = { 5 }, s4[] = { 7 };

	(void)state;
	/* sets are sorted, repeats dropped and counted; a bare index or an
	 * index string is one label */
	l = load_ok("real.json", "[[], [970, 795], [231, 230, 231], 5, [\"7\"]]\n", MLFY_LABELS_AUTO, 1000);
	assert_int_equal(l->format, MLFY_LABELS_REAL);
	assert_int_equal(l->n, 5);
	assert_null(l->names);
	assert_set(l, 0, NULL, 0);
	assert_set(l, 1, s1, 2);
	assert_set(l, 2, s2, 2);
	assert_set(l, 3, s3, 1);
	assert_set(l, 4, s4, 1);
	assert_int_equal(l->n_duplicates, 1);
	assert_int_equal(l->first_duplicate, 2);
	assert_int_equal(l->max_class, 970);
	{
		size_t i;
		struct mlfy_err err;
		assert_int_equal(mlfy_labels_find(l, "x", &i, &err), MLFY_EINVAL);
	}
	mlfy_labels_free(l);

	/* an empty list: zero images */
	l = load_ok("empty.json", "[]", MLFY_LABELS_AUTO, 0);
	assert_int_equal(l->n, 0);
	assert_int_equal(l->max_class, -1);
	mlfy_labels_free(l);

	load_bad("range.json", "[[1], [2, 1000]]", MLFY_LABELS_AUTO, 1000, "image 1 (0-based), label 1",
		 "out of range [0, 999]");
	load_bad("neg.json", "[[1], [-3]]", MLFY_LABELS_AUTO, 0, "image 1", "negative");
	load_bad("float.json", "[[1.5]]", MLFY_LABELS_AUTO, 0, "image 0", "not an integer");
	load_bad("str.json", "[[\"12a\"]]", MLFY_LABELS_AUTO, 0, "\"12a\"", "not an integer");
	load_bad("obj.json", "[[1], {\"a\": 1}]", MLFY_LABELS_AUTO, 0, "image 1", "expected a list");
	load_bad("null.json", "[[null]]", MLFY_LABELS_AUTO, 0, "image 0 (0-based), label 0", "expected a class index");
	load_bad("syntax.json", "[[1],\n [2,, 3]]", MLFY_LABELS_AUTO, 0, ":2:", "invalid JSON");
	/* a forced format that does not match */
	load_bad("notlist.json", "{\"a\": [1]}", MLFY_LABELS_REAL, 0, "ReaL format", NULL);
}

static void multilabelfy_format(void **state)
{
	struct mlfy_labels *l;
	struct mlfy_err err;
	size_t i;
	static const int a[] = { 370 }, b[] = { 356, 359 };

	(void)state;
	l = load_ok("ml.json",
		    "{\"f46.jpeg\": [\"370\"], \"3e7.jpeg\": [\"359\", \"356\"], \"0ab.jpeg\": [], \"x.jpeg\": [4]}",
		    MLFY_LABELS_AUTO, 1000);
	assert_int_equal(l->format, MLFY_LABELS_MULTILABELFY);
	assert_int_equal(l->n, 4);
	/* file order is kept */
	assert_string_equal(l->names[0], "f46.jpeg");
	assert_string_equal(l->names[1], "3e7.jpeg");
	assert_string_equal(l->names[2], "0ab.jpeg");
	assert_set(l, 0, a, 1);
	assert_set(l, 1, b, 2);
	assert_set(l, 2, NULL, 0);
	assert_int_equal(mlfy_labels_find(l, "3e7.jpeg", &i, &err), 0);
	assert_int_equal(i, 1);
	assert_int_equal(mlfy_labels_find(l, "x.jpeg", &i, &err), 0);
	assert_int_equal(i, 3);
	assert_int_equal(mlfy_labels_find(l, "nope.jpeg", &i, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nope.jpeg"));
	mlfy_labels_free(l);

	load_bad("dupkey.json", "{\"a\": [\"1\"], \"a\": [\"2\"]}", MLFY_LABELS_AUTO, 0, "invalid JSON",
		 "duplicate");
	load_bad("badval.json", "{\"a\": [\"1\"], \"b\": \"2\"}", MLFY_LABELS_AUTO, 0, "image \"b\"",
		 "expected a list");
	load_bad("badidx.json", "{\"a\": [\"1\"], \"b\": [\"two\"]}", MLFY_LABELS_AUTO, 0, "image \"b\", label 0",
		 "\"two\"");
	load_bad("range2.json", "{\"a\": [\"1000\"]}", MLFY_LABELS_AUTO, 1000, "image \"a\"", "out of range");
	load_bad("emptyname.json", "{\"\": [\"1\"]}", MLFY_LABELS_AUTO, 0, "empty image name", NULL);
}

static void single_format(void **state)
{
	struct mlfy_labels *l;
	static const int a[] = { 65 }, c[] = { 0 };

	(void)state;
	/* CRLF line ends, surrounding blanks and trailing blank lines are fine */
	l = load_ok("gt.txt", "65\r\n970\n 0 \n\n\n", MLFY_LABELS_AUTO, 1000);
	assert_int_equal(l->format, MLFY_LABELS_SINGLE);
	assert_int_equal(l->n, 3);
	assert_null(l->names);
	assert_set(l, 0, a, 1);
	assert_set(l, 2, c, 1);
	mlfy_labels_free(l);

	load_bad("gap.txt", "1\n\n2\n", MLFY_LABELS_AUTO, 0, ":2:", "empty line");
	load_bad("word.txt", "1\n2\ntench\n", MLFY_LABELS_AUTO, 0, ":3:", "'tench' is not a class index");
	load_bad("two.txt", "1\n2 3\n", MLFY_LABELS_AUTO, 0, ":2:", "not a class index");
	load_bad("big.txt", "1\n1000\n", MLFY_LABELS_AUTO, 1000, "line 2", "out of range");
	load_bad("huge.txt", "99999999999999999999999\n", MLFY_LABELS_AUTO, 0, "line 1", "too large");

	/* an empty file is an error, not a distribution over 0 images */
	load_bad("empty.txt", "", MLFY_LABELS_AUTO, 0, "empty file", NULL);
	load_bad("blank.txt", "\xef\xbb\xbf \r\n\n", MLFY_LABELS_AUTO, 0, "empty file", NULL);
	/* binary content is named as such; its bytes are not echoed raw */
	load_bad("bin.txt", "\xff\xfe\x01\x1b[2Jzz\n", MLFY_LABELS_AUTO, 0, ":1:", "'????[2Jzz' is not a class index");
	{
		char path[4096];
		struct mlfy_labels *bl = NULL;
		struct mlfy_err err;
		FILE *f;
		test_tmpfile(path, sizeof(path), "nul.bin");
		assert_non_null(f = fopen(path, "wb"));
		assert_int_equal(fwrite("1\n\0\0\x93", 1, 5, f), 5);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(mlfy_labels_load(path, MLFY_LABELS_AUTO, 0, &bl, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "binary data"));
	}
}

static void csv_format(void **state)
{
	struct mlfy_labels *l;
	struct mlfy_err err;
	size_t i;
	static const int three[] = { 3 }, multi[] = { 1, 2, 3 };

	(void)state;
	/* no header */
	l = load_ok("a.csv", "x.jpg,3\ny.jpg,4\n", MLFY_LABELS_AUTO, 0);
	assert_int_equal(l->format, MLFY_LABELS_CSV);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->names[1], "y.jpg");
	assert_set(l, 0, three, 1);
	mlfy_labels_free(l);

	/* header, columns found by name in any position, quoting, multi-label
	 * field, empty label field, blank lines */
	l = load_ok("b.csv",
		    "original_label,Filename,labels,comment\r\n"
		    "9,\"dir/a,b.jpg\",\"1 3;2|3\",\"said \"\"hi\"\"\nover two lines\"\r\n"
		    "\n"
		    "9,c.jpg,,\n",
		    MLFY_LABELS_AUTO, 10);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->names[0], "dir/a,b.jpg");
	assert_set(l, 0, multi, 3);
	assert_int_equal(l->n_duplicates, 1);
	assert_set(l, 1, NULL, 0);
	assert_int_equal(mlfy_labels_find(l, "c.jpg", &i, &err), 0);
	assert_int_equal(i, 1);
	mlfy_labels_free(l);

	/* a forced CSV with a header naming 'file' and 'label' */
	l = load_ok("c.txt", "file,label\nq.png,0\n", MLFY_LABELS_CSV, 1);
	assert_int_equal(l->n, 1);
	mlfy_labels_free(l);

	/* `mlfy export --format csv`: undecided rows are left out and counted,
	 * not read as empty sets (QA, issue 11: stats counted 45 % zero-label
	 * images where one image had an empty final set) */
	l = load_ok("export.csv",
		    "file,original_label,labels,label_count,stage,comment\n"
		    "a.jpg,3,3,1,agreed,\n"
		    "b.jpg,4,,0,undecided,\n"
		    "c.jpg,5,,0,refined,\"nothing fits\"\n",
		    MLFY_LABELS_AUTO, 10);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->n_undecided, 1);
	assert_string_equal(l->names[1], "c.jpg");
	assert_set(l, 0, three, 1);
	assert_set(l, 1, NULL, 0);
	mlfy_labels_free(l);

	load_bad("dup.csv", "a.jpg,1\nb.jpg,2\na.jpg,3\n", MLFY_LABELS_AUTO, 0, ":3:",
		 "duplicate image name 'a.jpg' (first on line 1)");
	load_bad("hdr.csv", "foo,bar\na.jpg,1\n", MLFY_LABELS_AUTO, 0, ":1:", "found 'foo'");
	load_bad("short.csv", "a.jpg,1\nb.jpg\n", MLFY_LABELS_AUTO, 0, ":2:", "1 field, expected at least 2");
	load_bad("lab.csv", "a.jpg,1\nb.jpg,x7\n", MLFY_LABELS_AUTO, 0, ":2:", "'x7' is not a class index");
	load_bad("quote.csv", "a.jpg,1\n\"b.jpg,2\n", MLFY_LABELS_AUTO, 0, ":2:", "unterminated quoted field");
	load_bad("after.csv", "\"a.jpg\"x,1\n", MLFY_LABELS_AUTO, 0, ":1:", "after a closing quote");
	load_bad("noname.csv", "a.jpg,1\n ,2\n", MLFY_LABELS_AUTO, 0, ":2:", "empty image name");
	load_bad("rng.csv", "a.jpg,1\nb.jpg,5\n", MLFY_LABELS_AUTO, 5, "line 2", "out of range [0, 4]");
}

static void detection_and_names(void **state)
{
	struct mlfy_err err;
	int f;

	(void)state;
	assert_int_equal(mlfy_labels_detect(write_tmp("d1", "\xef\xbb\xbf  \n[[1]]"), &f, &err), 0);
	assert_int_equal(f, MLFY_LABELS_REAL);
	assert_int_equal(mlfy_labels_detect(write_tmp("d2", "\n{\"a\": []}"), &f, &err), 0);
	assert_int_equal(f, MLFY_LABELS_MULTILABELFY);
	assert_int_equal(mlfy_labels_detect(write_tmp("d3", "a.jpg,1\n"), &f, &err), 0);
	assert_int_equal(f, MLFY_LABELS_CSV);
	assert_int_equal(mlfy_labels_detect(write_tmp("d4", "17\n"), &f, &err), 0);
	assert_int_equal(f, MLFY_LABELS_SINGLE);
	assert_int_equal(mlfy_labels_detect("/nonexistent/labels.json", &f, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/labels.json"));

	assert_int_equal(mlfy_labels_parse_format("real"), MLFY_LABELS_REAL);
	assert_int_equal(mlfy_labels_parse_format("multilabelfy"), MLFY_LABELS_MULTILABELFY);
	assert_int_equal(mlfy_labels_parse_format("csv"), MLFY_LABELS_CSV);
	assert_int_equal(mlfy_labels_parse_format("single"), MLFY_LABELS_SINGLE);
	assert_int_equal(mlfy_labels_parse_format("auto"), MLFY_LABELS_AUTO);
	assert_int_equal(mlfy_labels_parse_format("xml"), -1);
	assert_string_equal(mlfy_labels_format_name(MLFY_LABELS_SINGLE), "single");
}

/* Shared files.  Reference counts from Python 3 json.load:
 * real.json: 50,000 lists; set sizes 0: 3,163, 1: 39,394, 2: 5,408,
 *   >=3: 2,035; max index 999; no repeats.
 * refined_labels.json: 10,000 images; 0: 129, 1: 5,083, 2: 2,385,
 *   >=3: 2,403; first key f4603db3...jpeg -> ["370"]. */
static void shared_files(void **state)
{
	char path[4096];
	struct mlfy_labels *l;
	struct mlfy_err err;
	size_t i, hist[4];

	(void)state;
	if (!test_shared(path, sizeof(path), "data/real/real.json"))
		skip();
	assert_int_equal(mlfy_labels_load(path, MLFY_LABELS_AUTO, 1000, &l, &err), 0);
	assert_int_equal(l->format, MLFY_LABELS_REAL);
	assert_int_equal(l->n, 50000);
	memset(hist, 0, sizeof(hist));
	for (i = 0; i < l->n; i++)
		hist[mlfy_labels_count(l, i) < 3 ? mlfy_labels_count(l, i) : 3]++;
	assert_int_equal(hist[0], 3163);
	assert_int_equal(hist[1], 39394);
	assert_int_equal(hist[2], 5408);
	assert_int_equal(hist[3], 2035);
	assert_int_equal(l->max_class, 999);
	assert_int_equal(l->n_duplicates, 0);
	mlfy_labels_free(l);

	if (!test_shared(path, sizeof(path), "data/imagenetv2/refined_labels.json"))
		skip();
	assert_int_equal(mlfy_labels_load(path, MLFY_LABELS_AUTO, 1000, &l, &err), 0);
	assert_int_equal(l->format, MLFY_LABELS_MULTILABELFY);
	assert_int_equal(l->n, 10000);
	memset(hist, 0, sizeof(hist));
	for (i = 0; i < l->n; i++)
		hist[mlfy_labels_count(l, i) < 3 ? mlfy_labels_count(l, i) : 3]++;
	assert_int_equal(hist[0], 129);
	assert_int_equal(hist[1], 5083);
	assert_int_equal(hist[2], 2385);
	assert_int_equal(hist[3], 2403);
	assert_string_equal(l->names[0], "f4603db396353d99a52840da512a04c1f79b1fef.jpeg");
	assert_int_equal(l->classes[l->offsets[0]], 370);
	assert_int_equal(mlfy_labels_find(l, "a287a6a93be002dd2d457d34ddbb1a69f297b212.jpeg", &i, &err), 0);
	assert_int_equal(i, 9999);
	mlfy_labels_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_format),
		cmocka_unit_test(multilabelfy_format),
		cmocka_unit_test(single_format),
		cmocka_unit_test(csv_format),
		cmocka_unit_test(detection_and_names),
		cmocka_unit_test(shared_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
