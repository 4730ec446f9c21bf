/* onnx_scan.h - a minimal reader of ONNX model files (protobuf wire format)
 * that lists the operator types of the main graph, to tell quantised models
 * apart without loading them.
 *
 * Why: ONNX Runtime's x86-64 int8 kernels (u8 activations x s8 weights) can
 * overflow their 16-bit intermediate sums on CPUs without AVX-512 VNNI and
 * lose accuracy (our MobileNetV2 int8 reference: top-1 74.9 % instead of
 * 82.5 %); the session option session.x64quantprecision=1 selects the exact
 * u8u8 kernels.  mlfy propose turns it on by default when a model contains a
 * quantisation operator (see docs/propose.md).
 *
 * Format: onnx/onnx.proto (ModelProto.graph = field 7, GraphProto.node =
 * field 1, NodeProto.op_type = field 4) and the protobuf encoding
 * documentation (varints, wire types 0, 1, 2, 5).  Subgraphs inside node
 * attributes (If, Loop) and model-local functions are not visited.
 */
#ifndef MLFY_PROPOSE_ONNX_SCAN_H
#define MLFY_PROPOSE_ONNX_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

struct mlfy_onnx_scan {
	int64_t ir_version;       /* ModelProto.ir_version, 0 when absent */
	int64_t n_nodes;          /* nodes of the main graph */
	int64_t n_quantized;      /* of which quantisation operators */
	char first_quant_op[64];  /* op_type of the first such node, "" when none */
};

/* 1 when op (len bytes, not NUL-terminated) is a quantisation operator:
 * QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * ConvInteger, DynamicQuantizeMatMul, MatMulIntegerToFloat, QGemm,
 * QAttention, or any QLinear* operator (QLinearConv, QLinearMatMul,
 * QLinearAdd, ... of the ONNX and com.microsoft domains). */
int mlfy_onnx_op_is_quantized(const char *op, size_t len);

/* Scans the serialized ModelProto buf[0..len) (borrowed).  Errors:
 * MLFY_EINVAL when the bytes are not a well-formed ModelProto with a graph
 * (the message says where the encoding breaks). */
int mlfy_onnx_scan_mem(const void *buf, size_t len, struct mlfy_onnx_scan *out,
		       struct mlfy_err *err);

/* Maps the file at path and scans it.  Errors: MLFY_ENOTFOUND, MLFY_EIO,
 * MLFY_EINVAL (as above, prefixed with the path). */
int mlfy_onnx_scan_file(const char *path, struct mlfy_onnx_scan *out, struct mlfy_err *err);

#endif
