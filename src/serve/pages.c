/* pages.c - the pages and the embedded web/ assets (pages.h): ETag and
 * no-cache revalidation, flat names only (no path reaches the file system). */
#include "serve/pages.h"
#include "serve/assets.h"
#include "serve/auth.h"
#include "serve/http.h"

#include <string.h>

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

enum MHD_Result h_page(struct req *r, const char *rest)
{
	(void)rest;
	if (!strcmp(r->url, "/login"))
		return reply_asset(r, "login.html");
	if (!strcmp(r->url, "/admin"))
		return reply_asset(r, "admin.html");
	if (!strcmp(r->url, "/invite"))
		return reply_asset(r, "invite.html");
	if (!strcmp(r->url, "/verify"))
		return reply_asset(r, "verify.html");
	return reply_asset(r, "annotate.html");   /* /annotate and /refine */
}

enum MHD_Result h_static(struct req *r, const char *rest)
{
	const char *p;
	/* only flat names of embedded files: no path ever reaches the file system */
	for (p = rest; *p; p++)
		if (*p == '/' || *p == '\\')
			return reply_error(r, 404, "no such file");
	if (!strcmp(rest, "login.html") || !strcmp(rest, "annotate.html") || !strcmp(rest, "admin.html") ||
	    !strcmp(rest, "invite.html") || !strcmp(rest, "verify.html"))
		return reply_error(r, 404, "no such file");
	return reply_asset(r, rest);
}

enum MHD_Result h_root(struct req *r, const char *rest)
{
	(void)rest;
	if (auth_session(r) == 0)
		return reply_redirect(r, user_home(r, &r->sess.user));
	return reply_redirect(r, "/login");
}

enum MHD_Result h_health(struct req *r, const char *rest)
{
	(void)rest;
	return reply_json(r, 200, json_pack("{sb}", "ok", 1));
}
