/* dashboard.h - GET /api/dashboard, the admin's numbers (dashboard.c). */
#ifndef MLFY_SERVE_DASHBOARD_H
#define MLFY_SERVE_DASHBOARD_H

#include "serve/state.h"

enum MHD_Result h_dashboard(struct req *r, const char *rest);

#endif
