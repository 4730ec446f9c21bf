/* cmd_import_votes.c - `mlfy import-votes PROJECT FILE.npz`: store raw votes
 * (ReaL's format, or the project's own checkbox answers) for aggregation
 * and agreement (src/review/votes.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "review/votes.h"
#include "store/catalog.h"
#include "store/votes.h"
#include "util/numfmt.h"

static const char usage[] =
	"usage: mlfy import-votes PROJECT FILE.npz [--source NAME] [--no-class-check]\n"
	"       mlfy import-votes PROJECT --from-annotations\n"
	"\n"
	"Stores raw votes in the project (tables questions and votes) for 'mlfy\n"
	"aggregate'.  A vote answers a question \"does label L apply to image I?\"\n"
	"with no, maybe or yes.\n"
	"\n"
	"FILE.npz is in the format of ReaL's raw ratings (Beyer et al. 2020,\n"
	"reassessed-imagenet: raters.npz, golden.npz):\n"
	"  tensor  R x N x 3 float, one-hot no/maybe/yes of rater r on question\n"
	"          n; an all-zero triple = not answered\n"
	"  info    N x 2 strings: image file name, label index\n"
	"  ids     R integers: rater ids (stored as the rater names)\n"
	"Labels must be class indices of the project (unless --no-class-check).\n"
	"\n"
	"--from-annotations derives votes from the project's current stage-ii\n"
	"annotations: a proposal shown to an annotator and ticked = yes, shown and\n"
	"not ticked = no, a label added through the search = yes.\n"
	"\n"
	"Votes are stored under a source name (default \"npz:FILE-NAME\" or\n"
	"\"annotations\"); importing the same source again replaces its votes.\n"
	"The source \"verify\" is reserved: it names the answers of the project's\n"
	"own verification grid (mlfy questions, mlfy assign --protocol verify).\n"
	"Nothing is stored when the input is invalid.\n"
	"\n"
	"Options:\n"
	"  -s, --source NAME      store under this source name\n"
	"      --from-annotations use the project's stage-ii answers\n"
	"      --no-class-check   accept labels outside the project's classes\n"
	"  -h, --help             show this help\n"
	"\n"
	"Example:\n"
	"  mlfy import-votes val.mlfy raters.npz\n"
	"  mlfy aggregate val.mlfy --method dawid-skene\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is stored), 2 on a bad\n"
	"command line.\n";

static struct {
	const char *source, *file;
	int from_ann, no_check;
	char source_buf[512];
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('s', "source", &o.source),
	CLI_OPT_FLAG(0, "from-annotations", &o.from_ann),
	CLI_OPT_FLAG(0, "no-class-check", &o.no_check),
	CLI_OPT_END(),
};

/* --source verify is the grid's (store/votes.h): a usage error. */
static int reserved(struct cli_ctx *c)
{
	struct mlfy_err err;

	mlfy_err_clear(&err);
	if (mlfy_votes_source_check(o.source, &err))
		return cli_usage_error(c->name, "--source: %s", err.msg);
	return 0;
}

static int check(struct cli_ctx *c)
{
	const char *base;

	if (o.from_ann ? c->argc != 1 : c->argc != 2)
		return cli_usage_error(c->name, o.from_ann ? "--from-annotations takes one PROJECT argument"
					: "expected PROJECT and FILE.npz arguments");
	if (o.source && !*o.source)
		return cli_usage_error(c->name, "--source must not be empty");
	if (o.from_ann) {
		if (!o.source)
			o.source = "annotations";
		return reserved(c);
	}
	o.file = c->argv[1];
	base = strrchr(o.file, '/') ? strrchr(o.file, '/') + 1 : o.file;
	if (!o.source) {
		snprintf(o.source_buf, sizeof(o.source_buf), "npz:%s", base);
		o.source = o.source_buf;
	}
	return reserved(c);
}

static int run(struct cli_ctx *c)
{
	struct mlfy_vote_set v;
	struct mlfy_err err;
	int64_t nq = 0, nv = 0;
	size_t n_classes = 0;
	int check_classes = !o.no_check, rc;
	char a[32], b[32];

	mlfy_err_clear(&err);
	if (o.from_ann)
		rc = mlfy_vote_set_from_annotations(c->store, &v, &err);
	else
		rc = mlfy_vote_set_read_npz(o.file, &v, &err);
	if (!rc && check_classes && !mlfy_catalog_n_classes(c->store, &n_classes, &err) && n_classes == 0)
		check_classes = 0;   /* a project without classes cannot check */
	if (!rc)
		rc = mlfy_vote_set_store(c->store, &v, o.source, check_classes, &nq, &nv, &err);
	if (rc) {
		mlfy_vote_set_release(&v);   /* read, then refused by the store */
		if (!o.from_ann && rc != MLFY_ENOMEM && !strstr(err.msg, o.file))
			mlfy_err_prefix(&err, "%s", o.file);
		return cli_report(c->name, &err);
	}
	printf("%s: stored %s votes on %s questions from %zu raters as source '%s'\n", c->project,
	       mlfy_fmt_count(a, sizeof(a), nv), mlfy_fmt_count(b, sizeof(b), nq), v.n_raters, o.source);
	mlfy_vote_set_release(&v);
	return 0;
}

const struct cli_builtin cmd_import_votes = {
	.summary = "store raw votes (ReaL .npz or the project's own answers)",
	.usage = usage, .options = options, .check = check, .run = run,
};
