/* options.c - the option-table parser every command shares (see cli.h):
 * one table per command instead of a getopt loop per command. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/duration.h"
#include "util/vec.h"

static int takes_arg(const struct cli_option *o)
{
	return o->kind == CLI_OPT_CALLBACK ? o->has_arg : o->kind != CLI_OPT_FLAG;
}

/* Writes "--name" into buf. */
static const char *dashed(const struct cli_option *o, char *buf, size_t n)
{
	snprintf(buf, n, "--%s", o->long_name);
	return buf;
}

/* "--layout: 'x' is not auto, imagefolder, flat or csv" */
static int bad_choice(const char *cmd, const struct cli_option *o, const char *arg)
{
	char list[256] = "", opt[80];
	size_t i, n = 0, len = 0;

	while (o->choices[n])
		n++;
	for (i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i == 0 ? "" : i + 1 == n ? " or " : ", ", o->choices[i]);
	return cli_usage_error(cmd, "%s: '%s' is not %s", dashed(o, opt, sizeof(opt)), arg, list);
}

/* Stores arg as o says; 0 or an exit status after printing. */
static int apply(const char *cmd, const struct cli_option *o, const char *arg)
{
	char opt[80];
	long v;
	int i;

	switch (o->kind) {
	case CLI_OPT_FLAG:
		*(int *)o->value = (int)o->max;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case CLI_OPT_INT:
	case CLI_OPT_LONG:
		if ((v = cli_parse_long(cmd, dashed(o, opt, sizeof(opt)), arg, o->min, o->max)) < 0)
			return MLFY_EXIT_USAGE;
		if (o->kind == CLI_OPT_INT)
			*(int *)o->value = (int)v;
		else
			*(long *)o->value = v;
		return 0;
	case CLI_OPT_SEED: {
		unsigned long long seed;
		if (cli_parse_seed(cmd, dashed(o, opt, sizeof(opt)), arg, &seed))
			return MLFY_EXIT_USAGE;
		*(uint64_t *)o->value = seed;
		return 0;
	}
	case CLI_OPT_CHOICE:
		for (i = 0; o->choices[i]; i++)
			if (!strcmp(arg, o->choices[i])) {
				*(int *)o->value = i;
				return 0;
			}
		return bad_choice(cmd, o, arg);
	case CLI_OPT_CALLBACK:
		return o->cb(o, arg, cmd);
	case CLI_OPT_END:
		break;
	}
	return cli_usage_error(cmd, "unknown option");
}

/* The usage error for what getopt_long refused ('?'): an option that needs
 * a value and got none, or one that does not exist; either way named. */
static int bad_option(const char *cmd, const struct cli_option *opts, size_t n, int argc, char **argv)
{
	const char *arg = optind >= 1 && optind <= argc ? argv[optind - 1] : "?";
	size_t i, len;
	if (!strncmp(arg, "--", 2)) {
		len = strcspn(arg + 2, "=");
		for (i = 0; i < n; i++)
			if (strlen(opts[i].long_name) == len && !strncmp(opts[i].long_name, arg + 2, len))
				return cli_usage_error(cmd, "option '--%s' needs a value", opts[i].long_name);
		return cli_usage_error(cmd, "unknown option '%s'", arg);
	}
	for (i = 0; optopt && i < n; i++)
		if (opts[i].short_name == optopt)
			return cli_usage_error(cmd, "option '-%c' needs a value", optopt);
	if (optopt > 0 && optopt < 128)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_parse_options(const char *cmd, const struct cli_option *opts, int argc, char **argv,
		      int *first)
{
	struct option *lo;
	char *shorts, *p;
	size_t n = 0, i;
	int c, rc = 0;

	while (opts && opts[n].kind != CLI_OPT_END)
		n++;
	lo = calloc(n + 2, sizeof(*lo));
	shorts = malloc(2 * n + 2);
	if (!lo || !shorts) {
		MLFY_FREE_ALL(lo, shorts);
		return cli_error(cmd, "out of memory");
	}
	/* getopt_long's tables: options without a short name get 256 + index */
	p = shorts;
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].long_name;
		lo[i].has_arg = takes_arg(&opts[i]) ? required_argument : no_argument;
		lo[i].val = opts[i].short_name ? opts[i].short_name : 256 + (int)i;
		if (opts[i].short_name) {
			*p++ = (char)opts[i].short_name;
			if (takes_arg(&opts[i]))
				*p++ = ':';
		}
	}
	lo[n].name = "help";
	lo[n].has_arg = no_argument;
	lo[n].val = 'h';
	*p++ = 'h';
	*p = '\0';

	optind = 1;
	opterr = 0;   /* one message, ours, naming the option (QA: getopt's line and then ours) */
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct cli_option *o = NULL;
		if (c == 'h') {
			rc = -1;
			break;
		}
		if (c >= 256 && (size_t)(c - 256) < n)
			o = &opts[c - 256];
		for (i = 0; !o && c != '?' && i < n; i++)
			if (opts[i].short_name == c)
				o = &opts[i];
		if (c == '?') {
			rc = bad_option(cmd, opts, n, argc, argv);
			break;
		}
		if ((rc = o ? apply(cmd, o, optarg) : cli_usage_error(cmd, "unknown option")))
			break;
	}
	*first = optind;
	MLFY_FREE_ALL(lo, shorts);
	return rc;
}

int cli_opt_positive_double(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *end;
	double v = strtod(arg, &end);
	if (*end || end == arg || !(v > 0))
		return cli_usage_error(cmd, "--%s: '%s' is not a positive number", opt->long_name, arg);
	*(double *)opt->value = v;
	return 0;
}

int cli_opt_share(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *end;
	double v = strtod(arg, &end);
	if (*end || end == arg || !(v >= 0 && v <= 1))
		return cli_usage_error(cmd, "--%s: '%s' is not a number in [0, 1]", opt->long_name, arg);
	*(double *)opt->value = v + 0.0;   /* -0 is 0 */
	return 0;
}

int cli_opt_duration(const struct cli_option *opt, const char *arg, const char *cmd)
{
	struct mlfy_err err;
	mlfy_err_clear(&err);
	if (mlfy_duration_parse(arg, (int64_t *)opt->value, &err))
		return cli_usage_error(cmd, "--%s: %s", opt->long_name, err.msg);
	return 0;
}
