/* session_module.c - session.h in a build with ONNX Runtime: the model runs
 * in the module propose-ort.so (session_ort.c, linked with ONNX Runtime and
 * its C++ runtime), which this file opens the first time a session is
 * wanted (util/module.h; $MLFY_ORT_MODULE overrides its path), so that
 * the commands that run no model start without loading ONNX Runtime. */
#include "propose/ort/session_module.h"

#include <pthread.h>

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer: ONNX Runtime 1.29 keeps one small allocation (14 bytes,
 * made while the environment starts) after OrtReleaseEnv; it is not ours to
 * free.  The sanitizer runtime reads this hook at exit: it must be in an
 * object loaded at start (here), not in the dlopen'ed module. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libonnxruntime.so\n";
}
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct mlfy_ort_module *mod;
static struct mlfy_err load_err;

static void load(void)
{
	/* the head is the table's first member (util/module.h) */
	mod = (const struct mlfy_ort_module *)mlfy_module_load("propose-ort.so", "MLFY_ORT_MODULE", MLFY_ORT_MODULE_ENTRY,
							       "ONNX Runtime (the proposal module)",
							       MLFY_ORT_MODULE_ABI, &load_err);
}

/* The module, or NULL with err (may be NULL) set. */
static const struct mlfy_ort_module *module(struct mlfy_err *err)
{
	pthread_once(&once, load);
	if (!mod)
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s", load_err.msg);
	return mod;
}

int mlfy_session_available(void)
{
	return 1;
}

const char *mlfy_session_runtime(void)
{
	return module(NULL) ? mod->runtime() : load_err.msg;
}

int mlfy_session_open(const char *path, const struct mlfy_session_opts *o, struct mlfy_session **out,
		      struct mlfy_err *err)
{
	*out = NULL;
	return module(err) ? mod->open(path, o, out, err) : MLFY_EUNSUPPORTED;
}

/* A session exists only once the module is loaded (mlfy_session_open). */
const struct mlfy_session_info *mlfy_session_info(const struct mlfy_session *s)
{
	return mod->info(s);
}

int mlfy_session_run(struct mlfy_session *s, const float *input, int64_t n, int h, int w, size_t n_want,
		     const size_t *out_idx, float *const *dst, const size_t *cap, size_t *row_len,
		     struct mlfy_err *err)
{
	return mod->run(s, input, n, h, w, n_want, out_idx, dst, cap, row_len, err);
}

void mlfy_session_close(struct mlfy_session *s)
{
	if (s)
		mod->close(s);
}
