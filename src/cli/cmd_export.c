/* cmd_export.c - `mlfy export PROJECT --format F [--out FILE]`: write the
 * final labels (src/review/export.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "review/export.h"

const char cmd_export_summary[] = "write the final labels (ReaL, Multilabelfy, CSV, JSONL, Label Studio)";

static const char usage[] =
	"usage: mlfy export PROJECT --format FORMAT [--out FILE]\n"
	"\n"
	"Writes the project's final labels, image by image in image-name order,\n"
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
	"  labelstudio   Label Studio task import JSON: data.image = the file path,\n"
	"                decided images with a \"choices\" annotation (from_name\n"
	"                \"label\", to_name \"image\") of class names\n"
	"\n"
	"A summary goes to standard error.  'mlfy stats FILE' on a real or\n"
	"multilabelfy export gives the same label-count distribution as\n"
	"'mlfy stats PROJECT' once every image is decided.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT   real, multilabelfy, csv, jsonl or labelstudio\n"
	"  -o, --out FILE        output file (default: standard output)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy export val.mlfy --format real --out real.json\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (no partial FILE is left), 2 on a\n"
	"bad command line.\n";

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum mlfy_export_format fmt;
	struct mlfy_export_summary sum;
	struct rcli_out out;
	struct mlfy_store *s;
	struct mlfy_err err;
	const char *format = NULL, *path = NULL;
	char a[32], b[32], c2[32], d[32];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': path = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("export", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("export", "expected one PROJECT argument");
	if (!format)
		return cli_usage_error("export", "--format is required (real, multilabelfy, csv, jsonl, labelstudio)");
	mlfy_err_clear(&err);
	if (mlfy_export_format_parse(format, &fmt, &err))
		return cli_usage_error("export", "%s", err.msg);
	if (!(s = cli_open_project("export", argv[optind], MLFY_STORE_READONLY)))
		return MLFY_EXIT_FAIL;
	if (rcli_out_open("export", path, argv[optind], &out)) {
		mlfy_store_close(s);
		return MLFY_EXIT_FAIL;
	}
	if (mlfy_export(s, fmt, out.f, &sum, &err)) {
		rcli_out_abort(&out);
		mlfy_store_close(s);
		if (err.code == MLFY_EIO)   /* a write error names the output: the library only has a FILE * */
			return cli_error("export", "%s: cannot write: %s", path && strcmp(path, "-") ? path : "standard output",
					 strncmp(err.msg, "write: ", 7) ? err.msg : err.msg + 7);
		return cli_report("export", &err);
	}
	mlfy_store_close(s);
	if (rcli_out_commit("export", &out))
		return MLFY_EXIT_FAIL;
	fprintf(stderr, "%s: %s images, %s decided (%s labels, %s empty sets)",
		path ? path : "export", rcli_thousands(sum.images, a), rcli_thousands(sum.decided, b),
		rcli_thousands(sum.labels, c2), rcli_thousands(sum.zero_label, d));
	if (sum.undecided)
		fprintf(stderr, "; %s not yet decided%s", rcli_thousands(sum.undecided, b),
			fmt == MLFY_EXPORT_REAL ? " (written as [])"
			: fmt == MLFY_EXPORT_MULTILABELFY ? " (left out)"
			: fmt == MLFY_EXPORT_LABELSTUDIO ? " (tasks without annotations)" : "");
	fprintf(stderr, "\n");
	if (sum.undecided && fmt == MLFY_EXPORT_REAL)
		cli_warn("export", "%s undecided images are written as empty lists; run 'mlfy analyze' and"
			 " finish the refinement first", rcli_thousands(sum.undecided, b));
	return 0;
}
