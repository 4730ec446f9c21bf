/* cmd_add_exemplars.c - `mlfy add-exemplars PROJECT SRC`: choose example
 * images per class (src/ingest/exemplars.h does the work). */
#include <stdio.h>

#include "cli/cli.h"
#include "ingest/exemplars.h"
#include "util/progress.h"

static const char usage[] =
	"usage: mlfy add-exemplars PROJECT SRC [--per-class N] [--seed N] [--quiet]\n"
	"\n"
	"Chooses up to N example images (exemplars) per class from SRC; the\n"
	"annotation page shows them next to a class name to tell similar classes\n"
	"apart.  SRC is an ImageFolder tree (SRC/<class>/<file>, <class> a class\n"
	"id, index or name) or a flat folder of files named <class>_<name>.<ext>\n"
	"(as ImageNet's n01440764_tench.JPEG).\n"
	"\n"
	"The choice is seeded and deterministic: per class, candidates are ordered\n"
	"by SipHash of their path keyed by --seed and read in that order; files\n"
	"that are images of the project (same content) are used only when a class\n"
	"has too few others, with a warning: the server never shows anyone an\n"
	"exemplar that is an image of their own tasks, since its class is that\n"
	"image's original label.  Unreadable or corrupt files, folders or names\n"
	"that are no class of the project and repeated content are skipped and\n"
	"listed.\n"
	"\n"
	"Running the command again replaces the exemplars of every class that\n"
	"SRC has candidates for; other classes keep theirs.\n"
	"\n"
	"Options:\n"
	"  -n, --per-class N   exemplars per class (default 10)\n"
	"  -s, --seed N        seed of the choice (default 0)\n"
	"  -q, --quiet         no progress reporting, no list of skipped files\n"
	"  -h, --help          show this help\n"
	"\n"
	"Example:\n"
	"  mlfy add-exemplars val.mlfy ILSVRC2012_img_train --per-class 10\n"
	"\n"
	"Exit status: 0 on success, 1 when no exemplar could be stored, 2 on a\n"
	"bad command line, 130 when interrupted.\n";

static struct {
	struct mlfy_add_exemplars_opts lib;
	int quiet;
} o = { .lib = { .per_class = 10 } };

static const struct cli_option options[] = {
	CLI_OPT_INT('n', "per-class", &o.lib.per_class, 1, 1000),
	CLI_OPT_SEED('s', "seed", &o.lib.seed),
	CLI_OPT_FLAG('q', "quiet", &o.quiet),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 2)
		return cli_usage_error(c->name, "expected PROJECT and SRC arguments");
	o.lib.src = c->argv[1];
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_add_exemplars_result r;
	struct mlfy_progress prog;
	struct mlfy_err err;

	o.lib.cancel = c->cancel;
	o.lib.progress = cli_progress(&prog, "choosing exemplars (classes)", o.quiet);
	mlfy_err_clear(&err);
	if (mlfy_ingest_add_exemplars(c->store, &o.lib, &r, &err)) {
		cli_print_problems("skipped ", r.skipped, r.n_skipped);
		mlfy_add_exemplars_result_release(&r);
		return cli_report(c->name, &err);
	}
	if (!o.quiet)
		cli_print_problems("skipped ", r.skipped, r.n_skipped);
	printf("%s: %zu exemplar%s for %zu class%s from %zu image file%s", c->project, r.n_exemplars,
	       r.n_exemplars == 1 ? "" : "s", r.n_classes, r.n_classes == 1 ? "" : "es", r.n_files,
	       r.n_files == 1 ? "" : "s");
	if (r.n_project)
		printf(" (%zu %s project image%s, never shown as %s own exemplar)", r.n_project,
		       r.n_project == 1 ? "is a" : "are", r.n_project == 1 ? "" : "s", r.n_project == 1 ? "its" : "their");
	printf("\n");
	if (r.n_short)
		printf("%zu class%s got fewer than %d\n", r.n_short, r.n_short == 1 ? "" : "es", o.lib.per_class);
	if (r.n_project)
		cli_warn(c->name, "%zu exemplar%s %s images of the project: an exemplar's class is that image's"
			 " original label, so it is never shown to (or served to) anyone whose tasks hold the"
			 " image; exemplars from images outside the project are shown to everyone",
			 r.n_project, r.n_project == 1 ? "" : "s", r.n_project == 1 ? "is one of the" : "are");
	if (r.n_skipped)
		printf("%zu file%s or folder%s skipped\n", r.n_skipped, r.n_skipped == 1 ? "" : "s",
		       r.n_skipped == 1 ? "" : "s");
	mlfy_add_exemplars_result_release(&r);
	return 0;
}

const struct cli_builtin cmd_add_exemplars = {
	.summary = "choose example images shown next to each class",
	.usage = usage, .options = options, .check = check, .run = run,
};
