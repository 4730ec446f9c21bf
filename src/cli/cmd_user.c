/* cmd_user.c - `mlfy user add|list|disable|enable|passwd|invite|reset|role`:
 * manage the accounts of annotators, experts and admins of a project, and
 * the one-time links (invitations) that let a person set their password. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>

#include "cli/actor.h"
#include "cli/cli.h"
#include "store/accounts_tx.h"
#include "store/invites.h"
#include "util/duration.h"

#define DEFAULT_URL "http://127.0.0.1:9000"

static const char usage[] =
	"usage: mlfy user add PROJECT NAME --role ROLE [--password-file FILE | --no-password]\n"
	"       mlfy user invite PROJECT NAME --role ROLE [--invite-ttl DURATION] [--url BASE]\n"
	"       mlfy user reset PROJECT NAME [--invite-ttl DURATION] [--url BASE]\n"
	"       mlfy user role PROJECT NAME --role ROLE\n"
	"       mlfy user list PROJECT\n"
	"       mlfy user disable PROJECT NAME\n"
	"       mlfy user enable PROJECT NAME\n"
	"       mlfy user passwd PROJECT NAME [--password-file FILE]\n"
	"\n"
	"Manages the accounts that log in to 'mlfy serve'.  ROLE is one of\n"
	"  annotator   labels the images of the batches assigned to them ('mlfy assign')\n"
	"  expert      refines the images of the refinement queue given to them\n"
	"  admin       runs the coordinator's console (/admin: accounts, assignment,\n"
	"              analysis, refinement, quality, reports; docs/admin.md)\n"
	"\n"
	"NAME is 1 to 64 letters, digits, '.', '_' or '-'.  Passwords (at least 8\n"
	"characters) are read from the terminal with echo off, asked twice, or from\n"
	"the first line of FILE ('-' = standard input) for scripts.  Only an\n"
	"argon2id hash (libsodium) is stored.\n"
	"\n"
	"  add       create an account; --no-password creates one that cannot log in\n"
	"            until 'mlfy user passwd'\n"
	"  invite    create an account without a password and print a one-time link\n"
	"            BASE/invite#TOKEN with which its person sets the password; the\n"
	"            link works once, until it expires (--invite-ttl, default 7d)\n"
	"  reset     remove an account's password, end its sessions, revoke its older\n"
	"            links and print a new link (a forgotten password)\n"
	"  role      change the role of an account\n"
	"  list      print name, role, state, creation time and the state of the\n"
	"            latest link (open until ..., used, expired, revoked, -)\n"
	"  disable   stop an account from logging in and end its open sessions;\n"
	"            its annotations are kept\n"
	"  enable    allow a disabled account to log in again\n"
	"  passwd    set a new password and end the account's open sessions\n"
	"\n"
	"A link carries its token after '#', which browsers never send to a server,\n"
	"so it does not reach an access log; the project keeps only its SHA-256.\n"
	"Hand the link to its person only: whoever holds it sets the password.\n"
	"\n"
	"Options:\n"
	"  -r, --role ROLE            role of the account (add, invite, role)\n"
	"  -p, --password-file FILE   read the password from FILE's first line\n"
	"      --no-password          create the account without a password (add)\n"
	"      --invite-ttl DURATION  how long a link stays valid: 90s, 15m, 12h, 7d or\n"
	"                             seconds, at most 365d (invite, reset; default 7d)\n"
	"      --url BASE             the address the console is served at (invite,\n"
	"                             reset; default " DEFAULT_URL ")\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Examples:\n"
	"  mlfy user add proj.mlfy alice --role annotator\n"
	"  printf 'secret-pass\\n' | mlfy user add proj.mlfy bob --role expert --password-file -\n"
	"  mlfy user invite proj.mlfy carol --role annotator --url https://label.example.org\n"
	"  mlfy user reset proj.mlfy carol --invite-ttl 2d\n"
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

enum action { LIST, ADD, DISABLE, ENABLE, PASSWD, INVITE, RESET, ROLE };

static struct {
	const char *role_s, *pwfile, *name, *ttl_s, *url;
	int no_pw;
	enum action action;
	enum mlfy_role role;
	int64_t ttl;
	int url_len;   /* url without its trailing slashes */
} o;

static const struct cli_option options[] = {
	CLI_OPT_STRING('r', "role", &o.role_s),
	CLI_OPT_STRING('p', "password-file", &o.pwfile),
	CLI_OPT_FLAG(0, "no-password", &o.no_pw),
	CLI_OPT_STRING(0, "invite-ttl", &o.ttl_s),
	CLI_OPT_STRING(0, "url", &o.url),
	CLI_OPT_END(),
};

/* --url: http:// or https:// and a host, no space, control byte, '#' or
 * '?'; its trailing slashes are dropped. */
static int check_url(const char *cmd)
{
	const char *u = o.url ? o.url : DEFAULT_URL, *p, *rest;
	size_t n = strlen(u);

	if (!strncmp(u, "http://", 7))
		rest = u + 7;
	else if (!strncmp(u, "https://", 8))
		rest = u + 8;
	else
		return cli_usage_error(cmd, "--url: '%s' does not start with http:// or https://", u);
	for (p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '#' || *p == '?')
			return cli_usage_error(cmd, "--url: '%s' holds a space, a control character, '#' or '?'", u);
	while (n > (size_t)(rest - u) && u[n - 1] == '/')
		n--;
	if (n == (size_t)(rest - u) || n > 2000)
		return cli_usage_error(cmd, "--url: '%s' has no host (or is longer than 2000 bytes)", u);
	o.url = u;
	o.url_len = (int)n;
	return 0;
}

/* The options of each action. */
static int check_options(struct cli_ctx *c, struct mlfy_err *err)
{
	int takes_role = o.action == ADD || o.action == INVITE || o.action == ROLE;
	int takes_link = o.action == INVITE || o.action == RESET;

	if (takes_role) {
		if (!o.role_s)
			return cli_usage_error(c->name, "%s needs --role annotator|expert|admin", c->argv[0]);
		if (mlfy_role_parse(o.role_s, &o.role, err))
			return cli_usage_error(c->name, "%s", err->msg);
	} else if (o.role_s) {
		return cli_usage_error(c->name, "option --role not valid for '%s'", c->argv[0]);
	}
	if ((o.no_pw && o.action != ADD) || (o.pwfile && o.action != ADD && o.action != PASSWD))
		return cli_usage_error(c->name, "option --%s not valid for '%s'", o.no_pw ? "no-password" : "password-file",
				       c->argv[0]);
	if (o.no_pw && o.pwfile)
		return cli_usage_error(c->name, "--no-password and --password-file exclude each other");
	if (!takes_link && (o.ttl_s || o.url))
		return cli_usage_error(c->name, "option --%s not valid for '%s'", o.ttl_s ? "invite-ttl" : "url",
				       c->argv[0]);
	if (!takes_link)
		return 0;
	o.ttl = MLFY_INVITE_TTL_DEFAULT;
	if (o.ttl_s && mlfy_duration_parse(o.ttl_s, &o.ttl, err))
		return cli_usage_error(c->name, "--invite-ttl: %s", err->msg);
	return check_url(c->name);
}

/* ACTION PROJECT [NAME]: the project is the second operand */
static int check(struct cli_ctx *c)
{
	static const char *const actions[] = { "list", "add", "disable", "enable", "passwd", "invite", "reset", "role" };
	struct mlfy_err err;
	size_t i;
	int rc;

	if (c->argc < 2)
		return cli_usage_error(c->name, "expected an action (add, invite, reset, role, list, disable, enable,"
				       " passwd) and PROJECT");
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
	if ((rc = check_options(c, &err)))
		return rc;
	if ((o.action == ADD || o.action == INVITE) && mlfy_user_name_check(o.name, &err))
		return cli_usage_error(c->name, "%s", err.msg);
	c->project = c->argv[1];
	c->readonly = o.action == LIST;
	return 0;
}

/* t (unix seconds) as "YYYY-MM-DDTHH:MM:SSZ". */
static const char *iso_utc(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

/* The INVITE column of u: 0, or an exit status after printing. */
static int invite_state(struct cli_ctx *c, const struct mlfy_user *u, int64_t now, char *buf, size_t n)
{
	struct mlfy_invite_info inv;
	struct mlfy_err err;
	char when[32];
	int rc;

	mlfy_err_clear(&err);
	rc = mlfy_invite_latest(c->store, u->id, &inv, &err);
	if (rc == MLFY_ENOTFOUND)
		snprintf(buf, n, "-");
	else if (rc)
		return cli_report(c->name, &err);
	else if (inv.used_at)
		snprintf(buf, n, "used");
	else if (inv.revoked_at)
		snprintf(buf, n, "revoked");
	else if (now > inv.expires_at)
		snprintf(buf, n, "expired");
	else
		snprintf(buf, n, "open until %s", iso_utc(inv.expires_at, when));
	return 0;
}

static int do_list(struct cli_ctx *c)
{
	struct mlfy_user *u = NULL;
	struct mlfy_err err;
	char inv[64];
	int64_t now = (int64_t)time(NULL);
	size_t n = 0, i;
	int rc = 0;

	mlfy_err_clear(&err);
	if (mlfy_users_list(c->store, &u, &n, &err))
		return cli_report(c->name, &err);
	printf("%-24s %-10s %-12s %-21s %s\n", "NAME", "ROLE", "STATE", "CREATED", "INVITE");
	for (i = 0; i < n && !rc; i++) {
		if ((rc = invite_state(c, &u[i], now, inv, sizeof(inv))))
			break;
		printf("%-24s %-10s %-12s %-21s %s\n", u[i].name, mlfy_role_name(u[i].role),
		       u[i].disabled ? "disabled" : u[i].has_password ? "active" : "no-password", u[i].created_at, inv);
	}
	mlfy_users_free(u, n);
	return rc;
}

/* invite, reset: one transaction in the library, then the link. */
static int do_link(struct cli_ctx *c)
{
	char token[MLFY_TOKEN_LEN + 1], actor[80], when[32];
	int64_t now = (int64_t)time(NULL);
	struct mlfy_user u;
	struct mlfy_err err;
	int rc, disabled = 0;

	mlfy_err_clear(&err);
	cli_shell_actor(actor, sizeof(actor));
	if (o.action == INVITE) {
		rc = mlfy_users_invite_tx(c->store, o.name, o.role, actor, now, o.ttl, token, &err);
	} else if (!(rc = mlfy_users_get(c->store, o.name, &u, &err))) {
		disabled = u.disabled;
		mlfy_user_release(&u);
		rc = mlfy_users_reset_tx(c->store, o.name, actor, now, o.ttl, token, &err);
	}
	if (rc)
		return cli_report(c->name, &err);
	if (o.action == INVITE)
		printf("invited %s '%s': no password until the link is used\n", mlfy_role_name(o.role), o.name);
	else
		printf("reset '%s': password removed, sessions ended, older links revoked\n", o.name);
	printf("link:    %.*s/invite#%s\n", o.url_len, o.url, token);
	printf("expires: %s\n", iso_utc(now + o.ttl, when));
	memset(token, 0, sizeof(token));
	if (disabled)
		cli_warn(c->name, "'%s' is disabled: the link works once it is enabled again ('mlfy user enable')",
			 o.name);
	return 0;
}

static int run(struct cli_ctx *c)
{
	char pw[MLFY_PASSWORD_MAX + 2] = "";
	struct mlfy_err err;
	int rc;

	if (o.action == LIST)
		return do_list(c);
	if (o.action == INVITE || o.action == RESET)
		return do_link(c);
	mlfy_err_clear(&err);
	if (o.action == ROLE) {
		if (mlfy_users_set_role_tx(c->store, o.name, o.role, &err))
			return cli_report(c->name, &err);
		printf("'%s' is now an %s\n", o.name, mlfy_role_name(o.role));   /* an annotator, expert, admin */
		return 0;
	}
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
	.summary = "add, invite, list, disable or reset annotator/expert/admin accounts",
	.usage = usage, .options = options, .check = check, .run = run,
};
