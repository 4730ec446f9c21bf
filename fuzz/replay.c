/* replay.c - a main() for the fuzz targets in builds without libFuzzer:
 * runs LLVMFuzzerTestOneInput once on each file named on the command line
 * (folders: on each regular file inside, in name order).  CTest uses it to
 * replay the seed corpora and every committed crash input
 * (fuzz/regressions/<target>/) in the normal and sanitizer builds, so a
 * parser bug found by fuzzing stays fixed.  Exit status 0, or 1 when a
 * file cannot be read (a crash aborts the process).
 *
 * MLFY_REPLAY_ALARM_US=N: after the one-time set-up, a SIGALRM every N
 * microseconds, caught by a handler without SA_RESTART, as libFuzzer's
 * -timeout watchdog does (every timeout/2 + 1 s): a harness or parser
 * that takes an interrupted system call for a failure is caught here in
 * seconds, not now and then in a long fuzzing run. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* optional, as in libFuzzer: one-time set-up before the first input */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;
	size_t got;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		if (f)
			fclose(f);
		return 1;
	}
	/* exactly len bytes (no slack), so sanitizers see any over-read */
	if (!(buf = malloc(len ? (size_t)len : 1))) {
		fclose(f);
		return 1;
	}
	got = fread(buf, 1, (size_t)len, f);
	fclose(f);
	if (got != (size_t)len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		return 1;
	}
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int *n_files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int bad = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: cannot open folder\n", dir);
		return 1;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(path)))
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		bad |= run_file(names[i]);
		(*n_files)++;
		free(names[i]);
	}
	free(names);
	return bad;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* MLFY_REPLAY_ALARM_US (see the top): 0, or -1 with a message. */
static int start_alarm(void)
{
	const char *v = getenv("MLFY_REPLAY_ALARM_US");
	struct sigaction sa;
	struct itimerval it;
	char *end;
	long us;

	if (!v || !*v)
		return 0;
	us = strtol(v, &end, 10);
	if (*end || us <= 0 || us >= 1000000) {
		fprintf(stderr, "replay: MLFY_REPLAY_ALARM_US=%s: expected microseconds, 1 to 999999\n", v);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;   /* no SA_RESTART: blocking calls fail with EINTR */
	sigemptyset(&sa.sa_mask);
	memset(&it, 0, sizeof(it));
	it.it_interval.tv_usec = it.it_value.tv_usec = us;
	if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &it, NULL) != 0) {
		perror("replay: SIGALRM timer");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0, n_files = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (start_alarm() != 0)
		return 1;
	for (i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			continue;   /* an absent folder (no regressions yet) is fine */
		} else if (S_ISDIR(st.st_mode)) {
			bad |= run_dir(argv[i], &n_files);
		} else {
			bad |= run_file(argv[i]);
			n_files++;
		}
	}
	printf("replayed %d input%s\n", n_files, n_files == 1 ? "" : "s");
	return bad;
}
