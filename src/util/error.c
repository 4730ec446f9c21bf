/* error.c - status codes and error messages (see error.h). Owns nothing else. */
#define MLFY_ERROR_C   /* no analyzer macro for mlfy_err_set here (error.h) */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

void mlfy_err_clear(struct mlfy_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int mlfy_err_vset(struct mlfy_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int mlfy_err_set(struct mlfy_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mlfy_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int mlfy_err_prefix(struct mlfy_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return err->code;
}

const char *mlfy_strstatus(int code)
{
	switch (code) {
	case MLFY_OK: return "ok";
	case MLFY_EINVAL: return "bad input";
	case MLFY_EIO: return "i/o error";
	case MLFY_ENOMEM: return "out of memory";
	case MLFY_ESTORE: return "project store error";
	case MLFY_ENOTFOUND: return "not found";
	case MLFY_ECONFLICT: return "conflict";
	case MLFY_EPERM: return "permission denied";
	case MLFY_EUNSUPPORTED: return "unsupported";
	case MLFY_EINTR: return "interrupted";
	case MLFY_ESCHEMA: return "newer project schema";
	case MLFY_ECLOSED: return "closed";
	default: return "unknown error";
	}
}

int mlfy_err_oom(struct mlfy_err *err)
{
	return mlfy_err_set(err, MLFY_ENOMEM, "out of memory");
}
