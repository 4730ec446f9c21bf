/* auth.c - sessions, Origin and CSRF checks, and the login, logout and
 * "me" routes (auth.h).  Passwords and sessions themselves are the store's
 * (store/accounts.h); the login throttle is ratelimit.c's (its state the
 * store's, shared by every instance): a read here before a login is
 * queued, the bookkeeping on the login thread (logins.c). */
#include "serve/auth.h"
#include "serve/hosts.h"
#include "serve/http.h"
#include "serve/logins.h"
#include "serve/ratelimit.h"
#include "review/verify.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *role_home(enum mlfy_role role)
{
	switch (role) {
	case MLFY_ROLE_EXPERT: return "/refine";
	case MLFY_ROLE_ADMIN: return "/admin";
	default: return "/annotate";
	}
}

const char *user_home(struct req *r, const struct mlfy_user *u)
{
	struct mlfy_err err;
	int only = 0;

	if (u->role != MLFY_ROLE_ANNOTATOR)
		return role_home(u->role);
	mlfy_err_clear(&err);
	if (mlfy_verify_only(r->store, u->id, &only, &err))
		return role_home(u->role);
	return only ? "/verify" : "/annotate";
}

/* 0 with r->sess filled, MLFY_ENOTFOUND when there is no valid session, or
 * another status on a store error. */
int auth_session(struct req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, r->srv->cookie_name);
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
	rc = mlfy_sessions_lookup(r->store, tok, now, idle, r->srv->cfg.session_max_age_s, INT64_MAX, &r->sess, &err);
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
 * or the X-Forwarded-Host of a trusted reverse proxy (hosts.h; a page can
 * set that header on its own same-origin requests, so only a proxy's is
 * believed).  Either scheme: behind a TLS-terminating proxy the browser's
 * origin is https:// while this server speaks plain HTTP.  Host itself was
 * checked against the names the server answers to (hosts_request_ok)
 * before any route ran. */
int auth_origin_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	if (!origin)
		return 1;
	return origin_is(origin, req_header(r, "Host")) || origin_is(origin, hosts_forwarded(r));
}

int auth_csrf_ok(struct req *r)
{
	const char *h = req_header(r, "X-CSRF-Token");
	if (!h || strlen(h) != MLFY_TOKEN_LEN)
		return 0;
	return sodium_memcmp(h, r->sess.csrf, MLFY_TOKEN_LEN) == 0;
}

/* 429 with Retry-After: a throttled login (serve/ratelimit.h). */
static enum MHD_Result reply_throttled(struct req *r, int64_t wait)
{
	char retry[32];
	snprintf(retry, sizeof(retry), "%lld", (long long)wait);
	return reply_json_hdr(r, 429,
			      json_pack("{sssI}", "error", "too many failed logins; wait and try again", "retry_after",
					(json_int_t)wait),
			      "Retry-After", retry);
}

/* 503: the shared throttle could not be read or written, so the login is
 * refused whatever the password (fail closed: a failing database must not
 * let guesses through uncounted). */
static enum MHD_Result throttle_down(struct req *r)
{
	return reply_json_hdr(r, 503,
			      json_pack("{sssI}", "error",
					"logins are refused for now: the login throttle cannot reach the project's"
					" database; try again later", "retry_after", (json_int_t)30),
			      "Retry-After", "30");
}

/* The second half of a login, after logins.c checked the password on its
 * own thread and libmicrohttpd resumed the request: throttle bookkeeping,
 * the session, the reply. */
static enum MHD_Result login_finish(struct req *r)
{
	struct mlfy_server *srv = r->srv;
	struct login_job *job = r->login;
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1], cookie[256];
	int64_t now = (int64_t)time(NULL);
	enum MHD_Result ret;
	struct mlfy_err err;
	int rc;

	r->login = NULL;
	if (job->cancelled) {
		login_job_free(job);
		return reply_json_hdr(r, 503, json_pack("{sssI}", "error", "the server is stopping; try again",
							"retry_after", (json_int_t)5), "Retry-After", "5");
	}
	if (job->throttle_failed) {
		srv_log_error(srv, "login throttle: %s", job->err.msg);
		login_job_free(job);
		return throttle_down(r);
	}
	if (job->wait > 0) {
		ret = reply_throttled(r, job->wait);
		login_job_free(job);
		return ret;
	}
	if (job->rc == MLFY_EPERM) {
		login_job_free(job);
		return reply_error(r, 401, "wrong user name or password");
	}
	if (job->rc) {
		ret = reply_err(r, &job->err);
		login_job_free(job);
		return ret;
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&srv->write_mu);
	if ((rc = mlfy_store_begin(r->store, &err)) ||
	    (rc = mlfy_sessions_purge(r->store, now, srv->cfg.idle_timeout_s, NULL, &err)) ||
	    (rc = mlfy_sessions_create(r->store, job->u.id, now, token, csrf, &err)) ||
	    (rc = mlfy_store_commit(r->store, &err))) {
		mlfy_store_rollback(r->store);
		pthread_mutex_unlock(&srv->write_mu);
		login_job_free(job);
		return reply_err(r, &err);
	}
	pthread_mutex_unlock(&srv->write_mu);
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", srv->cookie_name, token,
		 srv->tls ? "; Secure" : "");
	ret = reply_json_hdr(r, 200,
			     json_pack("{sssssssssIss}", "user", job->u.name, "role", mlfy_role_name(job->u.role), "csrf",
				       csrf, "home", user_home(r, &job->u), "idle_timeout",
				       (json_int_t)srv->cfg.idle_timeout_s, "project", srv->project_name),
			     "Set-Cookie", cookie);
	sodium_memzero(token, sizeof(token));
	login_job_free(job);
	return ret;
}

/* POST /api/login: throttled logins are refused at once (429); the others
 * queue for their password check (logins.h), or get 503 with Retry-After
 * when the queue is full in all or for this address. */
enum MHD_Result h_login(struct req *r, const char *rest)
{
	struct mlfy_server *srv = r->srv;
	struct mlfy_err err;
	const char *user, *pw;
	enum MHD_Result ret;
	int64_t now = (int64_t)time(NULL), wait;
	json_t *j;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	user = str_field(j, "user");
	pw = str_field(j, "password");
	if (!user || !pw) {
		json_decref(j);
		return reply_error(r, 400, "login needs \"user\" and \"password\" strings");
	}
	mlfy_err_clear(&err);
	if (rl_wait(r->store, user, r->addr, now, &wait, &err)) {
		json_decref(j);
		srv_log_error(srv, "login throttle: %s", err.msg);
		return throttle_down(r);
	}
	if (wait > 0) {
		json_decref(j);
		return reply_throttled(r, wait);
	}
	rc = logins_submit(r, user, pw, login_finish);
	json_decref(j);
	if (rc == 0)
		return MHD_YES;   /* suspended; login_finish replies */
	if (rc < 0)
		return reply_error(r, 500, "out of memory");
	/* a capacity limit, not a throttle: 503, which the login page retries
	 * by itself (QA: a 429 told people who had made no mistake "too many
	 * attempts") */
	return reply_json_hdr(r, 503,
			      json_pack("{sssI}", "error", rc == LOGINS_FULL
				? "the server is busy with other logins; try again in a moment"
				: "too many logins in progress from this address; try again in a moment",
				"retry_after", (json_int_t)1),
			      "Retry-After", "1");
}

enum MHD_Result h_logout(struct req *r, const char *rest)
{
	char cookie[160];
	struct mlfy_err err;
	int rc;

	(void)rest;
	mlfy_err_clear(&err);
	pthread_mutex_lock(&r->srv->write_mu);
	if ((rc = mlfy_store_begin(r->store, &err)) || (rc = mlfy_sessions_delete(r->store, r->token, &err)) ||
	    (rc = mlfy_store_commit(r->store, &err))) {
		mlfy_store_rollback(r->store);
		pthread_mutex_unlock(&r->srv->write_mu);
		return reply_err(r, &err);
	}
	pthread_mutex_unlock(&r->srv->write_mu);
	snprintf(cookie, sizeof(cookie), "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", r->srv->cookie_name,
		 r->srv->tls ? "; Secure" : "");
	/* and what the browser kept of this session: cached images, the
	 * page's storage (a shared computer; docs/serve.md) */
	return reply_json_hdrs(r, 200, json_pack("{sb}", "ok", 1), (const char *const[]){ "Set-Cookie", cookie,
			       "Clear-Site-Data", "\"cache\", \"storage\"", NULL });
}

enum MHD_Result h_me(struct req *r, const char *rest)
{
	(void)rest;
	return reply_json(r, 200,
			  json_pack("{sssssssssIss}", "user", r->sess.user.name, "role", mlfy_role_name(r->sess.user.role),
				    "csrf", r->sess.csrf, "home", user_home(r, &r->sess.user), "idle_timeout",
				    (json_int_t)r->srv->cfg.idle_timeout_s, "project", r->srv->project_name));
}
