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
	unsigned threads;           /* worker threads (>= 1) */
	unsigned max_connections;   /* total concurrent connections (>= 1) */
	size_t max_body;            /* largest accepted request body in bytes */
	size_t max_header;          /* per-connection memory for request headers, bytes */
	const char *export_image_root; /* Label Studio downloads: data.image root (NULL: names);
	                                * borrowed for the server's life */
	mlfy_server_log_fn log;     /* may be NULL */
	void *log_ctx;
};

/* Fills c with the defaults (127.0.0.1:9000, idle 8 h, 4 threads, 256
 * connections, 256 KiB bodies, 32 KiB headers) for project. */
void mlfy_server_config_init(struct mlfy_server_config *c, const char *project);

/* 0 when c is usable (project set, limits in range, both or neither TLS
 * files), else MLFY_EINVAL naming the bad setting. */
int mlfy_server_config_check(const struct mlfy_server_config *c, struct mlfy_err *err);

#endif
