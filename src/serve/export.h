/* export.h - GET /api/export/<format> (export.c): an `mlfy export` format
 * streamed to an admin's browser as a download. */
#ifndef MLFY_SERVE_EXPORT_H
#define MLFY_SERVE_EXPORT_H

#include "serve/state.h"

enum MHD_Result h_export(struct req *r, const char *rest);

#endif
