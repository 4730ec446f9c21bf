/* cmd_agreement.c - `mlfy agreement PROJECT|VOTES.npz`: inter-annotator
 * agreement (src/review/agreement_report.h). */
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "review/agreement_format.h"
#include "review/agreement_report.h"
#include "store/probe.h"

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

static struct {
	int json, all_pairs;
} o;

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_FLAG(0, "pairs", &o.all_pairs),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT or VOTES.npz argument");
	if (!mlfy_store_is_project(c->argv[0]))
		c->project = NULL;   /* a vote file */
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_agreement_report r;
	struct mlfy_err err;
	int rc;

	mlfy_err_clear(&err);
	if (c->store) {
		rc = mlfy_agreement_of_project(c->store, &r, &err);
	} else {
		struct mlfy_vote_set v;
		if (!(rc = mlfy_vote_set_read_npz(c->argv[0], &v, &err))) {
			rc = mlfy_agreement_of_votes(&v, &r, &err);
			mlfy_vote_set_release(&v);
		}
	}
	if (rc)
		return cli_report(c->name, &err);
	if (o.json) {
		rc = cli_print_json(c->name, mlfy_agreement_json(&r), 0);
	} else if (mlfy_agreement_write_text(stdout, c->argv[0], &r, o.all_pairs, &err)) {
		rc = cli_report(c->name, &err);
	}
	mlfy_agreement_report_release(&r);
	return rc;
}

const struct cli_builtin cmd_agreement = {
	.summary = "inter-annotator agreement: Cohen's and Fleiss' kappa, Krippendorff's alpha",
	.usage = usage, .options = options, .check = check, .run = run,
};
