/* conns.c - the request deadline of every connection: a table of open
 * connections and a thread that closes those whose request is overdue
 * (conns.h). */
#include "serve/conns.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct conn_track {
	int fd;
	struct sockaddr_storage peer;   /* to recognise the socket before closing it */
	socklen_t peer_len;
	time_t since;                   /* opened, or previous reply sent (CLOCK_MONOTONIC s) */
	int busy;                       /* a request is being served: no deadline */
	unsigned long served;           /* requests completed on this connection */
	int shut;                       /* already shut down */
	struct conn_track *prev, *next;
};

static time_t now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

void conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		  enum MHD_ConnectionNotificationCode code)
{
	struct mlfy_server *srv = cls;
	struct conns *c = &srv->conns;
	struct conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(t = calloc(1, sizeof(*t))))
			return;   /* untracked: libmicrohttpd's idle timeout still applies */
		t->fd = ci->connect_fd;
		t->peer_len = sizeof(t->peer);
		if (getpeername(t->fd, (struct sockaddr *)&t->peer, &t->peer_len) != 0)
			t->peer_len = 0;
		t->since = now_s();
		pthread_mutex_lock(&c->mu);
		t->next = c->head;
		if (c->head)
			c->head->prev = t;
		c->head = t;
		pthread_mutex_unlock(&c->mu);
		*socket_context = t;
		return;
	}
	if (!t)
		return;
	pthread_mutex_lock(&c->mu);
	if (t->prev)
		t->prev->next = t->next;
	else
		c->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&c->mu);
	free(t);
	*socket_context = NULL;
}

static struct conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Marks the connection busy (a request is being served) or idle since now. */
static void mark(struct mlfy_server *srv, struct MHD_Connection *conn, int busy)
{
	struct conn_track *t = track_of(conn);
	if (!t)
		return;
	pthread_mutex_lock(&srv->conns.mu);
	t->busy = busy;
	if (!busy) {
		t->since = now_s();
		t->served++;
	}
	pthread_mutex_unlock(&srv->conns.mu);
}

void conns_request_started(struct mlfy_server *srv, struct MHD_Connection *conn)
{
	mark(srv, conn, 1);
}

void conns_request_done(struct mlfy_server *srv, struct MHD_Connection *conn)
{
	mark(srv, conn, 0);
}

/* 1 when fd is still the socket t was opened as (same peer): the number
 * could have been reused by a new connection if libmicrohttpd closed the
 * old one before its CLOSED notification. */
static int same_socket(const struct conn_track *t)
{
	struct sockaddr_storage p;
	socklen_t n = sizeof(p);
	if (!t->peer_len || getpeername(t->fd, (struct sockaddr *)&p, &n) != 0)
		return 0;
	return n == t->peer_len && !memcmp(&p, &t->peer, n);
}

static void *deadline_thread(void *arg)
{
	struct mlfy_server *srv = arg;
	struct conns *c = &srv->conns;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		struct timespec wake;
		struct conn_track *t;
		time_t now = now_s();
		unsigned long n = 0, slow = 0;

		for (t = c->head; t; t = t->next) {
			if (t->busy || t->shut || now - t->since <= srv->cfg.request_timeout_s)
				continue;
			t->shut = 1;
			/* shutdown, not close: the socket stays libmicrohttpd's, which
			 * sees the end of the stream and closes the connection itself */
			if (same_socket(t) && shutdown(t->fd, SHUT_RDWR) == 0) {
				n++;
				/* an idle keep-alive connection is routine; one that never
				 * delivered a request is a slow (or stalled) client */
				slow += !t->served;
			}
		}
		c->closed += n;
		if (slow)
			srv_log_error(srv, "closed %lu connection(s) whose first request did not arrive within %lld s"
				      " (slow or stalled clients)", slow, (long long)srv->cfg.request_timeout_s);
		clock_gettime(CLOCK_REALTIME, &wake);
		wake.tv_sec += 1;
		pthread_cond_timedwait(&c->cv, &c->mu, &wake);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

void conns_stop(struct mlfy_server *srv)
{
	struct conns *c = &srv->conns;
	if (!c->started)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	c->started = 0;
}

int conns_start(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct conns *c = &srv->conns;
	return srv_thread_start(&c->mu, &c->cv, &c->inited, &c->started, &c->th, deadline_thread, srv,
				"the request deadline thread", err);
}
