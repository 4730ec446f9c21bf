/* cmd_import_predictions.c - `mlfy import-predictions`: a model's
 * predictions (.npy logits/probabilities, timm inference.py CSV/JSON) into
 * the project's top-k proposals. */
#include <stdio.h>

#include "cli/cli.h"
#include "ingest/predictions.h"
#include "util/progress.h"

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

/* --input words, in MLFY_PRED_* order */
static const char *const inputs[] = { "auto", "logits", "probs", NULL };

static struct {
	struct mlfy_pred_options lib;
	int quiet;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('m', "model", &o.lib.model),
	CLI_OPT_STRING('o', "order", &o.lib.order_path),
	CLI_OPT_INT('k', "top", &o.lib.top_k, 1, 100000),
	CLI_OPT_CHOICE('i', "input", &o.lib.input, inputs),
	CLI_OPT_FLAG('a', "activate", &o.lib.activate),
	CLI_OPT_FLAG('s', "skip-unknown", &o.lib.skip_unknown),
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected PROJECT and FILE");
	if (!o.lib.model || !*o.lib.model)
		return cli_usage_error(c->name, "--model NAME is required");
	return 0;
}

static int run(struct cli_ctx *c)
{
	const char *file = c->argv[1];
	struct mlfy_pred_result res;
	struct mlfy_progress prog;
	struct mlfy_err err;
	int rc;

	if (!o.quiet) {
		mlfy_progress_start(&prog, stderr, cli_isatty(2), "predictions", 0);
		o.lib.progress = &prog;
	}
	mlfy_err_clear(&err);
	rc = mlfy_predictions_import(c->store, file, &o.lib, &res, &err);
	if (!o.quiet)
		mlfy_progress_finish(&prog);
	if (rc)
		return cli_report(c->name, &err);
	printf("%s: model '%s' (%s): top-%zu proposals for %zu image%s%s\n", c->project, o.lib.model, res.kind,
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
		cli_warn(c->name, "%lld project image%s %s no prediction in %s", (long long)res.n_without,
			 res.n_without == 1 ? "" : "s", res.n_without == 1 ? "has" : "have", file);
	printf("active proposal model: %s\n", res.activated ? o.lib.model : "unchanged (use --activate)");
	return 0;
}

const struct cli_builtin cmd_import_predictions = {
	.summary = "store a model's top-k proposals from .npy or timm output",
	.usage = usage, .options = options, .check = check, .run = run,
};
