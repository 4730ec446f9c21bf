/* module.h - opening one of mlfy's own modules: the parts built as shared
 * objects of their own and loaded with dlopen on first use, so that a
 * command starts without the libraries it does not need (docs/analysis.md,
 * "CI time").  Three exist: multilabelfy/codec-vips.so (libvips,
 * util/codec.h), multilabelfy/store-pg.so (libpq, the PostgreSQL engine of
 * src/store, engine_ops.h) and, in a build with ONNX Runtime,
 * multilabelfy/propose-ort.so (propose/ort/session_module.h).
 *
 * Where a module is looked for: the environment variable the caller names
 * when it is set (a path, relative to the current folder unless absolute;
 * tests use it), otherwise multilabelfy/FILE in the directory of the
 * libmultilabelfy.so.N that is running (the build folder in a build tree;
 * the install rules are issue 17's).
 */
#ifndef MLFY_UTIL_MODULE_H
#define MLFY_UTIL_MODULE_H

#include "util/error.h"

/* Opens the module file (e.g. "codec-vips.so"; $env overrides its path) and
 * returns the address of its symbol entry.  what names the module in
 * messages ("the image codec").  The module stays loaded until the process
 * exits (RTLD_NODELETE; the libraries it brings may keep threads).  Not
 * idempotent on its own: callers keep the result (pthread_once).  Returns
 * NULL with MLFY_EUNSUPPORTED in err when the file cannot be found or
 * loaded (the message names the path tried and the dynamic loader's
 * reason) or lacks entry. */
void *mlfy_module_entry(const char *file, const char *env, const char *entry, const char *what,
			struct mlfy_err *err);

#endif
