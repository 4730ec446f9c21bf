/* cmd_export.c - `mlfy export PROJECT --format F [--out FILE]`: write the
 * final labels, or the raw votes and posteriors as ReaL .npz files
 * (src/review/export.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "review/export.h"
#include "util/numfmt.h"
#include "util/outfile.h"

static const char usage[] =
	"usage: mlfy export PROJECT --format FORMAT [--out FILE] [--image-root ROOT]\n"
	"                   [--method METHOD]\n"
	"\n"
	"Writes the project's final labels, image by image in image-name order\n"
	"(or, with real-votes and real-scores, its raw votes or posteriors),\n"
	"to FILE (written to a temporary file and renamed into place; a FIFO or\n"
	"device such as /dev/stdout is written as it is; FILE may not be the\n"
	"project) or to standard output.  Memory use does not grow with the\n"
	"number of images.\n"
	"\n"
	"Formats (examples in docs/review.md):\n"
	"  real          ReaL's real.json: [[idx, ...], ...], one list per image in\n"
	"                image-name order; undecided images are written as [] so\n"
	"                the list stays aligned (a warning counts them)\n"
	"  multilabelfy  {\"file\": [\"idx\", ...], ...} as in ImageNetV2's\n"
	"                refined_labels.json; undecided images are left out\n"
	"  csv           file,original_label,labels,label_count,stage,comment\n"
	"                (labels space-separated; stage \"undecided\" when none)\n"
	"  jsonl         one JSON object per image with the full provenance: every\n"
	"                annotator's set, label sources and comment, the expert's\n"
	"                refinement and its changes, the zero-label review\n"
	"  labelstudio   Label Studio task import JSON: data.image = the image's\n"
	"                name (its path below the imported folder) after\n"
	"                --image-root, never the server's absolute path; decided\n"
	"                images with a \"choices\" annotation (from_name\n"
	"                \"label\", to_name \"image\") of class names\n"
	"  real-votes    the raw votes of every source (imported files and the\n"
	"                verification grid) as ReaL's raters.npz: tensor float64\n"
	"                [raters, questions, 3] one-hot no/maybe/yes (all zero =\n"
	"                not answered), info [questions, 2] (image, label index\n"
	"                as text), ids int64 [raters], names [raters]; raters in\n"
	"                name order; a rater named by a decimal number (no sign,\n"
	"                no leading zero) keeps it as id, others get the largest\n"
	"                such id + their 1-based position (docs/formats.md).\n"
	"                'mlfy aggregate --votes FILE' reads it back\n"
	"  real-scores   the stored posteriors of --method (from 'mlfy aggregate\n"
	"                PROJECT') as ReaL's scores_split_a.npz: tensor float64\n"
	"                [questions], info [questions, 2]\n"
	"  (both .npz, deflated, questions in the order votes were first stored)\n"
	"\n"
	"A summary goes to standard error.  'mlfy stats FILE' on a real or\n"
	"multilabelfy export gives the same label-count distribution as\n"
	"'mlfy stats PROJECT' once every image is decided.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT   real, multilabelfy, csv, jsonl, labelstudio,\n"
	"                        real-votes or real-scores\n"
	"  -o, --out FILE        output file (default: standard output)\n"
	"  -m, --method METHOD   real-scores: dawid-skene (default) or majority\n"
	"      --image-root ROOT labelstudio: put ROOT before each image name, a URL\n"
	"                        (names percent-encoded) or a path, e.g.\n"
	"                        https://files.example.org/val/ (default: the names)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy export val.mlfy --format real --out real.json\n"
	"  mlfy export val.mlfy --format real-votes --out raters.npz\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (no partial FILE is left), 2 on a\n"
	"bad command line.\n";

static struct {
	const char *format, *out, *image_root, *method;
	enum mlfy_export_format fmt;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('f', "format", &o.format),
	CLI_OPT_STRING('o', "out", &o.out),
	CLI_OPT_STRING(0, "image-root", &o.image_root),
	CLI_OPT_STRING('m', "method", &o.method),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	struct mlfy_err err;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.format)
		return cli_usage_error(c->name, "--format is required (real, multilabelfy, csv, jsonl, labelstudio,"
					      " real-votes, real-scores)");
	mlfy_err_clear(&err);
	if (mlfy_export_format_parse(o.format, &o.fmt, &err))
		return cli_usage_error(c->name, "%s", err.msg);
	if (o.method && o.fmt != MLFY_EXPORT_REAL_SCORES)
		return cli_usage_error(c->name, "--method applies to --format real-scores only");
	if (o.method && strcmp(o.method, "dawid-skene") && strcmp(o.method, "majority"))
		return cli_usage_error(c->name, "unknown method '%s' (majority or dawid-skene)", o.method);
	if ((o.fmt == MLFY_EXPORT_REAL_VOTES || o.fmt == MLFY_EXPORT_REAL_SCORES) && (!o.out || !strcmp(o.out, "-")) &&
	    isatty(STDOUT_FILENO))
		return cli_usage_error(c->name, "--format %s writes a binary .npz: give --out FILE.npz (or redirect"
					      " standard output)", o.format);
	if ((o.fmt == MLFY_EXPORT_REAL_VOTES || o.fmt == MLFY_EXPORT_REAL_SCORES) && o.out && strcmp(o.out, "-") &&
	    (strlen(o.out) < 4 || strcasecmp(o.out + strlen(o.out) - 4, ".npz")))
		return cli_usage_error(c->name, "--out: '%s' must end in .npz for --format %s", o.out, o.format);
	return 0;
}

/* The summary line (and a warning) on standard error. */
static void summary(const char *cmd, const struct mlfy_export_summary *sum)
{
	char a[32], b[32], c2[32], d[32];

	if (o.fmt == MLFY_EXPORT_REAL_VOTES || o.fmt == MLFY_EXPORT_REAL_SCORES) {
		fprintf(stderr, "%s: %s questions", o.out ? o.out : "export", mlfy_fmt_count(a, sizeof(a), sum->questions));
		if (o.fmt == MLFY_EXPORT_REAL_VOTES)
			fprintf(stderr, ", %s votes from %s raters\n", mlfy_fmt_count(b, sizeof(b), sum->votes),
				mlfy_fmt_count(c2, sizeof(c2), sum->raters));
		else
			fprintf(stderr, " (%s posteriors; %s positive decisions)\n", o.method ? o.method : "dawid-skene",
				mlfy_fmt_count(b, sizeof(b), sum->votes));
		return;
	}

	fprintf(stderr, "%s: %s images, %s decided (%s labels, %s empty sets)", o.out ? o.out : "export",
		mlfy_fmt_count(a, sizeof(a), sum->images), mlfy_fmt_count(b, sizeof(b), sum->decided),
		mlfy_fmt_count(c2, sizeof(c2), sum->labels), mlfy_fmt_count(d, sizeof(d), sum->zero_label));
	if (sum->undecided)
		fprintf(stderr, "; %s not yet decided%s", mlfy_fmt_count(b, sizeof(b), sum->undecided),
			o.fmt == MLFY_EXPORT_REAL ? " (written as [])"
			: o.fmt == MLFY_EXPORT_MULTILABELFY ? " (left out)"
			: o.fmt == MLFY_EXPORT_LABELSTUDIO ? " (tasks without annotations)" : "");
	fprintf(stderr, "\n");
	if (sum->undecided && o.fmt == MLFY_EXPORT_REAL)
		cli_warn(cmd, "%s undecided images are written as empty lists; run 'mlfy analyze' and"
			 " finish the refinement first", mlfy_fmt_count(b, sizeof(b), sum->undecided));
}

static int run(struct cli_ctx *c)
{
	struct mlfy_export_summary sum;
	struct mlfy_outfile f;
	struct mlfy_err err;

	mlfy_err_clear(&err);
	if (mlfy_outfile_open(&f, o.out, c->project, "the project file", &err))
		return cli_report(c->name, &err);
	if (mlfy_export_with(c->store, o.fmt, o.image_root, o.method, f.f, &sum, &err)) {
		mlfy_outfile_abort(&f);
		if (err.code == MLFY_EIO)   /* a write error names the output: the library only has a FILE * */
			return cli_error(c->name, "%s: cannot write: %s",
					 o.out && strcmp(o.out, "-") ? o.out : "standard output",
					 strncmp(err.msg, "write: ", 7) ? err.msg : err.msg + 7);
		return cli_report(c->name, &err);
	}
	if (mlfy_outfile_commit(&f, &err))
		return cli_report(c->name, &err);
	summary(c->name, &sum);
	return 0;
}

const struct cli_builtin cmd_export = {
	.summary = "write the final labels (ReaL, Multilabelfy, CSV, JSONL, Label Studio) or the votes and scores as ReaL .npz",
	.usage = usage, .options = options, .check = check, .run = run,
};
