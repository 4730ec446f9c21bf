/* test_session.c - ONNX Runtime sessions and the decode/inference pipeline
 * on the committed tiny models (tests/propose/data, make_tiny_model.py):
 * model introspection (NCHW/NHWC, fixed batch 1, outputs), logits and
 * features against values computed with numpy (tolerance 1e-4: float32 sums
 * in a different order), the quantised-model default
 * session.x64quantprecision=1, --ort-option handling, broken images skipped
 * in the pipeline, top-k with softmax scores, and a clean stop.  Skipped
 * when this build has no ONNX Runtime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "propose/pipeline.h"
#include "propose/session.h"
#include "util/topk.h"
#include "testutil.h"
#include "fixtures.h"

static const struct mlfy_session_opts default_opts = { .quant_auto = 1, .intra_threads = 1 };

static struct mlfy_session *open_fixture(const char *name, const struct mlfy_session_opts *o)
{
	char path[4096];
	struct mlfy_session *s = NULL;
	struct mlfy_err err;
	if (mlfy_session_open(fixture(path, sizeof(path), name), o, &s, &err))
		fail_msg("%s: %s", name, err.msg);
	return s;
}

static void close_to(const float *got, json_t *want, double tol, const char *what)
{
	size_t i;
	for (i = 0; i < json_array_size(want); i++) {
		double w = json_number_value(json_array_get(want, i));
		if (fabs(got[i] - w) > tol)
			fail_msg("%s[%zu] = %.7g, expected %.7g", what, i, got[i], w);
	}
}

static void introspection(void **state)
{
	struct mlfy_session *s;
	const struct mlfy_session_info *in;
	(void)state;
	s = open_fixture("tiny.onnx", &default_opts);
	in = mlfy_session_info(s);
	assert_string_equal(in->input.name, "input");
	assert_int_equal(in->layout, MLFY_TENSOR_NCHW);
	assert_int_equal(in->batch, -1);
	assert_int_equal(in->height, 8);
	assert_int_equal(in->width, 8);
	assert_int_equal(in->n_outputs, 2);
	assert_string_equal(in->outputs[0].name, "logits");
	assert_int_equal(in->outputs[0].rank, 2);
	assert_int_equal(in->outputs[0].dims[1], 10);
	assert_string_equal(in->outputs[1].name, "features");
	assert_int_equal(in->quantized, 0);
	assert_null(strstr(in->applied, "x64quantprecision"));
	mlfy_session_close(s);

	s = open_fixture("tiny_b1_nhwc_bg.onnx", &default_opts);
	in = mlfy_session_info(s);
	assert_int_equal(in->layout, MLFY_TENSOR_NHWC);
	assert_int_equal(in->batch, 1);
	assert_int_equal(in->outputs[0].dims[1], 11);
	mlfy_session_close(s);
}

static void logits_and_features(void **state)
{
	json_t *exp = fixture_expected(), *tensors = json_object_get(exp, "tensors");
	json_t *tiny = json_object_get(exp, "tiny"), *v;
	struct mlfy_session *s = open_fixture("tiny.onnx", &default_opts);
	const char *key;
	float input[8 * 192], logits[8 * 10], feats[8 * 3];
	float *dst[2] = { logits, feats };
	size_t want[2] = { 0, 1 }, cap[2] = { 10, 3 }, row[2], n = 0, i;
	struct mlfy_err err;
	const char *keys[8];
	(void)state;

	json_object_foreach(tensors, key, v) {
		json_floats(v, input + n * 192, 192);
		keys[n++] = key;
	}
	assert_int_equal(n, 7);
	if (mlfy_session_run(s, input, (int64_t)n, 8, 8, 2, want, dst, cap, row, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(row[0], 10);
	assert_int_equal(row[1], 3);
	for (i = 0; i < n; i++) {
		json_t *e = json_object_get(tiny, keys[i]);
		close_to(logits + i * 10, json_object_get(e, "logits"), 1e-4, keys[i]);
		close_to(feats + i * 3, json_object_get(e, "features"), 1e-5, keys[i]);
	}
	/* a row capacity below the output size is refused, not overrun */
	cap[0] = 5;
	assert_int_equal(mlfy_session_run(s, input, 1, 8, 8, 1, want, dst, cap, row, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "logits"));
	mlfy_session_close(s);
	json_decref(exp);
}

static void fixed_batch_nhwc(void **state)
{
	json_t *exp = fixture_expected(), *tensors = json_object_get(exp, "tensors");
	json_t *bg = json_object_get(exp, "tiny_b1_nhwc_bg");
	struct mlfy_session *s = open_fixture("tiny_b1_nhwc_bg.onnx", &default_opts);
	float nchw[192], nhwc[192], out[11], *dst[1] = { out };
	size_t want[1] = { 0 }, cap[1] = { 11 }, row[1];
	struct mlfy_err err;
	int c, i;
	(void)state;
	json_floats(json_object_get(tensors, "wide12x8.png"), nchw, 192);
	for (i = 0; i < 64; i++)
		for (c = 0; c < 3; c++)
			nhwc[i * 3 + c] = nchw[c * 64 + i];
	if (mlfy_session_run(s, nhwc, 1, 8, 8, 1, want, dst, cap, row, &err))
		fail_msg("%s", err.msg);
	close_to(out, json_object_get(json_object_get(bg, "wide12x8.png"), "output"), 1e-4, "output");
	/* the model's batch size is fixed: 2 images at once are refused */
	{
		float two[2 * 192], out2[2 * 11], *d2[1] = { out2 };
		memcpy(two, nhwc, sizeof(nhwc));
		memcpy(two + 192, nhwc, sizeof(nhwc));
		assert_int_equal(mlfy_session_run(s, two, 2, 8, 8, 1, want, d2, cap, row, &err), MLFY_EINVAL);
	}
	mlfy_session_close(s);
	json_decref(exp);
}

static void quantised_default_and_options(void **state)
{
	struct mlfy_session *s;
	const struct mlfy_session_info *in;
	struct mlfy_ort_option opts[2] = {
		{ "session.x64quantprecision", "0" },
		{ "graph_optimization_level", "basic" },
	};
	struct mlfy_session_opts o = default_opts;
	struct mlfy_err err;
	char path[4096];
	(void)state;

	s = open_fixture("tiny_qdq.onnx", &default_opts);
	in = mlfy_session_info(s);
	assert_int_equal(in->quantized, 1);
	assert_string_equal(in->first_quant_op, "QuantizeLinear");
	assert_non_null(strstr(in->applied, "session.x64quantprecision=1"));
	mlfy_session_close(s);

	/* the user's value wins over the default */
	o.options = opts;
	o.n_options = 2;
	s = open_fixture("tiny_qdq.onnx", &o);
	in = mlfy_session_info(s);
	assert_non_null(strstr(in->applied, "session.x64quantprecision=0"));
	assert_null(strstr(in->applied, "session.x64quantprecision=1"));
	assert_non_null(strstr(in->applied, "graph_optimization_level=basic"));
	mlfy_session_close(s);

	/* the default can be switched off */
	o.n_options = 0;
	o.quant_auto = 0;
	s = open_fixture("tiny_qdq.onnx", &o);
	assert_null(strstr(mlfy_session_info(s)->applied, "x64quantprecision"));
	mlfy_session_close(s);

	/* a bad value is refused, naming the option */
	opts[1].value = "fastest";
	o.options = &opts[1];
	o.n_options = 1;
	assert_int_equal(mlfy_session_open(fixture(path, sizeof(path), "tiny.onnx"), &o, &s, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "graph_optimization_level"));
	assert_null(s);
}

static void bad_models(void **state)
{
	struct mlfy_session *s = NULL;
	struct mlfy_err err;
	char path[4096];
	(void)state;
	assert_int_equal(mlfy_session_open(fixture(path, sizeof(path), "absent.onnx"), &default_opts, &s, &err),
			 MLFY_ENOTFOUND);
	assert_int_equal(mlfy_session_open(fixture(path, sizeof(path), "rgb8.png"), &default_opts, &s, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "rgb8.png"));
	assert_null(s);
}

/* ---- the pipeline ---------------------------------------------------------------- */

struct collect {
	json_t *tiny;
	const char *const *names;
	int n_ok, n_failed, n_batches;
	int stop_after;                 /* batches; 0 = never */
	volatile sig_atomic_t *stop;
	int topk_checked;
};

static int collect_cb(const struct mlfy_batch_result *r, void *ctx, struct mlfy_err *err)
{
	struct collect *c = ctx;
	size_t i;
	(void)err;
	c->n_batches++;
	for (i = 0; i < r->n; i++) {
		const char *name = c->names[r->first + i];
		json_t *e = json_object_get(c->tiny, name);
		if (!r->ok[i]) {
			assert_non_null(r->error[i]);
			assert_non_null(strstr(r->error[i], name));
			assert_null(e);
			c->n_failed++;
			continue;
		}
		assert_non_null(e);
		assert_int_equal(r->logits_len, 10);
		assert_int_equal(r->features_len, 3);
		close_to(r->logits + i * 10, json_object_get(e, "logits"), 1e-4, name);
		close_to(r->features + i * 3, json_object_get(e, "features"), 1e-5, name);
		{
			double p[10];
			int idx[5];
			json_t *top = json_object_get(e, "top5"), *sc = json_object_get(e, "top5_scores");
			assert_int_equal(mlfy_softmax_f32(r->logits + i * 10, 10, p), 0);
			mlfy_topk_f64(p, 10, 5, idx);
			for (int k = 0; k < 5; k++) {
				assert_int_equal(idx[k], json_integer_value(json_array_get(top, (size_t)k)));
				assert_true(fabs(p[idx[k]] - json_number_value(json_array_get(sc, (size_t)k))) < 1e-5);
			}
			c->topk_checked++;
		}
		c->n_ok++;
	}
	if (c->stop_after && c->n_batches == c->stop_after)
		*c->stop = 1;
	return 0;
}

static int count_cb(const struct mlfy_batch_result *r, void *ctx, struct mlfy_err *e)
{
	(void)e;
	assert_int_equal(r->n, 1);
	if (r->ok[0]) {
		assert_int_equal(r->logits_len, 11);
		(*(int *)ctx)++;
	}
	return 0;
}

static void pipeline_run(void **state)
{
	static const char *const names[] = { "rgb8.png", "truncated.jpg", "wide12x8.png", "tall8x11.png",
					     "notimage.jpg", "grey8.png", "rgba8.png", "rgb16.png" };
	char paths_buf[8][4096];
	const char *paths[8];
	json_t *exp = fixture_expected();
	struct mlfy_session *s = open_fixture("tiny.onnx", &default_opts);
	struct mlfy_prep prep;
	struct mlfy_pipeline_opts o;
	struct mlfy_pipeline_stats st;
	struct collect c;
	volatile sig_atomic_t stop = 0;
	struct mlfy_err err;
	int i;
	(void)state;

	for (i = 0; i < 8; i++)
		paths[i] = fixture(paths_buf[i], sizeof(paths_buf[i]), names[i]);
	mlfy_prep_init(&prep);
	prep.height = prep.width = 8;
	prep.crop_pct = 1.0;
	memset(&o, 0, sizeof(o));
	o.prep = &prep;
	o.session = s;
	o.logits_output = 0;
	o.logits_cap = 10;
	o.features_output = 1;
	o.features_cap = 3;
	o.batch = 3;
	o.decode_threads = 2;
	o.stop = &stop;

	memset(&c, 0, sizeof(c));
	c.tiny = json_object_get(exp, "tiny");
	c.names = names;
	c.stop = &stop;
	if (mlfy_pipeline_run(&o, paths, 8, collect_cb, &c, &st, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(c.n_ok, 6);
	assert_int_equal(c.n_failed, 2);
	assert_int_equal(c.topk_checked, 6);
	assert_int_equal(c.n_batches, 3);
	assert_int_equal(st.items_done, 8);

	/* a stop request after the first batch: the run ends between batches */
	memset(&c, 0, sizeof(c));
	c.tiny = json_object_get(exp, "tiny");
	c.names = names;
	c.stop = &stop;
	c.stop_after = 1;
	assert_int_equal(mlfy_pipeline_run(&o, paths, 8, collect_cb, &c, &st, &err), MLFY_EINTR);
	assert_int_equal(c.n_batches, 1);
	assert_int_equal(st.items_done, 3);
	assert_non_null(strstr(err.msg, "interrupted"));
	mlfy_session_close(s);

	/* a fixed batch size of 1, NHWC, one decode thread */
	stop = 0;
	s = open_fixture("tiny_b1_nhwc_bg.onnx", &default_opts);
	prep.layout = MLFY_TENSOR_NHWC;
	o.session = s;
	o.logits_cap = 11;
	o.features_output = MLFY_NO_OUTPUT;
	o.batch = 1;
	o.pad_batch = 1;
	o.decode_threads = 1;
	o.stop = NULL;
	{
		struct mlfy_pipeline_stats st2;
		int n = 0;
		assert_int_equal(mlfy_pipeline_run(&o, paths, 8, count_cb, &n, &st2, &err), 0);
		assert_int_equal(n, 6);
		assert_int_equal(st2.batches_done, 8);
	}
	mlfy_session_close(s);
	json_decref(exp);
}

static int skip_without_ort(void **state)
{
	(void)state;
	if (!mlfy_session_available()) {
		fprintf(stderr, "skipping: %s\n", mlfy_session_runtime());
		exit(77);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(introspection),
		cmocka_unit_test(logits_and_features),
		cmocka_unit_test(fixed_batch_nhwc),
		cmocka_unit_test(quantised_default_and_options),
		cmocka_unit_test(bad_models),
		cmocka_unit_test(pipeline_run),
	};
	return cmocka_run_group_tests(tests, skip_without_ort, NULL);
}
