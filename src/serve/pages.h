/* pages.h - the pages and their assets (pages.c): /, /login, /annotate,
 * /refine, /admin, /verify, /static/<file>, /api/health. */
#ifndef MLFY_SERVE_PAGES_H
#define MLFY_SERVE_PAGES_H

#include "serve/state.h"

enum MHD_Result h_root(struct req *r, const char *rest);
enum MHD_Result h_page(struct req *r, const char *rest);
enum MHD_Result h_static(struct req *r, const char *rest);
enum MHD_Result h_health(struct req *r, const char *rest);

#endif
