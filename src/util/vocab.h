/* vocab.h - the small fixed vocabularies of the library (roles, stages,
 * label sources, zero-label categories...): a name's index in its table,
 * and the name of an index.  One lookup instead of a loop per vocabulary.
 * Depends on nothing of ours. */
#ifndef MLFY_UTIL_VOCAB_H
#define MLFY_UTIL_VOCAB_H

#include <stddef.h>

/* Index of s in names[0..n) (entries may be NULL, never matched), or -1
 * when s is NULL or not there.  Case-sensitive. */
int mlfy_name_index(const char *const *names, size_t n, const char *s);

/* names[i], or fallback when i is outside [0, n) or names[i] is NULL. */
const char *mlfy_name_of(const char *const *names, size_t n, int i, const char *fallback);

#endif
