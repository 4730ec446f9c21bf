/* codec.c - loading and checking the image codec module (codec-vips.so)
 * on first use (codec.h). */
#include "util/codec.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct mlfy_codec *codec;
static struct mlfy_err load_err;

static void load(void)
{
	/* the head is the table's first member (util/module.h) */
	codec = (const struct mlfy_codec *)mlfy_module_load("codec-vips.so", "MLFY_CODEC_MODULE", MLFY_CODEC_ENTRY,
							      "the image codec", MLFY_CODEC_ABI, &load_err);
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
