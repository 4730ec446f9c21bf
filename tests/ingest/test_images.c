/* test_images.c - the image import: CSV manifest and ground-truth parsers,
 * the batch rule, probing files (hash, size, header, truncation), and
 * mlfy_ingest_add_images on generated folders (layouts, problems,
 * idempotent re-runs, nothing written on error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "ingest/images.h"
#include "testutil.h"

/* ---- helpers -------------------------------------------------------------- */

static void write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void write_text(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* Writes a w x h image (content varies with w, h and shade) as JPEG or PNG. */
static void make_image(const char *path, int w, int h, int shade, int png)
{
	VipsImage *black, *im;
	assert_int_equal(vips_black(&black, w, h, "bands", 3, NULL), 0);
	assert_int_equal(vips_linear1(black, &im, 1.0, (double)shade, "uchar", TRUE, NULL), 0);
	if (png)
		assert_int_equal(vips_pngsave(im, path, NULL), 0);
	else
		assert_int_equal(vips_jpegsave(im, path, NULL), 0);
	g_object_unref(im);
	g_object_unref(black);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long k;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	k = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)k);
	assert_int_equal(fread(b, 1, (size_t)k, f), (size_t)k);
	fclose(f);
	*n = (size_t)k;
	return b;
}

/* ---- manifests ------------------------------------------------------------ */

static void manifest_formats(void **state)
{
	struct mlfy_manifest_row *r;
	size_t n;
	struct mlfy_err err;
	const char *csv =
		"\xEF\xBB\xBF" "id,Label , PATH,comment\r\n"
		"1,n01440764,a.jpg,plain\r\n"
		"\r\n"
		"2,\"tench, Tinca\",\"sub dir/b \"\"q\"\".jpg\",\"two\nlines\"\r\n"
		"3,,c.jpg,no label\n"
		"4, 7 ,  d.jpg  ,last line without newline";

	(void)state;
	assert_int_equal(mlfy_manifest_parse(csv, strlen(csv), "m.csv", &r, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(r[0].path, "a.jpg");
	assert_string_equal(r[0].label, "n01440764");
	assert_int_equal(r[0].line, 2);
	assert_string_equal(r[1].path, "sub dir/b \"q\".jpg");
	assert_string_equal(r[1].label, "tench, Tinca");
	assert_int_equal(r[1].line, 4);
	assert_null(r[2].label);
	assert_int_equal(r[2].line, 6); /* the quoted newline counted */
	assert_string_equal(r[3].path, "d.jpg"); /* trimmed */
	assert_string_equal(r[3].label, "7");
	mlfy_manifest_free(r, n);

	/* no label column: labels are NULL */
	assert_int_equal(mlfy_manifest_parse("path\nx.png\n", 11, "m.csv", &r, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_null(r[0].label);
	mlfy_manifest_free(r, n);
}

static void manifest_errors(void **state)
{
	struct mlfy_manifest_row *r;
	size_t n;
	struct mlfy_err err;
	const char *t;

	(void)state;
	t = "file,label\na.jpg,1\n";
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:1: the header has no 'path' column"));
	t = "path,label\na.jpg,1\nb.jpg\n";
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:3: 1 fields, the header has 2"));
	mlfy_manifest_free(r, n);   /* bad rows come back, to be listed */
	t = "path,label\n\"a.jpg,1\n";
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:2: unterminated quoted field"));
	mlfy_manifest_free(r, n);
	t = "path,label\n\"a\"x.jpg,1\n";
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:2: text after a closing quote"));
	mlfy_manifest_free(r, n);
	t = "path,label\n ,1\n";
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:2: empty path"));
	mlfy_manifest_free(r, n);
	assert_int_equal(mlfy_manifest_parse("", 0, "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "empty manifest"));
}

/* Every bad row is listed, not only the first: the rows come back with the
 * problem of each bad one (and the line it starts on), the good ones as
 * usual, and the result is still MLFY_EINVAL naming the first. */
static void manifest_lists_every_bad_row(void **state)
{
	struct mlfy_manifest_row *r;
	size_t n;
	struct mlfy_err err;
	const char *t =
		"path,label\n"
		"a.jpg,1\n"            /* 2: fine */
		"b.jpg\n"              /* 3: one field */
		"\"c\"x.jpg,2\n"       /* 4: text after a closing quote */
		" ,3\n"                /* 5: empty path */
		"d.jpg,4\n"            /* 6: fine */
		"e.jpg,5,6\n"          /* 7: three fields */
		"\"f.jpg,7\n";         /* 8: a quote that never closes */

	(void)state;
	assert_int_equal(mlfy_manifest_parse(t, strlen(t), "m.csv", &r, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "m.csv:3: 1 fields, the header has 2"));
	assert_non_null(strstr(err.msg, "and 4 more bad rows"));
	assert_non_null(r);
	assert_int_equal(n, 7);
	assert_null(r[0].problem);
	assert_string_equal(r[0].path, "a.jpg");
	assert_int_equal(r[1].line, 3);
	assert_string_equal(r[1].problem, "1 fields, the header has 2");
	assert_int_equal(r[2].line, 4);
	assert_non_null(strstr(r[2].problem, "text after a closing quote"));
	assert_int_equal(r[3].line, 5);
	assert_string_equal(r[3].problem, "empty path");
	assert_null(r[4].problem);
	assert_string_equal(r[4].path, "d.jpg");
	assert_string_equal(r[4].label, "4");
	assert_int_equal(r[5].line, 7);
	assert_string_equal(r[5].problem, "3 fields, the header has 2");
	assert_int_equal(r[6].line, 8);
	assert_non_null(strstr(r[6].problem, "unterminated quoted field"));
	mlfy_manifest_free(r, n);
}

static void ground_truth(void **state)
{
	char **v;
	size_t n, i;
	struct mlfy_err err;
	const char *t = "65\r\n970\n\n 230 \n\n\n";

	(void)state;
	assert_int_equal(mlfy_gt_parse(t, strlen(t), "gt.txt", &v, &n, &err), 0);
	assert_int_equal(n, 4); /* trailing blank lines dropped, the inner one kept */
	assert_string_equal(v[0], "65");
	assert_string_equal(v[1], "970");
	assert_string_equal(v[2], "");
	assert_string_equal(v[3], "230");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	assert_int_equal(mlfy_gt_parse("a\n\x01\n", 4, "gt.txt", &v, &n, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "gt.txt:2"));
}

/* ---- the batch rule ------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void batches_fill_smallest(void **state)
{
	const char *names[] = { "a.jpg", "b.jpg", "c.jpg", "d.jpg" };
	int64_t existing[3] = { 2, 0, 1 };
	int out[4];
	struct mlfy_err err;

	(void)state;
	/* by hand: counts [2,0,1] -> batch 2 -> [2,1,1] -> batch 2 (tie, lowest) ->
	 * [2,2,1] -> batch 3 -> [2,2,2] -> batch 1 */
	assert_int_equal(mlfy_batches_assign(3, existing, 4, names, NULL, 0, out, &err), 0);
	qsort(out, 4, sizeof(out[0]), cmp_int);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 2);
	assert_int_equal(out[3], 3);
	assert_int_equal(mlfy_batches_assign(0, NULL, 4, names, NULL, 0, out, &err), MLFY_EINVAL);
}

static void batches_follow_documented_keys(void **state)
{
	/* The rule in images.h, recomputed here: unlabelled images in order of
	 * SipHash-2-4(name) keyed by the seed go to batches 1, 2, 3, ... */
	const char *names[] = { "n1.jpg", "n2.jpg", "n3.jpg", "n4.jpg", "n5.jpg" };
	unsigned char key[crypto_shorthash_KEYBYTES], h[crypto_shorthash_BYTES];
	uint64_t keys[5], seed = 12345;
	int out[5], i, j, rank;
	struct mlfy_err err;

	(void)state;
	assert_true(sodium_init() >= 0);
	memset(key, 0, sizeof(key));
	for (j = 0; j < 8; j++)
		key[j] = (unsigned char)(seed >> (8 * j));
	for (i = 0; i < 5; i++) {
		crypto_shorthash(h, (const unsigned char *)names[i], strlen(names[i]), key);
		keys[i] = 0;
		for (j = 0; j < 8; j++)
			keys[i] |= (uint64_t)h[j] << (8 * j);
	}
	assert_int_equal(mlfy_batches_assign(5, NULL, 5, names, NULL, seed, out, &err), 0);
	for (i = 0; i < 5; i++) {
		for (rank = 0, j = 0; j < 5; j++)
			rank += keys[j] < keys[i];
		assert_int_equal(out[i], rank + 1);
	}
}

static void batches_stratified_and_seeded(void **state)
{
	/* 3 classes x 7 images into 7 batches: each batch gets one of each class */
	char buf[21][16];
	const char *names[21];
	int labels[21], out[21], out2[21], per[7][3], i, b, differ = 0;
	struct mlfy_err err;

	(void)state;
	for (i = 0; i < 21; i++) {
		snprintf(buf[i], sizeof(buf[i]), "img%02d.jpg", i);
		names[i] = buf[i];
		labels[i] = i % 3;
	}
	memset(per, 0, sizeof(per));
	assert_int_equal(mlfy_batches_assign(7, NULL, 21, names, labels, 0, out, &err), 0);
	for (i = 0; i < 21; i++) {
		assert_true(out[i] >= 1 && out[i] <= 7);
		per[out[i] - 1][labels[i]]++;
	}
	for (b = 0; b < 7; b++)
		for (i = 0; i < 3; i++)
			assert_int_equal(per[b][i], 1);
	/* deterministic for a seed, different for another */
	assert_int_equal(mlfy_batches_assign(7, NULL, 21, names, labels, 0, out2, &err), 0);
	assert_memory_equal(out, out2, sizeof(out));
	assert_int_equal(mlfy_batches_assign(7, NULL, 21, names, labels, 1, out2, &err), 0);
	for (i = 0; i < 21; i++)
		differ += out[i] != out2[i];
	assert_true(differ > 0);
}

/* ---- probing -------------------------------------------------------------- */

static void probe_files(void **state)
{
	char jpg[4096], png[4096], p[4096], *data;
	struct mlfy_image_info info;
	struct mlfy_err err;
	size_t n;

	(void)state;
	test_tmpfile(jpg, sizeof(jpg), "ok.jpg");
	test_tmpfile(png, sizeof(png), "ok.png");
	make_image(jpg, 64, 48, 10, 0);
	make_image(png, 30, 20, 10, 1);
	assert_int_equal(mlfy_image_probe(jpg, &info, &err), 0);
	assert_int_equal(info.width, 64);
	assert_int_equal(info.height, 48);
	assert_string_equal(info.format, "jpeg");
	assert_int_equal(mlfy_image_probe(png, &info, &err), 0);
	assert_int_equal(info.width, 30);
	assert_string_equal(info.format, "png");

	/* sha256("abc") from FIPS 180-2, appendix B.1; the content is not an image */
	test_tmpfile(p, sizeof(p), "abc.jpg");
	write_text(p, "abc");
	assert_int_equal(mlfy_image_probe(p, &info, &err), MLFY_EINVAL);
	assert_string_equal(info.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(info.bytes, 3);
	assert_non_null(strstr(err.msg, "not an image"));

	test_tmpfile(p, sizeof(p), "empty.jpg");
	write_text(p, "");
	assert_int_equal(mlfy_image_probe(p, &info, &err), MLFY_EINVAL);
	assert_string_equal(err.msg, "empty file");

	assert_int_equal(mlfy_image_probe("/nonexistent/x.jpg", &info, &err), MLFY_EIO);

	/* a FIFO named like an image is refused at once, not waited on for a
	 * writer (SIGALRM ends the test if open() blocks) */
	test_tmpfile(p, sizeof(p), "fifo.jpg");
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(20);
	assert_int_equal(mlfy_image_probe(p, &info, &err), MLFY_EINVAL);
	alarm(0);
	assert_string_equal(err.msg, "not a regular file");

	/* truncated copies: the headers still parse, the data does not */
	data = slurp(jpg, &n);
	test_tmpfile(p, sizeof(p), "trunc.jpg");
	write_bytes(p, data, n - 40);
	assert_int_equal(mlfy_image_probe(p, &info, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "truncated or corrupt jpeg"));
	/* bytes after the end-of-image marker are harmless */
	{
		char *more = malloc(n + 7);
		memcpy(more, data, n);
		memcpy(more + n, "garbage", 7);
		test_tmpfile(p, sizeof(p), "trailing.jpg");
		write_bytes(p, more, n + 7);
		free(more);
		assert_int_equal(mlfy_image_probe(p, &info, &err), 0);
		assert_int_equal(info.bytes, (int64_t)n + 7);
	}
	free(data);
	data = slurp(png, &n);
	test_tmpfile(p, sizeof(p), "trunc.png");
	write_bytes(p, data, n / 2);
	assert_int_equal(mlfy_image_probe(p, &info, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "truncated or corrupt png"));
	free(data);

	assert_true(mlfy_is_image_name("a/b/C.JPEG"));
	assert_true(mlfy_is_image_name("x.webp"));
	assert_false(mlfy_is_image_name("README.md"));
	assert_false(mlfy_is_image_name("dir/._x.jpg")); /* AppleDouble */
	assert_false(mlfy_is_image_name("jpg"));
}

/* ---- add-images ----------------------------------------------------------- */

static struct mlfy_store *project(char *path, size_t n)
{
	static const struct mlfy_class cls[] = {
		{ 0, "n01440764", "tench", "tench", "" },
		{ 1, "n01443537", "goldfish", "goldfish", "" },
		{ 2, "n01484850", "great white shark", "great white shark", "" },
	};
	struct mlfy_store *s;
	struct mlfy_err err;
	test_tmpfile(path, n, "p.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_classes(s, cls, 3, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return s;
}

static int64_t n_images(struct mlfy_store *s)
{
	int64_t n;
	struct mlfy_err err;
	assert_int_equal(mlfy_catalog_n_images(s, &n, &err), 0);
	return n;
}

static int has_problem(const struct mlfy_add_images_result *r, const char *where, const char *reason)
{
	size_t i;
	for (i = 0; i < r->n_problems; i++)
		if (strstr(r->problems[i].where, where) && strstr(r->problems[i].reason, reason))
			return 1;
	for (i = 0; i < r->n_problems; i++)
		fprintf(stderr, "  problem: %s: %s\n", r->problems[i].where, r->problems[i].reason);
	return 0;
}

static void imagefolder_import(void **state)
{
	char proj[4096], root[4096], p[4096];
	struct mlfy_store *s;
	struct mlfy_add_images_opts o;
	struct mlfy_add_images_result r;
	struct mlfy_image img;
	struct mlfy_err err;
	int i;

	(void)state;
	s = project(proj, sizeof(proj));
	test_tmpfile(root, sizeof(root), "tree");
	mkdir(root, 0755);
	/* class folders by id, by index and by name; a nested file; a README */
	snprintf(p, sizeof(p), "%s/n01440764", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/1", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/great white shark", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/great white shark/sub", root); mkdir(p, 0755);
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/n01440764/t%d.jpg", root, i);
		make_image(p, 20 + i, 20, 1, 0);
		snprintf(p, sizeof(p), "%s/1/g%d.png", root, i);
		make_image(p, 30 + i, 20, 2, 1);
	}
	snprintf(p, sizeof(p), "%s/great white shark/sub/s.jpg", root);
	make_image(p, 40, 20, 3, 0);
	snprintf(p, sizeof(p), "%s/README.md", root);
	write_text(p, "not an image");

	memset(&o, 0, sizeof(o));
	o.src = root;
	o.batches = 2;
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.layout, MLFY_LAYOUT_IMAGEFOLDER);
	assert_int_equal(r.n_added, 7);
	assert_int_equal(r.n_ignored, 1);
	assert_int_equal(r.n_batches, 2);
	assert_int_equal(r.batch_sizes[0] + r.batch_sizes[1], 7);
	assert_true(r.batch_sizes[0] - r.batch_sizes[1] <= 1 && r.batch_sizes[1] - r.batch_sizes[0] <= 1);
	mlfy_add_images_result_release(&r);
	assert_int_equal(mlfy_catalog_image_by_name(s, "great white shark/sub/s.jpg", &img, &err), 0);
	assert_int_equal(img.original_label, 2);
	assert_int_equal(img.width, 40);
	assert_non_null(strstr(img.path, "/great white shark/sub/s.jpg"));
	assert_true(img.path[0] == '/');
	mlfy_image_release(&img);
	assert_int_equal(mlfy_catalog_image_by_name(s, "1/g2.png", &img, &err), 0);
	assert_int_equal(img.original_label, 1);
	mlfy_image_release(&img);

	/* again: nothing new; with one more file: only it is added, old batches kept */
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.n_added, 0);
	assert_int_equal(r.n_present, 7);
	mlfy_add_images_result_release(&r);
	snprintf(p, sizeof(p), "%s/1/g9.png", root);
	make_image(p, 39, 20, 2, 1);
	o.batches = 0; /* the project's 2 */
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.n_added, 1);
	assert_int_equal(r.n_present, 7);
	assert_int_equal(r.batch_sizes[0], 4);
	assert_int_equal(r.batch_sizes[1], 4);
	mlfy_add_images_result_release(&r);
	/* fewer batches than the project has: refused */
	o.batches = 1;
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "already has 2 batches"));
	mlfy_add_images_result_release(&r);
	assert_int_equal(n_images(s), 8);
	mlfy_store_close(s);
}

static void problems_import_nothing(void **state)
{
	char proj[4096], root[4096], gt[4096], p[4096], *data;
	struct mlfy_store *s;
	struct mlfy_add_images_opts o;
	struct mlfy_add_images_result r;
	struct mlfy_err err;
	size_t n;

	(void)state;
	s = project(proj, sizeof(proj));
	test_tmpfile(root, sizeof(root), "flat");
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/a.jpg", root);
	make_image(p, 50, 40, 5, 0);
	data = slurp(p, &n);
	snprintf(p, sizeof(p), "%s/b.jpg", root);        /* same content as a.jpg */
	write_bytes(p, data, n);
	snprintf(p, sizeof(p), "%s/c.jpg", root);        /* truncated */
	write_bytes(p, data, n / 2);
	free(data);
	snprintf(p, sizeof(p), "%s/d.jpg", root);        /* text */
	write_text(p, "hello");
	snprintf(p, sizeof(p), "%s/e.png", root);        /* empty */
	write_text(p, "");
	snprintf(p, sizeof(p), "%s/f.png", root);        /* fine, unknown label */
	make_image(p, 10, 10, 7, 1);
	snprintf(p, sizeof(p), "%s/g.png", root);        /* fine, no label line */
	make_image(p, 11, 10, 7, 1);
	test_tmpfile(gt, sizeof(gt), "gt.txt");
	write_text(gt, "0\n1\n2\ntench\n0\nn09999999\n");

	memset(&o, 0, sizeof(o));
	o.src = root;
	o.labels = gt;
	/* sorted files a b c d e f g against 6 label lines: every problem is listed */
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "6 problems; nothing imported"));
	assert_int_equal(r.n_problems, 6);
	assert_true(has_problem(&r, "gt.txt:2", "b.jpg: duplicate: same content as a.jpg ("));
	assert_true(has_problem(&r, "gt.txt:3", "c.jpg: truncated or corrupt jpeg"));
	assert_true(has_problem(&r, "gt.txt:4", "d.jpg: not an image"));
	assert_true(has_problem(&r, "gt.txt:5", "e.png: empty file"));
	assert_true(has_problem(&r, "gt.txt:6", "f.png: unknown label 'n09999999'"));
	assert_true(has_problem(&r, "g.png", "no label: "));
	/* listed in file order */
	assert_non_null(strstr(r.problems[0].reason, "b.jpg"));
	assert_non_null(strstr(r.problems[5].where, "g.png"));
	mlfy_add_images_result_release(&r);
	assert_int_equal(n_images(s), 0);

	/* an extra label line is a problem too */
	write_text(gt, "0\n0\n0\n0\n0\n0\n0\n0\n");
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_true(has_problem(&r, "gt.txt:8", "has no image: 8 labels for 7 images"));
	mlfy_add_images_result_release(&r);

	/* without the bad files the same folder imports */
	snprintf(p, sizeof(p), "%s/b.jpg", root); unlink(p);
	snprintf(p, sizeof(p), "%s/c.jpg", root); unlink(p);
	snprintf(p, sizeof(p), "%s/d.jpg", root); unlink(p);
	snprintf(p, sizeof(p), "%s/e.png", root); unlink(p);
	write_text(gt, "0\n2\ngoldfish\n");
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.n_added, 3);
	mlfy_add_images_result_release(&r);
	assert_int_equal(n_images(s), 3);
	/* the same photo under another name, now against the project */
	snprintf(p, sizeof(p), "%s/a.jpg", root);
	data = slurp(p, &n);
	snprintf(p, sizeof(p), "%s/h.jpg", root);
	write_bytes(p, data, n);
	free(data);
	write_text(gt, "0\n2\ngoldfish\n0\n");
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_true(has_problem(&r, "gt.txt:4", "h.jpg: duplicate: same content as a.jpg ("));
	mlfy_add_images_result_release(&r);
	{
		/* the copy alone in another folder: found in the project */
		struct mlfy_add_images_opts o2 = o;
		char root2[4096];
		test_tmpfile(root2, sizeof(root2), "flat2");
		mkdir(root2, 0755);
		snprintf(p, sizeof(p), "%s/a.jpg", root);
		data = slurp(p, &n);
		snprintf(p, sizeof(p), "%s/copy.jpg", root2);
		write_bytes(p, data, n);
		free(data);
		o2.src = root2;
		o2.labels = NULL;
		assert_int_equal(mlfy_ingest_add_images(s, &o2, &r, &err), MLFY_EINVAL);
		assert_true(has_problem(&r, "copy.jpg", "duplicate: same content as project image 'a.jpg'"));
		mlfy_add_images_result_release(&r);
	}
	/* ... accepted with allow_duplicates */
	o.allow_duplicates = 1;
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.n_added, 1);
	assert_int_equal(r.n_present, 3);
	mlfy_add_images_result_release(&r);
	/* a changed label for an image already imported */
	o.allow_duplicates = 0;
	write_text(gt, "1\n2\ngoldfish\n0\n");
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_true(has_problem(&r, "gt.txt:1", "already in the project with label 0; this source says 1"));
	mlfy_add_images_result_release(&r);
	assert_int_equal(n_images(s), 4);
	mlfy_store_close(s);
}

static void manifest_import(void **state)
{
	char proj[4096], root[4096], csv[4096], p[4096];
	struct mlfy_store *s;
	struct mlfy_add_images_opts o;
	struct mlfy_add_images_result r;
	struct mlfy_image img;
	struct mlfy_err err;

	(void)state;
	s = project(proj, sizeof(proj));
	test_tmpfile(root, sizeof(root), "man");
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/img", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/img/x.jpg", root);
	make_image(p, 12, 12, 9, 0);
	snprintf(p, sizeof(p), "%s/img/y.jpg", root);
	make_image(p, 13, 12, 9, 0);
	snprintf(csv, sizeof(csv), "%s/list.csv", root);
	write_text(csv, "path,label\n./img/x.jpg,tench\nimg//y.jpg,\n");
	memset(&o, 0, sizeof(o));
	o.src = csv;
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), 0);
	assert_int_equal(r.layout, MLFY_LAYOUT_CSV);
	assert_int_equal(r.n_added, 2);
	assert_int_equal(r.n_unlabelled, 1);
	mlfy_add_images_result_release(&r);
	assert_int_equal(mlfy_catalog_image_by_name(s, "img/x.jpg", &img, &err), 0); /* normalised */
	assert_int_equal(img.original_label, 0);
	mlfy_image_release(&img);
	assert_int_equal(mlfy_catalog_image_by_name(s, "img/y.jpg", &img, &err), 0);
	assert_int_equal(img.original_label, -1);
	mlfy_image_release(&img);

	/* a listed file that is missing, and the same file twice */
	write_text(csv, "path,label\nimg/x.jpg,0\nimg/missing.jpg,0\nimg/./x.jpg,0\n");
	assert_int_equal(mlfy_ingest_add_images(s, &o, &r, &err), MLFY_EINVAL);
	assert_true(has_problem(&r, "list.csv:3", "img/missing.jpg: cannot open"));
	assert_true(has_problem(&r, "list.csv:4", "duplicate image name (also "));
	mlfy_add_images_result_release(&r);
	assert_int_equal(n_images(s), 2);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manifest_formats),
		cmocka_unit_test(manifest_errors),
		cmocka_unit_test(manifest_lists_every_bad_row),
		cmocka_unit_test(ground_truth),
		cmocka_unit_test(batches_fill_smallest),
		cmocka_unit_test(batches_follow_documented_keys),
		cmocka_unit_test(batches_stratified_and_seeded),
		cmocka_unit_test(probe_files),
		cmocka_unit_test(imagefolder_import),
		cmocka_unit_test(problems_import_nothing),
		cmocka_unit_test(manifest_import),
	};
	if (VIPS_INIT("test_images"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
