/* cmd_questions.c - `mlfy questions PROJECT`: make the (image, label)
 * questions of ReaL's verification protocol from the models' top-k
 * proposals (review/verify.h, mlfy_verify_questions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "review/verify.h"
#include "util/numfmt.h"
#include "util/vec.h"

static const char usage[] =
	"usage: mlfy questions PROJECT [--top K] [--min-score S] [--with-original]\n"
	"                      [--models NAME,NAME,...] [--dry-run]\n"
	"\n"
	"Makes the questions of ReaL's verification protocol (Beyer et al. 2020,\n"
	"\"Are we done with ImageNet?\"): each question asks raters whether one\n"
	"label applies to one image, answered no, maybe or yes in the grid of\n"
	"'mlfy serve'.  For every image of PROJECT the candidates are the union,\n"
	"over the models, of its top K proposals whose score (softmax probability)\n"
	"is at least S; --with-original adds the image's original label when no\n"
	"model proposed it.  Images without proposals of a model get what the\n"
	"other models (or the original label) give.\n"
	"\n"
	"Re-running is safe: it adds the candidates that are not questions yet and\n"
	"never removes one (a question keeps its assignments and answers when a\n"
	"later run with other options would not give it).  Each question records\n"
	"where it came from (model and rank, or the original label).\n"
	"\n"
	"Then give the questions to raters with 'mlfy assign PROJECT --protocol\n"
	"verify --per-question K'; 'mlfy aggregate PROJECT' reads the answers as\n"
	"votes of source \"verify\".\n"
	"\n"
	"Prints the images considered, the candidates, how many of those only the\n"
	"original label gives, the questions added and those already there.\n"
	"\n"
	"Options:\n"
	"  -k, --top K             proposals per image and model, 1 to 20 (default 5)\n"
	"  -s, --min-score S       keep proposals with score >= S, in [0, 1] (default 0)\n"
	"      --with-original     also ask about each image's original label\n"
	"  -m, --models LIST       comma-separated model names whose proposals are\n"
	"                          combined (default: the active model)\n"
	"  -n, --dry-run           count what would be added; write nothing\n"
	"  -h, --help              show this help\n"
	"\n"
	"Example:\n"
	"  mlfy questions val.mlfy --top 5 --min-score 0.05 --with-original\n"
	"  mlfy assign val.mlfy --protocol verify --per-question 3\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is written), 2 on a bad\n"
	"command line.\n";

static struct {
	int top;
	double min_score;
	int with_original, dry_run;
	const char *list;
	char *copy;            /* list split in place */
	const char **names;    /* [n] into copy */
	size_t n;
} o = { .top = 5 };

static const struct cli_option options[] = {
	CLI_OPT_INT('k', "top", &o.top, 1, 20),
	CLI_OPT_CALLBACK('s', "min-score", &o.min_score, cli_opt_share, 1),
	CLI_OPT_FLAG(0, "with-original", &o.with_original),
	CLI_OPT_STRING('m', "models", &o.list),
	CLI_OPT_FLAG('n', "dry-run", &o.dry_run),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	char *tok, *save = NULL;

	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	c->readonly = o.dry_run;   /* a dry run only reads (and is not audited) */
	if (!o.list)
		return 0;
	if (!(o.copy = strdup(o.list)) || !(o.names = calloc(strlen(o.list) / 2 + 1, sizeof(*o.names))))
		return cli_error(c->name, "out of memory");
	for (tok = strtok_r(o.copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (*tok)
			o.names[o.n++] = tok;
	return o.n ? 0 : cli_usage_error(c->name, "--models: no names given");
}

static int run(struct cli_ctx *c)
{
	struct mlfy_questions_opts qo = { o.top, o.min_score, o.with_original, o.names, o.n, o.dry_run };
	struct mlfy_questions_result r;
	struct mlfy_err err;
	char a[32], b[32], d[32], e[32], f[32];

	mlfy_err_clear(&err);
	if (mlfy_verify_questions(c->store, &qo, &r, &err))
		return cli_report(c->name, &err);
	if (o.dry_run)
		printf("dry run: nothing was written\n");
	printf("%s images considered (top %d, score >= %g%s)\n", mlfy_fmt_count(a, sizeof(a), r.images), o.top,
	       o.min_score, o.with_original ? ", with the original label" : "");
	printf("%s candidate questions, %s of them only as the original label\n",
	       mlfy_fmt_count(b, sizeof(b), r.candidates), mlfy_fmt_count(d, sizeof(d), r.from_original));
	printf("%s questions %s, %s already there\n", mlfy_fmt_count(e, sizeof(e), r.added),
	       o.dry_run ? "would be added" : "added", mlfy_fmt_count(f, sizeof(f), r.existing));
	return 0;
}

static void release(void)
{
	MLFY_FREE_ALL(o.names, o.copy);
}

const struct cli_builtin cmd_questions = {
	.summary = "make the (image, label) questions of ReaL's verification protocol",
	.usage = usage, .options = options, .check = check, .run = run, .release = release,
};
