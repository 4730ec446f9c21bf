/* cmd_propose.c - `mlfy propose PROJECT --model M.onnx`: top-K label
 * proposals for the project's images from an ONNX classifier run with
 * ONNX Runtime (src/propose/propose.h). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "propose/propose.h"
#include "util/progress.h"

const char cmd_propose_summary[] = "top-K label proposals from an ONNX model (ONNX Runtime)";

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

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

enum {
	OPT_DECODE = 256, OPT_NOQP, OPT_OFFSET, OPT_OUTPUT, OPT_NOSOFTMAX, OPT_SAVE_LOGITS,
	OPT_SAVE_FEATURES, OPT_FEATURES_OUTPUT, OPT_SIZE, OPT_CROP_PCT, OPT_CROP_MODE,
	OPT_INTERP, OPT_MEAN, OPT_STD, OPT_ALPHA, OPT_NOSHRINK
};

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

int cmd_propose(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 'k' },
		{ "batch", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "decode-threads", required_argument, NULL, OPT_DECODE },
		{ "force", no_argument, NULL, 'f' },
		{ "activate", no_argument, NULL, 'a' },
		{ "ort-option", required_argument, NULL, 'o' },
		{ "no-quant-precision", no_argument, NULL, OPT_NOQP },
		{ "label-offset", required_argument, NULL, OPT_OFFSET },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "no-softmax", no_argument, NULL, OPT_NOSOFTMAX },
		{ "save-logits", required_argument, NULL, OPT_SAVE_LOGITS },
		{ "save-features", required_argument, NULL, OPT_SAVE_FEATURES },
		{ "features-output", required_argument, NULL, OPT_FEATURES_OUTPUT },
		{ "input-size", required_argument, NULL, OPT_SIZE },
		{ "crop-pct", required_argument, NULL, OPT_CROP_PCT },
		{ "crop-mode", required_argument, NULL, OPT_CROP_MODE },
		{ "interpolation", required_argument, NULL, OPT_INTERP },
		{ "mean", required_argument, NULL, OPT_MEAN },
		{ "std", required_argument, NULL, OPT_STD },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "no-shrink-on-load", no_argument, NULL, OPT_NOSHRINK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_propose_opts o;
	struct mlfy_propose_result res;
	struct mlfy_prep_extra extra;
	struct mlfy_ort_option *ort = NULL;
	struct mlfy_progress prog;
	struct flags fl;
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	struct sigaction sa, old_sa;
	const char *config = NULL;
	size_t n_ort = 0;
	int c, rc, quiet = 0, offset_given = 0, status;
	long v;

	mlfy_propose_opts_init(&o);
	memset(&fl, 0, sizeof(fl));
	mlfy_err_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:n:c:k:b:t:fao:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			printf("\nThis build: %s.\n", mlfy_session_runtime());
			free(ort);
			return 0;
		case 'm':
			o.model_path = optarg;
			break;
		case 'n':
			o.model_name = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'k':
			if ((v = cli_parse_long("propose", "--top", optarg, 1, 100000)) < 0)
				goto usage_fail;
			o.top_k = (int)v;
			break;
		case 'b':
			if ((v = cli_parse_long("propose", "--batch", optarg, 1, 4096)) < 0)
				goto usage_fail;
			o.batch = (int)v;
			break;
		case 't':
			if ((v = cli_parse_long("propose", "--threads", optarg, 0, 1024)) < 0)
				goto usage_fail;
			o.threads = (int)v;
			break;
		case OPT_DECODE:
			if ((v = cli_parse_long("propose", "--decode-threads", optarg, 1, 256)) < 0)
				goto usage_fail;
			o.decode_threads = (int)v;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'a':
			o.activate = 1;
			break;
		case 'o': {
			char *eq = strchr(optarg, '=');
			struct mlfy_ort_option *t;
			if (!eq || eq == optarg) {
				free(ort);
				return cli_usage_error("propose", "--ort-option: '%s' is not KEY=VALUE", optarg);
			}
			if (!(t = realloc(ort, (n_ort + 1) * sizeof(*ort)))) {
				free(ort);
				return cli_error("propose", "out of memory");
			}
			ort = t;
			*eq = '\0';
			ort[n_ort].key = optarg;
			ort[n_ort].value = eq + 1;
			n_ort++;
			break;
		}
		case OPT_NOQP:
			o.quant_auto = 0;
			break;
		case OPT_OFFSET:
			if ((v = cli_parse_long("propose", "--label-offset", optarg, 0, 1000)) < 0)
				goto usage_fail;
			o.label_offset = (int)v;
			offset_given = 1;
			break;
		case OPT_OUTPUT:
			o.output_name = optarg;
			break;
		case OPT_NOSOFTMAX:
			o.softmax = 0;
			break;
		case OPT_SAVE_LOGITS:
			o.save_logits = optarg;
			break;
		case OPT_SAVE_FEATURES:
			o.save_features = optarg;
			break;
		case OPT_FEATURES_OUTPUT:
			o.features_name = optarg;
			break;
		case OPT_SIZE:
			fl.size = optarg;
			break;
		case OPT_CROP_PCT:
			fl.crop_pct = optarg;
			break;
		case OPT_CROP_MODE:
			fl.crop_mode = optarg;
			break;
		case OPT_INTERP:
			fl.interp = optarg;
			break;
		case OPT_MEAN:
			fl.mean = optarg;
			break;
		case OPT_STD:
			fl.std = optarg;
			break;
		case OPT_ALPHA:
			fl.alpha = optarg;
			break;
		case OPT_NOSHRINK:
			fl.no_shrink = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			free(ort);
			return cli_usage_error("propose", "unknown option");
		}
	}
	if (argc - optind != 1) {
		free(ort);
		return cli_usage_error("propose", "expected one PROJECT argument");
	}
	if (!o.model_path) {
		free(ort);
		return cli_usage_error("propose", "--model FILE is required");
	}
	if (!mlfy_session_available()) {
		free(ort);
		return cli_error("propose", "%s: this mlfy was built without ONNX Runtime; run "
			       "scripts/fetch-onnxruntime (or install libonnxruntime-dev, or set ORT_ROOT) "
			       "and rebuild", o.model_path);
	}
	o.ort_options = ort;
	o.n_ort_options = n_ort;

	/* preprocessing: defaults, then the config, then the flags */
	if (config) {
		if ((rc = mlfy_prep_load_config(config, &o.prep, &extra, &err))) {
			free(ort);
			return cli_report("propose", &err);
		}
		if (extra.label_offset >= 0 && !offset_given)
			o.label_offset = extra.label_offset;
		if (!fl.size) {
			o.test_height = extra.test_height;
			o.test_width = extra.test_width;
		}
		if (!fl.crop_pct)
			o.test_crop_pct = extra.test_crop_pct;
	}
	if ((rc = apply_flags(&fl, &o.prep, &err))) {
		free(ort);
		return cli_usage_error("propose", "%s", err.msg);
	}

	if (!(s = cli_open_project("propose", argv[optind], 0))) {
		free(ort);
		return MLFY_EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	o.stop = &interrupted;
	o.progress = cli_progress(&prog, "propose", quiet);

	rc = mlfy_propose_run(s, &o, &res, &err);
	mlfy_progress_finish(o.progress);
	sigaction(SIGINT, &old_sa, NULL);
	mlfy_store_close(s);
	free(ort);

	if (rc == 0 || rc == MLFY_EINTR)
		print_summary(argv[optind], &res, o.top_k, quiet);
	status = rc ? cli_report("propose", &err) : 0;
	if (rc == MLFY_EINTR)
		fprintf(stderr, "mlfy propose: the %lld image%s stored so far are kept; run the same command "
			"again to continue\n", (long long)res.n_done, res.n_done == 1 ? "" : "s");
	mlfy_propose_result_release(&res);
	return status;

usage_fail:
	free(ort);
	return MLFY_EXIT_USAGE;
}
