/* pipeline.h - decode images in worker threads while the model runs: the
 * workers prepare batch k + 1 (and k + 2) while ONNX Runtime runs batch k on
 * the calling thread, so that decoding is never the bottleneck when there
 * are cores for it.
 *
 * Items are processed in order; batches are handed to a callback in order,
 * on the calling thread (which may write to the store: nothing else in the
 * pipeline touches it).  A file that cannot be decoded is reported in its
 * batch and does not stop the run.  The run stops cleanly between batches
 * when *stop becomes non-zero (SIGINT) or the callback returns non-zero.
 *
 * libvips (the image codec, util/codec.h): the pipeline sets libvips' own
 * concurrency to 1 (each worker decodes one image with one thread;
 * parallelism comes from the workers), and every worker releases its
 * libvips thread data when it exits.
 */
#ifndef MLFY_PROPOSE_PIPELINE_H
#define MLFY_PROPOSE_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "propose/preprocess.h"
#include "propose/session.h"
#include "util/error.h"

#define MLFY_NO_OUTPUT ((size_t)-1)

/* One finished batch, valid during the callback only (everything borrowed). */
struct mlfy_batch_result {
	size_t first;             /* index (into the paths given to run) of item 0 */
	size_t n;                 /* items in this batch */
	const int *ok;            /* ok[i] = 1 when item i was decoded and has outputs */
	const char *const *error; /* error[i]: why item i failed (ok[i] == 0), else NULL */
	const struct mlfy_prep_info *info; /* info[i] of decoded items */
	const float *logits;      /* n rows of logits_len floats */
	size_t logits_len;
	const float *features;    /* n rows of features_len floats, or NULL */
	size_t features_len;
};

/* Called once per batch, in order; a non-zero return stops the run and is
 * returned by mlfy_pipeline_run (with err as the callback filled it). */
typedef int (*mlfy_batch_cb)(const struct mlfy_batch_result *r, void *ctx, struct mlfy_err *err);

struct mlfy_pipeline_opts {
	const struct mlfy_prep *prep;  /* validated; its size is the model input size */
	struct mlfy_session *session;
	size_t logits_output;          /* index of the logits output in the session */
	size_t logits_cap;             /* values per image expected at most */
	size_t features_output;        /* index of the features output, or MLFY_NO_OUTPUT */
	size_t features_cap;
	int batch;                     /* images per inference call, >= 1 */
	int pad_batch;                 /* 1: every call has exactly `batch` images (fixed
					  batch size models); the tail is padded */
	int decode_threads;            /* worker threads, >= 1 */
	const volatile sig_atomic_t *stop; /* may be NULL */
};

/* Timings of a run, seconds (wall clock unless said otherwise). */
struct mlfy_pipeline_stats {
	size_t items_done;    /* items of the batches handed to the callback */
	size_t batches_done;
	double wall;          /* whole run */
	double infer;         /* in mlfy_session_run */
	double wait;          /* the calling thread waiting for decoded batches */
	double decode_cpu;    /* decode time summed over the workers */
	double callback;      /* in the callback */
};

/* Runs paths[0..n) (borrowed) through decode and the model.  Returns 0 when
 * every batch was handed to cb; MLFY_EINTR when *stop ended the run early
 * (the batches before were all handed over); the callback's status when it
 * stopped the run; MLFY_EINVAL when inference failed (err says why);
 * MLFY_ENOMEM.  stats may be NULL. */
int mlfy_pipeline_run(const struct mlfy_pipeline_opts *o, const char *const *paths, size_t n,
		      mlfy_batch_cb cb, void *ctx, struct mlfy_pipeline_stats *stats,
		      struct mlfy_err *err);

/* Monotonic clock in seconds. */
double mlfy_now(void);

#endif
