/* progress.c - the progress reporter (progress.h): formatting and pacing of
 * progress lines.  Owns no memory; writes only to the FILE it was given. */
#include "util/progress.h"

#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define TTY_INTERVAL 0.1     /* seconds between redraws */
#define PLAIN_INTERVAL 10.0  /* seconds between plain lines */
#define PLAIN_GRACE 2.0      /* plain mode is silent this long: short jobs print only the summary */
#define BAR_WIDTH 24

double mlfy_progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mlfy_progress_fmt_duration(char *buf, size_t n, double seconds)
{
	long s;
	if (!isfinite(seconds) || seconds < 0 || seconds > 1e8) {
		snprintf(buf, n, "?");
		return;
	}
	s = (long)(seconds + 0.5);
	if (s >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
	else
		snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

void mlfy_progress_start(struct mlfy_progress *p, FILE *out, int tty,
			 const char *label, int64_t total)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->tty = tty;
	snprintf(p->label, sizeof(p->label), "%s", label ? label : "");
	p->total = total > 0 ? total : 0;
	p->t_start = mlfy_progress_now();
	p->t_last = p->t_start;
}

void mlfy_progress_set_total(struct mlfy_progress *p, int64_t total)
{
	if (!p)
		return;
	p->total = total > 0 ? total : 0;
	p->done = 0;
	p->last_decile = 0;
	p->t_start = mlfy_progress_now();
	p->t_last = p->t_start;
}

static double rate_of(const struct mlfy_progress *p, double now)
{
	double el = now - p->t_start;
	return el > 1e-9 ? (double)p->done / el : 0.0;
}

/* Width of the terminal behind f in columns (80 when it cannot be asked). */
static int term_columns(FILE *f)
{
	struct winsize ws;
	int fd = fileno(f);
	if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static void draw_tty(struct mlfy_progress *p, double now)
{
	double rate = rate_of(p, now);
	char eta[16], tail[128], line[256];
	int cols = p->columns > 0 ? p->columns : term_columns(p->out);
	int len;

	if (p->total > 0) {
		char bar[BAR_WIDTH + 1];
		int64_t d = p->done > p->total ? p->total : p->done;
		int room, bw, fill, i;
		mlfy_progress_fmt_duration(eta, sizeof(eta),
					   rate > 0 ? (double)(p->total - d) / rate : -1);
		snprintf(tail, sizeof(tail), " %lld/%lld %3d%%  %.1f/s  ETA %s", (long long)p->done,
			 (long long)p->total, (int)(d * 100 / p->total), rate, eta);
		/* the bar shrinks (down to nothing) so that the line fits */
		room = cols - 1 - (int)strlen(p->label) - (int)strlen(tail) - 3;
		bw = room > BAR_WIDTH ? BAR_WIDTH : room;
		if (bw >= 4) {
			fill = (int)(d * bw / p->total);
			for (i = 0; i < bw; i++)
				bar[i] = i < fill ? '#' : '.';
			bar[bw] = '\0';
			snprintf(line, sizeof(line), "%s [%s]%s", p->label, bar, tail);
		} else {
			snprintf(line, sizeof(line), "%s:%s", p->label, tail);
		}
	} else {
		snprintf(line, sizeof(line), "%s: %lld  %.1f/s", p->label, (long long)p->done, rate);
	}
	/* a line as wide as the terminal would wrap, and '\r' would then
	 * redraw only its last part: at most cols - 1 characters */
	len = (int)strlen(line);
	if (len > cols - 1)
		len = cols > 1 ? cols - 1 : 0;
	fprintf(p->out, "\r%.*s\033[K", len, line);
	fflush(p->out);
	p->drawn = 1;
}

static void print_plain(struct mlfy_progress *p, double now)
{
	double rate = rate_of(p, now);
	char eta[16];

	if (p->total > 0) {
		int64_t d = p->done > p->total ? p->total : p->done;
		mlfy_progress_fmt_duration(eta, sizeof(eta),
					   rate > 0 ? (double)(p->total - d) / rate : -1);
		fprintf(p->out, "%s: %lld/%lld (%d%%), %.1f/s, eta %s\n", p->label, (long long)p->done,
			(long long)p->total, (int)(d * 100 / p->total), rate, eta);
	} else {
		fprintf(p->out, "%s: %lld, %.1f/s\n", p->label, (long long)p->done, rate);
	}
	fflush(p->out);
}

void mlfy_progress_update_at(struct mlfy_progress *p, int64_t done, double now)
{
	if (!p || p->finished || !p->out)
		return;
	p->done = done;
	if (p->tty) {
		if (now - p->t_last >= TTY_INTERVAL || (p->total > 0 && done >= p->total)) {
			draw_tty(p, now);
			p->t_last = now;
		}
		return;
	}
	if (now - p->t_start < PLAIN_GRACE)
		return;
	if (p->total > 0) {
		int64_t d = done > p->total ? p->total : done;
		int decile = (int)(d * 10 / p->total);
		/* the 100 % line is the summary's job */
		if ((decile > p->last_decile && decile < 10) || now - p->t_last >= PLAIN_INTERVAL) {
			if (d < p->total)
				print_plain(p, now);
			p->last_decile = decile;
			p->t_last = now;
		}
	} else if (now - p->t_last >= PLAIN_INTERVAL) {
		print_plain(p, now);
		p->t_last = now;
	}
}

void mlfy_progress_update(struct mlfy_progress *p, int64_t done)
{
	if (!p)
		return;
	mlfy_progress_update_at(p, done, mlfy_progress_now());
}

void mlfy_progress_add(struct mlfy_progress *p, int64_t n)
{
	if (!p)
		return;
	mlfy_progress_update(p, p->done + n);
}

void mlfy_progress_finish_at(struct mlfy_progress *p, double now)
{
	double el;

	if (!p || p->finished || !p->out)
		return;
	p->finished = 1;
	if (p->tty && p->drawn)
		fputs("\r\033[K", p->out);
	el = now - p->t_start;
	if (p->total > 0)
		fprintf(p->out, "%s: %lld/%lld in %.1f s (%.1f/s)\n", p->label, (long long)p->done,
			(long long)p->total, el, rate_of(p, now));
	else
		fprintf(p->out, "%s: %lld in %.1f s (%.1f/s)\n", p->label, (long long)p->done, el,
			rate_of(p, now));
	fflush(p->out);
}

void mlfy_progress_finish(struct mlfy_progress *p)
{
	if (!p)
		return;
	mlfy_progress_finish_at(p, mlfy_progress_now());
}
