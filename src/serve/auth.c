/* auth.c - sessions, Origin and CSRF checks, and the login, logout and
 * "me" routes (auth.h).  Passwords and sessions themselves are the store's
 * (store/accounts.h); the login throttle is ratelimit.c's. */
#include "serve/auth.h"
#include "serve/http.h"

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

/* 0 with r->sess filled, MLFY_ENOTFOUND when there is no valid session, or
 * another status on a store error. */
int auth_session(struct req *r)
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
int auth_origin_ok(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	if (!origin)
		return 1;
	return origin_is(origin, req_header(r, "Host")) || origin_is(origin, req_header(r, "X-Forwarded-Host"));
}

int auth_csrf_ok(struct req *r)
{
	const char *h = req_header(r, "X-CSRF-Token");
	if (!h || strlen(h) != MLFY_TOKEN_LEN)
		return 0;
	return sodium_memcmp(h, r->sess.csrf, MLFY_TOKEN_LEN) == 0;
}

enum MHD_Result h_login(struct req *r, const char *rest)
{
	struct mlfy_server *srv = r->srv;
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1], cookie[256], retry[32];
	const char *user, *pw;
	enum MHD_Result ret;
	struct mlfy_user u;
	struct mlfy_err err;
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
	if ((wait = rl_wait(&srv->rl, user, r->addr, now)) > 0) {
		json_decref(j);
		snprintf(retry, sizeof(retry), "%lld", (long long)wait);
		return reply_json_hdr(r, 429,
				      json_pack("{sssI}", "error", "too many failed logins; wait and try again",
						"retry_after", (json_int_t)wait),
				      "Retry-After", retry);
	}
	mlfy_err_clear(&err);
	pthread_mutex_lock(&srv->login_mu);
	rc = mlfy_users_verify(r->store, user, pw, &u, &err);
	pthread_mutex_unlock(&srv->login_mu);
	if (rc == MLFY_EPERM) {
		rl_fail(&srv->rl, user, r->addr, now);
		json_decref(j);
		return reply_error(r, 401, "wrong user name or password");
	}
	if (rc) {
		json_decref(j);
		return reply_err(r, &err);
	}
	rl_ok(&srv->rl, user, r->addr);
	json_decref(j);
	pthread_mutex_lock(&srv->write_mu);
	if ((rc = mlfy_store_begin(r->store, &err)) ||
	    (rc = mlfy_sessions_purge(r->store, now, srv->cfg.idle_timeout_s, NULL, &err)) ||
	    (rc = mlfy_sessions_create(r->store, u.id, now, token, csrf, &err)) ||
	    (rc = mlfy_store_commit(r->store, &err))) {
		mlfy_store_rollback(r->store);
		pthread_mutex_unlock(&srv->write_mu);
		mlfy_user_release(&u);
		return reply_err(r, &err);
	}
	pthread_mutex_unlock(&srv->write_mu);
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
		 srv->tls ? "; Secure" : "");
	ret = reply_json_hdr(r, 200,
			     json_pack("{sssssssssI}", "user", u.name, "role", mlfy_role_name(u.role), "csrf", csrf,
				       "home", role_home(u.role), "idle_timeout", (json_int_t)srv->cfg.idle_timeout_s),
			     "Set-Cookie", cookie);
	mlfy_user_release(&u);
	return ret;
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
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
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
			  json_pack("{sssssssssI}", "user", r->sess.user.name, "role", mlfy_role_name(r->sess.user.role),
				    "csrf", r->sess.csrf, "home", role_home(r->sess.user.role), "idle_timeout",
				    (json_int_t)r->srv->cfg.idle_timeout_s));
}
