/* auth.h - who is asking (auth.c): the session behind the cookie, the
 * Origin and CSRF checks of writes, each role's home page, and the login,
 * logout and "me" routes. */
#ifndef MLFY_SERVE_AUTH_H
#define MLFY_SERVE_AUTH_H

#include "serve/state.h"

/* Home page of a role ("/annotate", "/refine", "/admin"). */
const char *role_home(enum mlfy_role role);

/* Home page of a person: role_home, except "/verify" for an annotator
 * whose only work is the verification grid (review/verify.h,
 * mlfy_verify_only); role_home on a store error. */
const char *user_home(struct req *r, const struct mlfy_user *u);

/* Loads the request's session from its cookie into r->sess (refreshing its
 * last use at most every 30 s): 0, MLFY_ENOTFOUND when there is no valid
 * session, or another status on a store error (logged). */
int auth_session(struct req *r);

/* 1 when the request's Origin header is absent or names this server (its
 * Host, or the X-Forwarded-Host a reverse proxy sets), either scheme. */
int auth_origin_ok(struct req *r);

/* 1 when X-CSRF-Token matches the session's token (constant time). */
int auth_csrf_ok(struct req *r);

/* POST /api/login, POST /api/logout, GET /api/me (docs/serve.md). */
enum MHD_Result h_login(struct req *r, const char *rest);
enum MHD_Result h_logout(struct req *r, const char *rest);
enum MHD_Result h_me(struct req *r, const char *rest);

#endif
