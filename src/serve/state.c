/* state.c - the server's shared state (state.h): the store connection of
 * each worker thread, opened on first use, and the error log. */
#include "serve/state.h"

#include <stdarg.h>
#include <stdio.h>

void srv_log_error(struct mlfy_server *srv, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (!srv->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv->cfg.log(srv->cfg.log_ctx, "error", msg);
}

struct mlfy_store *srv_store(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct mlfy_store *s = pthread_getspecific(srv->store_key);
	if (s)
		return s;
	if (mlfy_store_open(srv->project, 0, &s, err))
		return NULL;
	pthread_mutex_lock(&srv->mu);
	if (srv->n_stores == MAX_STORES) {
		pthread_mutex_unlock(&srv->mu);
		mlfy_store_close(s);
		mlfy_err_set(err, MLFY_ENOMEM, "too many worker threads");
		return NULL;
	}
	srv->stores[srv->n_stores++] = s;
	pthread_mutex_unlock(&srv->mu);
	pthread_setspecific(srv->store_key, s);
	return s;
}
