/* cmd_add_images.c - `mlfy add-images PROJECT SRC`: import a dataset's images
 * (src/ingest/images.h does the work; this file parses options and prints). */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "ingest/images.h"

static const char usage[] =
	"usage: mlfy add-images PROJECT SRC [--labels FILE] [--batches N] [--seed N]\n"
	"                       [--layout auto|imagefolder|flat|csv] [--name-by path|file]\n"
	"                       [--allow-duplicates] [--quiet]\n"
	"\n"
	"Adds the images of SRC to PROJECT with their original (single) labels,\n"
	"content hash (SHA-256), size in bytes and pixel size (read from the\n"
	"header only), and assigns each new image to an annotation batch.\n"
	"\n"
	"SRC is one of (detected unless --layout says):\n"
	"  an ImageFolder tree  SRC/<class>/<file>: <class> is a class id\n"
	"                       (n01440764), an index (0..999, as in ImageNetV2)\n"
	"                       or a class name; files may sit in subfolders;\n"
	"  a flat folder        SRC/<file> with --labels FILE: one label per line,\n"
	"                       for the image files in sorted (byte) order of\n"
	"                       their names, as ImageNet's validation set; without\n"
	"                       --labels the images have no original label;\n"
	"  a CSV manifest       a file with a header 'path,label' (other columns\n"
	"                       are ignored); paths absolute or relative to the\n"
	"                       manifest's folder.\n"
	"Labels are class ids, indices or names.  Image files are recognised by\n"
	"extension (.jpg .jpeg .jpe .png .webp .tif .tiff .gif .heic .heif .avif\n"
	".jxl, any case); other files and names starting with '.' are ignored.\n"
	"\n"
	"An image's name, its key in exports, is its path relative to SRC (the\n"
	"file name for flat folders; the path as written for manifests), or its\n"
	"file name with --name-by file.\n"
	"\n"
	"All files are checked before anything is written.  Unreadable, empty,\n"
	"corrupt or truncated files, files that are not images, unknown labels,\n"
	"missing or extra label lines, and duplicates (the same name twice, or\n"
	"the same content under two names, within SRC or against the project)\n"
	"are listed, one line each, and nothing is imported (exit status 1).\n"
	"Images already in the project under the same name with the same content\n"
	"and label are skipped, so running the command again is harmless.\n"
	"\n"
	"Batches: new images are ordered by (SipHash of the label, label, SipHash\n"
	"of the name, name), SipHash keyed by --seed: classes in a seeded order,\n"
	"each class's images together in a seeded order.  Each image then goes\n"
	"to the batch with the fewest images so far (existing images counted), so\n"
	"batches stay within one image of each other, each class is spread over\n"
	"the batches, and existing images keep their batch (docs/ingest.md).\n"
	"\n"
	"Options:\n"
	"  -l, --labels FILE      ground-truth file for a flat folder\n"
	"  -b, --batches N        number of batches (default: the project's, else 7);\n"
	"                         may grow, never shrink\n"
	"  -s, --seed N           seed of the batch order (default 0)\n"
	"      --layout L         auto (default), imagefolder, flat or csv\n"
	"      --name-by path|file  image names: relative path (default) or file name\n"
	"      --allow-duplicates accept files with the same content under different\n"
	"                         names (within SRC or against the project)\n"
	"  -q, --quiet            no progress reporting\n"
	"  -h, --help             show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy add-images val.mlfy ILSVRC2012_img_val --labels val_labels.txt\n"
	"  mlfy add-images v2.mlfy imagenetv2-matched-frequency --name-by file\n"
	"  mlfy add-images my.mlfy photos/manifest.csv --batches 10\n"
	"\n"
	"Exit status: 0 on success, 1 when nothing was imported because of a\n"
	"problem, 2 on a bad command line, 130 when interrupted.\n";

/* --layout words, in enum mlfy_image_layout order */
static const char *const layouts[] = { "auto", "imagefolder", "flat", "csv", NULL };
static const char *const name_by[] = { "path", "file", NULL };

static struct {
	struct mlfy_add_images_opts lib;
	int layout, quiet;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('l', "labels", &o.lib.labels),
	CLI_OPT_INT('b', "batches", &o.lib.batches, 1, 100000),
	CLI_OPT_SEED('s', "seed", &o.lib.seed),
	CLI_OPT_CHOICE(0, "layout", &o.layout, layouts),
	CLI_OPT_CHOICE(0, "name-by", &o.lib.name_by_file, name_by),
	CLI_OPT_FLAG(0, "allow-duplicates", &o.lib.allow_duplicates),
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected PROJECT and SRC arguments");
	o.lib.src = c->argv[1];
	o.lib.layout = (enum mlfy_image_layout)o.layout;
	return 0;
}

/* "batches: 1:143 2:143 ...", or the range of the sizes when there are many */
static void print_batches(const struct mlfy_add_images_result *r)
{
	int64_t lo, hi;
	int i;

	if (r->n_batches <= 30) {
		printf("batches:");
		for (i = 0; i < r->n_batches; i++)
			printf(" %d:%" PRId64, i + 1, r->batch_sizes[i]);
		printf("\n");
		return;
	}
	/* one line per run, not a screenful */
	lo = hi = r->batch_sizes[0];
	for (i = 1; i < r->n_batches; i++) {
		lo = r->batch_sizes[i] < lo ? r->batch_sizes[i] : lo;
		hi = r->batch_sizes[i] > hi ? r->batch_sizes[i] : hi;
	}
	printf("batches: %d, of %" PRId64 " to %" PRId64 " images\n", r->n_batches, lo, hi);
}

static int run(struct cli_ctx *c)
{
	struct mlfy_add_images_result r;
	struct mlfy_progress prog;
	struct mlfy_err err;

	o.lib.cancel = c->cancel;
	o.lib.progress = cli_progress(&prog, "reading images", o.quiet);
	mlfy_err_clear(&err);
	if (mlfy_ingest_add_images(c->store, &o.lib, &r, &err)) {
		cli_print_problems("", r.problems, r.n_problems);
		mlfy_add_images_result_release(&r);
		return cli_report(c->name, &err);
	}
	printf("%s: %zu image%s added, %zu already present (%s layout, %zu file%s", c->project, r.n_added,
	       r.n_added == 1 ? "" : "s", r.n_present, mlfy_image_layout_name(r.layout), r.n_files,
	       r.n_files == 1 ? "" : "s");
	if (r.n_ignored)
		printf(", %zu non-image entr%s ignored", r.n_ignored, r.n_ignored == 1 ? "y" : "ies");
	printf(")\n");
	if (r.n_unlabelled)
		printf("%zu image%s added without an original label\n", r.n_unlabelled,
		       r.n_unlabelled == 1 ? "" : "s");
	print_batches(&r);
	mlfy_add_images_result_release(&r);
	return 0;
}

const struct cli_builtin cmd_add_images = {
	.summary = "import images (ImageFolder, flat folder + labels, CSV manifest)",
	.usage = usage, .options = options, .check = check, .run = run,
};
