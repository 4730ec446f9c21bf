/* test_plot.c - the axis and label helpers of src/report/plot.c: tick
 * labels stay distinct on narrow ranges, a degenerate range widens, and
 * shortened names keep the end that tells them apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/plot.h"
#include "testutil.h"

/* Formats the ticks of [lo, hi] as mlfy_plot_axes does (decimals dec, or
 * those the step needs) and fails when two labels read the same. */
static void assert_distinct_ticks(double lo, double hi, int dec)
{
	char labels[64][32];
	double first, step;
	int n, i, j;

	n = mlfy_plot_ticks(lo, hi, 6, &first, &step);
	assert_in_range(n, 2, 64);
	dec = mlfy_plot_step_decimals(step, dec);
	for (i = 0; i < n; i++) {
		mlfy_plot_fmt(labels[i], sizeof(labels[i]), first + i * step, dec);
		for (j = 0; j < i; j++)
			if (!strcmp(labels[i], labels[j]))
				fail_msg("[%g, %g]: ticks %d and %d both read '%s' (step %g, %d decimals)",
					 lo, hi, j, i, labels[i], step, dec);
	}
}

static void test_step_decimals(void **state)
{
	(void)state;
	assert_int_equal(mlfy_plot_step_decimals(10, 0), 0);
	assert_int_equal(mlfy_plot_step_decimals(1, 0), 0);
	assert_int_equal(mlfy_plot_step_decimals(5, 1), 1);   /* the caller's minimum stays */
	assert_int_equal(mlfy_plot_step_decimals(0.5, 0), 1);
	assert_int_equal(mlfy_plot_step_decimals(0.2, 0), 1);
	assert_int_equal(mlfy_plot_step_decimals(0.1, 0), 1);
	assert_int_equal(mlfy_plot_step_decimals(0.05, 0), 2);
	assert_int_equal(mlfy_plot_step_decimals(0.02, 1), 2);
	assert_int_equal(mlfy_plot_step_decimals(0.2, MLFY_PLOT_G), MLFY_PLOT_G);
	assert_int_equal(mlfy_plot_step_decimals(0.2, MLFY_PLOT_NONE), MLFY_PLOT_NONE);
}

/* Five models between 82.1 % and 82.9 % top-1: the scatter's axis asked
 * for 0 decimals and printed "82 82 82 83 83 83". */
static void test_narrow_ranges(void **state)
{
	double lo, hi;
	(void)state;
	lo = 82.1 - 0.03 * 0.8;
	hi = 82.9 + 0.03 * 0.8;
	mlfy_plot_nice_range(&lo, &hi, 6);
	assert_distinct_ticks(lo, hi, 0);
	assert_distinct_ticks(83.5, 84.01, 0);
	assert_distinct_ticks(40, 100, 0);
	assert_distinct_ticks(0.0012, 0.0019, 0);
}

/* Every model at ReaL 100 %: the scatter pads the range by 3 % of 1e-9,
 * which left [100 - 3e-11, 100 + 3e-11] and six ticks all reading "100". */
static void test_degenerate_range(void **state)
{
	double lo = 100 - 3e-11, hi = 100 + 3e-11;
	(void)state;
	mlfy_plot_nice_range(&lo, &hi, 6);
	assert_true(lo <= 99 && hi >= 101);
	assert_distinct_ticks(lo, hi, 0);
	lo = hi = 0;
	mlfy_plot_nice_range(&lo, &hi, 6);
	assert_true(lo <= -1 && hi >= 1);
	lo = 1e-12;   /* tiny but distinct values are a real range */
	hi = 3e-12;
	mlfy_plot_nice_range(&lo, &hi, 6);
	assert_true(lo <= 1e-12 && hi >= 3e-12 && hi - lo < 1e-11);
}

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int k = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
		if ((*p & 0xC0) == 0x80)
			return 0;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

/* Names of one model family differ at the end; cutting the end (the old
 * "convnextv2_huge.fcmae_ft_in22k_in1k_51...") made heatmap rows and
 * legend entries indistinguishable. */
static void test_ellipsize(void **state)
{
	const char *a = "convnextv2_huge.fcmae_ft_in22k_in1k_512_v12";
	const char *b = "convnextv2_huge.fcmae_ft_in22k_in1k_512_v17";
	const char *u = "\xC3\xA9t\xC3\xA9_mod\xC3\xA8le_tr\xC3\xA8s_long_\xC3\xA0_\xC3\xA9tiquette_\xC3\xA9";
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
	cairo_t *cr = cairo_create(sf);
	char ba[128], bb[128], bu[128], ref[128];
	double w;
	int i;
	(void)state;
	mlfy_plot_set_font(cr, MLFY_PLOT_FS_LABEL, 0);
	w = 0.6 * mlfy_plot_text_width(cr, a);
	mlfy_plot_ellipsize(cr, a, w, ba, sizeof(ba));
	mlfy_plot_ellipsize(cr, b, w, bb, sizeof(bb));
	assert_true(mlfy_plot_text_width(cr, ba) <= w);
	assert_non_null(strstr(ba, "..."));
	assert_string_not_equal(ba, bb);
	assert_true(strlen(ba) > 4 && !strcmp(ba + strlen(ba) - 4, "_v12"));
	assert_true(!strncmp(ba, "convnext", 8));
	/* a short name is kept whole */
	assert_string_equal(mlfy_plot_ellipsize(cr, "resnet50", w, ref, sizeof(ref)), "resnet50");
	/* never a cut inside a UTF-8 sequence, at any width */
	for (i = 5; i < (int)mlfy_plot_text_width(cr, u); i += 3) {
		mlfy_plot_ellipsize(cr, u, i, bu, sizeof(bu));
		assert_true(valid_utf8(bu));
	}
	cairo_destroy(cr);
	cairo_surface_destroy(sf);
	mlfy_plot_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_decimals),
		cmocka_unit_test(test_narrow_ranges),
		cmocka_unit_test(test_degenerate_range),
		cmocka_unit_test(test_ellipsize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
