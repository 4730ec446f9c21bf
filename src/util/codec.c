/* codec.c - finding, loading and checking the image codec module
 * (codec-vips.so) on first use (codec.h). */
#include "util/codec.h"
#include "mlfy_version.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_SUBPATH "multilabelfy/codec-vips.so"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct mlfy_codec *codec;
static struct mlfy_err load_err;

/* The module's path: $MLFY_CODEC_MODULE, or MODULE_SUBPATH beside the
 * shared library this function is part of.  0, or MLFY_EUNSUPPORTED with
 * load_err set. */
static int module_path(char *out, size_t n)
{
	const char *env = getenv("MLFY_CODEC_MODULE");
	Dl_info di;
	const char *slash;

	if (env && *env) {
		if ((size_t)snprintf(out, n, "%s", env) >= n)
			return mlfy_err_set(&load_err, MLFY_EUNSUPPORTED, "MLFY_CODEC_MODULE is too long");
		return 0;
	}
	if (!dladdr((void *)(uintptr_t)mlfy_codec, &di) || !di.dli_fname || !(slash = strrchr(di.dli_fname, '/')))
		return mlfy_err_set(&load_err, MLFY_EUNSUPPORTED,
				    "cannot find the image codec: the path of libmultilabelfy is unknown "
				    "(set MLFY_CODEC_MODULE to the path of codec-vips.so)");
	if ((size_t)snprintf(out, n, "%.*s/%s", (int)(slash - di.dli_fname), di.dli_fname, MODULE_SUBPATH) >= n)
		return mlfy_err_set(&load_err, MLFY_EUNSUPPORTED, "the image codec's path is too long");
	return 0;
}

static void load(void)
{
	char path[PATH_MAX];
	const struct mlfy_codec *c;
	mlfy_codec_entry_fn entry;
	struct mlfy_err e;
	void *h, *sym;

	if (module_path(path, sizeof(path)))
		return;
	/* RTLD_NODELETE: libvips keeps threads and type registrations for the
	 * life of the process; the module must never be unmapped under them */
	if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))) {
		const char *why = dlerror();
		size_t pl = strlen(path);
		/* glibc's reason starts with the path again */
		if (why && !strncmp(why, path, pl) && !strncmp(why + pl, ": ", 2))
			why += pl + 2;
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED,
			     "cannot load the image codec %s: %s (mlfy reads images with it: install "
			     "multilabelfy completely, or build it with `cmake --build`)",
			     path, why ? why : "unknown reason");
		return;
	}
	if (!(sym = dlsym(h, MLFY_CODEC_ENTRY))) {
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED, "%s is not mlfy's image codec (no %s)", path,
			     MLFY_CODEC_ENTRY);
		return;
	}
	memcpy(&entry, &sym, sizeof(entry));   /* POSIX: dlsym's result as a function pointer */
	mlfy_err_clear(&e);
	if (!(c = entry(&e))) {
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED, "the image codec %s cannot start: %s", path,
			     e.msg[0] ? e.msg : "unknown reason");
		return;
	}
	if (c->abi != MLFY_CODEC_ABI || !c->version || strcmp(c->version, "mlfy " MLFY_VERSION)) {
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED,
			     "the image codec %s belongs to another build (%s, interface %d; this is mlfy %s, "
			     "interface %d): install multilabelfy again",
			     path, c->version ? c->version : "unknown", c->abi, MLFY_VERSION, MLFY_CODEC_ABI);
		return;
	}
	codec = c;
}

const struct mlfy_codec *mlfy_codec(struct mlfy_err *err)
{
	pthread_once(&once, load);
	if (!codec) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s", load_err.msg);
		return NULL;
	}
	return codec;
}
