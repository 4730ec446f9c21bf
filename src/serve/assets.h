/* assets.h - the page files of web/ embedded in the binary.  The table is
 * generated at build time by cmake/embed-web.cmake (web_assets.c in the
 * build directory); names are the file names without directories. */
#ifndef MLFY_SERVE_ASSETS_H
#define MLFY_SERVE_ASSETS_H

#include <stddef.h>

struct mlfy_asset {
	const char *name;            /* "annotate.js" */
	const char *type;            /* Content-Type */
	const unsigned char *data;   /* file bytes (static) */
	size_t len;
	const char *etag;            /* quoted, from the content's SHA-256 */
};

extern const struct mlfy_asset mlfy_assets[];
extern const size_t mlfy_n_assets;

#endif
