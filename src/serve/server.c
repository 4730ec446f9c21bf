/* server.c - the libmicrohttpd daemon of `mlfy serve`: start and stop, and
 * the request lifecycle (framing checks, body accumulation with a size
 * limit, the hand-over to routes.c, completion with the access log).
 * Everything a request does after its body arrived is routes.c's and the
 * handlers'. */
#include "serve/server.h"
#include "serve/commit.h"
#include "serve/conns.h"
#include "serve/console.h"
#include "serve/hosts.h"
#include "serve/http.h"
#include "serve/livewait.h"
#include "serve/logins.h"
#include "serve/images.h"
#include "serve/routes.h"
#include "serve/state.h"
#include "util/file.h"
#include "util/pguri.h"

#include "util/vec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
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

/* ---- MHD callbacks -------------------------------------------------------------- */

struct hdr_scan {
	const char *first;     /* the first Content-Length value */
	int conflict;          /* another one differs from it */
	int n_host;            /* Host headers */
	int te;                /* a Transfer-Encoding header */
};

static enum MHD_Result hdr_scan_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct hdr_scan *c = cls;
	(void)kind;
	if (!strcasecmp(key, MHD_HTTP_HEADER_HOST))
		c->n_host++;
	if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		c->te = 1;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
		return MHD_YES;
	if (!c->first)
		c->first = value ? value : "";
	else if (strcmp(c->first, value ? value : "") != 0)
		c->conflict = 1;
	return MHD_YES;
}

/* Longest request target (path and query string) answered; longer ones get
 * 414 before anything else is looked at: libmicrohttpd keeps the request
 * line and headers in the connection's memory (--max-header), where a long
 * query string leaves less room for parsing the headers (the Cookie among
 * them); nothing of ours needs more than a few hundred bytes. */
#define MAX_TARGET 8192

static enum MHD_Result add_header_len(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;   /* "K: V\r\n" */
	return MHD_YES;
}

/* The length of the request target as sent: the size of the header block
 * less the header lines, the method and the version. */
static size_t target_len(struct MHD_Connection *conn, const char *method, const char *version)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	size_t hdrs = strlen(method) + strlen(version) + 6;   /* two spaces, two CRLF */
	if (!ci)
		return 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_len, &hdrs);
	return ci->header_size > hdrs ? ci->header_size - hdrs : 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct mlfy_server *srv = cls;
	struct req *r = *con_cls;

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
		if (target_len(conn, method, version) > MAX_TARGET) {
			r->too_big = 1;   /* discard any body */
			return reply_error(r, 414, "request target longer than %d bytes", MAX_TARGET);
		}
		{
			/* Content-Length headers that disagree make the framing
			 * ambiguous (RFC 9112, 6.3): libmicrohttpd would take the
			 * first, a proxy in front of it perhaps another -- a request
			 * smuggled past the proxy.  So does a Content-Length beside a
			 * Transfer-Encoding (RFC 9112, 6.3: "ought to be handled as
			 * an error", and the connection closed after the reply).
			 * Likewise two Host headers (RFC 9112, 3.2: 400), which the
			 * Origin check relies on.  Refuse, and close. */
			struct hdr_scan sc = { NULL, 0, 0, 0 };
			MHD_get_connection_values(conn, MHD_HEADER_KIND, hdr_scan_one, &sc);
			if (sc.conflict || sc.n_host > 1 || (sc.te && sc.first)) {
				r->too_big = 1;   /* discard any body */
				r->close = 1;
				return reply_error(r, 400, "%s", sc.conflict ? "conflicting Content-Length headers"
							       : sc.n_host > 1 ? "more than one Host header"
									       : "Content-Length together with Transfer-Encoding");
			}
		}
		if (!hosts_request_ok(r)) {
			/* DNS rebinding (hosts.h): a name this server is not.  Named
			 * in the reply and the log, so that a coordinator knows which
			 * --public-name to add (QA) */
			const char *h = req_header(r, "Host"), *fwd = hosts_forwarded(r);
			const char *bad = h && !hosts_allowed(srv, h) ? h : fwd ? fwd : "";
			r->too_big = 1;
			srv_log_error(srv, "request from %s for host '%.200s' refused (not this server's; --public-name adds"
				      " a name)", r->addr, bad);
			return reply_error(r, 421, "this server does not answer to the host name '%.200s'"
					   " (mlfy serve --public-name NAME adds one)", bad);
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
			r->len = r->body_cap = 0;
			return MHD_NO;
		}
		if (MLFY_GROW(r->body, r->body_cap, r->len + n + 1))
			return MHD_NO;
		memcpy(r->body + r->len, upload_data, n);
		r->len += n;
		r->body[r->len] = '\0';
		return MHD_YES;
	}
	/* head and body are in: from here the request is the server's, and
	 * no longer under the request deadline (conns.h) -- which so covers
	 * a body trickled byte by byte as well as a slow head (QA, issue 12) */
	conns_request_started(srv, conn);
	if (r->resume) {
		/* a suspended request (a login whose password check ran on the
		 * login thread, a write committed by the committer) is back */
		enum MHD_Result (*fn)(struct req *) = r->resume;
		r->resume = NULL;
		return fn(r);
	}
	if (r->replied)
		return MHD_YES;
	return routes_dispatch(r);
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

	conns_request_done(srv, conn);
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
	login_job_free(r->login);
	commit_job_free(srv, r->commit);
	livewait_free(r->lwait);
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

/* A PEM certificate or key file (at most 1 MiB), NUL-terminated. */
static int read_pem(const char *path, char **out, struct mlfy_err *err)
{
	size_t len;
	return mlfy_read_file(path, (size_t)1 << 20, out, &len, err);
}

/* The session cookie's name: one per project, so that two projects served
 * from one host (cookies ignore the port) keep their sessions apart --
 * "mlfy_session_" and 8 hex digits of SHA-256 of the project file's
 * absolute path; under TLS with the "__Host-" prefix, which browsers
 * accept only with Secure, Path=/ and no Domain (RFC 6265bis, 4.1.3.2). */
static void cookie_name(struct mlfy_server *srv, int tls)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *abs = realpath(srv->project, NULL);
	const char *p = abs ? abs : srv->project;
	crypto_hash_sha256(h, (const unsigned char *)p, strlen(p));
	free(abs);
	snprintf(srv->cookie_name, sizeof(srv->cookie_name), "%smlfy_session_%02x%02x%02x%02x",
		 tls ? "__Host-" : "", h[0], h[1], h[2], h[3]);
}

static void server_free(struct mlfy_server *srv)
{
	int i;
	for (i = 0; i < srv->n_stores; i++)
		mlfy_store_close(srv->stores[i]);
	pthread_key_delete(srv->store_key);
	pthread_mutex_destroy(&srv->mu);
	pthread_mutex_destroy(&srv->write_mu);
	commits_free(srv);
	live_shutdown(srv);
	livewait_destroy(srv);
	pthread_mutex_destroy(&srv->live_mu);
	if (srv->logins.inited) {
		pthread_cond_destroy(&srv->logins.cv);
		pthread_mutex_destroy(&srv->logins.mu);
	}
	if (srv->conns.inited) {
		pthread_cond_destroy(&srv->conns.cv);
		pthread_mutex_destroy(&srv->conns.mu);
	}
	hosts_free(srv);
	MLFY_FREE_ALL(srv->project, srv->listen_host, srv->cache_dir, srv->project_name);
	if (srv->tls_key_pem)
		sodium_memzero(srv->tls_key_pem, strlen(srv->tls_key_pem));
	MLFY_FREE_ALL(srv->tls_cert_pem, srv->tls_key_pem, srv);
}

int mlfy_server_start(const struct mlfy_server_config *cfg, struct mlfy_server **out,
		      struct mlfy_err *err)
{
	struct mlfy_server *srv;
	struct mlfy_store *s = NULL;
	char *pname = NULL;
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem opts[20];
	int no = 0, rc;

	*out = NULL;
	if ((rc = mlfy_server_config_check(cfg, err)))
		return rc;
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	/* the project must open (migrations run once here, not per thread) */
	if ((rc = mlfy_store_open(cfg->project, 0, &s, err)))
		return rc;
	{
		/* the project's name, shown by the pages (mlfy init --name) */
		struct mlfy_err nerr;
		if (mlfy_store_meta_get(s, "name", &pname, &nerr) == 0 && pname && !*pname) {
			free(pname);
			pname = NULL;
		}
		if (!pname && mlfy_store_is_pg(cfg->project)) {
			char db[256];
			if (mlfy_pguri_dbname(cfg->project, db, sizeof(db)) == 0)
				pname = strdup(db);
		}
		if (!pname)
			pname = strdup(mlfy_path_base(cfg->project));
	}
	mlfy_store_close(s);
	if (!pname)
		return mlfy_err_oom(err);

	if (!(srv = calloc(1, sizeof(*srv)))) {
		free(pname);
		return mlfy_err_oom(err);
	}
	srv->project_name = pname;
	srv->cfg = *cfg;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_mutex_init(&srv->write_mu, NULL);
	pthread_mutex_init(&srv->live_mu, NULL);
	if (pthread_key_create(&srv->store_key, NULL) != 0) {
		free(srv);
		return mlfy_err_set(err, MLFY_ENOMEM, "cannot create a thread key");
	}
	srv->project = strdup(cfg->project);
	srv->listen_host = strdup(cfg->listen_host ? cfg->listen_host : "127.0.0.1");
	if (cfg->cache_dir) {
		srv->cache_dir = strdup(cfg->cache_dir);
	} else if (mlfy_store_is_pg(cfg->project)) {   /* no file name to derive it from (docs/serve.md) */
		char *shown = mlfy_store_redacted(cfg->project);
		srv->cache_dir = shown ? mlfy_pguri_cache_dir(cfg->project, shown) : NULL;
		free(shown);
		if (!srv->cache_dir) {
			server_free(srv);
			return mlfy_err_set(err, MLFY_EINVAL, "a PostgreSQL project needs an image cache folder: give "
					    "one with --cache DIR (the default under $XDG_CACHE_HOME or $HOME is unset)");
		}
	} else if ((srv->cache_dir = malloc(strlen(cfg->project) + 8))) {
		strcpy(srv->cache_dir, cfg->project);
		strcat(srv->cache_dir, ".cache");
	}
	if (!srv->project || !srv->listen_host || !srv->cache_dir) {
		server_free(srv);
		return mlfy_err_oom(err);
	}
	srv->cfg.project = srv->project;
	srv->cfg.listen_host = srv->listen_host;
	cookie_name(srv, cfg->tls_cert != NULL);
	srv->cfg.cache_dir = srv->cache_dir;
	if (cfg->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			server_free(srv);
			return mlfy_err_set(err, MLFY_EUNSUPPORTED, "this libmicrohttpd was built without TLS");
		}
		if ((rc = read_pem(cfg->tls_cert, &srv->tls_cert_pem, err)) ||
		    (rc = read_pem(cfg->tls_key, &srv->tls_key_pem, err))) {
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
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_per_address, NULL };
	opts[no++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)conns_notify, srv };
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

	srv->port = cfg->port;
	if ((cfg->port && (rc = hosts_init(srv, err))) || (rc = logins_start(srv, err)) ||
	    (rc = commits_start(srv, err)) || (rc = conns_start(srv, err)) || (rc = livewait_start(srv, err))) {
		logins_stop(srv);
		commits_stop(srv);
		conns_stop(srv);
		livewait_stop(srv);
		server_free(srv);
		return rc;
	}
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!srv->d) {
		rc = mlfy_err_set(err, MLFY_EIO, "cannot listen on %s port %u%s (address in use, or a bad TLS"
				  " certificate/key?)", srv->listen_host, cfg->port, srv->tls ? " with TLS" : "");
		logins_stop(srv);
		commits_stop(srv);
		conns_stop(srv);
		livewait_stop(srv);
		server_free(srv);
		return rc;
	}
	if (!cfg->port) {
		/* port 0: the names carry the port the system chose */
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
		srv->port = di ? di->port : 0;
		if ((rc = hosts_init(srv, err))) {
			mlfy_server_stop(srv);
			return rc;
		}
	}
	*out = srv;
	return 0;
}

unsigned mlfy_server_port(const struct mlfy_server *srv)
{
	return srv->port;
}

const char *mlfy_server_cookie_name(const struct mlfy_server *srv)
{
	return srv->cookie_name;
}

void mlfy_server_stop(struct mlfy_server *srv)
{
	if (!srv)
		return;
	if (srv->d) {
		MHD_socket fd = MHD_quiesce_daemon(srv->d);
		/* no suspended connection may remain when libmicrohttpd stops;
		 * every queued write is committed and answered (commit.h) */
		logins_stop(srv);
		commits_stop(srv);
		conns_stop(srv);
		livewait_stop(srv);
		MHD_stop_daemon(srv->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	server_free(srv);
}
