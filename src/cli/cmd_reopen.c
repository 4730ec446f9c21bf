/* cmd_reopen.c - `mlfy reopen PROJECT IMAGE... [--reason TEXT]`: remove the
 * decision on images analyze has taken, so their annotators may change
 * their stage-ii sets again; audited (review/reopen.h). */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "review/reopen.h"

static const char usage[] =
	"usage: mlfy reopen PROJECT IMAGE... [--reason TEXT] [--by NAME]\n"
	"\n"
	"Once 'mlfy analyze' has decided an image (its annotators agreed) or sent\n"
	"it to refinement, its stage-ii sets are closed: the decision rests on\n"
	"them, and 'mlfy serve' refuses further stage-ii saves of the image (409,\n"
	"\"image N is closed\").  This command reopens the named images (by name,\n"
	"or #N with the id those messages and the pages give): their\n"
	"decision (final labels, of any stage), their refinement-queue row and\n"
	"the record of the annotation versions the decision was based on are\n"
	"removed, in one transaction for all of them.  The annotators can then\n"
	"save again, and the next 'mlfy analyze' decides the images anew.  Saved\n"
	"annotations (stages ii and iv) are never removed.\n"
	"\n"
	"Every reopening is recorded (table reopenings): who, when, why, and what\n"
	"was removed (stage, labels, queue reason, the annotation versions).\n"
	"\n"
	"Options:\n"
	"  -r, --reason TEXT   why (recorded with the reopening)\n"
	"  -b, --by NAME       who reopens (default: the login name of this account)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Example:\n"
	"  mlfy reopen val.mlfy ILSVRC2012_val_00000123.JPEG --reason \"ann2 ticked the wrong tab\"\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (an unknown image, or one that is\n"
	"not decided nor queued: nothing is reopened), 2 on a bad command line.\n";

static struct {
	const char *reason, *by;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('r', "reason", &o.reason),
	CLI_OPT_STRING('b', "by", &o.by),
	CLI_OPT_END(),
};

static int check(struct cli_ctx *c)
{
	if (c->argc < 1)
		return cli_usage_error(c->name, "expected a PROJECT argument");
	if (c->argc < 2)
		return cli_usage_error(c->name, "expected at least one IMAGE to reopen");
	return 0;
}

/* The login name of this process's account ("?" when unknown). */
static const char *login_name(void)
{
	const struct passwd *pw = getpwuid(geteuid());
	const char *u = getenv("USER");
	if (pw && pw->pw_name && pw->pw_name[0])
		return pw->pw_name;
	return u && u[0] ? u : "?";
}

static int run(struct cli_ctx *c)
{
	struct mlfy_reopening *r = NULL;
	struct mlfy_err err;
	size_t n = 0, i;

	mlfy_err_clear(&err);
	if (mlfy_reopen_images(c->store, (const char *const *)c->argv + 1, (size_t)c->argc - 1,
			       o.by ? o.by : login_name(), o.reason, &r, &n, &err))
		return cli_report(c->name, &err);
	for (i = 0; i < n; i++) {
		printf("%s: reopened (was %s", c->argv[i + 1], r[i].stage);
		if (r[i].decided_at)
			printf(" {%s}", r[i].labels);
		if (r[i].queue_reason)
			printf(", queued %s", r[i].queue_reason);
		printf("; based on annotations [%s])\n", r[i].basis);
	}
	printf("%s: %zu images reopened; run 'mlfy analyze' once they are annotated again\n", c->project, n);
	mlfy_reopenings_free(r, n);
	return 0;
}

const struct cli_builtin cmd_reopen = {
	.summary = "reopen decided images for stage-ii annotation (audited)",
	.usage = usage, .options = options, .check = check, .run = run,
};
