/* cmd_init.c - `mlfy init PROJECT --classes FILE`: create a project with its
 * class list (src/ingest/classes.h does the work). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "ingest/classes.h"

static const char usage[] =
	"usage: mlfy init PROJECT --classes FILE [--names JSON] [--synonyms JSON]\n"
	"                 [--name NAME]\n"
	"\n"
	"Creates the project file PROJECT (conventionally NAME.mlfy; it must not\n"
	"exist), or the project in the PostgreSQL database named by a URI\n"
	"postgresql://USER@HOST/DB or, on a Unix socket, postgresql:///DB?host=DIR\n"
	"(the database must exist and be empty; docs/deploy.md),\n"
	"holding the classes listed in FILE.  The index of a class is the\n"
	"model output index that predictions refer to.  FILE is one of:\n"
	"\n"
	"  a JSON object mapping indices to ids, e.g. {\"0\": \"n01440764\", ...}\n"
	"      (ImageNet's label_indices_to_wordnet_ids.json), or to [id, name]\n"
	"      pairs, or a JSON array of ids (index = position);\n"
	"  a synset list, one class per line: \"n01440764 tench, Tinca tinca\"\n"
	"      (ImageNet's LOC_synset_mapping.txt) or just \"n01440764\";\n"
	"  a name list, one class name per line (the name is also the id).\n"
	"\n"
	"Indices must be exactly 0..N-1 and ids unique.  For WordNet ids (\"n\" and\n"
	"8 digits) the name, synonyms and definition (gloss) come from WordNet 3.0\n"
	"unless the file or an override gives them.  Annotators see the name, the\n"
	"synonyms and the gloss.\n"
	"\n"
	"Nothing is created when any input is invalid; errors name the file and\n"
	"line (or JSON key).\n"
	"\n"
	"Options:\n"
	"  -c, --classes FILE   the class list (required)\n"
	"      --names JSON     {\"0\": \"tench\", ...}: display names that replace\n"
	"                       WordNet's (label_indices_to_label_names.json)\n"
	"      --synonyms JSON  {\"0\": \"tench, Tinca tinca\", ...}: comma-separated\n"
	"                       synonyms, the first is the display name unless\n"
	"                       --names gives one (label_indices_to_full_synonyms.json)\n"
	"      --name NAME      project name shown in the web page (default: the\n"
	"                       file name without .mlfy, or the database name)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Example:\n"
	"  mlfy init val.mlfy --classes label_indices_to_wordnet_ids.json \\\n"
	"      --synonyms label_indices_to_full_synonyms.json\n"
	"\n"
	"Exit status: 0 on success, 1 when the project could not be created,\n"
	"2 on a bad command line.\n";

static struct mlfy_init_opts o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('c', "classes", &o.classes),
	CLI_OPT_STRING(0, "names", &o.names),
	CLI_OPT_STRING(0, "synonyms", &o.synonyms),
	CLI_OPT_STRING(0, "name", &o.name),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.classes)
		return cli_usage_error(c->name, "--classes FILE is required");
	return 0;
}

/* creates the project: the table gives init no CLI_PROJECT */
static int run(struct cli_ctx *c)
{
	struct mlfy_init_result r;
	struct mlfy_err err;

	mlfy_err_clear(&err);
	if (mlfy_ingest_init(c->argv[0], &o, &r, &err))
		return cli_report(c->name, &err);
	{
		char *shown = mlfy_store_redacted(c->argv[0]);   /* a URI's password as *** */
		printf("%s: created with %zu classes (%s list", shown ? shown : "project", r.n_classes,
		       mlfy_class_format_name(r.format));
		free(shown);
	}
	if (r.n_wordnet)
		printf("; %zu described by WordNet 3.0", r.n_wordnet);
	if (o.synonyms)
		printf("; %zu synonym lists from %s", r.n_synonyms, o.synonyms);
	if (o.names)
		printf("; %zu names from %s", r.n_names, o.names);
	printf(")\n");
	return 0;
}

const struct cli_builtin cmd_init = {
	.summary = "create a project from a class list",
	.usage = usage, .options = options, .check = check, .run = run,
};
