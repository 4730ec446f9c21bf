/* fuzz_http.c - libFuzzer target for `mlfy serve` as a whole: raw HTTP
 * requests sent over loopback TCP to a server running in this process, so
 * every parser a request meets is fuzzed together: libmicrohttpd's request
 * line, headers, cookies and query strings, our percent-decoding, routing,
 * session and CSRF checks, JSON bodies (saves, class search), image ids
 * and sizes, and the store calls behind them.  (The request parsers in
 * src/serve are not separable from libmicrohttpd's connection objects, so
 * the server is driven through a socket; docs/fuzzing.md.)
 *
 * Fixture (built once, in a temporary folder): mlfy-fixture's synthetic
 * project (12 images, 40 classes, exemplars) with accounts ann1, ann2
 * (annotators, both assigned every batch), exp (expert) and adm (admin),
 * none with a password, and one session each for ann1, exp and adm.
 *
 * Input: byte 0 picks the identity (bits 0-1: none, ann1, exp, adm) and
 * whether the session's CSRF token is sent (bit 2); the rest is the raw
 * request.  The harness adds "Connection: close", "Cookie:
 * mlfy_session=..." and "X-CSRF-Token: ..." after the input's headers
 * (before the first empty line) and sets Content-Length to the body's real
 * length (build_request).  Requests that would log in
 * or out are skipped: a login costs one argon2id verification (64 MiB,
 * ~0.1 s) whatever the name, and a logout would end the fixture's session.
 * Oracle beyond sanitizers: every reply is HTTP, never a 500, and comes
 * within 60 s. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem, accept4 flags */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve/server.h"
#include "store/accounts.h"
#include "store/assign.h"

extern char **environ;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static struct mlfy_server *server;
static unsigned port;
static char dir[256];
static char tokens[4][MLFY_TOKEN_LEN + 1];   /* [1] ann1, [2] exp, [3] adm */
static char csrfs[4][MLFY_TOKEN_LEN + 1];

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_http: fixture: %s: %s\n", what, msg);
	exit(1);
}

static void shutdown_all(void)
{
	pid_t pid;
	char *rm[] = { "rm", "-rf", dir, NULL };
	mlfy_server_stop(server);
	if (dir[0] && posix_spawnp(&pid, "rm", NULL, NULL, rm, environ) == 0)
		waitpid(pid, NULL, 0);
}

/* The server's error log (not the access log) to stderr. */
static void log_errors(void *ctx, const char *kind, const char *line)
{
	(void)ctx;
	/* libmicrohttpd's own notes on malformed requests are expected here */
	if (strcmp(kind, "access") != 0 && (strncmp(line, "libmicrohttpd: ", 15) != 0 || getenv("MLFY_FUZZ_VERBOSE")))
		fprintf(stderr, "fuzz_http: server %s: %s\n", kind, line);
}

/* Runs argv (argv[0] a path), 0 when it exits with status 0. */
static int run(char **argv)
{
	pid_t pid;
	int st;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "ann1", "ann2", "exp", "adm" };
	static const enum mlfy_role roles[] = { MLFY_ROLE_ANNOTATOR, MLFY_ROLE_ANNOTATOR, MLFY_ROLE_EXPERT,
						MLFY_ROLE_ADMIN };
	static const char *const annotators[] = { "ann1", "ann2" };
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char fixture[4096], project[300], images[300], self[4096], *bindir;
	struct mlfy_server_config cfg;
	struct mlfy_assign_report rep;
	struct mlfy_store *s;
	struct mlfy_err err;
	int64_t ids[4];
	int i;

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "%s/mlfy-fuzz-http-XXXXXX", base);
	if (!mkdtemp(dir))
		die(dir, strerror(errno));
	atexit(shutdown_all);
	snprintf(project, sizeof(project), "%s/p.mlfy", dir);
	snprintf(images, sizeof(images), "%s/img", dir);
	/* mlfy-fixture sits next to this binary in the build folder */
	snprintf(self, sizeof(self), "%s", *argc > 0 ? (*argv)[0] : ".");
	if (!strchr(self, '/') && readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		die("/proc/self/exe", strerror(errno));
	bindir = dirname(self);
	snprintf(fixture, sizeof(fixture), "%s/mlfy-fixture", bindir);
	{
		char *fx[] = { fixture, "synthetic", project, images, "--images", "12", "--classes", "40",
			       "--batch-size", "6", "--exemplars", "3", "--image-files", "4",
			       "--exemplar-classes", "4", NULL };
		if (run(fx))
			die(fixture, "failed (is mlfy-fixture built?)");
	}
	if (mlfy_store_open(project, 0, &s, &err) || mlfy_store_begin(s, &err))
		die(project, err.msg);
	for (i = 0; i < 4; i++)
		if (mlfy_users_add(s, names[i], roles[i], NULL, &ids[i], &err))
			die(names[i], err.msg);
	if (mlfy_store_commit(s, &err))
		die("commit", err.msg);
	if (mlfy_assign_batches(s, 2, annotators, 2, &rep, &err))   /* its own transaction */
		die("assign", err.msg);
	mlfy_assign_report_release(&rep);
	if (mlfy_store_begin(s, &err))
		die(project, err.msg);
	for (i = 1; i < 4; i++)
		if (mlfy_sessions_create(s, ids[i == 1 ? 0 : i], (int64_t)time(NULL), tokens[i], csrfs[i], &err))
			die("session", err.msg);
	if (mlfy_store_commit(s, &err))
		die("commit", err.msg);
	mlfy_store_close(s);

	mlfy_server_config_init(&cfg, project);
	cfg.log = log_errors;
	cfg.port = 0;
	cfg.threads = 1;
	cfg.max_connections = 16;
	cfg.idle_timeout_s = 365 * 24 * 3600;
	snprintf(images, sizeof(images), "%s/cache", dir);
	cfg.cache_dir = images;   /* copied by the server */
	if (mlfy_server_start(&cfg, &server, &err))
		die("mlfy_server_start", err.msg);
	port = mlfy_server_port(server);
	return 0;
}

/* 1 when the request (percent-decoded, case-folded) mentions login or logout. */
static int skip_request(const uint8_t *p, size_t n)
{
	char *t = malloc(n + 1);
	size_t i, k = 0;
	int skip;
	if (!t)
		return 1;
	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && isxdigit(p[i + 1]) && isxdigit(p[i + 2])) {
			char hex[3] = { (char)p[i + 1], (char)p[i + 2], 0 };
			t[k++] = (char)tolower((int)strtol(hex, NULL, 16));
			i += 2;
		} else {
			t[k++] = (char)tolower(p[i]);
		}
	}
	t[k] = '\0';
	skip = memmem(t, k, "login", 5) || memmem(t, k, "logout", 6);
	free(t);
	return skip;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Builds the request actually sent: the input's request line, then the
 * injected headers, the input's headers less any Content-Length,
 * Transfer-Encoding and Connection, a correct Content-Length, and the body
 * (what follows the first empty line).  Body framing is libmicrohttpd's
 * well-tested business; a request whose framing promises more bytes than
 * it has would only make the server wait for them. */
static char *build_request(const uint8_t *d, size_t n, int who, int csrf, size_t *len)
{
	const uint8_t *end = d + n, *line_end, *body, *p;
	size_t cap = n + 1024, k = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	line_end = memchr(d, '\n', n);
	line_end = line_end ? line_end + 1 : end;
	memcpy(out, d, (size_t)(line_end - d));
	k = (size_t)(line_end - d);
	if (line_end == end || line_end[-1] != '\n')
		k += (size_t)sprintf(out + k, "\r\n");
	/* header lines up to the first empty one ("\r\n" or "\n"), which ends
	 * them: the injected headers must come before it, or they would be
	 * read as a body or as a second, pipelined request */
	body = end;
	for (p = line_end; p < end;) {
		const uint8_t *e = memchr(p, '\n', (size_t)(end - p));
		size_t l;
		e = e ? e + 1 : end;
		l = (size_t)(e - p);
		if ((l == 1 && p[0] == '\n') || (l == 2 && p[0] == '\r' && p[1] == '\n')) {
			body = e;
			break;
		}
		if (!(l >= 15 && !strncasecmp((const char *)p, "content-length:", 15)) &&
		    !(l >= 18 && !strncasecmp((const char *)p, "transfer-encoding:", 18)) &&
		    !(l >= 11 && !strncasecmp((const char *)p, "connection:", 11))) {
			memcpy(out + k, p, l);
			k += l;
			if (e == end && p[l - 1] != '\n')
				k += (size_t)sprintf(out + k, "\r\n");
		}
		p = e;
	}
	/* the injected headers come last, so that a continuation line (one
	 * starting with a blank) in the input extends the input's own header */
	/* Connection: close, so the server ends the connection after its reply
	 * (libmicrohttpd keeps a keep-alive connection open after the client's
	 * half-close) */
	k += (size_t)sprintf(out + k, "Connection: close\r\n");
	if (who)
		k += (size_t)sprintf(out + k, "Cookie: mlfy_session=%s\r\n", tokens[who]);
	if (who && csrf)
		k += (size_t)sprintf(out + k, "X-CSRF-Token: %s\r\n", csrfs[who]);
	{
		size_t blen = (size_t)(end - body);
		if (blen)
			k += (size_t)sprintf(out + k, "Content-Length: %zu\r\n", blen);
		k += (size_t)sprintf(out + k, "\r\n");
		memcpy(out + k, body, blen);
		k += blen;
	}
	*len = k;
	return out;
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request on a new loopback connection: sends req, half-closes, reads
 * the whole reply (until the server closes), keeping its first bytes in
 * reply[16]; *got receives the reply's length.  Returns 0, or -1 when the
 * server fell silent for timeout_ms (the connection is closed either way).
 * A signal is not silence: libFuzzer's -timeout watchdog is a SIGALRM every
 * few seconds, and taking its EINTR from poll for a timeout made earlier
 * versions of this harness report hangs that were not there. */
static int exchange(const char *req, size_t len, char reply[16], size_t *got, int timeout_ms)
{
	struct sockaddr_in a;
	long long deadline = now_ms() + timeout_ms;
	int fd;

	*got = 0;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return 0;
	}
	send_all(fd, req, len);
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		char buf[65536];
		long long left = deadline - now_ms();
		ssize_t r;
		int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			close(fd);
			return -1;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (*got < 16) {
			size_t k = (size_t)r < 16 - *got ? (size_t)r : 16 - *got;
			memcpy(reply + *got, buf, k);
		}
		*got += (size_t)r;
		deadline = now_ms() + timeout_ms;   /* silence counts from the last byte */
	}
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char reply[16], *req;
	size_t got = 0, len;
	int who, csrf;

	if (n < 1)
		return 0;
	who = data[0] & 3;
	csrf = data[0] & 4;
	data++;
	n--;
	if (skip_request(data, n) || !(req = build_request(data, n, who, csrf, &len)))
		return 0;
	/* A reply normally comes in milliseconds; only a minute of silence
	 * counts as a hang (a deadlock, a lost request).  libFuzzer's own
	 * -timeout (10 s in scripts/fuzz-run) usually reports one first. */
	if (exchange(req, len, reply, &got, 60000) != 0) {
		fprintf(stderr, "fuzz_http: no reply within 60 s\n");
		abort();
	}
	free(req);
	if (getenv("MLFY_FUZZ_VERBOSE"))
		fprintf(stderr, "reply: %.12s (%zu bytes)\n", got ? reply : "", got);
	if (got >= 12) {
		if (memcmp(reply, "HTTP/1.", 7) != 0) {
			fprintf(stderr, "fuzz_http: reply is not HTTP: %.16s\n", reply);
			abort();
		}
		if (!memcmp(reply + 9, "500", 3)) {
			fprintf(stderr, "fuzz_http: 500 Internal Server Error\n");
			abort();
		}
	}
	return 0;
}
