/* test_onnx_scan.c - the ONNX protobuf scan (src/propose/onnx_scan.c) that
 * detects quantised models: node and quantisation-operator counts of the
 * committed tiny models (their graphs are listed in make_tiny_model.py) and
 * of the real MobileNetV2 int8 model (73 nodes of which 68 are QLinear* /
 * (De)QuantizeLinear, counted with onnx.load in Python); malformed input
 * (every truncation of a model, random bytes) is refused without crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "propose/onnx_scan.h"
#include "testutil.h"
#include "fixtures.h"

static void tiny_models(void **state)
{
	struct mlfy_onnx_scan sc;
	struct mlfy_err err;
	char path[4096];
	(void)state;
	assert_int_equal(mlfy_onnx_scan_file(fixture(path, sizeof(path), "tiny.onnx"), &sc, &err), 0);
	assert_int_equal(sc.ir_version, 7);
	assert_int_equal(sc.n_nodes, 3);
	assert_int_equal(sc.n_quantized, 0);
	assert_string_equal(sc.first_quant_op, "");
	assert_int_equal(mlfy_onnx_scan_file(fixture(path, sizeof(path), "tiny_qdq.onnx"), &sc, &err), 0);
	assert_int_equal(sc.n_nodes, 4);
	assert_int_equal(sc.n_quantized, 2);
	assert_string_equal(sc.first_quant_op, "QuantizeLinear");
	assert_int_equal(mlfy_onnx_scan_file(fixture(path, sizeof(path), "rgb8.png"), &sc, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "rgb8.png"));
	assert_int_equal(mlfy_onnx_scan_file(fixture(path, sizeof(path), "absent.onnx"), &sc, &err),
			 MLFY_ENOTFOUND);
}

static void real_model(void **state)
{
	struct mlfy_onnx_scan sc;
	struct mlfy_err err;
	char path[4096];
	(void)state;
	if (!test_shared(path, sizeof(path), "models/mobilenetv2-12-int8.onnx"))
		skip();
	assert_int_equal(mlfy_onnx_scan_file(path, &sc, &err), 0);
	assert_int_equal(sc.n_nodes, 73);
	assert_int_equal(sc.n_quantized, 68);
}

static void op_names(void **state)
{
	(void)state;
	assert_true(mlfy_onnx_op_is_quantized("QLinearConv", 11));
	assert_true(mlfy_onnx_op_is_quantized("QLinearGlobalAveragePool", 24));
	assert_true(mlfy_onnx_op_is_quantized("DequantizeLinear", 16));
	assert_true(mlfy_onnx_op_is_quantized("MatMulInteger", 13));
	assert_false(mlfy_onnx_op_is_quantized("Conv", 4));
	assert_false(mlfy_onnx_op_is_quantized("QLinea", 6));
	assert_false(mlfy_onnx_op_is_quantized("MatMulIntegerX", 14));
}

static void malformed(void **state)
{
	struct mlfy_onnx_scan sc;
	struct mlfy_err err;
	char path[4096];
	unsigned char *buf, *cut;
	size_t len, n;
	FILE *f;
	unsigned v = 7;
	int ok = 0;
	(void)state;
	f = fopen(fixture(path, sizeof(path), "tiny_qdq.onnx"), "rb");
	assert_non_null(f);
	buf = malloc(1 << 16);
	len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	/* every proper prefix (in its own allocation, so ASan sees overreads) */
	for (n = 0; n < len; n++) {
		int rc;
		cut = malloc(n ? n : 1);
		memcpy(cut, buf, n);
		rc = mlfy_onnx_scan_mem(cut, n, &sc, &err);
		assert_true(rc == 0 || rc == MLFY_EINVAL);
		if (rc == 0)
			assert_true(sc.n_nodes <= 4);
		ok += rc == 0;
		free(cut);
	}
	/* the full file scans; a prefix cut inside a field does not */
	assert_int_equal(mlfy_onnx_scan_mem(buf, len, &sc, &err), 0);
	assert_true(ok < (int)len);
	/* random bytes */
	for (n = 0; n < 2000; n++) {
		v = v * 1103515245u + 12345u;
		buf[n] = (unsigned char)(v >> 16);
	}
	assert_int_equal(mlfy_onnx_scan_mem(buf, 2000, &sc, &err), MLFY_EINVAL);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tiny_models),
		cmocka_unit_test(real_model),
		cmocka_unit_test(op_names),
		cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
