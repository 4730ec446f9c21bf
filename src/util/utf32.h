/* utf32.h - UTF-32LE text (NumPy's <U strings) as UTF-8 (utf32.c). */
#ifndef MLFY_UTIL_UTF32_H
#define MLFY_UTIL_UTF32_H

#include <stddef.h>
#include <stdint.h>

/* e: str_len UTF-32LE code points (one element of a <U array) as UTF-8
 * into p, which has room for 4 * str_len + 1 bytes; trailing NULs are
 * dropped and p is NUL-terminated.  Returns the length, or SIZE_MAX with
 * *bad (the index) and *bad_cp naming the first code point that is an
 * embedded NUL, a surrogate or beyond U+10FFFF.  Format: UTF-8, RFC 3629. */
size_t mlfy_utf32le_to_utf8(const unsigned char *e, size_t str_len, char *p, size_t *bad, uint32_t *bad_cp);

#endif
