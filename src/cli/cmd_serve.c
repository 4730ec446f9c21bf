/* cmd_serve.c - `mlfy serve PROJECT`: run the annotation web server until
 * SIGINT/SIGTERM, writing the access log. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "serve/server.h"

const char cmd_serve_summary[] = "run the annotation web server (pages, JSON API, images)";

static const char usage[] =
	"usage: mlfy serve PROJECT [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	"                  [--cache DIR] [--idle-timeout SECONDS] [--threads N]\n"
	"                  [--max-connections N] [--access-log FILE | --no-access-log]\n"
	"\n"
	"Serves PROJECT's annotation pages until interrupted (SIGINT or SIGTERM end it\n"
	"gracefully: requests in flight finish, every save is committed or not at all).\n"
	"\n"
	"  /login      log in (accounts: 'mlfy user add')\n"
	"  /annotate   stage ii: an annotator's assigned images ('mlfy assign')\n"
	"  /refine     stage iv: an expert's refinement queue; each save is at once\n"
	"              the image's final label set (stage refined)\n"
	"  /admin      progress per batch and annotator, final labels, refinement\n"
	"              queue, zero-label reviews, and downloads of every 'mlfy export'\n"
	"              format (admins)\n"
	"  /api/...    the JSON API used by the pages (docs/serve.md)\n"
	"\n"
	"Sessions are random tokens in an HttpOnly, SameSite=Strict cookie (Secure\n"
	"under TLS), end at logout or after --idle-timeout seconds without a request,\n"
	"and every state-changing request must carry the session's CSRF token in an\n"
	"X-CSRF-Token header.  After 5 failed logins for a user name from one address,\n"
	"logins for it are refused for 30 s, then 60 s, 120 s ... (at most 15 minutes)\n"
	"after each further failure; a success resets the count.\n"
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
	"      --cache DIR           image cache (default PROJECT.cache)\n"
	"      --idle-timeout S      end sessions idle for S seconds (default 28800)\n"
	"  -t, --threads N           worker threads, each with its own store\n"
	"                            connection (default 4)\n"
	"      --max-connections N   concurrent connections (default 256)\n"
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

int cmd_serve(int argc, char **argv)
{
	enum { O_CERT = 256, O_KEY, O_CACHE, O_IDLE, O_MAXCONN, O_LOG, O_NOLOG };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, O_CERT },
		{ "tls-key", required_argument, NULL, O_KEY },
		{ "cache", required_argument, NULL, O_CACHE },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "threads", required_argument, NULL, 't' },
		{ "max-connections", required_argument, NULL, O_MAXCONN },
		{ "access-log", required_argument, NULL, O_LOG },
		{ "no-access-log", no_argument, NULL, O_NOLOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlfy_server_config cfg;
	struct mlfy_server *srv = NULL;
	struct log_sink sink = { stderr };
	struct mlfy_err err;
	struct timespec t0, t1;
	const char *logfile = NULL;
	char host[128] = "127.0.0.1";
	sigset_t sigs;
	long v;
	int c, sig = 0, nolog = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mlfy_server_config_init(&cfg, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_listen(optarg, host, sizeof(host), &cfg.port))
				return cli_usage_error("serve", "--listen: expected ADDR:PORT, e.g. 127.0.0.1:9000 or [::1]:9000");
			break;
		case O_CERT: cfg.tls_cert = optarg; break;
		case O_KEY: cfg.tls_key = optarg; break;
		case O_CACHE: cfg.cache_dir = optarg; break;
		case O_IDLE:
			if ((v = cli_parse_long("serve", "--idle-timeout", optarg, 1, 365L * 86400)) < 0)
				return MLFY_EXIT_USAGE;
			cfg.idle_timeout_s = v;
			break;
		case 't':
			if ((v = cli_parse_long("serve", "--threads", optarg, 1, 64)) < 0)
				return MLFY_EXIT_USAGE;
			cfg.threads = (unsigned)v;
			break;
		case O_MAXCONN:
			if ((v = cli_parse_long("serve", "--max-connections", optarg, 1, 100000)) < 0)
				return MLFY_EXIT_USAGE;
			cfg.max_connections = (unsigned)v;
			break;
		case O_LOG: logfile = optarg; break;
		case O_NOLOG: nolog = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("serve", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("serve", "expected one PROJECT argument");
	if (!cfg.tls_cert != !cfg.tls_key)
		return cli_usage_error("serve", "--tls-cert and --tls-key go together");
	if (logfile && nolog)
		return cli_usage_error("serve", "--access-log and --no-access-log exclude each other");
	cfg.project = argv[optind];
	cfg.listen_host = host;
	if (nolog)
		sink.access = NULL;
	else if (logfile && !(sink.access = fopen(logfile, "a")))
		return cli_error("serve", "%s: %s", logfile, strerror(errno));
	cfg.log = log_line;
	cfg.log_ctx = &sink;

	/* worker threads inherit the blocked signals; this thread waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	mlfy_err_clear(&err);
	if (mlfy_server_start(&cfg, &srv, &err)) {
		if (sink.access && sink.access != stderr)
			fclose(sink.access);
		return cli_report("serve", &err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("mlfy serve: listening on %s://%s%s%s:%u/ (project %s, %u threads, started in %.0f ms)\n",
	       cfg.tls_cert ? "https" : "http", strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	       mlfy_server_port(srv), cfg.project, cfg.threads,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	fflush(stdout);

	while (sigwait(&sigs, &sig) != 0)
		;
	fprintf(stderr, "mlfy serve: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	mlfy_server_stop(srv);
	if (sink.access && sink.access != stderr)
		fclose(sink.access);
	fprintf(stderr, "mlfy serve: stopped\n");
	return 0;
}
