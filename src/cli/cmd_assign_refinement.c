/* cmd_assign_refinement.c - `mlfy assign-refinement PROJECT --experts a,b`:
 * split the refinement queue evenly among experts (review/review_tx.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/assign_plan.h"
#include "util/numfmt.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy assign-refinement PROJECT --experts NAME[,NAME...]\n"
	"                              [--blind-share S [--plant-share Q] --seed N]\n"
	"                              [--dry-run]\n"
	"\n"
	"Gives every image of the refinement queue (filled by 'mlfy analyze') that\n"
	"has no expert yet to one of the named experts: in image-name order, each\n"
	"image goes to the expert with the fewest queued images so far (ties: the\n"
	"order given), so the split is even (the Multilabelfy paper used 5\n"
	"experts).  Images already assigned are never moved, so running again\n"
	"after the queue grew only hands out the new images.  Experts are accounts\n"
	"with role expert or admin ('mlfy user add NAME --role expert').\n"
	"\n"
	"Experts then refine their images in the web page ('mlfy serve'); their\n"
	"refined sets become the final labels ('mlfy finalize').\n"
	"\n"
	"The anchoring experiment (docs/quality.md): --blind-share S shows a seeded\n"
	"random share S of each expert's tasks not yet refined blind: nothing\n"
	"pre-checked and the annotators' sets hidden, all else identical.\n"
	"--plant-share Q pre-checks, on a share Q of the shown tasks of gold images,\n"
	"one label known to be wrong (the best-ranked proposal outside the gold set\n"
	"that no annotator chose).  A task's arm is drawn once and kept.  'mlfy\n"
	"quality PROJECT --anchoring' compares the arms.\n"
	"\n"
	"Options:\n"
	"  -e, --experts LIST   comma-separated account names (required)\n"
	"      --blind-share S  share of blind tasks per expert, in [0, 1]\n"
	"      --plant-share Q  share of shown gold tasks with a planted wrong label\n"
	"      --seed N         seed of the draws (default 0)\n"
	"  -n, --dry-run        show what would be assigned and drawn; write nothing\n"
	"  -h, --help           show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign-refinement val.mlfy --experts alice,bob,carol,dan,eve\n"
	"  mlfy assign-refinement val.mlfy --experts alice,bob --blind-share 0.5 --seed 1\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is assigned), 2 on a bad\n"
	"command line.\n";

static struct {
	const char *list;
	char *copy;       /* list split in place */
	char **names;     /* [n] into copy */
	size_t n;
	double blind, plant;
	uint64_t seed;
	int dry_run;
} o = { .blind = -1, .plant = -1 };

static const struct cli_option options[] = {
	CLI_OPT_STRING('e', "experts", &o.list),
	CLI_OPT_CALLBACK(0, "blind-share", &o.blind, cli_opt_share, 1),
	CLI_OPT_CALLBACK(0, "plant-share", &o.plant, cli_opt_share, 1),
	CLI_OPT_SEED(0, "seed", &o.seed),
	CLI_OPT_FLAG('n', "dry-run", &o.dry_run),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	char *tok, *save;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.list || !*o.list)
		return cli_usage_error(c->name, "--experts NAME[,NAME...] is required");
	if (!(o.copy = strdup(o.list)) || !(o.names = calloc(strlen(o.list) + 1, sizeof(*o.names))))
		return cli_error(c->name, "out of memory");
	/* every comma separates two names: an empty one ("a,,b", "a,") is a typo,
	 * not something to skip */
	for (tok = o.copy; tok; tok = save) {
		if ((save = strchr(tok, ',')))
			*save++ = '\0';
		if (!*tok)
			return cli_usage_error(c->name, "--experts '%s': empty name at position %zu", o.list, o.n + 1);
		o.names[o.n++] = tok;
	}
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_refine_plan plan = { o.blind >= 0 || o.plant >= 0, o.blind < 0 ? 0 : o.blind,
					 o.plant < 0 ? 0 : o.plant, o.seed, o.dry_run };
	struct mlfy_expert_load *load = NULL;
	struct mlfy_arms_drawn d;
	struct mlfy_err err;
	int64_t added = 0, total = 0;
	size_t n_load = 0, i;
	char a[32], b[32];

	mlfy_err_clear(&err);
	if (mlfy_assign_refinement(c->store, (const char *const *)o.names, o.n, &plan, &load, &n_load, &d, &err))
		return cli_report(c->name, &err);
	for (i = 0; i < n_load; i++) {
		added += load[i].added;
		total += load[i].assigned;
	}
	if (o.dry_run)
		printf("dry run: nothing was written\n");
	printf("%s: %s %s images (%s assigned to these experts in all)\n", c->project, o.dry_run ? "would assign" : "assigned",
	       mlfy_fmt_count(a, sizeof(a), added), mlfy_fmt_count(b, sizeof(b), total));
	printf("  %-24s %10s %10s %10s\n", "expert", "assigned", "new", "refined");
	for (i = 0; i < n_load; i++)
		printf("  %-24s %10lld %10lld %10lld\n", load[i].name, (long long)load[i].assigned,
		       (long long)load[i].added, (long long)load[i].refined);
	mlfy_expert_loads_free(load, n_load);
	if (plan.arms)
		printf("anchoring arms: %lld blind, %lld shown (%lld with a planted wrong label); %lld drawn before, kept\n",
		       (long long)d.blind, (long long)d.shown, (long long)d.planted, (long long)d.kept);
	return 0;
}

static void release(void)
{
	MLFY_FREE_ALL(o.names, o.copy);
}

const struct cli_builtin cmd_assign_refinement = {
	.summary = "split the refinement queue evenly among experts",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
