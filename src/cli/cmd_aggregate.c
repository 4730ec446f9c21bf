/* cmd_aggregate.c - `mlfy aggregate`: one posterior per (image, label)
 * question from raw votes, by majority vote or Dawid & Skene (1979)
 * (src/review/aggregate.h, src/review/votes.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "review/aggregate.h"
#include "review/export.h"
#include "review/votes.h"
#include "util/npy.h"
#include "util/npy_write.h"

const char cmd_aggregate_summary[] = "aggregate raw votes per question (majority, Dawid-Skene)";

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

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int write_out(const char *path, const char *input, const struct mlfy_vote_set *v, const double *post,
		     const uint8_t *label, const uint32_t *counts)
{
	struct mlfy_err err;
	size_t i;

	mlfy_err_clear(&err);
	if (ends_with(path, ".npy")) {
		if (rcli_same_file(path, input))
			return cli_error("aggregate", "%s: is the input file itself; choose another output file", path);
		size_t shape[1] = { v->n_questions };
		if (mlfy_npy_save(path, MLFY_NPY_F8, 1, shape, post, &err))
			return cli_report("aggregate", &err);
		return 0;
	} else {
		struct rcli_out o;
		if (rcli_out_open("aggregate", path, input, &o))
			return MLFY_EXIT_FAIL;
		fputs("file,label,posterior,decision,votes\n", o.f);
		for (i = 0; i < v->n_questions; i++) {
			mlfy_csv_field(o.f, v->image[i]);
			fprintf(o.f, ",%d,%.9g,%d,%u\n", (int)v->label[i], post[i], label[i], counts[i]);
		}
		return rcli_out_commit("aggregate", &o) ? MLFY_EXIT_FAIL : 0;
	}
}

int cmd_aggregate(int argc, char **argv)
{
	enum { OPT_VOTES = 256, OPT_SET_FINAL };
	static const struct option opts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "source", required_argument, NULL, 's' },
		{ "votes", required_argument, NULL, OPT_VOTES },
		{ "set-final", no_argument, NULL, OPT_SET_FINAL },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *method = NULL, *source = NULL, *votes_file = NULL, *out = NULL, *what;
	struct mlfy_vote_set v;
	struct mlfy_ds_stats st;
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	double threshold = 0.5, *post = NULL, sum = 0.0;
	uint8_t *label = NULL;
	uint32_t *counts = NULL;
	size_t i, positives = 0;
	int c, set_final = 0, ds, rc = 0;
	char a[32], b[32], c2[32], d[32];

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:t:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': method = optarg; break;
		case 't': {
			char *end;
			errno = 0;
			threshold = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(threshold >= 0.0 && threshold < 1.0))
				return cli_usage_error("aggregate", "--threshold: '%s' is not a number in [0, 1)", optarg);
			break;
		}
		case 's': source = optarg; break;
		case OPT_VOTES: votes_file = optarg; break;
		case OPT_SET_FINAL: set_final = 1; break;
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("aggregate", "unknown option");
		}
	}
	if (!method)
		return cli_usage_error("aggregate", "--method majority|dawid-skene is required");
	if (strcmp(method, "majority") && strcmp(method, "dawid-skene"))
		return cli_usage_error("aggregate", "unknown method '%s' (majority or dawid-skene)", method);
	ds = !strcmp(method, "dawid-skene");
	if (votes_file ? argc - optind != 0 : argc - optind != 1)
		return cli_usage_error("aggregate", votes_file ? "--votes takes no PROJECT argument"
				       : "expected one PROJECT argument (or --votes FILE.npz)");
	if (votes_file && (set_final || source))
		return cli_usage_error("aggregate", "--set-final and --source need a PROJECT");
	if (out && !ends_with(out, ".npy") && !ends_with(out, ".csv"))
		return cli_usage_error("aggregate", "--out: '%s' must end in .npy or .csv", out);
	mlfy_err_clear(&err);
	if (votes_file) {
		what = votes_file;
		if (mlfy_vote_set_read_npz(votes_file, &v, &err))
			return cli_report("aggregate", &err);
	} else {
		what = argv[optind];
		if (!(s = cli_open_project("aggregate", argv[optind], 0)))
			return MLFY_EXIT_FAIL;
		if (mlfy_vote_set_from_store(s, source, &v, &err)) {
			mlfy_store_close(s);
			return cli_report("aggregate", &err);
		}
	}
	post = malloc((v.n_questions ? v.n_questions : 1) * sizeof(*post));
	label = malloc(v.n_questions ? v.n_questions : 1);
	counts = malloc((v.n_questions ? v.n_questions : 1) * sizeof(*counts));
	if (!post || !label || !counts) {
		rc = cli_error("aggregate", "out of memory");
		goto out;
	}
	if (mlfy_majority_vote(v.votes, v.n_votes, v.n_questions, v.n_answers, threshold, post, label, counts, &err)) {
		rc = cli_report("aggregate", &err);
		goto out;
	}
	if (ds) {
		if (mlfy_dawid_skene(v.votes, v.n_votes, v.n_questions, v.n_raters, v.n_answers, NULL, post, NULL, &st,
				     &err)) {
			rc = cli_report("aggregate", &err);
			goto out;
		}
		for (i = 0; i < v.n_questions; i++)
			label[i] = post[i] > threshold;
	}
	for (i = 0; i < v.n_questions; i++) {
		positives += label[i];
		sum += post[i];
	}
	printf("%s: %s: %s questions, %s votes from %zu raters\n", what, method,
	       rcli_thousands((int64_t)v.n_questions, a), rcli_thousands((int64_t)v.n_votes, b), v.n_raters);
	if (ds)
		printf("  %d iterations (%s, last change %.2g), class prior %.4f\n", st.iterations,
		       st.converged ? "converged" : "iteration limit reached", st.max_delta, st.prior);
	printf("  %s questions positive at threshold %g (%.2f %%), mean posterior %.4f\n",
	       rcli_thousands((int64_t)positives, a), threshold, rcli_pct((int64_t)positives, (int64_t)v.n_questions),
	       v.n_questions ? sum / (double)v.n_questions : 0.0);
	if (s) {
		struct mlfy_aggregate_apply res;
		if (mlfy_vote_set_store_results(s, &v, method, post, label, threshold, set_final, &res, &err)) {
			rc = cli_report("aggregate", &err);
			goto out;
		}
		printf("  stored %s results (method %s)\n", rcli_thousands(res.stored, a), method);
		if (set_final)
			printf("  final labels: %s images decided (%s new or changed), %s kept (decided by another"
			       " stage), %s images not in the project\n",
			       rcli_thousands(res.decided, a), rcli_thousands(res.changed, b),
			       rcli_thousands(res.kept, c2), rcli_thousands(res.unknown, d));
	}
	if (out) {
		if ((rc = write_out(out, what, &v, post, label, counts)))
			goto out;
		printf("  wrote %s\n", out);
	}
out:
	free(post);
	free(label);
	free(counts);
	mlfy_vote_set_release(&v);
	mlfy_store_close(s);
	return rc;
}
