/* server.h - the annotation web server of `mlfy serve` (libmicrohttpd).
 *
 * One process serves one project: a JSON API under /api/, the pages and
 * their assets (embedded at build time from web/), and project images
 * (thumbnails and display sizes made with libvips, cached on disk).  Worker
 * threads each hold their own store connection.  Routes, the security
 * model and the API are described in docs/serve.md.
 */
#ifndef MLFY_SERVE_SERVER_H
#define MLFY_SERVE_SERVER_H

#include <stdint.h>
#include "util/error.h"

/* Called with one access-log line (a JSON object, no newline) per request,
 * from any worker thread; must be thread-safe.  Also used with
 * kind = "error" for server-side errors (a plain message). */
typedef void (*mlfy_server_log_fn)(void *ctx, const char *kind, const char *line);

struct mlfy_server_config {
	const char *project;        /* project file (borrowed for the server's life) */
	const char *listen_host;    /* numeric IPv4/IPv6 address, e.g. "127.0.0.1" or "::1" */
	unsigned port;              /* 0 = any free port (see mlfy_server_port) */
	const char *tls_cert;       /* PEM files; both or neither (HTTPS when set) */
	const char *tls_key;
	const char *cache_dir;      /* image cache directory (created); NULL = PROJECT.cache */
	int64_t idle_timeout_s;     /* session idle expiry in seconds (> 0) */
	unsigned threads;           /* worker threads (>= 1) */
	unsigned max_connections;   /* total concurrent connections (>= 1) */
	size_t max_body;            /* largest accepted request body in bytes */
	size_t max_header;          /* per-connection memory for request headers, bytes */
	mlfy_server_log_fn log;     /* may be NULL */
	void *log_ctx;
};

/* Fills c with the defaults (127.0.0.1:9000, idle 8 h, 4 threads, 256
 * connections, 256 KiB bodies, 32 KiB headers) for project. */
void mlfy_server_config_init(struct mlfy_server_config *c, const char *project);

struct mlfy_server;

/* Opens the project, checks the cache directory and TLS files, and starts
 * listening.  *out receives the running server.  Errors: MLFY_EINVAL (bad
 * config, unreadable TLS file), MLFY_EIO (cannot listen: address in use…),
 * MLFY_EUNSUPPORTED (TLS asked but libmicrohttpd lacks it), store errors. */
int mlfy_server_start(const struct mlfy_server_config *cfg, struct mlfy_server **out,
		      struct mlfy_err *err);

/* The TCP port actually bound. */
unsigned mlfy_server_port(const struct mlfy_server *srv);

/* Stops accepting, lets requests in flight finish, closes every store
 * connection and frees srv.  Accepts NULL. */
void mlfy_server_stop(struct mlfy_server *srv);

#endif
