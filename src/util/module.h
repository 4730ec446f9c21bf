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

/* The first member of every module's table: what the loader checks before
 * it hands the table out. */
struct mlfy_module_head {
	int abi;              /* the interface number the module was built with */
	const char *version;  /* "mlfy <release>" of the module's build */
};

/* A module's entry point (resolved with dlsym): its table, whose first
 * member is a struct mlfy_module_head, or NULL with err set when what it
 * wraps cannot start (libvips' initialisation, say). */
typedef const struct mlfy_module_head *(*mlfy_module_entry_fn)(struct mlfy_err *err);

/* Opens the module file (e.g. "codec-vips.so"; $env overrides its path),
 * calls its entry point entry and checks the table's head: abi must be
 * the caller's and version this build's ("mlfy " MLFY_VERSION).  what
 * names the module in messages ("the image codec").  The module stays
 * loaded until the process exits (RTLD_NODELETE; the libraries it brings
 * may keep threads).  Not idempotent on its own: callers keep the result
 * (pthread_once).  Returns the table (cast it to the module's type: the
 * head is its first member, C11 6.7.2.1), or NULL with MLFY_EUNSUPPORTED in
 * err when the file cannot be found or loaded (the message names the path
 * tried, the variable it came from, and the dynamic loader's reason), lacks
 * entry, cannot start, or belongs to another build. */
const struct mlfy_module_head *mlfy_module_load(const char *file, const char *env, const char *entry,
						const char *what, int abi, struct mlfy_err *err);

#endif
