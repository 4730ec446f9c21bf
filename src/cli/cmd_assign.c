/* cmd_assign.c - `mlfy assign PROJECT --per-image K`: give every batch of
 * the project to K annotators (stage ii), balanced, extending earlier runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/assign.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy assign PROJECT [--per-image K] [--annotators NAME,NAME,...]\n"
	"\n"
	"Gives every batch of PROJECT's images to K annotators (default 2; the paper\n"
	"used 7 batches x 2 annotators).  Each missing slot goes to the candidate\n"
	"with the fewest assigned images, never twice to the same batch, so loads\n"
	"stay within one batch of each other.  Candidates are the named accounts, or\n"
	"every enabled account with role annotator.\n"
	"\n"
	"Re-running is safe: existing assignments are never removed or moved (no\n"
	"finished work changes hands).  After adding images in new batches, or new\n"
	"annotators, a re-run only fills what is missing.  Images added to an\n"
	"existing batch go to that batch's annotators.\n"
	"\n"
	"Prints the load of each candidate.  Exit status 1 when a batch could not get\n"
	"K annotators.\n"
	"\n"
	"Options:\n"
	"  -k, --per-image K            annotators per batch (default 2)\n"
	"  -a, --annotators LIST        comma-separated account names to draw from\n"
	"  -h, --help                   show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign proj.mlfy --per-image 2 --annotators alice,bob,carol\n";

static struct {
	long k;
	const char *list;
	char *copy;            /* list split in place */
	const char **names;    /* [n] into copy */
	size_t n;
} o = { .k = 2 };

static const struct cli_option options[] = {
	CLI_OPT_LONG('k', "per-image", &o.k, 1, 1000),
	CLI_OPT_STRING('a', "annotators", &o.list),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	char *tok, *save = NULL;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.list)
		return 0;
	if (!(o.copy = strdup(o.list)) || !(o.names = calloc(strlen(o.list) / 2 + 1, sizeof(*o.names))))
		return cli_error(c->name, "out of memory");
	for (tok = strtok_r(o.copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (*tok)
			o.names[o.n++] = tok;
	return o.n ? 0 : cli_usage_error(c->name, "--annotators: no names given");
}

static int run(struct cli_ctx *c)
{
	struct mlfy_assign_report rep;
	struct mlfy_err err;
	size_t i;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_assign_batches(c->store, (int)o.k, o.names, o.n, &rep, &err))
		return cli_report(c->name, &err);
	printf("%d batches, %d new assignments, %d/%d batches with %ld annotators\n", rep.n_batches, rep.added,
	       rep.complete, rep.n_batches, o.k);
	printf("%-24s %8s %8s %6s\n", "ANNOTATOR", "BATCHES", "IMAGES", "NEW");
	for (i = 0; i < rep.n_load; i++)
		printf("%-24s %8d %8lld %6d\n", rep.load[i].annotator, rep.load[i].batches,
		       (long long)rep.load[i].images, rep.load[i].added);
	if (rep.complete < rep.n_batches)
		rc = cli_error(c->name, "%d batches have fewer than %ld annotators", rep.n_batches - rep.complete, o.k);
	mlfy_assign_report_release(&rep);
	return rc;
}

static void release(void)
{
	MLFY_FREE_ALL(o.names, o.copy);
}

const struct cli_builtin cmd_assign = {
	.summary = "give every image batch to K annotators (stage ii), balanced",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
