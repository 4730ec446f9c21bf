/* session_module.h - the table of the ONNX Runtime module (propose-ort.so,
 * session_ort.c) that session_module.c loads on first use (util/module.h):
 * session.h's functions, one for one.  Only src/propose/ort includes it. */
#ifndef MLFY_PROPOSE_ORT_SESSION_MODULE_H
#define MLFY_PROPOSE_ORT_SESSION_MODULE_H

#include "propose/session.h"
#include "util/module.h"

/* Bumped whenever the table or a function's meaning changes. */
#define MLFY_ORT_MODULE_ABI 1
#define MLFY_ORT_MODULE_ENTRY "mlfy_propose_ort"   /* util/module.h's mlfy_module_entry_fn */

struct mlfy_ort_module {
	struct mlfy_module_head head;   /* MLFY_ORT_MODULE_ABI, "mlfy <release>" (util/module.h) */
	const char *(*runtime)(void);
	int (*open)(const char *path, const struct mlfy_session_opts *o, struct mlfy_session **out,
		    struct mlfy_err *err);
	const struct mlfy_session_info *(*info)(const struct mlfy_session *s);
	int (*run)(struct mlfy_session *s, const float *input, int64_t n, int h, int w, size_t n_want,
		   const size_t *out_idx, float *const *dst, const size_t *cap, size_t *row_len,
		   struct mlfy_err *err);
	void (*close)(struct mlfy_session *s);
};

#endif
