/* test_predictions.c - predictions -> proposals (the numerics themselves:
 * tests/util/test_topk.c): .npy import (logits, probabilities, order files,
 * every refusal leaves the store unchanged, re-import replaces, the active
 * model), timm inference.py CSV/JSON layouts, and the real darknet logits
 * (expected values computed with numpy 1.24: softmax in float64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/predictions.h"
#include "store/catalog.h"
#include "store/proposals.h"
#include "util/npy.h"
#include "util/npy_write.h"
#include "testutil.h"

/* ---- fixtures ----------------------------------------------------------------- */

/* A project with n_classes classes (ext_id n0000000<i>, name cls<i>;
 * classes 0..4 also get real-looking names for label lookups, class 5 the
 * name "tench" (as class 0) and the synonyms "goldfish" (class 1's name),
 * like ImageNet's two "crane"s and the "maillot" of classes 638/639) and
 * the given images (original label orig[i], or -1). */
static struct mlfy_store *project(size_t n_classes, const char *const *images, const int *orig, size_t n_images)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	struct mlfy_class *c = calloc(n_classes, sizeof(*c));
	static const char *const names[5] = { "tench", "goldfish", "great white shark", "tiger shark", "hammerhead" };
	static const char *const syn[5] = { "tench, Tinca tinca", "goldfish, Carassius auratus",
					    "great white shark, white shark, man-eater, Carcharodon carcharias",
					    "tiger shark, Galeocerdo cuvieri", "hammerhead, hammerhead shark" };
	size_t i;

	test_tmpfile(path, sizeof(path), "pred.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	for (i = 0; i < n_classes; i++) {
		c[i].idx = (int)i;
		c[i].ext_id = malloc(16);
		snprintf(c[i].ext_id, 16, "n%08zu", i);
		c[i].name = malloc(24);
		snprintf(c[i].name, 24, "%s", i < 5 ? names[i] : "cls");
		if (i >= 5)
			snprintf(c[i].name, 24, i == 5 ? "tench" : "cls%zu", i);
		c[i].synonyms = strdup(i < 5 ? syn[i] : i == 5 ? "goldfish" : "");
		c[i].gloss = strdup("");
	}
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	if (mlfy_catalog_add_classes(s, c, n_classes, &err))
		fail_msg("%s", err.msg);
	for (i = 0; i < n_images; i++) {
		struct mlfy_image im;
		memset(&im, 0, sizeof(im));
		im.name = (char *)images[i];
		im.path = malloc(strlen(images[i]) + 16);
		sprintf(im.path, "/data/%s", images[i]);
		im.original_label = orig ? orig[i] : -1;
		im.batch = 1;
		snprintf(im.sha256, sizeof(im.sha256), "%064zu", i);
		im.width = im.height = 10;
		im.bytes = 100;
		if (mlfy_catalog_add_image(s, &im, &err))
			fail_msg("%s", err.msg);
		free(im.path);
	}
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	mlfy_classes_free(c, n_classes);
	return s;
}

static const char *write_text(const char *name, const char *text)
{
	static char path[8][4096];
	static int slot;
	FILE *f;
	char *p = path[slot++ % 8];
	test_tmpfile(p, 4096, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return p;
}

static const char *write_f32(const char *name, const float *x, size_t rows, size_t cols)
{
	static char path[4][4096];
	static int slot;
	struct mlfy_err err;
	size_t shape[2] = { rows, cols };
	char *p = path[slot++ % 4];
	test_tmpfile(p, 4096, name);
	assert_int_equal(mlfy_npy_save(p, MLFY_NPY_F4, 2, shape, x, &err), 0);
	return p;
}

static int64_t image_id(struct mlfy_store *s, const char *name)
{
	struct mlfy_image im;
	struct mlfy_err err;
	int64_t id;
	assert_int_equal(mlfy_catalog_image_by_name(s, name, &im, &err), 0);
	id = im.id;
	mlfy_image_release(&im);
	return id;
}

/* Proposals of (image, model) into out; returns how many. */
static size_t props(struct mlfy_store *s, const char *image, const char *model, struct mlfy_proposal *out, size_t cap)
{
	struct mlfy_model m;
	struct mlfy_err err;
	size_t n;
	assert_int_equal(mlfy_models_find(s, model, &m, &err), 0);
	assert_int_equal(mlfy_proposals_get(s, image_id(s, image), m.id, out, cap, &n, &err), 0);
	mlfy_model_release(&m);
	return n;
}

static int import(struct mlfy_store *s, const char *file, const char *model, const char *order, int top, int input,
		  struct mlfy_pred_result *res, struct mlfy_err *err)
{
	struct mlfy_pred_options o;
	memset(&o, 0, sizeof(o));
	o.model = model;
	o.order_path = order;
	o.top_k = top;
	o.input = input;
	mlfy_err_clear(err);
	return mlfy_predictions_import(s, file, &o, res, err);
}

/* Imports expecting MLFY_EINVAL with frag in the message, and checks that
 * nothing was stored: the model does not exist afterwards. */
static void import_bad(struct mlfy_store *s, const char *file, const char *order, int input, const char *frag)
{
	struct mlfy_err err;
	struct mlfy_model m;
	int rc = import(s, file, "bad-model", order, 3, input, NULL, &err);
	if (rc != MLFY_EINVAL || !strstr(err.msg, frag))
		fail_msg("rc %d, message '%s' lacks '%s'", rc, err.msg, frag);
	assert_int_equal(mlfy_models_find(s, "bad-model", &m, &err), MLFY_ENOTFOUND);
}

/* ---- .npy ------------------------------------------------------------------------ */

static const char *const four[] = { "a.jpg", "b.jpg", "sub/c.jpg", "d.jpg" };

static void npy_logits_and_order(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_pred_result res;
	struct mlfy_proposal p[8];
	static const int orig[4] = { 1, 0, -1, 4 };
	/* rows for a, b, d, sub/c (name order); row 0 has a tie 3 = 3 */
	float x[4 * 5] = { 1, 3, 3, 0, -1,
			   5, 0, 0, 0, 0,
			   0, 0, 0, 0, 9,
			   0, 0, 0, 0, 0 };
	const char *f;
	size_t n;

	(void)state;
	s = project(5, four, orig, 4);
	f = write_f32("l.npy", x, 4, 5);
	assert_int_equal(import(s, f, "m1", NULL, 3, MLFY_PRED_AUTO, &res, &err), 0);
	assert_string_equal(res.kind, "npy-logits");
	assert_int_equal(res.input, MLFY_PRED_LOGITS);
	assert_int_equal(res.n_rows, 4);
	assert_int_equal(res.top_k, 3);
	assert_int_equal(res.n_without, 0);
	assert_int_equal(res.activated, 1);   /* first model */
	assert_int_equal(res.replaced, 0);
	/* top-1 vs original: a -> 1 (yes), b -> 0 (yes), d -> 4 (yes); c has none */
	assert_int_equal(res.n_top1_checked, 3);
	assert_int_equal(res.n_top1_correct, 3);

	/* a.jpg: softmax([1, 3, 3, 0, -1]); by hand: sum = e + 2 e^3 + 1 + e^-1
	 * = 2.718281828 + 40.171073846 + 1 + 0.367879441 = 44.257235115;
	 * p1 = p2 = 20.085536923 / 44.257235115 = 0.453836, p0 = 0.061420 */
	n = props(s, "a.jpg", "m1", p, 8);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].class_idx, 1);
	assert_int_equal(p[1].class_idx, 2);
	assert_int_equal(p[2].class_idx, 0);
	assert_true(fabs(p[0].score - 0.453836) < 1e-6);
	assert_true(fabs(p[1].score - 0.453836) < 1e-6);
	assert_true(fabs(p[2].score - 0.061420) < 1e-6);
	assert_int_equal(p[2].rank, 2);
	/* sub/c.jpg: all equal -> classes 0, 1, 2 at 0.2 each */
	n = props(s, "sub/c.jpg", "m1", p, 8);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].class_idx, 0);
	assert_int_equal(p[2].class_idx, 2);
	assert_true(fabs(p[0].score - 0.2) < 1e-12);

	/* the same data in another row order, with an order file naming the
	 * images by name, absolute path and unique file name */
	{
		float y[4 * 5];
		const char *ord = write_text("order.txt", "d.jpg\n/data/sub/c.jpg\nb.jpg\r\nc.jpg\n\n");
		memcpy(y, x + 10, 5 * sizeof(float));        /* d */
		memcpy(y + 5, x + 15, 5 * sizeof(float));    /* sub/c */
		memcpy(y + 10, x + 5, 5 * sizeof(float));    /* b */
		memcpy(y + 15, x + 15, 5 * sizeof(float));   /* "c.jpg" = sub/c again */
		f = write_f32("o.npy", y, 4, 5);
		/* sub/c.jpg twice (by path, then by file name): refused */
		import_bad(s, f, ord, MLFY_PRED_AUTO, "image 'sub/c.jpg' has predictions twice");
		/* a UTF-8 byte-order mark and CRLF line ends (Windows editors) are accepted */
		ord = write_text("order2.txt", "\xef\xbb\xbf" "d.jpg\r\nc.jpg\r\nb.jpg\r\na.jpg\r\n");
		memcpy(y + 15, x, 5 * sizeof(float));        /* a */
		f = write_f32("o.npy", y, 4, 5);
		assert_int_equal(import(s, f, "m2", ord, 2, MLFY_PRED_AUTO, &res, &err), 0);
		assert_int_equal(res.activated, 0);          /* not the first model */
		n = props(s, "a.jpg", "m2", p, 8);
		assert_int_equal(n, 2);
		assert_int_equal(p[0].class_idx, 1);
		assert_true(fabs(p[1].score - 0.453836) < 1e-6);
		n = props(s, "d.jpg", "m2", p, 8);
		assert_int_equal(p[0].class_idx, 4);
	}

	/* re-import of m1 for two images only: the others lose m1's proposals */
	{
		float z[2 * 5] = { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1 };
		const char *ord = write_text("order3.txt", "b.jpg\nd.jpg\n");
		struct mlfy_model act;
		f = write_f32("z.npy", z, 2, 5);
		assert_int_equal(import(s, f, "m1", ord, 3, MLFY_PRED_AUTO, &res, &err), 0);
		assert_int_equal(res.replaced, 1);
		assert_int_equal(res.n_without, 2);
		assert_int_equal(res.activated, 1);   /* it still is the active model */
		assert_int_equal(props(s, "a.jpg", "m1", p, 8), 0);
		assert_int_equal(props(s, "b.jpg", "m1", p, 8), 3);
		assert_int_equal(p[0].class_idx, 3);
		assert_int_equal(mlfy_models_active(s, &act, &err), 0);
		assert_string_equal(act.name, "m1");
		mlfy_model_release(&act);
	}
	mlfy_store_close(s);
}

static void npy_probabilities(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_pred_result res;
	struct mlfy_proposal p[4];
	/* rows are distributions (sum 1): read as probabilities */
	float x[2 * 4] = { 0.1f, 0.6f, 0.2f, 0.1f, 0.25f, 0.25f, 0.25f, 0.25f };
	static const char *const two[] = { "a.jpg", "b.jpg" };
	const char *f;

	(void)state;
	s = project(4, two, NULL, 2);
	f = write_f32("p.npy", x, 2, 4);
	assert_int_equal(import(s, f, "probs", NULL, 3, MLFY_PRED_AUTO, &res, &err), 0);
	assert_string_equal(res.kind, "npy-probs");
	assert_int_equal(props(s, "a.jpg", "probs", p, 4), 3);
	assert_int_equal(p[0].class_idx, 1);
	assert_true(p[0].score == (double)0.6f);
	/* ties 0.1 = 0.1: class 0 before class 3 */
	assert_int_equal(p[2].class_idx, 0);
	assert_int_equal(props(s, "b.jpg", "probs", p, 4), 3);
	assert_int_equal(p[0].class_idx, 0);
	assert_int_equal(p[2].class_idx, 2);

	/* forced logits on the same file: softmax of the values */
	assert_int_equal(import(s, f, "as-logits", NULL, 1, MLFY_PRED_LOGITS, &res, &err), 0);
	assert_string_equal(res.kind, "npy-logits");
	assert_int_equal(props(s, "a.jpg", "as-logits", p, 4), 1);
	/* exp(0.6) / (2 exp(0.1) + exp(0.6) + exp(0.2)) by hand:
	 * 1.8221188 / (2.2103418 + 1.8221188 + 1.2214028) = 0.346815 */
	assert_true(fabs(p[0].score - 0.346815) < 1e-6);

	/* sigmoid-style scores (not summing to 1) need --input probs */
	{
		float y[2 * 4] = { 0.9f, 0.8f, 0.1f, 0.0f, 0.5f, 0.5f, 0.5f, 0.7f };
		f = write_f32("sig.npy", y, 2, 4);
		assert_int_equal(import(s, f, "sig", NULL, 2, MLFY_PRED_PROBS, &res, &err), 0);
		assert_int_equal(props(s, "b.jpg", "sig", p, 4), 2);
		assert_int_equal(p[0].class_idx, 3);
		assert_true(p[0].score == (double)0.7f);
		/* auto reads them as logits */
		assert_int_equal(import(s, f, "sig2", NULL, 2, MLFY_PRED_AUTO, &res, &err), 0);
		assert_int_equal(res.input, MLFY_PRED_LOGITS);
	}
	/* forced probabilities must lie in [0, 1] */
	{
		float y[2 * 4] = { 0.5f, -0.1f, 0.3f, 0.3f, 0.5f, 0.5f, 0, 0 };
		import_bad(s, write_f32("neg.npy", y, 2, 4), NULL, MLFY_PRED_PROBS, "image 'a.jpg' (row 0): negative value");
		y[1] = 0.1f;
		y[4] = 1.5f;
		import_bad(s, write_f32("big.npy", y, 2, 4), NULL, MLFY_PRED_PROBS, "image 'b.jpg' (row 1): value above 1");
	}
	mlfy_store_close(s);
}

/* Every bad input: an error naming the problem, and no model stored. */
static void npy_refusals(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_proposal p[4];
	float x[4 * 5];
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		x[i] = (float)(i % 7);
	s = project(5, four, NULL, 4);
	/* class count */
	import_bad(s, write_f32("c6.npy", x, 4, 4), NULL, MLFY_PRED_AUTO, "4 columns, but the project has 5 classes");
	/* model names: control characters, invalid UTF-8, too long (they are
	 * shown on pages and written to JSON); nothing stored */
	{
		const char *ok = write_f32("ok.npy", x, 4, 5);
		char longname[MLFY_MODEL_NAME_MAX + 2];
		struct mlfy_model m;
		memset(longname, 'm', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(import(s, ok, "bad\nname", NULL, 3, MLFY_PRED_AUTO, NULL, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "model name"));
		assert_int_equal(import(s, ok, "bad\xff", NULL, 3, MLFY_PRED_AUTO, NULL, &err), MLFY_EINVAL);
		assert_int_equal(import(s, ok, longname, NULL, 3, MLFY_PRED_AUTO, NULL, &err), MLFY_EINVAL);
		assert_int_equal(mlfy_models_find(s, "bad\nname", &m, &err), MLFY_ENOTFOUND);
		longname[MLFY_MODEL_NAME_MAX] = '\0';   /* 200 bytes: fine */
		assert_int_equal(import(s, ok, longname, NULL, 3, MLFY_PRED_AUTO, NULL, &err), 0);
		assert_int_equal(import(s, ok, "ResNet-50 (timm, é)", NULL, 3, MLFY_PRED_AUTO, NULL, &err), 0);
	}
	/* row count without an order file */
	import_bad(s, write_f32("r3.npy", x, 3, 5), NULL, MLFY_PRED_AUTO,
		   "3 rows, but the project has 4 images (give --order FILE");
	/* row count against the order file */
	import_bad(s, write_f32("r4.npy", x, 4, 5), write_text("o3.txt", "a.jpg\nb.jpg\nd.jpg\n"), MLFY_PRED_AUTO,
		   "4 rows, but the order file");
	/* unknown image, blank line inside the order file */
	import_bad(s, write_f32("r2.npy", x, 2, 5), write_text("o2.txt", "a.jpg\nzebra.jpg\n"), MLFY_PRED_AUTO,
		   "row 1 (order file line 2): unknown image 'zebra.jpg'");
	{
		struct mlfy_err e2;
		int rc = import(s, write_f32("r2.npy", x, 2, 5), "bad-model", write_text("o2b.txt", "a.jpg\n\nb.jpg\n"), 3,
				MLFY_PRED_AUTO, NULL, &e2);
		assert_int_equal(rc, MLFY_EINVAL);
		assert_non_null(strstr(e2.msg, ":2: empty line"));
	}
	/* NaN and infinity, named by row and column */
	x[7] = NAN;
	import_bad(s, write_f32("nan.npy", x, 4, 5), NULL, MLFY_PRED_AUTO, "row 1 (0-based), column 2: NaN value");
	x[7] = INFINITY;
	import_bad(s, write_f32("inf.npy", x, 4, 5), NULL, MLFY_PRED_AUTO, "column 2: infinite value");
	x[7] = 1;
	/* wrong dtype and rank */
	{
		char path[4096];
		int64_t iv[20] = { 0 };
		size_t shape2[2] = { 4, 5 }, shape3[3] = { 4, 5, 1 };
		test_tmpfile(path, sizeof(path), "i8.npy");
		assert_int_equal(mlfy_npy_save(path, MLFY_NPY_I8, 2, shape2, iv, &err), 0);
		import_bad(s, path, NULL, MLFY_PRED_AUTO, "dtype <i8");
		test_tmpfile(path, sizeof(path), "3d.npy");
		assert_int_equal(mlfy_npy_save(path, MLFY_NPY_F4, 3, shape3, x, &err), 0);
		import_bad(s, path, NULL, MLFY_PRED_AUTO, "3-dimensional");
	}
	/* a truncated file */
	{
		const char *f = write_f32("t.npy", x, 4, 5);
		FILE *fp = fopen(f, "r+b");
		assert_int_equal(ftruncate(fileno(fp), 128 + 40), 0);
		fclose(fp);
		import_bad(s, f, NULL, MLFY_PRED_AUTO, "truncated");
	}
	/* missing file; --order with a timm file */
	assert_int_equal(import(s, "/nonexistent/x.npy", "m", NULL, 3, 0, NULL, &err), MLFY_ENOTFOUND);
	import_bad(s, write_text("t.csv", "filename,index,prob\na.jpg,1,0.5\n"), write_text("o.txt", "a.jpg\n"),
		   MLFY_PRED_AUTO, "--order applies to .npy files");
	/* nothing at all was stored by the failures above */
	assert_int_equal(import(s, write_f32("ok.npy", x, 4, 5), "good", NULL, 3, 0, NULL, &err), 0);
	assert_int_equal(props(s, "d.jpg", "good", p, 4), 3);
	mlfy_store_close(s);
}

/* A predictions file that covers more images than the project (the shared
 * 1000-row logits on a 100-image project): refused, with the way out named;
 * with skip_unknown the rows of unknown images are skipped and counted.
 * Ambiguous names and images given twice are still refused. */
static void skip_unknown_rows(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_pred_options o;
	struct mlfy_pred_result res;
	struct mlfy_proposal p[4];
	struct mlfy_model m;
	float x[6 * 5];
	const char *npy, *ord, *csv;
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		x[i] = (float)(i % 7);
	s = project(5, four, NULL, 4);
	npy = write_f32("six.npy", x, 6, 5);
	ord = write_text("six.txt", "zebra.jpg\na.jpg\nb.jpg\nelsewhere/okapi.jpg\nsub/c.jpg\nd.jpg\n");
	import_bad(s, npy, ord, MLFY_PRED_AUTO, "row 0 (order file line 1): unknown image 'zebra.jpg'");
	import_bad(s, npy, ord, MLFY_PRED_AUTO, "--skip-unknown");
	memset(&o, 0, sizeof(o));
	o.model = "wide";
	o.order_path = ord;
	o.top_k = 2;
	o.skip_unknown = 1;
	mlfy_err_clear(&err);
	if (mlfy_predictions_import(s, npy, &o, &res, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(res.n_rows, 4);
	assert_int_equal(res.n_skipped, 2);
	assert_int_equal(res.n_without, 0);
	/* row 1 (a.jpg) is 5 6 0 1 2: top-2 classes 1, 0 */
	assert_int_equal(props(s, "a.jpg", "wide", p, 4), 2);
	assert_int_equal(p[0].class_idx, 1);
	assert_int_equal(p[1].class_idx, 0);
	/* row 5 (d.jpg) is 4 5 6 0 1: classes 2, 1 */
	assert_int_equal(props(s, "d.jpg", "wide", p, 4), 2);
	assert_int_equal(p[0].class_idx, 2);
	/* timm files too; an image given twice is still refused */
	csv = write_text("skip.csv", "filename,index,prob\nokapi.jpg,[1 2],[0.5 0.2]\nb.jpg,[3 0],[0.6 0.1]\n");
	o.model = "timm";
	o.order_path = NULL;
	assert_int_equal(mlfy_predictions_import(s, csv, &o, &res, &err), 0);
	assert_int_equal(res.n_rows, 1);
	assert_int_equal(res.n_skipped, 1);
	assert_int_equal(res.n_without, 3);
	csv = write_text("twice.csv", "filename,index,prob\nokapi.jpg,1,0.5\nb.jpg,3,0.6\nb.jpg,3,0.6\n");
	o.model = "twice";
	assert_int_equal(mlfy_predictions_import(s, csv, &o, &res, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "image 'b.jpg' has predictions twice"));
	/* every row unknown: nothing to import */
	csv = write_text("none.csv", "filename,index,prob\nokapi.jpg,1,0.5\n");
	o.model = "none";
	assert_int_equal(mlfy_predictions_import(s, csv, &o, &res, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "none of its 1 row names an image of the project"));
	assert_int_equal(mlfy_models_find(s, "none", &m, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

/* An empty file is said to be empty, also when --order is given (it once
 * was taken for a timm CSV file: "--order applies to .npy files"). */
static void empty_file(void **state)
{
	struct mlfy_store *s;
	const char *empty = write_text("empty.npy", "");

	(void)state;
	s = project(5, four, NULL, 4);
	import_bad(s, empty, write_text("o4.txt", "a.jpg\nb.jpg\nd.jpg\nsub/c.jpg\n"), MLFY_PRED_AUTO,
		   "empty.npy: empty file");
	import_bad(s, empty, NULL, MLFY_PRED_AUTO, "empty.npy: empty file");
	mlfy_store_close(s);
}

/* ---- timm inference.py ------------------------------------------------------ */

/* The layouts below mirror what inference.py writes through pandas:
 * DataFrame.to_csv (cells of numpy arrays are str(array): "[2 0 4]",
 * wrapped over lines and then quoted when long; --topk 1 squeezes them
 * to scalars) and DataFrame.to_json(orient='index' | 'split').  Classes
 * 0..4 are named tench, goldfish, great white shark, tiger shark,
 * hammerhead with ids n00000000 .. n00000004 in this fixture. */
static const char *const three[] = { "x/a.jpg", "x/b.jpg", "y/c.jpg" };

static void check_abc(struct mlfy_store *s, const char *model)
{
	struct mlfy_proposal p[4];
	assert_int_equal(props(s, "x/a.jpg", model, p, 4), 3);
	assert_int_equal(p[0].class_idx, 2);
	assert_int_equal(p[1].class_idx, 0);
	assert_int_equal(p[2].class_idx, 4);
	assert_true(fabs(p[0].score - 0.6) < 1e-9);
	assert_true(fabs(p[2].score - 0.05) < 1e-9);
	assert_int_equal(props(s, "x/b.jpg", model, p, 4), 3);
	/* 0.25 = 0.25 tie: class 1 before class 3 whatever the file's order */
	assert_int_equal(p[0].class_idx, 1);
	assert_int_equal(p[1].class_idx, 3);
	assert_int_equal(p[2].class_idx, 2);
}

static void timm_layouts(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_pred_result res;
	static const int orig[3] = { 2, 1, 0 };

	(void)state;
	s = project(5, three, orig, 3);
	/* --include-index, default label type (descriptions), CSV; a long
	 * list wrapped over two lines and quoted */
	assert_int_equal(import(s, write_text("r.csv",
		"filename,index,label,prob\n"
		"a.jpg,[2 0 4],\"['great white shark, white shark, man-eater, Carcharodon carcharias'\n"
		" 'tench, Tinca tinca' 'hammerhead, hammerhead shark']\",[0.6  0.3  0.05]\n"
		"b.jpg,[3 1 2],\"['tiger shark, Galeocerdo cuvieri' 'goldfish, Carassius auratus'\n"
		" 'great white shark, white shark, man-eater, Carcharodon carcharias']\",\"[0.25 0.25\n"
		" 0.125]\"\n"),
		"csv", NULL, 5, 0, &res, &err), 0);
	assert_string_equal(res.kind, "timm-csv");
	assert_int_equal(res.n_rows, 2);
	assert_int_equal(res.n_without, 1);
	assert_int_equal(res.n_top1_checked, 2);
	assert_int_equal(res.n_top1_correct, 2);   /* a: top-1 2 = orig 2; b: top-1 1 (tie rule) = orig 1 */
	check_abc(s, "csv");

	/* no index column: labels as WordNet ids (--label-type name), Python
	 * list syntax with commas */
	assert_int_equal(import(s, write_text("n.csv",
		"filename,label,prob\n"
		"x/a.jpg,\"['n00000002', 'n00000000', 'n00000004']\",\"[0.6, 0.3, 0.05]\"\n"
		"/data/x/b.jpg,\"['n00000003', 'n00000001', 'n00000002']\",\"[0.25, 0.25, 0.125]\"\n"),
		"names", NULL, 5, 0, &res, &err), 0);
	check_abc(s, "names");

	/* one column per rank (--results-separate-col) */
	assert_int_equal(import(s, write_text("sep.csv",
		"filename,index_0,index_1,index_2,prob_0,prob_1,prob_2\n"
		"a.jpg,2,0,4,0.6,0.3,0.05\n"
		"b.jpg,3,1,2,0.25,0.25,0.125\n"),
		"sep", NULL, 5, 0, &res, &err), 0);
	check_abc(s, "sep");

	/* JSON, orient=index (the default json format) */
	assert_int_equal(import(s, write_text("r.json",
		"{\n    \"a.jpg\":{\n        \"index\":[2, 0, 4],\n        \"prob\":[0.6, 0.3, 0.05]\n    },\n"
		"    \"b.jpg\":{\n        \"index\":[3, 1, 2],\n        \"prob\":[0.25, 0.25, 0.125]\n    }\n}\n"),
		"json", NULL, 5, 0, &res, &err), 0);
	assert_string_equal(res.kind, "timm-json");
	check_abc(s, "json");

	/* JSON, orient=split (json-split) */
	assert_int_equal(import(s, write_text("split.json",
		"{\"columns\":[\"filename\",\"index\",\"prob\"],\"data\":[[\"a.jpg\",[2,0,4],[0.6,0.3,0.05]],"
		"[\"b.jpg\",[3,1,2],[0.25,0.25,0.125]]]}"),
		"split", NULL, 5, 0, &res, &err), 0);
	check_abc(s, "split");

	/* JSON lines (orient=records, lines=True) */
	assert_int_equal(import(s, write_text("rec.json",
		"{\"filename\":\"a.jpg\",\"index\":[2,0,4],\"prob\":[0.6,0.3,0.05]}\n"
		"{\"filename\":\"b.jpg\",\"index\":[3,1,2],\"prob\":[0.25,0.25,0.125]}\n"),
		"lines", NULL, 5, 0, &res, &err), 0);
	check_abc(s, "lines");

	/* --topk 1: scalars */
	{
		struct mlfy_proposal p[2];
		assert_int_equal(import(s, write_text("t1.csv", "filename,index,label,prob\n"
							      "c.jpg,0,\"tench, Tinca tinca\",0.75\n"),
					"top1", NULL, 5, 0, &res, &err), 0);
		assert_int_equal(props(s, "y/c.jpg", "top1", p, 2), 1);
		assert_int_equal(p[0].class_idx, 0);
		assert_true(fabs(p[0].score - 0.75) < 1e-12);
		/* the label alone (no index) also works: the description */
		assert_int_equal(import(s, write_text("t1l.csv", "filename,label,prob\n"
							       "c.jpg,\"hammerhead, hammerhead shark\",0.75\n"),
					"top1l", NULL, 5, 0, &res, &err), 0);
		assert_int_equal(props(s, "y/c.jpg", "top1l", p, 2), 1);
		assert_int_equal(p[0].class_idx, 4);
	}
	/* --topk 0 --output-type logit: full logit vectors, softmax applied;
	 * a custom --filename-col */
	{
		struct mlfy_proposal p[2];
		assert_int_equal(import(s, write_text("full.csv", "image,logit\n"
							       "a.jpg,[0. 0. 0. 0. 0.]\n"
							       "b.jpg,[0.  0.  0.  0.  2.5]\n"),
					"full", NULL, 2, 0, &res, &err), 0);
		assert_int_equal(res.input, MLFY_PRED_LOGITS);
		assert_int_equal(props(s, "x/b.jpg", "full", p, 2), 2);
		assert_int_equal(p[0].class_idx, 4);
		/* e^2.5 / (4 + e^2.5) = 12.182494 / 16.182494 = 0.752819 */
		assert_true(fabs(p[0].score - 0.752819) < 1e-6);
		assert_int_equal(p[1].class_idx, 0);
	}
	mlfy_store_close(s);
}

/* Labels without indices: an id beats a synonym list beats a name; two
 * classes with the same best match are ambiguous. */
static void timm_label_lookup(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_proposal p[3];
	static const char *const one[] = { "a.jpg" };

	(void)state;
	s = project(6, one, NULL, 1);
	assert_int_equal(import(s, write_text("l1.csv", "filename,label,prob\n"
						     "a.jpg,\"['goldfish' 'tench, Tinca tinca' 'n00000001']\",[0.5 0.25 0.125]\n"),
				"lab", NULL, 3, 0, NULL, &err), 0);
	assert_int_equal(props(s, "a.jpg", "lab", p, 3), 3);
	assert_int_equal(p[0].class_idx, 5);   /* class 5's synonyms, not class 1's name */
	assert_int_equal(p[1].class_idx, 0);
	assert_int_equal(p[2].class_idx, 1);
	import_bad(s, write_text("l2.csv", "filename,label,prob\na.jpg,['tench'],[0.5]\n"), NULL, 0,
		   "label 'tench' names several classes");
	mlfy_store_close(s);
}

static void timm_refusals(void **state)
{
	struct mlfy_store *s;
	static const char *const imgs[] = { "a.jpg", "b.jpg", "dir1/same.jpg", "dir2/same.jpg" };

	(void)state;
	s = project(5, imgs, NULL, 4);
	import_bad(s, write_text("l.csv", "filename,index,logit\na.jpg,[2 0 4],[6.1 5.0 1.2]\n"), NULL, 0,
		   "top-3 logits cannot be turned into probabilities");
	import_bad(s, write_text("u.csv", "filename,index,prob\nzz.jpg,[2 0 4],[0.6 0.3 0.05]\n"), NULL, 0,
		   "line 2: unknown image 'zz.jpg'");
	/* a file name that is not UTF-8 is named as such (was "no file name column") */
	import_bad(s, write_text("utf.csv", "filename,index,prob\n\xff" "a.jpg,[2 0 4],[0.6 0.3 0.05]\n"), NULL, 0,
		   "utf.csv:2: the file name is not valid UTF-8");
	import_bad(s, write_text("amb.csv", "filename,index,prob\nsame.jpg,[2 0 4],[0.6 0.3 0.05]\n"), NULL, 0,
		   "matches several project images");
	import_bad(s, write_text("dup.csv", "filename,index,prob\na.jpg,[2 0 4],[0.6 0.3 0.05]\n"
						 "a.jpg,[2 0 4],[0.6 0.3 0.05]\n"), NULL, 0,
		   "line 3: image 'a.jpg' has predictions twice");
	import_bad(s, write_text("rng.csv", "filename,index,prob\na.jpg,[2 0 5],[0.6 0.3 0.05]\n"), NULL, 0,
		   "class index 5 out of range [0, 4]");
	import_bad(s, write_text("rep.csv", "filename,index,prob\na.jpg,[2 0 2],[0.6 0.3 0.05]\n"), NULL, 0,
		   "class 2 appears twice");
	import_bad(s, write_text("nan.csv", "filename,index,prob\na.jpg,[2 0 4],[0.6 nan 0.05]\n"), NULL, 0,
		   "item 1: NaN value");
	import_bad(s, write_text("len.csv", "filename,index,prob\na.jpg,[2 0 4],[0.6 0.3]\n"), NULL, 0,
		   "3 class indices but 2 values");
	import_bad(s, write_text("sum.csv", "filename,index,prob\na.jpg,[2 0 4],[0.6 0.5 0.05]\n"), NULL, 0,
		   "sum to 1.15 > 1");
	import_bad(s, write_text("p2.csv", "filename,index,prob\na.jpg,[2 0 4],[1.6 0.3 0.05]\n"), NULL, 0,
		   "1.6 is not a probability");
	import_bad(s, write_text("noidx.csv", "filename,prob\na.jpg,[0.6 0.3 0.05]\n"), NULL, 0,
		   "3 values and no class indices");
	import_bad(s, write_text("noout.csv", "filename,index\na.jpg,[2 0 4]\n"), NULL, 0, "no output column");
	import_bad(s, write_text("lab.csv", "filename,label,prob\na.jpg,\"['zebra']\",[0.5]\n"), NULL, 0,
		   "label 'zebra' is not a class of the project");
	import_bad(s, write_text("fields.csv", "filename,index,prob\na.jpg,[2 0 4]\n"), NULL, 0,
		   ":2: 2 fields, the header has 3");
	import_bad(s, write_text("q.csv", "filename,index,prob\na.jpg,\"[2 0 4],[0.6]\n"), NULL, 0,
		   "unterminated quoted field");
	import_bad(s, write_text("bad.json", "{\"a.jpg\": {\"index\": [2, 0 4]}}"), NULL, 0, "invalid JSON");
	import_bad(s, write_text("ent.json", "{\"a.jpg\": [2, 0, 4]}"), NULL, 0, "expected an object of columns");
	mlfy_store_close(s);
}

/* ---- the shared darknet logits ------------------------------------------------- */

/* models/README.md: dog.jpg -> malamute 0.74, Eskimo dog 0.09, dogsled
 * 0.06, Siberian husky 0.05, bicycle-built-for-two 0.015, mountain bike
 * 0.008.  Exact values: numpy 1.24, float64 softmax of the float32 row,
 * order np.lexsort((arange(1000), -p)). */
static void darknet_logits(void **state)
{
	char npy[4096], order[4096];
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_pred_result res;
	struct mlfy_proposal p[20];
	static const char *const photos[] = { "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg",
					      "kite.jpg", "person.jpg", "scream.jpg" };
	static const int dog_cls[6] = { 249, 248, 537, 250, 444, 671 };
	static const double dog_p[6] = { 0.742701, 0.091451, 0.059592, 0.052994, 0.014542, 0.008332 };
	static const int eagle_cls[3] = { 22, 23, 21 };
	static const double eagle_p[3] = { 0.772231, 0.117615, 0.076429 };
	int i;

	(void)state;
	if (!test_shared(npy, sizeof(npy), "models/darknet-photos.mobilenetv2-12-int8.logits.npy") ||
	    !test_shared(order, sizeof(order), "models/darknet-photos.order.txt"))
		skip();
	s = project(1000, photos, NULL, 7);
	assert_int_equal(import(s, npy, "mobilenetv2-12-int8", order, 20, 0, &res, &err), 0);
	assert_string_equal(res.kind, "npy-logits");
	assert_int_equal(res.n_rows, 7);
	assert_int_equal(res.top_k, 20);
	assert_int_equal(props(s, "dog.jpg", "mobilenetv2-12-int8", p, 20), 20);
	for (i = 0; i < 6; i++) {
		assert_int_equal(p[i].class_idx, dog_cls[i]);
		if (fabs(p[i].score - dog_p[i]) > 5e-7)
			fail_msg("dog.jpg rank %d: %.7f, want %.6f", i, p[i].score, dog_p[i]);
	}
	for (i = 1; i < 20; i++)
		assert_true(p[i].score <= p[i - 1].score);
	assert_int_equal(props(s, "eagle.jpg", "mobilenetv2-12-int8", p, 20), 20);
	for (i = 0; i < 3; i++) {
		assert_int_equal(p[i].class_idx, eagle_cls[i]);
		assert_true(fabs(p[i].score - eagle_p[i]) < 5e-7);
	}
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(npy_logits_and_order),
		cmocka_unit_test(npy_probabilities),
		cmocka_unit_test(npy_refusals),
		cmocka_unit_test(skip_unknown_rows),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(timm_layouts),
		cmocka_unit_test(timm_label_lookup),
		cmocka_unit_test(timm_refusals),
		cmocka_unit_test(darknet_logits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
