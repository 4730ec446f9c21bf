/* cmd_serve.c - `mlfy serve PROJECT`: run the annotation web server until
 * SIGINT/SIGTERM, writing the access log. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "report/plot.h"
#include "serve/server.h"
#include "store/store.h"

static const char usage[] =
	"usage: mlfy serve PROJECT [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	"                  [--cache DIR] [--export-image-root ROOT] [--idle-timeout SECONDS]\n"
	"                  [--threads N] [--max-connections N] [--max-per-address N]\n"
	"                  [--request-timeout SECONDS] [--session-lifetime SECONDS]\n"
	"                  [--invite-ttl DURATION]\n"
	"                  [--public-name NAME]... [--trusted-proxy ADDR]...\n"
	"                  [--access-log FILE | --no-access-log]\n"
	"\n"
	"Serves PROJECT's annotation pages until interrupted (SIGINT or SIGTERM end it\n"
	"gracefully: requests in flight finish, every save is committed or not at all).\n"
	"\n"
	"  /login      log in (accounts: 'mlfy user add')\n"
	"  /annotate   stage ii: an annotator's assigned images ('mlfy assign')\n"
	"  /refine     stage iv: an expert's refinement queue; each save is at once\n"
	"              the image's final label set (stage refined)\n"
	"  /admin      the coordinator's console (admins; docs/admin.md): people and\n"
	"              invitations, assignment, analysis, refinement with previews,\n"
	"              gold, zero-label review, quality, progress, reports, every\n"
	"              'mlfy export' format, the audit log, and the live view of each\n"
	"              model's top-1 and ReaL accuracy\n"
	"  /invite     the page of an invitation link ('mlfy user invite')\n"
	"  /api/...    the JSON API used by the pages (docs/serve.md)\n"
	"\n"
	"Sessions are random tokens in an HttpOnly, SameSite=Strict cookie (Secure\n"
	"under TLS), end at logout or after --idle-timeout seconds without a request,\n"
	"and every state-changing request must carry the session's CSRF token in an\n"
	"X-CSRF-Token header; a session ends at the latest --session-lifetime after its\n"
	"login.  After 5 failed logins for a user name from one address, logins for it\n"
	"are refused for 30 s, then 60 s, 120 s ... (at most 15 minutes) after each\n"
	"further failure; a success resets the count.  The same holds for an address\n"
	"after 20 failures for any names (the count restarts after 10 quiet minutes).\n"
	"Passwords are checked on a thread of their own: at most 64 logins wait for it\n"
	"(4 per address); more are answered 503 / 429 with Retry-After.\n"
	"\n"
	"Requests must name this server in their Host header: its listen address\n"
	"(localhost too on a loopback address; every interface address when listening\n"
	"on 0.0.0.0 or ::) or a --public-name.  A request's head and body must arrive\n"
	"within --request-timeout seconds of the connection opening or of the previous\n"
	"reply, else the connection is closed.\n"
	"\n"
	"Images are served only by project id: thumbnails and display sizes are made\n"
	"with libvips and cached in DIR by content hash.\n"
	"\n"
	"Options:\n"
	"  -l, --listen ADDR:PORT    numeric address and port to listen on\n"
	"                            (default 127.0.0.1:9000; IPv6 as [::1]:9000;\n"
	"                            port 0 picks a free port, printed at start)\n"
	"      --tls-cert FILE       PEM certificate: serve HTTPS (needs --tls-key)\n"
	"      --tls-key FILE        PEM private key\n"
	"      --cache DIR           image cache (default PROJECT.cache; for a\n"
	"                            postgresql:// project ~/.cache/mlfy/DB-HASH)\n"
	"      --export-image-root R the Label Studio download's data.image: R before\n"
	"                            each image name (default: the names alone)\n"
	"      --idle-timeout S      end sessions idle for S seconds (default 28800)\n"
	"      --invite-ttl D        invitation links made in the console expire after\n"
	"                            D (90s, 15m, 12h, 7d; default 7d)\n"
	"  -t, --threads N           worker threads, each with its own store\n"
	"                            connection (default 4)\n"
	"      --max-connections N   concurrent connections (default 256)\n"
	"      --max-per-address N   concurrent connections from one client address\n"
	"                            (default 32; 0 = no limit, e.g. behind a proxy\n"
	"                            that limits them itself)\n"
	"      --request-timeout S   seconds for a request's head and body (default 20)\n"
	"      --session-lifetime S  end sessions S seconds after login, however busy\n"
	"                            (default 604800, 7 days)\n"
	"      --public-name NAME    a host name (NAME or NAME:PORT) clients use for this\n"
	"                            server, e.g. the name behind a reverse proxy;\n"
	"                            repeat or separate with commas\n"
	"      --trusted-proxy ADDR  numeric address of a reverse proxy whose\n"
	"                            X-Forwarded-Host is believed; repeat or commas\n"
	"      --access-log FILE     append the access log (one JSON object per\n"
	"                            request: time, method, path, status, bytes, ms,\n"
	"                            user, addr) to FILE instead of standard error\n"
	"      --no-access-log       do not write an access log\n"
	"  -h, --help                show this help\n"
	"\n"
	"Example:\n"
	"  mlfy serve proj.mlfy --listen 0.0.0.0:9000 --tls-cert cert.pem --tls-key key.pem\n";

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

struct log_sink {
	FILE *access;   /* NULL = no access log */
};

static void log_line(void *ctx, const char *kind, const char *line)
{
	struct log_sink *sink = ctx;
	pthread_mutex_lock(&log_mu);
	if (!strcmp(kind, "access")) {
		if (sink->access) {
			fputs(line, sink->access);
			fputc('\n', sink->access);
			fflush(sink->access);
		}
	} else {
		fprintf(stderr, "mlfy serve: %s: %s\n", kind, line);
		fflush(stderr);
	}
	pthread_mutex_unlock(&log_mu);
}

/* Splits ADDR:PORT / [V6]:PORT into host (static buffer) and port. */
static int parse_listen(const char *arg, char *host, size_t n, unsigned *port)
{
	const char *colon;
	char *end;
	long p;
	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - arg - 1) >= n)
			return -1;
		snprintf(host, n, "%.*s", (int)(rb - arg - 1), arg + 1);
		colon = rb + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || (size_t)(colon - arg) >= n)
			return -1;
		snprintf(host, n, "%.*s", (int)(colon - arg), arg);
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return host[0] ? 0 : -1;
}

static struct {
	struct mlfy_server_config cfg;
	char host[128];
	long idle, threads, max_conn;   /* 0: the default */
	long per_addr, req_timeout, lifetime; /* -1 / 0: the default */
	char names[1024], proxies[1024];  /* comma-separated --public-name / --trusted-proxy */
	const char *logfile;
	int nolog;
	struct timespec t0;             /* when the command started */
} o = { .host = "127.0.0.1", .per_addr = -1 };

static int listen_option(const struct cli_option *opt, const char *arg, const char *cmd)
{
	if (parse_listen(arg, o.host, sizeof(o.host), &o.cfg.port))
		return cli_usage_error(cmd, "--listen: expected ADDR:PORT, e.g. 127.0.0.1:9000 or [::1]:9000");
	return 0;
}

/* --public-name / --trusted-proxy: repeatable, each may hold commas */
static int append_option(const struct cli_option *opt, const char *arg, const char *cmd)
{
	char *buf = strcmp(opt->long_name, "public-name") ? o.proxies : o.names;
	size_t n = strlen(buf);
	if (!*arg || n + strlen(arg) + 2 > sizeof(o.names))
		return cli_usage_error(cmd, "--%s: empty or too long", opt->long_name);
	snprintf(buf + n, sizeof(o.names) - n, "%s%s", n ? "," : "", arg);
	return 0;
}

static const struct cli_option options[] = {
	CLI_OPT_CALLBACK('l', "listen", NULL, listen_option, 1),
	CLI_OPT_STRING(0, "tls-cert", &o.cfg.tls_cert),
	CLI_OPT_STRING(0, "tls-key", &o.cfg.tls_key),
	CLI_OPT_STRING(0, "cache", &o.cfg.cache_dir),
	CLI_OPT_STRING(0, "export-image-root", &o.cfg.export_image_root),
	CLI_OPT_LONG(0, "idle-timeout", &o.idle, 1, 365L * 86400),
	CLI_OPT_CALLBACK(0, "invite-ttl", &o.cfg.invite_ttl_s, cli_opt_duration, 1),
	CLI_OPT_LONG('t', "threads", &o.threads, 1, 64),
	CLI_OPT_LONG(0, "max-connections", &o.max_conn, 1, 100000),
	CLI_OPT_LONG(0, "max-per-address", &o.per_addr, 0, 100000),
	CLI_OPT_LONG(0, "request-timeout", &o.req_timeout, 1, 3600),
	CLI_OPT_LONG(0, "session-lifetime", &o.lifetime, 60, 365L * 86400),
	CLI_OPT_CALLBACK(0, "public-name", NULL, append_option, 1),
	CLI_OPT_CALLBACK(0, "trusted-proxy", NULL, append_option, 1),
	CLI_OPT_STRING(0, "access-log", &o.logfile),
	CLI_OPT_FLAG(0, "no-access-log", &o.nolog),
	CLI_OPT_END(),
};

static void init(void)
{
	clock_gettime(CLOCK_MONOTONIC, &o.t0);
	mlfy_server_config_init(&o.cfg, NULL);
}

/* The server opens the project itself (a connection per worker thread):
 * the table gives serve no CLI_PROJECT. */
static int check(struct cli_ctx *c)
{
	if (c->argc != 1)
		return cli_usage_error(c->name, "expected one PROJECT argument");
	if (!o.cfg.tls_cert != !o.cfg.tls_key)
		return cli_usage_error(c->name, "--tls-cert and --tls-key go together");
	if (o.logfile && o.nolog)
		return cli_usage_error(c->name, "--access-log and --no-access-log exclude each other");
	if (o.idle)
		o.cfg.idle_timeout_s = o.idle;
	if (o.threads)
		o.cfg.threads = (unsigned)o.threads;
	if (o.max_conn)
		o.cfg.max_connections = (unsigned)o.max_conn;
	if (o.per_addr >= 0)
		o.cfg.max_per_address = (unsigned)o.per_addr;
	if (o.req_timeout)
		o.cfg.request_timeout_s = o.req_timeout;
	if (o.lifetime)
		o.cfg.session_max_age_s = o.lifetime;
	o.cfg.public_names = o.names[0] ? o.names : NULL;
	o.cfg.trusted_proxies = o.proxies[0] ? o.proxies : NULL;
	o.cfg.project = c->argv[0];
	o.cfg.listen_host = o.host;
	return 0;
}

static int run(struct cli_ctx *c)
{
	struct mlfy_server *srv = NULL;
	struct log_sink sink = { stderr };
	struct mlfy_err err;
	struct timespec t1;
	char *shown;
	const char *host = o.host;
	sigset_t sigs;
	int sig = 0;

	if (o.nolog)
		sink.access = NULL;
	else if (o.logfile && !(sink.access = fopen(o.logfile, "a")))
		return cli_error(c->name, "%s: %s", o.logfile, strerror(errno));
	o.cfg.log = log_line;
	o.cfg.log_ctx = &sink;

	/* worker threads inherit the blocked signals; this thread waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	mlfy_err_clear(&err);
	if (mlfy_server_start(&o.cfg, &srv, &err)) {
		if (sink.access && sink.access != stderr)
			fclose(sink.access);
		return cli_report(c->name, &err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the project as messages name it: a URI's password as "***" (this
	 * line goes to the journal) */
	shown = mlfy_store_redacted(o.cfg.project);
	printf("mlfy serve: listening on %s://%s%s%s:%u/ (project %s, %u threads, session cookie %s,"
	       " started in %.0f ms)\n",
	       o.cfg.tls_cert ? "https" : "http", strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	       mlfy_server_port(srv), shown ? shown : "(project)", o.cfg.threads, mlfy_server_cookie_name(srv),
	       (double)(t1.tv_sec - o.t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - o.t0.tv_nsec) / 1e6);
	free(shown);
	fflush(stdout);

	while (sigwait(&sigs, &sig) != 0)
		;
	fprintf(stderr, "mlfy serve: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	mlfy_server_stop(srv);
	/* the console's reports and live figure drew text: release cairo's and
	 * fontconfig's caches now that no thread draws (leak checkers) */
	mlfy_plot_shutdown();
	if (sink.access && sink.access != stderr)
		fclose(sink.access);
	fprintf(stderr, "mlfy serve: stopped\n");
	return 0;
}

const struct cli_builtin cmd_serve = {
	.summary = "run the annotation web server (pages, JSON API, images)",
	.usage = usage, .options = options, .init = init, .check = check, .run = run,
};
