/* test_progress.c - the progress reporter: pacing of plain lines (every
 * 10 % or 10 s), tty redraws, rate/ETA arithmetic, summary line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/progress.h"

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void plain_every_ten_percent(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mlfy_progress p;
	double t0;
	int i;

	(void)state;
	mlfy_progress_start(&p, f, 0, "hashing", 1000);
	t0 = p.t_start;
	/* 1000 items at 100 items per second (+5 ms): deciles at 100, 200, ...
	 * 900, but the first 2 s are silent: lines for 20 %..90 % */
	for (i = 1; i <= 1000; i++)
		mlfy_progress_update_at(&p, i, t0 + i / 100.0 + 0.005);
	mlfy_progress_finish_at(&p, t0 + 10.0);
	fclose(f);
	/* 8 progress lines (20 %..90 %) + 1 summary */
	assert_int_equal(count_lines(buf), 9);
	assert_null(strstr(buf, "100/1000"));
	/* at 500 items, 5.005 s elapsed: 99.9/s, 500 left -> 5.005 s = "0:05" */
	assert_non_null(strstr(buf, "hashing: 500/1000 (50%), 99.9/s, eta 0:05\n"));
	assert_non_null(strstr(buf, "hashing: 1000/1000 in 10.0 s (100.0/s)\n"));
	assert_null(strchr(buf, '\r'));
	free(buf);
}

static void plain_every_ten_seconds(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mlfy_progress p;
	double t0;

	(void)state;
	/* slow work: 1 item per 4 s of 1000; deciles are far apart, so lines come every 10 s */
	mlfy_progress_start(&p, f, 0, "slow", 1000);
	t0 = p.t_start;
	mlfy_progress_update_at(&p, 1, t0 + 4);
	mlfy_progress_update_at(&p, 2, t0 + 8);
	mlfy_progress_update_at(&p, 3, t0 + 12); /* >= 10 s since start: line */
	mlfy_progress_update_at(&p, 4, t0 + 16);
	mlfy_progress_update_at(&p, 5, t0 + 20);
	mlfy_progress_update_at(&p, 6, t0 + 24); /* >= 10 s since 12: line */
	fflush(f);
	assert_int_equal(count_lines(buf), 2);
	/* 3 items in 12 s = 0.25/s, 997 left -> 3988 s = 1:06:28 */
	assert_non_null(strstr(buf, "slow: 3/1000 (0%), 0.2/s, eta 1:06:28\n"));
	fclose(f);
	free(buf);
}

static void unknown_total(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mlfy_progress p;
	double t0;

	(void)state;
	mlfy_progress_start(&p, f, 0, "scan", 0);
	t0 = p.t_start;
	mlfy_progress_update_at(&p, 50, t0 + 5);
	mlfy_progress_update_at(&p, 200, t0 + 10);
	mlfy_progress_finish_at(&p, t0 + 20);
	mlfy_progress_finish_at(&p, t0 + 30); /* idempotent */
	fclose(f);
	assert_string_equal(buf, "scan: 200, 20.0/s\nscan: 200 in 20.0 s (10.0/s)\n");
	free(buf);
}

static void tty_redraws(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mlfy_progress p;
	double t0;

	(void)state;
	mlfy_progress_start(&p, f, 1, "images", 8);
	t0 = p.t_start;
	mlfy_progress_update_at(&p, 1, t0 + 0.05); /* too soon: no redraw */
	fflush(f);
	assert_int_equal(len, 0);
	mlfy_progress_update_at(&p, 2, t0 + 1.0); /* 2/s, 6 left -> 3 s */
	fflush(f);
	assert_string_equal(buf, "\rimages [######..................] 2/8  25%  2.0/s  ETA 0:03\033[K");
	mlfy_progress_update_at(&p, 8, t0 + 1.01); /* the last item always redraws */
	mlfy_progress_finish_at(&p, t0 + 2.0);
	fclose(f);
	assert_non_null(strstr(buf, "[########################] 8/8 100%"));
	/* the bar is cleared, then the summary */
	assert_non_null(strstr(buf, "\r\033[Kimages: 8/8 in 2.0 s (4.0/s)\n"));
	free(buf);

	/* a narrow terminal: the line must stay below its width, or every
	 * redraw wraps onto a new line; the bar shrinks first, then goes */
	buf = NULL;
	f = open_memstream(&buf, &len);
	mlfy_progress_start(&p, f, 1, "choosing exemplars (classes)", 1000);
	p.columns = 80;
	t0 = p.t_start;
	mlfy_progress_update_at(&p, 958, t0 + 2.0);
	fflush(f);
	/* label 28 + " [" + bar + "]" + 33 = 79 columns: a 15-character bar */
	assert_string_equal(buf, "\rchoosing exemplars (classes) [##############.] 958/1000  95%  479.0/s  ETA 0:00\033[K");
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	mlfy_progress_start(&p, f, 1, "choosing exemplars (classes)", 1000);
	p.columns = 40;
	t0 = p.t_start;
	mlfy_progress_update_at(&p, 958, t0 + 2.0);
	fflush(f);
	assert_string_equal(buf, "\rchoosing exemplars (classes): 958/1000 \033[K");
	fclose(f);
	free(buf);
}

static void null_is_noop_and_durations(void **state)
{
	char d[16];
	(void)state;
	mlfy_progress_update(NULL, 5);
	mlfy_progress_add(NULL, 5);
	mlfy_progress_finish(NULL);
	mlfy_progress_fmt_duration(d, sizeof(d), 59.4);
	assert_string_equal(d, "0:59");
	mlfy_progress_fmt_duration(d, sizeof(d), 59.6);
	assert_string_equal(d, "1:00");
	mlfy_progress_fmt_duration(d, sizeof(d), 3600);
	assert_string_equal(d, "1:00:00");
	mlfy_progress_fmt_duration(d, sizeof(d), -1);
	assert_string_equal(d, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_every_ten_percent),
		cmocka_unit_test(plain_every_ten_seconds),
		cmocka_unit_test(unknown_total),
		cmocka_unit_test(tty_redraws),
		cmocka_unit_test(null_is_noop_and_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
