/* cmd_finalize.c - `mlfy finalize PROJECT [IMAGE...]`: make experts' saved
 * refinements the final labels (stage "refined"; store/review.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "review/refine.h"
#include "store/catalog.h"
#include "store/zero_label.h"

const char cmd_finalize_summary[] = "stage iv: make experts' refined sets the final labels";

static const char usage[] =
	"usage: mlfy finalize PROJECT [IMAGE...]\n"
	"\n"
	"Stage (iv).  For every image of the refinement queue whose expert has\n"
	"saved a refinement (in 'mlfy serve'), makes the refined set the image's\n"
	"final labels (stage \"refined\", recording which refinement decided it).\n"
	"The expert the image is assigned to counts; when it is unassigned, the\n"
	"most recent refinement of any expert.  With IMAGE names, only those.\n"
	"'mlfy serve' does the same on every expert save; this command is the\n"
	"command-line path and repairs nothing else.  Running it again changes\n"
	"only images whose refinement changed since.\n"
	"\n"
	"Images refined to the empty set await a zero-label review\n"
	"('mlfy zero-review PROJECT --list').\n"
	"\n"
	"Options:\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is changed), 2 on a bad\n"
	"command line.\n";

int cmd_finalize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_store *s;
	struct mlfy_err err;
	int64_t done = 0, waiting = 0, *pending = NULL;
	size_t n_pending = 0;
	char a[32], b[32];
	int c, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		return cli_usage_error("finalize", "unknown option");
	}
	if (argc - optind < 1)
		return cli_usage_error("finalize", "expected a PROJECT argument");
	if (!(s = cli_open_project("finalize", argv[optind], 0)))
		return MLFY_EXIT_FAIL;
	mlfy_err_clear(&err);
	if (mlfy_store_begin(s, &err))
		goto fail;
	if (argc - optind == 1) {
		if (mlfy_review_finalize_all(s, &done, &waiting, &err))
			goto fail;
	} else {
		for (i = optind + 1; i < argc; i++) {
			int64_t id;
			int changed;
			if (mlfy_catalog_image_id(s, argv[i], &id, &err) || mlfy_review_finalize(s, id, &changed, &err)) {
				mlfy_err_prefix(&err, "%s", argv[i]);
				goto fail;
			}
			done += changed;
		}
	}
	if (mlfy_store_commit(s, &err))
		goto fail;
	printf("%s: %s images finalized", argv[optind], rcli_thousands(done, a));
	if (argc - optind == 1)
		printf(", %s queued images have no refinement yet", rcli_thousands(waiting, b));
	printf("\n");
	if (!mlfy_review_zero_pending(s, &pending, &n_pending, &err) && n_pending)
		printf("%zu images have an empty final set and await a zero-label review"
		       " ('mlfy zero-review %s --list')\n", n_pending, argv[optind]);
	free(pending);
	mlfy_store_close(s);
	return 0;
fail:
	mlfy_store_rollback(s);
	mlfy_store_close(s);
	return cli_report("finalize", &err);
}
