/* cmd_user.c - `mlfy user add|list|disable|enable|passwd`: manage the
 * accounts of annotators, experts and admins of a project. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/accounts.h"

const char cmd_user_summary[] = "add, list, disable or re-password annotator/expert/admin accounts";

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

static int do_list(struct mlfy_store *s)
{
	struct mlfy_user *u = NULL;
	struct mlfy_err err;
	size_t n = 0, i;

	mlfy_err_clear(&err);
	if (mlfy_users_list(s, &u, &n, &err))
		return cli_report("user", &err);
	printf("%-24s %-10s %-10s %s\n", "NAME", "ROLE", "STATE", "CREATED");
	for (i = 0; i < n; i++)
		printf("%-24s %-10s %-10s %s\n", u[i].name, mlfy_role_name(u[i].role),
		       u[i].disabled ? "disabled" : u[i].has_password ? "active" : "no-password", u[i].created_at);
	mlfy_users_free(u, n);
	return 0;
}

/* Runs one write in a transaction; reports the error. */
static int write_tx(struct mlfy_store *s, int rc, struct mlfy_err *err)
{
	if (rc) {
		mlfy_store_rollback(s);
		return cli_report("user", err);
	}
	if (mlfy_store_commit(s, err))
		return cli_report("user", err);
	return 0;
}

int cmd_user(int argc, char **argv)
{
	enum { OPT_NO_PASSWORD = 256 };
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "no-password", no_argument, NULL, OPT_NO_PASSWORD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role_s = NULL, *pwfile = NULL, *action, *name = NULL;
	char pw[MLFY_PASSWORD_MAX + 2];
	struct mlfy_store *s;
	struct mlfy_err err;
	enum mlfy_role role = MLFY_ROLE_ANNOTATOR;
	int c, no_pw = 0, rc, nargs;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role_s = optarg; break;
		case 'p': pwfile = optarg; break;
		case OPT_NO_PASSWORD: no_pw = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("user", "unknown option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("user", "expected an action (add, list, disable, enable, passwd) and PROJECT");
	action = argv[optind];
	nargs = argc - optind - 2;
	if (!strcmp(action, "list")) {
		if (nargs != 0)
			return cli_usage_error("user", "list takes only PROJECT");
	} else if (!strcmp(action, "add") || !strcmp(action, "disable") || !strcmp(action, "enable") ||
		   !strcmp(action, "passwd")) {
		if (nargs != 1)
			return cli_usage_error("user", "%s takes PROJECT and NAME", action);
		name = argv[optind + 2];
	} else {
		return cli_usage_error("user", "unknown action '%s'", action);
	}
	mlfy_err_clear(&err);
	if (!strcmp(action, "add")) {
		if (!role_s)
			return cli_usage_error("user", "add needs --role annotator|expert|admin");
		if (mlfy_role_parse(role_s, &role, &err))
			return cli_usage_error("user", "%s", err.msg);
		if (mlfy_user_name_check(name, &err))
			return cli_usage_error("user", "%s", err.msg);
		if (no_pw && pwfile)
			return cli_usage_error("user", "--no-password and --password-file exclude each other");
	} else if (role_s || no_pw || (pwfile && strcmp(action, "passwd"))) {
		return cli_usage_error("user", "option not valid for '%s'", action);
	}

	if (!(s = cli_open_project("user", argv[optind + 1], strcmp(action, "list") ? 0 : MLFY_STORE_READONLY)))
		return MLFY_EXIT_FAIL;
	if (!strcmp(action, "list")) {
		rc = do_list(s);
		mlfy_store_close(s);
		return rc;
	}
	if (!strcmp(action, "add") || !strcmp(action, "passwd")) {
		struct mlfy_user u;
		if (!strcmp(action, "passwd") && mlfy_users_get(s, name, &u, &err)) {
			mlfy_store_close(s);
			return cli_report("user", &err);
		}
		if (!strcmp(action, "passwd"))
			mlfy_user_release(&u);
		if (!no_pw && (rc = get_password(pwfile, pw, sizeof(pw)))) {
			mlfy_store_close(s);
			return rc;
		}
	}
	if ((rc = mlfy_store_begin(s, &err))) {
		mlfy_store_close(s);
		return cli_report("user", &err);
	}
	if (!strcmp(action, "add"))
		rc = write_tx(s, mlfy_users_add(s, name, role, no_pw ? NULL : pw, NULL, &err), &err);
	else if (!strcmp(action, "passwd"))
		rc = write_tx(s, mlfy_users_set_password(s, name, pw, &err), &err);
	else
		rc = write_tx(s, mlfy_users_set_disabled(s, name, !strcmp(action, "disable"), &err), &err);
	memset(pw, 0, sizeof(pw));
	mlfy_store_close(s);
	if (rc)
		return rc;
	if (!strcmp(action, "add"))
		printf("added %s '%s'%s\n", mlfy_role_name(role), name, no_pw ? " (no password yet)" : "");
	else if (!strcmp(action, "passwd"))
		printf("password of '%s' changed; its sessions were ended\n", name);
	else
		printf("%s '%s'\n", !strcmp(action, "disable") ? "disabled" : "enabled", name);
	return 0;
}
