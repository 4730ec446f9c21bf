/* cmd_add_exemplars.c - `mlfy add-exemplars PROJECT SRC`: choose example
 * images per class (src/ingest/exemplars.h does the work). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/exemplars.h"

const char cmd_add_exemplars_summary[] = "choose example images shown next to each class";

static const char usage[] =
	"usage: mlfy add-exemplars PROJECT SRC [--per-class N] [--seed N] [--quiet]\n"
	"\n"
	"Chooses up to N example images (exemplars) per class from SRC; the\n"
	"annotation page shows them next to a class name to tell similar classes\n"
	"apart.  SRC is an ImageFolder tree (SRC/<class>/<file>, <class> a class\n"
	"id, index or name) or a flat folder of files named <class>_<name>.<ext>\n"
	"(as ImageNet's n01440764_tench.JPEG).\n"
	"\n"
	"The choice is seeded and deterministic: per class, candidates are ordered\n"
	"by SipHash of their path keyed by --seed and read in that order; files\n"
	"that are images of the project (same content) are used only when a class\n"
	"has too few others, and the annotation page never shows an image as its\n"
	"own exemplar.  Unreadable or corrupt files, folders or names that are no\n"
	"class of the project and repeated content are skipped and listed.\n"
	"\n"
	"Running the command again replaces the exemplars of every class that\n"
	"SRC has candidates for; other classes keep theirs.\n"
	"\n"
	"Options:\n"
	"  -n, --per-class N   exemplars per class (default 10)\n"
	"  -s, --seed N        seed of the choice (default 0)\n"
	"  -q, --quiet         no progress reporting, no list of skipped files\n"
	"  -h, --help          show this help\n"
	"\n"
	"Example:\n"
	"  mlfy add-exemplars val.mlfy ILSVRC2012_img_train --per-class 10\n"
	"\n"
	"Exit status: 0 on success, 1 when no exemplar could be stored, 2 on a\n"
	"bad command line, 130 when interrupted.\n";

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

int cmd_add_exemplars(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "per-class", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_add_exemplars_opts o;
	struct mlfy_add_exemplars_result r;
	struct mlfy_progress prog;
	struct mlfy_store *s;
	struct mlfy_err err;
	struct sigaction sa, old_sa;
	int c, rc, quiet = 0;
	long v;
	size_t k;

	memset(&o, 0, sizeof(o));
	o.per_class = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((v = cli_parse_long("add-exemplars", "--per-class", optarg, 1, 1000)) < 0)
				return MLFY_EXIT_USAGE;
			o.per_class = (int)v;
			break;
		case 's': {
			unsigned long long seed;
			if (cli_parse_seed("add-exemplars", "--seed", optarg, &seed))
				return MLFY_EXIT_USAGE;
			o.seed = seed;
			break;
		}
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("add-exemplars", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("add-exemplars", "expected PROJECT and SRC arguments");
	o.src = argv[optind + 1];
	if (!(s = cli_open_project("add-exemplars", argv[optind], 0)))
		return MLFY_EXIT_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	o.cancel = &interrupted;
	o.progress = cli_progress(&prog, "choosing exemplars (classes)", quiet);

	mlfy_err_clear(&err);
	rc = mlfy_ingest_add_exemplars(s, &o, &r, &err);
	sigaction(SIGINT, &old_sa, NULL);
	mlfy_store_close(s);
	if (!quiet || rc)
		for (k = 0; k < r.n_skipped; k++) {
			fputs("skipped ", stderr);
			cli_fputs_safe(r.skipped[k].where, stderr);
			fputs(": ", stderr);
			cli_fputs_safe(r.skipped[k].reason, stderr);
			fputc('\n', stderr);
		}
	if (rc) {
		mlfy_add_exemplars_result_release(&r);
		return cli_report("add-exemplars", &err);
	}
	printf("%s: %zu exemplar%s for %zu class%s from %zu image file%s", argv[optind], r.n_exemplars,
	       r.n_exemplars == 1 ? "" : "s", r.n_classes, r.n_classes == 1 ? "" : "es", r.n_files,
	       r.n_files == 1 ? "" : "s");
	if (r.n_project)
		printf(" (%zu %s project image%s, never shown as %s own exemplar)", r.n_project,
		       r.n_project == 1 ? "is a" : "are", r.n_project == 1 ? "" : "s", r.n_project == 1 ? "its" : "their");
	printf("\n");
	if (r.n_short)
		printf("%zu class%s got fewer than %d\n", r.n_short, r.n_short == 1 ? "" : "es", o.per_class);
	if (r.n_skipped)
		printf("%zu file%s or folder%s skipped\n", r.n_skipped, r.n_skipped == 1 ? "" : "s",
		       r.n_skipped == 1 ? "" : "s");
	mlfy_add_exemplars_result_release(&r);
	return 0;
}
