/* test_classes.c - class files (JSON, synset, names), WordNet 3.0 lookups,
 * name/synonym overrides and mlfy_ingest_init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/classes.h"
#include "testutil.h"

static int parse(const char *text, struct mlfy_class **c, size_t *n, enum mlfy_class_format *fmt,
		 struct mlfy_err *err)
{
	mlfy_err_clear(err);
	return mlfy_classes_parse(text, strlen(text), "t.txt", c, n, fmt, err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void json_object_map(void **state)
{
	struct mlfy_class *c;
	size_t n;
	enum mlfy_class_format fmt;
	struct mlfy_err err;

	(void)state;
	/* keys out of order: index comes from the key */
	assert_int_equal(parse(" {\"1\": \"n01443537\", \"0\": \"n01440764\", \"2\": \"n01484850\"}\n", &c, &n, &fmt,
			       &err), 0);
	assert_int_equal(fmt, MLFY_CLASSES_JSON);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].idx, 0);
	assert_string_equal(c[0].ext_id, "n01440764");
	assert_string_equal(c[1].ext_id, "n01443537");
	assert_null(c[0].name); /* filled later by WordNet */
	mlfy_classes_free(c, n);

	/* Keras style [id, name] pairs */
	assert_int_equal(parse("{\"0\": [\"n01440764\", \"tench\"], \"1\": [\"n01443537\", \"goldfish\"]}", &c, &n,
			       &fmt, &err), 0);
	assert_string_equal(c[1].name, "goldfish");
	mlfy_classes_free(c, n);

	/* array: index = position */
	assert_int_equal(parse("[\"cat\", \"dog\"]", &c, &n, &fmt, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[1].ext_id, "dog");
	mlfy_classes_free(c, n);
}

static void json_errors(void **state)
{
	struct mlfy_class *c;
	size_t n;
	enum mlfy_class_format fmt;
	struct mlfy_err err;

	(void)state;
	assert_int_equal(parse("{\"0\": \"a\", \"2\": \"b\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "index 1 is missing"));
	assert_int_equal(parse("{\"0\": \"a\", \"01\": \"b\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "key \"01\""));
	assert_int_equal(parse("{\"0\": \"a\", \"x\": \"b\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "key \"x\""));
	assert_int_equal(parse("{\"0\": \"a\", \"-1\": \"b\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_int_equal(parse("{\"0\": \"a\", \"0\": \"b\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:1:"));
	assert_int_equal(parse("{\"0\": \"a\", \"1\": \"a\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "classes 0 and 1 have the same id 'a'"));
	assert_int_equal(parse("{\"0\": 5}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "key \"0\""));
	assert_int_equal(parse("{\"0\": \"\"}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_int_equal(parse("{}", &c, &n, &fmt, &err), MLFY_EINVAL);
	/* a syntax error names the line */
	assert_int_equal(parse("{\n\"0\": \"a\",\n\"1\" \"b\"\n}", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:3:"));
}

static void synset_lines(void **state)
{
	struct mlfy_class *c;
	size_t n;
	enum mlfy_class_format fmt;
	struct mlfy_err err;

	(void)state;
	/* LOC_synset_mapping.txt style, with a byte-order mark, CRLF and trailing blank lines */
	assert_int_equal(parse("\xEF\xBB\xBFn01440764 tench, Tinca tinca\r\n"
			       "n01443537 goldfish, Carassius auratus\r\n\r\n\n", &c, &n, &fmt, &err), 0);
	assert_int_equal(fmt, MLFY_CLASSES_SYNSET);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].ext_id, "n01440764");
	assert_string_equal(c[0].name, "tench");
	assert_string_equal(c[0].synonyms, "tench, Tinca tinca");
	assert_string_equal(c[1].name, "goldfish");
	assert_int_equal(c[1].idx, 1);
	mlfy_classes_free(c, n);

	/* ids only (darknet's imagenet.labels.list) */
	assert_int_equal(parse("n01440764\nn01443537\n", &c, &n, &fmt, &err), 0);
	assert_int_equal(fmt, MLFY_CLASSES_SYNSET);
	assert_null(c[0].name);
	mlfy_classes_free(c, n);

	/* a line that is not a synset line */
	assert_int_equal(parse("n01440764 tench\ngoldfish\n", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:2:"));
	/* a blank line inside the list would shift every later index */
	assert_int_equal(parse("n01440764\n\nn01443537\n", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:2: empty line"));
	/* repeated id */
	assert_int_equal(parse("n01440764\nn01443537\nn01440764 tench\n", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:3: class id 'n01440764' repeats line 1"));
}

static void name_lines(void **state)
{
	struct mlfy_class *c;
	size_t n;
	enum mlfy_class_format fmt;
	struct mlfy_err err;

	(void)state;
	assert_int_equal(parse("  cat \ndog\nhot dog\n", &c, &n, &fmt, &err), 0);
	assert_int_equal(fmt, MLFY_CLASSES_NAMES);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].ext_id, "cat"); /* trimmed */
	assert_string_equal(c[0].name, "cat");
	assert_string_equal(c[2].ext_id, "hot dog");
	mlfy_classes_free(c, n);
	assert_int_equal(parse("cat\ndog\ncat\n", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:3: class id 'cat' repeats line 1"));
	assert_int_equal(parse("", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "no classes"));
	assert_int_equal(parse("cat\n\xff\xfe\n", &c, &n, &fmt, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "t.txt:2: not valid UTF-8"));
	assert_int_equal(mlfy_classes_parse("a\0b", 3, "t.txt", &c, &n, &fmt, &err), MLFY_EINVAL);
}

static void wordnet(void **state)
{
	char *syn = NULL, *gloss = NULL;
	struct mlfy_err err;

	(void)state;
	assert_true(mlfy_is_wnid("n01440764"));
	assert_false(mlfy_is_wnid("n0144076"));
	assert_false(mlfy_is_wnid("n014407645"));
	assert_false(mlfy_is_wnid("x01440764"));
	/* WordNet 3.0 data.noun offset 01440764 */
	assert_int_equal(mlfy_wordnet_lookup("n01440764", &syn, &gloss, &err), 0);
	assert_string_equal(syn, "tench, Tinca tinca");
	assert_non_null(strstr(gloss, "freshwater"));
	assert_non_null(strstr(gloss, "fish"));
	assert_true(gloss[0] != '('); /* parentheses stripped */
	free(syn);
	free(gloss);
	/* offsets where no synset starts: the middle of a line, the licence header, past the end */
	assert_int_equal(mlfy_wordnet_lookup("n01440765", &syn, &gloss, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_wordnet_lookup("n00000001", &syn, &gloss, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_wordnet_lookup("n00000000", &syn, &gloss, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_wordnet_lookup("n99999999", &syn, &gloss, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "n99999999"));
	assert_null(syn);
}

static void fill_names_rules(void **state)
{
	struct mlfy_class c[3];
	struct mlfy_err err;
	size_t nw;

	(void)state;
	memset(c, 0, sizeof(c));
	c[0].idx = 0;
	c[0].ext_id = strdup("n02012849");
	c[1].idx = 1;
	c[1].ext_id = strdup("cat");
	c[2].idx = 2;
	c[2].ext_id = strdup("n03126707");
	c[2].name = strdup("construction crane"); /* given by the file: kept */
	assert_int_equal(mlfy_classes_fill_names(c, 3, "t", &nw, &err), 0);
	assert_int_equal(nw, 2);
	assert_string_equal(c[0].name, "crane");
	assert_non_null(strstr(c[0].gloss, "wading bird"));
	assert_string_equal(c[1].name, "cat");
	assert_string_equal(c[1].synonyms, "cat");
	assert_string_equal(c[1].gloss, "");
	assert_string_equal(c[2].name, "construction crane");
	assert_string_equal(c[2].synonyms, "crane");
	assert_non_null(strstr(c[2].gloss, "lifts and moves heavy objects"));
	mlfy_class_release(&c[0]);
	mlfy_class_release(&c[1]);
	mlfy_class_release(&c[2]);

	/* not in WordNet and no name: an error naming the class */
	c[0].idx = 0;
	c[0].ext_id = strdup("n99999999");
	assert_int_equal(mlfy_classes_fill_names(c, 1, "t", NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "class 0: 'n99999999'"));
	/* with a name it is accepted, without a gloss */
	c[0].name = strdup("mystery");
	assert_int_equal(mlfy_classes_fill_names(c, 1, "t", &nw, &err), 0);
	assert_int_equal(nw, 0);
	assert_string_equal(c[0].gloss, "");
	mlfy_class_release(&c[0]);
}

static void overrides(void **state)
{
	char names[4096], syns[4096], bad[4096];
	struct mlfy_class *c;
	size_t n, k;
	enum mlfy_class_format fmt;
	struct mlfy_err err;

	(void)state;
	test_tmpfile(names, sizeof(names), "names.json");
	test_tmpfile(syns, sizeof(syns), "syn.json");
	test_tmpfile(bad, sizeof(bad), "bad.json");
	write_file(names, "{\"1\": \"kitty\"}");
	write_file(syns, "{\"0\": \" pooch , doggy, hound\", \"1\": \"cat, feline\"}");
	assert_int_equal(parse("dog\ncat\n", &c, &n, &fmt, &err), 0);
	assert_int_equal(mlfy_classes_apply_override(c, n, syns, MLFY_OVERRIDE_SYNONYMS, &k, &err), 0);
	assert_int_equal(k, 2);
	assert_string_equal(c[0].name, "pooch");
	assert_string_equal(c[0].synonyms, " pooch , doggy, hound");
	assert_int_equal(mlfy_classes_apply_override(c, n, names, MLFY_OVERRIDE_NAMES, &k, &err), 0);
	assert_int_equal(k, 1);
	assert_string_equal(c[1].name, "kitty");
	assert_string_equal(c[1].synonyms, "cat, feline");
	assert_string_equal(c[0].name, "pooch");
	/* a UTF-8 byte-order mark (Windows editors write one) is accepted, as in class files */
	write_file(names, "\xef\xbb\xbf{\"0\": \"puppy\"}\r\n");
	assert_int_equal(mlfy_classes_apply_override(c, n, names, MLFY_OVERRIDE_NAMES, &k, &err), 0);
	assert_int_equal(k, 1);
	assert_string_equal(c[0].name, "puppy");
	write_file(bad, "{\"2\": \"x\"}");
	assert_int_equal(mlfy_classes_apply_override(c, n, bad, MLFY_OVERRIDE_NAMES, &k, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "key \"2\""));
	write_file(bad, "{\"0\": \"\"}");
	assert_int_equal(mlfy_classes_apply_override(c, n, bad, MLFY_OVERRIDE_NAMES, &k, &err), MLFY_EINVAL);
	write_file(bad, "[\"x\"]");
	assert_int_equal(mlfy_classes_apply_override(c, n, bad, MLFY_OVERRIDE_NAMES, &k, &err), MLFY_EINVAL);
	/* a missing file is "not found" (util/file.h), naming it */
	assert_int_equal(mlfy_classes_apply_override(c, n, "/nonexistent/x.json", MLFY_OVERRIDE_NAMES, &k, &err),
			 MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x.json: cannot open"));
	mlfy_classes_free(c, n);
}

static void imagenet_files(void **state)
{
	char ids[4096], syn[4096], proj[4096];
	struct mlfy_class *c;
	size_t n, i, same = 0;
	enum mlfy_class_format fmt;
	struct mlfy_err err;
	struct mlfy_init_opts o;
	struct mlfy_init_result r;
	struct mlfy_store *s;
	char *v;

	(void)state;
	if (!test_shared(ids, sizeof(ids), "data/imagenet/label_indices_to_wordnet_ids.json") ||
	    !test_shared(syn, sizeof(syn), "data/imagenet/label_indices_to_full_synonyms.json"))
		skip();
	assert_int_equal(mlfy_classes_load(ids, &c, &n, &fmt, &err), 0);
	assert_int_equal(n, 1000);
	assert_string_equal(c[0].ext_id, "n01440764");
	assert_string_equal(c[999].ext_id, "n15075141");
	assert_int_equal(mlfy_classes_fill_names(c, n, ids, &i, &err), 0);
	assert_int_equal(i, 1000);
	/* WordNet 3.0's synonyms are ImageNet's "full synonyms", for every class */
	{
		struct mlfy_class *d;
		size_t m;
		assert_int_equal(mlfy_classes_load(ids, &d, &m, &fmt, &err), 0);
		assert_int_equal(mlfy_classes_apply_override(d, m, syn, MLFY_OVERRIDE_SYNONYMS, NULL, &err), 0);
		for (i = 0; i < n; i++)
			same += !strcmp(c[i].synonyms, d[i].synonyms);
		mlfy_classes_free(d, m);
	}
	assert_int_equal(same, 1000);
	mlfy_classes_free(c, n);

	/* init: creates the project with meta; a second init refuses */
	test_tmpfile(proj, sizeof(proj), "imagenet.mlfy");
	memset(&o, 0, sizeof(o));
	o.classes = ids;
	o.synonyms = syn;
	assert_int_equal(mlfy_ingest_init(proj, &o, &r, &err), 0);
	assert_int_equal(r.n_classes, 1000);
	assert_int_equal(r.n_synonyms, 1000);
	assert_int_equal(mlfy_ingest_init(proj, &o, &r, &err), MLFY_ECONFLICT);
	assert_int_equal(mlfy_store_open(proj, MLFY_STORE_READONLY, &s, &err), 0);
	assert_int_equal(mlfy_store_meta_get(s, "name", &v, &err), 0);
	{
		/* the file name without ".mlfy" */
		char want[256];
		snprintf(want, sizeof(want), "%s", strrchr(proj, '/') + 1);
		want[strlen(want) - 5] = '\0';
		assert_string_equal(v, want);
	}
	free(v);
	assert_int_equal(mlfy_store_meta_get(s, "classes_format", &v, &err), 0);
	assert_string_equal(v, "json");
	free(v);
	assert_int_equal(mlfy_store_meta_get(s, "synonyms_source", &v, &err), 0);
	assert_string_equal(v + strlen(v) - strlen("label_indices_to_full_synonyms.json"),
			    "label_indices_to_full_synonyms.json");
	free(v);
	mlfy_store_close(s);
}

static void init_failure_leaves_nothing(void **state)
{
	char cls[4096], proj[4096], bad[4096];
	struct mlfy_init_opts o;
	struct mlfy_init_result r;
	struct mlfy_err err;

	(void)state;
	test_tmpfile(cls, sizeof(cls), "classes.txt");
	test_tmpfile(bad, sizeof(bad), "names.json");
	test_tmpfile(proj, sizeof(proj), "p.mlfy");
	write_file(cls, "n01440764\nn99999999\n");
	memset(&o, 0, sizeof(o));
	o.classes = cls;
	assert_int_equal(mlfy_ingest_init(proj, &o, &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "n99999999"));
	assert_int_equal(access(proj, F_OK), -1);
	/* the names override rescues the unknown synset */
	write_file(bad, "{\"1\": \"mystery\"}");
	o.names = bad;
	assert_int_equal(mlfy_ingest_init(proj, &o, &r, &err), 0);
	assert_int_equal(r.n_classes, 2);
	assert_int_equal(r.n_wordnet, 1);
	assert_int_equal(r.n_names, 1);
	assert_int_equal(access(proj, F_OK), 0);

	/* project names (shown on the annotation pages) must be UTF-8 text
	 * without control characters; a file name that is not needs --name */
	{
		char proj2[4096], dir[4096];
		test_tmpfile(proj2, sizeof(proj2), "q.mlfy");
		o.name = "a\x1b[2Jb";
		assert_int_equal(mlfy_ingest_init(proj2, &o, &r, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "project name"));
		o.name = "bad \xff";
		assert_int_equal(mlfy_ingest_init(proj2, &o, &r, &err), MLFY_EINVAL);
		assert_int_equal(access(proj2, F_OK), -1);
		o.name = NULL;
		test_tmpfile(dir, sizeof(dir), "");
		snprintf(proj2, sizeof(proj2), "%s\xff.mlfy", dir);
		assert_int_equal(mlfy_ingest_init(proj2, &o, &r, &err), MLFY_EINVAL);
		assert_non_null(strstr(err.msg, "give one with --name"));
		assert_int_equal(access(proj2, F_OK), -1);
		o.name = "Crème brûlée";
		assert_int_equal(mlfy_ingest_init(proj2, &o, &r, &err), 0);
		assert_int_equal(access(proj2, F_OK), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_object_map),
		cmocka_unit_test(json_errors),
		cmocka_unit_test(synset_lines),
		cmocka_unit_test(name_lines),
		cmocka_unit_test(wordnet),
		cmocka_unit_test(fill_names_rules),
		cmocka_unit_test(overrides),
		cmocka_unit_test(imagenet_files),
		cmocka_unit_test(init_failure_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
