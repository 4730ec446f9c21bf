/* cmd_agreement.c - `mlfy agreement PROJECT|VOTES.npz`: inter-annotator
 * agreement (src/review/agreement_report.h). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "review/agreement_report.h"

const char cmd_agreement_summary[] = "inter-annotator agreement: Cohen's and Fleiss' kappa, Krippendorff's alpha";

static const char usage[] =
	"usage: mlfy agreement PROJECT|VOTES.npz [--json] [--pairs]\n"
	"\n"
	"Measures how much annotators agree, for a project's stage-ii annotations\n"
	"or for a vote file in ReaL's format (tensor/info/ids, see 'mlfy\n"
	"import-votes --help').\n"
	"\n"
	"Per question, i.e. per (image, label) a rater answered (for a project:\n"
	"every proposal shown to an annotator, ticked = yes, else no, plus labels\n"
	"added through the search = yes; for a vote file: no/maybe/yes):\n"
	"  Cohen's kappa     for every pair of raters over the questions both\n"
	"                    answered (Cohen 1960); mean, min and max are shown\n"
	"  Fleiss' kappa     over questions with two or more answers (Fleiss 1971)\n"
	"  Krippendorff's alpha, nominal, any number of raters, missing answers\n"
	"                    allowed (Krippendorff 2011)\n"
	"Per image, on label sets (for a vote file: the labels a rater answered\n"
	"\"yes\", for raters who answered all of the image's questions):\n"
	"  Krippendorff's alpha with the Jaccard and the MASI distance\n"
	"                    (Passonneau 2006)\n"
	"  exact-set agreement  share of images where every set is identical\n"
	"  mean Jaccard      mean pairwise Jaccard similarity of the sets\n"
	"docs/review.md gives the formulas.  A coefficient is \"n/a\" when it is\n"
	"undefined (e.g. every answer is the same).\n"
	"\n"
	"Options:\n"
	"      --json    print the report as JSON (every rater pair included)\n"
	"      --pairs   list every rater pair's kappa (default: up to 20 pairs)\n"
	"  -h, --help    show this help\n"
	"\n"
	"Example:\n"
	"  mlfy agreement val.mlfy\n"
	"  mlfy agreement raters_golden.npz --json\n"
	"\n"
	"Exit status: 0 on success, 1 on errors, 2 on a bad command line.\n";

static json_t *coef_json(const struct mlfy_coef *c)
{
	return c->defined ? json_real(c->value) : json_null();
}

static void coef_text(const char *label, const struct mlfy_coef *c, const char *extra)
{
	if (c->defined)
		printf("  %-34s %8.4f%s\n", label, c->value, extra);
	else
		printf("  %-34s %8s  (%s)\n", label, "n/a", c->why);
}

int cmd_agreement(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_PAIRS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pairs", no_argument, NULL, OPT_PAIRS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_agreement_report r;
	struct mlfy_err err;
	const char *path;
	int c, json = 0, all_pairs = 0, rc = 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = 1; break;
		case OPT_PAIRS: all_pairs = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("agreement", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("agreement", "expected one PROJECT or VOTES.npz argument");
	path = argv[optind];
	mlfy_err_clear(&err);
	if (rcli_is_sqlite(path)) {
		struct mlfy_store *s = cli_open_project("agreement", path, MLFY_STORE_READONLY);
		if (!s)
			return MLFY_EXIT_FAIL;
		rc = mlfy_agreement_of_project(s, &r, &err);
		mlfy_store_close(s);
	} else {
		struct mlfy_vote_set v;
		if (!(rc = mlfy_vote_set_read_npz(path, &v, &err))) {
			rc = mlfy_agreement_of_votes(&v, &r, &err);
			mlfy_vote_set_release(&v);
		}
	}
	if (rc)
		return cli_report("agreement", &err);

	if (json) {
		json_t *o = json_object(), *p = json_array();
		json_object_set_new(o, "questions", json_integer((json_int_t)r.n_questions));
		json_object_set_new(o, "votes", json_integer((json_int_t)r.n_votes));
		json_object_set_new(o, "raters", json_integer((json_int_t)r.n_raters));
		json_object_set_new(o, "answer_options", json_integer(r.n_answers));
		json_object_set_new(o, "fleiss_kappa", coef_json(&r.fleiss));
		json_object_set_new(o, "fleiss_items", json_integer((json_int_t)r.fleiss_items));
		json_object_set_new(o, "krippendorff_alpha_nominal", coef_json(&r.alpha_nominal));
		json_object_set_new(o, "mean_pair_cohen_kappa", coef_json(&r.mean_pair_kappa));
		if (r.mean_pair_kappa.defined) {
			json_object_set_new(o, "min_pair_cohen_kappa", json_real(r.min_pair_kappa));
			json_object_set_new(o, "max_pair_cohen_kappa", json_real(r.max_pair_kappa));
		}
		json_object_set_new(o, "set_units", json_integer((json_int_t)r.n_set_units));
		json_object_set_new(o, "krippendorff_alpha_jaccard", coef_json(&r.alpha_jaccard));
		json_object_set_new(o, "krippendorff_alpha_masi", coef_json(&r.alpha_masi));
		json_object_set_new(o, "krippendorff_alpha_sets_nominal", coef_json(&r.alpha_sets_nominal));
		/* undefined (null) when no image has two or more sets */
		json_object_set_new(o, "exact_set_agreement", r.sets.n_units ? json_real(r.sets.exact) : json_null());
		json_object_set_new(o, "exact_set_images", json_integer((json_int_t)r.sets.n_units));
		json_object_set_new(o, "mean_jaccard", r.sets.n_units ? json_real(r.sets.mean_jaccard) : json_null());
		for (i = 0; i < r.n_pairs; i++) {
			json_t *q = json_pack("{s:s, s:s, s:I}", "a", r.pairs[i].a, "b", r.pairs[i].b, "questions",
					      (json_int_t)r.pairs[i].n);
			json_object_set_new(q, "cohen_kappa", r.pairs[i].defined ? json_real(r.pairs[i].kappa) : json_null());
			json_array_append_new(p, q);
		}
		json_object_set_new(o, "pairs", p);
		rc = rcli_print_json("agreement", o, 0);
		json_decref(o);
	} else {
		char a[32], b[32], d[32], extra[96];
		printf("%s: %s questions, %s answers from %zu raters\n", path, rcli_thousands((int64_t)r.n_questions, a),
		       rcli_thousands((int64_t)r.n_votes, b), r.n_raters);
		printf("per question:\n");
		snprintf(extra, sizeof(extra), "  over %s questions with 2+ answers",
			 rcli_thousands((int64_t)r.fleiss_items, d));
		coef_text("Fleiss' kappa", &r.fleiss, extra);
		coef_text("Krippendorff's alpha (nominal)", &r.alpha_nominal, "");
		if (r.mean_pair_kappa.defined)
			snprintf(extra, sizeof(extra), "  over %zu rater pairs, min %.4f, max %.4f", r.n_pairs,
				 r.min_pair_kappa, r.max_pair_kappa);
		else
			extra[0] = '\0';
		coef_text("Cohen's kappa, mean of pairs", &r.mean_pair_kappa, extra);
		printf("per image (label sets, %s images):\n", rcli_thousands((int64_t)r.n_set_units, a));
		coef_text("Krippendorff's alpha (Jaccard)", &r.alpha_jaccard, "");
		coef_text("Krippendorff's alpha (MASI)", &r.alpha_masi, "");
		if (r.sets.n_units) {
			printf("  %-34s %8.4f  (%s of %s images with 2+ sets)\n", "exact-set agreement", r.sets.exact,
			       rcli_thousands((int64_t)r.sets.n_exact, a), rcli_thousands((int64_t)r.sets.n_units, b));
			printf("  %-34s %8.4f\n", "mean Jaccard", r.sets.mean_jaccard);
		} else {
			printf("  %-34s %8s  (no image has 2+ sets)\n", "exact-set agreement", "n/a");
			printf("  %-34s %8s  (no image has 2+ sets)\n", "mean Jaccard", "n/a");
		}
		if (r.n_pairs && (all_pairs || r.n_pairs <= 20)) {
			printf("rater pairs (Cohen's kappa over common questions):\n");
			for (i = 0; i < r.n_pairs; i++) {
				char who[160];
				snprintf(who, sizeof(who), "%s / %s", r.pairs[i].a, r.pairs[i].b);
				if (r.pairs[i].defined)
					printf("  %-34s %8.4f  (%zu questions)\n", who, r.pairs[i].kappa, r.pairs[i].n);
				else
					printf("  %-34s %8s  (%zu questions)\n", who, "n/a", r.pairs[i].n);
			}
		} else if (r.n_pairs) {
			printf("(%zu rater pairs; --pairs lists them)\n", r.n_pairs);
		}
	}
	mlfy_agreement_report_release(&r);
	return rc;
}
