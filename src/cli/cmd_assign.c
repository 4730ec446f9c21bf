/* cmd_assign.c - `mlfy assign PROJECT --per-image K`: give every batch of
 * the project to K annotators (stage ii), balanced, extending earlier runs;
 * `--protocol verify --per-question K`: give every verification question
 * to K raters instead (ReaL's protocol, review/verify.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/assign_plan.h"
#include "review/verify.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy assign PROJECT [--per-image K] [--annotators NAME,NAME,...]\n"
	"                   [--gold-first N] [--gold-rate P] [--seed N] [--dry-run]\n"
	"       mlfy assign PROJECT --protocol verify --per-question K\n"
	"                   [--annotators NAME,NAME,...] [--dry-run]\n"
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
	"--protocol verify gives the questions of ReaL's verification protocol\n"
	"('mlfy questions') instead: every question to K raters (default 3), each\n"
	"missing slot to the candidate with the fewest assigned questions, never\n"
	"twice the same person; a label's questions go to a rater in runs, so a\n"
	"grid page of 'mlfy serve' fills up.  On a first run every rater's load\n"
	"ends within one question of the others'.  Existing assignments are kept;\n"
	"a re-run (after 'mlfy questions' added questions, or with new raters)\n"
	"only fills what is missing.  Prints each rater's load; exit status 1 when\n"
	"a question could not get K raters.  The batch and gold options do not\n"
	"apply to it.  Its --dry-run opens the project read-only.\n"
	"\n"
	"Options:\n"
	"      --protocol P             paper (default: image batches, stage ii) or\n"
	"                               verify (verification questions)\n"
	"  -k, --per-image K            annotators per batch (default 2)\n"
	"      --per-question K         raters per verification question (default 3)\n"
	"  -a, --annotators LIST        comma-separated account names to draw from\n"
	"      --gold-first N           gold tasks first in each queue (default 0)\n"
	"      --gold-rate P            share of gold tasks after those, in [0, 1)\n"
	"      --seed N                 seed of the gold draws (default 0)\n"
	"  -n, --dry-run                show what would be assigned; write nothing\n"
	"  -h, --help                   show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign proj.mlfy --per-image 2 --annotators alice,bob,carol\n"
	"  mlfy assign proj.mlfy --gold-first 5 --gold-rate 0.1 --seed 7\n"
	"  mlfy assign proj.mlfy --protocol verify --per-question 3\n";

static const char *const protocols[] = { "paper", "verify", NULL };

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
	int protocol;          /* index into protocols */
	long per_question;     /* 0: not given */
	int seed_given;        /* --seed given (only --seed's callback can tell) */
} o = { .gold_rate = -1 };   /* k 0: --per-image not given */

/* --seed: as CLI_OPT_SEED, remembering that it was given. */
static int seed_option(const struct cli_option *opt, const char *arg, const char *cmd)
{
	unsigned long long seed;
	(void)opt;
	if (cli_parse_seed(cmd, "--seed", arg, &seed))
		return MLFY_EXIT_USAGE;
	o.seed = seed;
	o.seed_given = 1;
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_LONG('k', "per-image", &o.k, 1, 1000),
	CLI_OPT_STRING('a', "annotators", &o.list),
	CLI_OPT_LONG(0, "gold-first", &o.gold_first, 0, 1000000),
	CLI_OPT_CALLBACK(0, "gold-rate", &o.gold_rate, cli_opt_share, 1),
	CLI_OPT_CALLBACK(0, "seed", &o.seed, seed_option, 1),
	CLI_OPT_FLAG('n', "dry-run", &o.dry_run),
	CLI_OPT_CHOICE(0, "protocol", &o.protocol, protocols),
	CLI_OPT_LONG(0, "per-question", &o.per_question, 1, 1000),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	char *tok, *save = NULL;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (o.protocol == 1) {
		const char *bad = o.k ? "--per-image" : o.gold_first ? "--gold-first" : o.gold_rate >= 0 ? "--gold-rate"
				  : o.seed_given ? "--seed" : NULL;
		if (bad)
			return cli_usage_error(c->name, "%s is an option of the paper's protocol (image batches), not of"
					       " --protocol verify (use --per-question)", bad);
		if (!o.per_question)
			o.per_question = 3;
		c->readonly = o.dry_run;   /* a dry run only reads (and is not audited) */
	} else if (o.per_question) {
		return cli_usage_error(c->name, "--per-question needs --protocol verify (the paper's protocol"
				       " assigns image batches: --per-image)");
	}
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

/* --protocol verify: every question to K raters (review/verify.h). */
static int run_verify(struct cli_ctx *c)
{
	struct mlfy_verify_assign_opts vo = { (int)o.per_question, o.names, o.n, o.dry_run };
	struct mlfy_verify_assign_result r;
	struct mlfy_err err;
	size_t i;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_verify_assign(c->store, &vo, &r, &err))
		return cli_report(c->name, &err);
	if (o.dry_run)
		printf("dry run: nothing was written\n");
	printf("%lld questions, %lld new assignments, %lld/%lld questions with at least %ld rater%s\n",
	       (long long)r.questions, (long long)r.added, (long long)(r.questions - r.short_questions),
	       (long long)r.questions, o.per_question, o.per_question == 1 ? "" : "s");
	printf("%-24s %10s %6s\n", "RATER", "QUESTIONS", "NEW");
	for (i = 0; i < r.n_loads; i++)
		printf("%-24s %10lld %6lld\n", r.loads[i].name, (long long)r.loads[i].questions,
		       (long long)r.loads[i].added);
	if (r.short_questions)
		rc = cli_error(c->name, "%lld questions have fewer than %ld raters", (long long)r.short_questions,
			       o.per_question);
	mlfy_verify_assign_result_release(&r);
	return rc;
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

	if (o.protocol == 1)
		return run_verify(c);
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
	.summary = "give image batches (stage ii) or verification questions to K raters, balanced",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
