/* config.h - the settings of `mlfy serve` (config.c): listening address,
 * TLS files, limits, logging.  Public: the CLI fills it, the server reads
 * it. */
#ifndef MLFY_SERVE_CONFIG_H
#define MLFY_SERVE_CONFIG_H

#include <stddef.h>
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
	int64_t invite_ttl_s;       /* invitation links made in the console stay open this long
				     * (seconds, > 0; MLFY_INVITE_TTL_DEFAULT) */
	unsigned threads;           /* worker threads (>= 1) */
	unsigned max_connections;   /* total concurrent connections (>= 1) */
	unsigned max_per_address;   /* concurrent connections from one client address
				     * (libmicrohttpd's per-IP limit); 0 = no limit */
	int64_t request_timeout_s;  /* a request's head and body must have arrived this
				     * many seconds after the connection opened or the
				     * previous reply was sent, else the connection is
				     * closed (slow clients); > 0 */
	int64_t session_max_age_s;  /* absolute session lifetime, seconds since login (> 0) */
	unsigned login_queue;       /* logins waiting for their argon2id check, all
				     * addresses together; more are answered 503 (>= 1) */
	unsigned login_per_address; /* of those, from one client address; more: 429 (>= 1) */
	const char *public_names;   /* comma-separated host names (NAME or NAME:PORT) the
				     * server answers to besides its listen address; NULL
				     * = none.  Any other Host header is refused. */
	const char *trusted_proxies;/* comma-separated numeric addresses whose
				     * X-Forwarded-Host is believed; NULL = none */
	size_t max_body;            /* largest accepted request body in bytes */
	size_t max_header;          /* per-connection memory for request headers, bytes */
	const char *export_image_root; /* Label Studio downloads: data.image root (NULL: names);
	                                * borrowed for the server's life */
	mlfy_server_log_fn log;     /* may be NULL */
	void *log_ctx;
};

/* Fills c with the defaults (127.0.0.1:9000, idle 8 h, sessions at most
 * 7 days, 4 threads, 256 connections, 32 per address, 20 s per request
 * head and body, 256 KiB bodies, 32 KiB headers, 64 pending logins, 4 per
 * address) for project. */
void mlfy_server_config_init(struct mlfy_server_config *c, const char *project);

/* 0 when c is usable (project set, limits in range, both or neither TLS
 * files), else MLFY_EINVAL naming the bad setting. */
int mlfy_server_config_check(const struct mlfy_server_config *c, struct mlfy_err *err);

#endif
