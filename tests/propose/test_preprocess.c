/* test_preprocess.c - image file -> model tensor (src/propose/preprocess.c):
 * exact tensors for the committed fixtures (expected.json, computed by
 * make_tiny_model.py with torchvision's float32 arithmetic), EXIF
 * orientation, 16-bit/grey/alpha handling, shrink-on-load, corrupt files,
 * the crop geometry of timm/torchvision (hand-computed cases) and reading
 * timm config.json files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "propose/preprocess.h"
#include "testutil.h"
#include "fixtures.h"

static void prep_8x8(struct mlfy_prep *p)
{
	mlfy_prep_init(p);
	p->height = p->width = 8;
	p->crop_pct = 1.0;
}

/* Every image listed in expected.json gives its tensor bit for bit. */
static void exact_tensors(void **state)
{
	json_t *exp = fixture_expected(), *tensors = json_object_get(exp, "tensors"), *v;
	const char *key;
	char path[4096], name[256];
	float got[192], want[192];
	struct mlfy_prep p;
	struct mlfy_prep_info info;
	struct mlfy_err err;
	int n = 0;

	(void)state;
	json_object_foreach(tensors, key, v) {
		const char *colon = strchr(key, ':');
		prep_8x8(&p);
		snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - key) : (int)strlen(key), key);
		if (colon && !strcmp(colon + 1, "drop"))
			p.alpha = MLFY_ALPHA_DROP;
		assert_int_equal(json_floats(v, want, 192), 192);
		if (mlfy_prep_image(&p, fixture(path, sizeof(path), name), got, &info, &err))
			fail_msg("%s: %s", key, err.msg);
		for (int i = 0; i < 192; i++)
			if (got[i] != want[i])
				fail_msg("%s: element %d is %.9g, expected %.9g", key, i, got[i], want[i]);
		if (!strcmp(name, "rgba8.png"))
			assert_int_equal(info.had_alpha, 1);
		if (!strcmp(name, "rgb16.png"))
			assert_int_equal(info.bits, 16);
		if (!strcmp(name, "grey8.png"))
			assert_int_equal(info.bands, 1);
		n++;
	}
	assert_int_equal(n, 7);
	json_decref(exp);
}

/* NHWC layout is the same numbers interleaved. */
static void nhwc_layout(void **state)
{
	char path[4096];
	float nchw[192], nhwc[192];
	struct mlfy_prep p;
	struct mlfy_err err;
	int c, i;
	(void)state;
	prep_8x8(&p);
	assert_int_equal(mlfy_prep_image(&p, fixture(path, sizeof(path), "wide12x8.png"), nchw, NULL, &err), 0);
	p.layout = MLFY_TENSOR_NHWC;
	assert_int_equal(mlfy_prep_image(&p, path, nhwc, NULL, &err), 0);
	for (i = 0; i < 64; i++)
		for (c = 0; c < 3; c++)
			assert_true(nhwc[i * 3 + c] == nchw[c * 64 + i]);
}

/* back to a 0..255 pixel value from a normalised tensor value */
static double pixel(const struct mlfy_prep *p, const float *t, int c, int y, int x)
{
	float v = t[(c * p->height + y) * p->width + x];
	return (v * p->std[c] + p->mean[c]) * 255.0;
}

static void exif_orientation(void **state)
{
	char path[4096];
	float t[3 * 8 * 16];
	struct mlfy_prep p;
	struct mlfy_prep_info info;
	struct mlfy_err err;
	(void)state;
	/* displayed: 16 wide, 8 high; left half red, right half blue, a green
	 * 4x4 block at the top left (make_tiny_model.py) */
	mlfy_prep_init(&p);
	p.height = 8;
	p.width = 16;
	p.crop_pct = 1.0;
	if (mlfy_prep_image(&p, fixture(path, sizeof(path), "orient6.jpg"), t, &info, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(info.orientation, 6);
	assert_int_equal(info.width, 16);
	assert_int_equal(info.height, 8);
	/* JPEG at quality 100 without chroma subsampling: within a few levels */
	assert_true(fabs(pixel(&p, t, 1, 1, 1) - 255) < 8 && fabs(pixel(&p, t, 0, 1, 1)) < 8);
	assert_true(fabs(pixel(&p, t, 0, 6, 6) - 255) < 8 && fabs(pixel(&p, t, 2, 6, 6)) < 8);
	assert_true(fabs(pixel(&p, t, 2, 4, 12) - 255) < 8 && fabs(pixel(&p, t, 0, 4, 12)) < 8);
}

static void shrink_on_load(void **state)
{
	char path[4096];
	float a[192], b[192];
	struct mlfy_prep p;
	struct mlfy_prep_info info;
	struct mlfy_err err;
	double maxd = 0;
	int i;
	(void)state;
	prep_8x8(&p);
	/* 128x128 -> 8x8 is a 16x reduction: the JPEG is decoded at 1/4 (32x32,
	 * the largest factor used), the filter does the rest */
	assert_int_equal(mlfy_prep_image(&p, fixture(path, sizeof(path), "big128.jpg"), a, &info, &err), 0);
	assert_int_equal(info.shrink, 4);
	assert_int_equal(info.decoded_w, 32);
	assert_int_equal(info.width, 128);
	p.shrink_on_load = 0;
	assert_int_equal(mlfy_prep_image(&p, path, b, &info, &err), 0);
	assert_int_equal(info.shrink, 1);
	assert_int_equal(info.decoded_w, 128);
	for (i = 0; i < 192; i++) {
		double d = fabs((double)a[i] - b[i]) * 0.229 * 255; /* about pixel levels */
		if (d > maxd)
			maxd = d;
	}
	/* a smooth gradient: the two paths agree to a few levels */
	assert_true(maxd < 6.0);
}

static void broken_files(void **state)
{
	char path[4096];
	float t[192];
	struct mlfy_prep p;
	struct mlfy_err err;
	(void)state;
	prep_8x8(&p);
	assert_int_equal(mlfy_prep_image(&p, fixture(path, sizeof(path), "truncated.jpg"), t, NULL, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "truncated.jpg"));
	assert_int_equal(mlfy_prep_image(&p, fixture(path, sizeof(path), "notimage.jpg"), t, NULL, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "notimage.jpg"));
	assert_int_equal(mlfy_prep_image(&p, fixture(path, sizeof(path), "missing.png"), t, NULL, &err),
			 MLFY_EIO);
	assert_non_null(strstr(err.msg, "missing.png"));
	/* a directory is not an image */
	assert_int_equal(mlfy_prep_image(&p, test_tmpdir(), t, NULL, &err), MLFY_EINVAL);
}

static void geometry(void **state)
{
	struct mlfy_prep p;
	struct mlfy_resample_window w;
	(void)state;
	mlfy_prep_init(&p);
	p.height = p.width = 224; /* crop_pct 0.875: scale 256 */
	/* torchvision Resize(256) of 500x375: 341x256 (int(256*500/375) = 341),
	 * crop offsets round(117/2) = 58 (half to even), 16 */
	mlfy_prep_geometry(&p, 500, 375, &w);
	assert_int_equal(w.out_w, 341);
	assert_int_equal(w.out_h, 256);
	assert_int_equal(w.x0, 58);
	assert_int_equal(w.y0, 16);
	mlfy_prep_geometry(&p, 375, 500, &w);
	assert_int_equal(w.out_w, 256);
	assert_int_equal(w.out_h, 341);
	assert_int_equal(w.y0, 58);
	/* floor(224 / 0.95) = 235 */
	p.crop_pct = 0.95;
	mlfy_prep_geometry(&p, 100, 100, &w);
	assert_int_equal(w.out_w, 235);
	assert_int_equal(w.x0, 6); /* round(11 / 2) = round(5.5) = 6 */
	/* squash */
	p.crop_pct = 0.875;
	p.crop_mode = MLFY_CROP_SQUASH;
	mlfy_prep_geometry(&p, 500, 375, &w);
	assert_int_equal(w.out_w, 256);
	assert_int_equal(w.out_h, 256);
	assert_int_equal(w.x0, 16);
	/* border: r = max(375/224, 500/224); 224 x round(168.0) = 168; padded
	 * (224 - 168) / 2 = 28 rows above with round(255 * mean) */
	p.crop_mode = MLFY_CROP_BORDER;
	p.crop_pct = 1.0;
	mlfy_prep_geometry(&p, 500, 375, &w);
	assert_int_equal(w.out_w, 224);
	assert_int_equal(w.out_h, 168);
	assert_int_equal(w.y0, -28);
	assert_int_equal(w.fill[0], 124); /* 123.675 */
	assert_int_equal(w.fill[1], 116); /* 116.28 */
	assert_int_equal(w.fill[2], 104); /* 103.53 */
	/* non-square input: timm ResizeKeepRatio, r = min(480/224, 640/320) = 2 */
	p.crop_mode = MLFY_CROP_CENTER;
	p.height = 224;
	p.width = 320;
	mlfy_prep_geometry(&p, 640, 480, &w);
	assert_int_equal(w.out_w, 320);
	assert_int_equal(w.out_h, 240);
	assert_int_equal(w.y0, 8);
	assert_int_equal(w.x0, 0);
	/* Python round(d / 2) */
	assert_int_equal(mlfy_round_half_even_div2(1), 0);
	assert_int_equal(mlfy_round_half_even_div2(3), 2);
	assert_int_equal(mlfy_round_half_even_div2(5), 2);
	assert_int_equal(mlfy_round_half_even_div2(119), 60);
	assert_int_equal(mlfy_round_half_even_div2(8), 4);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void timm_config(void **state)
{
	char path[4096];
	struct mlfy_prep p;
	struct mlfy_prep_extra ex;
	struct mlfy_err err;
	(void)state;

	/* Hugging Face hub config.json of a timm model */
	test_tmpfile(path, sizeof(path), "config.json");
	write_file(path,
		   "{\"architecture\": \"convnext_tiny\", \"num_classes\": 1000,\n"
		   " \"pretrained_cfg\": {\"input_size\": [3, 288, 320], \"interpolation\": \"bicubic\",\n"
		   "  \"mean\": [0.5, 0.5, 0.5], \"std\": [0.25, 0.5, 1.0], \"crop_pct\": 0.95,\n"
		   "  \"crop_mode\": \"squash\", \"test_input_size\": [3, 384, 384], \"test_crop_pct\": 1.0,\n"
		   "  \"label_offset\": 1}}\n");
	mlfy_prep_init(&p);
	assert_int_equal(mlfy_prep_load_config(path, &p, &ex, &err), 0);
	assert_int_equal(p.height, 288);
	assert_int_equal(p.width, 320);
	assert_int_equal(p.filter, MLFY_FILTER_BICUBIC);
	assert_true(p.mean[1] == 0.5 && p.std[0] == 0.25 && p.std[2] == 1.0);
	assert_true(p.crop_pct == 0.95);
	assert_int_equal(p.crop_mode, MLFY_CROP_SQUASH);
	assert_int_equal(ex.num_classes, 1000);
	assert_int_equal(ex.label_offset, 1);
	assert_int_equal(ex.test_height, 384);
	assert_true(ex.test_crop_pct == 1.0);
	assert_string_equal(ex.architecture, "convnext_tiny");

	/* a bare pretrained_cfg; keys absent keep their values */
	write_file(path, "{\"crop_pct\": 0.9, \"interpolation\": \"bilinear\", \"mean\": null}");
	mlfy_prep_init(&p);
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), 0);
	assert_true(p.crop_pct == 0.9);
	assert_true(p.mean[0] == 0.485);
	assert_int_equal(p.height, 0);

	/* errors name the file and the key; *p is unchanged */
	write_file(path, "{\"pretrained_cfg\": {\"crop_pct\": -1}}");
	mlfy_prep_init(&p);
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "pretrained_cfg.crop_pct"));
	assert_non_null(strstr(err.msg, "config.json"));
	assert_true(p.crop_pct == 0.875);
	write_file(path, "{\"interpolation\": \"random\"}");
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "interpolation"));
	write_file(path, "{\"input_size\": [1, 224, 224]}");
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_EUNSUPPORTED);
	write_file(path, "{\"mean\": [0.5, 0.5]}");
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "mean"));
	write_file(path, "{\n\"crop_pct\": 0.9,\n oops}");
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, ":3:"));
	test_tmpfile(path, sizeof(path), "absent.json");
	assert_int_equal(mlfy_prep_load_config(path, &p, NULL, &err), MLFY_ENOTFOUND);
}

static void parsers(void **state)
{
	struct mlfy_err err;
	double v[3];
	int h, w;
	enum mlfy_crop_mode m;
	enum mlfy_alpha a;
	(void)state;
	assert_int_equal(mlfy_prep_parse_size("224", &h, &w, &err), 0);
	assert_true(h == 224 && w == 224);
	assert_int_equal(mlfy_prep_parse_size("256x320", &h, &w, &err), 0);
	assert_true(h == 256 && w == 320);
	assert_int_equal(mlfy_prep_parse_size("0", &h, &w, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_prep_parse_size("12x", &h, &w, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_prep_parse_triple("0.5, 0.25,1", v, &err), 0);
	assert_true(v[0] == 0.5 && v[1] == 0.25 && v[2] == 1.0);
	assert_int_equal(mlfy_prep_parse_triple("0.5,0.25", v, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_prep_parse_triple("1,2,3,4", v, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_prep_parse_crop_mode("border", &m, &err), 0);
	assert_int_equal(m, MLFY_CROP_BORDER);
	assert_int_equal(mlfy_prep_parse_crop_mode("random", &m, &err), MLFY_EUNSUPPORTED);
	assert_int_equal(mlfy_prep_parse_alpha("drop", &a, &err), 0);
	assert_int_equal(a, MLFY_ALPHA_DROP);
	assert_int_equal(mlfy_prep_parse_alpha("pink", &a, &err), MLFY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_tensors),
		cmocka_unit_test(nhwc_layout),
		cmocka_unit_test(exif_orientation),
		cmocka_unit_test(shrink_on_load),
		cmocka_unit_test(broken_files),
		cmocka_unit_test(geometry),
		cmocka_unit_test(timm_config),
		cmocka_unit_test(parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
