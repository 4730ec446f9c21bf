/* outfile.c - atomic output files (see outfile.h). */
#include "util/outfile.h"
#include "util/vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mlfy_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* path with its folder resolved (realpath of the folder + "/" + the last
 * name); malloc'd, NULL when the folder does not exist. */
static char *canonical(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *rdir, *out;
	size_t n;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	rdir = dir ? realpath(dir, NULL) : NULL;
	free(dir);
	if (!rdir)
		return NULL;
	n = strlen(rdir) + strlen(path) + 2;
	if ((out = malloc(n)))
		snprintf(out, n, "%s/%s", strcmp(rdir, "/") ? rdir : "", slash ? slash + 1 : path);
	free(rdir);
	return out;
}

int mlfy_path_protected(const char *path, const char *protect)
{
	static const char *const companions[] = { "", "-wal", "-shm", "-journal" };
	char *p, *q, *rprot;
	size_t i;
	int hit = 0;

	if (!path || !protect)
		return 0;
	if (mlfy_same_file(path, protect))
		return 1;
	/* the project itself resolved (it may be a symbolic link: SQLite puts
	 * the companions beside the link's target) */
	if (!(rprot = realpath(protect, NULL)) && !(rprot = canonical(protect)))
		return 0;
	p = canonical(path);
	if (p && (q = malloc(strlen(rprot) + 16))) {
		for (i = 0; i < sizeof(companions) / sizeof(companions[0]) && !hit; i++) {
			snprintf(q, strlen(rprot) + 16, "%s%s", rprot, companions[i]);
			hit = !strcmp(p, q) || mlfy_same_file(path, q);
		}
		free(q);
	}
	free(p);
	free(rprot);
	return hit;
}

/* Abandons *o and returns the error set with the errno e. */
static int fail_errno(struct mlfy_outfile *o, struct mlfy_err *err, int e, const char *path,
		      const char *what)
{
	mlfy_outfile_abort(o);
	return mlfy_err_set(err, MLFY_EIO, "%s: %s%s", path, what, strerror(e));
}

int mlfy_outfile_open(struct mlfy_outfile *o, const char *path, const char *protect,
		      const char *protect_what, struct mlfy_err *err)
{
	struct stat st;
	const char *target = path;
	char *real = NULL;
	mode_t mode, um;
	size_t len;
	int fd, exists;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (mlfy_same_file(path, protect))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: is %s itself; choose another output file", path,
				    protect_what);
	if (mlfy_path_protected(path, protect))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: is a companion of %s (SQLite's journal or shared memory"
				    " beside it); choose another output file", path, protect_what);
	exists = !stat(path, &st);
	if (exists && !S_ISREG(st.st_mode)) {
		/* a device or FIFO (/dev/stdout, a pipe): write it, never replace it */
		if (S_ISDIR(st.st_mode))
			return mlfy_err_set(err, MLFY_EINVAL, "%s: is a directory", path);
		if (!(o->path = strdup(path)))
			return mlfy_err_oom(err);
		if (!(o->f = fopen(path, "w")))
			return fail_errno(o, err, errno, path, "cannot open: ");
		return 0;
	}
	if (exists && !(target = real = realpath(path, NULL)))   /* a symbolic link: replace its target */
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	len = strlen(target) + 16;
	o->path = strdup(target);
	o->tmp = malloc(len);
	free(real);
	if (!o->path || !o->tmp) {
		mlfy_outfile_abort(o);
		return mlfy_err_oom(err);
	}
	snprintf(o->tmp, len, "%s.tmp.XXXXXX", o->path);
	if ((fd = mkstemp(o->tmp)) < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		return fail_errno(o, err, e, path, "cannot create: ");
	}
	/* mkstemp makes 0600: give what a plain create would (or keep the old mode) */
	um = umask(0);
	umask(um);
	mode = exists ? st.st_mode & 07777 : 0666 & ~um;
	if (fchmod(fd, mode)) {
		int e = errno;
		close(fd);
		return fail_errno(o, err, e, path, "cannot set the mode: ");
	}
	if (!(o->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		return fail_errno(o, err, e, path, "");
	}
	return 0;
}

int mlfy_outfile_commit(struct mlfy_outfile *o, struct mlfy_err *err)
{
	int bad, e;

	if (!o->path) {
		bad = fflush(stdout) || ferror(stdout);
		memset(o, 0, sizeof(*o));
		return bad ? mlfy_err_set(err, MLFY_EIO, "cannot write to standard output: %s", strerror(errno)) : 0;
	}
	errno = 0;
	bad = fflush(o->f) || ferror(o->f) || (o->tmp && fsync(fileno(o->f)));
	if (fclose(o->f))
		bad = 1;
	o->f = NULL;
	if (bad || (o->tmp && rename(o->tmp, o->path))) {
		e = errno;
		mlfy_err_set(err, MLFY_EIO, "%s: cannot write: %s", o->path, e ? strerror(e) : "write error");
		mlfy_outfile_abort(o);
		return MLFY_EIO;
	}
	MLFY_FREE_ALL(o->tmp, o->path);
	memset(o, 0, sizeof(*o));
	return 0;
}

void mlfy_outfile_abort(struct mlfy_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	MLFY_FREE_ALL(o->tmp, o->path);
	memset(o, 0, sizeof(*o));
}
