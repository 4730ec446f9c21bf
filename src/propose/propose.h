/* propose.h - stage (i): label proposals for a project's images from an
 * ONNX image classifier run in-process (mlfy propose).
 *
 * For every image of the project that has no proposals from the model yet
 * (all of them with force), the image is preprocessed as timm evaluates
 * the model (preprocess.h), the model is run in batches (pipeline.h,
 * session.h), and the top-K classes with their softmax probabilities are
 * stored as the model's proposals (store/proposals.h).  Each batch is
 * stored in its own transaction, so an interrupted run leaves every stored
 * image complete and a re-run resumes where it stopped.  Images that cannot
 * be decoded are reported and skipped.
 *
 * Scores: softmax over the class outputs (after dropping label_offset
 * leading outputs, e.g. the background class of 1001-output TensorFlow
 * models) with the max-shifted, double-accumulated form of util/topk.h; ties in
 * the top-K are broken by the lower class index.  With softmax = 0 the
 * outputs are stored as they are (a model that ends in a softmax or
 * sigmoid; values must lie in [0, 1]).
 */
#ifndef MLFY_PROPOSE_PROPOSE_H
#define MLFY_PROPOSE_PROPOSE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "propose/pipeline.h"
#include "propose/preprocess.h"
#include "propose/session.h"
#include "store/store.h"
#include "util/progress.h"

struct mlfy_propose_opts {
	const char *model_path;      /* the .onnx file (required) */
	const char *model_name;      /* name in the project; NULL = file name without ".onnx" */
	struct mlfy_prep prep;       /* preprocessing; height/width 0 = the model's fixed
					input size, or 224 when the model has none */
	int test_height, test_width; /* a config's test_input_size (0 = none) and */
	double test_crop_pct;        /* test_crop_pct (0 = none): used as timm's validate.py
					does, see mlfy_propose_run; leave 0 when the size or
					crop_pct came from the command line */
	int top_k;                   /* proposals per image, >= 1 (CLI default 20) */
	int batch;                   /* images per inference call, >= 1 (CLI default 32);
					models with a fixed batch size use theirs */
	int threads;                 /* ONNX Runtime intra-op threads; 0 = its default */
	int decode_threads;          /* 0 = half the online CPUs, at least 1, at most 8 */
	int label_offset;            /* leading outputs to drop; -1 = 0 */
	int softmax;                 /* 1: outputs are logits (softmax applied); 0: scores */
	int force;                   /* 1: recompute images that already have proposals */
	int activate;                /* 1: make this the active proposal model */
	int quant_auto;              /* 1: session.x64quantprecision=1 for quantised models */
	const char *output_name;     /* logits output; NULL = choose (see mlfy_propose_run) */
	const char *features_name;   /* embedding output for save_features; NULL = "features" */
	const char *save_logits;     /* .npy path or NULL: [n_images, n_classes] float32 */
	const char *save_features;   /* .npy path or NULL: [n_images, feature_len] float32 */
	const struct mlfy_ort_option *ort_options; /* borrowed */
	size_t n_ort_options;
	const volatile sig_atomic_t *stop;  /* may be NULL; non-zero stops after the batch */
	struct mlfy_progress *progress;     /* may be NULL */
};

/* Sets the defaults named above (prep from mlfy_prep_init; top_k 20,
 * batch 32, softmax and quant_auto on, label_offset -1). */
void mlfy_propose_opts_init(struct mlfy_propose_opts *o);

/* An image that was skipped because it could not be decoded or the model
 * gave no usable output for it. */
struct mlfy_propose_skip {
	char *path;
	char *reason;
};

struct mlfy_propose_result {
	char model_name[256];
	int64_t model_id;
	int activated;               /* the model is now the active proposal model */
	int64_t n_images;            /* images in the project */
	int64_t n_already;           /* not run: proposals from the model were present */
	int64_t n_done;              /* proposals stored by this run */
	int64_t n_skipped;           /* could not be decoded / no usable output */
	struct mlfy_propose_skip *skips;  /* n_skipped entries */
	int64_t n_labelled;          /* of n_done, images with an original label */
	int64_t n_top1, n_top5;      /* of those, original label at rank 0 / in the top 5 */
	int interrupted;             /* stopped by opts.stop before the end */
	struct mlfy_prep prep;       /* the preprocessing used */
	int label_offset;            /* the offset used */
	int batch;                   /* the batch size used */
	int pad_batch;               /* 1: the model's batch size is fixed */
	int decode_threads;
	int quantized;               /* the model has quantisation operators */
	char first_quant_op[64];
	char applied[1024];          /* session options applied */
	char output[256];            /* the logits output used */
	char features[256];          /* the features output saved, or "" */
	struct mlfy_pipeline_stats stats;
};

/* Frees the skip list (not r itself) and zeroes r.  Accepts NULL. */
void mlfy_propose_result_release(struct mlfy_propose_result *r);

/* Runs the model on the project's images (see the top of this file).
 *
 * Model checks: the model needs one float32 RGB image input (session.h).
 * The logits output is output_name, else the only output, else the one
 * named "logits" or "output", else the first [N, C] output with C = the
 * project's class count + label_offset; its length must equal that sum.
 * Input size: a model with a fixed input size uses it; prep's size must
 * then equal it, or else test_input_size must (a model exported at timm's
 * test size).  A model with a symbolic size uses test_input_size when given
 * (timm validate.py's default), else prep's size, else 224.  When the size
 * used is test_input_size, test_crop_pct (if given) replaces crop_pct.
 *
 * The model is recorded in the project as kind "onnx" with the absolute
 * path of the file as its source, and the run's settings (runtime, session
 * options, preprocessing, top-K, label offset) in meta key
 * "propose.<name>" as JSON.  The first model of a project, or any with
 * activate, becomes the active proposal model.  All of this is written
 * with the first batch (nothing is recorded when that batch fails).  A
 * model of that name made by something else (import-predictions) is
 * refused unless force.
 *
 * With save_logits / save_features every image is run (resuming does not
 * apply, so the files cover the project), and row r of the .npy file is the
 * r-th image in name order, as listed in "<file without .npy>.order.txt"
 * written beside it (the --order format of import-predictions); rows of
 * skipped images are NaN.  The files appear only when the run completes.
 *
 * Returns 0; MLFY_EINTR when stopped (everything stored so far is
 * consistent; *res says how far it got); MLFY_EUNSUPPORTED (no ONNX
 * Runtime in this build, an unsupported model); MLFY_EINVAL (bad options,
 * a model that does not fit the project, ONNX Runtime failures);
 * MLFY_ECONFLICT (name taken by another kind of model); MLFY_ESTORE;
 * MLFY_EIO; MLFY_ENOMEM.  *res is filled in every case (release it). */
int mlfy_propose_run(struct mlfy_store *s, const struct mlfy_propose_opts *o,
		     struct mlfy_propose_result *res, struct mlfy_err *err);

#endif
