/* console.h - the coordinator's console (docs/admin.md): the admin-only
 * routes that run a project from the browser.  Each handler parses its
 * request, calls the same library function as the matching CLI command
 * (review/assign_plan.h, review/analyze.h, review/gold.h, ...), records
 * what it changed in the audit log, and encodes the result; previews are
 * the library's dry runs.  Files by area: people.c (accounts, invitations),
 * stages.c (assignment, analysis, refinement), gold.c (gold images, the
 * zero-label review), insight.c (quality, progress, the audit log), live.c
 * (the live project view). */
#ifndef MLFY_SERVE_CONSOLE_H
#define MLFY_SERVE_CONSOLE_H

#include <jansson.h>

#include "serve/state.h"
#include "util/error.h"

/* Appends one row to the audit log (store/audit.h): actor the session's
 * account, via "console", action, params (borrowed; NULL = {}), and the
 * result (borrowed; NULL = {}) or, when err is not NULL and holds an error,
 * the error's message with ok 0.  Takes the write lock; a failure to
 * append is logged, never replied. */
void console_audit(struct req *r, const char *action, json_t *params, json_t *result,
		   const struct mlfy_err *err);

/* A JSON array of strings in o[key] as a new array of borrowed pointers
 * (free() it; NULL with *n 0 when absent or empty): 0, or -1 after
 * replying 400 naming the key (*ret holds the reply's result). */
int console_names(struct req *r, json_t *o, const char *key, const char ***names, size_t *n,
		  enum MHD_Result *ret);

/* people.c */
enum MHD_Result h_admin_users(struct req *r, const char *rest);
enum MHD_Result h_admin_user(struct req *r, const char *rest);
enum MHD_Result h_invite_check(struct req *r, const char *rest);
enum MHD_Result h_invite_accept(struct req *r, const char *rest);

/* stages.c */
enum MHD_Result h_admin_assign(struct req *r, const char *rest);
enum MHD_Result h_admin_analyze(struct req *r, const char *rest);
enum MHD_Result h_admin_refinement(struct req *r, const char *rest);

/* gold.c */
enum MHD_Result h_admin_gold(struct req *r, const char *rest);
enum MHD_Result h_admin_gold_add(struct req *r, const char *rest);
enum MHD_Result h_admin_gold_remove(struct req *r, const char *rest);
enum MHD_Result h_admin_zero(struct req *r, const char *rest);
enum MHD_Result h_admin_zero_review(struct req *r, const char *rest);

/* insight.c */
enum MHD_Result h_admin_quality(struct req *r, const char *rest);
enum MHD_Result h_admin_progress(struct req *r, const char *rest);
enum MHD_Result h_admin_audit(struct req *r, const char *rest);

/* live.c */
enum MHD_Result h_admin_live(struct req *r, const char *rest);
enum MHD_Result h_admin_live_svg(struct req *r, const char *rest);
/* Frees the live view's state (server stop). */
void live_shutdown(struct mlfy_server *srv);

#endif
