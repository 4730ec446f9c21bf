/* cmd_import_votes.c - `mlfy import-votes PROJECT FILE.npz`: store raw votes
 * (ReaL's format, or the project's own checkbox answers) for aggregation
 * and agreement (src/review/votes.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "review/votes.h"
#include "store/catalog.h"

const char cmd_import_votes_summary[] = "store raw votes (ReaL .npz or the project's own answers)";

static const char usage[] =
	"usage: mlfy import-votes PROJECT FILE.npz [--source NAME] [--no-class-check]\n"
	"       mlfy import-votes PROJECT --from-annotations\n"
	"\n"
	"Stores raw votes in the project (tables questions and votes) for 'mlfy\n"
	"aggregate'.  A vote answers a question \"does label L apply to image I?\"\n"
	"with no, maybe or yes.\n"
	"\n"
	"FILE.npz is in the format of ReaL's raw ratings (Beyer et al. 2020,\n"
	"reassessed-imagenet: raters.npz, golden.npz):\n"
	"  tensor  R x N x 3 float, one-hot no/maybe/yes of rater r on question\n"
	"          n; an all-zero triple = not answered\n"
	"  info    N x 2 strings: image file name, label index\n"
	"  ids     R integers: rater ids (stored as the rater names)\n"
	"Labels must be class indices of the project (unless --no-class-check).\n"
	"\n"
	"--from-annotations derives votes from the project's current stage-ii\n"
	"annotations: a proposal shown to an annotator and ticked = yes, shown and\n"
	"not ticked = no, a label added through the search = yes.\n"
	"\n"
	"Votes are stored under a source name (default \"npz:FILE-NAME\" or\n"
	"\"annotations\"); importing the same source again replaces its votes.\n"
	"Nothing is stored when the input is invalid.\n"
	"\n"
	"Options:\n"
	"  -s, --source NAME      store under this source name\n"
	"      --from-annotations use the project's stage-ii answers\n"
	"      --no-class-check   accept labels outside the project's classes\n"
	"  -h, --help             show this help\n"
	"\n"
	"Example:\n"
	"  mlfy import-votes val.mlfy raters.npz\n"
	"  mlfy aggregate val.mlfy --method dawid-skene\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is stored), 2 on a bad\n"
	"command line.\n";

int cmd_import_votes(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_NOCHECK };
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "from-annotations", no_argument, NULL, OPT_FROM },
		{ "no-class-check", no_argument, NULL, OPT_NOCHECK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *source = NULL, *file = NULL;
	char src_buf[512], a[32], b[32];
	struct mlfy_vote_set v;
	struct mlfy_store *s;
	struct mlfy_err err;
	int64_t nq = 0, nv = 0;
	size_t n_classes = 0;
	int c, from_ann = 0, check = 1, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': source = optarg; break;
		case OPT_FROM: from_ann = 1; break;
		case OPT_NOCHECK: check = 0; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("import-votes", "unknown option");
		}
	}
	if (from_ann ? argc - optind != 1 : argc - optind != 2)
		return cli_usage_error("import-votes", from_ann ? "--from-annotations takes one PROJECT argument"
				       : "expected PROJECT and FILE.npz arguments");
	if (source && !*source)
		return cli_usage_error("import-votes", "--source must not be empty");
	if (!from_ann) {
		const char *base;
		file = argv[optind + 1];
		base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		if (!source) {
			snprintf(src_buf, sizeof(src_buf), "npz:%s", base);
			source = src_buf;
		}
	} else if (!source) {
		source = "annotations";
	}
	if (!(s = cli_open_project("import-votes", argv[optind], 0)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	if (from_ann)
		rc = mlfy_vote_set_from_annotations(s, &v, &err);
	else
		rc = mlfy_vote_set_read_npz(file, &v, &err);
	if (!rc && check && !mlfy_catalog_n_classes(s, &n_classes, &err) && n_classes == 0)
		check = 0;   /* a project without classes cannot check */
	if (!rc)
		rc = mlfy_vote_set_store(s, &v, source, check, &nq, &nv, &err);
	if (rc) {
		mlfy_vote_set_release(&v);   /* read, then refused by the store */
		mlfy_store_close(s);
		if (!from_ann && rc != MLFY_ENOMEM && !strstr(err.msg, file))
			mlfy_err_prefix(&err, "%s", file);
		return cli_report("import-votes", &err);
	}
	printf("%s: stored %s votes on %s questions from %zu raters as source '%s'\n", argv[optind],
	       rcli_thousands(nv, a), rcli_thousands(nq, b), v.n_raters, source);
	mlfy_vote_set_release(&v);
	mlfy_store_close(s);
	return 0;
}
