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

#include "serve/config.h"
#include "util/error.h"

struct mlfy_server;

/* Opens the project, checks the cache directory and TLS files, and starts
 * listening.  *out receives the running server.  Errors: MLFY_EINVAL (bad
 * config, unreadable TLS file), MLFY_EIO (cannot listen: address in use…),
 * MLFY_EUNSUPPORTED (TLS asked but libmicrohttpd lacks it), store errors. */
int mlfy_server_start(const struct mlfy_server_config *cfg, struct mlfy_server **out,
		      struct mlfy_err *err);

/* The TCP port actually bound. */
unsigned mlfy_server_port(const struct mlfy_server *srv);

/* The session cookie's name (owned by srv): "mlfy_session_" and 8 hex
 * digits of SHA-256 of the project file's absolute path, so that projects
 * served from one host keep their sessions apart; "__Host-" before it
 * under TLS. */
const char *mlfy_server_cookie_name(const struct mlfy_server *srv);

/* Stops accepting, lets requests in flight finish, closes every store
 * connection and frees srv.  Accepts NULL. */
void mlfy_server_stop(struct mlfy_server *srv);

#endif
