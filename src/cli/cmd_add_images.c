/* cmd_add_images.c - `mlfy add-images PROJECT SRC`: import a dataset's images
 * (src/ingest/images.h does the work; this file parses options and prints). */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/images.h"

const char cmd_add_images_summary[] = "import images (ImageFolder, flat folder + labels, CSV manifest)";

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

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

int cmd_add_images(int argc, char **argv)
{
	enum { OPT_LAYOUT = 256, OPT_NAME_BY, OPT_ALLOW_DUP };
	static const struct option opts[] = {
		{ "labels", required_argument, NULL, 'l' },
		{ "batches", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, OPT_LAYOUT },
		{ "name-by", required_argument, NULL, OPT_NAME_BY },
		{ "allow-duplicates", no_argument, NULL, OPT_ALLOW_DUP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_add_images_opts o;
	struct mlfy_add_images_result r;
	struct mlfy_progress prog;
	struct mlfy_store *s;
	struct mlfy_err err;
	struct sigaction sa, old_sa;
	int c, rc, quiet = 0, i;
	long v;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:b:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.labels = optarg;
			break;
		case 'b':
			if ((v = cli_parse_long("add-images", "--batches", optarg, 1, 100000)) < 0)
				return MLFY_EXIT_USAGE;
			o.batches = (int)v;
			break;
		case 's': {
			unsigned long long seed;
			if (cli_parse_seed("add-images", "--seed", optarg, &seed))
				return MLFY_EXIT_USAGE;
			o.seed = seed;
			break;
		}
		case OPT_LAYOUT:
			if (!strcmp(optarg, "auto"))
				o.layout = MLFY_LAYOUT_AUTO;
			else if (!strcmp(optarg, "imagefolder"))
				o.layout = MLFY_LAYOUT_IMAGEFOLDER;
			else if (!strcmp(optarg, "flat"))
				o.layout = MLFY_LAYOUT_FLAT;
			else if (!strcmp(optarg, "csv"))
				o.layout = MLFY_LAYOUT_CSV;
			else
				return cli_usage_error("add-images", "--layout: '%s' is not auto, imagefolder, flat or csv",
						       optarg);
			break;
		case OPT_NAME_BY:
			if (!strcmp(optarg, "file"))
				o.name_by_file = 1;
			else if (strcmp(optarg, "path"))
				return cli_usage_error("add-images", "--name-by: '%s' is not path or file", optarg);
			break;
		case OPT_ALLOW_DUP:
			o.allow_duplicates = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("add-images", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("add-images", "expected PROJECT and SRC arguments");
	o.src = argv[optind + 1];
	if (!(s = cli_open_project("add-images", argv[optind], 0)))
		return MLFY_EXIT_FAIL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	o.cancel = &interrupted;
	o.progress = cli_progress(&prog, "reading images", quiet);

	mlfy_err_clear(&err);
	rc = mlfy_ingest_add_images(s, &o, &r, &err);
	sigaction(SIGINT, &old_sa, NULL);
	mlfy_store_close(s);
	if (rc) {
		size_t k;
		for (k = 0; k < r.n_problems; k++) {
			cli_fputs_safe(r.problems[k].where, stderr);
			fputs(": ", stderr);
			cli_fputs_safe(r.problems[k].reason, stderr);
			fputc('\n', stderr);
		}
		mlfy_add_images_result_release(&r);
		return cli_report("add-images", &err);
	}
	printf("%s: %zu image%s added, %zu already present (%s layout, %zu file%s", argv[optind], r.n_added,
	       r.n_added == 1 ? "" : "s", r.n_present, mlfy_image_layout_name(r.layout), r.n_files,
	       r.n_files == 1 ? "" : "s");
	if (r.n_ignored)
		printf(", %zu non-image entr%s ignored", r.n_ignored, r.n_ignored == 1 ? "y" : "ies");
	printf(")\n");
	if (r.n_unlabelled)
		printf("%zu image%s added without an original label\n", r.n_unlabelled,
		       r.n_unlabelled == 1 ? "" : "s");
	if (r.n_batches <= 30) {
		printf("batches:");
		for (i = 0; i < r.n_batches; i++)
			printf(" %d:%" PRId64, i + 1, r.batch_sizes[i]);
		printf("\n");
	} else {
		/* one line per run, not a screenful: the range of the sizes */
		int64_t lo = r.batch_sizes[0], hi = r.batch_sizes[0];
		for (i = 1; i < r.n_batches; i++) {
			lo = r.batch_sizes[i] < lo ? r.batch_sizes[i] : lo;
			hi = r.batch_sizes[i] > hi ? r.batch_sizes[i] : hi;
		}
		printf("batches: %d, of %" PRId64 " to %" PRId64 " images\n", r.n_batches, lo, hi);
	}
	mlfy_add_images_result_release(&r);
	return 0;
}
