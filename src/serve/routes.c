/* routes.c - the route table and the dispatch (routes.h). */
#include "serve/routes.h"
#include "serve/auth.h"
#include "serve/console.h"
#include "serve/dashboard.h"
#include "serve/export.h"
#include "serve/http.h"
#include "serve/images.h"
#include "serve/pages.h"
#include "serve/reports.h"
#include "serve/tasks.h"
#include "serve/verify.h"

#include <stdio.h>
#include <string.h>

typedef enum MHD_Result (*handler_fn)(struct req *r, const char *rest);

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
	{ "POST", "/api/admin/reports", 0, R_ADMIN, h_report_generate },
	{ "GET", "/api/admin/reports", 0, R_ADMIN, h_report_list },
	{ "GET", "/api/admin/reports/", 1, R_ADMIN, h_report_file },
	/* the coordinator's console (console.h; docs/admin.md) */
	{ "GET", "/invite", 0, 0, h_page },
	{ "POST", "/api/invite/check", 0, 0, h_invite_check },
	{ "POST", "/api/invite", 0, 0, h_invite_accept },
	{ "GET", "/api/admin/users", 0, R_ADMIN, h_admin_users },
	{ "POST", "/api/admin/users", 0, R_ADMIN, h_admin_users },
	{ "POST", "/api/admin/users/", 1, R_ADMIN, h_admin_user },
	{ "POST", "/api/admin/assign", 0, R_ADMIN, h_admin_assign },
	{ "POST", "/api/admin/analyze", 0, R_ADMIN, h_admin_analyze },
	{ "POST", "/api/admin/refinement", 0, R_ADMIN, h_admin_refinement },
	{ "GET", "/api/admin/gold", 0, R_ADMIN, h_admin_gold },
	{ "POST", "/api/admin/gold/add", 0, R_ADMIN, h_admin_gold_add },
	{ "POST", "/api/admin/gold/remove", 0, R_ADMIN, h_admin_gold_remove },
	{ "GET", "/api/admin/zero-label", 0, R_ADMIN, h_admin_zero },
	{ "POST", "/api/admin/zero-label", 0, R_ADMIN, h_admin_zero_review },
	{ "GET", "/api/admin/quality", 0, R_ADMIN, h_admin_quality },
	{ "GET", "/api/admin/progress", 0, R_ADMIN, h_admin_progress },
	{ "GET", "/api/admin/audit", 0, R_ADMIN, h_admin_audit },
	{ "GET", "/api/admin/live", 0, R_ADMIN, h_admin_live },
	{ "GET", "/api/admin/live.svg", 0, R_ADMIN, h_admin_live_svg },
	/* the verification grid (verify.h; ReaL's protocol) */
	{ "GET", "/verify", 0, 0, h_page },
	{ "GET", "/api/verify/labels", 0, R_ANY, h_verify_labels },
	{ "GET", "/api/verify/labels/", 1, R_ANY, h_verify_label },
	{ "POST", "/api/verify/pages", 0, R_ANY, h_verify_pages },
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

enum MHD_Result routes_dispatch(struct req *r)
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
	if (strcmp(method, "GET") && !auth_origin_ok(r))
		return reply_error(r, 403, "cross-origin request refused");
	if (rt->roles) {
		rc = auth_session(r);
		if (rc == MLFY_ENOTFOUND)
			return reply_error(r, 401, "not logged in (or the session expired)");
		if (rc)
			return reply_error(r, 500, "internal error; see the server log");
		if (!(rt->roles & (1u << r->sess.user.role)))
			return reply_error(r, 403, "this needs the %s role",
					   rt->roles == R_ADMIN ? "admin" : "right");
		if (strcmp(method, "GET") && !auth_csrf_ok(r))
			return reply_error(r, 403, "missing or wrong CSRF token (X-CSRF-Token header)");
	}
	return rt->fn(r, rest);
}
