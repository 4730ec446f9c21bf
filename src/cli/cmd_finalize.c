/* cmd_finalize.c - `mlfy finalize PROJECT [IMAGE...]`: make experts' saved
 * refinements the final labels (stage "refined"; review/review_tx.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "review/review_tx.h"
#include "store/zero_label.h"
#include "util/numfmt.h"

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

static int check(struct cli_ctx *c)
{
	return c->argc < 1 ? cli_usage_error(c->name, "expected a PROJECT argument") : 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_err err;
	int64_t done = 0, waiting = 0, *pending = NULL;
	size_t n_pending = 0;
	char a[32], b[32];

	mlfy_err_clear(&err);
	if (mlfy_finalize_images(c->store, (const char *const *)c->argv + 1, (size_t)c->argc - 1, &done, &waiting,
				 &err))
		return cli_report(c->name, &err);
	printf("%s: %s images finalized", c->project, mlfy_fmt_count(a, sizeof(a), done));
	if (c->argc == 1)
		printf(", %s queued images have no refinement yet", mlfy_fmt_count(b, sizeof(b), waiting));
	printf("\n");
	if (!mlfy_review_zero_pending(c->store, &pending, &n_pending, &err) && n_pending)
		printf("%zu images have an empty final set and await a zero-label review"
		       " ('mlfy zero-review %s --list')\n", n_pending, c->project);
	free(pending);
	return 0;
}

const struct cli_builtin cmd_finalize = {
	.summary = "stage iv: make experts' refined sets the final labels",
	.usage = usage, .check = check, .run = run,
};
