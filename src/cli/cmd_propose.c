/* cmd_propose.c - `mlfy propose PROJECT --model M.onnx`: top-K label
 * proposals for the project's images from an ONNX classifier run with
 * ONNX Runtime (src/propose/propose.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "propose/propose.h"
#include "util/progress.h"

static const char usage[] =
	"usage: mlfy propose PROJECT --model M.onnx [--name NAME] [--config CONFIG.json]\n"
	"                    [--top K] [--batch N] [--threads N] [--decode-threads N]\n"
	"                    [--force] [--activate] [--ort-option KEY=VALUE]...\n"
	"                    [--save-logits F.npy] [--save-features F.npy] [options]\n"
	"\n"
	"Runs an image classifier exported to ONNX (timm, torchvision, ...) on the\n"
	"project's images with ONNX Runtime on the CPU and stores, for each image, the\n"
	"top-K classes with their softmax probabilities as the model's label\n"
	"proposals (what annotators are shown).  The model needs one float32 RGB\n"
	"input, NCHW [N,3,H,W] or NHWC [N,H,W,3], and an output of one logit per\n"
	"project class.\n"
	"\n"
	"Images are preprocessed as timm evaluates the model: the shorter side is\n"
	"resized to floor(size / crop_pct) with an antialiasing filter identical to\n"
	"Pillow's, the centre is cropped to the input size, values are divided by\n"
	"255 and normalised with mean and std.  EXIF orientation is applied; grey,\n"
	"16-bit, CMYK and palette images become 8-bit RGB; transparency is composited\n"
	"over white (--alpha).  The settings come from --config (a timm or Hugging\n"
	"Face config.json with a pretrained_cfg), overridden by the options below;\n"
	"without either: the model's input size (224 if not fixed), crop_pct 0.875,\n"
	"bilinear, ImageNet mean and std.  As timm's validate.py, a config's\n"
	"test_input_size and test_crop_pct are used when the model's input size is not\n"
	"fixed or equals the test size.\n"
	"\n"
	"Each batch of images is stored in its own transaction.  Ctrl-C stops after\n"
	"the current batch with everything stored so far consistent; running the\n"
	"command again resumes: images that already have proposals from the model are\n"
	"skipped unless --force.  Images that cannot be decoded are reported and\n"
	"skipped.  The first model of a project becomes its active proposal model.\n"
	"\n"
	"Quantised models (QLinearConv, QuantizeLinear, ... operators) get the session\n"
	"option session.x64quantprecision=1: without it ONNX Runtime's int8 kernels\n"
	"lose accuracy on x86-64 CPUs without AVX-512 VNNI (docs/propose.md).\n"
	"\n"
	"Options:\n"
	"  -m, --model FILE        the ONNX model (required)\n"
	"  -n, --name NAME         model name in the project (default: FILE without .onnx)\n"
	"  -c, --config FILE       timm pretrained_cfg / Hugging Face config.json\n"
	"  -k, --top K             proposals per image (default 20)\n"
	"  -b, --batch N           images per inference call (default 32; a model with a\n"
	"                          fixed batch size uses its own)\n"
	"  -t, --threads N         ONNX Runtime intra-op threads (default: one per core)\n"
	"      --decode-threads N  image decoding threads (default: half the CPUs)\n"
	"  -f, --force             recompute images that already have proposals\n"
	"  -a, --activate          make this the project's active proposal model\n"
	"  -o, --ort-option K=V    an ONNX Runtime session option (repeatable): a config\n"
	"                          entry such as session.intra_op.allow_spinning=0, or\n"
	"                          intra_op_num_threads, inter_op_num_threads,\n"
	"                          execution_mode, graph_optimization_level,\n"
	"                          enable_cpu_mem_arena, enable_mem_pattern,\n"
	"                          log_severity_level, optimized_model_filepath\n"
	"      --no-quant-precision  do not set session.x64quantprecision=1 by default\n"
	"      --label-offset N    drop the first N outputs (1 for 1001-class models\n"
	"                          whose output 0 is a background class)\n"
	"      --output NAME       the output holding the logits (default: the only one,\n"
	"                          or 'logits', 'output', or one of the class count)\n"
	"      --no-softmax        the output holds probabilities already: store as is\n"
	"      --save-logits F     also write the logits, [images, classes] float32 .npy\n"
	"                          (rows in image name order, listed in F's .order.txt)\n"
	"      --save-features F   also write the embedding output as .npy\n"
	"      --features-output NAME  the embedding output (default 'features')\n"
	"                          (--save-* run every image: resuming does not apply)\n"
	"\n"
	"Preprocessing (override the config):\n"
	"      --input-size N|HxW  model input size (must match a fixed model input)\n"
	"      --crop-pct F        fraction kept by the centre crop (timm crop_pct)\n"
	"      --crop-mode M       center (default), squash or border\n"
	"      --interpolation I   bilinear (default), bicubic, lanczos, hamming, box,\n"
	"                          nearest\n"
	"      --mean R,G,B        per-channel mean (default 0.485,0.456,0.406)\n"
	"      --std R,G,B         per-channel std (default 0.229,0.224,0.225)\n"
	"      --alpha A           transparency: white (default), black, or drop (as\n"
	"                          Pillow's convert('RGB'))\n"
	"      --no-shrink-on-load decode large JPEGs at full size (exactly as Pillow;\n"
	"                          slower)\n"
	"  -q, --quiet             no progress reporting\n"
	"  -h, --help              show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy propose val.mlfy --model mobilenetv2-12-int8.onnx\n"
	"  mlfy propose val.mlfy --model convnext_tiny.onnx --config config.json \\\n"
	"      --threads 8 --save-logits convnext.logits.npy\n"
	"\n"
	"Exit status: 0 on success (skipped images are listed), 1 on an error, 2 on a\n"
	"bad command line, 130 when interrupted (the stored batches are kept).\n";

/* Flag values given on the command line, applied after --config. */
struct flags {
	const char *size, *crop_pct, *crop_mode, *interp, *mean, *std, *alpha;
	int no_shrink;
};

static int apply_flags(const struct flags *f, struct mlfy_prep *p, struct mlfy_err *err)
{
	int rc;
	if (f->size && (rc = mlfy_prep_parse_size(f->size, &p->height, &p->width, err)))
		return mlfy_err_prefix(err, "--input-size");
	if (f->crop_pct) {
		char *end;
		double v = strtod(f->crop_pct, &end);
		if (end == f->crop_pct || *end || !(v > 0.0 && v <= 4.0))
			return mlfy_err_set(err, MLFY_EINVAL, "--crop-pct: '%s' is not a number in (0, 4]",
					    f->crop_pct);
		p->crop_pct = v;
	}
	if (f->crop_mode && (rc = mlfy_prep_parse_crop_mode(f->crop_mode, &p->crop_mode, err)))
		return mlfy_err_prefix(err, "--crop-mode");
	if (f->interp && (rc = mlfy_filter_parse(f->interp, &p->filter, err)))
		return mlfy_err_prefix(err, "--interpolation");
	if (f->mean && (rc = mlfy_prep_parse_triple(f->mean, p->mean, err)))
		return mlfy_err_prefix(err, "--mean");
	if (f->std && (rc = mlfy_prep_parse_triple(f->std, p->std, err)))
		return mlfy_err_prefix(err, "--std");
	if (f->alpha && (rc = mlfy_prep_parse_alpha(f->alpha, &p->alpha, err)))
		return mlfy_err_prefix(err, "--alpha");
	if (f->no_shrink)
		p->shrink_on_load = 0;
	return 0;
}

static void print_summary(const char *project, const struct mlfy_propose_result *r, int top_k,
			  int quiet)
{
	const struct mlfy_prep *p = &r->prep;
	const struct mlfy_pipeline_stats *st = &r->stats;
	int64_t i;

	printf("%s: model '%s' (%s): top-%d proposals stored for %lld image%s", project,
	       r->model_name, mlfy_session_runtime(), top_k, (long long)r->n_done,
	       r->n_done == 1 ? "" : "s");
	printf(", %lld already had them, %lld skipped%s\n", (long long)r->n_already,
	       (long long)r->n_skipped, r->interrupted ? " (interrupted)" : "");
	if (r->activated)
		printf("'%s' is the project's active proposal model\n", r->model_name);
	if (!quiet) {
		printf("preprocessing: %dx%d %s, crop_pct %g (%s), %s, mean %g,%g,%g, std %g,%g,%g, alpha %s%s\n",
		       p->height, p->width, p->layout == MLFY_TENSOR_NHWC ? "NHWC" : "NCHW", p->crop_pct,
		       mlfy_crop_mode_name(p->crop_mode), mlfy_filter_name(p->filter), p->mean[0],
		       p->mean[1], p->mean[2], p->std[0], p->std[1], p->std[2], mlfy_alpha_name(p->alpha),
		       p->shrink_on_load ? "" : ", no shrink-on-load");
		printf("model: output '%s', label offset %d, batch %d%s, %d decode thread%s; session: %s%s%s%s\n",
		       r->output, r->label_offset, r->batch,
		       r->pad_batch ? " (fixed by the model)" : "", r->decode_threads,
		       r->decode_threads == 1 ? "" : "s", r->applied[0] ? r->applied : "defaults",
		       r->quantized ? " (quantised model: " : "", r->quantized ? r->first_quant_op : "",
		       r->quantized ? ")" : "");
		if (st->items_done > 0)
			printf("time: %.1f s, %.1f images/s (inference %.1f s, waiting for decoding %.1f s, "
			       "decoding %.1f CPU-s)\n", st->wall, (double)st->items_done / st->wall,
			       st->infer, st->wait, st->decode_cpu);
	}
	if (r->n_labelled > 0)
		printf("top-1 vs original labels: %.1f %% (%lld/%lld), top-5 %.1f %%\n",
		       100.0 * (double)r->n_top1 / (double)r->n_labelled, (long long)r->n_top1,
		       (long long)r->n_labelled, 100.0 * (double)r->n_top5 / (double)r->n_labelled);
	if (r->n_skipped > 0) {
		printf("skipped %lld image%s:\n", (long long)r->n_skipped, r->n_skipped == 1 ? "" : "s");
		for (i = 0; i < r->n_skipped; i++) {
			const struct mlfy_propose_skip *k = &r->skips[i];
			if (!strncmp(k->reason, k->path, strlen(k->path)))
				printf("  %s\n", k->reason);
			else
				printf("  %s: %s\n", k->path, k->reason);
		}
	}
}

static struct {
	struct mlfy_propose_opts lib;
	const char *config;
	struct flags fl;
	struct mlfy_ort_option *ort;   /* [n_ort], pointing into argv */
	size_t n_ort;
	int quiet;
} o;

/* --ort-option KEY=VALUE, repeatable */
static int add_ort_option(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *eq = strchr(arg, '=');
	struct mlfy_ort_option *t;

	if (!eq || eq == arg)
		return cli_usage_error(cmd, "--ort-option: '%s' is not KEY=VALUE", arg);
	if (!(t = realloc(o.ort, (o.n_ort + 1) * sizeof(*o.ort))))
		return cli_error(cmd, "out of memory");
	o.ort = t;
	*eq = '\0';   /* argv is ours to split */
	o.ort[o.n_ort].key = arg;
	o.ort[o.n_ort].value = eq + 1;
	o.n_ort++;
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_STRING('m', "model", &o.lib.model_path),
	CLI_OPT_STRING('n', "name", &o.lib.model_name),
	CLI_OPT_STRING('c', "config", &o.config),
	CLI_OPT_INT('k', "top", &o.lib.top_k, 1, 100000),
	CLI_OPT_INT('b', "batch", &o.lib.batch, 1, 4096),
	CLI_OPT_INT('t', "threads", &o.lib.threads, 0, 1024),
	CLI_OPT_INT(0, "decode-threads", &o.lib.decode_threads, 1, 256),
	CLI_OPT_FLAG('f', "force", &o.lib.force),
	CLI_OPT_FLAG('a', "activate", &o.lib.activate),
	CLI_OPT_CALLBACK('o', "ort-option", NULL, add_ort_option, 1),
	CLI_OPT_SET(0, "no-quant-precision", &o.lib.quant_auto, 0),
	CLI_OPT_INT(0, "label-offset", &o.lib.label_offset, 0, 1000),
	CLI_OPT_STRING(0, "output", &o.lib.output_name),
	CLI_OPT_SET(0, "no-softmax", &o.lib.softmax, 0),
	CLI_OPT_STRING(0, "save-logits", &o.lib.save_logits),
	CLI_OPT_STRING(0, "save-features", &o.lib.save_features),
	CLI_OPT_STRING(0, "features-output", &o.lib.features_name),
	CLI_OPT_STRING(0, "input-size", &o.fl.size),
	CLI_OPT_STRING(0, "crop-pct", &o.fl.crop_pct),
	CLI_OPT_STRING(0, "crop-mode", &o.fl.crop_mode),
	CLI_OPT_STRING(0, "interpolation", &o.fl.interp),
	CLI_OPT_STRING(0, "mean", &o.fl.mean),
	CLI_OPT_STRING(0, "std", &o.fl.std),
	CLI_OPT_STRING(0, "alpha", &o.fl.alpha),
	CLI_OPT_FLAG(0, "no-shrink-on-load", &o.fl.no_shrink),
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static void init(void)
{
	mlfy_propose_opts_init(&o.lib);
}

/* Preprocessing: the defaults, then the config, then the flags. */
static int check(struct cli_ctx *c)
{
	struct mlfy_prep_extra extra;
	struct mlfy_err err;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.lib.model_path)
		return cli_usage_error(c->name, "--model FILE is required");
	if (!mlfy_session_available())
		return cli_error(c->name, "%s: this mlfy was built without ONNX Runtime; run "
			       "scripts/fetch-onnxruntime (or install libonnxruntime-dev, or set ORT_ROOT) "
			       "and rebuild", o.lib.model_path);
	o.lib.ort_options = o.ort;
	o.lib.n_ort_options = o.n_ort;
	mlfy_err_clear(&err);
	if (o.config) {
		if (mlfy_prep_load_config(o.config, &o.lib.prep, &extra, &err))
			return cli_report(c->name, &err);
		if (extra.label_offset >= 0 && o.lib.label_offset < 0)   /* --label-offset wins */
			o.lib.label_offset = extra.label_offset;
		if (!o.fl.size) {
			o.lib.test_height = extra.test_height;
			o.lib.test_width = extra.test_width;
		}
		if (!o.fl.crop_pct)
			o.lib.test_crop_pct = extra.test_crop_pct;
	}
	if (apply_flags(&o.fl, &o.lib.prep, &err))
		return cli_usage_error(c->name, "%s", err.msg);
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_propose_result res;
	struct mlfy_progress prog;
	struct mlfy_err err;
	int rc, status;

	o.lib.stop = c->cancel;
	o.lib.progress = cli_progress(&prog, "propose", o.quiet);
	mlfy_err_clear(&err);
	rc = mlfy_propose_run(c->store, &o.lib, &res, &err);
	mlfy_progress_finish(o.lib.progress);
	if (rc == 0 || rc == MLFY_EINTR)
		print_summary(c->project, &res, o.lib.top_k, o.quiet);
	status = rc ? cli_report(c->name, &err) : 0;
	if (rc == MLFY_EINTR)
		fprintf(stderr, "mlfy propose: the %lld image%s stored so far are kept; run the same command "
			"again to continue\n", (long long)res.n_done, res.n_done == 1 ? "" : "s");
	mlfy_propose_result_release(&res);
	return status;
}

static void more_help(FILE *f)
{
	fprintf(f, "\nThis build: %s.\n", mlfy_session_runtime());
}

static void release(void)
{
	free(o.ort);
}

const struct cli_builtin cmd_propose = {
	.summary = "top-K label proposals from an ONNX model (ONNX Runtime)",
	.usage = usage, .options = options, .init = init, .check = check, .run = run, .release = release,
	.more_help = more_help,
};
