/* session_none.c - session.h for builds without ONNX Runtime: every entry
 * point reports MLFY_EUNSUPPORTED with how to get a build that has it. */
#include "propose/session.h"

#include <stdlib.h>

#define NO_ORT \
	"this mlfy was built without ONNX Runtime: run scripts/fetch-onnxruntime (or install " \
	"libonnxruntime-dev, or set ORT_ROOT) and rebuild with -DMLFY_WITH_ONNXRUNTIME=ON"

struct mlfy_session {
	struct mlfy_session_info info;
};

int mlfy_session_available(void)
{
	return 0;
}

const char *mlfy_session_runtime(void)
{
	return "none (built without ONNX Runtime)";
}

int mlfy_session_open(const char *path, const struct mlfy_session_opts *o,
		      struct mlfy_session **out, struct mlfy_err *err)
{
	(void)path;
	(void)o;
	*out = NULL;
	return mlfy_err_set(err, MLFY_EUNSUPPORTED, NO_ORT);
}

const struct mlfy_session_info *mlfy_session_info(const struct mlfy_session *s)
{
	return &s->info;
}

int mlfy_session_run(struct mlfy_session *s, const float *input, int64_t n, int h, int w,
		     size_t n_want, const size_t *out_idx, float *const *dst, const size_t *cap,
		     size_t *row_len, struct mlfy_err *err)
{
	return mlfy_err_set(err, MLFY_EUNSUPPORTED, NO_ORT);
}

void mlfy_session_close(struct mlfy_session *s)
{
	free(s);
}
