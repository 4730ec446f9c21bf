/* progress.h - a progress reporter for long loops (add-images, propose,
 * import-predictions).
 *
 * The command line layer creates the reporter and decides where it writes
 * (stderr) and whether it may redraw (a terminal: cli_isatty(2)); library
 * code that runs a long loop takes a `struct mlfy_progress *` which may be
 * NULL (then every call is a no-op) and only calls mlfy_progress_update().
 *
 * Two modes:
 *   tty     one line redrawn in place with '\r' at most every 0.1 s:
 *           "label [#######.......]  421/1000  42%  88.1/s  ETA 0:07"
 *   plain   a line whenever another 10 % of the total is done or 10 s have
 *           passed since the last line, for logs and CI; nothing during the
 *           first 2 s, so a short job prints only its summary:
 *           "label: 421/1000 (42%), 88.1/s, eta 0:07"
 * mlfy_progress_finish() always prints a summary line:
 *           "label: 1000/1000 in 11.4 s (88.1/s)"
 * When the total is unknown (0) the count and rate are shown without
 * percentage and ETA.  Rate = done / elapsed seconds since start; ETA =
 * (total - done) / rate.
 */
#ifndef MLFY_UTIL_PROGRESS_H
#define MLFY_UTIL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct mlfy_progress {
	FILE *out;            /* borrowed; where lines go (stderr in the CLI) */
	int tty;              /* 1: redraw one line; 0: plain periodic lines */
	char label[64];
	int64_t total;        /* units of work expected, 0 = unknown */
	int64_t done;         /* units finished so far */
	double t_start;       /* seconds, monotonic clock */
	double t_last;        /* when the last line/redraw was written */
	int last_decile;      /* plain mode: last 10 % step printed */
	int drawn;            /* tty mode: a partial line is on screen */
	int columns;          /* tty mode: line width; 0 (the default) = the
	                       * terminal's (TIOCGWINSZ on out), 80 if unknown;
	                       * lines are cut to columns - 1, the bar shrinks first */
	int finished;
};

/* Starts a reporter on p (caller-owned storage): out borrowed, label copied
 * (truncated to 63 bytes), total >= 0 (0 = unknown).  Prints nothing yet. */
void mlfy_progress_start(struct mlfy_progress *p, FILE *out, int tty,
			 const char *label, int64_t total);

/* Sets the total (>= 0, 0 = unknown) and restarts the clock and the count:
 * for a reporter started by the caller before the library knows how much
 * work there is.  p may be NULL. */
void mlfy_progress_set_total(struct mlfy_progress *p, int64_t total);

/* Records that done units are finished (absolute count, not a delta) and
 * redraws or prints a line when due.  p may be NULL. */
void mlfy_progress_update(struct mlfy_progress *p, int64_t done);

/* Same as update with an explicit clock reading (seconds, same origin as
 * mlfy_progress_now()); used by the tests. */
void mlfy_progress_update_at(struct mlfy_progress *p, int64_t done, double now);

/* Adds n to the done count (update(p, p->done + n)).  p may be NULL. */
void mlfy_progress_add(struct mlfy_progress *p, int64_t n);

/* Ends the reporter: clears the tty line and prints the summary line
 * (count, elapsed seconds, rate).  Idempotent; p may be NULL. */
void mlfy_progress_finish(struct mlfy_progress *p);
void mlfy_progress_finish_at(struct mlfy_progress *p, double now);

/* Seconds on a monotonic clock (arbitrary origin). */
double mlfy_progress_now(void);

/* Formats a duration in seconds as "M:SS" or "H:MM:SS" into buf (>= 16
 * bytes); negative or non-finite values give "?". */
void mlfy_progress_fmt_duration(char *buf, size_t n, double seconds);

#endif
