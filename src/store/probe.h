/* probe.h - telling a project file from other files (label files, vote
 * files) without opening it, for commands that take either. */
#ifndef MLFY_STORE_PROBE_H
#define MLFY_STORE_PROBE_H

/* 1 when path is a readable file that starts with the SQLite 3 header (a
 * project, as far as the header tells) or a PostgreSQL URI
 * (mlfy_store_is_pg: opening it tells more), else 0.  Never fails; never
 * connects. */
int mlfy_store_is_project(const char *path);

#endif
