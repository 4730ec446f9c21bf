/* test_outfile.c - src/util/outfile.c: an output file appears only when
 * committed (a temporary file beside it until then), is never written over
 * the file it protects, keeps an existing file's mode, and an abandoned
 * one leaves nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/outfile.h"
#include "testutil.h"

/* Files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void commit_and_abort(void **state)
{
	char path[4096], buf[64] = "";
	struct mlfy_outfile o;
	struct mlfy_err err;
	struct stat st;
	FILE *f;
	(void)state;

	test_tmpfile(path, sizeof(path), "out.txt");
	assert_int_equal(mlfy_outfile_open(&o, path, NULL, "the project file", &err), 0);
	fputs("hello\n", o.f);
	assert_int_not_equal(stat(path, &st), 0);   /* not there before the commit */
	assert_int_equal(mlfy_outfile_commit(&o, &err), 0);
	assert_null(o.f);
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "hello\n");

	/* an existing file keeps its mode; an abandoned write leaves it as it was */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(mlfy_outfile_open(&o, path, NULL, "the project file", &err), 0);
	fputs("partial", o.f);
	mlfy_outfile_abort(&o);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(mlfy_outfile_open(&o, path, NULL, "the project file", &err), 0);
	fputs("again\n", o.f);
	assert_int_equal(mlfy_outfile_commit(&o, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(count_files(test_tmpdir(), strrchr(path, '/') + 1), 1);   /* no temporary file left */
}

static void refusals(void **state)
{
	char path[4096], link[4096], msg[4200];
	struct mlfy_outfile o;
	struct mlfy_err err;
	FILE *f;
	(void)state;

	test_tmpfile(path, sizeof(path), "project.mlfy");
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	test_tmpfile(link, sizeof(link), "link.mlfy");
	assert_int_equal(symlink(path, link), 0);
	/* the protected file, directly or through a link */
	assert_int_equal(mlfy_outfile_open(&o, link, path, "the project file", &err), MLFY_EINVAL);
	snprintf(msg, sizeof(msg), "%s: is the project file itself; choose another output file", link);
	assert_string_equal(err.msg, msg);
	assert_null(o.f);
	assert_int_equal(mlfy_outfile_open(&o, test_tmpdir(), NULL, "the project file", &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "is a directory"));
	snprintf(msg, sizeof(msg), "%s/no/such/dir/out.txt", test_tmpdir());
	assert_int_equal(mlfy_outfile_open(&o, msg, NULL, "the project file", &err), MLFY_EIO);
	assert_non_null(strstr(err.msg, "cannot create: "));
	/* "-" and NULL are standard output */
	assert_int_equal(mlfy_outfile_open(&o, "-", path, "the project file", &err), 0);
	assert_ptr_equal(o.f, stdout);
	assert_int_equal(mlfy_outfile_commit(&o, &err), 0);
	assert_int_equal(mlfy_same_file(link, path), 1);
	assert_int_equal(mlfy_same_file(path, NULL), 0);
}

/* SQLite's companions of the project (QA, issue 11: `mlfy export --out
 * PROJECT-wal` under a running server lost every acknowledged save): refused
 * whether they exist or not, also through a link to the project and a
 * folder spelled with "..". */
static void companions(void **state)
{
	char path[4096], link[4096], out[4300], wal[4200];
	struct mlfy_outfile o;
	struct mlfy_err err;
	FILE *f;
	(void)state;

	test_tmpfile(path, sizeof(path), "proj.mlfy");
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(out, sizeof(out), "%s-wal", path);
	assert_int_equal(mlfy_outfile_open(&o, out, path, "the project file", &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "is a companion of the project file"));
	assert_int_equal(mlfy_path_protected(out, path), 1);
	snprintf(out, sizeof(out), "%s-shm", path);
	assert_int_equal(mlfy_path_protected(out, path), 1);
	snprintf(out, sizeof(out), "%s-journal", path);
	assert_int_equal(mlfy_path_protected(out, path), 1);
	/* an existing -wal, reached through "sub/.." */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_non_null(f = fopen(wal, "w"));
	fclose(f);
	snprintf(out, sizeof(out), "%s/sub", test_tmpdir());
	mkdir(out, 0700);
	snprintf(out, sizeof(out), "%s/sub/../%s-wal", test_tmpdir(), strrchr(path, '/') + 1);
	assert_int_equal(mlfy_path_protected(out, path), 1);
	/* the project given as a link: its target's companions */
	test_tmpfile(link, sizeof(link), "proj-link.mlfy");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mlfy_path_protected(wal, link), 1);
	/* other names are fine */
	snprintf(out, sizeof(out), "%s-wal.csv", path);
	assert_int_equal(mlfy_path_protected(out, path), 0);
	snprintf(out, sizeof(out), "%s.csv", path);
	assert_int_equal(mlfy_path_protected(out, path), 0);
	assert_int_equal(mlfy_path_protected(out, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commit_and_abort),
		cmocka_unit_test(refusals),
		cmocka_unit_test(companions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
