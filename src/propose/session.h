/* session.h - an image classifier in ONNX format run by ONNX Runtime's C
 * API on the CPU.  Implemented in src/propose/ort/session_ort.c when the
 * build found ONNX Runtime (cmake/onnxruntime.cmake), else by
 * src/propose/ort/session_none.c, whose functions report
 * MLFY_EUNSUPPORTED so that everything else in mlfy still works.
 *
 * The model must have one float32 image input of rank 4, NCHW [N, 3, H, W]
 * (timm and torchvision exports) or NHWC [N, H, W, 3]; N, H and W may be
 * fixed or symbolic.  Outputs are float32 tensors [N, ...].
 *
 * Threading: a session is used by one thread at a time; ONNX Runtime runs
 * each call on its own intra-op thread pool.
 */
#ifndef MLFY_PROPOSE_SESSION_H
#define MLFY_PROPOSE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "propose/preprocess.h"
#include "util/error.h"

struct mlfy_session;

#define MLFY_SESSION_MAX_OUTPUTS 16
#define MLFY_SESSION_MAX_RANK 8

/* One session option: key=value as given by `--ort-option`.  Keys handled
 * by mlfy itself (they are session-option calls, not config entries):
 *   intra_op_num_threads     N   (same as --threads)
 *   inter_op_num_threads     N
 *   execution_mode           sequential | parallel
 *   graph_optimization_level disable | basic | extended | all (or 0/1/2/99)
 *   enable_cpu_mem_arena     0 | 1
 *   enable_mem_pattern       0 | 1
 *   log_severity_level       0 (verbose) .. 4 (fatal); default 3 (error)
 *   optimized_model_filepath PATH (ORT writes the optimised graph there)
 * Every other key is passed to OrtApi::AddSessionConfigEntry, e.g.
 * session.x64quantprecision=1 or session.intra_op.allow_spinning=0 (see
 * onnxruntime_session_options_config_keys.h). */
struct mlfy_ort_option {
	const char *key, *value;  /* borrowed */
};

struct mlfy_session_opts {
	int intra_threads;        /* ORT intra-op threads; 0 = ORT's default (physical cores) */
	const struct mlfy_ort_option *options;  /* borrowed, n_options entries */
	size_t n_options;
	int quant_auto;           /* 1: set session.x64quantprecision=1 for quantised
				     models unless options set it (the default) */
	int no_spin;              /* 1: set session.intra_op.allow_spinning=0 unless
				     options set it: idle ORT threads sleep instead of
				     spinning, leaving the CPU to the decode threads */
};

struct mlfy_tensor_desc {
	char name[256];
	int rank;
	int64_t dims[MLFY_SESSION_MAX_RANK];  /* -1 for a symbolic dimension */
};

/* What the model declares (filled by open; read-only). */
struct mlfy_session_info {
	struct mlfy_tensor_desc input;
	enum mlfy_tensor_layout layout;  /* from the input shape: channel axis 1 or 3 */
	int64_t batch;            /* fixed batch size, or -1 (symbolic) */
	int height, width;        /* fixed input size, or 0 (symbolic) */
	size_t n_outputs;
	struct mlfy_tensor_desc outputs[MLFY_SESSION_MAX_OUTPUTS];
	int quantized;            /* the graph has quantisation operators (onnx_scan.h) */
	char first_quant_op[64];
	char applied[1024];       /* the session options applied, "k=v, k=v" (provenance) */
};

/* 1 when this build can run ONNX models, else 0. */
int mlfy_session_available(void);

/* "ONNX Runtime <version>" of the loaded library, or a sentence saying this
 * build has none (static string). */
const char *mlfy_session_runtime(void);

/* Loads the model at path.  On success *out is a new session
 * (mlfy_session_close).  Errors: MLFY_EUNSUPPORTED (no ONNX Runtime in this
 * build; an input that is not one float32 rank-4 image tensor; more than
 * MLFY_SESSION_MAX_OUTPUTS outputs), MLFY_ENOTFOUND (no such file),
 * MLFY_EINVAL (ONNX Runtime rejects the model or an option; its message is
 * included). */
int mlfy_session_open(const char *path, const struct mlfy_session_opts *o,
		      struct mlfy_session **out, struct mlfy_err *err);

/* The model's declared inputs and outputs (borrowed). */
const struct mlfy_session_info *mlfy_session_info(const struct mlfy_session *s);

/* Runs the model on n images: input holds n * 3 * h * w floats in the
 * model's layout (borrowed).  For each i in [0, n_want) out_idx[i] names a
 * model output and dst[i] receives its n * row_len[i] floats, where
 * row_len[i] (filled on success) is the product of that output's
 * non-batch dimensions; dst[i] must have room for n * cap[i] floats, and
 * MLFY_EINVAL is returned when a row would exceed cap[i].  Errors:
 * MLFY_EINVAL (ONNX Runtime failed: bad shape, ...), MLFY_ENOMEM. */
int mlfy_session_run(struct mlfy_session *s, const float *input, int64_t n, int h, int w,
		     size_t n_want, const size_t *out_idx, float *const *dst, const size_t *cap,
		     size_t *row_len, struct mlfy_err *err);

/* Releases the session.  Accepts NULL. */
void mlfy_session_close(struct mlfy_session *s);

#endif
