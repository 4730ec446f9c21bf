/* cmd_assign_refinement.c - `mlfy assign-refinement PROJECT --experts a,b`:
 * split the refinement queue evenly among experts (store/review.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/review_cli.h"
#include "store/queue.h"

const char cmd_assign_refinement_summary[] = "split the refinement queue evenly among experts";

static const char usage[] =
	"usage: mlfy assign-refinement PROJECT --experts NAME[,NAME...]\n"
	"\n"
	"Gives every image of the refinement queue (filled by 'mlfy analyze') that\n"
	"has no expert yet to one of the named experts: in image-name order, each\n"
	"image goes to the expert with the fewest queued images so far (ties: the\n"
	"order given), so the split is even (the Multilabelfy paper used 5\n"
	"experts).  Images already assigned are never moved, so running again\n"
	"after the queue grew only hands out the new images.  Experts are accounts\n"
	"with role expert or admin ('mlfy user add NAME --role expert').\n"
	"\n"
	"Experts then refine their images in the web page ('mlfy serve'); their\n"
	"refined sets become the final labels ('mlfy finalize').\n"
	"\n"
	"Options:\n"
	"  -e, --experts LIST   comma-separated account names (required)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign-refinement val.mlfy --experts alice,bob,carol,dan,eve\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (nothing is assigned), 2 on a bad\n"
	"command line.\n";

int cmd_assign_refinement(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "experts", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_expert_load *load = NULL;
	struct mlfy_store *s;
	struct mlfy_err err;
	const char *list = NULL;
	char *copy, *tok, *save = NULL, **names;
	size_t n = 0, n_load = 0, i;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': list = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("assign-refinement", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("assign-refinement", "expected one PROJECT argument");
	if (!list || !*list)
		return cli_usage_error("assign-refinement", "--experts NAME[,NAME...] is required");
	if (!(copy = strdup(list)) || !(names = calloc(strlen(list) + 1, sizeof(*names)))) {
		free(copy);
		return cli_error("assign-refinement", "out of memory");
	}
	/* every comma separates two names: an empty one ("a,,b", "a,") is a typo,
	 * not something to skip */
	for (tok = copy; tok; tok = save) {
		if ((save = strchr(tok, ',')))
			*save++ = '\0';
		if (!*tok) {
			free(copy);
			free(names);
			return cli_usage_error("assign-refinement", "--experts '%s': empty name at position %zu",
					       list, n + 1);
		}
		names[n++] = tok;
	}
	if (!(s = cli_open_project("assign-refinement", argv[optind], 0))) {
		free(copy);
		free(names);
		return MLFY_EXIT_FAIL;
	}
	mlfy_err_clear(&err);
	if (mlfy_store_begin(s, &err) ||
	    mlfy_review_queue_assign(s, (const char *const *)names, n, &load, &n_load, &err) ||
	    mlfy_store_commit(s, &err)) {
		mlfy_store_rollback(s);
		mlfy_store_close(s);
		free(copy);
		free(names);
		return cli_report("assign-refinement", &err);
	}
	{
		int64_t added = 0, total = 0;
		char a[32], b[32];
		for (i = 0; i < n_load; i++) {
			added += load[i].added;
			total += load[i].assigned;
		}
		printf("%s: assigned %s images (%s assigned to these experts in all)\n", argv[optind],
		       rcli_thousands(added, a), rcli_thousands(total, b));
		printf("  %-24s %10s %10s %10s\n", "expert", "assigned", "new", "refined");
		for (i = 0; i < n_load; i++)
			printf("  %-24s %10lld %10lld %10lld\n", load[i].name, (long long)load[i].assigned,
			       (long long)load[i].added, (long long)load[i].refined);
	}
	mlfy_expert_loads_free(load, n_load);
	mlfy_store_close(s);
	free(copy);
	free(names);
	return 0;
}
