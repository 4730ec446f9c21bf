/* probe.c - reading what the project records about one image file: SHA-256
 * (libsodium, streaming), size, and width/height from the header (libvips),
 * with a truncation check for JPEG and PNG (probe.h). */
#include "ingest/probe.h"
#include "util/file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#define CHUNK (1u << 20)

static const char *const image_exts[] = {
	"jpg", "jpeg", "jpe", "png", "webp", "tif", "tiff", "gif", "heic", "heif", "avif", "jxl",
};

int mlfy_is_image_name(const char *name)
{
	const char *base = mlfy_path_base(name);
	const char *dot;
	size_t i;

	if (base[0] == '.' || !(dot = strrchr(base, '.')) || dot == base)
		return 0;
	for (i = 0; i < sizeof(image_exts) / sizeof(image_exts[0]); i++)
		if (!strcasecmp(dot + 1, image_exts[i]))
			return 1;
	return 0;
}

/* ---- libvips setup -------------------------------------------------------- */

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ready;

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static void vips_setup(void)
{
	if (vips_init("mlfy") != 0 || sodium_init() < 0)
		return;
	/* no operation cache: it would keep every probed file open */
	vips_cache_set_max(0);
	/* loaders marked untrusted (matlab, analyze, …) are never used on dataset files */
	vips_block_untrusted_set(TRUE);
	/* libvips reports damage through g_warning; the reasons reach us as errors */
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
	vips_ready = 1;
}

/* The first line of libvips' error buffer, lowercased, then cleared. */
static void vips_reason(char *buf, size_t n)
{
	const char *e = vips_error_buffer();
	size_t i, k = 0;

	/* drop the "vipsjpeg: " style domain prefix */
	if (e && !strncmp(e, "Vips", 4)) {
		const char *colon = strchr(e, ':');
		const char *nl = strchr(e, '\n');
		if (colon && (!nl || colon < nl) && colon[1] == ' ')
			e = colon + 2;
	}
	for (i = 0; e && e[i] && e[i] != '\n' && k + 1 < n; i++)
		buf[k++] = (char)tolower((unsigned char)e[i]);
	buf[k] = '\0';
	while (k > 0 && (buf[k - 1] == '.' || buf[k - 1] == ' '))
		buf[--k] = '\0';
	if (!k)
		snprintf(buf, n, "unreadable image data");
	vips_error_clear();
}

static const struct { const char *loader; const char *format; } loaders[] = {
	{ "VipsForeignLoadJpeg", "jpeg" }, { "VipsForeignLoadPng", "png" },
	{ "VipsForeignLoadWebp", "webp" }, { "VipsForeignLoadTiff", "tiff" },
	{ "VipsForeignLoadNsgif", "gif" }, { "VipsForeignLoadGif", "gif" },
	{ "VipsForeignLoadHeif", "heif" }, { "VipsForeignLoadJxl", "jxl" },
};

/* Decodes every pixel (JPEG at 1/8 scale) with fail_on=truncated.  The
 * decode runs on one thread: with several, libvips 8.14 sometimes loses the
 * truncation error of a small file (measured: 22 of 40 runs on a 64x48
 * JPEG missing its last 40 bytes passed).  Not thread-safe (it changes
 * libvips' global concurrency for the call); ingest is single-threaded. */
static int verify_decode(const char *path, int jpeg, char *reason, size_t n)
{
	VipsImage *im = NULL;
	double avg;
	int rc, threads = vips_concurrency_get();

	vips_concurrency_set(1);
	vips_error_clear();
	if (jpeg)
		rc = vips_jpegload(path, &im, "shrink", 8, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
				   VIPS_ACCESS_SEQUENTIAL, NULL);
	else
		rc = vips_pngload(path, &im, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
				  VIPS_ACCESS_SEQUENTIAL, NULL);
	if (rc == 0)
		rc = vips_avg(im, &avg, NULL);
	if (im)
		g_object_unref(im);
	vips_concurrency_set(threads);
	if (rc) {
		vips_reason(reason, n);
		return -1;
	}
	return 0;
}

int mlfy_image_probe(const char *path, struct mlfy_image_info *info, struct mlfy_err *err)
{
	static const unsigned char png_iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES], tail[16], *buf;
	size_t tail_n = 0, i;
	const char *loader, *format = NULL;
	VipsImage *im;
	struct stat sb;
	char reason[256];
	int64_t total = 0;
	ssize_t got;
	int fd;

	memset(info, 0, sizeof(*info));
	pthread_once(&vips_once, vips_setup);
	if (!vips_ready)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libvips or libsodium");

	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
	 * below); it changes nothing for regular files */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot open: %s", strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mlfy_err_set(err, MLFY_EINVAL, "not a regular file");
	}
	if (sb.st_size == 0) {
		close(fd);
		return mlfy_err_set(err, MLFY_EINVAL, "empty file");
	}
	if (!(buf = malloc(CHUNK))) {
		close(fd);
		return mlfy_err_oom(err);
	}
	crypto_hash_sha256_init(&st);
	for (;;) {
		got = read(fd, buf, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return mlfy_err_set(err, MLFY_EIO, "read error: %s", strerror(e));
		}
		if (got == 0)
			break;
		crypto_hash_sha256_update(&st, buf, (unsigned long long)got);
		total += got;
		/* keep the last bytes of the file for the end-marker check */
		if ((size_t)got >= sizeof(tail)) {
			memcpy(tail, buf + got - sizeof(tail), sizeof(tail));
			tail_n = sizeof(tail);
		} else {
			size_t keep = tail_n + (size_t)got > sizeof(tail) ? sizeof(tail) - (size_t)got : tail_n;
			memmove(tail, tail + tail_n - keep, keep);
			memcpy(tail + keep, buf, (size_t)got);
			tail_n = keep + (size_t)got;
		}
	}
	free(buf);
	close(fd);
	crypto_hash_sha256_final(&st, digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(info->sha256 + 2 * i, 3, "%02x", digest[i]);
	info->bytes = total;

	vips_error_clear();
	if (!(loader = vips_foreign_find_load(path))) {
		vips_error_clear();
		return mlfy_err_set(err, MLFY_EINVAL, "not an image (unrecognised content)");
	}
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		if (!strncmp(loader, loaders[i].loader, strlen(loaders[i].loader)))
			format = loaders[i].format;
	if (!format)
		return mlfy_err_set(err, MLFY_EINVAL, "unsupported image format (%s)", loader);
	if (!(im = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL))) {
		vips_reason(reason, sizeof(reason));
		return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt %s (header): %s", format, reason);
	}
	info->width = vips_image_get_width(im);
	info->height = vips_image_get_height(im);
	g_object_unref(im);
	snprintf(info->format, sizeof(info->format), "%s", format);
	if (info->width <= 0 || info->height <= 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s header gives no size", format);
	if ((int64_t)info->width * info->height > MLFY_IMAGE_MAX_PIXELS)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "absurd size %d x %d pixels (more than %lld: a decompression bomb or a corrupt header)",
				    info->width, info->height, (long long)MLFY_IMAGE_MAX_PIXELS);

	if (!strcmp(format, "jpeg")) {
		/* a complete JPEG ends with EOI (FF D9); some writers pad after it */
		size_t k = tail_n;
		while (k > 2 && (tail[k - 1] == 0 || tail[k - 1] == '\n' || tail[k - 1] == '\r'))
			k--;
		if (!(k >= 2 && tail[k - 2] == 0xFF && tail[k - 1] == 0xD9) &&
		    verify_decode(path, 1, reason, sizeof(reason)))
			return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt jpeg: %s", reason);
	} else if (!strcmp(format, "png")) {
		if (!(tail_n >= 12 && !memcmp(tail + tail_n - 12, png_iend, 12)) &&
		    verify_decode(path, 0, reason, sizeof(reason)))
			return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt png: %s", reason);
	}
	return 0;
}
