/* file.c - whole-file reads (see file.h). */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int mlfy_read_file(const char *path, size_t max_bytes, char **buf, size_t *len, struct mlfy_err *err)
{
	FILE *f;
	struct stat st;
	char *b;
	size_t size, got;
	int e;

	*buf = NULL;
	*len = 0;
	if (!(f = mlfy_open_read(path, err)))
		return err ? err->code : MLFY_EIO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > max_bytes || (uintmax_t)st.st_size >= SIZE_MAX) {
		fclose(f);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: too large (%lld bytes, at most %zu)", path,
				    (long long)st.st_size, max_bytes);
	}
	size = (size_t)st.st_size;
	if (!(b = malloc(size + 1))) {
		fclose(f);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory (%zu bytes)", path, size + 1);
	}
	errno = 0;
	got = fread(b, 1, size, f);
	if (ferror(f) || got != size) {
		e = errno;
		fclose(f);
		free(b);
		return mlfy_err_set(err, MLFY_EIO, "%s: read error: %s", path,
				    e ? strerror(e) : "short read (the file changed while read?)");
	}
	fclose(f);
	b[size] = '\0';
	*buf = b;
	*len = size;
	return 0;
}

FILE *mlfy_open_read(const char *path, struct mlfy_err *err)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	int e;
	if (!f) {
		e = errno;
		mlfy_err_set(err, e == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: cannot open: %s", path, strerror(e));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		mlfy_err_set(err, MLFY_EINVAL, "%s: is a directory", path);
		return NULL;
	}
	return f;
}

const char *mlfy_path_base(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

size_t mlfy_path_stem_len(const char *base, const char *ext)
{
	size_t n = strlen(base), k = strlen(ext);
	return n > k && !strcasecmp(base + n - k, ext) ? n - k : n;
}

int mlfy_fsync_path(const char *path, int is_dir)
{
	int fd = open(path, (is_dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC), e = 0;
	if (fd < 0)
		return errno;
	if (fsync(fd) != 0)
		e = errno;
	close(fd);
	return e;
}
