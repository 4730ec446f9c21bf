/* codec_vips.c - the image codec module's entry point (util/codec.h):
 * starts libvips once, with the settings every caller needs, and hands out
 * the table; also libvips' error text and the small table functions. */
#include "codec/codec_vips.h"
#include "mlfy_version.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

static struct mlfy_codec table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int started;
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;

static void quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static void start(void)
{
	if (VIPS_INIT("mlfy"))
		return;
	/* no operation cache: every image is decoded once, and the cache would
	 * only hold pixels and open files (the server's memory stays flat) */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	/* loaders marked untrusted (matlab, analyze, magick, ...) are never
	 * used on dataset files */
	vips_block_untrusted_set(TRUE);
	/* libvips reports damage through g_warning; what matters reaches us as
	 * errors */
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet_log, NULL);
	table.libvips = vips_version_string();
	started = 1;
}

void codec_vips_reason(char *buf, size_t n)
{
	const char *e;
	size_t i, k = 0;

	pthread_mutex_lock(&err_lock);
	e = vips_error_buffer();
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
	vips_error_clear();
	pthread_mutex_unlock(&err_lock);
	while (k > 0 && (buf[k - 1] == '.' || buf[k - 1] == ' '))
		buf[--k] = '\0';
	if (!k)
		snprintf(buf, n, "unreadable image data");
}

int codec_vips_fail(struct mlfy_err *err, int code, const char *path, const char *what)
{
	char *msg, *q;

	pthread_mutex_lock(&err_lock);
	msg = vips_error_buffer_copy();   /* copies, then clears the buffer */
	pthread_mutex_unlock(&err_lock);
	if (msg) {
		for (q = msg; *q; q++)
			if (*q == '\n')
				*q = (q[1] ? ';' : '\0');
	}
	mlfy_err_set(err, code, "%s: %s%s%s", path, what, msg && *msg ? ": " : "", msg ? msg : "");
	g_free(msg);
	return code;
}

int codec_vips_thumbnail_jpeg(const void *data, size_t len, int box, void **jpeg, size_t *jpeg_len,
			      char *why, size_t why_n)
{
	VipsImage *im = NULL;

	*jpeg = NULL;
	*jpeg_len = 0;
	if (vips_thumbnail_buffer((void *)(uintptr_t)data, len, &im, box, "height", box, "size", VIPS_SIZE_DOWN,
				  NULL) != 0 ||
	    vips_jpegsave_buffer(im, jpeg, jpeg_len, "Q", 82, "strip", TRUE, "optimize_coding", TRUE, NULL) != 0) {
		codec_vips_reason(why, why_n);
		if (im)
			g_object_unref(im);
		g_free(*jpeg);
		*jpeg = NULL;
		*jpeg_len = 0;
		return -1;
	}
	g_object_unref(im);   /* the JPEG is a copy: nothing refers to data any more */
	return 0;
}

static void free_buffer(void *p)
{
	g_free(p);
}

static void set_concurrency(int threads)
{
	vips_concurrency_set(threads);
}

static void thread_done(void)
{
	vips_thread_shutdown();
}

static struct mlfy_codec table = {
	.head = { MLFY_CODEC_ABI, "mlfy " MLFY_VERSION },
	.libvips = VIPS_VERSION,   /* the running library's, once started */
	.header = codec_vips_header,
	.verify = codec_vips_verify,
	.decode_rgb = codec_vips_decode_rgb,
	.thumbnail_jpeg = codec_vips_thumbnail_jpeg,
	.free_buffer = free_buffer,
	.set_concurrency = set_concurrency,
	.thread_done = thread_done,
};

/* The entry point the loader resolves (MLFY_CODEC_ENTRY). */
const struct mlfy_module_head *mlfy_codec_vips(struct mlfy_err *err);
const struct mlfy_module_head *mlfy_codec_vips(struct mlfy_err *err)
{
	pthread_once(&once, start);
	if (!started) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "libvips %s failed to start", VIPS_VERSION);
		return NULL;
	}
	return &table.head;
}
