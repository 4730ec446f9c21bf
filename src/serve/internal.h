/* internal.h - what the files of src/serve share: the server and request
 * structs, the reply helpers and the handlers.  Never include this outside
 * src/serve (it includes microhttpd.h). */
#ifndef MLFY_SERVE_INTERNAL_H
#define MLFY_SERVE_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "serve/server.h"
#include "review/save.h"
#include "store/accounts.h"
#include "store/annotations.h"
#include "store/dashboard.h"
#include "store/taskview.h"
#include "store/zero_label.h"

/* ---- login throttling (ratelimit.c) ---------------------------------------- */

#define RL_SLOTS 4096
#define RL_FREE_TRIES 5        /* failures allowed before delays start */
#define RL_BASE_DELAY 30       /* seconds after the RL_FREE_TRIES-th failure; doubles */
#define RL_MAX_DELAY 900       /* seconds */
#define RL_HKEY_BYTES 16       /* libsodium's crypto_shorthash_KEYBYTES (SipHash-2-4) */

struct rl_slot {
	uint64_t key;          /* hash of user name + client address; 0 = free */
	int fails;             /* consecutive failures */
	int64_t until;         /* unix seconds before which logins are refused */
	int64_t last;          /* last failure, for eviction */
};

struct ratelimit {
	pthread_mutex_t mu;
	unsigned char hkey[RL_HKEY_BYTES]; /* SipHash key of the slot placement (random, rl_init) */
	struct rl_slot slot[RL_SLOTS];
};

/* Draws the table's random hash key (libsodium must be initialised). */
void rl_init(struct ratelimit *rl);
/* Seconds the (user, addr) pair must still wait before trying (0 = may try). */
int64_t rl_wait(struct ratelimit *rl, const char *user, const char *addr, int64_t now);
/* Records a failed / successful login. */
void rl_fail(struct ratelimit *rl, const char *user, const char *addr, int64_t now);
void rl_ok(struct ratelimit *rl, const char *user, const char *addr);

/* ---- the server -------------------------------------------------------------- */

#define MAX_STORES 256

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
	pthread_mutex_t login_mu;        /* one argon2id verification at a time (64 MiB each) */
	pthread_mutex_t write_mu;        /* one store write transaction at a time in this process:
					  * writers queue here instead of in SQLite's sleeping busy
					  * handler, which would add 1-100 ms waits under load */
	struct ratelimit rl;
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
	int too_big;                     /* body refused (over cfg.max_body, or bad framing): discard it */
	int replied;
	unsigned status;                 /* reply status, for the access log */
	uint64_t bytes;                  /* reply body size */
	struct mlfy_store *store;        /* this thread's connection */
	int has_session;
	struct mlfy_session sess;
	char token[MLFY_TOKEN_LEN + 1];  /* the session cookie's value, when valid */
	char addr[64];                   /* client address */
};

/* This thread's store connection (opened on first use); NULL on error with
 * the message in err. */
struct mlfy_store *srv_store(struct mlfy_server *srv, struct mlfy_err *err);

/* Server-side error message to the log. */
void srv_log_error(struct mlfy_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- replies (server.c) ---------------------------------------------------------- */

/* Adds the headers every reply carries (CSP, nosniff, frame denial, HSTS under TLS). */
void reply_common_headers(struct req *r, struct MHD_Response *resp);
/* Queues resp with status (destroys resp), recording status and size. */
enum MHD_Result reply(struct req *r, unsigned status, struct MHD_Response *resp, uint64_t size);
/* JSON reply; steals obj.  API replies are never cached. */
enum MHD_Result reply_json(struct req *r, unsigned status, json_t *obj);
/* The same with one extra header (hname may be NULL). */
enum MHD_Result reply_json_hdr(struct req *r, unsigned status, json_t *obj, const char *hname,
			       const char *hval);
/* {"error": msg} with status. */
enum MHD_Result reply_error(struct req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 when err comes from the store itself (its message starts with the
 * project's path: an SQLite error, a read-only, moved or missing project
 * file), not from the request: such errors are logged and answered 500. */
int err_is_server_side(const struct req *r, const struct mlfy_err *err);
/* Maps a library status to an HTTP status and replies with err's message;
 * server-side errors (err_is_server_side) get a generic 500. */
enum MHD_Result reply_err(struct req *r, const struct mlfy_err *err);
/* 302 to location. */
enum MHD_Result reply_redirect(struct req *r, const char *location);

/* Query-string argument, or NULL. */
const char *req_arg(struct req *r, const char *name);
/* Request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Parses a decimal id in [0, max] from s up to its end or to a '/' (*end set);
 * -1 when malformed. */
int64_t parse_id(const char *s, const char **end, int64_t max);

/* ---- handlers (api.c, export.c, images.c, server.c) ----------------------------------------- */

typedef enum MHD_Result (*handler_fn)(struct req *r, const char *rest);

enum MHD_Result h_login(struct req *r, const char *rest);
enum MHD_Result h_logout(struct req *r, const char *rest);
enum MHD_Result h_me(struct req *r, const char *rest);
enum MHD_Result h_vocabulary(struct req *r, const char *rest);
enum MHD_Result h_tasks(struct req *r, const char *rest);
enum MHD_Result h_task(struct req *r, const char *rest);
enum MHD_Result h_classes(struct req *r, const char *rest);
enum MHD_Result h_dashboard(struct req *r, const char *rest);
/* GET /api/export/<format> (export.c): an `mlfy export` format as a download. */
enum MHD_Result h_export(struct req *r, const char *rest);
enum MHD_Result h_image(struct req *r, const char *rest);
enum MHD_Result h_exemplar(struct req *r, const char *rest);

/* Home page of a role ("/annotate", "/refine", "/admin"). */
const char *role_home(enum mlfy_role role);
#define SESSION_COOKIE "mlfy_session"

/* Image cache (images.c). */
int images_init(struct mlfy_server *srv, struct mlfy_err *err);

#endif
