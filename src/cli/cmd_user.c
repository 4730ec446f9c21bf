/* cmd_user.c - `mlfy user add|list|disable|enable|passwd`: manage the
 * accounts of annotators, experts and admins of a project. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "cli/cli.h"
#include "store/accounts_tx.h"

static const char usage[] =
	"usage: mlfy user add PROJECT NAME --role ROLE [--password-file FILE | --no-password]\n"
	"       mlfy user list PROJECT\n"
	"       mlfy user disable PROJECT NAME\n"
	"       mlfy user enable PROJECT NAME\n"
	"       mlfy user passwd PROJECT NAME [--password-file FILE]\n"
	"\n"
	"Manages the accounts that log in to 'mlfy serve'.  ROLE is one of\n"
	"  annotator   labels the images of the batches assigned to them ('mlfy assign')\n"
	"  expert      refines the images of the refinement queue given to them\n"
	"  admin       sees the dashboard (progress per batch and annotator)\n"
	"\n"
	"NAME is 1 to 64 letters, digits, '.', '_' or '-'.  Passwords (at least 8\n"
	"characters) are read from the terminal with echo off, asked twice, or from\n"
	"the first line of FILE ('-' = standard input) for scripts.  Only an\n"
	"argon2id hash (libsodium) is stored.\n"
	"\n"
	"  add       create an account; --no-password creates one that cannot log in\n"
	"            until 'mlfy user passwd'\n"
	"  list      print name, role, state and creation time of every account\n"
	"  disable   stop an account from logging in and end its open sessions;\n"
	"            its annotations are kept\n"
	"  enable    allow a disabled account to log in again\n"
	"  passwd    set a new password and end the account's open sessions\n"
	"\n"
	"Options:\n"
	"  -r, --role ROLE            role of the new account (add)\n"
	"  -p, --password-file FILE   read the password from FILE's first line\n"
	"      --no-password          create the account without a password (add)\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy user add proj.mlfy alice --role annotator\n"
	"  printf 'secret-pass\\n' | mlfy user add proj.mlfy bob --role expert --password-file -\n"
	"  mlfy user list proj.mlfy\n";

/* Reads one line (without its newline) into buf; 0 or -1 with errno. */
static int read_line(FILE *f, char *buf, size_t n)
{
	size_t len;
	if (!fgets(buf, (int)n, f)) {
		if (!ferror(f))
			errno = ENODATA;
		return -1;
	}
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == n - 1) {
		errno = E2BIG;
		return -1;
	}
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 0;
}

static int password_from_file(const char *path, char *buf, size_t n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int rc;
	if (!f)
		return cli_error("user", "%s: %s", path, strerror(errno));
	rc = read_line(f, buf, n);
	if (rc)
		rc = cli_error("user", "%s: cannot read a password line: %s", path,
			       errno == E2BIG ? "line too long" : errno == ENODATA ? "empty file" : strerror(errno));
	if (f != stdin)
		fclose(f);
	return rc ? MLFY_EXIT_FAIL : 0;
}

static int prompt(FILE *tty, const char *msg, char *buf, size_t n)
{
	struct termios old, noecho;
	int fd = fileno(tty), rc;
	fputs(msg, tty);
	fflush(tty);
	if (tcgetattr(fd, &old) != 0)
		return -1;
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
		return -1;
	rc = read_line(tty, buf, n);
	tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

static int password_from_terminal(char *buf, size_t n)
{
	char again[MLFY_PASSWORD_MAX + 2];
	FILE *tty = fopen("/dev/tty", "r+");
	int rc = 0;
	if (!tty)
		return cli_error("user", "no terminal to read the password from; use --password-file FILE");
	if (prompt(tty, "Password: ", buf, n) || prompt(tty, "Password again: ", again, sizeof(again)))
		rc = cli_error("user", "cannot read the password from the terminal");
	else if (strcmp(buf, again) != 0)
		rc = cli_error("user", "the passwords differ");
	memset(again, 0, sizeof(again));
	fclose(tty);
	return rc;
}

static int get_password(const char *file, char *buf, size_t n)
{
	return file ? password_from_file(file, buf, n) : password_from_terminal(buf, n);
}

enum action { LIST, ADD, DISABLE, ENABLE, PASSWD };

static struct {
	const char *role_s, *pwfile, *name;
	int no_pw;
	enum action action;
	enum mlfy_role role;
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('r', "role", &o.role_s),
	CLI_OPT_STRING('p', "password-file", &o.pwfile),
	CLI_OPT_FLAG(0, "no-password", &o.no_pw),
	CLI_OPT_END(),
};

/* ACTION PROJECT [NAME]: the project is the second operand */
static int check(struct cli_ctx *c)
{
	static const char *const actions[] = { "list", "add", "disable", "enable", "passwd" };
	struct mlfy_err err;
	size_t i;

	if (c->argc < 2)
		return cli_usage_error(c->name, "expected an action (add, list, disable, enable, passwd) and PROJECT");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]) && strcmp(c->argv[0], actions[i]); i++)
		;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return cli_usage_error(c->name, "unknown action '%s'", c->argv[0]);
	o.action = (enum action)i;
	if (o.action == LIST && c->argc != 2)
		return cli_usage_error(c->name, "list takes only PROJECT");
	if (o.action != LIST && c->argc != 3)
		return cli_usage_error(c->name, "%s takes PROJECT and NAME", c->argv[0]);
	o.name = c->argv[2];
	mlfy_err_clear(&err);
	if (o.action == ADD) {
		if (!o.role_s)
			return cli_usage_error(c->name, "add needs --role annotator|expert|admin");
		if (mlfy_role_parse(o.role_s, &o.role, &err) || mlfy_user_name_check(o.name, &err))
			return cli_usage_error(c->name, "%s", err.msg);
		if (o.no_pw && o.pwfile)
			return cli_usage_error(c->name, "--no-password and --password-file exclude each other");
	} else if (o.role_s || o.no_pw || (o.pwfile && o.action != PASSWD)) {
		return cli_usage_error(c->name, "option not valid for '%s'", c->argv[0]);
	}
	c->project = c->argv[1];
	c->readonly = o.action == LIST;
	return 0;
}

static int do_list(struct cli_ctx *c)
{
	struct mlfy_user *u = NULL;
	struct mlfy_err err;
	size_t n = 0, i;

	mlfy_err_clear(&err);
	if (mlfy_users_list(c->store, &u, &n, &err))
		return cli_report(c->name, &err);
	printf("%-24s %-10s %-10s %s\n", "NAME", "ROLE", "STATE", "CREATED");
	for (i = 0; i < n; i++)
		printf("%-24s %-10s %-10s %s\n", u[i].name, mlfy_role_name(u[i].role),
		       u[i].disabled ? "disabled" : u[i].has_password ? "active" : "no-password", u[i].created_at);
	mlfy_users_free(u, n);
	return 0;
}

static int run(struct cli_ctx *c)
{
	char pw[MLFY_PASSWORD_MAX + 2] = "";
	struct mlfy_err err;
	int rc;

	if (o.action == LIST)
		return do_list(c);
	mlfy_err_clear(&err);
	if (o.action == PASSWD) {   /* an unknown name is told before the password is asked */
		struct mlfy_user u;
		if (mlfy_users_get(c->store, o.name, &u, &err))
			return cli_report(c->name, &err);
		mlfy_user_release(&u);
	}
	if ((o.action == ADD || o.action == PASSWD) && !o.no_pw && (rc = get_password(o.pwfile, pw, sizeof(pw))))
		return rc;
	if (o.action == ADD)
		rc = mlfy_users_add_tx(c->store, o.name, o.role, o.no_pw ? NULL : pw, &err);
	else if (o.action == PASSWD)
		rc = mlfy_users_set_password_tx(c->store, o.name, pw, &err);
	else
		rc = mlfy_users_set_disabled_tx(c->store, o.name, o.action == DISABLE, &err);
	memset(pw, 0, sizeof(pw));
	if (rc)
		return cli_report(c->name, &err);
	if (o.action == ADD)
		printf("added %s '%s'%s\n", mlfy_role_name(o.role), o.name, o.no_pw ? " (no password yet)" : "");
	else if (o.action == PASSWD)
		printf("password of '%s' changed; its sessions were ended\n", o.name);
	else
		printf("%s '%s'\n", o.action == DISABLE ? "disabled" : "enabled", o.name);
	return 0;
}

const struct cli_builtin cmd_user = {
	.summary = "add, list, disable or re-password annotator/expert/admin accounts",
	.usage = usage, .options = options, .check = check, .run = run,
};
