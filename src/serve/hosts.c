/* hosts.c - the Host names the server answers to and its trusted proxies
 * (hosts.h). */
#include "serve/hosts.h"
#include "serve/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/vec.h"

struct list {
	char **v;
	size_t n, cap;
};

static int add(struct list *l, const char *s)
{
	char *d;
	size_t i;
	if (MLFY_GROW(l->v, l->cap, l->n + 2) || !(d = strdup(s)))
		return -1;
	for (i = 0; d[i]; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	l->v[l->n++] = d;
	l->v[l->n] = NULL;
	return 0;
}

/* addr (numeric) with port: "a.b.c.d:p" or "[v6]:p"; and without the port
 * when it is the scheme's default. */
static int add_addr(struct list *l, const char *addr, unsigned port, int tls)
{
	char buf[128];
	int v6 = strchr(addr, ':') != NULL;
	snprintf(buf, sizeof(buf), v6 ? "[%s]:%u" : "%s:%u", addr, port);
	if (add(l, buf))
		return -1;
	if (port == (tls ? 443u : 80u)) {
		snprintf(buf, sizeof(buf), v6 ? "[%s]" : "%s", addr);
		return add(l, buf);
	}
	return 0;
}

static int name_ok(const char *s, size_t n)
{
	size_t i;
	if (!n || n > 255)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-:[]_", s[i]))
			return 0;
	return 1;
}

static int add_interfaces(struct list *l, int family, unsigned port, int tls)
{
	struct ifaddrs *ifs, *i;
	char a[INET6_ADDRSTRLEN];
	if (getifaddrs(&ifs) != 0)
		return 0;   /* only the names given then */
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (family == AF_INET && i->ifa_addr->sa_family != AF_INET)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, a, sizeof(a));
		if (add_addr(l, a, port, tls)) {
			freeifaddrs(ifs);
			return -1;
		}
	}
	freeifaddrs(ifs);
	return 0;
}

static void free_list(char **v)
{
	size_t i;
	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int hosts_init(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct list h = { NULL, 0, 0 }, p = { NULL, 0, 0 };
	const char *listen = srv->listen_host, *s;
	unsigned port = srv->port;
	int tls = srv->tls, loop;
	struct in6_addr a6;
	struct in_addr a4;
	char buf[300];

	loop = (inet_pton(AF_INET, listen, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127) || !strcmp(listen, "::1");
	if (!strcmp(listen, "0.0.0.0") || !strcmp(listen, "::")) {
		if (add_interfaces(&h, strcmp(listen, "::") ? AF_INET : AF_INET6, port, tls))
			goto oom;
		loop = 1;
	} else if (add_addr(&h, listen, port, tls)) {
		goto oom;
	}
	if (loop) {
		snprintf(buf, sizeof(buf), "localhost:%u", port);
		if (add(&h, buf) || (port == (tls ? 443u : 80u) && add(&h, "localhost")))
			goto oom;
	}
	for (s = srv->cfg.public_names; s && *s;) {
		size_t n = strcspn(s, ",");
		if (!name_ok(s, n)) {
			free_list(h.v);
			return mlfy_err_set(err, MLFY_EINVAL, "--public-name: '%.*s' is not a host name (NAME or NAME:PORT)",
					    (int)(n > 80 ? 80 : n), s);
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
		if (add(&h, buf))
			goto oom;
		if (!strchr(buf, ':') || (buf[0] == '[' && !strstr(buf, "]:"))) {
			snprintf(buf + n, sizeof(buf) - n, ":%u", port);
			if (add(&h, buf))
				goto oom;
		}
		s += n + (s[n] == ',');
	}
	for (s = srv->cfg.trusted_proxies; s && *s;) {
		size_t n = strcspn(s, ",");
		char canon[INET6_ADDRSTRLEN];
		snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) - 1 ? n : sizeof(buf) - 1), s);
		if (inet_pton(AF_INET, buf, &a4) == 1)
			inet_ntop(AF_INET, &a4, canon, sizeof(canon));
		else if (inet_pton(AF_INET6, buf, &a6) == 1)
			inet_ntop(AF_INET6, &a6, canon, sizeof(canon));
		else {
			free_list(h.v);
			free_list(p.v);
			return mlfy_err_set(err, MLFY_EINVAL, "--trusted-proxy: '%.80s' is not a numeric IPv4 or IPv6 address",
					    buf);
		}
		if (add(&p, canon))
			goto oom;
		s += n + (s[n] == ',');
	}
	if (!h.v && add(&h, "-"))   /* never an empty list: NULL means not built */
		goto oom;
	if (!p.v && MLFY_GROW_ZERO(p.v, p.cap, 1))
		goto oom;
	srv->proxies = p.v;
	/* published last: worker threads may already read it (port 0) */
	__atomic_store_n(&srv->hosts, h.v, __ATOMIC_RELEASE);
	return 0;
oom:
	free_list(h.v);
	free_list(p.v);
	return mlfy_err_oom(err);
}

void hosts_free(struct mlfy_server *srv)
{
	free_list(srv->hosts);
	free_list(srv->proxies);
	srv->hosts = srv->proxies = NULL;
}

int hosts_allowed(const struct mlfy_server *srv, const char *host)
{
	char **v = __atomic_load_n(&srv->hosts, __ATOMIC_ACQUIRE);
	size_t i;
	for (i = 0; host && v && v[i]; i++)
		if (!strcasecmp(v[i], host))
			return 1;
	return 0;
}

const char *hosts_forwarded(struct req *r)
{
	size_t i;
	for (i = 0; r->srv->proxies && r->srv->proxies[i]; i++)
		if (!strcmp(r->srv->proxies[i], r->addr))
			return req_header(r, "X-Forwarded-Host");
	return NULL;
}

int hosts_request_ok(struct req *r)
{
	const char *fwd;
	if (!hosts_allowed(r->srv, req_header(r, "Host")))   /* first: its acquire orders the proxies list */
		return 0;
	fwd = hosts_forwarded(r);
	return !fwd || hosts_allowed(r->srv, fwd);
}
