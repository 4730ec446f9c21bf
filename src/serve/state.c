/* state.c - the server's shared state (state.h): the store connection of
 * each worker thread, opened on first use, the error log, and the start of
 * its background threads. */
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

int srv_thread_start(pthread_mutex_t *mu, pthread_cond_t *cv, int *inited, int *started, pthread_t *th,
		     void *(*fn)(void *), void *arg, const char *what, struct mlfy_err *err)
{
	pthread_mutex_init(mu, NULL);
	pthread_cond_init(cv, NULL);
	*inited = 1;
	if (pthread_create(th, NULL, fn, arg) != 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot start %s", what);
	*started = 1;
	return 0;
}
