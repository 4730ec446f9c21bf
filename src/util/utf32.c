/* utf32.c - UTF-32LE text (NumPy's <U strings) as UTF-8 (utf32.h): the
 * one encoder shared by the .npy string reader and the streamed vote files. */
#include "util/utf32.h"

#include <string.h>

size_t mlfy_utf32le_to_utf8(const unsigned char *e, size_t str_len, char *p, size_t *bad, uint32_t *bad_cp)
{
	size_t len = str_len, j, k = 0;
	uint32_t cp;

	while (len > 0) {
		memcpy(&cp, e + 4 * (len - 1), 4);
		if (cp)
			break;
		len--;
	}
	for (j = 0; j < len; j++) {
		memcpy(&cp, e + 4 * j, 4);
		if (cp - 1u < 0x7fu) {   /* ASCII, not NUL */
			p[k++] = (char)cp;
		} else if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			*bad = j;
			*bad_cp = cp;
			return SIZE_MAX;
		} else if (cp < 0x800) {
			p[k++] = (char)(0xc0 | (cp >> 6));
			p[k++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			p[k++] = (char)(0xe0 | (cp >> 12));
			p[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			p[k++] = (char)(0x80 | (cp & 0x3f));
		} else {
			p[k++] = (char)(0xf0 | (cp >> 18));
			p[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			p[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			p[k++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	p[k] = '\0';
	return k;
}
