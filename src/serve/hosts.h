/* hosts.h - which Host names `mlfy serve` answers to, and whose
 * X-Forwarded-Host it believes (hosts.c).  The defence against DNS
 * rebinding: a page of attacker.example whose name is made to resolve to
 * the server's address is same-origin with itself, so it can send
 * requests -- password guesses -- with a matching Origin; its Host header
 * still says attacker.example, and such requests are refused. */
#ifndef MLFY_SERVE_HOSTS_H
#define MLFY_SERVE_HOSTS_H

#include "serve/state.h"
#include "util/error.h"

/* Builds the server's lists from its configuration: the listen address
 * with its port ("127.0.0.1:9000", "[::1]:9000"; without the port too when
 * it is the scheme's default), "localhost:PORT" when listening on a
 * loopback address, every interface address when listening on 0.0.0.0 or
 * ::, and each of cfg.public_names (NAME also as NAME:PORT); and the
 * addresses of cfg.trusted_proxies.  MLFY_EINVAL naming a malformed name or
 * address, MLFY_ENOMEM. */
int hosts_init(struct mlfy_server *srv, struct mlfy_err *err);
void hosts_free(struct mlfy_server *srv);

/* 1 when host (a Host or X-Forwarded-Host value; case-insensitive) is one
 * the server answers to. */
int hosts_allowed(const struct mlfy_server *srv, const char *host);

/* X-Forwarded-Host of r when r comes from a trusted proxy, else NULL. */
const char *hosts_forwarded(struct req *r);

/* 1 when r's Host (and X-Forwarded-Host, when believed) are allowed. */
int hosts_request_ok(struct req *r);

#endif
