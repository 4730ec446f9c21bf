/* console.c - what every console handler shares (console.h): recording an
 * action in the audit log, and reading a list of names from a request. */
#include "serve/console.h"
#include "serve/http.h"
#include "store/audit.h"

#include <stdlib.h>
#include <string.h>

void console_audit(struct req *r, const char *action, json_t *params, json_t *result,
		   const struct mlfy_err *err)
{
	struct mlfy_err aerr;
	char *p = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *res = NULL;
	int ok = !(err && err->code);

	if (ok)
		res = result ? json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	mlfy_err_clear(&aerr);
	pthread_mutex_lock(&r->srv->write_mu);
	if (mlfy_audit_append(r->store, r->sess.user.name, "console", action, p ? p : "{}",
			      ok ? (res ? res : "{}") : err->msg, ok, &aerr))
		srv_log_error(r->srv, "audit log: %s: %s", action, aerr.msg);
	pthread_mutex_unlock(&r->srv->write_mu);
	free(p);
	free(res);
}

int console_names(struct req *r, json_t *o, const char *key, const char ***names, size_t *n,
		  enum MHD_Result *ret)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*names = NULL;
	*n = 0;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		*ret = reply_error(r, 400, "\"%s\" must be a list of names", key);
		return -1;
	}
	if (!json_array_size(a))
		return 0;
	if (!(*names = calloc(json_array_size(a), sizeof(**names)))) {
		*ret = reply_error(r, 500, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !*json_string_value(v)) {
			free(*names);
			*names = NULL;
			*ret = reply_error(r, 400, "\"%s\"[%zu] must be a non-empty name", key, i);
			return -1;
		}
		(*names)[i] = json_string_value(v);
	}
	*n = json_array_size(a);
	return 0;
}
