/* pguri.h - names derived from a PostgreSQL connection URI (the project
 * argument postgresql://… or postgres://…) where a file project derives
 * them from its file name: the default project name and cache folder. */
#ifndef MLFY_UTIL_PGURI_H
#define MLFY_UTIL_PGURI_H

#include <stddef.h>

/* The database name of a postgresql:// or postgres:// URI as libpq reads
 * it: the dbname= query parameter, else the path after the host part,
 * else the user name (user= or user@), percent-decoded; "postgres" when
 * none is given.  Writes at most cap bytes with the NUL to out (a longer
 * name is cut).  Returns 0, or -1 when uri is not such a URI. */
int mlfy_pguri_dbname(const char *uri, char *out, size_t cap);

/* The default cache folder of a URI project for `mlfy serve`:
 * $XDG_CACHE_HOME/mlfy/<db>-<hash>, else $HOME/.cache/mlfy/<db>-<hash>,
 * where <db> is the database name (characters outside [A-Za-z0-9._-] as
 * '_') and <hash> the first 12 hex digits of the 64-bit FNV-1a hash of the
 * redacted URI (redacted: mlfy_store_redacted, so that a changed password
 * keeps the folder while another host, port, database or schema gets its
 * own).  Creates the folders above it (mode 0700; failures are left to
 * the caller's own mkdir of the result to report).  New string (free());
 * NULL when out of memory, when uri is no
 * PostgreSQL URI, or when neither variable is set (the caller then asks for
 * --cache). */
char *mlfy_pguri_cache_dir(const char *uri, const char *redacted);

#endif
