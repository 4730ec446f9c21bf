/* cmd_assign.c - `mlfy assign PROJECT --per-image K`: give every batch of
 * the project to K annotators (stage ii), balanced, extending earlier runs. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/assign.h"

const char cmd_assign_summary[] = "give every image batch to K annotators (stage ii), balanced";

static const char usage[] =
	"usage: mlfy assign PROJECT [--per-image K] [--annotators NAME,NAME,...]\n"
	"\n"
	"Gives every batch of PROJECT's images to K annotators (default 2; the paper\n"
	"used 7 batches x 2 annotators).  Each missing slot goes to the candidate\n"
	"with the fewest assigned images, never twice to the same batch, so loads\n"
	"stay within one batch of each other.  Candidates are the named accounts, or\n"
	"every enabled account with role annotator.\n"
	"\n"
	"Re-running is safe: existing assignments are never removed or moved (no\n"
	"finished work changes hands).  After adding images in new batches, or new\n"
	"annotators, a re-run only fills what is missing.  Images added to an\n"
	"existing batch go to that batch's annotators.\n"
	"\n"
	"Prints the load of each candidate.  Exit status 1 when a batch could not get\n"
	"K annotators.\n"
	"\n"
	"Options:\n"
	"  -k, --per-image K            annotators per batch (default 2)\n"
	"  -a, --annotators LIST        comma-separated account names to draw from\n"
	"  -h, --help                   show this help\n"
	"\n"
	"Example:\n"
	"  mlfy assign proj.mlfy --per-image 2 --annotators alice,bob,carol\n";

int cmd_assign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "per-image", required_argument, NULL, 'k' },
		{ "annotators", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_assign_report rep;
	struct mlfy_store *s;
	struct mlfy_err err;
	char *list = NULL, *tok, *save = NULL;
	const char **names = NULL;
	size_t n = 0, i;
	long k = 2;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if ((k = cli_parse_long("assign", "--per-image", optarg, 1, 1000)) < 0) {
				free(list);
				return MLFY_EXIT_USAGE;
			}
			break;
		case 'a':
			free(list);
			if (!(list = strdup(optarg)))
				return cli_error("assign", "out of memory");
			break;
		case 'h':
			fputs(usage, stdout);
			free(list);
			return 0;
		default:
			free(list);
			return cli_usage_error("assign", "unknown option");
		}
	}
	if (argc - optind != 1) {
		free(list);
		return cli_usage_error("assign", "expected one PROJECT argument");
	}
	if (list) {
		names = calloc(strlen(list) / 2 + 1, sizeof(*names));
		if (!names) {
			free(list);
			return cli_error("assign", "out of memory");
		}
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (*tok)
				names[n++] = tok;
		if (!n) {
			free(names);
			free(list);
			return cli_usage_error("assign", "--annotators: no names given");
		}
	}
	if (!(s = cli_open_project("assign", argv[optind], 0))) {
		free(names);
		free(list);
		return MLFY_EXIT_FAIL;
	}
	mlfy_err_clear(&err);
	if (mlfy_assign_batches(s, (int)k, names, n, &rep, &err)) {
		rc = cli_report("assign", &err);
	} else {
		printf("%d batches, %d new assignments, %d/%d batches with %ld annotators\n", rep.n_batches,
		       rep.added, rep.complete, rep.n_batches, k);
		printf("%-24s %8s %8s %6s\n", "ANNOTATOR", "BATCHES", "IMAGES", "NEW");
		for (i = 0; i < rep.n_load; i++)
			printf("%-24s %8d %8lld %6d\n", rep.load[i].annotator, rep.load[i].batches,
			       (long long)rep.load[i].images, rep.load[i].added);
		if (rep.complete < rep.n_batches)
			rc = cli_error("assign", "%d batches have fewer than %ld annotators",
				       rep.n_batches - rep.complete, k);
		mlfy_assign_report_release(&rep);
	}
	mlfy_store_close(s);
	free(names);
	free(list);
	return rc;
}
