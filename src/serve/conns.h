/* conns.h - request deadlines of `mlfy serve` (conns.c): every open
 * connection is tracked, and one that has not delivered a complete request
 * head and body within cfg.request_timeout_s seconds of opening (or of its
 * previous reply) is closed.  libmicrohttpd's own timeout counts idle time
 * only, so a client trickling one header line every few seconds would
 * hold its connection for ever ("slowloris"); with the per-address
 * connection limit this bounds what slow clients can take from others. */
#ifndef MLFY_SERVE_CONNS_H
#define MLFY_SERVE_CONNS_H

#include <microhttpd.h>

#include "serve/state.h"
#include "util/error.h"

/* Starts the deadline thread (it checks once a second).  0, or MLFY_EIO. */
int conns_start(struct mlfy_server *srv, struct mlfy_err *err);
/* Stops it; safe when conns_start never ran.  Call before MHD_stop_daemon
 * returns the connections' memory (the table is emptied by the CLOSED
 * notifications). */
void conns_stop(struct mlfy_server *srv);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback (cls: the server):
 * starts and ends the tracking of a connection. */
void conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		  enum MHD_ConnectionNotificationCode code);

/* A request's head and body have arrived (the request handler's last
 * call): the connection is busy until conns_request_done. */
void conns_request_started(struct mlfy_server *srv, struct MHD_Connection *conn);
/* The reply of the connection's request was sent: its next request has
 * cfg.request_timeout_s from now. */
void conns_request_done(struct mlfy_server *srv, struct MHD_Connection *conn);

#endif
