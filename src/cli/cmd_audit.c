/* cmd_audit.c - `mlfy audit PROJECT`: prints the project's audit log (who
 * did what, from the console or the shell, with which parameters and
 * outcome), newest first, as a table or JSON.  Read-only. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/json_text.h"
#include "store/audit.h"

static const char usage[] =
	"usage: mlfy audit PROJECT [--json] [--limit N] [--before ID] [--action ACTION]\n"
	"\n"
	"Prints the audit log of the project, newest first: every change made from\n"
	"the coordinator's console (via console) and every shell command that\n"
	"changed the project (via cli), with its id, time (UTC), actor (an admin's\n"
	"account, or shell:LOGIN), action, whether it succeeded, its parameters\n"
	"(JSON) and its result.  The log is append-only.  Read-only.\n"
	"\n"
	"Options:\n"
	"      --json            a JSON array of rows instead of the table\n"
	"  -n, --limit N         at most N rows (default 50)\n"
	"      --before ID       only rows older than row ID (the next page: the\n"
	"                        last ID shown)\n"
	"      --action ACTION   only this action (e.g. 'user invite', assign), or\n"
	"                        with a final '.' every action it starts (user.)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy audit proj.mlfy\n"
	"  mlfy audit proj.mlfy --action user. --json\n"
	"  mlfy audit proj.mlfy --limit 20 --before 120\n";

static struct {
	int json;
	long limit, before;
	const char *action;
} o = { 0, 50, 0, NULL };

static const struct cli_option options[] = {
	CLI_OPT_FLAG(0, "json", &o.json),
	CLI_OPT_LONG('n', "limit", &o.limit, 1, 100000),
	CLI_OPT_LONG(0, "before", &o.before, 1, LONG_MAX),
	CLI_OPT_STRING(0, "action", &o.action),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, c->argc ? "expected only PROJECT" : "expected PROJECT");
	if (o.action && !*o.action)
		return cli_usage_error(c->name, "--action: empty");
	return 0;
}

static int print_json(struct cli_ctx *c, const struct mlfy_audit_entry *e, size_t n)
{
	json_t *arr = json_array(), *params;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		/* params is a JSON object (the store checks it); kept as text if not */
		if (!(params = json_loads(e[i].params, 0, NULL)))
			params = mlfy_json_text(e[i].params);
		if (json_array_append_new(arr, json_pack("{sIsosososos bsoso}", "id", (json_int_t)e[i].id,
							 "at", mlfy_json_text(e[i].at), "actor", mlfy_json_text(e[i].actor),
							 "via", mlfy_json_text(e[i].via), "action", mlfy_json_text(e[i].action),
							 "ok", e[i].ok, "params", params, "result", mlfy_json_text(e[i].result)))) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return cli_print_json(c->name, arr, 0);
}

/* One cell: s (terminal-safe) padded to width, then a space. */
static void cell(const char *s, int width)
{
	int len = (int)strlen(s);
	cli_fputs_safe(s, stdout);
	printf("%*s", len < width ? width - len + 1 : 1, "");
}

static void print_table(const struct mlfy_audit_entry *e, size_t n)
{
	char id[24];
	size_t i;

	printf("%-6s %-20s %-20s %-7s %-20s %-3s %s  %s\n", "ID", "TIME", "ACTOR", "VIA", "ACTION", "OK", "PARAMS",
	       "RESULT");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)e[i].id);
		cell(id, 6);
		cell(e[i].at, 20);
		cell(e[i].actor, 20);
		cell(e[i].via, 7);
		cell(e[i].action, 20);
		cell(e[i].ok ? "yes" : "no", 3);
		cli_fputs_safe(e[i].params, stdout);
		fputs("  ", stdout);
		cli_fputs_safe(*e[i].result ? e[i].result : "-", stdout);
		fputc('\n', stdout);
	}
}

static int run(struct cli_ctx *c)
{
	struct mlfy_audit_entry *e = NULL;
	struct mlfy_err err;
	size_t n = 0;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_audit_list(c->store, o.before, (size_t)o.limit, o.action, &e, &n, &err))
		return cli_report(c->name, &err);
	if (o.json) {
		rc = print_json(c, e, n);
	} else {
		print_table(e, n);
		if (n == (size_t)o.limit && n > 0)
			fprintf(stderr, "mlfy audit: %zu rows shown; older ones: --before %lld\n", n,
				(long long)e[n - 1].id);
	}
	mlfy_audit_entries_free(e, n);
	return rc;
}

const struct cli_builtin cmd_audit = {
	.summary = "print the audit log: who changed what, from the console or the shell",
	.usage = usage, .options = options, .check = check, .run = run,
};
