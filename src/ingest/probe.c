/* probe.c - reading what the project records about one image file: SHA-256
 * (libsodium, streaming), size, and width/height from the header (the image
 * codec, util/codec.h), with a truncation check for JPEG and PNG (probe.h). */
#include "ingest/probe.h"
#include "util/codec.h"
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int mlfy_image_probe(const char *path, struct mlfy_image_info *info, struct mlfy_err *err)
{
	static const unsigned char png_iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES], tail[16], *buf;
	size_t tail_n = 0, i;
	const struct mlfy_codec *codec;
	char format[8];
	struct stat sb;
	char reason[256];
	int64_t total = 0;
	ssize_t got;
	int fd, rc;

	memset(info, 0, sizeof(*info));
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	if (!(codec = mlfy_codec(err)))
		return MLFY_EUNSUPPORTED;

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

	if ((rc = codec->header(path, format, &info->width, &info->height, err)))
		return rc;
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
		    codec->verify(path, 1, reason, sizeof(reason)))
			return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt jpeg: %s", reason);
	} else if (!strcmp(format, "png")) {
		if (!(tail_n >= 12 && !memcmp(tail + tail_n - 12, png_iend, 12)) &&
		    codec->verify(path, 0, reason, sizeof(reason)))
			return mlfy_err_set(err, MLFY_EINVAL, "truncated or corrupt png: %s", reason);
	}
	return 0;
}
