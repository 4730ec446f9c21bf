/* cmd_aggregate.c - `mlfy aggregate`: one posterior per (image, label)
 * question from raw votes, by majority vote or Dawid & Skene (1979)
 * (src/review/aggregate.h, src/review/votes.h); with --golden/--golden-truth
 * and --original-labels, ReaL's aggregation (docs/review.md "Fidelity to
 * ReaL"): rater confusions fixed from the golden questions, the original
 * ImageNet label as one more rater on the animal classes. */
#include <errno.h>
#include <stdint.h>
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
	"                      [REAL OPTIONS] [--set-final] [--out FILE.npy|FILE.csv]\n"
	"       mlfy aggregate --votes VOTES.npz --method METHOD [--threshold T]\n"
	"                      [REAL OPTIONS] [--out FILE.npy|FILE.csv]\n"
	"  REAL OPTIONS: [--golden RATERS_GOLDEN.npz --golden-truth GOLDEN.npz]\n"
	"                [--original-labels FILE [--original-classes LIST]]\n"
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
	"ReaL's aggregation (dawid-skene only; docs/review.md \"Fidelity to ReaL\"):\n"
	"  --golden and --golden-truth fix the confusion matrix of every rater who\n"
	"  answered golden questions: estimated once from those answers against the\n"
	"  experts' majority (mean expert score > 0.5), not re-estimated by EM.\n"
	"  --original-labels adds the original ImageNet label as one more rater: on\n"
	"  every question whose label is in --original-classes it answers yes when\n"
	"  the label is the image's original label, else no; EM estimates its\n"
	"  confusion.  ReaL's released scores show this rater on the animal classes\n"
	"  0-397 only (the default).  With both, Pearson 0.998 against ReaL's\n"
	"  scores on split A; with --golden alone 0.988; plain 0.985.\n"
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
	"  -t, --threshold T     decision threshold in [0, 1); default: dawid-skene\n"
	"                        0.8, ReaL's operating point (reproduces real.json\n"
	"                        from ReaL's scores exactly), majority 0.5\n"
	"  -s, --source NAME     only the votes of this source (PROJECT)\n"
	"      --votes FILE.npz  aggregate a vote file instead of a project\n"
	"      --golden FILE.npz the raters' answers to golden questions (ReaL's\n"
	"                        raters_golden.npz; raters matched by id)\n"
	"      --golden-truth FILE.npz  the experts' answers to the same questions\n"
	"                        (ReaL's golden.npz; questions matched by image, label)\n"
	"      --original-labels FILE  the original label of each image: lines\n"
	"                        \"IMAGE LABEL\" (space, tab or comma), or lines\n"
	"                        \"LABEL\" for ILSVRC2012_val_00000001.JPEG, ...\n"
	"                        in order; '#' lines and blank lines are skipped\n"
	"      --original-classes LIST  the classes the original label rates:\n"
	"                        ranges like 0-397,500 or 'all' (default 0-397)\n"
	"      --set-final       write final labels from the decisions (PROJECT)\n"
	"  -o, --out FILE        write the posteriors (.npy or .csv)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy aggregate --votes raters_golden.npz --method dawid-skene --out post.npy\n"
	"  mlfy aggregate --votes raters_split_a.npz --method dawid-skene \\\n"
	"      --golden raters_golden.npz --golden-truth golden.npz \\\n"
	"      --original-labels val_labels.txt --out scores.npy\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is stored), 2 on a bad\n"
	"command line.\n";

/* A class range of --original-classes: lo..hi inclusive. */
struct class_range {
	int32_t lo, hi;
};

static struct {
	const char *method, *source, *votes, *out, *golden, *golden_truth, *original, *original_classes;
	double threshold;
	int set_final, ds, threshold_set;
	struct class_range ranges[64];
	size_t n_ranges;
} o;

static int parse_threshold(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *end;
	(void)opt;
	errno = 0;
	o.threshold = strtod(arg, &end);
	if (errno || end == arg || *end || !(o.threshold >= 0.0 && o.threshold < 1.0))
		return cli_usage_error(cmd, "--threshold: '%s' is not a number in [0, 1)", arg);
	o.threshold_set = 1;
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_STRING('m', "method", &o.method),
	CLI_OPT_CALLBACK('t', "threshold", NULL, parse_threshold, 1),
	CLI_OPT_STRING('s', "source", &o.source),
	CLI_OPT_STRING(0, "votes", &o.votes),
	CLI_OPT_STRING(0, "golden", &o.golden),
	CLI_OPT_STRING(0, "golden-truth", &o.golden_truth),
	CLI_OPT_STRING(0, "original-labels", &o.original),
	CLI_OPT_STRING(0, "original-classes", &o.original_classes),
	CLI_OPT_FLAG(0, "set-final", &o.set_final),
	CLI_OPT_STRING('o', "out", &o.out),
	CLI_OPT_END(),
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* A non-negative class index at *p (advanced past it), or -1. */
static long parse_class(const char **p)
{
	char *end;
	long v;
	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v > INT32_MAX)
		return -1;
	*p = end;
	return v;
}

/* --original-classes: "all" or comma-separated N and N-M ranges. */
static int parse_classes(const char *cmd, const char *arg)
{
	const char *p = arg;
	o.n_ranges = 0;
	if (!strcmp(arg, "all")) {
		o.ranges[0] = (struct class_range){ 0, INT32_MAX };
		o.n_ranges = 1;
		return 0;
	}
	for (;;) {
		long lo = parse_class(&p), hi = lo;
		if (lo >= 0 && *p == '-') {
			p++;
			hi = parse_class(&p);
		}
		if (lo < 0 || hi < lo || o.n_ranges == sizeof(o.ranges) / sizeof(o.ranges[0]))
			return cli_usage_error(cmd, "--original-classes: '%s' is not 'all' or up to 64 class ranges"
					       " like 0-397,500", arg);
		o.ranges[o.n_ranges++] = (struct class_range){ (int32_t)lo, (int32_t)hi };
		if (!*p)
			return 0;
		if (*p++ != ',')
			return cli_usage_error(cmd, "--original-classes: '%s' is not 'all' or up to 64 class ranges"
					       " like 0-397,500", arg);
	}
}

static int check(struct cli_ctx *c)
{
	if (!o.method)
		return cli_usage_error(c->name, "--method majority|dawid-skene is required");
	if (strcmp(o.method, "majority") && strcmp(o.method, "dawid-skene"))
		return cli_usage_error(c->name, "unknown method '%s' (majority or dawid-skene)", o.method);
	o.ds = !strcmp(o.method, "dawid-skene");
	/* ReaL's operating point: real.json = {scores > 0.8} (docs/review.md) */
	if (!o.threshold_set)
		o.threshold = o.ds ? 0.8 : 0.5;
	if (o.votes ? c->argc != 0 : c->argc != 1)
		return cli_usage_error(c->name, o.votes ? "--votes takes no PROJECT argument"
				       : "expected one PROJECT argument (or --votes FILE.npz)");
	if (o.votes && (o.set_final || o.source))
		return cli_usage_error(c->name, "--set-final and --source need a PROJECT");
	if (o.out && !ends_with(o.out, ".npy") && !ends_with(o.out, ".csv"))
		return cli_usage_error(c->name, "--out: '%s' must end in .npy or .csv", o.out);
	if (!o.golden != !o.golden_truth)
		return cli_usage_error(c->name, "--golden and --golden-truth go together");
	if (o.original_classes && !o.original)
		return cli_usage_error(c->name, "--original-classes needs --original-labels");
	if (!o.ds && (o.golden || o.original))
		return cli_usage_error(c->name, "--golden and --original-labels need --method dawid-skene");
	return parse_classes(c->name, o.original_classes ? o.original_classes : "0-397");
}

/* --out, written in two steps so that a project's results are stored only
 * when the output file can be written, and the file appears only when they
 * were stored: out_write writes everything to a temporary file beside the
 * path (either kind), out_finish renames it into place (commit) or removes
 * it. */
struct out_file {
	struct mlfy_npy_writer *npy;   /* .npy */
	struct mlfy_outfile csv;       /* .csv */
	int is_csv;
};

/* The posteriors into a temporary file: .npy a float64 array, .csv a row per
 * question. */
static int out_write(struct cli_ctx *c, struct out_file *out, const char *input, const struct mlfy_vote_set *v,
		     const double *post, const uint8_t *label, const uint32_t *counts)
{
	struct mlfy_err err;
	size_t i, shape[1] = { v->n_questions };

	mlfy_err_clear(&err);
	memset(out, 0, sizeof(*out));
	if (mlfy_same_file(o.out, input))
		return cli_error(c->name, "%s: is the input file itself; choose another output file", o.out);
	if (ends_with(o.out, ".npy")) {
		if (mlfy_npy_writer_open(o.out, MLFY_NPY_F8, 1, shape, &out->npy, &err) ||
		    mlfy_npy_writer_put(out->npy, post, v->n_questions, &err)) {
			mlfy_npy_writer_abort(out->npy);
			out->npy = NULL;
			return cli_report(c->name, &err);
		}
		return 0;
	}
	if (mlfy_outfile_open(&out->csv, o.out, input, c->store ? "the project file" : "the input file", &err))
		return cli_report(c->name, &err);
	out->is_csv = 1;
	fputs("file,label,posterior,decision,votes\n", out->csv.f);
	for (i = 0; i < v->n_questions; i++) {
		mlfy_csv_write_text(out->csv.f, v->image[i]);
		fprintf(out->csv.f, ",%d,%.9g,%d,%u\n", (int)v->label[i], post[i], label[i], counts[i]);
	}
	return 0;
}

/* Renames the file of out_write into place (commit) or removes it. */
static int out_finish(struct cli_ctx *c, struct out_file *out, int commit)
{
	struct mlfy_err err;
	int rc = 0;

	mlfy_err_clear(&err);
	if (out->npy) {
		if (commit)
			rc = mlfy_npy_writer_close(out->npy, &err) ? cli_report(c->name, &err) : 0;
		else
			mlfy_npy_writer_abort(out->npy);
	} else if (out->is_csv) {
		if (commit)
			rc = mlfy_outfile_commit(&out->csv, &err) ? cli_report(c->name, &err) : 0;
		else
			mlfy_outfile_abort(&out->csv);
	}
	memset(out, 0, sizeof(*out));
	return rc;
}

/* --- --original-labels ------------------------------------------------------- */

/* One image's original label. */
struct orig_label {
	char *name;
	int32_t label;
	int used;      /* a question of this image was rated */
};

static int cmp_orig(const void *a, const void *b)
{
	return strcmp(((const struct orig_label *)a)->name, ((const struct orig_label *)b)->name);
}

static void orig_free(struct orig_label *l, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(l[i].name);
	free(l);
}

/* Reads the --original-labels file into *out (sorted by name, *n entries).
 * Errors name the file and line. */
static int read_original(const char *cmd, const char *path, struct orig_label **out, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	struct orig_label *l = NULL;
	size_t n = 0, cap = 0, line_no = 0, bare = 0, named = 0, i;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int rc = 0;

	if (!f)
		return cli_error(cmd, "%s: %s", path, strerror(errno));
	while (!rc && (len = getline(&line, &lcap, f)) >= 0) {
		char *p = line, *name, *lab, *end;
		long v;
		line_no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (line_no == 1 && !strncmp(p, "\xef\xbb\xbf", 3))
			p += 3;
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		name = p;
		p += strcspn(p, " \t,");
		if (*p) {
			*p++ = '\0';
			p += strspn(p, " \t,");
			lab = p;
			named++;
		} else {
			lab = name;
			name = NULL;
			bare++;
		}
		errno = 0;
		v = strtol(lab, &end, 10);
		end += strspn(end, " \t");
		if (errno || end == lab || *end || v < 0 || v > INT32_MAX || (named && bare)) {
			rc = cli_error(cmd, "%s:%zu: expected \"IMAGE LABEL\" or \"LABEL\" (a class index >= 0), the same"
				       " form on every line", path, line_no);
			break;
		}
		if (MLFY_GROW(l, cap, n + 1)) {
			rc = cli_error(cmd, "out of memory");
			break;
		}
		if (name) {
			l[n].name = strdup(name);
		} else {
			l[n].name = malloc(32);
			if (l[n].name)
				snprintf(l[n].name, 32, "ILSVRC2012_val_%08zu.JPEG", bare);
		}
		l[n].label = (int32_t)v;
		l[n].used = 0;
		if (!l[n].name) {
			rc = cli_error(cmd, "out of memory");
			break;
		}
		n++;
	}
	if (!rc && ferror(f))
		rc = cli_error(cmd, "%s: read error", path);
	free(line);
	fclose(f);
	if (!rc && !n)
		rc = cli_error(cmd, "%s: no labels", path);
	if (!rc && l && n) {
		qsort(l, n, sizeof(*l), cmp_orig);
		for (i = 1; i < n; i++)
			if (!strcmp(l[i - 1].name, l[i].name)) {
				rc = cli_error(cmd, "%s: image %s is given twice", path, l[i].name);
				break;
			}
	}
	if (rc) {
		orig_free(l, n);
		return rc;
	}
	*out = l;
	*n_out = n;
	return 0;
}

static int in_classes(int32_t label)
{
	size_t i;
	for (i = 0; i < o.n_ranges; i++)
		if (label >= o.ranges[i].lo && label <= o.ranges[i].hi)
			return 1;
	return 0;
}

/* Appends the original-label rater's votes (rater index v->n_raters) to
 * votes (v->n_votes already there, room for v->n_questions more); *n_votes
 * and *n_rated receive the new total and the questions it answered. */
static int add_original_votes(const char *cmd, const struct mlfy_vote_set *v, struct mlfy_vote *votes,
			      size_t *n_votes, size_t *n_rated, size_t *n_images)
{
	struct orig_label *l = NULL, key, *hit;
	size_t n = 0, q, k = v->n_votes, images = 0, i;
	int rc;

	if ((rc = read_original(cmd, o.original, &l, &n)))
		return rc;
	if (!l || !n) {   /* read_original refuses a file without labels */
		free(l);
		return cli_error(cmd, "%s: no labels", o.original);
	}
	for (q = 0; q < v->n_questions; q++) {
		if (!in_classes(v->label[q]))
			continue;
		key.name = v->image[q];
		if (!(hit = bsearch(&key, l, n, sizeof(*l), cmp_orig)))
			continue;
		votes[k].question = (uint32_t)q;
		votes[k].rater = (uint32_t)v->n_raters;
		votes[k].answer = (uint8_t)(hit->label == v->label[q] ? v->n_answers - 1 : 0);
		k++;
		hit->used = 1;
	}
	for (i = 0; i < n; i++)
		images += (size_t)l[i].used;
	orig_free(l, n);
	*n_rated = k - v->n_votes;
	*n_votes = k;
	*n_images = images;
	return 0;
}

/* --- --golden / --golden-truth ------------------------------------------------- */

/* Question indices of e sorted by (image, label), for matching. */
static const struct mlfy_vote_set *sort_set;

static int cmp_question(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_set->image[i], sort_set->image[j]);
	return c ? c : (sort_set->label[i] > sort_set->label[j]) - (sort_set->label[i] < sort_set->label[j]);
}

/* Fixed confusion matrices (fixed[r], conf rows of v's raters) from the
 * golden answers of the raters of v, against the experts' majority.  Prints
 * what it did. */
static int golden_confusion(const char *cmd, const struct mlfy_vote_set *v, uint8_t *fixed, double *conf,
			    double smoothing)
{
	struct mlfy_vote_set g = { 0 }, e = { 0 };
	struct mlfy_err err;
	size_t *idx = NULL, i, r, n_fixed = 0, n_known = 0, n_pos = 0;
	double *score = NULL, *truth = NULL, *gconf = NULL;
	uint8_t *label = NULL;
	uint32_t *counts = NULL, *answered = NULL;
	const size_t A = (size_t)v->n_answers;
	char a[32], b[32];
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_vote_set_read_npz(o.golden, &g, &err) || mlfy_vote_set_read_npz(o.golden_truth, &e, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	if (g.n_answers != v->n_answers || e.n_answers != v->n_answers) {
		rc = cli_error(cmd, "%s / %s: %d and %d answer options, the votes have %d", o.golden, o.golden_truth,
			       g.n_answers, e.n_answers, v->n_answers);
		goto out;
	}
	idx = malloc((e.n_questions ? e.n_questions : 1) * sizeof(*idx));
	score = malloc((e.n_questions ? e.n_questions : 1) * sizeof(*score));
	label = malloc(e.n_questions ? e.n_questions : 1);
	counts = malloc((e.n_questions ? e.n_questions : 1) * sizeof(*counts));
	truth = malloc((g.n_questions ? g.n_questions : 1) * sizeof(*truth));
	gconf = malloc((g.n_raters ? g.n_raters : 1) * 2 * A * sizeof(*gconf));
	answered = malloc((g.n_raters ? g.n_raters : 1) * sizeof(*answered));
	if (!idx || !score || !label || !counts || !truth || !gconf || !answered) {
		rc = cli_error(cmd, "out of memory");
		goto out;
	}
	/* the experts' majority: mean expert score > 0.5 (maybe = half) */
	if (mlfy_majority_vote(e.votes, e.n_votes, e.n_questions, e.n_answers, 0.5, score, label, counts, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	for (i = 0; i < e.n_questions; i++)
		idx[i] = i;
	sort_set = &e;
	qsort(idx, e.n_questions, sizeof(*idx), cmp_question);
	for (i = 0; i < g.n_questions; i++) {
		size_t lo = 0, hi = e.n_questions;
		truth[i] = -1.0;
		while (lo < hi) {   /* binary search of g's question among e's */
			size_t mid = lo + (hi - lo) / 2, j = idx[mid];
			int c = strcmp(e.image[j], g.image[i]);
			if (!c)
				c = (e.label[j] > g.label[i]) - (e.label[j] < g.label[i]);
			if (!c) {
				if (counts[j]) {
					truth[i] = label[j];
					n_known++;
					n_pos += label[j];
				}
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (!n_known) {
		rc = cli_error(cmd, "%s and %s share no answered question (image, label)", o.golden, o.golden_truth);
		goto out;
	}
	if (mlfy_ds_confusion_from_truth(g.votes, g.n_votes, g.n_questions, g.n_raters, g.n_answers, truth, smoothing,
					 gconf, answered, &err)) {
		rc = cli_report(cmd, &err);
		goto out;
	}
	for (r = 0; r < g.n_raters; r++) {
		size_t k;
		if (!answered[r])
			continue;
		for (k = 0; k < v->n_raters && strcmp(v->rater[k], g.rater[r]); k++)
			;
		if (k == v->n_raters)
			continue;
		fixed[k] = 1;
		memcpy(conf + k * 2 * A, gconf + r * 2 * A, 2 * A * sizeof(*conf));
		n_fixed++;
	}
	printf("  golden: %zu of %zu raters' confusions fixed from %s golden questions (experts' majority: %s"
	       " positive)\n", n_fixed, v->n_raters, mlfy_fmt_count(a, sizeof(a), n_known),
	       mlfy_fmt_count(b, sizeof(b), n_pos));
out:
	MLFY_FREE_ALL(idx, score, label, counts, truth, gconf, answered);
	mlfy_vote_set_release(&g);
	mlfy_vote_set_release(&e);
	return rc;
}

/* Dawid-Skene of v, with ReaL's options when given, into post. */
static int dawid_skene(const char *cmd, const struct mlfy_vote_set *v, double *post, struct mlfy_ds_stats *st)
{
	struct mlfy_ds_params prm;
	struct mlfy_vote *votes = NULL;
	uint8_t *fixed = NULL;
	double *conf = NULL;
	struct mlfy_err err;
	size_t n_votes = v->n_votes, n_raters = v->n_raters + (o.original != NULL), rated = 0, images = 0;
	const size_t A = (size_t)v->n_answers;
	int rc = 0;

	mlfy_err_clear(&err);
	mlfy_ds_defaults(&prm);
	votes = malloc((v->n_votes + v->n_questions + 1) * sizeof(*votes));
	fixed = calloc(n_raters + 1, 1);
	conf = calloc((n_raters + 1) * 2 * A, sizeof(*conf));
	if (!votes || !fixed || !conf) {
		rc = cli_error(cmd, "out of memory");
		goto out;
	}
	memcpy(votes, v->votes, v->n_votes * sizeof(*votes));
	if (o.original) {
		char a[32], b[32];
		if ((rc = add_original_votes(cmd, v, votes, &n_votes, &rated, &images)))
			goto out;
		printf("  original label: one more rater on %s questions of %s images (classes %s)\n",
		       mlfy_fmt_count(a, sizeof(a), rated), mlfy_fmt_count(b, sizeof(b), images),
		       o.original_classes ? o.original_classes : "0-397");
	}
	if (o.golden) {
		if ((rc = golden_confusion(cmd, v, fixed, conf, prm.smoothing)))
			goto out;
		prm.fixed = fixed;
		prm.fixed_confusion = conf;
	}
	if (mlfy_dawid_skene(votes, n_votes, v->n_questions, n_raters, v->n_answers, &prm, post, NULL, st, &err))
		rc = cli_report(cmd, &err);
out:
	MLFY_FREE_ALL(votes, fixed, conf);
	return rc;
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
	printf("%s: %s: %s questions, %s votes from %zu raters\n", what, o.method,
	       mlfy_fmt_count(a, sizeof(a), v->n_questions), mlfy_fmt_count(b, sizeof(b), v->n_votes), v->n_raters);
	if (mlfy_majority_vote(v->votes, v->n_votes, v->n_questions, v->n_answers, o.threshold, post, label, counts,
			       &err))
		return cli_report(c->name, &err);
	if (o.ds) {
		int rc = dawid_skene(c->name, v, post, &st);
		if (rc)
			return rc;
		for (i = 0; i < v->n_questions; i++)
			label[i] = post[i] > o.threshold;
	}
	for (i = 0; i < v->n_questions; i++) {
		positives += label[i];
		sum += post[i];
	}
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
	struct out_file out = { 0 };
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
	if (!rc && o.out)
		rc = out_write(c, &out, what, &v, post, label, counts);
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
	if (o.out && !out_finish(c, &out, !rc) && !rc)
		printf("  wrote %s\n", o.out);
	else if (o.out && !rc)
		rc = MLFY_EXIT_FAIL;
	MLFY_FREE_ALL(post, label, counts);
	mlfy_vote_set_release(&v);
	return rc;
}

const struct cli_builtin cmd_aggregate = {
	.summary = "aggregate raw votes per question (majority, Dawid-Skene)",
	.usage = usage, .options = options, .check = check, .run = run,
};
