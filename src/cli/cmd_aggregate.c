/* cmd_aggregate.c - `mlfy aggregate`: one posterior per (image, label)
 * question from raw votes, by majority vote or Dawid & Skene (1979)
 * (src/review/aggregate.h, src/review/votes.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/aggregate.h"
#include "review/votes.h"
#include "util/csv.h"
#include "util/npy.h"
#include "util/npy_write.h"
#include "util/numfmt.h"
#include "util/outfile.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy aggregate PROJECT --method METHOD [--threshold T] [--source NAME]\n"
	"                      [--set-final] [--out FILE.npy|FILE.csv]\n"
	"       mlfy aggregate --votes VOTES.npz --method METHOD [--threshold T]\n"
	"                      [--out FILE.npy|FILE.csv]\n"
	"\n"
	"Turns raw votes (no / maybe / yes answers to \"does label L apply to image\n"
	"I?\") into one posterior probability per question and a decision by\n"
	"threshold: label applies when posterior > T (strictly).\n"
	"\n"
	"Methods (formulas in docs/review.md):\n"
	"  majority      the mean answer score, no = 0, maybe = 0.5, yes = 1\n"
	"  dawid-skene   Dawid & Skene (1979) EM: a binary truth per question, a\n"
	"                2 x 3 confusion matrix per rater and a class prior,\n"
	"                re-estimated each iteration from the mean-vote start;\n"
	"                additive smoothing 0.01; stops when no posterior moves\n"
	"                more than 1e-6, or after 100 iterations\n"
	"\n"
	"With PROJECT the votes are those stored by 'mlfy import-votes' (all\n"
	"sources, or --source NAME); the results are stored (table aggregations,\n"
	"replacing the method's earlier ones).  --set-final also gives every\n"
	"project image among the questions the final set of its positive labels\n"
	"(stage \"aggregated\"), except images already decided otherwise (agreed,\n"
	"refined, imported), which are kept.\n"
	"\n"
	"With --votes the vote file (ReaL format) is aggregated without a project.\n"
	"\n"
	"--out writes the posterior of every question in the votes' order (the\n"
	"file's question order, or the project's question order): FILE.npy a\n"
	"float64 array [questions]; FILE.csv rows file,label,posterior,decision,votes.\n"
	"\n"
	"Options:\n"
	"  -m, --method METHOD   majority or dawid-skene (required)\n"
	"  -t, --threshold T     decision threshold in [0, 1) (default 0.5)\n"
	"  -s, --source NAME     only the votes of this source (PROJECT)\n"
	"      --votes FILE.npz  aggregate a vote file instead of a project\n"
	"      --set-final       write final labels from the decisions (PROJECT)\n"
	"  -o, --out FILE        write the posteriors (.npy or .csv)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Example:\n"
	"  mlfy aggregate --votes raters_golden.npz --method dawid-skene --out post.npy\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is stored), 2 on a bad\n"
	"command line.\n";

static struct {
	const char *method, *source, *votes, *out;
	double threshold;
	int set_final, ds;
} o = { .threshold = 0.5 };

static int parse_threshold(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *end;
	errno = 0;
	o.threshold = strtod(arg, &end);
	if (errno || end == arg || *end || !(o.threshold >= 0.0 && o.threshold < 1.0))
		return cli_usage_error(cmd, "--threshold: '%s' is not a number in [0, 1)", arg);
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_STRING('m', "method", &o.method),
	CLI_OPT_CALLBACK('t', "threshold", NULL, parse_threshold, 1),
	CLI_OPT_STRING('s', "source", &o.source),
	CLI_OPT_STRING(0, "votes", &o.votes),
	CLI_OPT_FLAG(0, "set-final", &o.set_final),
	CLI_OPT_STRING('o', "out", &o.out),
	CLI_OPT_END(),
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int check(struct cli_ctx *c)
{
	if (!o.method)
		return cli_usage_error(c->name, "--method majority|dawid-skene is required");
	if (strcmp(o.method, "majority") && strcmp(o.method, "dawid-skene"))
		return cli_usage_error(c->name, "unknown method '%s' (majority or dawid-skene)", o.method);
	o.ds = !strcmp(o.method, "dawid-skene");
	if (o.votes ? c->argc != 0 : c->argc != 1)
		return cli_usage_error(c->name, o.votes ? "--votes takes no PROJECT argument"
				       : "expected one PROJECT argument (or --votes FILE.npz)");
	if (o.votes && (o.set_final || o.source))
		return cli_usage_error(c->name, "--set-final and --source need a PROJECT");
	if (o.out && !ends_with(o.out, ".npy") && !ends_with(o.out, ".csv"))
		return cli_usage_error(c->name, "--out: '%s' must end in .npy or .csv", o.out);
	return 0;
}

/* The posteriors to --out: .npy a float64 array, .csv a row per question. */
static int write_out(struct cli_ctx *c, const char *input, const struct mlfy_vote_set *v, const double *post,
		     const uint8_t *label, const uint32_t *counts)
{
	struct mlfy_outfile f;
	struct mlfy_err err;
	size_t i, shape[1] = { v->n_questions };

	mlfy_err_clear(&err);
	if (ends_with(o.out, ".npy")) {
		if (mlfy_same_file(o.out, input))
			return cli_error(c->name, "%s: is the input file itself; choose another output file", o.out);
		return mlfy_npy_save(o.out, MLFY_NPY_F8, 1, shape, post, &err) ? cli_report(c->name, &err) : 0;
	}
	if (mlfy_outfile_open(&f, o.out, input, c->store ? "the project file" : "the input file", &err))
		return cli_report(c->name, &err);
	fputs("file,label,posterior,decision,votes\n", f.f);
	for (i = 0; i < v->n_questions; i++) {
		mlfy_csv_write_text(f.f, v->image[i]);
		fprintf(f.f, ",%d,%.9g,%d,%u\n", (int)v->label[i], post[i], label[i], counts[i]);
	}
	return mlfy_outfile_commit(&f, &err) ? cli_report(c->name, &err) : 0;
}

/* The posteriors and decisions of v by the method into post, label, counts
 * ([n_questions] each); prints the summary. */
static int aggregate(struct cli_ctx *c, const char *what, const struct mlfy_vote_set *v, double *post,
		     uint8_t *label, uint32_t *counts)
{
	struct mlfy_ds_stats st = { 0 };
	struct mlfy_err err;
	size_t i, positives = 0;
	double sum = 0.0;
	char a[32], b[32];

	mlfy_err_clear(&err);
	if (mlfy_majority_vote(v->votes, v->n_votes, v->n_questions, v->n_answers, o.threshold, post, label, counts,
			       &err))
		return cli_report(c->name, &err);
	if (o.ds) {
		if (mlfy_dawid_skene(v->votes, v->n_votes, v->n_questions, v->n_raters, v->n_answers, NULL, post, NULL,
				     &st, &err))
			return cli_report(c->name, &err);
		for (i = 0; i < v->n_questions; i++)
			label[i] = post[i] > o.threshold;
	}
	for (i = 0; i < v->n_questions; i++) {
		positives += label[i];
		sum += post[i];
	}
	printf("%s: %s: %s questions, %s votes from %zu raters\n", what, o.method,
	       mlfy_fmt_count(a, sizeof(a), v->n_questions), mlfy_fmt_count(b, sizeof(b), v->n_votes), v->n_raters);
	if (o.ds)
		printf("  %d iterations (%s, last change %.2g), class prior %.4f\n", st.iterations,
		       st.converged ? "converged" : "iteration limit reached", st.max_delta, st.prior);
	printf("  %s questions positive at threshold %g (%.2f %%), mean posterior %.4f\n",
	       mlfy_fmt_count(a, sizeof(a), positives), o.threshold,
	       v->n_questions ? 100.0 * (double)positives / (double)v->n_questions : 0.0,
	       v->n_questions ? sum / (double)v->n_questions : 0.0);
	return 0;
}

static int run(struct cli_ctx *c)
{
	const char *what = c->store ? c->project : o.votes;
	struct mlfy_aggregate_apply res;
	struct mlfy_vote_set v;
	struct mlfy_err err;
	size_t n;
	double *post;
	uint8_t *label;
	uint32_t *counts;
	char a[32], b[32], c2[32], d[32];
	int rc;

	mlfy_err_clear(&err);
	if (c->store ? mlfy_vote_set_from_store(c->store, o.source, &v, &err)
		     : mlfy_vote_set_read_npz(o.votes, &v, &err))
		return cli_report(c->name, &err);
	n = v.n_questions ? v.n_questions : 1;
	post = malloc(n * sizeof(*post));
	label = malloc(n);
	counts = malloc(n * sizeof(*counts));
	if (!post || !label || !counts)
		rc = cli_error(c->name, "out of memory");
	else
		rc = aggregate(c, what, &v, post, label, counts);
	if (!rc && c->store) {
		if (mlfy_vote_set_store_results(c->store, &v, o.method, post, label, o.threshold, o.set_final, &res,
						&err)) {
			rc = cli_report(c->name, &err);
		} else {
			printf("  stored %s results (method %s)\n", mlfy_fmt_count(a, sizeof(a), res.stored), o.method);
			if (o.set_final)
				printf("  final labels: %s images decided (%s new or changed), %s kept (decided by"
				       " another stage), %s images not in the project\n",
				       mlfy_fmt_count(a, sizeof(a), res.decided), mlfy_fmt_count(b, sizeof(b), res.changed),
				       mlfy_fmt_count(c2, sizeof(c2), res.kept), mlfy_fmt_count(d, sizeof(d), res.unknown));
		}
	}
	if (!rc && o.out && !(rc = write_out(c, what, &v, post, label, counts)))
		printf("  wrote %s\n", o.out);
	MLFY_FREE_ALL(post, label, counts);
	mlfy_vote_set_release(&v);
	return rc;
}

const struct cli_builtin cmd_aggregate = {
	.summary = "aggregate raw votes per question (majority, Dawid-Skene)",
	.usage = usage, .options = options, .check = check, .run = run,
};
