/* session_ort.c - session.h on ONNX Runtime's C API (built only when
 * cmake/onnxruntime.cmake finds ONNX Runtime), as the module propose-ort.so
 * that session_module.c loads on first use: its functions are static and
 * reached through the table at the end.  Owns the process-wide OrtEnv
 * (reference-counted) and one OrtSession per struct mlfy_session. */
#include "propose/ort/session_module.h"
#include "mlfy_version.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <onnxruntime_c_api.h>

#include "propose/onnx_scan.h"

struct mlfy_session {
	OrtSession *session;
	OrtMemoryInfo *mem;
	struct mlfy_session_info info;
};

/* (LeakSanitizer's suppression of ONNX Runtime's own leftover: session_module.c) */

static void ort_close(struct mlfy_session *s);

static const OrtApi *ort;
static OrtEnv *env;
static int env_refs;
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

/* Formats the ORT status into err (and releases it); returns code. */
static int ort_fail(OrtStatus *st, struct mlfy_err *err, int code, const char *what)
{
	const char *msg = st ? ort->GetErrorMessage(st) : "unknown error";
	mlfy_err_set(err, code, "%s: %s", what, msg);
	if (st)
		ort->ReleaseStatus(st);
	return code;
}

#define ORT_TRY(call, what) \
	do { \
		OrtStatus *st_ = (call); \
		if (st_) { \
			rc = ort_fail(st_, err, MLFY_EINVAL, what); \
			goto fail; \
		} \
	} while (0)

static int env_acquire(int log_level, struct mlfy_err *err)
{
	OrtStatus *st;
	int rc = 0;
	pthread_mutex_lock(&env_lock);
	if (!ort) {
		ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
		if (!ort) {
			rc = mlfy_err_set(err, MLFY_EUNSUPPORTED,
					  "the ONNX Runtime library (%s) is older than the headers mlfy "
					  "was built with (API version %d)",
					  OrtGetApiBase()->GetVersionString(), ORT_API_VERSION);
			goto out;
		}
	}
	if (!env) {
		st = ort->CreateEnv((OrtLoggingLevel)log_level, "mlfy", &env);
		if (st) {
			rc = ort_fail(st, err, MLFY_EUNSUPPORTED, "cannot start ONNX Runtime");
			env = NULL;
			goto out;
		}
	}
	env_refs++;
out:
	pthread_mutex_unlock(&env_lock);
	return rc;
}

static void env_release(void)
{
	pthread_mutex_lock(&env_lock);
	if (env_refs > 0 && --env_refs == 0 && env) {
		ort->ReleaseEnv(env);
		env = NULL;
	}
	pthread_mutex_unlock(&env_lock);
}

static char runtime_name[64];
static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;

static void runtime_init(void)
{
	snprintf(runtime_name, sizeof(runtime_name), "ONNX Runtime %s",
		 OrtGetApiBase()->GetVersionString());
}

static const char *ort_runtime(void)
{
	pthread_once(&runtime_once, runtime_init);
	return runtime_name;
}

/* ---- options ------------------------------------------------------------- */

static int parse_int(const char *s, long lo, long hi, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	return (end == s || *end || errno || *v < lo || *v > hi) ? -1 : 0;
}

static void applied_add(struct mlfy_session_info *info, const char *k, const char *v)
{
	size_t n = strlen(info->applied);
	snprintf(info->applied + n, sizeof(info->applied) - n, "%s%s=%s", n ? ", " : "", k, v);
}

/* Applies one option; 0, or MLFY_EINVAL with err set. */
static int apply_option(OrtSessionOptions *so, const char *k, const char *v,
			struct mlfy_session_info *info, struct mlfy_err *err)
{
	OrtStatus *st = NULL;
	long n;
	int rc = 0;

	if (!strcmp(k, "intra_op_num_threads") || !strcmp(k, "inter_op_num_threads")) {
		if (parse_int(v, 0, 4096, &n))
			return mlfy_err_set(err, MLFY_EINVAL, "--ort-option %s: '%s' is not a thread count", k, v);
		st = k[1] == 'n' && k[2] == 't' && k[3] == 'r'
			     ? ort->SetIntraOpNumThreads(so, (int)n)
			     : ort->SetInterOpNumThreads(so, (int)n);
	} else if (!strcmp(k, "execution_mode")) {
		if (!strcasecmp(v, "sequential"))
			st = ort->SetSessionExecutionMode(so, ORT_SEQUENTIAL);
		else if (!strcasecmp(v, "parallel"))
			st = ort->SetSessionExecutionMode(so, ORT_PARALLEL);
		else
			return mlfy_err_set(err, MLFY_EINVAL,
					    "--ort-option execution_mode: '%s' (expected sequential or parallel)", v);
	} else if (!strcmp(k, "graph_optimization_level")) {
		GraphOptimizationLevel lvl;
		if (!strcasecmp(v, "disable") || !strcmp(v, "0"))
			lvl = ORT_DISABLE_ALL;
		else if (!strcasecmp(v, "basic") || !strcmp(v, "1"))
			lvl = ORT_ENABLE_BASIC;
		else if (!strcasecmp(v, "extended") || !strcmp(v, "2"))
			lvl = ORT_ENABLE_EXTENDED;
		else if (!strcasecmp(v, "all") || !strcmp(v, "99"))
			lvl = ORT_ENABLE_ALL;
		else
			return mlfy_err_set(err, MLFY_EINVAL,
					    "--ort-option graph_optimization_level: '%s' (expected disable, "
					    "basic, extended or all)", v);
		st = ort->SetSessionGraphOptimizationLevel(so, lvl);
	} else if (!strcmp(k, "enable_cpu_mem_arena") || !strcmp(k, "enable_mem_pattern")) {
		if (parse_int(v, 0, 1, &n))
			return mlfy_err_set(err, MLFY_EINVAL, "--ort-option %s: '%s' (expected 0 or 1)", k, v);
		if (!strcmp(k, "enable_cpu_mem_arena"))
			st = n ? ort->EnableCpuMemArena(so) : ort->DisableCpuMemArena(so);
		else
			st = n ? ort->EnableMemPattern(so) : ort->DisableMemPattern(so);
	} else if (!strcmp(k, "log_severity_level")) {
		if (parse_int(v, 0, 4, &n))
			return mlfy_err_set(err, MLFY_EINVAL, "--ort-option log_severity_level: '%s' (expected 0..4)", v);
		st = ort->SetSessionLogSeverityLevel(so, (int)n);
	} else if (!strcmp(k, "optimized_model_filepath")) {
		st = ort->SetOptimizedModelFilePath(so, v);
	} else {
		st = ort->AddSessionConfigEntry(so, k, v);
	}
	if (st)
		return ort_fail(st, err, MLFY_EINVAL, k);
	applied_add(info, k, v);
	return rc;
}

/* ---- type info ------------------------------------------------------------ */

static int describe(const OrtTypeInfo *ti, struct mlfy_tensor_desc *d, ONNXTensorElementDataType *type,
		    struct mlfy_err *err)
{
	const OrtTensorTypeAndShapeInfo *tsi = NULL;
	size_t rank;
	int rc = 0;

	ORT_TRY(ort->CastTypeInfoToTensorInfo(ti, &tsi), "type info");
	if (!tsi)
		return mlfy_err_set(err, MLFY_EUNSUPPORTED, "'%s' is not a tensor", d->name);
	ORT_TRY(ort->GetTensorElementType(tsi, type), "type info");
	ORT_TRY(ort->GetDimensionsCount(tsi, &rank), "type info");
	if (rank > MLFY_SESSION_MAX_RANK)
		return mlfy_err_set(err, MLFY_EUNSUPPORTED, "'%s' has rank %zu (at most %d supported)",
				    d->name, rank, MLFY_SESSION_MAX_RANK);
	d->rank = (int)rank;
	ORT_TRY(ort->GetDimensions(tsi, d->dims, rank), "type info");
	for (size_t i = 0; i < rank; i++)
		if (d->dims[i] <= 0)
			d->dims[i] = -1;
	return 0;
fail:
	return rc;
}

static int copy_name(OrtAllocator *alloc, char *name, char *dst, size_t cap, struct mlfy_err *err)
{
	int rc = 0;
	if (strlen(name) >= cap)
		rc = mlfy_err_set(err, MLFY_EUNSUPPORTED, "tensor name '%.40s...' is too long", name);
	else
		memcpy(dst, name, strlen(name) + 1);
	OrtStatus *st = ort->AllocatorFree(alloc, name);
	if (st)
		ort->ReleaseStatus(st);
	return rc;
}

static int ort_open(const char *path, const struct mlfy_session_opts *o,
		      struct mlfy_session **out, struct mlfy_err *err)
{
	struct mlfy_session *s;
	struct mlfy_session_info *info;
	struct mlfy_onnx_scan scan;
	OrtSessionOptions *so = NULL;
	OrtAllocator *alloc = NULL;
	OrtTypeInfo *ti = NULL;
	ONNXTensorElementDataType type;
	struct stat st;
	size_t i, n_in, n_out;
	int rc = 0, log_level = ORT_LOGGING_LEVEL_ERROR, have_quant_opt = 0, have_spin_opt = 0;
	char *name = NULL;
	char buf[32];

	*out = NULL;
	if (stat(path, &st) != 0)
		return mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: %s", path,
				    strerror(errno));
	if ((rc = mlfy_onnx_scan_file(path, &scan, err)))
		return rc;
	for (i = 0; i < o->n_options; i++) {
		long n;
		if (!strcmp(o->options[i].key, "log_severity_level") &&
		    !parse_int(o->options[i].value, 0, 4, &n))
			log_level = (int)n;
		if (!strcmp(o->options[i].key, "session.x64quantprecision"))
			have_quant_opt = 1;
		if (!strcmp(o->options[i].key, "session.intra_op.allow_spinning"))
			have_spin_opt = 1;
	}
	if ((rc = env_acquire(log_level, err)))
		return rc;
	if (!(s = calloc(1, sizeof(*s)))) {
		env_release();
		return mlfy_err_oom(err);
	}
	info = &s->info;
	info->quantized = scan.n_quantized > 0;
	snprintf(info->first_quant_op, sizeof(info->first_quant_op), "%s", scan.first_quant_op);

	ORT_TRY(ort->CreateSessionOptions(&so), "session options");
	ORT_TRY(ort->SetSessionGraphOptimizationLevel(so, ORT_ENABLE_ALL), "session options");
	if (o->intra_threads > 0) {
		ORT_TRY(ort->SetIntraOpNumThreads(so, o->intra_threads), "session options");
		snprintf(buf, sizeof(buf), "%d", o->intra_threads);
		applied_add(info, "intra_op_num_threads", buf);
	}
	if (o->quant_auto && info->quantized && !have_quant_opt) {
		ORT_TRY(ort->AddSessionConfigEntry(so, "session.x64quantprecision", "1"), "session options");
		applied_add(info, "session.x64quantprecision", "1");
	}
	if (o->no_spin && !have_spin_opt) {
		ORT_TRY(ort->AddSessionConfigEntry(so, "session.intra_op.allow_spinning", "0"),
			"session options");
		applied_add(info, "session.intra_op.allow_spinning", "0");
	}
	for (i = 0; i < o->n_options; i++)
		if ((rc = apply_option(so, o->options[i].key, o->options[i].value, info, err)))
			goto fail;

	{
		OrtStatus *cs = ort->CreateSession(env, path, so, &s->session);
		if (cs) {
			rc = ort_fail(cs, err, MLFY_EINVAL, path);
			goto fail;
		}
	}
	ORT_TRY(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &s->mem), "memory info");
	ORT_TRY(ort->GetAllocatorWithDefaultOptions(&alloc), "allocator");

	/* the input: one float32 image tensor */
	ORT_TRY(ort->SessionGetInputCount(s->session, &n_in), "inputs");
	if (n_in != 1) {
		rc = mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s: the model has %zu inputs (one image input expected)",
				  path, n_in);
		goto fail;
	}
	ORT_TRY(ort->SessionGetInputName(s->session, 0, alloc, &name), "inputs");
	rc = copy_name(alloc, name, info->input.name, sizeof(info->input.name), err);
	name = NULL;
	if (rc)
		goto fail;
	ORT_TRY(ort->SessionGetInputTypeInfo(s->session, 0, &ti), "inputs");
	rc = describe(ti, &info->input, &type, err);
	ort->ReleaseTypeInfo(ti);
	ti = NULL;
	if (rc)
		goto fail;
	if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || info->input.rank != 4) {
		rc = mlfy_err_set(err, MLFY_EUNSUPPORTED,
				  "%s: input '%s' must be a float32 tensor of rank 4 (N, 3, H, W)",
				  path, info->input.name);
		goto fail;
	}
	if (info->input.dims[1] == 3) {
		info->layout = MLFY_TENSOR_NCHW;
		info->height = (int)(info->input.dims[2] > 0 ? info->input.dims[2] : 0);
		info->width = (int)(info->input.dims[3] > 0 ? info->input.dims[3] : 0);
	} else if (info->input.dims[3] == 3) {
		info->layout = MLFY_TENSOR_NHWC;
		info->height = (int)(info->input.dims[1] > 0 ? info->input.dims[1] : 0);
		info->width = (int)(info->input.dims[2] > 0 ? info->input.dims[2] : 0);
	} else {
		rc = mlfy_err_set(err, MLFY_EUNSUPPORTED,
				  "%s: input '%s' has no channel axis of size 3 (NCHW or NHWC RGB expected)",
				  path, info->input.name);
		goto fail;
	}
	info->batch = info->input.dims[0];

	ORT_TRY(ort->SessionGetOutputCount(s->session, &n_out), "outputs");
	if (n_out < 1 || n_out > MLFY_SESSION_MAX_OUTPUTS) {
		rc = mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s: the model has %zu outputs (1..%d supported)",
				  path, n_out, MLFY_SESSION_MAX_OUTPUTS);
		goto fail;
	}
	info->n_outputs = n_out;
	for (i = 0; i < n_out; i++) {
		struct mlfy_tensor_desc *d = &info->outputs[i];
		ORT_TRY(ort->SessionGetOutputName(s->session, i, alloc, &name), "outputs");
		rc = copy_name(alloc, name, d->name, sizeof(d->name), err);
		name = NULL;
		if (rc)
			goto fail;
		ORT_TRY(ort->SessionGetOutputTypeInfo(s->session, i, &ti), "outputs");
		rc = describe(ti, d, &type, err);
		ort->ReleaseTypeInfo(ti);
		ti = NULL;
		if (rc)
			goto fail;
		if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
			/* recorded with rank 0 so callers never select it */
			d->rank = 0;
		}
	}
	ort->ReleaseSessionOptions(so);
	*out = s;
	return 0;
fail:
	if (so)
		ort->ReleaseSessionOptions(so);
	ort_close(s);
	return rc;
}

static const struct mlfy_session_info *ort_info(const struct mlfy_session *s)
{
	return &s->info;
}

static int ort_run(struct mlfy_session *s, const float *input, int64_t n, int h, int w,
		     size_t n_want, const size_t *out_idx, float *const *dst, const size_t *cap,
		     size_t *row_len, struct mlfy_err *err)
{
	const struct mlfy_session_info *info = &s->info;
	const char *in_name = info->input.name;
	const char *names[MLFY_SESSION_MAX_OUTPUTS];
	OrtValue *in = NULL, *outs[MLFY_SESSION_MAX_OUTPUTS] = { 0 };
	OrtTensorTypeAndShapeInfo *tsi = NULL;
	int64_t shape[4], dims[MLFY_SESSION_MAX_RANK];
	size_t i, rank, count;
	int rc = 0;
	void *data;

	if (n < 1 || h < 1 || w < 1 || n_want < 1 || n_want > MLFY_SESSION_MAX_OUTPUTS)
		return mlfy_err_set(err, MLFY_EINVAL, "run: bad arguments");
	for (i = 0; i < n_want; i++) {
		if (out_idx[i] >= info->n_outputs)
			return mlfy_err_set(err, MLFY_EINVAL, "run: no output %zu", out_idx[i]);
		names[i] = info->outputs[out_idx[i]].name;
	}
	shape[0] = n;
	if (info->layout == MLFY_TENSOR_NCHW) {
		shape[1] = 3;
		shape[2] = h;
		shape[3] = w;
	} else {
		shape[1] = h;
		shape[2] = w;
		shape[3] = 3;
	}
	ORT_TRY(ort->CreateTensorWithDataAsOrtValue(s->mem, (void *)input,
						    (size_t)n * 3 * (size_t)h * (size_t)w * sizeof(float),
						    shape, 4, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in),
		"input tensor");
	ORT_TRY(ort->Run(s->session, NULL, &in_name, (const OrtValue *const *)&in, 1, names, n_want,
			 outs),
		"inference");
	for (i = 0; i < n_want; i++) {
		ORT_TRY(ort->GetTensorTypeAndShape(outs[i], &tsi), "output shape");
		ORT_TRY(ort->GetDimensionsCount(tsi, &rank), "output shape");
		if (rank < 1 || rank > MLFY_SESSION_MAX_RANK) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "output '%s' has rank %zu", names[i], rank);
			goto fail;
		}
		ORT_TRY(ort->GetDimensions(tsi, dims, rank), "output shape");
		ORT_TRY(ort->GetTensorShapeElementCount(tsi, &count), "output shape");
		ort->ReleaseTensorTypeAndShapeInfo(tsi);
		tsi = NULL;
		if (dims[0] != n || count % (size_t)n) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "output '%s' has %lld rows for a batch of %lld", names[i],
					  (long long)dims[0], (long long)n);
			goto fail;
		}
		row_len[i] = count / (size_t)n;
		if (row_len[i] > cap[i]) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "output '%s' has %zu values per image (expected at most %zu)",
					  names[i], row_len[i], cap[i]);
			goto fail;
		}
		ORT_TRY(ort->GetTensorMutableData(outs[i], &data), "output data");
		memcpy(dst[i], data, count * sizeof(float));
	}
fail:
	if (tsi)
		ort->ReleaseTensorTypeAndShapeInfo(tsi);
	for (i = 0; i < n_want; i++)
		if (outs[i])
			ort->ReleaseValue(outs[i]);
	if (in)
		ort->ReleaseValue(in);
	return rc;
}

static void ort_close(struct mlfy_session *s)
{
	if (!s)
		return;
	if (s->mem)
		ort->ReleaseMemoryInfo(s->mem);
	if (s->session)
		ort->ReleaseSession(s->session);
	free(s);
	env_release();
}

/* ---- the module's entry point (session_module.h) ---------------------------------- */

static const struct mlfy_ort_module table = {
	.head = { MLFY_ORT_MODULE_ABI, "mlfy " MLFY_VERSION },
	.runtime = ort_runtime,
	.open = ort_open,
	.info = ort_info,
	.run = ort_run,
	.close = ort_close,
};

const struct mlfy_module_head *mlfy_propose_ort(struct mlfy_err *err);
const struct mlfy_module_head *mlfy_propose_ort(struct mlfy_err *err)
{
	(void)err;   /* the environment starts with the first session (ort_open) */
	return &table.head;
}
