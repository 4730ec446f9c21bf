/* images.c - project images and class exemplars over HTTP: thumbnails and
 * display sizes made by the image codec (util/codec.h: libvips'
 * vips_thumbnail, shrink-on-load), cached
 * on disk under <cache>/<sha256[0:2]>/<sha256>-<size>.jpg (content-addressed,
 * so a cache entry is never stale), served with an ETag and Cache-Control
 * "private, no-cache": a browser may keep a copy but must ask again before
 * each use, and the server checks the session and access on every request
 * (a copy in the cache of a shared computer is not shown after logout or to
 * the next person), answering 304 without reading the file when the ETag
 * still matches.  Only ids from the URL are used: the file path always comes
 * from the store, never from the request.  And only bytes whose SHA-256 is
 * the one recorded at import are ever served or thumbnailed: a file
 * swapped after the import, or a path that now resolves elsewhere through a
 * symbolic link, gets 409 instead of its content (read_verified). */
#include "serve/images.h"
#include "serve/http.h"
#include "store/taskview.h"
#include "util/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

/* Bounding boxes in pixels (longest side). */
#define THUMB_BOX 192
#define DISPLAY_BOX 1280
#define FULL_BOX 100000

/* Every image reply, 200 and 304: revalidated on every use (see above). */
#define IMAGE_CACHE_CONTROL "private, no-cache"

/* libvips, loaded by images_init (before the server takes requests) */
static const struct mlfy_codec *codec;

int images_init(struct mlfy_server *srv, struct mlfy_err *err)
{
	struct stat st;
	if (!(codec = mlfy_codec(err)))
		return MLFY_EUNSUPPORTED;
	/* parallelism comes from the server's worker threads: libvips' own
	 * pools stay at one thread, so memory stays flat */
	codec->set_concurrency(1);
	if (mkdir(srv->cache_dir, 0700) != 0 && errno != EEXIST)
		return mlfy_err_set(err, MLFY_EIO, "%s: cannot create the image cache: %s", srv->cache_dir,
				    strerror(errno));
	if (stat(srv->cache_dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(srv->cache_dir, W_OK | X_OK) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: image cache is not a writable directory", srv->cache_dir);
	return 0;
}

static int hex_ok(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i >= 16 && i <= 64;
}

/* Largest image file served (read whole into memory to be verified). */
#define MAX_IMAGE_FILE ((size_t)256 << 20)

/* Reads the project file src whole and checks its SHA-256 against sha, the
 * hash recorded at import (64 hex digits, or a prefix of at least 16).
 * Returns 0 with *buf (free()) and *len, or an HTTP status: 404 missing,
 * unreadable or not a regular file; 409 content differs from the import;
 * 422 too large.  Verifying the bytes actually read (not the path) leaves
 * no window between a check and the use. */
static int read_verified(const char *src, const char *sha, unsigned char **buf, size_t *len)
{
	unsigned char digest[crypto_hash_sha256_BYTES], *b;
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	struct stat st;
	size_t got = 0;
	int fd;

	*buf = NULL;
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return 404;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 404;
	}
	if ((uint64_t)st.st_size > MAX_IMAGE_FILE) {
		close(fd);
		return 422;
	}
	if (!(b = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		close(fd);
		return 422;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	crypto_hash_sha256(digest, b, got);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (got != (size_t)st.st_size || strncmp(hex, sha, strlen(sha)) != 0) {
		free(b);
		return 409;
	}
	*buf = b;
	*len = got;
	return 0;
}

static enum MHD_Result reply_unverified(struct req *r, int status, const char *src)
{
	if (status == 409) {
		srv_log_error(r->srv, "%s: content differs from the import (changed, or a link now points elsewhere)",
			      src);
		return reply_error(r, 409, "the image file changed since it was imported; re-run mlfy add-images");
	}
	if (status == 422)
		return reply_error(r, 422, "the image file is too large to serve");
	return reply_error(r, 404, "image file is missing on the server");
}

/* A 200 with an image body: its type, its ETag and the cache policy of
 * every image reply (revalidated on each use). */
static enum MHD_Result reply_image(struct req *r, struct MHD_Response *resp, const char *type, const char *etag,
				   uint64_t size)
{
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", IMAGE_CACHE_CONTROL);
	return reply(r, 200, resp, size);
}

/* Browser-displayable formats by their first bytes; NULL otherwise. */
static const char *sniff_buf(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

static enum MHD_Result reply_fd(struct req *r, int fd, const char *type, const char *etag)
{
	struct MHD_Response *resp;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return reply_error(r, 404, "image file is missing on the server");
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	return reply_image(r, resp, type, etag, (uint64_t)st.st_size);
}

static void free_codec_buf(void *p)
{
	codec->free_buffer(p);
}

/* Replies with a verified file held in memory (takes buf). */
static enum MHD_Result reply_buf(struct req *r, unsigned char *buf, size_t len, const char *type, const char *etag)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, buf, free);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	return reply_image(r, resp, type, etag, len);
}

/* Makes the JPEG of the verified file data[0..len) (src names it in the
 * log) within box x box and stores it at cpath (atomically).  Replies
 * itself; takes data. */
static enum MHD_Result generate(struct req *r, const char *src, unsigned char *data, size_t len_in, int box,
				const char *cpath, const char *etag)
{
	struct MHD_Response *resp;
	void *buf = NULL;
	size_t len = 0;
	char dir[4200], tmp[4300], why[256];
	const char *slash;
	int fd, rc;

	rc = codec->thumbnail_jpeg(data, len_in, box, &buf, &len, why, sizeof(why));
	free(data);   /* the JPEG is a copy */
	codec->thread_done();
	if (rc) {
		srv_log_error(r->srv, "image %s: %s", src, why);
		return reply_error(r, 422, "the image file cannot be decoded");
	}

	/* cache it: write a temporary file in the same directory, then rename */
	slash = strrchr(cpath, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cpath), cpath);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		srv_log_error(r->srv, "%s: %s", dir, strerror(errno));
	} else {
		snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", cpath);
		fd = mkstemp(tmp);
		if (fd >= 0) {
			ssize_t w = write(fd, buf, len);
			if (close(fd) != 0 || w != (ssize_t)len || rename(tmp, cpath) != 0) {
				srv_log_error(r->srv, "%s: cannot write the cache file", cpath);
				unlink(tmp);
			}
		} else {
			srv_log_error(r->srv, "%s: %s", tmp, strerror(errno));
		}
	}
	resp = MHD_create_response_from_buffer_with_free_callback(len, buf, free_codec_buf);
	if (!resp) {
		codec->free_buffer(buf);
		return MHD_NO;
	}
	return reply_image(r, resp, "image/jpeg", etag, len);
}

/* 1 when the If-None-Match value inm lists etag (RFC 9110, 13.1.2: a
 * comma-separated list, weak comparison: a "W/" prefix is ignored) or is
 * "*". */
static int etag_listed(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 0;
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		while (*p && *p != ',')
			p++;
	}
}

/* Replies with file src (content sha256) at the size asked by ?size=.  The
 * caller has checked that the person may see it: a 304 is only sent after
 * that check. */
static enum MHD_Result serve_image(struct req *r, const char *src, const char *sha)
{
	const char *size = req_arg(r, "size");
	const char *inm = req_header(r, "If-None-Match");
	char etag[96], cpath[4200], tag[16];
	unsigned char *data;
	size_t len;
	int box, fd, st;

	if (!size || !strcmp(size, "display"))
		box = DISPLAY_BOX;
	else if (!strcmp(size, "thumb"))
		box = THUMB_BOX;
	else if (!strcmp(size, "full"))
		box = FULL_BOX;
	else
		return reply_error(r, 400, "size: expected thumb, display or full");
	if (!hex_ok(sha)) {
		srv_log_error(r->srv, "%s: stored sha256 '%s' is not hex", src, sha);
		return reply_error(r, 500, "internal error: bad content hash in the project");
	}
	snprintf(tag, sizeof(tag), "%c%d", box == FULL_BOX ? 'f' : box == THUMB_BOX ? 't' : 'd',
		 box == FULL_BOX ? 0 : box);
	snprintf(etag, sizeof(etag), "\"%.20s-%s\"", sha, tag);
	if (inm && etag_listed(inm, etag)) {
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (resp) {
			MHD_add_response_header(resp, "ETag", etag);
			MHD_add_response_header(resp, "Cache-Control", IMAGE_CACHE_CONTROL);
		}
		return reply(r, 304, resp, 0);
	}
	snprintf(cpath, sizeof(cpath), "%s/%.2s/%s-%s.jpg", r->srv->cache_dir, sha, sha, tag);
	/* a cache entry was made from verified bytes (content-addressed) */
	if (box != FULL_BOX && (fd = open(cpath, O_RDONLY | O_CLOEXEC)) >= 0)
		return reply_fd(r, fd, "image/jpeg", etag);
	if ((st = read_verified(src, sha, &data, &len)))
		return reply_unverified(r, st, src);
	if (box == FULL_BOX) {
		/* the original when a browser can show it, else a full-size JPEG */
		const char *type = sniff_buf(data, len);
		if (type)
			return reply_buf(r, data, len, type, etag);
		if ((fd = open(cpath, O_RDONLY | O_CLOEXEC)) >= 0) {
			free(data);
			return reply_fd(r, fd, "image/jpeg", etag);
		}
	}
	return generate(r, src, data, len, box, cpath, etag);
}

enum MHD_Result h_image(struct req *r, const char *rest)
{
	int64_t id = parse_id(rest, NULL, INT64_C(1) << 53);
	struct mlfy_err err;
	int rc;

	if (id < 0)
		return reply_error(r, 404, "no such image: expected /api/images/<image id>");
	mlfy_err_clear(&err);
	if (r->sess.user.role != MLFY_ROLE_ADMIN && (rc = mlfy_tasks_can_view(r->store, r->sess.user.id, id, &err)))
		return reply_err(r, &err);
	return image_reply(r, id);
}

enum MHD_Result image_reply(struct req *r, int64_t image_id)
{
	struct mlfy_err err;
	enum MHD_Result ret;
	char *path = NULL, sha[65];

	mlfy_err_clear(&err);
	if (mlfy_view_image_file(r->store, image_id, &path, sha, &err))
		return reply_err(r, &err);
	ret = serve_image(r, path, sha);
	free(path);
	return ret;
}

enum MHD_Result h_exemplar(struct req *r, const char *rest)
{
	const char *end = NULL;
	int64_t cls = parse_id(rest, &end, 1000000000), rank = -1;
	struct mlfy_err err;
	enum MHD_Result ret;
	char *path = NULL, sha[65];

	if (cls >= 0 && *end == '/')
		rank = parse_id(end + 1, NULL, 1000000);
	if (cls < 0 || rank < 0)
		return reply_error(r, 404, "no such exemplar: expected /api/exemplars/<class>/<rank>");
	mlfy_err_clear(&err);
	/* never an image of the person's own tasks: the route names the class,
	 * which is that image's original label (an admin sees every one) */
	if (mlfy_view_exemplar_file(r->store, (int)cls, (int)rank,
				    r->sess.user.role == MLFY_ROLE_ADMIN ? 0 : r->sess.user.id, &path, sha, &err))
		return reply_err(r, &err);
	ret = serve_image(r, path, sha);
	free(path);
	return ret;
}
