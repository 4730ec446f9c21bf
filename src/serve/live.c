/* live.c - the live project view of the console (console.h): GET
 * /api/admin/live (the figures of evaluate/live.h as JSON) and GET
 * /api/admin/live.svg (the ReaL vs top-1 scatter drawn by report/figures.h,
 * the code of `mlfy report`, so page and report never disagree).
 *
 * The server keeps one struct mlfy_live, built on the first request (a
 * full walk: seconds on a 1,000,000-image project) and then brought up to
 * date per request by mlfy_live_refresh, which reads only the images
 * whose final set changed since (bench/review/bench_live.c: well under
 * 50 ms per refresh at 1,000,000 images).  The SVG is drawn again only
 * when the figures changed.  One refresh at a time (live_mu).  With
 * ?after=SEQ the route is a long poll (livewait.h): the console page asks
 * again as soon as it has its answer, and gets the next one when any
 * instance on the project changes a final set. */
#include "serve/console.h"
#include "serve/http.h"
#include "serve/livewait.h"
#include "evaluate/live.h"
#include "evaluate/live_json.h"
#include "report/figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct live_state {
	struct mlfy_live *lv;
	char *svg;              /* the scatter of svg_seq, or NULL */
	size_t svg_len;
	int64_t svg_seq;
	int svg_stale;          /* the figures changed since svg was drawn */
	char reason[256];       /* why there is no scatter ("" when there is one) */
};

void live_shutdown(struct mlfy_server *srv)
{
	if (!srv->live)
		return;
	mlfy_live_free(srv->live->lv);
	free(srv->live->svg);
	free(srv->live);
	srv->live = NULL;
}

/* Brings the view up to date (building it on first use); under live_mu. */
static int live_update(struct req *r, struct mlfy_err *err)
{
	struct mlfy_server *srv = r->srv;
	int changed = 0, rc;

	if (!srv->live) {
		if (!(srv->live = calloc(1, sizeof(*srv->live))))
			return mlfy_err_oom(err);
		srv->live->svg_stale = 1;
	}
	if (!srv->live->lv) {
		if ((rc = mlfy_live_open(r->store, &srv->live->lv, err)))
			return rc;
		srv->live->svg_stale = 1;
		return 0;
	}
	if ((rc = mlfy_live_refresh(srv->live->lv, r->store, &changed, err)))
		return rc;
	if (changed)
		srv->live->svg_stale = 1;
	return 0;
}

/* Draws the scatter again when the figures changed; under live_mu. */
static int live_draw(struct live_state *ls, struct mlfy_err *err)
{
	struct mlfy_err ferr;
	int rc;

	if (!ls->svg_stale)
		return 0;
	free(ls->svg);
	ls->svg = NULL;
	ls->svg_len = 0;
	ls->reason[0] = 0;
	mlfy_err_clear(&ferr);
	rc = mlfy_live_scatter_svg(mlfy_live_view(ls->lv), &ls->svg, &ls->svg_len, &ferr);
	if (rc == MLFY_ENOTFOUND)
		snprintf(ls->reason, sizeof(ls->reason), "%s", ferr.msg);
	else if (rc)
		return mlfy_err_set(err, rc, "%s", ferr.msg);
	ls->svg_seq = mlfy_live_view(ls->lv)->seq;
	ls->svg_stale = 0;
	return 0;
}

/* The live view as JSON (brought up to date first). */
static enum MHD_Result live_reply(struct req *r)
{
	struct mlfy_server *srv = r->srv;
	struct mlfy_err err;
	json_t *o = NULL;
	char url[64];
	int rc;

	mlfy_err_clear(&err);
	pthread_mutex_lock(&srv->live_mu);
	if (!(rc = live_update(r, &err)) && !(rc = live_draw(srv->live, &err)) &&
	    (o = mlfy_live_json(mlfy_live_view(srv->live->lv)))) {
		snprintf(url, sizeof(url), "/api/admin/live.svg?seq=%lld", (long long)srv->live->svg_seq);
		json_object_set_new(o, "scatter", srv->live->svg ? json_pack("{ss}", "url", url)
								 : json_pack("{ss}", "reason", srv->live->reason));
	}
	pthread_mutex_unlock(&srv->live_mu);
	if (rc)
		return reply_err(r, &err);
	return o ? reply_json(r, 200, o) : reply_error(r, 500, "out of memory");
}

enum MHD_Result h_admin_live(struct req *r, const char *rest)
{
	(void)rest;
	if (req_arg(r, "after"))
		return livewait_begin(r, live_reply);   /* the long poll (livewait.h) */
	return live_reply(r);
}

enum MHD_Result h_admin_live_svg(struct req *r, const char *rest)
{
	struct mlfy_server *srv = r->srv;
	struct MHD_Response *resp = NULL;
	struct mlfy_err err;
	char reason[256] = "";
	size_t len = 0;
	int rc;

	(void)rest;
	mlfy_err_clear(&err);
	pthread_mutex_lock(&srv->live_mu);
	if (!(rc = live_update(r, &err)) && !(rc = live_draw(srv->live, &err))) {
		if (srv->live->svg) {
			len = srv->live->svg_len;
			resp = MHD_create_response_from_buffer(len, srv->live->svg, MHD_RESPMEM_MUST_COPY);
		} else {
			snprintf(reason, sizeof(reason), "%s", srv->live->reason);
		}
	}
	pthread_mutex_unlock(&srv->live_mu);
	if (rc)
		return reply_err(r, &err);
	if (!resp && reason[0])
		return reply_error(r, 404, "no scatter yet: %s", reason);
	if (!resp)
		return reply_error(r, 500, "out of memory");
	MHD_add_response_header(resp, "Content-Type", "image/svg+xml");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply(r, 200, resp, len);
}
