/* cmd_init.c - `mlfy init PROJECT --classes FILE`: create a project with its
 * class list (src/ingest/classes.h does the work). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ingest/classes.h"

const char cmd_init_summary[] = "create a project from a class list";

static const char usage[] =
	"usage: mlfy init PROJECT --classes FILE [--names JSON] [--synonyms JSON]\n"
	"                 [--name NAME]\n"
	"\n"
	"Creates the project file PROJECT (conventionally NAME.mlfy; it must not\n"
	"exist) holding the classes listed in FILE.  The index of a class is the\n"
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
	"                       file name without .mlfy)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Example:\n"
	"  mlfy init val.mlfy --classes label_indices_to_wordnet_ids.json \\\n"
	"      --synonyms label_indices_to_full_synonyms.json\n"
	"\n"
	"Exit status: 0 on success, 1 when the project could not be created,\n"
	"2 on a bad command line.\n";

int cmd_init(int argc, char **argv)
{
	enum { OPT_NAMES = 256, OPT_SYNONYMS, OPT_NAME };
	static const struct option opts[] = {
		{ "classes", required_argument, NULL, 'c' },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "synonyms", required_argument, NULL, OPT_SYNONYMS },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_init_opts o;
	struct mlfy_init_result r;
	struct mlfy_err err;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.classes = optarg; break;
		case OPT_NAMES: o.names = optarg; break;
		case OPT_SYNONYMS: o.synonyms = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("init", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("init", "expected one PROJECT argument");
	if (!o.classes)
		return cli_usage_error("init", "--classes FILE is required");
	mlfy_err_clear(&err);
	if (mlfy_ingest_init(argv[optind], &o, &r, &err))
		return cli_report("init", &err);
	printf("%s: created with %zu classes (%s list", argv[optind], r.n_classes,
	       mlfy_class_format_name(r.format));
	if (r.n_wordnet)
		printf("; %zu described by WordNet 3.0", r.n_wordnet);
	if (o.synonyms)
		printf("; %zu synonym lists from %s", r.n_synonyms, o.synonyms);
	if (o.names)
		printf("; %zu names from %s", r.n_names, o.names);
	printf(")\n");
	return 0;
}
