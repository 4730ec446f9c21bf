/* classes.h - reading a project's class list (mlfy init): class files in
 * three formats, name/synonym overrides, WordNet 3.0 names and glosses, and
 * creating the project.  Formats and examples: docs/ingest.md.
 *
 * Class file formats (detected from the content):
 *   json   an object mapping decimal indices to ids, {"0": "n01440764", …}
 *          (label_indices_to_wordnet_ids.json), or to [id, name] pairs
 *          ({"0": ["n01440764", "tench"]}, Keras' imagenet_class_index.json),
 *          or an array of ids ["n01440764", …] (index = position).
 *   synset text, one class per line, "n01440764 tench, Tinca tinca"
 *          (LOC_synset_mapping.txt) or just "n01440764"; index = line order.
 *   names  text, one class name per line; index = line order, id = name.
 * Indices must be exactly 0..n-1, ids unique; blank lines are errors except
 * at the end of a file; a UTF-8 byte-order mark and CRLF line ends are
 * accepted.
 *
 * Names and glosses: a class whose id is a WordNet noun id ("n" + the 8-digit
 * synset offset in WordNet 3.0's data.noun) gets its synonyms, name (the
 * first synonym) and gloss from the installed WordNet database
 * (/usr/share/wordnet, or $WNSEARCHDIR), through libwordnet.  Names from
 * the class file itself (synset lines, [id, name] pairs) take precedence
 * over WordNet's, and the --synonyms / --names overrides over both.
 */
#ifndef MLFY_INGEST_CLASSES_H
#define MLFY_INGEST_CLASSES_H

#include <stddef.h>
#include "store/catalog.h"

enum mlfy_class_format {
	MLFY_CLASSES_JSON = 1,
	MLFY_CLASSES_SYNSET = 2,
	MLFY_CLASSES_NAMES = 3,
};

/* Static lowercase name of a format ("json", "synset", "names"). */
const char *mlfy_class_format_name(enum mlfy_class_format f);

/* Parses a class file held in memory (text[0..len), need not be
 * NUL-terminated); origin names it in messages ("classes.txt").  On success
 * *out is a new array of *n classes ordered by index (free with
 * mlfy_classes_free); each has idx and ext_id set, name/synonyms set when
 * the file gives them (else NULL), gloss NULL.  *fmt gets the detected
 * format.  Errors (MLFY_EINVAL) name origin:line, or for JSON the key. */
int mlfy_classes_parse(const char *text, size_t len, const char *origin,
		       struct mlfy_class **out, size_t *n, enum mlfy_class_format *fmt,
		       struct mlfy_err *err);

/* Reads the file at path (util/file.h) and parses it as above.
 * MLFY_ENOTFOUND when it does not exist, MLFY_EIO when it cannot be read. */
int mlfy_classes_load(const char *path, struct mlfy_class **out, size_t *n,
		      enum mlfy_class_format *fmt, struct mlfy_err *err);

/* 1 when id looks like a WordNet noun id: 'n' followed by exactly 8 digits. */
int mlfy_is_wnid(const char *id);

/* Looks a WordNet 3.0 noun synset up by its id ("n01440764").  On success
 * *synonyms ("tench, Tinca tinca": the synset's words, '_' -> ' ', joined by
 * ", ") and *gloss (the definition without the surrounding parentheses) are
 * new strings (free()).  MLFY_ENOTFOUND when no synset starts at that
 * offset, MLFY_EIO when the WordNet database cannot be opened. */
int mlfy_wordnet_lookup(const char *wnid, char **synonyms, char **gloss, struct mlfy_err *err);

/* Fills missing fields of classes with WordNet ids: synonyms and name (the
 * first synonym) when NULL, gloss always (when NULL).  Classes with other
 * ids get name = ext_id and synonyms = name when unset, gloss "".  A WordNet
 * id absent from WordNet is an error (MLFY_EINVAL naming origin and the
 * class) unless the class already has a name.  *n_wordnet (may be NULL)
 * receives the number of classes WordNet described. */
int mlfy_classes_fill_names(struct mlfy_class *c, size_t n, const char *origin,
			    size_t *n_wordnet, struct mlfy_err *err);

/* Applies an override file, a JSON object mapping decimal indices to
 * strings.  kind MLFY_OVERRIDE_NAMES sets name (label_indices_to_label_names
 * .json); MLFY_OVERRIDE_SYNONYMS sets synonyms and name = the first
 * comma-separated entry (label_indices_to_full_synonyms.json).  Keys must be
 * indices of c; values non-empty strings.  Classes the file omits keep their
 * values.  *n_applied (may be NULL) receives the number of entries. */
enum mlfy_override_kind { MLFY_OVERRIDE_NAMES = 1, MLFY_OVERRIDE_SYNONYMS = 2 };
int mlfy_classes_apply_override(struct mlfy_class *c, size_t n, const char *path,
				enum mlfy_override_kind kind, size_t *n_applied,
				struct mlfy_err *err);

/* What mlfy init does. */
struct mlfy_init_opts {
	const char *classes;   /* class file (required) */
	const char *names;     /* names override JSON or NULL */
	const char *synonyms;  /* synonyms override JSON or NULL */
	const char *name;      /* project name for meta "name"; NULL = file name without ".mlfy" */
};

struct mlfy_init_result {
	size_t n_classes;
	size_t n_wordnet;      /* classes described by WordNet */
	size_t n_names;        /* entries applied from the names override */
	size_t n_synonyms;     /* entries applied from the synonyms override */
	enum mlfy_class_format format;
};

/* Creates the project file at project_path (which must not exist) with the
 * classes of opts, in one transaction, and records meta keys "name",
 * "created_at", "classes_source" (absolute path), "classes_format",
 * "names_source" / "synonyms_source" (when given) and "wordnet"
 * ("WordNet 3.0" when used).  On any error no project file is left
 * behind. */
int mlfy_ingest_init(const char *project_path, const struct mlfy_init_opts *opts,
		     struct mlfy_init_result *res, struct mlfy_err *err);

#endif
