/* cmd_gold.c - `mlfy gold add|list|remove`: the gold images of a project,
 * whose known label sets score the annotators (docs/quality.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/gold_file.h"
#include "ingest/labels.h"
#include "review/gold.h"
#include "store/catalog.h"
#include "store/gold.h"

static const char usage[] =
	"usage: mlfy gold add PROJECT FILE [--format FMT]\n"
	"       mlfy gold add PROJECT --from-final\n"
	"       mlfy gold list PROJECT [--json]\n"
	"       mlfy gold remove PROJECT IMAGE...\n"
	"\n"
	"Gold images are images whose true label set is known.  'mlfy assign\n"
	"--gold-first N --gold-rate P' hides them among the annotators' stage-ii\n"
	"tasks; their answers are scored by 'mlfy quality' and never change the\n"
	"image's own agreement or final set.\n"
	"\n"
	"  add       FILE is a label file keyed by image name, in any format 'mlfy\n"
	"            stats' reads that names images: Multilabelfy JSON\n"
	"            {\"name\": [\"idx\", ...]} or CSV file,label (labels separated by\n"
	"            ' ', ';' or '|'; an empty field is the empty set).  Names match\n"
	"            an image's name, absolute path or unique file name.  All or\n"
	"            nothing: one bad row and nothing is added.  Adding an image\n"
	"            again replaces its gold set.\n"
	"            --from-final takes the final sets of the refined images (stage\n"
	"            iv decisions) instead; images that are gold already keep\n"
	"            their set (remove them first to replace it).\n"
	"  list      print every gold image with its set and how many gold tasks\n"
	"            were placed and answered\n"
	"  remove    stop IMAGEs (names) being gold; their unanswered gold tasks\n"
	"            go, answered ones stay in the history\n"
	"\n"
	"Options:\n"
	"      --from-final      add: the refined images' final sets\n"
	"  -f, --format FMT      add: read FILE as FMT (auto, multilabelfy, csv)\n"
	"      --json            list: JSON\n"
	"  -h, --help            show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy gold add proj.mlfy gold.csv\n"
	"  mlfy gold add proj.mlfy --from-final\n"
	"  mlfy gold list proj.mlfy\n";

enum action { ADD, LIST, REMOVE };

static struct {
	int from_final, json;
	const char *format_s;
	int format;
	enum action action;
} o;

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "from-final", &o.from_final),
	CLI_OPT_STRING('f', "format", &o.format_s),
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	static const char *const actions[] = { "add", "list", "remove" };
	size_t i;

	if (c->argc < 2)
		return cli_usage_error(c->name, "expected an action (add, list, remove) and PROJECT");
	for (i = 0; i < 3 && strcmp(c->argv[0], actions[i]); i++)
		;
	if (i == 3)
		return cli_usage_error(c->name, "unknown action '%s' (expected add, list or remove)", c->argv[0]);
	o.action = (enum action)i;
	if (o.action == ADD && o.from_final != (c->argc == 2))
		return cli_usage_error(c->name, o.from_final ? "add --from-final takes only PROJECT"
							     : "add takes PROJECT and FILE (or --from-final)");
	if (o.action == ADD && c->argc > 3)
		return cli_usage_error(c->name, "add takes one FILE");
	if (o.action == LIST && c->argc != 2)
		return cli_usage_error(c->name, "list takes only PROJECT");
	if (o.action == REMOVE && c->argc < 3)
		return cli_usage_error(c->name, "remove takes PROJECT and one or more IMAGE names");
	if ((o.from_final || o.format_s) && o.action != ADD)
		return cli_usage_error(c->name, "--from-final and --format are options of 'add'");
	if (o.json && o.action != LIST)
		return cli_usage_error(c->name, "--json is an option of 'list'");
	if (o.format_s && o.from_final)
		return cli_usage_error(c->name, "--format needs a FILE, not --from-final");
	o.format = MLFY_LABELS_AUTO;
	if (o.format_s && (o.format = mlfy_labels_parse_format(o.format_s)) < 0)
		return cli_usage_error(c->name, "--format: unknown format '%s'", o.format_s);
	c->project = c->argv[1];
	c->readonly = o.action == LIST;
	return 0;
}

static int do_add(struct cli_ctx *c)
{
	struct mlfy_err err;
	int64_t added = 0, other = 0;

	mlfy_err_clear(&err);
	if (o.from_final) {
		if (mlfy_gold_from_final(c->store, &added, &other, &err))
			return cli_report(c->name, &err);
		printf("%s: %lld gold images added from the refined final sets, %lld gold already (kept)\n",
		       c->project, (long long)added, (long long)other);
		if (!added && !other)
			fprintf(stderr, "mlfy gold: warning: no image is decided by refinement yet\n");
		return 0;
	}
	if (mlfy_gold_import_file(c->store, c->argv[2], o.format, &added, &other, &err))
		return cli_report(c->name, &err);
	printf("%s: %lld gold images added, %lld replaced (from %s)\n", c->project, (long long)added,
	       (long long)other, c->argv[2]);
	return 0;
}

static int do_list(struct cli_ctx *c)
{
	struct mlfy_gold *g = NULL;
	struct mlfy_err err;
	size_t n = 0, i, j;

	mlfy_err_clear(&err);
	if (mlfy_gold_list(c->store, &g, &n, &err))
		return cli_report(c->name, &err);
	if (o.json) {
		cli_print_json(c->name, mlfy_gold_list_json(g, n), 0);
	} else {
		printf("%-40s %-20s %6s %8s  %s\n", "IMAGE", "LABELS", "TASKS", "ANSWERED", "SOURCE");
		for (i = 0; i < n; i++) {
			char buf[128] = "";
			size_t len = 0;
			for (j = 0; j < g[i].n_labels && len + 12 < sizeof(buf); j++)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d", j ? " " : "",
							(int)g[i].labels[j]);
			printf("%-40s %-20s %6lld %8lld  %s\n", g[i].name, g[i].n_labels ? buf : "(empty set)",
			       (long long)g[i].tasks, (long long)g[i].answered, g[i].source);
		}
		printf("%zu gold images\n", n);
	}
	mlfy_gold_list_free(g, n);
	return 0;
}

static int do_remove(struct cli_ctx *c)
{
	struct mlfy_err err;
	int64_t dropped = 0, removed = 0;

	mlfy_err_clear(&err);
	if (mlfy_gold_remove_names(c->store, (const char *const *)c->argv + 2, (size_t)c->argc - 2, &removed, &dropped,
				   &err))
		return cli_report(c->name, &err);
	printf("%s: %lld gold image%s removed, %lld unanswered gold task%s dropped\n", c->project, (long long)removed,
	       removed == 1 ? "" : "s", (long long)dropped, dropped == 1 ? "" : "s");
	return 0;
}

static int run(struct cli_ctx *c)
{
	switch (o.action) {
	case ADD: return do_add(c);
	case LIST: return do_list(c);
	case REMOVE: return do_remove(c);
	}
	return 1;
}

const struct cli_builtin cmd_gold = {
	.summary = "gold images with known label sets: add, list, remove",
	.usage = usage, .options = options, .check = check, .run = run,
};
