/* routes.h - the route table (routes.c): the one place that lists every
 * route with its method, path, the roles allowed and its handler. */
#ifndef MLFY_SERVE_ROUTES_H
#define MLFY_SERVE_ROUTES_H

#include "serve/state.h"

/* Finds the request's route and runs its handler after the shared checks:
 * 404 for an unknown path, 405 with Allow for another method, the worker's
 * store (503 when it cannot open), the Origin check of writes, the session
 * and role (401/403) and the CSRF token of writes. */
enum MHD_Result routes_dispatch(struct req *r);

#endif
