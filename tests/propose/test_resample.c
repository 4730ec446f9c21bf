/* test_resample.c - Pillow-compatible resampling (src/propose/resample.c)
 * against values computed by hand from Pillow's algorithm
 * (libImaging/Resample.c: kernel support scaled by the reduction factor,
 * sample centres at i + 0.5, weights renormalised over the taps inside the
 * image).  Each expected value below shows its computation; results are
 * 8-bit, rounded half up by the fixed-point code, so they are exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "propose/resample.h"

static const uint8_t row8[8] = { 10, 50, 90, 200, 30, 0, 255, 100 };

static void resize_row(const uint8_t *in, int in_w, int out_w, enum mlfy_filter f, uint8_t *out)
{
	struct mlfy_resample_window w = { .out_w = out_w, .out_h = 1, .x0 = 0, .y0 = 0,
					  .win_w = out_w, .win_h = 1 };
	struct mlfy_err err;
	assert_int_equal(mlfy_resample_u8(in, in_w, 1, (size_t)in_w, 1, f, &w, out, &err), 0);
}

static void bilinear_shrink_by_2(void **state)
{
	uint8_t out[4];
	(void)state;
	/* scale 2, support 2.  out0: centre 1.0, taps x=0,1,2 weights tri((x+0.5-1)/2)
	 * = .75 .75 .25 -> (7.5 + 37.5 + 22.5) / 1.75 = 38.57 -> 39
	 * out1: centre 3, taps 1..4: .25 .75 .75 .25 -> (12.5+67.5+150+7.5)/2 = 118.75 -> 119
	 * out2: centre 5, taps 3..6 -> (50 + 22.5 + 0 + 63.75) / 2 = 68.125 -> 68
	 * out3: centre 7, taps 5..7: .25 .75 .75 -> (0 + 191.25 + 75) / 1.75 = 152.14 -> 152 */
	resize_row(row8, 8, 4, MLFY_FILTER_BILINEAR, out);
	assert_int_equal(out[0], 39);
	assert_int_equal(out[1], 119);
	assert_int_equal(out[2], 68);
	assert_int_equal(out[3], 152);
}

static void bilinear_shrink_fractional(void **state)
{
	uint8_t out[5];
	(void)state;
	/* 8 -> 5: scale 1.6, support 1.6.
	 * out0: centre 0.8, taps 0,1: tri(-.3/1.6)=.8125, tri(.7/1.6)=.5625 ->
	 *   (8.125 + 28.125) / 1.375 = 26.36 -> 26
	 * out1: centre 2.4, taps 1..3: .4375 .9375 .3125 -> 168.75 / 1.6875 = 100
	 * out2: centre 4.0, taps 2..5: .0625 .6875 .6875 .0625 -> 163.75 / 1.5 = 109.17 -> 109 */
	resize_row(row8, 8, 5, MLFY_FILTER_BILINEAR, out);
	assert_int_equal(out[0], 26);
	assert_int_equal(out[1], 100);
	assert_int_equal(out[2], 109);
}

static void bilinear_upsample(void **state)
{
	static const uint8_t in[4] = { 10, 50, 90, 200 };
	uint8_t out[6];
	(void)state;
	/* 4 -> 6: scale 2/3, support 1 (no stretch when enlarging).
	 * centres .333 1 1.667 2.333 3 3.667:
	 * out0: tap 0 only -> 10;  out1: .5 .5 -> 30;  out2: taps 1,2 .8333 .1667 -> 56.67 -> 57
	 * out3: .1667 .8333 -> 83.33 -> 83;  out4: .5 .5 -> 145;  out5: tap 3 only -> 200 */
	resize_row(in, 4, 6, MLFY_FILTER_BILINEAR, out);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[1], 30);
	assert_int_equal(out[2], 57);
	assert_int_equal(out[3], 83);
	assert_int_equal(out[4], 145);
	assert_int_equal(out[5], 200);
}

static void bicubic_shrink_by_2(void **state)
{
	uint8_t out[4];
	(void)state;
	/* Keys cubic, a = -0.5, support 2 * 2 = 4.  out1: centre 3, taps 0..6 at
	 * (x - 2.5) / 2 = -1.25 -.75 -.25 .25 .75 1.25 1.75 with weights
	 * -.0703125 .2265625 .8671875 .8671875 .2265625 -.0703125 -.0234375
	 * (sum 2.0234375); sum of w*x = 262.9296875 -> 129.94 -> 130 */
	resize_row(row8, 8, 4, MLFY_FILTER_BICUBIC, out);
	assert_int_equal(out[1], 130);
}

static void box_and_nearest(void **state)
{
	uint8_t out[4];
	(void)state;
	/* box, scale 2: support 1; out0 centre 1: taps 0,1 (box(-.25), box(.25)),
	 * x=2 gives box(.75)=0 -> (10+50)/2 = 30; out1 -> (90+200)/2 = 145 */
	resize_row(row8, 8, 4, MLFY_FILTER_BOX, out);
	assert_int_equal(out[0], 30);
	assert_int_equal(out[1], 145);
	assert_int_equal(out[2], 15);      /* (30 + 0) / 2 */
	assert_int_equal(out[3], 178);     /* (255 + 100) / 2 = 177.5 -> 178 */
	/* nearest: source index int((i + 0.5) * 2) = 1, 3, 5, 7 */
	resize_row(row8, 8, 4, MLFY_FILTER_NEAREST, out);
	assert_int_equal(out[0], 50);
	assert_int_equal(out[1], 200);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 100);
}

static void same_size_is_identity(void **state)
{
	uint8_t out[8];
	enum mlfy_filter f;
	(void)state;
	for (f = MLFY_FILTER_NEAREST; f <= MLFY_FILTER_LANCZOS; f++) {
		resize_row(row8, 8, 8, f, out);
		assert_memory_equal(out, row8, 8);
	}
}

/* The window of a 2-D resize equals the same part of the full resize, and
 * the 2-D result of a separable image is the product of the 1-D passes. */
static void window_matches_full_resize(void **state)
{
	uint8_t img[6 * 9 * 3], full[4 * 5 * 3], win[2 * 3 * 3];
	struct mlfy_resample_window w = { .out_w = 5, .out_h = 4, .x0 = 0, .y0 = 0, .win_w = 5, .win_h = 4 };
	struct mlfy_err err;
	int x, y, c;
	(void)state;
	for (y = 0; y < 6; y++)
		for (x = 0; x < 9; x++)
			for (c = 0; c < 3; c++)
				img[(y * 9 + x) * 3 + c] = (uint8_t)((x * 37 + y * 91 + c * 53) % 256);
	assert_int_equal(mlfy_resample_u8(img, 9, 6, 27, 3, MLFY_FILTER_BICUBIC, &w, full, &err), 0);
	w.x0 = 1;
	w.y0 = 2;
	w.win_w = 3;
	w.win_h = 2;
	assert_int_equal(mlfy_resample_u8(img, 9, 6, 27, 3, MLFY_FILTER_BICUBIC, &w, win, &err), 0);
	for (y = 0; y < 2; y++)
		assert_memory_equal(&win[y * 3 * 3], &full[((y + 2) * 5 + 1) * 3], 3 * 3);
}

static void window_padding(void **state)
{
	uint8_t img[2 * 2] = { 1, 2, 3, 4 }, out[4 * 4];
	struct mlfy_resample_window w = { .out_w = 2, .out_h = 2, .x0 = -1, .y0 = -1,
					  .win_w = 4, .win_h = 4, .fill = { 9 } };
	struct mlfy_err err;
	static const uint8_t want[16] = { 9, 9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9, 9, 9, 9 };
	(void)state;
	assert_int_equal(mlfy_resample_u8(img, 2, 2, 2, 1, MLFY_FILTER_BILINEAR, &w, out, &err), 0);
	assert_memory_equal(out, want, 16);
}

static void rejects_bad_arguments(void **state)
{
	uint8_t img[4] = { 0 }, out[4];
	struct mlfy_resample_window w = { .out_w = 0, .out_h = 2, .win_w = 2, .win_h = 2 };
	struct mlfy_err err;
	enum mlfy_filter f;
	(void)state;
	assert_int_equal(mlfy_resample_u8(img, 2, 2, 2, 1, MLFY_FILTER_BILINEAR, &w, out, &err),
			 MLFY_EINVAL);
	w.out_w = 2;
	assert_int_equal(mlfy_resample_u8(img, 2, 2, 1, 1, MLFY_FILTER_BILINEAR, &w, out, &err),
			 MLFY_EINVAL); /* stride < width */
	assert_int_equal(mlfy_filter_parse("BICUBIC", &f, &err), 0);
	assert_int_equal(f, MLFY_FILTER_BICUBIC);
	assert_string_equal(mlfy_filter_name(f), "bicubic");
	assert_int_equal(mlfy_filter_parse("random", &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "random"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bilinear_shrink_by_2),
		cmocka_unit_test(bilinear_shrink_fractional),
		cmocka_unit_test(bilinear_upsample),
		cmocka_unit_test(bicubic_shrink_by_2),
		cmocka_unit_test(box_and_nearest),
		cmocka_unit_test(same_size_is_identity),
		cmocka_unit_test(window_matches_full_resize),
		cmocka_unit_test(window_padding),
		cmocka_unit_test(rejects_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
