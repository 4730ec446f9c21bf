/* scan.c - recursive listing of image files (scan.h). */
#include "ingest/scan.h"
#include "ingest/probe.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 32

struct dir_id { dev_t dev; ino_t ino; };

struct walk {
	struct scan_list *out;
	struct dir_id stack[MAX_DEPTH + 1];
	int depth;
	char *root;
};

char *scan_realpath(const char *path)
{
	return realpath(path, NULL);
}

static int push_file(struct scan_list *l, const char *root, const char *rel, struct mlfy_err *err)
{
	size_t ra = strlen(root), rr = strlen(rel);

	if (MLFY_GROW(l->v, l->cap, l->n + 1))
		return mlfy_err_oom(err);
	l->v[l->n].rel = strdup(rel);
	l->v[l->n].abs = malloc(ra + rr + 2);
	if (!l->v[l->n].rel || !l->v[l->n].abs) {
		MLFY_FREE_ALL(l->v[l->n].rel, l->v[l->n].abs);
		return mlfy_err_oom(err);
	}
	memcpy(l->v[l->n].abs, root, ra);
	l->v[l->n].abs[ra] = '/';
	memcpy(l->v[l->n].abs + ra + 1, rel, rr + 1);
	l->n++;
	return 0;
}

/* Writes rel/nm (the path below the source folder) into buf for a message,
 * its middle elided when long, so that the reason after it still fits. */
static const char *abbrev(const char *rel, const char *nm, char *buf, size_t n)
{
	size_t len;
	snprintf(buf, n, "%s%s%s", rel, *rel ? "/" : "", nm);
	len = strlen(buf);
	if (len > 200 && n > 200) {
		/* keep about the first 100 and the last 97 bytes, cut between
		 * UTF-8 characters */
		size_t head = 100, tail = len - 97;
		while (head > 0 && ((unsigned char)buf[head] & 0xC0) == 0x80)
			head--;
		while (tail < len && ((unsigned char)buf[tail] & 0xC0) == 0x80)
			tail++;
		memcpy(buf + head, "...", 3);  /* NOLINT(bugprone-not-null-terminated-result): inserts three bytes into a terminated string */
		memmove(buf + head + 3, buf + tail, len - tail + 1);
	}
	return buf;
}

static int walk_dir(struct walk *w, const char *rel, int recursive, struct mlfy_err *err)
{
	char path[8192], child[8192];
	DIR *d;
	struct dirent *de;
	struct stat st;
	int rc = 0, i;

	snprintf(path, sizeof(path), "%s%s%s", w->root, *rel ? "/" : "", rel);
	if (stat(path, &st) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
	for (i = 0; i < w->depth; i++)
		if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: symbolic link loop (the folder contains itself)",
					    path);
	if (w->depth >= MAX_DEPTH)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: folders nested deeper than %d levels", path, MAX_DEPTH);
	w->stack[w->depth].dev = st.st_dev;
	w->stack[w->depth].ino = st.st_ino;
	w->depth++;
	if (!(d = opendir(path))) {
		w->depth--;
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot list: %s", path, strerror(errno));
	}
	while (!rc && (errno = 0, de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] == '.') {
			if (strcmp(nm, ".") && strcmp(nm, ".."))
				w->out->n_ignored++;
			continue;
		}
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", nm) >= sizeof(child) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", w->root, child) >= sizeof(path)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: path too long", abbrev(rel, nm, path, sizeof(path)));
			break;
		}
		if (stat(path, &st) != 0) {
			int e = errno;
			/* a dangling link (or a link loop): an image name is reported by
			 * the caller's probe; anything else that cannot be examined (a
			 * path beyond PATH_MAX, no search permission) must not be
			 * skipped silently */
			if (mlfy_is_image_name(nm))
				rc = push_file(w->out, w->root, child, err);
			else if (e == ENOENT || e == ELOOP)
				w->out->n_ignored++;
			else
				rc = mlfy_err_set(err, MLFY_EIO, "%s: %s", abbrev(rel, nm, path, sizeof(path)),
						  strerror(e));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!*rel)
				w->out->n_subdirs++;
			if (recursive)
				rc = walk_dir(w, child, recursive, err);
			else
				w->out->n_ignored++;
		} else if (mlfy_is_image_name(nm)) {
			if (!*rel)
				w->out->n_top_files++;
			rc = push_file(w->out, w->root, child, err);
		} else {
			w->out->n_ignored++;
		}
	}
	if (!rc && errno)
		rc = mlfy_err_set(err, MLFY_EIO, "%s/%s: cannot list: %s", w->root, rel, strerror(errno));
	closedir(d);
	w->depth--;
	return rc;
}

static int cmp_rel(const void *a, const void *b)
{
	return strcmp(((const struct scan_file *)a)->rel, ((const struct scan_file *)b)->rel);
}

int scan_images(const char *root, int recursive, struct scan_list *out, struct mlfy_err *err)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.out = out;
	if (!(w.root = scan_realpath(root)))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", root, strerror(errno));
	rc = walk_dir(&w, "", recursive, err);
	free(w.root);
	if (rc) {
		scan_list_free(out);   /* the files listed before the error */
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_rel);
	return 0;
}

void scan_list_free(struct scan_list *l)
{
	size_t i;
	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		MLFY_FREE_ALL(l->v[i].rel, l->v[i].abs);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
