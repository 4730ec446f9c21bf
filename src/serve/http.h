/* http.h - request and reply helpers of src/serve (http.c), below the
 * handlers: query/header lookup, ids in paths, JSON bodies, JSON and error
 * replies with the headers every reply carries, and the one mapping from
 * library status codes to HTTP statuses. */
#ifndef MLFY_SERVE_HTTP_H
#define MLFY_SERVE_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>

#include "serve/state.h"

/* Adds the headers every reply carries (CSP, nosniff, frame denial, HSTS
 * under TLS).  A Content-Security-Policy already on resp is kept instead of
 * the server's (the generated reports' pages, serve/reports.c). */
void reply_common_headers(struct req *r, struct MHD_Response *resp);
/* Queues resp with status (destroys resp), recording status and size. */
enum MHD_Result reply(struct req *r, unsigned status, struct MHD_Response *resp, uint64_t size);
/* JSON reply; steals obj.  API replies are never cached. */
enum MHD_Result reply_json(struct req *r, unsigned status, json_t *obj);
/* The same with one extra header (hname may be NULL). */
enum MHD_Result reply_json_hdr(struct req *r, unsigned status, json_t *obj, const char *hname,
			       const char *hval);
/* The same with extra headers: name, value pairs up to a NULL name. */
enum MHD_Result reply_json_hdrs(struct req *r, unsigned status, json_t *obj, const char *const *hdrs);
/* {"error": msg} with status. */
enum MHD_Result reply_error(struct req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The HTTP status of a library status code: MLFY_EINVAL 400, MLFY_EPERM 403,
 * MLFY_ENOTFOUND 404, MLFY_ECONFLICT 409, MLFY_EUNSUPPORTED 415; every other
 * code (MLFY_ESTORE, MLFY_EIO, MLFY_ENOMEM, ...) is the server's own
 * failure, 500.  By code only: never by the text of a message. */
unsigned http_status_of(int code);
/* Replies with err: its message for 4xx; for 500 a generic message while
 * err's (which may name the project file and quote SQLite) goes to the
 * log. */
enum MHD_Result reply_err(struct req *r, const struct mlfy_err *err);
/* 500 for err whatever its code, details to the log: for failures that are
 * the server's by where they happen (opening the project file). */
enum MHD_Result reply_server_err(struct req *r, const struct mlfy_err *err);
/* 302 to location. */
enum MHD_Result reply_redirect(struct req *r, const char *location);

/* Query-string argument, or NULL. */
const char *req_arg(struct req *r, const char *name);
/* Request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Parses a decimal id in [0, max] from s up to its end or to a '/' (*end set);
 * -1 when malformed. */
int64_t parse_id(const char *s, const char **end, int64_t max);

/* Parses the request body as a JSON object (Content-Type application/json,
 * duplicate keys refused).  A new reference, or NULL after replying 4xx
 * (*ret then holds the reply's result). */
json_t *body_json(struct req *r, enum MHD_Result *ret);
/* The string member key of o, or NULL when absent or not a string. */
const char *str_field(json_t *o, const char *key);

#endif
