/* cmd_assign.c - `mlfy assign PROJECT --per-image K`: give every batch of
 * the project to K annotators (stage ii), balanced, extending earlier runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/assign_plan.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy assign PROJECT [--per-image K] [--annotators NAME,NAME,...]\n"
	"                   [--gold-first N] [--gold-rate P] [--seed N] [--dry-run]\n"
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
	"Gold images ('mlfy gold add') are hidden among each annotator's stage-ii\n"
	"tasks with --gold-first N (N gold images first) and --gold-rate P (then\n"
	"about a share P of what follows, at seeded random positions).  A gold\n"
	"task looks like any other; its answer is scored by 'mlfy quality' and\n"
	"never counts toward the image's agreement or final set.  An annotator\n"
	"never gets a gold image of their own batches, nor a batch holding one of\n"
	"their gold tasks.  Annotators who have gold tasks keep them on a re-run.\n"
	"Given without --per-image, the gold options only place gold tasks and\n"
	"leave the batches as they are.  Batches and gold tasks are one\n"
	"transaction: when someone cannot get the gold tasks wanted (too few gold\n"
	"images outside their batches), nothing is assigned.\n"
	"\n"
	"Prints the load of each candidate.  Exit status 1 when a batch could not get\n"
	"K annotators.  --dry-run prints the same and writes nothing (the preview\n"
	"of the coordinator's console).\n"
	"\n"
	"Options:\n"
	"  -k, --per-image K            annotators per batch (default 2)\n"
	"  -a, --annotators LIST        comma-separated account names to draw from\n"
	"      --gold-first N           gold tasks first in each queue (default 0)\n"
	"      --gold-rate P            share of gold tasks after those, in [0, 1)\n"
	"      --seed N                 seed of the gold draws (default 0)\n"
	"  -n, --dry-run                show what would be assigned; write nothing\n"
	"  -h, --help                   show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign proj.mlfy --per-image 2 --annotators alice,bob,carol\n"
	"  mlfy assign proj.mlfy --gold-first 5 --gold-rate 0.1 --seed 7\n";

static struct {
	long k;
	const char *list;
	char *copy;            /* list split in place */
	const char **names;    /* [n] into copy */
	size_t n;
	long gold_first;
	double gold_rate;
	uint64_t seed;
	int gold;              /* --gold-first or --gold-rate given */
	int dry_run;
} o = { .gold_rate = -1 };   /* k 0: --per-image not given */

static const struct cli_option options[] = {
	CLI_OPT_LONG('k', "per-image", &o.k, 1, 1000),
	CLI_OPT_STRING('a', "annotators", &o.list),
	CLI_OPT_LONG(0, "gold-first", &o.gold_first, 0, 1000000),
	CLI_OPT_CALLBACK(0, "gold-rate", &o.gold_rate, cli_opt_share, 1),
	CLI_OPT_SEED(0, "seed", &o.seed),
	CLI_OPT_FLAG('n', "dry-run", &o.dry_run),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	char *tok, *save = NULL;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	o.gold = o.gold_first > 0 || o.gold_rate >= 0;
	if (o.gold_rate >= 1)
		return cli_usage_error(c->name, "--gold-rate: %g must be below 1", o.gold_rate);
	if (o.gold_rate < 0)
		o.gold_rate = 0;
	if (!o.list)
		return 0;
	if (!(o.copy = strdup(o.list)) || !(o.names = calloc(strlen(o.list) / 2 + 1, sizeof(*o.names))))
		return cli_error(c->name, "out of memory");
	for (tok = strtok_r(o.copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (*tok)
			o.names[o.n++] = tok;
	return o.n ? 0 : cli_usage_error(c->name, "--annotators: no names given");
}

static void print_load(const struct mlfy_assign_report *rep)
{
	size_t i;
	printf("%d batches, %d new assignments, %d/%d batches with %ld annotators\n", rep->n_batches, rep->added,
	       rep->complete, rep->n_batches, o.k);
	printf("%-24s %8s %8s %6s\n", "ANNOTATOR", "BATCHES", "IMAGES", "NEW");
	for (i = 0; i < rep->n_load; i++)
		printf("%-24s %8d %8lld %6d\n", rep->load[i].annotator, rep->load[i].batches,
		       (long long)rep->load[i].images, rep->load[i].added);
}

/* The gold tasks placed (or, in a dry run, that would be). */
static void print_gold(const struct mlfy_gold_placed *p, size_t n)
{
	size_t i;
	printf("gold tasks (first %ld, then a share %g):\n", o.gold_first, o.gold_rate);
	printf("%-24s %8s %8s %8s\n", "ANNOTATOR", "OWN", "GOLD", "WANTED");
	for (i = 0; i < n; i++) {
		char w[32] = "-";   /* kept gold tasks: nothing was wanted of this run */
		if (!p[i].had)
			snprintf(w, sizeof(w), "%lld", (long long)p[i].wanted);
		printf("%-24s %8lld %8lld %8s%s\n", p[i].annotator, (long long)p[i].own,
		       (long long)(p[i].had ? p[i].had : p[i].placed), w, p[i].had ? "  (had gold tasks already: kept)" : "");
	}
}

/* The batches (with --per-image) and the gold tasks in one transaction
 * (review/assign_plan.h). */
static int run(struct cli_ctx *c)
{
	struct mlfy_stage2_plan plan;
	struct mlfy_gold_placed *p = NULL;
	struct mlfy_assign_report rep;
	struct mlfy_err err;
	size_t n = 0;
	int rc = 0;

	if (!o.gold && !o.k)
		o.k = 2;
	plan = (struct mlfy_stage2_plan){ (int)o.k, o.gold, (int)o.gold_first, o.gold_rate, o.seed, o.dry_run };
	mlfy_err_clear(&err);
	if (mlfy_assign_stage2(c->store, &plan, o.names, o.n, &rep, &p, &n, &err))
		return cli_report(c->name, &err);
	if (o.dry_run)
		printf("dry run: nothing was written\n");
	if (o.k) {
		print_load(&rep);
		if (rep.complete < rep.n_batches)
			rc = cli_error(c->name, "%d batches have fewer than %ld annotators%s", rep.n_batches - rep.complete,
				       o.k, o.gold ? " (a batch holding one of an annotator's gold tasks is never theirs)" : "");
	}
	mlfy_assign_report_release(&rep);
	if (o.gold)
		print_gold(p, n);
	mlfy_gold_placed_free(p, n);
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
