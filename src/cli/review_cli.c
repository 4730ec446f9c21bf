/* review_cli.c - helpers of the stage iii-iv commands (see review_cli.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/review_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/catalog.h"

const char *rcli_thousands(int64_t n, char buf[32])
{
	char tmp[32];
	int len, i, j = 0;
	if (n < 0) {
		buf[j++] = '-';
		n = -n;
	}
	len = snprintf(tmp, sizeof(tmp), "%lld", (long long)n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = '\0';
	return buf;
}

int rcli_is_sqlite(const char *path)
{
	char head[16];
	FILE *f = fopen(path, "rb");
	int yes;
	if (!f)
		return 0;
	yes = fread(head, 1, sizeof(head), f) == sizeof(head) && !memcmp(head, "SQLite format 3", 16);
	fclose(f);
	return yes;
}

double rcli_pct(int64_t part, int64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

const char *rcli_class(struct mlfy_store *s, int idx, char *buf, size_t n)
{
	struct mlfy_class c;
	struct mlfy_err err;
	memset(&c, 0, sizeof(c));
	if (mlfy_catalog_get_class(s, idx, &c, &err) == 0)
		snprintf(buf, n, "%d %s", idx, c.name);
	else
		snprintf(buf, n, "%d", idx);
	mlfy_class_release(&c);
	return buf;
}

int rcli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int rcli_out_open(const char *cmd, const char *path, const char *project, struct rcli_out *o)
{
	struct stat st;
	const char *target = path;
	char *real = NULL;
	mode_t mode, um;
	size_t len;
	int fd, exists;

	memset(o, 0, sizeof(o[0]));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (rcli_same_file(path, project))
		return cli_error(cmd, "%s: is the project file itself; choose another output file", path);
	exists = !stat(path, &st);
	if (exists && !S_ISREG(st.st_mode)) {
		/* a device or FIFO (/dev/stdout, a pipe): write it, never replace it */
		if (S_ISDIR(st.st_mode))
			return cli_error(cmd, "%s: is a directory", path);
		if (!(o->path = strdup(path)))
			return cli_error(cmd, "out of memory");
		if (!(o->f = fopen(path, "w"))) {
			int e = errno;
			rcli_out_abort(o);
			return cli_error(cmd, "%s: cannot open: %s", path, strerror(e));
		}
		return 0;
	}
	if (exists && !(target = real = realpath(path, NULL)))   /* a symbolic link: replace its target */
		return cli_error(cmd, "%s: %s", path, strerror(errno));
	len = strlen(target) + 16;
	o->path = strdup(target);
	o->tmp = malloc(len);
	free(real);
	if (!o->path || !o->tmp) {
		rcli_out_abort(o);
		return cli_error(cmd, "out of memory");
	}
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", o->path);
	if ((fd = mkstemp(o->tmp)) < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		rcli_out_abort(o);
		return cli_error(cmd, "%s: cannot create: %s", path, strerror(e));
	}
	/* mkstemp makes 0600: give what a plain create would (or keep the old mode) */
	um = umask(0);
	umask(um);
	mode = exists ? st.st_mode & 07777 : 0666 & ~um;
	if (fchmod(fd, mode)) {
		int e = errno;
		close(fd);
		rcli_out_abort(o);
		return cli_error(cmd, "%s: cannot set the mode: %s", path, strerror(e));
	}
	if (!(o->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		rcli_out_abort(o);
		return cli_error(cmd, "%s: %s", path, strerror(e));
	}
	return 0;
}

int rcli_out_commit(const char *cmd, struct rcli_out *o)
{
	int bad;

	if (!o->path) {
		if (fflush(stdout) || ferror(stdout))
			return cli_error(cmd, "cannot write to standard output: %s", strerror(errno));
		return 0;
	}
	errno = 0;
	bad = fflush(o->f) || ferror(o->f) || (o->tmp && fsync(fileno(o->f)));
	if (fclose(o->f))
		bad = 1;
	o->f = NULL;
	if (bad || (o->tmp && rename(o->tmp, o->path))) {
		int e = errno;
		cli_error(cmd, "%s: cannot write: %s", o->path, e ? strerror(e) : "write error");
		rcli_out_abort(o);
		return 1;
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void rcli_out_abort(struct rcli_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

static const char *const categories[] = MLFY_ZERO_CATEGORIES;
static const char *const verdicts[] = MLFY_ZERO_VERDICTS;

void rcli_print_review_stats(FILE *f, const struct mlfy_review_stats *st)
{
	char a[32], b[32], c[32];
	int i;

	fprintf(f, "refinement queue: %s images, %s assigned to experts, %s refined\n",
		rcli_thousands(st->queued, a), rcli_thousands(st->queue_assigned, b),
		rcli_thousands(st->queue_refined, c));
	fprintf(f, "zero-label images: %s, %s reviewed", rcli_thousands(st->zero_label, a),
		rcli_thousands(st->zero_reviewed, b));
	if (st->zero_reviewed) {
		fprintf(f, " (");
		for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
			fprintf(f, "%s%s %s", i ? ", " : "", categories[i], rcli_thousands(st->by_category[i], a));
		fprintf(f, "; original label:");
		for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
			fprintf(f, "%s %s %s", i ? "," : "", verdicts[i], rcli_thousands(st->by_verdict[i], a));
		fprintf(f, ")");
	}
	fprintf(f, "\n");
	if (st->votes)
		fprintf(f, "raw votes: %s on %s questions\n", rcli_thousands(st->votes, a),
			rcli_thousands(st->questions, b));
}

json_t *rcli_review_stats_json(const struct mlfy_review_stats *st)
{
	json_t *o = json_object(), *cat = json_object(), *ver = json_object();
	int i;

	for (i = 0; i < MLFY_ZERO_N_CATEGORIES; i++)
		json_object_set_new(cat, categories[i], json_integer(st->by_category[i]));
	for (i = 0; i < MLFY_ZERO_N_VERDICTS; i++)
		json_object_set_new(ver, verdicts[i], json_integer(st->by_verdict[i]));
	json_object_set_new(o, "images", json_integer(st->images));
	json_object_set_new(o, "undecided", json_integer(st->undecided));
	json_object_set_new(o, "agreed", json_integer(st->agreed));
	json_object_set_new(o, "refined", json_integer(st->refined));
	json_object_set_new(o, "aggregated", json_integer(st->aggregated));
	json_object_set_new(o, "imported", json_integer(st->imported));
	json_object_set_new(o, "refinement_queue", json_integer(st->queued));
	json_object_set_new(o, "refinement_assigned", json_integer(st->queue_assigned));
	json_object_set_new(o, "refinement_refined", json_integer(st->queue_refined));
	json_object_set_new(o, "zero_label", json_integer(st->zero_label));
	json_object_set_new(o, "zero_label_reviewed", json_integer(st->zero_reviewed));
	json_object_set_new(o, "zero_label_categories", cat);
	json_object_set_new(o, "zero_label_verdicts", ver);
	json_object_set_new(o, "questions", json_integer(st->questions));
	json_object_set_new(o, "votes", json_integer(st->votes));
	return o;
}

int rcli_print_json(const char *cmd, json_t *v, int compact)
{
	char *s = json_dumps(v, (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_REAL_PRECISION(10));
	if (!s)
		return cli_error(cmd, "out of memory");
	puts(s);
	free(s);
	return 0;
}
