/* module.c - finding and opening mlfy's modules (module.h). */
#include "util/module.h"
#include "mlfy_version.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The module's path: $env, or multilabelfy/file beside the shared library
 * this function is part of.  0, or MLFY_EUNSUPPORTED with err set. */
static int module_path(const char *file, const char *env, const char *what, char *out, size_t n,
		       struct mlfy_err *err)
{
	const char *val = env ? getenv(env) : NULL;
	const char *slash;
	Dl_info di;

	if (val && *val) {
		/* a bare file name is a file in the current folder, as the user
		 * meant it, not a name for the dynamic loader's search path */
		if ((size_t)snprintf(out, n, "%s%s", strchr(val, '/') ? "" : "./", val) >= n)
			return mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s is too long", env);
		return 0;
	}
	if (!dladdr((void *)(uintptr_t)mlfy_module_load, &di) || !di.dli_fname ||
	    !(slash = strrchr(di.dli_fname, '/')))
		return mlfy_err_set(err, MLFY_EUNSUPPORTED,
				    "cannot find %s: the path of libmultilabelfy is unknown (set %s to the path of %s)",
				    what, env ? env : "its variable", file);
	if ((size_t)snprintf(out, n, "%.*s/multilabelfy/%s", (int)(slash - di.dli_fname), di.dli_fname, file) >= n)
		return mlfy_err_set(err, MLFY_EUNSUPPORTED, "the path of %s is too long", what);
	return 0;
}

const struct mlfy_module_head *mlfy_module_load(const char *file, const char *env, const char *entry,
						const char *what, int abi, struct mlfy_err *err)
{
	const char *val = env ? getenv(env) : NULL;
	const struct mlfy_module_head *head;
	mlfy_module_entry_fn fn;
	char path[PATH_MAX];
	struct mlfy_err e;
	void *h, *sym;

	if (module_path(file, env, what, path, sizeof(path), err))
		return NULL;
	if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))) {
		const char *why = dlerror();
		size_t pl = strlen(path);
		/* glibc's reason starts with the path again */
		if (why && !strncmp(why, path, pl) && !strncmp(why + pl, ": ", 2))
			why += pl + 2;
		if (val && *val)
			mlfy_err_set(err, MLFY_EUNSUPPORTED, "cannot load %s %s (from %s): %s", what, path, env,
				     why ? why : "unknown reason");
		else
			mlfy_err_set(err, MLFY_EUNSUPPORTED,
				     "cannot load %s %s: %s (install multilabelfy completely, or build it with "
				     "`cmake --build`)", what, path, why ? why : "unknown reason");
		return NULL;
	}
	if (!(sym = dlsym(h, entry))) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s is not mlfy's %s module (no %s)", path, file, entry);
		return NULL;
	}
	memcpy(&fn, &sym, sizeof(fn));   /* POSIX: dlsym's result as a function pointer */
	mlfy_err_clear(&e);
	if (!(head = fn(&e))) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s cannot start: %s", what, e.msg[0] ? e.msg : "unknown reason");
		return NULL;
	}
	if (head->abi != abi || !head->version || strcmp(head->version, "mlfy " MLFY_VERSION)) {
		mlfy_err_set(err, MLFY_EUNSUPPORTED,
			     "%s %s belongs to another build (%s, interface %d; this is mlfy %s, interface %d): "
			     "install multilabelfy again", what, path, head->version ? head->version : "unknown",
			     head->abi, MLFY_VERSION, abi);
		return NULL;
	}
	return head;
}
