/* test_figures.c - each figure renders to SVG, PNG and PDF with sane
 * headers and sizes (src/report/figures.c).  Set MLFY_FIG_KEEP=DIR to
 * write the figures there for a look. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>

#include "evaluate/fit.h"
#include "report/figures.h"
#include "testutil.h"

static const char *outdir(void)
{
	const char *k = getenv("MLFY_FIG_KEEP");
	return k && *k ? k : test_tmpdir();
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void read_head(const char *path, unsigned char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
}

/* Checks dir/name.{svg,png,pdf}: magic bytes, PNG dimensions within
 * [min_w, max_w] x [min_h, max_h] pixels, sizes above a floor that an
 * empty drawing does not reach. */
static void check_outputs(const char *name, unsigned min_w, unsigned max_w, unsigned min_h,
			  unsigned max_h)
{
	char path[4096];
	unsigned char h[32];
	unsigned pw, ph;

	snprintf(path, sizeof(path), "%s/%s.png", outdir(), name);
	read_head(path, h, 24);
	assert_memory_equal(h, "\x89PNG\r\n\x1a\n", 8);
	pw = (unsigned)h[16] << 24 | (unsigned)h[17] << 16 | (unsigned)h[18] << 8 | h[19];
	ph = (unsigned)h[20] << 24 | (unsigned)h[21] << 16 | (unsigned)h[22] << 8 | h[23];
	assert_in_range(pw, min_w, max_w);
	assert_in_range(ph, min_h, max_h);
	assert_true(file_size(path) > 10000);

	snprintf(path, sizeof(path), "%s/%s.pdf", outdir(), name);
	read_head(path, h, 5);
	assert_memory_equal(h, "%PDF-", 5);
	assert_true(file_size(path) > 2000);

	snprintf(path, sizeof(path), "%s/%s.svg", outdir(), name);
	read_head(path, h, 5);
	assert_memory_equal(h, "<?xml", 5);
	assert_true(file_size(path) > 2000);
}

/* The label-count distribution of the seed paper's ImageNetV2 labels
 * (refined_labels.json: 129 / 5,083 / 2,385 / 1,306 / 1,097 images with
 * 0 / 1 / 2 / 3 / >=4 labels). */
static void test_donut(void **state)
{
	const struct mlfy_fig_slice s[] = {
		{ "0 labels", 129 }, { "1 label", 5083 }, { "2 labels", 2385 },
		{ "3 labels", 1306 }, { "\xE2\x89\xA5" "4 labels", 1097 },
	};
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_fig_donut(outdir(), "donut", MLFY_FIG_ALL,
					"Labels per image (ImageNetV2)", s, 5, &err), 0);
	check_outputs("donut", 900, 1100, 600, 700);
	assert_int_equal(mlfy_fig_donut(outdir(), "donut0", MLFY_FIG_PNG, "x", s, 0, &err),
			 MLFY_EINVAL);
}

static void test_scatter(void **state)
{
	enum { N = 300 };
	double x[N], y[N];
	char *names[N];
	struct mlfy_linfit fit;
	struct mlfy_err err;
	struct mlfy_fig_scatter f;
	size_t i;
	(void)state;
	srand(3);
	for (i = 0; i < N; i++) {
		x[i] = 60 + 30.0 * rand() / RAND_MAX;
		y[i] = 19.86 + 0.8187 * x[i] + 1.2 * ((double)rand() / RAND_MAX - 0.5);
		names[i] = malloc(64);
		snprintf(names[i], 64, "model_%03zu.some_long_tag_in1k", i);
	}
	y[5] += 6;
	y[17] -= 5;
	y[40] += 4;
	assert_int_equal(mlfy_linfit(x, y, N, &fit, &err), 0);
	f = (struct mlfy_fig_scatter){ "ReaL accuracy vs top-1 accuracy", "top-1 accuracy (%)",
				       "ReaL accuracy (%)", "top-1", "ReaL", N, x, y,
				       (const char *const *)names, &fit, 2.0, 8 };
	assert_int_equal(mlfy_fig_scatter(outdir(), "scatter", MLFY_FIG_ALL, &f, &err), 0);
	check_outputs("scatter", 1000, 1100, 750, 850);
	x[3] = NAN;
	assert_int_equal(mlfy_fig_scatter(outdir(), "bad", MLFY_FIG_PNG, &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "point 4"));
	mlfy_linfit_release(&fit);
	for (i = 0; i < N; i++)
		free(names[i]);
}

static void test_heatmap(void **state)
{
	const char *rows[] = { "resnet50.a1_in1k", "vit_base_patch16_224.augreg2_in21k_ft_in1k",
			       "mobilenetv2_100.ra_in1k" };
	const char *cols[] = { "1", "2", "3", "\xE2\x89\xA5" "4" };
	const char *notes[] = { "n=5,083", "n=2,385", "n=1,306", "n=1,097" };
	const double v[] = { 85.1, 60.2, 45.3, 30.0, 90.5, 70.1, 55.0, NAN, 75.0, 50.0, 35.5, 20.1 };
	struct mlfy_fig_heatmap f = { "Top-1 accuracy by label count", "label count",
				      "top-1 accuracy (%)", 3, 4, rows, cols, notes, v, 1, 0, 100, 0 };
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_fig_heatmap(outdir(), "heatmap", MLFY_FIG_ALL, &f, &err), 0);
	check_outputs("heatmap", 700, 1400, 300, 700);
	f.vmax = f.vmin;
	assert_int_equal(mlfy_fig_heatmap(outdir(), "bad", MLFY_FIG_PNG, &f, &err), MLFY_EINVAL);
}

static void test_bars_and_curves(void **state)
{
	const char *cats[] = { "no valid proposal", "low resolution", "fine-grained",
			       "unusual object or view" };
	const size_t counts[] = { 61, 17, 33, 18 };
	double x[20], y[3 * 20], e[3 * 20];
	const char *names[] = { "all labels", "images with 1 label", "images with \xE2\x89\xA5" "2 labels" };
	struct mlfy_fig_curves c;
	struct mlfy_err err;
	int i, s;
	(void)state;
	assert_int_equal(mlfy_fig_bars(outdir(), "bars", MLFY_FIG_ALL,
				       "Images without labels: expert review",
				       "images", cats, counts, 4, &err), 0);
	check_outputs("bars", 900, 1100, 300, 500);
	for (i = 0; i < 20; i++) {
		x[i] = i + 1;
		for (s = 0; s < 3; s++) {
			y[s * 20 + i] = 100 * (1 - exp(-(i + 1) / (2.0 + s)));
			e[s * 20 + i] = 2.0 + s;
		}
	}
	c = (struct mlfy_fig_curves){ "Proposal coverage", "proposals shown (k)",
				      "final labels in the top-k (%)", 3, 20, x, y, names, NULL,
				      NULL, 1, 0, 100, 0 };
	assert_int_equal(mlfy_fig_curves(outdir(), "curves", MLFY_FIG_ALL, &c, &err), 0);
	check_outputs("curves", 900, 1400, 600, 800);
	/* accuracy by label count with error bars (the paper's Fig. 5 style) */
	for (i = 0; i < 5; i++) {
		x[i] = i + 1;
		for (s = 0; s < 3; s++) {
			y[s * 5 + i] = 90 - 12 * i - 4 * s;
			e[s * 5 + i] = 1.0 + 2 * i;
		}
	}
	c.yerr = e;
	c.n_points = 5;
	assert_int_equal(mlfy_fig_curves(outdir(), "curves_err", MLFY_FIG_PNG, &c, &err), 0);
}

/* A figure that cannot be written names the file and the system's reason
 * (it said cairo's "error while writing to output stream"), and leaves no
 * temporary file behind on success. */
static void test_write_errors(void **state)
{
	const char *cats[] = { "a", "b" };
	const size_t counts[] = { 2, 1 };
	char dir[4096], path[4096];
	struct stat st;
	struct mlfy_err err;
	(void)state;
	snprintf(dir, sizeof(dir), "%s/no/such/dir", test_tmpdir());
	assert_int_equal(mlfy_fig_bars(dir, "bars", MLFY_FIG_ALL, "t", "x", cats, counts, 2, &err),
			 MLFY_EIO);
	assert_non_null(strstr(err.msg, "no/such/dir/bars.svg: cannot write figure: No such file or "
					"directory"));
	assert_int_equal(mlfy_fig_bars(dir, "bars", MLFY_FIG_PNG, "t", "x", cats, counts, 2, &err),
			 MLFY_EIO);
	assert_non_null(strstr(err.msg, "bars.png: cannot write figure: No such file or directory"));
	assert_int_equal(mlfy_fig_bars(outdir(), "bars2", MLFY_FIG_ALL, "t", "x", cats, counts, 2,
				       &err), 0);
	snprintf(path, sizeof(path), "%s/bars2.pdf", outdir());
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/bars2.pdf.tmp", outdir());
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/bars2.png.tmp", outdir());
	assert_int_not_equal(stat(path, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_donut),
		cmocka_unit_test(test_scatter),
		cmocka_unit_test(test_heatmap),
		cmocka_unit_test(test_bars_and_curves),
		cmocka_unit_test(test_write_errors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mlfy_plot_shutdown();
	return rc;
}
