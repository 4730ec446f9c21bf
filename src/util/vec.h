/* vec.h - growing arrays: the one helper every "append a row to an array"
 * loop uses, instead of a hand-written realloc-and-double per caller.
 *
 * The array is a plain pointer plus a length and a capacity owned by the
 * caller, as in git's ALLOC_GROW: any element type, parallel arrays, and
 * structs that keep (items, n) in their public fields all work, and the
 * result is an ordinary malloc'd block the caller frees with free().
 *
 *     struct row *v = NULL; size_t n = 0, cap = 0;
 *     while (more()) {
 *             if (MLFY_GROW(v, cap, n + 1))
 *                     goto oom;          // v still valid, n entries kept
 *             v[n++] = next();
 *     }
 *
 * Depends on nothing of ours but error.h's status codes.
 */
#ifndef MLFY_UTIL_VEC_H
#define MLFY_UTIL_VEC_H

#include <stddef.h>
#include <stdint.h>

/* Makes the block at *(T **)pp (capacity *cap elements of elem bytes) hold
 * at least need elements: when need > *cap it is reallocated to
 * max(need, 2 * *cap, 16) elements and *cap updated.  Returns 0, or
 * MLFY_ENOMEM (out of memory, or the byte size would overflow size_t) with
 * the block and *cap unchanged (still owned by the caller).  New elements
 * are not initialised.  pp is the address of any object pointer (read and
 * written byte-wise, so no aliasing assumption is made). */
int mlfy_grow_(void *pp, size_t *cap, size_t need, size_t elem);

/* MLFY_GROW(ptr, cap, need): mlfy_grow_ for an lvalue pointer ptr and its
 * size_t capacity lvalue cap.  0 or MLFY_ENOMEM. */
#define MLFY_GROW(ptr, cap, need) mlfy_grow_(&(ptr), &(cap), (need), sizeof(*(ptr)))

/* MLFY_GROW_ZERO: like MLFY_GROW, and the elements from old capacity to the
 * new one are zero-filled (for arrays of structs released field by field). */
int mlfy_grow_zero_(void *pp, size_t *cap, size_t need, size_t elem);
#define MLFY_GROW_ZERO(ptr, cap, need) mlfy_grow_zero_(&(ptr), &(cap), (need), sizeof(*(ptr)))

/* Releases each of the n elements (elem bytes each) of array v with
 * release (which frees what an element owns, not the element), then frees
 * v.  Accepts NULL.  The one loop behind every mlfy_*s_free(v, n). */
void mlfy_array_free(void *v, size_t n, size_t elem, void (*release)(void *elem));

/* MLFY_DEFINE_ARRAY_FREE(name, type, release): defines the public
 * `void name(type *v, size_t n)` that releases each element with
 * `void release(type *)` and frees v (mlfy_array_free), and the static
 * adapter `void release##_any(void *elem)` it needs (which row collectors
 * take too) -- the body of every mlfy_*s_free(v, n), written once. */
#define MLFY_DEFINE_ARRAY_FREE(name, type, release)                      \
	static void release##_any(void *elem)                             \
	{                                                                 \
		release((type *)elem);                                    \
	}                                                                 \
	void name(type *v, size_t n)                                      \
	{                                                                 \
		mlfy_array_free(v, n, sizeof(*v), release##_any);         \
	}

/* Frees each of the n pointers in ptrs (any may be NULL). */
void mlfy_free_each(void *const *ptrs, size_t n);
/* MLFY_FREE_ALL(a, b, c...): free(a); free(b); free(c)... in one line, for
 * the release functions of structs that own several allocations (every
 * argument is read before anything is freed). */
#define MLFY_FREE_ALL(...) \
	mlfy_free_each((void *const[]){ __VA_ARGS__ }, sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))

/* A growing array of int32 (class indices), for the common case. */
struct mlfy_ivec {
	int32_t *v;
	size_t n, cap;
};

/* Appends x; 0 or MLFY_ENOMEM (b unchanged). */
int mlfy_ivec_push(struct mlfy_ivec *b, int32_t x);

/* qsort comparators for int and int32_t arrays (ascending). */
int mlfy_cmp_int(const void *a, const void *b);
int mlfy_cmp_i32(const void *a, const void *b);

#endif
