/* loadgen.c - load generator for bench/serve: N annotator threads, each on
 * one keep-alive HTTP/1.1 connection to 127.0.0.1, log in, then run
 * "load task -> save -> next" cycles over their own task list.  Prints
 * requests/s and client-side p50/p99 per route, and the save latency over
 * the first and the last tenth of all saves (is save cost flat as the
 * history grows?).  The cycles/s count from the moment every annotator
 * has logged in and fetched their task list: the logins (argon2id, one
 * at a time on the server's login thread, about 0.1 s each) are timed
 * apart, so that they do not dilute the "task + save" rate they precede.
 *
 *   mlfy-loadgen PORT USER_PREFIX N_USERS PASSWORD CYCLES [SERVER_PID]
 * Users are USER_PREFIX01..USER_PREFIXnn.  Plain sockets: no libcurl.
 * With SERVER_PID (a server on this machine), also the CPU time (user +
 * system, /proc/PID/stat) the server and this program spent per cycle
 * over the cycles: a cost that stays comparable when other programs share
 * the cores, where cycles/s and latencies do not. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, n_users, cycles;
static const char *prefix, *password;
static atomic_long save_seq;
static pthread_barrier_t ready;   /* every annotator logged in (and main) */

struct sample { double ms; long seq; };
struct stats {
	struct sample *task, *save;
	long n_task, n_save, errors;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int connect_local(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One request/response on fd.  Response body (NUL-terminated) in buf.
 * Returns the status, or -1 on a transport error. */
static int http(int *fd, const char *method, const char *path, const char *extra, const char *body,
		char *buf, size_t cap, char *cookie_out)
{
	char req[8192];
	size_t len = 0, blen = body ? strlen(body) : 0, want = 0, hdr_end = 0;
	int n, status, tries;

	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n%s%s"
		     "Content-Length: %zu\r\n\r\n%s",
		     method, path, port, extra ? extra : "", body ? "Content-Type: application/json\r\n" : "", blen,
		     body ? body : "");
	for (tries = 0; tries < 2; tries++) {
		if (*fd < 0 && (*fd = connect_local()) < 0)
			return -1;
		if (write(*fd, req, (size_t)n) == n)
			break;
		close(*fd);
		*fd = -1;
	}
	if (*fd < 0)
		return -1;
	for (;;) {
		ssize_t r = read(*fd, buf + len, cap - 1 - len);
		if (r <= 0) {
			close(*fd);
			*fd = -1;
			return -1;
		}
		len += (size_t)r;
		buf[len] = '\0';
		if (!hdr_end) {
			char *e = strstr(buf, "\r\n\r\n"), *cl;
			if (!e)
				continue;
			hdr_end = (size_t)(e - buf) + 4;
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = hdr_end + (cl && cl < e ? strtoul(cl + 17, NULL, 10) : 0);
			if (cookie_out) {
				/* "NAME=VALUE" of the Set-Cookie header, whatever the
				 * cookie's name (one per project: mlfy_session_XXXXXXXX) */
				char *ck = strcasestr(buf, "\r\nSet-Cookie: ");
				if (ck && ck < e)
					sscanf(ck + 14, "%159[^;\r]", cookie_out);
			}
		}
		if (hdr_end && len >= want)
			break;
		if (len >= cap - 1)
			return -1;
	}
	status = atoi(buf + 9);
	memmove(buf, buf + hdr_end, len - hdr_end + 1);
	return status;
}

/* CPU seconds (user + system) of process pid so far, or -1. */
static double proc_cpu_s(long pid)
{
	char path[64], line[1024], *p;
	unsigned long ut, st;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* the fields after the command name (which may hold spaces): state is
	 * field 3, utime and stime fields 14 and 15 (proc(5)) */
	if (!p || !(p = strrchr(line, ')')))
		return -1;
	for (field = 2; field < 14 && p; field++)   /* p: the space before field field + 1 */
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	ut = strtoul(p + 1, &p, 10);
	st = strtoul(p, &p, 10);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* This process's CPU seconds (user + system) so far. */
static double self_cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
	       (double)u.ru_stime.tv_usec / 1e6;
}

static int cmp_sample(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->ms, y = ((const struct sample *)b)->ms;
	return (x > y) - (x < y);
}

struct job {
	int user;
	struct stats st;
};

static void *run(void *arg)
{
	struct job *j = arg;
	static __thread char buf[1 << 20];
	char body[1024], extra[512], cookie[160] = "", csrf[80] = "", path[128];
	long *ids = NULL, n_ids = 0, i;
	int fd = -1, status, tries;
	char *p;

	snprintf(body, sizeof(body), "{\"user\":\"%s%02d\",\"password\":\"%s\"}", prefix, j->user + 1, password);
	/* the server checks a few passwords per address at a time and answers
	 * 503 with Retry-After to the others (serve/logins.h): wait and retry */
	for (tries = 0; (status = http(&fd, "POST", "/api/login", NULL, body, buf, sizeof(buf), cookie)) == 503 &&
			tries < 1200; tries++)
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	if (status != 200 || !*cookie || !(p = strstr(buf, "\"csrf\":\""))) {
		fprintf(stderr, "loadgen: login of %s%02d failed: %s\n", prefix, j->user + 1, buf);
		j->st.errors++;
		pthread_barrier_wait(&ready);
		return NULL;
	}
	sscanf(p + 8, "%64[0-9a-f]", csrf);
	snprintf(extra, sizeof(extra), "Cookie: %s\r\n", cookie);
	if (http(&fd, "GET", "/api/tasks", extra, NULL, buf, sizeof(buf), NULL) != 200 || !(p = strstr(buf, "\"ids\":["))) {
		j->st.errors++;
		pthread_barrier_wait(&ready);
		return NULL;
	}
	for (p += 7; *p && *p != ']';) {
		long v = strtol(p, &p, 10);
		long *nv = realloc(ids, (size_t)(n_ids + 1) * sizeof(long));
		if (!nv)
			break;
		ids = nv;
		ids[n_ids++] = v;
		if (*p == ',')
			p++;
	}
	j->st.task = calloc((size_t)cycles, sizeof(struct sample));
	j->st.save = calloc((size_t)cycles, sizeof(struct sample));
	/* a connection idle while the others log in could pass the server's
	 * request deadline and be closed under the first cycle: a new one */
	close(fd);
	fd = -1;
	pthread_barrier_wait(&ready);
	for (i = 0; i < cycles && n_ids; i++) {
		long id = ids[i % n_ids], version = 0;
		int c1 = 0, c2 = 1;
		double t0;
		char ex2[700];

		snprintf(path, sizeof(path), "/api/tasks/%ld", id);
		t0 = now_ms();
		status = http(&fd, "GET", path, extra, NULL, buf, sizeof(buf), NULL);
		j->st.task[j->st.n_task++].ms = now_ms() - t0;
		if (status != 200) {
			j->st.errors++;
			continue;
		}
		if ((p = strstr(buf, "\"annotation\":{\"version\":")))
			version = strtol(p + 24, NULL, 10);
		if ((p = strstr(buf, "\"class\":")))
			c1 = atoi(p + 8);
		if (p && (p = strstr(p + 8, "\"class\":")))
			c2 = atoi(p + 8);
		snprintf(body, sizeof(body),
			 "{\"stage\":\"annotate\",\"base_version\":%ld,\"labels\":[{\"class\":%d,\"source\":\"proposal\"},"
			 "{\"class\":%d,\"source\":\"proposal\"}],\"comment\":\"\",\"seconds\":%d}",
			 version, c1, c2, 3 + (int)(i % 7));
		snprintf(ex2, sizeof(ex2), "%sX-CSRF-Token: %s\r\n", extra, csrf);
		snprintf(path, sizeof(path), "/api/tasks/%ld/annotation", id);
		t0 = now_ms();
		status = http(&fd, "PUT", path, ex2, body, buf, sizeof(buf), NULL);
		j->st.save[j->st.n_save].ms = now_ms() - t0;
		j->st.save[j->st.n_save++].seq = atomic_fetch_add(&save_seq, 1);
		if (status != 200)
			j->st.errors++;
	}
	if (fd >= 0)
		close(fd);
	free(ids);
	return NULL;
}

static void report(const char *name, struct sample *s, long n, double secs)
{
	if (!n) {
		printf("%-28s none\n", name);
		return;
	}
	qsort(s, (size_t)n, sizeof(*s), cmp_sample);
	printf("%-28s %7ld req %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", name, n, (double)n / secs,
	       s[n / 2].ms, s[(long)((double)n * 0.99)].ms, s[n - 1].ms);
}

int main(int argc, char **argv)
{
	struct job *jobs;
	pthread_t *th;
	struct sample *all_t, *all_s, *first, *last;
	long nt = 0, ns = 0, errors = 0, nf = 0, nl = 0, k;
	double t0, t_login, secs, srv0 = -1, srv1 = -1, self0, self1;
	long server_pid = 0;
	int i;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: mlfy-loadgen PORT USER_PREFIX N_USERS PASSWORD CYCLES [SERVER_PID]\n");
		return 2;
	}
	port = atoi(argv[1]);
	prefix = argv[2];
	n_users = atoi(argv[3]);
	password = argv[4];
	cycles = atoi(argv[5]);
	if (argc == 7)
		server_pid = atol(argv[6]);
	if (port <= 0 || n_users <= 0 || cycles <= 0)
		return 2;
	jobs = calloc((size_t)n_users, sizeof(*jobs));
	th = calloc((size_t)n_users, sizeof(*th));
	pthread_barrier_init(&ready, NULL, (unsigned)n_users + 1);
	t0 = now_ms();
	for (i = 0; i < n_users; i++) {
		jobs[i].user = i;
		pthread_create(&th[i], NULL, run, &jobs[i]);
	}
	pthread_barrier_wait(&ready);   /* every login done: the cycles start */
	t_login = now_ms();
	self0 = self_cpu_s();
	if (server_pid > 0)
		srv0 = proc_cpu_s(server_pid);
	for (i = 0; i < n_users; i++)
		pthread_join(th[i], NULL);
	secs = (now_ms() - t_login) / 1e3;
	self1 = self_cpu_s();
	if (server_pid > 0)
		srv1 = proc_cpu_s(server_pid);
	all_t = calloc((size_t)n_users * (size_t)cycles + 1, sizeof(*all_t));
	all_s = calloc((size_t)n_users * (size_t)cycles + 1, sizeof(*all_s));
	first = calloc((size_t)n_users * (size_t)cycles + 1, sizeof(*first));
	last = calloc((size_t)n_users * (size_t)cycles + 1, sizeof(*last));
	for (i = 0; i < n_users; i++) {
		memcpy(all_t + nt, jobs[i].st.task, (size_t)jobs[i].st.n_task * sizeof(*all_t));
		memcpy(all_s + ns, jobs[i].st.save, (size_t)jobs[i].st.n_save * sizeof(*all_s));
		nt += jobs[i].st.n_task;
		ns += jobs[i].st.n_save;
		errors += jobs[i].st.errors;
	}
	for (k = 0; k < ns; k++) {
		if (all_s[k].seq < ns / 10)
			first[nf++] = all_s[k];
		else if (all_s[k].seq >= ns - ns / 10)
			last[nl++] = all_s[k];
	}
	printf("client side: %d logins in %.2f s, then\n", n_users, (t_login - t0) / 1e3);
	printf("client side: %d annotators, %d cycles each, %.1f s, %.0f cycles/s, %ld errors\n", n_users, cycles, secs,
	       (double)ns / secs, errors);
	if (ns && srv0 >= 0 && srv1 >= 0)
		printf("cpu per cycle: server %.3f ms, load generator %.3f ms\n", (srv1 - srv0) * 1e3 / (double)ns,
		       (self1 - self0) * 1e3 / (double)ns);
	report("GET /api/tasks/ID", all_t, nt, secs);
	report("PUT /api/tasks/ID/annotation", all_s, ns, secs);
	report("  saves, first 10%", first, nf, secs);
	report("  saves, last 10%", last, nl, secs);
	return errors ? 1 : 0;
}
