/* http.c - request and reply helpers (http.h). */
#include "serve/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *req_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int64_t parse_id(const char *s, const char **end, int64_t max)
{
	int64_t v = 0;
	const char *p = s;
	if (!s || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > max || p - s > 15)
			return -1;
		p++;
	}
	if (*p && *p != '/')
		return -1;
	if (end)
		*end = p;
	else if (*p)
		return -1;
	return v;
}

void reply_common_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* a handler may have set its own (serve/reports.c, for the generated
	 * report pages): two policies would both be enforced */
	if (!MHD_get_response_header(resp, "Content-Security-Policy"))
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
					" connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none';"
					" form-action 'self'");
	if (r->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

enum MHD_Result reply(struct req *r, unsigned status, struct MHD_Response *resp, uint64_t size)
{
	enum MHD_Result ret;
	if (!resp)
		return MHD_NO;
	reply_common_headers(r, resp);
	if (r->close)   /* broken framing: nothing after this request may be read */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	r->status = status;
	r->bytes = size;
	r->replied = 1;
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result reply_json(struct req *r, unsigned status, json_t *obj)
{
	return reply_json_hdr(r, status, obj, NULL, NULL);
}

enum MHD_Result reply_json_hdr(struct req *r, unsigned status, json_t *obj, const char *hname,
			       const char *hval)
{
	const char *const hdrs[] = { hname, hval, NULL };
	return reply_json_hdrs(r, status, obj, hdrs);
}

enum MHD_Result reply_json_hdrs(struct req *r, unsigned status, json_t *obj, const char *const *hdrs)
{
	struct MHD_Response *resp;
	char *txt = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	size_t n;

	json_decref(obj);
	if (!txt)
		return MHD_NO;
	n = strlen(txt);
	resp = MHD_create_response_from_buffer_with_free_callback(n, txt, free);
	if (!resp) {
		free(txt);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	for (; hdrs && hdrs[0]; hdrs += 2)
		MHD_add_response_header(resp, hdrs[0], hdrs[1]);
	return reply(r, status, resp, n);
}

/* Length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF) at s, or 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
		    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

enum MHD_Result reply_error(struct req *r, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	unsigned char *p;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages may quote request input: bytes that are not UTF-8 become
	 * '?', else jansson refuses the string and no reply at all is sent */
	for (p = (unsigned char *)msg; *p;) {
		size_t k = utf8_seq(p);
		if (k)
			p += k;
		else
			*p++ = '?';
	}
	return reply_json(r, status, json_pack("{ss}", "error", msg));
}

unsigned http_status_of(int code)
{
	switch (code) {
	case MLFY_EINVAL: return 400;
	case MLFY_EPERM: return 403;
	case MLFY_ENOTFOUND: return 404;
	case MLFY_ECONFLICT:       /* a stale write */
	case MLFY_ECLOSED:         /* a decided image (review/save.h) */
		return 409;
	case MLFY_EUNSUPPORTED: return 415;
	default: return 500;
	}
}

enum MHD_Result reply_server_err(struct req *r, const struct mlfy_err *err)
{
	/* the server's own failure: keep the details in the server log */
	srv_log_error(r->srv, "%s %s: %s", r->method, r->url, err->msg);
	return reply_error(r, 500, "internal error (%s); see the server log", mlfy_strstatus(err->code));
}

enum MHD_Result reply_err(struct req *r, const struct mlfy_err *err)
{
	unsigned status = http_status_of(err->code);
	if (status == 500)
		return reply_server_err(r, err);
	return reply_error(r, status, "%s", err->msg[0] ? err->msg : mlfy_strstatus(err->code));
}

enum MHD_Result reply_redirect(struct req *r, const char *location)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", location);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return reply(r, 302, resp, 0);
}

/* 1 when the Content-Type value ct is application/json (the media type
 * case-insensitive, RFC 9110 8.3.1), alone or with parameters
 * ("application/json; charset=utf-8"); not application/jsonx,
 * application/json-patch+json, ... */
static int is_json_type(const char *ct)
{
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	for (ct += 16; *ct == ' ' || *ct == '\t'; ct++)
		;
	return *ct == '\0' || *ct == ';';
}

/* Parses the request body as a JSON object.  NULL after replying 4xx. */
json_t *body_json(struct req *r, enum MHD_Result *ret)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *j;

	if (!is_json_type(ct)) {
		*ret = reply_error(r, 415, "the body must be JSON (Content-Type: application/json)");
		return NULL;
	}
	if (!r->body || !r->len) {
		*ret = reply_error(r, 400, "empty body; expected a JSON object");
		return NULL;
	}
	j = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		*ret = reply_error(r, 400, "bad JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*ret = reply_error(r, 400, "expected a JSON object");
		return NULL;
	}
	return j;
}

const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}
