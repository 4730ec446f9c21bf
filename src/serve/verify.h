/* verify.h - the routes of the verification grid (verify.c; ReaL's
 * protocol, review/verify.h; docs/serve.md lists them):
 *   GET  /api/verify/labels                      the rater's labels and counts
 *   GET  /api/verify/labels/<class>?limit=&offset= the label and its pending items
 *   GET  /api/verify/labels/<class>/images/<question id>?size= an item's image
 *   POST /api/verify/pages                       a page of answers
 * Every route needs a session (any role: the questions are the person's
 * own); the POST also the CSRF header (routes.c). */
#ifndef MLFY_SERVE_VERIFY_H
#define MLFY_SERVE_VERIFY_H

#include "serve/state.h"

enum MHD_Result h_verify_labels(struct req *r, const char *rest);
/* rest: "<class>" or "<class>/images/<question id>" */
enum MHD_Result h_verify_label(struct req *r, const char *rest);
enum MHD_Result h_verify_pages(struct req *r, const char *rest);

#endif
