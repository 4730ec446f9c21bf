/* classes.c - class files, overrides, WordNet names and `mlfy init`
 * (classes.h).  Owns the parsing and validation; rows are written through
 * store/catalog.h. */
#include "ingest/classes.h"
#include "ingest/textio.h"
#include "util/file.h"
#include "util/pguri.h"
#include "util/vec.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wn.h>

#define MAX_CLASS_FILE (256u << 20)   /* 256 MiB: far above any real class list */
#define MAX_CLASSES 10000000

const char *mlfy_class_format_name(enum mlfy_class_format f)
{
	switch (f) {
	case MLFY_CLASSES_JSON: return "json";
	case MLFY_CLASSES_SYNSET: return "synset";
	case MLFY_CLASSES_NAMES: return "names";
	}
	return "unknown";
}

int mlfy_is_wnid(const char *id)
{
	int i;
	if (!id || id[0] != 'n')
		return 0;
	for (i = 1; i <= 8; i++)
		if (!isdigit((unsigned char)id[i]))
			return 0;
	return id[9] == '\0';
}

/* 1 when s[0..n) is a WordNet id. */
static int is_wnid_n(const char *s, size_t n)
{
	size_t i;
	if (n != 9 || s[0] != 'n')
		return 0;
	for (i = 1; i < 9; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Parses a canonical decimal index ("0", "17"; no sign, no leading zeros). */
static int parse_class_index(const char *s, long *out)
{
	long v = 0;
	const char *p;
	if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 9)
		return -1;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

/* The first comma-separated entry of synonyms, trimmed, as a new string. */
static char *first_synonym(const char *syn)
{
	const char *comma = strchr(syn, ',');
	const char *s = syn;
	size_t n = comma ? (size_t)(comma - syn) : strlen(syn);
	textio_trim(&s, &n);
	return textio_strndup(s, n);
}

static int set_str(char **dst, const char *s, size_t n, struct mlfy_err *err)
{
	char *d = textio_strndup(s, n);
	if (!d)
		return mlfy_err_oom(err);
	free(*dst);
	*dst = d;
	return 0;
}

/* ---- duplicate ids -------------------------------------------------------- */

struct id_ref { const char *id; int idx; };

static int cmp_id_ref(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Finds a repeated ext_id; reports the pair whose later occurrence comes
 * first.  where_fn names a class (file:line or key) in messages. */
static int check_unique_ids(const struct mlfy_class *c, size_t n, const char *origin,
			    const int *lines, struct mlfy_err *err)
{
	struct id_ref *r;
	size_t i;
	int best = -1, best_first = -1;

	if (n < 2)
		return 0;
	if (!(r = malloc(n * sizeof(*r))))
		return mlfy_err_oom(err);
	for (i = 0; i < n; i++) {
		r[i].id = c[i].ext_id;
		r[i].idx = c[i].idx;
	}
	qsort(r, n, sizeof(*r), cmp_id_ref);
	for (i = 1; i < n; i++) {
		if (!strcmp(r[i].id, r[i - 1].id)) {
			/* r[i-1] is the first occurrence of this id among equal ones */
			size_t j = i;
			while (j > 0 && !strcmp(r[j - 1].id, r[i].id))
				j--;
			if (best < 0 || r[i].idx < best) {
				best = r[i].idx;
				best_first = r[j].idx;
			}
		}
	}
	free(r);
	if (best < 0)
		return 0;
	if (lines)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: class id '%s' repeats line %d; ids must be unique",
				    origin, lines[best], c[best].ext_id, lines[best_first]);
	return mlfy_err_set(err, MLFY_EINVAL, "%s: classes %d and %d have the same id '%s'; ids must be unique",
			    origin, best_first, best, c[best].ext_id);
}

/* ---- JSON class files ----------------------------------------------------- */

/* Fills class *k (index idx) from a JSON value: "id" or ["id", "name"]. */
static int class_from_json(struct mlfy_class *k, int idx, json_t *v, const char *origin,
			   const char *where, struct mlfy_err *err)
{
	const char *id, *name = NULL;

	if (json_is_string(v)) {
		id = json_string_value(v);
	} else if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
		   json_is_string(json_array_get(v, 1))) {
		id = json_string_value(json_array_get(v, 0));
		name = json_string_value(json_array_get(v, 1));
	} else {
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: %s: expected a class id string or an [id, name] pair", origin, where);
	}
	if (!*id || !textio_valid_text(id, strlen(id), 0))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: empty class id or control characters in it",
				    origin, where);
	if (name && (!*name || !textio_valid_text(name, strlen(name), 0)))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: %s: empty class name or control characters in it",
				    origin, where);
	k->idx = idx;
	if (!(k->ext_id = strdup(id)) || (name && !(k->name = strdup(name))))
		return mlfy_err_oom(err);
	return 0;
}

static int parse_json(const char *text, size_t len, const char *origin, struct mlfy_class **out,
		      size_t *n_out, struct mlfy_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	struct mlfy_class *c = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (!root)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d:%d: invalid JSON: %s", origin, jerr.line,
				    jerr.column, jerr.text);
	if (json_is_object(root)) {
		const char *key;
		json_t *v;
		n = json_object_size(root);
		if (n == 0 || n > MAX_CLASSES) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %zu classes (need 1 to %d)", origin, n, MAX_CLASSES);
			goto out;
		}
		if (!(c = calloc(n, sizeof(*c)))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		json_object_foreach(root, key, v) {
			long idx;
			char where[96];
			snprintf(where, sizeof(where), "key \"%.60s\"", key);
			if (parse_class_index(key, &idx) != 0) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: %s: keys must be class indices 0..%zu (decimal, no leading zeros)",
						  origin, where, n - 1);
				goto out;
			}
			if ((size_t)idx >= n)
				continue; /* reported below as a gap */
			if ((rc = class_from_json(&c[idx], (int)idx, v, origin, where, err)))
				goto out;
		}
		for (i = 0; i < n; i++) {
			if (!c[i].ext_id) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: index %zu is missing; the %zu keys must be exactly 0..%zu",
						  origin, i, n, n - 1);
				goto out;
			}
		}
	} else if (json_is_array(root)) {
		n = json_array_size(root);
		if (n == 0 || n > MAX_CLASSES) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: %zu classes (need 1 to %d)", origin, n, MAX_CLASSES);
			goto out;
		}
		if (!(c = calloc(n, sizeof(*c)))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		for (i = 0; i < n; i++) {
			char where[32];
			snprintf(where, sizeof(where), "element %zu", i);
			if ((rc = class_from_json(&c[i], (int)i, json_array_get(root, i), origin, where, err)))
				goto out;
		}
	} else {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: expected a JSON object {\"0\": \"n01440764\", …} or an array",
				  origin);
		goto out;
	}
	if ((rc = check_unique_ids(c, n, origin, NULL, err)))
		goto out;
out:
	json_decref(root);
	if (rc) {
		mlfy_classes_free(c, n);
		return rc;
	}
	*out = c;
	*n_out = n;
	return 0;
}

/* ---- text class files ----------------------------------------------------- */

static int parse_text(const char *text, size_t len, const char *origin, struct mlfy_class **out,
		      size_t *n_out, enum mlfy_class_format *fmt, struct mlfy_err *err)
{
	struct textio_lines it;
	struct mlfy_class *c = NULL;
	int *lines = NULL;
	size_t n = 0, cap = 0, cap_lines = 0;
	const char *s;
	size_t k;
	int rc = 0, blank_line = 0, synset = -1;

	textio_lines_init(&it, text, len);
	while (textio_lines_next(&it, &s, &k)) {
		textio_trim(&s, &k);
		if (k == 0) {
			if (!blank_line)
				blank_line = it.line;
			continue;
		}
		if (blank_line) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s:%d: empty line; each line must name one class (index = line order)",
					  origin, blank_line);
			goto out;
		}
		if (!textio_valid_text(s, k, 1)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%d: not valid UTF-8 text", origin, it.line);
			goto out;
		}
		if (synset < 0) {
			size_t t = 0;
			while (t < k && s[t] != ' ' && s[t] != '\t')
				t++;
			synset = is_wnid_n(s, t);
		}
		if (MLFY_GROW(c, cap, n + 1) || MLFY_GROW(lines, cap_lines, n + 1)) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		if (n >= MAX_CLASSES) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%d: more than %d classes", origin, it.line, MAX_CLASSES);
			goto out;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].idx = (int)n;
		lines[n] = it.line;
		n++;
		if (synset) {
			size_t t = 0;
			const char *rest;
			size_t rn;
			while (t < k && s[t] != ' ' && s[t] != '\t')
				t++;
			if (!is_wnid_n(s, t)) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s:%d: expected a WordNet id ('n' and 8 digits) at the start of the line, "
						  "as on the first line", origin, it.line);
				goto out;
			}
			if ((rc = set_str(&c[n - 1].ext_id, s, t, err)))
				goto out;
			rest = s + t;
			rn = k - t;
			textio_trim(&rest, &rn);
			if (rn > 0) {
				if ((rc = set_str(&c[n - 1].synonyms, rest, rn, err)))
					goto out;
				if (!(c[n - 1].name = first_synonym(c[n - 1].synonyms))) {
					rc = mlfy_err_oom(err);
					goto out;
				}
				if (!*c[n - 1].name) {
					rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%d: empty first synonym", origin, it.line);
					goto out;
				}
			}
		} else {
			if (memchr(s, '\t', k)) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%d: tab in a class name", origin, it.line);
				goto out;
			}
			if ((rc = set_str(&c[n - 1].ext_id, s, k, err)) || (rc = set_str(&c[n - 1].name, s, k, err)))
				goto out;
		}
	}
	if (n == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no classes (the file is empty)", origin);
		goto out;
	}
	if ((rc = check_unique_ids(c, n, origin, lines, err)))
		goto out;
	*fmt = synset ? MLFY_CLASSES_SYNSET : MLFY_CLASSES_NAMES;
out:
	free(lines);
	if (rc) {
		mlfy_classes_free(c, n);
		return rc;
	}
	*out = c;
	*n_out = n;
	return 0;
}

int mlfy_classes_parse(const char *text, size_t len, const char *origin,
		       struct mlfy_class **out, size_t *n, enum mlfy_class_format *fmt,
		       struct mlfy_err *err)
{
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		i = 3;
	if (memchr(text, '\0', len))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: binary data (NUL bytes): not a class list", origin);
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '[')) {
		*fmt = MLFY_CLASSES_JSON;
		return parse_json(text + i, len - i, origin, out, n, err);
	}
	return parse_text(text, len, origin, out, n, fmt, err);
}

int mlfy_classes_load(const char *path, struct mlfy_class **out, size_t *n,
		      enum mlfy_class_format *fmt, struct mlfy_err *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = mlfy_read_file(path, MAX_CLASS_FILE, &buf, &len, err)))
		return rc;
	rc = mlfy_classes_parse(buf, len, path, out, n, fmt, err);
	free(buf);
	return rc;
}

/* ---- WordNet -------------------------------------------------------------- */

static int wn_quiet(char *msg)
{
	(void)msg;
	return -1;
}

static int wn_state; /* 0 untried, 1 open, -1 failed */

static int wordnet_open(struct mlfy_err *err)
{
	if (wn_state == 0) {
		display_message = wn_quiet;
		wn_state = wninit() == 0 && datafps[NOUN] ? 1 : -1;
	}
	if (wn_state < 0)
		return mlfy_err_set(err, MLFY_EIO,
				    "cannot open the WordNet 3.0 database (install Debian's wordnet-base, or set "
				    "WNSEARCHDIR to the folder holding data.noun)");
	return 0;
}

int mlfy_wordnet_lookup(const char *wnid, char **synonyms, char **gloss, struct mlfy_err *err)
{
	FILE *f;
	long off, size;
	char head[10];
	SynsetPtr ss;
	size_t total = 0, i;
	char *syn, *p;
	const char *d;
	size_t dn;
	int rc;

	*synonyms = NULL;
	*gloss = NULL;
	if (!mlfy_is_wnid(wnid))
		return mlfy_err_set(err, MLFY_EINVAL, "'%s' is not a WordNet id ('n' and 8 digits)", wnid);
	if ((rc = wordnet_open(err)))
		return rc;
	f = datafps[NOUN];
	off = strtol(wnid + 1, NULL, 10);
	/* libwordnet trusts the offset; check that a synset line starts there. */
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0)
		return mlfy_err_set(err, MLFY_EIO, "wordnet: cannot read data.noun");
	if (off <= 0 || off + 10 > size)
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no such WordNet 3.0 noun synset", wnid);
	if (fseek(f, off - 1, SEEK_SET) != 0 || fread(head, 1, 10, f) != 10)
		return mlfy_err_set(err, MLFY_EIO, "wordnet: cannot read data.noun");
	if (head[0] != '\n' || memcmp(head + 1, wnid + 1, 8) != 0 || head[9] != ' ')
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no such WordNet 3.0 noun synset", wnid);
	if (!(ss = read_synset(NOUN, off, NULL)) || ss->hereiam != off || ss->wcount < 1) {
		if (ss)
			free_synset(ss);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no such WordNet 3.0 noun synset", wnid);
	}
	for (i = 0; i < (size_t)ss->wcount; i++)
		total += strlen(ss->words[i]) + 2;
	if (!(syn = malloc(total + 1))) {
		free_synset(ss);
		return mlfy_err_oom(err);
	}
	p = syn;
	for (i = 0; i < (size_t)ss->wcount; i++) {
		const char *w = ss->words[i];
		if (i)
			p += sprintf(p, ", ");
		for (; *w; w++)
			*p++ = *w == '_' ? ' ' : *w;
	}
	*p = '\0';
	d = ss->defn ? ss->defn : "";
	dn = strlen(d);
	textio_trim(&d, &dn);
	if (dn >= 2 && d[0] == '(' && d[dn - 1] == ')') {
		d++;
		dn -= 2;
	}
	textio_trim(&d, &dn);
	*gloss = textio_strndup(d, dn);
	free_synset(ss);
	if (!*gloss) {
		free(syn);
		return mlfy_err_oom(err);
	}
	*synonyms = syn;
	return 0;
}

int mlfy_classes_fill_names(struct mlfy_class *c, size_t n, const char *origin,
			    size_t *n_wordnet, struct mlfy_err *err)
{
	size_t i, nw = 0;
	int rc;

	for (i = 0; i < n; i++) {
		struct mlfy_class *k = &c[i];
		if (mlfy_is_wnid(k->ext_id) && (!k->name || !k->synonyms || !k->gloss)) {
			char *syn = NULL, *gloss = NULL;
			rc = mlfy_wordnet_lookup(k->ext_id, &syn, &gloss, err);
			if (rc == MLFY_ENOTFOUND && k->name) {
				/* named by the class file or an override: keep going without a gloss */
			} else if (rc == MLFY_ENOTFOUND) {
				return mlfy_err_set(err, MLFY_EINVAL,
						    "%s: class %d: '%s' is not a WordNet 3.0 noun synset; give its name "
						    "with --names or --synonyms", origin, k->idx, k->ext_id);
			} else if (rc) {
				return rc;
			} else {
				nw++;
				if (!k->synonyms) {
					k->synonyms = syn;
					syn = NULL;
				}
				if (!k->gloss) {
					k->gloss = gloss;
					gloss = NULL;
				}
				if (!k->name && !(k->name = first_synonym(k->synonyms))) {
					MLFY_FREE_ALL(syn, gloss);
					return mlfy_err_oom(err);
				}
			}
			MLFY_FREE_ALL(syn, gloss);
		}
		if ((!k->name && !(k->name = strdup(k->ext_id))) ||
		    (!k->synonyms && !(k->synonyms = strdup(k->name))) ||
		    (!k->gloss && !(k->gloss = strdup(""))))
			return mlfy_err_oom(err);
	}
	if (n_wordnet)
		*n_wordnet = nw;
	return 0;
}

int mlfy_classes_apply_override(struct mlfy_class *c, size_t n, const char *path,
				enum mlfy_override_kind kind, size_t *n_applied,
				struct mlfy_err *err)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	char *buf;
	size_t len, bom, applied = 0;
	int rc = 0;

	if (n_applied)
		*n_applied = 0;
	if ((rc = mlfy_read_file(path, MAX_CLASS_FILE, &buf, &len, err)))
		return rc;
	/* a UTF-8 byte-order mark is accepted, as in class files */
	bom = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
	root = json_loadb(buf + bom, len - bom, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!root)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
				    jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: expected a JSON object mapping class indices to %s", path,
				    kind == MLFY_OVERRIDE_NAMES ? "names" : "synonym lists");
	}
	json_object_foreach(root, key, v) {
		const char *val;
		long idx;
		size_t vn;
		if (parse_class_index(key, &idx) != 0 || (size_t)idx >= n) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: key \"%.60s\": not a class index 0..%zu", path, key,
					  n - 1);
			break;
		}
		if (!json_is_string(v) || !*(val = json_string_value(v)) ||
		    !textio_valid_text(val, (vn = strlen(val)), 0)) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: key \"%s\": expected a non-empty string without control characters",
					  path, key);
			break;
		}
		if (kind == MLFY_OVERRIDE_SYNONYMS) {
			char *first = first_synonym(val);
			if (!first) {
				rc = mlfy_err_oom(err);
				break;
			}
			if (!*first) {
				free(first);
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: key \"%s\": empty first synonym", path, key);
				break;
			}
			free(c[idx].name);
			c[idx].name = first;
			if ((rc = set_str(&c[idx].synonyms, val, vn, err)))
				break;
		} else if ((rc = set_str(&c[idx].name, val, vn, err))) {
			break;
		}
		applied++;
	}
	json_decref(root);
	if (!rc && n_applied)
		*n_applied = applied;
	return rc;
}

/* ---- mlfy init ------------------------------------------------------------ */

static void remove_project(const char *path)
{
	char aux[PATH_MAX + 8];
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
}

static int abs_path(const char *path, char *out, size_t n)
{
	char *r = realpath(path, NULL);
	if (!r)
		return -1;
	snprintf(out, n, "%s", r);
	free(r);
	return 0;
}

/* Gives the complete project file tmp its final name path without replacing
 * a file that appeared there meanwhile: link() (atomic, fails on EEXIST),
 * or rename() where the file system has no hard links. */
static int publish_project(const char *tmp, const char *path, struct mlfy_err *err)
{
	int e;

	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	e = errno;
	if (e == EEXIST)
		return mlfy_err_set(err, MLFY_ECONFLICT, "%s: already exists", path);
	if ((e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK) &&  /* NOLINT(misc-redundant-expression): ENOTSUP and EOPNOTSUPP are equal on Linux only */
	    access(path, F_OK) != 0 && rename(tmp, path) == 0)
		return 0;
	return mlfy_err_set(err, MLFY_EIO, "%s: cannot create: %s", path, strerror(e));
}

/* Writes the project's meta rows and classes into the open transaction of
 * the new project s. */
static int fill_project(struct mlfy_store *s, const struct mlfy_init_opts *opts, const char *name,
			enum mlfy_class_format fmt, const struct mlfy_class *c, size_t n,
			const struct mlfy_init_result *res, struct mlfy_err *err)
{
	char buf[PATH_MAX], now[32];
	int rc;

	mlfy_store_now(now);
	if ((rc = mlfy_store_meta_set(s, "name", name, err)) ||
	    (rc = mlfy_store_meta_set(s, "created_at", now, err)) ||
	    (rc = mlfy_store_meta_set(s, "classes_source",
				       abs_path(opts->classes, buf, sizeof(buf)) ? opts->classes : buf, err)) ||
	    (rc = mlfy_store_meta_set(s, "classes_format", mlfy_class_format_name(fmt), err)) ||
	    (opts->names && (rc = mlfy_store_meta_set(s, "names_source",
						       abs_path(opts->names, buf, sizeof(buf)) ? opts->names : buf,
						       err))) ||
	    (opts->synonyms &&
	     (rc = mlfy_store_meta_set(s, "synonyms_source",
				       abs_path(opts->synonyms, buf, sizeof(buf)) ? opts->synonyms : buf, err))) ||
	    (res->n_wordnet && (rc = mlfy_store_meta_set(s, "wordnet", "WordNet 3.0", err))) ||
	    (rc = mlfy_catalog_add_classes(s, c, n, err)))
		return rc;
	return 0;
}

/* PostgreSQL: the project is made in the database named by the URI, its
 * schema and its rows in one transaction (a killed init leaves nothing);
 * the engine refuses a database that already holds a project or tables. */
static int init_pg(const char *uri, const struct mlfy_init_opts *opts, const char *name,
		   enum mlfy_class_format fmt, const struct mlfy_class *c, size_t n,
		   const struct mlfy_init_result *res, struct mlfy_err *err)
{
	struct mlfy_store *s = NULL;
	int rc;

	if ((rc = mlfy_store_open(uri, MLFY_STORE_CREATE | MLFY_STORE_CREATE_OPEN_TX, &s, err)))
		return rc;
	if ((rc = fill_project(s, opts, name, fmt, c, n, res, err)) || (rc = mlfy_store_commit(s, err)))
		mlfy_store_rollback(s);
	mlfy_store_close(s);
	return rc;
}

int mlfy_ingest_init(const char *project_path, const struct mlfy_init_opts *opts,
		     struct mlfy_init_result *res, struct mlfy_err *err)
{
	struct mlfy_class *c = NULL;
	struct mlfy_store *s = NULL;
	enum mlfy_class_format fmt;
	char name[256], tmp[PATH_MAX], aux[PATH_MAX + 8];
	const char *slash;
	size_t n = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!mlfy_store_is_pg(project_path) && access(project_path, F_OK) == 0)
		return mlfy_err_set(err, MLFY_ECONFLICT, "%s: already exists", project_path);
	/* Everything is read and checked before the project file exists. */
	if ((rc = mlfy_classes_load(opts->classes, &c, &n, &fmt, err)))
		return rc;
	if (opts->synonyms &&
	    (rc = mlfy_classes_apply_override(c, n, opts->synonyms, MLFY_OVERRIDE_SYNONYMS, &res->n_synonyms, err)))
		goto out;
	if (opts->names &&
	    (rc = mlfy_classes_apply_override(c, n, opts->names, MLFY_OVERRIDE_NAMES, &res->n_names, err)))
		goto out;
	if ((rc = mlfy_classes_fill_names(c, n, opts->classes, &res->n_wordnet, err)))
		goto out;
	/* the project name is shown on the annotation pages */
	if (opts->name && *opts->name) {
		if (strlen(opts->name) >= sizeof(name) || !textio_valid_text(opts->name, strlen(opts->name), 0)) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "project name: expected at most %zu bytes of UTF-8 text without control "
					  "characters", sizeof(name) - 1);
			goto out;
		}
		snprintf(name, sizeof(name), "%s", opts->name);
	} else if (mlfy_store_is_pg(project_path)) {
		if (mlfy_pguri_dbname(project_path, name, sizeof(name)) != 0 ||
		    !textio_valid_text(name, strlen(name), 0)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "the database name is no usable project name; give one "
					  "with --name");
			goto out;
		}
	} else {
		const char *b = mlfy_path_base(project_path);
		size_t k = strlen(b);
		if (k > 5 && !strcmp(b + k - 5, ".mlfy"))   /* case-sensitive, as the file's own name */
			k -= 5;
		if (k >= sizeof(name) || !textio_valid_text(b, k, 0)) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: the file name is no usable project name (not UTF-8 text, or longer "
					  "than %zu bytes); give one with --name", project_path, sizeof(name) - 1);
			goto out;
		}
		memcpy(name, b, k);
		name[k] = '\0';
	}

	if (mlfy_store_is_pg(project_path)) {
		if (!(rc = init_pg(project_path, opts, name, fmt, c, n, res, err))) {
			res->n_classes = n;
			res->format = fmt;
		}
		goto out;
	}
	/* The project is built under a temporary name in the same folder and
	 * renamed when complete, so that an interrupted init (Ctrl-C, kill,
	 * power loss) never leaves a project without its classes. */
	slash = strrchr(project_path, '/');
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.init-%ld", slash ? (int)(slash - project_path + 1) : 0,
			     project_path, slash ? slash + 1 : project_path, (long)getpid()) >= sizeof(tmp)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: path too long", project_path);
		goto out;
	}
	remove_project(tmp);   /* left by an earlier, killed run of this pid */
	if ((rc = mlfy_store_open(tmp, MLFY_STORE_CREATE, &s, err))) {
		/* name the project, not the temporary file */
		char why[sizeof(err->msg)];
		size_t k = strlen(tmp);
		snprintf(why, sizeof(why), "%s",
			 strncmp(err->msg, tmp, k) || strncmp(err->msg + k, ": ", 2) ? err->msg : err->msg + k + 2);
		mlfy_err_set(err, rc, "%s: %s", project_path, why);
		goto out;
	}
	if ((rc = mlfy_store_begin(s, err)) || (rc = fill_project(s, opts, name, fmt, c, n, res, err)) ||
	    (rc = mlfy_store_commit(s, err))) {
		mlfy_store_rollback(s);
		mlfy_store_close(s);
		s = NULL;
		remove_project(tmp);
		goto out;
	}
	/* closing the only connection checkpoints the write-ahead log into the
	 * file and removes it: the file alone is the whole project */
	mlfy_store_close(s);
	s = NULL;
	snprintf(aux, sizeof(aux), "%s-wal", tmp);
	if (access(aux, F_OK) == 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: cannot create: the write-ahead log was not checkpointed",
				  project_path);
		remove_project(tmp);
		goto out;
	}
	if ((rc = publish_project(tmp, project_path, err))) {
		remove_project(tmp);
		goto out;
	}
	res->n_classes = n;
	res->format = fmt;
out:
	mlfy_store_close(s);
	mlfy_classes_free(c, n);
	return rc;
}
