/* json_text.h - text from outside (arguments, file names, stored strings)
 * as a JSON string that always encodes (json_text.c): jansson refuses
 * invalid UTF-8, which would silently drop a row from a JSON list or an
 * audit entry. */
#ifndef MLFY_UTIL_JSON_TEXT_H
#define MLFY_UTIL_JSON_TEXT_H

#include <jansson.h>

/* s as a new JSON string: as it is when it is UTF-8, else with every byte
 * outside ASCII written as '?'.  s NULL is "".  NULL only when out of
 * memory. */
json_t *mlfy_json_text(const char *s);

/* 1 when s is valid UTF-8 without NUL bytes before its end (what
 * mlfy_json_text keeps unchanged), else 0. */
int mlfy_json_text_ok(const char *s);

#endif
