/* server.c - the libmicrohttpd daemon of `mlfy serve`: start/stop, the
 * request lifecycle (body accumulation with a size limit, completion and
 * the access log), the routes table, sessions and CSRF checks, the pages
 * and static assets, and the reply helpers.  The JSON handlers live in
 * api.c, exports in export.c, images in images.c. */
#define _POSIX_C_SOURCE 200809L
#include "serve/internal.h"
#include "serve/assets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void mlfy_server_config_init(struct mlfy_server_config *c, const char *project)
{
	memset(c, 0, sizeof(*c));
	c->project = project;
	c->listen_host = "127.0.0.1";
	c->port = 9000;
	c->idle_timeout_s = 8 * 3600;
	c->threads = 4;
	c->max_connections = 256;
	c->max_body = 256 * 1024;
	c->max_header = 32 * 1024;
}

void srv_log_error(struct mlfy_server *srv, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (!srv->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv->cfg.log(srv->cfg.log_ctx, "error", msg);
}

struct mlfy_store *srv_store(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct mlfy_store *s = pthread_getspecific(srv->store_key);
	if (s)
		return s;
	if (mlfy_store_open(srv->project, 0, &s, err))
		return NULL;
	pthread_mutex_lock(&srv->mu);
	if (srv->n_stores == MAX_STORES) {
		pthread_mutex_unlock(&srv->mu);
		mlfy_store_close(s);
		mlfy_err_set(err, MLFY_ENOMEM, "too many worker threads");
		return NULL;
	}
	srv->stores[srv->n_stores++] = s;
	pthread_mutex_unlock(&srv->mu);
	pthread_setspecific(srv->store_key, s);
	return s;
}

/* ---- request helpers ------------------------------------------------------- */

const char *req_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int64_t parse_id(const char *s, const char **end, int64_t max)
{
	int64_t v = 0;
	const char *p = s;
	if (!s || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > max || p - s > 15)
			return -1;
		p++;
	}
	if (*p && *p != '/')
		return -1;
	if (end)
		*end = p;
	else if (*p)
		return -1;
	return v;
}

/* ---- replies ----------------------------------------------------------------- */

void reply_common_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
				" connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none';"
				" form-action 'self'");
	if (r->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

enum MHD_Result reply(struct req *r, unsigned status, struct MHD_Response *resp, uint64_t size)
{
	enum MHD_Result ret;
	if (!resp)
		return MHD_NO;
	reply_common_headers(r, resp);
	r->status = status;
	r->bytes = size;
	r->replied = 1;
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result reply_json(struct req *r, unsigned status, json_t *obj)
{
	return reply_json_hdr(r, status, obj, NULL, NULL);
}

enum MHD_Result reply_json_hdr(struct req *r, unsigned status, json_t *obj, const char *hname,
			       const char *hval)
{
	struct MHD_Response *resp;
	char *txt = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	size_t n;

	json_decref(obj);
	if (!txt)
		return MHD_NO;
	n = strlen(txt);
	resp = MHD_create_response_from_buffer_with_free_callback(n, txt, free);
	if (!resp) {
		free(txt);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (hname)
		MHD_add_response_header(resp, hname, hval);
	return reply(r, status, resp, n);
}

/* Length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF) at s, or 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
		    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

enum MHD_Result reply_error(struct req *r, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	unsigned char *p;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages may quote request input: bytes that are not UTF-8 become
	 * '?', else jansson refuses the string and no reply at all is sent */
	for (p = (unsigned char *)msg; *p;) {
		size_t k = utf8_seq(p);
		if (k)
			p += k;
		else
			*p++ = '?';
	}
	return reply_json(r, status, json_pack("{ss}", "error", msg));
}

int err_is_server_side(const struct req *r, const struct mlfy_err *err)
{
	size_t n = strlen(r->srv->project);
	return !strncmp(err->msg, r->srv->project, n) && err->msg[n] == ':';
}

enum MHD_Result reply_err(struct req *r, const struct mlfy_err *err)
{
	unsigned status;
	/* the store's own failures (SQLite errors, a read-only or missing
	 * project file) name the project file: they are the server's problem,
	 * never the client's, and the path and SQL stay in the log */
	switch (err_is_server_side(r, err) ? MLFY_ESTORE : err->code) {
	case MLFY_EINVAL: status = 400; break;
	case MLFY_ENOTFOUND: status = 404; break;
	case MLFY_ECONFLICT: status = 409; break;
	case MLFY_EPERM: status = 403; break;
	case MLFY_EUNSUPPORTED: status = 415; break;
	default:
		/* internal: keep the details in the server log */
		srv_log_error(r->srv, "%s %s: %s", r->method, r->url, err->msg);
		return reply_error(r, 500, "internal error (%s); see the server log", mlfy_strstatus(err->code));
	}
	return reply_error(r, status, "%s", err->msg[0] ? err->msg : mlfy_strstatus(err->code));
}

enum MHD_Result reply_redirect(struct req *r, const char *location)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", location);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply(r, 302, resp, 0);
}

/* ---- pages and assets -------------------------------------------------------- */

static const struct mlfy_asset *asset_find(const char *name)
{
	size_t i;
	for (i = 0; i < mlfy_n_assets; i++)
		if (!strcmp(mlfy_assets[i].name, name))
			return &mlfy_assets[i];
	return NULL;
}

static enum MHD_Result reply_asset(struct req *r, const char *name)
{
	const struct mlfy_asset *a = asset_find(name);
	const char *inm = req_header(r, "If-None-Match");
	struct MHD_Response *resp;

	if (!a)
		return reply_error(r, 404, "no such file");
	if (inm && !strcmp(inm, a->etag)) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (resp) {
			MHD_add_response_header(resp, "ETag", a->etag);
			MHD_add_response_header(resp, "Cache-Control", "no-cache");
		}
		return reply(r, 304, resp, 0);
	}
	resp = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", a->type);
	MHD_add_response_header(resp, "ETag", a->etag);
	/* revalidate every time: an upgraded binary serves new assets at once */
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return reply(r, 200, resp, a->len);
}

static enum MHD_Result h_page(struct req *r, const char *rest)
{
	(void)rest;
	if (!strcmp(r->url, "/login"))
		return reply_asset(r, "login.html");
	if (!strcmp(r->url, "/admin"))
		return reply_asset(r, "admin.html");
	return reply_asset(r, "annotate.html");   /* /annotate and /refine */
}

static enum MHD_Result h_static(struct req *r, const char *rest)
{
	const char *p;
	/* only flat names of embedded files: no path ever reaches the file system */
	for (p = rest; *p; p++)
		if (*p == '/' || *p == '\\')
			return reply_error(r, 404, "no such file");
	if (!strcmp(rest, "login.html") || !strcmp(rest, "annotate.html") || !strcmp(rest, "admin.html"))
		return reply_error(r, 404, "no such file");
	return reply_asset(r, rest);
}

const char *role_home(enum mlfy_role role)
{
	switch (role) {
	case MLFY_ROLE_EXPERT: return "/refine";
	case MLFY_ROLE_ADMIN: return "/admin";
	default: return "/annotate";
	}
}

static int load_session(struct req *r);

static enum MHD_Result h_root(struct req *r, const char *rest)
{
	(void)rest;
	if (load_session(r) == 0)
		return reply_redirect(r, role_home(r->sess.user.role));
	return reply_redirect(r, "/login");
}

static enum MHD_Result h_health(struct req *r, const char *rest)
{
	(void)rest;
	return reply_json(r, 200, json_pack("{sb}", "ok", 1));
}

/* ---- sessions and CSRF ------------------------------------------------------- */

/* 0 with r->sess filled, MLFY_ENOTFOUND when there is no valid session, or
 * another status on a store error. */
static int load_session(struct req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	struct mlfy_err err;
	int64_t idle = r->srv->cfg.idle_timeout_s, touch, now;
	int rc;

	if (r->has_session)
		return 0;
	if (!tok)
		return MLFY_ENOTFOUND;
	touch = idle / 4 < 30 ? idle / 4 : 30;
	now = (int64_t)time(NULL);
	mlfy_err_clear(&err);
	rc = mlfy_sessions_lookup(r->store, tok, now, idle, INT64_MAX, &r->sess, &err);
	if (rc == 0) {
		r->has_session = 1;
		snprintf(r->token, sizeof(r->token), "%s", tok);
		if (now - r->sess.last_seen >= touch) {
			pthread_mutex_lock(&r->srv->write_mu);
			if (mlfy_sessions_touch(r->store, tok, now, &err))
				srv_log_error(r->srv, "session touch: %s", err.msg);
			pthread_mutex_unlock(&r->srv->write_mu);
			r->sess.last_seen = now;
		}
	} else if (rc != MLFY_ENOTFOUND) {
		srv_log_error(r->srv, "session lookup: %s", err.msg);
	}
	return rc;
}

/* 1 when origin is "http://HOST" or "https://HOST". */
static int origin_is(const char *origin, const char *host)
{
	const char *p = NULL;
	if (!strncmp(origin, "https://", 8))
		p = origin + 8;
	else if (!strncmp(origin, "http://", 7))
		p = origin + 7;
	return host && *host && p && !strcmp(p, host);
}

/* The Origin header, when present, must be this server (defence in depth
 * beside SameSite=Strict and the CSRF token): its host the request's Host,
 * or the X-Forwarded-Host a reverse proxy sets.  Either scheme: behind a
 * TLS-terminating proxy the browser's origin is https:// while this server
 * speaks plain HTTP.  A cross-site page can set neither header (Host is
 * the browser's; X-Forwarded-Host would need a CORS preflight, which is
 * never granted), so this still refuses every cross-origin request. */
static int origin_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	if (!origin)
		return 1;
	return origin_is(origin, req_header(r, "Host")) || origin_is(origin, req_header(r, "X-Forwarded-Host"));
}

static int csrf_ok(struct req *r)
{
	const char *h = req_header(r, "X-CSRF-Token");
	if (!h || strlen(h) != MLFY_TOKEN_LEN)
		return 0;
	return sodium_memcmp(h, r->sess.csrf, MLFY_TOKEN_LEN) == 0;
}

/* ---- routes -------------------------------------------------------------------- */

#define R_ANNOTATOR (1u << MLFY_ROLE_ANNOTATOR)
#define R_EXPERT (1u << MLFY_ROLE_EXPERT)
#define R_ADMIN (1u << MLFY_ROLE_ADMIN)
#define R_ANY (R_ANNOTATOR | R_EXPERT | R_ADMIN)

static const struct route {
	const char *method;   /* "GET" also answers HEAD */
	const char *path;
	int prefix;           /* 1: path is a prefix; the rest is passed to the handler */
	unsigned roles;       /* 0: no session needed; else roles allowed */
	handler_fn fn;
} routes[] = {
	{ "GET", "/", 0, 0, h_root },
	{ "GET", "/login", 0, 0, h_page },
	{ "GET", "/annotate", 0, 0, h_page },
	{ "GET", "/refine", 0, 0, h_page },
	{ "GET", "/admin", 0, 0, h_page },
	{ "GET", "/static/", 1, 0, h_static },
	{ "GET", "/api/health", 0, 0, h_health },
	{ "POST", "/api/login", 0, 0, h_login },
	{ "POST", "/api/logout", 0, R_ANY, h_logout },
	{ "GET", "/api/me", 0, R_ANY, h_me },
	{ "GET", "/api/vocabulary", 0, R_ANY, h_vocabulary },
	{ "GET", "/api/tasks", 0, R_ANY, h_tasks },
	{ "GET", "/api/tasks/", 1, R_ANY, h_task },
	{ "PUT", "/api/tasks/", 1, R_ANY, h_task },
	{ "GET", "/api/classes", 0, R_ANY, h_classes },
	{ "GET", "/api/dashboard", 0, R_ADMIN, h_dashboard },
	{ "GET", "/api/export/", 1, R_ADMIN, h_export },
	{ "GET", "/api/images/", 1, R_ANY, h_image },
	{ "GET", "/api/exemplars/", 1, R_ANY, h_exemplar },
};

static int path_match(const struct route *rt, const char *url, const char **rest)
{
	size_t n = strlen(rt->path);
	if (rt->prefix) {
		if (strncmp(url, rt->path, n) != 0)
			return 0;
		*rest = url + n;
		return 1;
	}
	*rest = "";
	return !strcmp(url, rt->path);
}

static enum MHD_Result dispatch(struct req *r)
{
	const char *method = !strcmp(r->method, "HEAD") ? "GET" : r->method;
	const struct route *rt = NULL;
	const char *rest = "";
	struct mlfy_err err;
	size_t i;
	int path_known = 0, rc;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *rs;
		if (!path_match(&routes[i], r->url, &rs))
			continue;
		path_known = 1;
		if (!strcmp(routes[i].method, method)) {
			rt = &routes[i];
			rest = rs;
			break;
		}
	}
	if (!rt) {
		char allow[64] = "", msg[128];
		if (!path_known)
			return reply_error(r, 404, "no such route");
		/* a 405 must say what is allowed (RFC 9110, 15.5.6) */
		for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
			const char *rs;
			if (!path_match(&routes[i], r->url, &rs))
				continue;
			snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s%s", allow[0] ? ", " : "",
				 routes[i].method, strcmp(routes[i].method, "GET") ? "" : ", HEAD");
		}
		snprintf(msg, sizeof(msg), "method not allowed here (allowed: %s)", allow);
		return reply_json_hdr(r, 405, json_pack("{ss}", "error", msg), "Allow", allow);
	}
	mlfy_err_clear(&err);
	if (!(r->store = srv_store(r->srv, &err))) {
		srv_log_error(r->srv, "open store: %s", err.msg);
		return reply_error(r, 503, "the project store cannot be opened; see the server log");
	}
	if (strcmp(method, "GET") && !origin_ok(r))
		return reply_error(r, 403, "cross-origin request refused");
	if (rt->roles) {
		rc = load_session(r);
		if (rc == MLFY_ENOTFOUND)
			return reply_error(r, 401, "not logged in (or the session expired)");
		if (rc)
			return reply_error(r, 500, "internal error; see the server log");
		if (!(rt->roles & (1u << r->sess.user.role)))
			return reply_error(r, 403, "this needs the %s role",
					   rt->roles == R_ADMIN ? "admin" : "right");
		if (strcmp(method, "GET") && !csrf_ok(r))
			return reply_error(r, 403, "missing or wrong CSRF token (X-CSRF-Token header)");
	}
	return rt->fn(r, rest);
}

/* ---- MHD callbacks -------------------------------------------------------------- */

struct hdr_scan {
	const char *first;     /* the first Content-Length value */
	int conflict;          /* another one differs from it */
	int n_host;            /* Host headers */
};

static enum MHD_Result hdr_scan_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct hdr_scan *c = cls;
	(void)kind;
	if (!strcasecmp(key, MHD_HTTP_HEADER_HOST))
		c->n_host++;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
		return MHD_YES;
	if (!c->first)
		c->first = value ? value : "";
	else if (strcmp(c->first, value ? value : "") != 0)
		c->conflict = 1;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct mlfy_server *srv = cls;
	struct req *r = *con_cls;
	(void)version;

	if (!r) {
		const union MHD_ConnectionInfo *ci;
		const char *cl;
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->url = url;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr) {
			if (ci->client_addr->sa_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
					  r->addr, sizeof(r->addr));
			else if (ci->client_addr->sa_family == AF_INET6)
				inet_ntop(AF_INET6,
					  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
					  r->addr, sizeof(r->addr));
		}
		*con_cls = r;
		{
			/* Content-Length headers that disagree make the framing
			 * ambiguous (RFC 9112, 6.3): libmicrohttpd would take the
			 * first, a proxy in front of it perhaps another -- a request
			 * smuggled past the proxy.  Likewise two Host headers (RFC
			 * 9112, 3.2: 400), which the Origin check relies on.  Refuse,
			 * and close. */
			struct hdr_scan sc = { NULL, 0, 0 };
			MHD_get_connection_values(conn, MHD_HEADER_KIND, hdr_scan_one, &sc);
			if (sc.conflict || sc.n_host > 1) {
				r->too_big = 1;   /* discard any body */
				return reply_error(r, 400, "%s", sc.conflict ? "conflicting Content-Length headers"
									     : "more than one Host header");
			}
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
			/* refuse before reading: memory stays bounded */
			r->too_big = 1;
			return reply_error(r, 413, "request body larger than %zu bytes", srv->cfg.max_body);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->too_big)
			return MHD_YES;   /* a reply (413, 400) queued before the body: discard it */
		if (r->len + n > srv->cfg.max_body) {
			/* only a chunked body gets here (a Content-Length over the
			 * limit is refused above, a shorter one is enforced by
			 * libmicrohttpd).  A reply cannot be queued in the middle of
			 * a body, and reading on to its end to send the 413 would let
			 * a client stream without end: close the connection now. */
			srv_log_error(srv, "request from %s: chunked body over %zu bytes; connection closed", r->addr,
				      srv->cfg.max_body);
			r->too_big = 1;
			r->status = 413;
			free(r->body);
			r->body = NULL;
			r->len = 0;
			return MHD_NO;
		}
		{
			char *nb = realloc(r->body, r->len + n + 1);
			if (!nb)
				return MHD_NO;
			r->body = nb;
			memcpy(r->body + r->len, upload_data, n);
			r->len += n;
			r->body[r->len] = '\0';
		}
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	return dispatch(r);
}

static void json_escape_into(char *out, size_t n, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	snprintf(out, n, "%s", t ? t : "\"?\"");
	free(t);
	json_decref(j);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct mlfy_server *srv = cls;
	struct req *r = *con_cls;
	(void)conn;

	if (!r)
		return;
	if (srv->cfg.log) {
		struct timespec t1;
		char line[2048], when[32], path[1024], user[160];
		double ms;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
		mlfy_store_now(when);
		json_escape_into(path, sizeof(path), r->url);
		json_escape_into(user, sizeof(user), r->has_session ? r->sess.user.name : "");
		snprintf(line, sizeof(line),
			 "{\"time\":\"%s\",\"method\":\"%s\",\"path\":%s,\"status\":%u,\"bytes\":%llu,"
			 "\"ms\":%.3f,\"user\":%s,\"addr\":\"%s\"%s}",
			 when, r->method ? r->method : "?", path, r->status, (unsigned long long)r->bytes, ms, user,
			 r->addr, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
		srv->cfg.log(srv->cfg.log_ctx, "access", line);
	}
	free(r->body);
	mlfy_session_release(&r->sess);
	sodium_memzero(r->token, sizeof(r->token));
	free(r);
	*con_cls = NULL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decoding of the path and query (MHD's unescape callback), except
 * that %00 stays literal: a NUL must never cut a path or value short. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s;
	const char *r = s;
	(void)cls;
	(void)c;
	while (*r) {
		int hi, lo;
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 && (hi || lo)) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct mlfy_server *srv = cls;
	char msg[1024];
	size_t n;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	srv_log_error(srv, "libmicrohttpd: %s", msg);
}

/* ---- start / stop ----------------------------------------------------------------- */

static int read_file(const char *path, char **out, struct mlfy_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*out = NULL;
	if (!f)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a readable PEM file of at most 1 MiB", path);
	}
	if (!(buf = malloc((size_t)n + 1))) {
		fclose(f);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return mlfy_err_set(err, MLFY_EIO, "%s: read error", path);
	}
	buf[n] = '\0';
	fclose(f);
	*out = buf;
	return 0;
}

static void server_free(struct mlfy_server *srv)
{
	int i;
	for (i = 0; i < srv->n_stores; i++)
		mlfy_store_close(srv->stores[i]);
	pthread_key_delete(srv->store_key);
	pthread_mutex_destroy(&srv->mu);
	pthread_mutex_destroy(&srv->login_mu);
	pthread_mutex_destroy(&srv->write_mu);
	pthread_mutex_destroy(&srv->rl.mu);
	free(srv->project);
	free(srv->listen_host);
	free(srv->cache_dir);
	if (srv->tls_key_pem)
		sodium_memzero(srv->tls_key_pem, strlen(srv->tls_key_pem));
	free(srv->tls_cert_pem);
	free(srv->tls_key_pem);
	free(srv);
}

int mlfy_server_start(const struct mlfy_server_config *cfg, struct mlfy_server **out,
		      struct mlfy_err *err)
{
	struct mlfy_server *srv;
	struct mlfy_store *s = NULL;
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	struct MHD_OptionItem opts[16];
	int no = 0, rc;

	*out = NULL;
	if (!cfg->project || cfg->idle_timeout_s <= 0 || cfg->threads < 1 || cfg->threads > 64 ||
	    cfg->max_connections < 1 || cfg->max_body < 1024 || cfg->max_header < 4096)
		return mlfy_err_set(err, MLFY_EINVAL, "bad server configuration");
	if (!cfg->tls_cert != !cfg->tls_key)
		return mlfy_err_set(err, MLFY_EINVAL, "TLS needs both a certificate and a key");
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	/* the project must open (migrations run once here, not per thread) */
	if ((rc = mlfy_store_open(cfg->project, 0, &s, err)))
		return rc;
	mlfy_store_close(s);

	if (!(srv = calloc(1, sizeof(*srv))))
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	srv->cfg = *cfg;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_mutex_init(&srv->login_mu, NULL);
	pthread_mutex_init(&srv->write_mu, NULL);
	pthread_mutex_init(&srv->rl.mu, NULL);
	rl_init(&srv->rl);
	if (pthread_key_create(&srv->store_key, NULL) != 0) {
		free(srv);
		return mlfy_err_set(err, MLFY_ENOMEM, "cannot create a thread key");
	}
	srv->project = strdup(cfg->project);
	srv->listen_host = strdup(cfg->listen_host ? cfg->listen_host : "127.0.0.1");
	if (cfg->cache_dir) {
		srv->cache_dir = strdup(cfg->cache_dir);
	} else if ((srv->cache_dir = malloc(strlen(cfg->project) + 8))) {
		strcpy(srv->cache_dir, cfg->project);
		strcat(srv->cache_dir, ".cache");
	}
	if (!srv->project || !srv->listen_host || !srv->cache_dir) {
		server_free(srv);
		return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
	}
	srv->cfg.project = srv->project;
	srv->cfg.listen_host = srv->listen_host;
	srv->cfg.cache_dir = srv->cache_dir;
	if (cfg->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			server_free(srv);
			return mlfy_err_set(err, MLFY_EUNSUPPORTED, "this libmicrohttpd was built without TLS");
		}
		if ((rc = read_file(cfg->tls_cert, &srv->tls_cert_pem, err)) ||
		    (rc = read_file(cfg->tls_key, &srv->tls_key_pem, err))) {
			server_free(srv);
			return rc;
		}
		srv->tls = 1;
		flags |= MHD_USE_TLS;
	}
	srv->cfg.tls_cert = srv->cfg.tls_key = NULL;
	if ((rc = images_init(srv, err))) {
		server_free(srv);
		return rc;
	}

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, srv->listen_host, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, srv->listen_host, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)cfg->port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		server_free(srv);
		return mlfy_err_set(err, MLFY_EINVAL, "listen address '%s' is not a numeric IPv4 or IPv6 address",
				    cfg->listen_host);
	}
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, srv };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, sa };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)cfg->max_header, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL };
	if (cfg->threads > 1)
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads, NULL };
	if (srv->tls) {
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem };
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem };
		/* GnuTLS defaults less the deprecated protocol versions (RFC 8996:
		 * TLS 1.0 and 1.1 must not be negotiated) */
		opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						      (void *)"NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1" };
	}
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!srv->d) {
		rc = mlfy_err_set(err, MLFY_EIO, "cannot listen on %s port %u%s (address in use, or a bad TLS"
				  " certificate/key?)", srv->listen_host, cfg->port, srv->tls ? " with TLS" : "");
		server_free(srv);
		return rc;
	}
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
		srv->port = di ? di->port : cfg->port;
	}
	*out = srv;
	return 0;
}

unsigned mlfy_server_port(const struct mlfy_server *srv)
{
	return srv->port;
}

void mlfy_server_stop(struct mlfy_server *srv)
{
	if (!srv)
		return;
	if (srv->d) {
		MHD_socket fd = MHD_quiesce_daemon(srv->d);
		MHD_stop_daemon(srv->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	server_free(srv);
}
