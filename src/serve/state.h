/* state.h - what every part of src/serve works on (state.c): the running
 * server (settings, worker-thread store connections, locks, the login
 * queue) and one HTTP request.  Never include this outside src/serve (it
 * includes microhttpd.h). */
#ifndef MLFY_SERVE_STATE_H
#define MLFY_SERVE_STATE_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "serve/config.h"
#include "store/accounts.h"

#define MAX_STORES 256

struct login_job;
struct live_state;
struct live_waiter;
struct conn_track;
struct commits;
struct commit_job;

/* The login queue (logins.c). */
struct logins {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct login_job *head, *tail;   /* waiting checks, oldest first */
	struct login_job *running;       /* the check in progress */
	unsigned n;                      /* waiting */
	int stop, started, inited;
	pthread_t th;
};

/* The live view's long polls (livewait.c): suspended requests waiting for
 * the project's change sequence to pass theirs, and the one thread that
 * watches it for all of them. */
struct live_waits {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct live_waiter *head;        /* waiting requests */
	unsigned n;
	int stop, started, inited;
	pthread_t th;
};

/* Open connections and their request deadlines (conns.c). */
struct conns {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct conn_track *head;
	unsigned long closed;            /* connections closed for missing their deadline */
	int stop, started, inited;
	pthread_t th;
};

struct mlfy_server {
	struct mlfy_server_config cfg;   /* strings below are owned copies */
	char *project, *listen_host, *cache_dir;
	char *tls_cert_pem, *tls_key_pem;
	int tls;
	struct MHD_Daemon *d;
	unsigned port;
	pthread_key_t store_key;         /* this thread's struct mlfy_store */
	pthread_mutex_t mu;              /* guards stores[] */
	struct mlfy_store *stores[MAX_STORES];
	int n_stores;
	pthread_mutex_t write_mu;        /* one store write transaction at a time in this process:
					  * writers queue here instead of in SQLite's sleeping busy
					  * handler, which would add 1-100 ms waits under load */
	struct logins logins;
	struct conns conns;
	struct commits *commits;         /* the group commit of writes (commit.h) */
	char *project_name;              /* mlfy init --name, else the file's base name (for the pages) */
	char cookie_name[64];            /* the session cookie: "mlfy_session_" + 8 hex digits of
					  * SHA-256(project path); "__Host-" before it under TLS */
	char **hosts;                    /* Host header values answered (lowercase), NULL-terminated */
	char **proxies;                  /* addresses whose X-Forwarded-Host is believed */
	pthread_mutex_t live_mu;         /* guards live: one refresh at a time (live.c) */
	struct live_state *live;         /* the live project view, built on its first request */
	struct live_waits waits;         /* long polls of the live view (livewait.c) */
};

/* One HTTP request (MHD's con_cls): freed in the completion callback. */
struct req {
	struct mlfy_server *srv;
	struct MHD_Connection *conn;
	const char *method;              /* MHD's, valid for the request */
	const char *url;
	struct timespec t0;
	char *body;                      /* request body, NUL-terminated; NULL when none */
	size_t len;
	size_t body_cap;                 /* bytes allocated for body (util/vec.h) */
	int too_big;                     /* body refused (over cfg.max_body, or bad framing): discard it */
	int replied;
	unsigned status;                 /* reply status, for the access log */
	uint64_t bytes;                  /* reply body size */
	struct mlfy_store *store;        /* this thread's connection */
	int has_session;
	struct mlfy_session sess;
	char token[MLFY_TOKEN_LEN + 1];  /* the session cookie's value, when valid */
	char addr[64];                   /* client address */
	int close;                       /* reply with Connection: close (broken framing) */
	struct login_job *login;         /* a login check queued for this request (logins.h) */
	struct commit_job *commit;       /* a write queued for the group commit (commit.h) */
	struct live_waiter *lwait;       /* a long poll of the live view (livewait.h) */
	enum MHD_Result (*resume)(struct req *r); /* called when a suspended request resumes */
};

/* This thread's store connection (opened on first use); NULL on error with
 * the message in err. */
struct mlfy_store *srv_store(struct mlfy_server *srv, struct mlfy_err *err);

/* Initialises *mu and *cv (setting *inited), then starts fn(arg) as *th
 * (setting *started).  0, or MLFY_EIO naming what (e.g. "the login
 * thread").  The two background threads of the server (logins.c, conns.c)
 * start this way; their owners join them and destroy mu and cv. */
int srv_thread_start(pthread_mutex_t *mu, pthread_cond_t *cv, int *inited, int *started, pthread_t *th,
		     void *(*fn)(void *), void *arg, const char *what, struct mlfy_err *err);

/* Server-side error message to the log. */
void srv_log_error(struct mlfy_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));


#endif
