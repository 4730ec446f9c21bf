/* cmd_import_predictions.c - `mlfy import-predictions`: a model's
 * predictions (.npy logits/probabilities, timm inference.py CSV/JSON) into
 * the project's top-k proposals. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/predictions.h"
#include "util/progress.h"

const char cmd_import_predictions_summary[] = "store a model's top-k proposals from .npy or timm output";

static const char usage[] =
	"usage: mlfy import-predictions PROJECT --model NAME [--order FILE] [--top K]\n"
	"                               [--input auto|logits|probs] [--skip-unknown]\n"
	"                               [--activate] [--quiet] FILE\n"
	"\n"
	"Reads a model's predictions for the project's images and stores, for each\n"
	"image, the top-K classes with their softmax probabilities as the model's\n"
	"label proposals (what annotators are shown).\n"
	"\n"
	"FILE is one of (detected from its content):\n"
	"  .npy    float logits or probabilities (<f2, <f4, <f8), C order, shape\n"
	"          [N, C] with C the project's class count.  Row r is the image on\n"
	"          line r of --order FILE (one image name per line), or without\n"
	"          --order the r-th image in name order (N must equal the number\n"
	"          of images).\n"
	"  CSV or JSON written by timm's inference.py (--results-format csv, json,\n"
	"          json-split): a 'filename' column, the top-k class indices\n"
	"          ('index', from --include-index) or labels ('label', WordNet ids\n"
	"          with --label-type name, or descriptions), and the probabilities\n"
	"          ('prob'); one column per rank with --results-separate-col.\n"
	"          With --topk 0 all C outputs are given and may be logits.\n"
	"Image names match an image's name, its absolute path, or its file name\n"
	"when that is unique in the project (as in mlfy evaluate --order).  A file\n"
	"that covers more images than the project (predictions for a whole\n"
	"dataset, a project of part of it) is refused unless --skip-unknown is\n"
	"given: then the rows of images the project does not have are skipped\n"
	"and counted.\n"
	"\n"
	"Logits or probabilities: with --input auto (the default) a .npy file is\n"
	"read as probabilities when every row is non-negative and sums to 1\n"
	"within 1e-3, else as logits, which are turned into probabilities with a\n"
	"numerically stable softmax.  --input probs takes the values as scores\n"
	"as they are (they must lie in [0, 1]; e.g. sigmoid outputs).  Ties in the\n"
	"top-K are broken by class index, lower first.\n"
	"\n"
	"Everything is checked before anything is stored, in one transaction:\n"
	"a shape or class-count mismatch, NaN or infinite values, class indices\n"
	"out of range, unknown images and images given twice stop the import\n"
	"with a message naming the row or image, and nothing changes.\n"
	"Importing a model again (the same NAME) replaces all its proposals.  The\n"
	"first model imported becomes the project's active proposal model; later\n"
	"ones only with --activate.\n"
	"\n"
	"Options:\n"
	"  -m, --model NAME     model name (required), e.g. mobilenetv2-12-int8\n"
	"  -o, --order FILE     row -> image mapping for a .npy file\n"
	"  -k, --top K          proposals per image (default 20)\n"
	"  -i, --input KIND     auto (default), logits or probs\n"
	"  -s, --skip-unknown   skip rows of images that are not in the project\n"
	"  -a, --activate       make this the active proposal model\n"
	"  -q, --quiet          no progress reporting\n"
	"  -h, --help           show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy import-predictions demo.mlfy --model mobilenetv2 \\\n"
	"      --order darknet-photos.order.txt darknet-photos.mobilenetv2-12-int8.logits.npy\n"
	"  python inference.py imgs/ --model resnet50 --pretrained --topk 20 \\\n"
	"      --include-index --results-format csv --results-file resnet50\n"
	"  mlfy import-predictions val.mlfy --model resnet50 resnet50.csv\n"
	"\n"
	"Exit status: 0 on success, 1 when nothing was imported because of a\n"
	"problem, 2 on a bad command line.\n";

int cmd_import_predictions(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "order", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, 'k' },
		{ "input", required_argument, NULL, 'i' },
		{ "activate", no_argument, NULL, 'a' },
		{ "skip-unknown", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_pred_options opt;
	struct mlfy_pred_result res;
	struct mlfy_progress prog;
	struct mlfy_store *s;
	struct mlfy_err err;
	int c, quiet = 0, rc;
	long k;

	memset(&opt, 0, sizeof(opt));
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:o:k:i:asqh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'm':
			opt.model = optarg;
			break;
		case 'o':
			opt.order_path = optarg;
			break;
		case 'k':
			if ((k = cli_parse_long("import-predictions", "--top", optarg, 1, 100000)) < 0)
				return MLFY_EXIT_USAGE;
			opt.top_k = (int)k;
			break;
		case 'i':
			if (!strcmp(optarg, "auto"))
				opt.input = MLFY_PRED_AUTO;
			else if (!strcmp(optarg, "logits"))
				opt.input = MLFY_PRED_LOGITS;
			else if (!strcmp(optarg, "probs"))
				opt.input = MLFY_PRED_PROBS;
			else
				return cli_usage_error("import-predictions", "--input: '%s' is not auto, logits or probs",
						       optarg);
			break;
		case 'a':
			opt.activate = 1;
			break;
		case 's':
			opt.skip_unknown = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			return cli_usage_error("import-predictions", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("import-predictions", "expected PROJECT and FILE");
	if (!opt.model || !*opt.model)
		return cli_usage_error("import-predictions", "--model NAME is required");
	if (!(s = cli_open_project("import-predictions", argv[optind], 0)))
		return MLFY_EXIT_FAIL;
	if (!quiet) {
		mlfy_progress_start(&prog, stderr, cli_isatty(2), "predictions", 0);
		opt.progress = &prog;
	}
	mlfy_err_clear(&err);
	rc = mlfy_predictions_import(s, argv[optind + 1], &opt, &res, &err);
	if (!quiet)
		mlfy_progress_finish(&prog);
	mlfy_store_close(s);
	if (rc)
		return cli_report("import-predictions", &err);
	printf("%s: model '%s' (%s): top-%zu proposals for %zu image%s%s\n", argv[optind], opt.model, res.kind,
	       res.top_k, res.n_rows, res.n_rows == 1 ? "" : "s", res.replaced ? " (replacing its previous proposals)" : "");
	if (res.kind[0] == 'n' || res.input == MLFY_PRED_LOGITS)
		printf("input read as %s\n", res.input == MLFY_PRED_PROBS ? "probabilities" : "logits (softmax applied)");
	if (res.n_top1_checked)
		printf("top-1 agrees with the original label: %zu of %zu (%.2f %%)\n", res.n_top1_correct,
		       res.n_top1_checked, 100.0 * (double)res.n_top1_correct / (double)res.n_top1_checked);
	if (res.n_skipped)
		printf("%zu row%s skipped: %s not in the project\n", res.n_skipped, res.n_skipped == 1 ? "" : "s",
		       res.n_skipped == 1 ? "its image is" : "their images are");
	if (res.n_without > 0)
		cli_warn("import-predictions", "%lld project image%s %s no prediction in %s", (long long)res.n_without,
			 res.n_without == 1 ? "" : "s", res.n_without == 1 ? "has" : "have", argv[optind + 1]);
	printf("active proposal model: %s\n", res.activated ? opt.model : "unchanged (use --activate)");
	return 0;
}
