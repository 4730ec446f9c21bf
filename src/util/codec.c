/* codec.c - loading and checking the image codec module (codec-vips.so)
 * on first use (codec.h). */
#include "util/codec.h"
#include "util/module.h"
#include "mlfy_version.h"

#include <pthread.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct mlfy_codec *codec;
static struct mlfy_err load_err;

static void load(void)
{
	mlfy_codec_entry_fn entry;
	const struct mlfy_codec *c;
	struct mlfy_err e;
	void *sym;

	if (!(sym = mlfy_module_entry("codec-vips.so", "MLFY_CODEC_MODULE", MLFY_CODEC_ENTRY, "the image codec",
				      &load_err)))
		return;
	memcpy(&entry, &sym, sizeof(entry));   /* POSIX: dlsym's result as a function pointer */
	mlfy_err_clear(&e);
	if (!(c = entry(&e))) {
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED, "the image codec cannot start: %s",
			     e.msg[0] ? e.msg : "unknown reason");
		return;
	}
	if (c->abi != MLFY_CODEC_ABI || !c->version || strcmp(c->version, "mlfy " MLFY_VERSION)) {
		mlfy_err_set(&load_err, MLFY_EUNSUPPORTED,
			     "the image codec belongs to another build (%s, interface %d; this is mlfy %s, "
			     "interface %d): install multilabelfy again",
			     c->version ? c->version : "unknown", c->abi, MLFY_VERSION, MLFY_CODEC_ABI);
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
