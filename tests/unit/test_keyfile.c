/* test_keyfile.c: creating and reading key and password files, and
 * mkdir_parents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyfile.h"

#include "support.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

/* The test's own folder under /tmp, made by setup, removed by teardown. */
struct fixture {
	char	dir[64];
};

static int
setup(void **state)
{
	struct fixture *f;

	f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	if (support_dir_make(f->dir, sizeof f->dir, "test_keyfile") == -1) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	rc = support_dir_remove(f->dir);
	free(f);
	return rc;
}

/* The path of name inside the fixture's folder; caller frees. */
static char *
path_in(void **state, const char *name)
{
	struct fixture *f = *state;

	return support_path(f->dir, name);
}

/* Writes len bytes (0, 1, 2, ...) to path with mode; fails the test on error. */
static void
write_file(const char *path, size_t len, mode_t mode)
{
	unsigned char *data;
	size_t i;

	data = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)i;
	support_write(path, data, len, mode);
	free(data);
}

/* Reads the whole small file at path into buf; returns its length. */
static size_t
slurp(const char *path, unsigned char *buf, size_t max)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, max);
	assert_true(n >= 0);
	close(fd);
	return (size_t)n;
}

static int
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void
test_create(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	struct err err;
	char *path, *parent;
	int created = -1;

	path = path_in(state, "a/b/c/reply.key");
	assert_int_equal(keyfile_create(path, &created, &err), 0);
	assert_int_equal(created, 1);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_size, KEYFILE_NEW_BYTES);
	assert_int_equal(sb.st_mode & 07777, 0600);
	parent = xasprintf("%s/a/b/c", f->dir);
	assert_true(is_dir(parent));
	free(parent);
	free(path);
}

/* A second create leaves the key byte for byte as it was. */
static void
test_create_keeps_existing(void **state)
{
	unsigned char before[64], after[64];
	struct err err;
	size_t nbefore, nafter;
	char *path;
	int created = -1;

	path = path_in(state, "token.key");
	assert_int_equal(keyfile_create(path, &created, &err), 0);
	assert_int_equal(created, 1);
	nbefore = slurp(path, before, sizeof before);
	created = -1;
	assert_int_equal(keyfile_create(path, &created, &err), 0);
	assert_int_equal(created, 0);
	nafter = slurp(path, after, sizeof after);
	assert_int_equal(nbefore, KEYFILE_NEW_BYTES);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(before, after, nbefore);

	/* Nor is a file of another size or mode replaced. */
	write_file(path, 5, 0644);
	assert_int_equal(keyfile_create(path, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_int_equal(slurp(path, after, sizeof after), 5);
	free(path);
}

static void
test_create_two_differ(void **state)
{
	unsigned char a[64], b[64];
	struct err err;
	char *pa, *pb;
	int created;

	pa = path_in(state, "one.key");
	pb = path_in(state, "two.key");
	assert_int_equal(keyfile_create(pa, &created, &err), 0);
	assert_int_equal(keyfile_create(pb, &created, &err), 0);
	assert_int_equal(slurp(pa, a, sizeof a), KEYFILE_NEW_BYTES);
	assert_int_equal(slurp(pb, b, sizeof b), KEYFILE_NEW_BYTES);
	assert_memory_not_equal(a, b, KEYFILE_NEW_BYTES);
	free(pa);
	free(pb);
}

/* A parent that is a regular file cannot become a folder, even for root. */
static void
test_create_parent_is_file(void **state)
{
	struct err err;
	char *blocker, *path;
	int created = -1;

	blocker = path_in(state, "plain");
	write_file(blocker, 3, 0600);
	path = path_in(state, "plain/sub/k.key");
	err_clear(&err);
	assert_int_equal(keyfile_create(path, &created, &err), -1);
	assert_int_equal(created, 0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "plain"));
	free(path);
	free(blocker);
}

/*
 * A dangling symlink where the key should be is not followed: the file
 * it points to is never created (O_EXCL).
 */
static void
test_create_dangling_symlink(void **state)
{
	struct stat sb;
	struct err err;
	char *target, *link;
	int created = -1;

	target = path_in(state, "elsewhere");
	link = path_in(state, "link.key");
	assert_int_equal(symlink(target, link), 0);
	(void)keyfile_create(link, &created, &err);
	assert_int_equal(created, 0);
	assert_int_equal(lstat(target, &sb), -1);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	free(link);
	free(target);
}

static void
test_read_created(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES], raw[64];
	struct err err;
	size_t len = 0;
	char *path;
	int created;

	path = path_in(state, "reply.key");
	assert_int_equal(keyfile_create(path, &created, &err), 0);
	assert_int_equal(keyfile_read(path, key, &len, &err), 0);
	assert_int_equal(len, KEYFILE_NEW_BYTES);
	assert_int_equal(slurp(path, raw, sizeof raw), KEYFILE_NEW_BYTES);
	assert_memory_equal(key, raw, KEYFILE_NEW_BYTES);
	free(path);
}

struct mode_row {
	mode_t	mode;
	int	rc;
};

static const struct mode_row mode_rows[] = {
	{ 0600, 0 },
	{ 0400, 0 },
	{ 0700, 0 },
	{ 0640, -1 },
	{ 0604, -1 },
	{ 0660, -1 },
	{ 0620, -1 },	/* group may write */
	{ 0602, -1 },
	{ 0610, -1 },
	{ 0601, -1 },
	{ 0644, -1 },
	{ 0666, -1 },
};

static void
test_read_mode(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES];
	struct err err;
	size_t i, len;
	char *path;

	path = path_in(state, "mode.key");
	for (i = 0; i < NROWS(mode_rows); i++) {
		print_message("mode %03o\n", (unsigned)mode_rows[i].mode);
		write_file(path, KEYFILE_NEW_BYTES, mode_rows[i].mode);
		err_clear(&err);
		len = 99;
		assert_int_equal(keyfile_read(path, key, &len, &err),
		    mode_rows[i].rc);
		if (mode_rows[i].rc == 0) {
			assert_int_equal(len, KEYFILE_NEW_BYTES);
			continue;
		}
		assert_int_equal(len, 0);
		assert_int_equal(err.kind, ERR_RUNTIME);
		assert_non_null(strstr(err.msg, "chmod 600"));
		assert_non_null(strstr(err.msg, path));
	}
	free(path);
}

struct size_row {
	size_t	size;
	int	rc;
};

static const struct size_row size_rows[] = {
	{ 0, -1 },
	{ 1, -1 },
	{ KEYFILE_MIN_BYTES - 1, -1 },
	{ KEYFILE_MIN_BYTES, 0 },
	{ KEYFILE_MIN_BYTES + 1, 0 },
	{ KEYFILE_MAX_BYTES, 0 },
	{ KEYFILE_MAX_BYTES + 1, -1 },
	{ KEYFILE_MAX_BYTES * 4, -1 },
};

static void
test_read_size(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES];
	struct err err;
	size_t i, j, len;
	char *path;

	path = path_in(state, "size.key");
	for (i = 0; i < NROWS(size_rows); i++) {
		print_message("size %zu\n", size_rows[i].size);
		write_file(path, size_rows[i].size, 0600);
		err_clear(&err);
		assert_int_equal(keyfile_read(path, key, &len, &err),
		    size_rows[i].rc);
		if (size_rows[i].rc == -1) {
			assert_int_equal(len, 0);
			assert_int_equal(err.kind, ERR_RUNTIME);
			assert_non_null(strstr(err.msg, "bytes"));
			continue;
		}
		assert_int_equal(len, size_rows[i].size);
		for (j = 0; j < len; j++)
			assert_int_equal(key[j], (unsigned char)j);
	}
	free(path);
}

static void
test_read_missing(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES];
	struct err err;
	size_t len = 99;
	char *path;

	path = path_in(state, "absent.key");
	assert_int_equal(keyfile_read(path, key, &len, &err), -1);
	assert_int_equal(len, 0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "init"));
	assert_non_null(strstr(err.msg, path));
	free(path);
}

static void
test_read_directory(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES];
	struct err err;
	size_t len = 99;
	char *path;

	path = path_in(state, "dir.key");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(keyfile_read(path, key, &len, &err), -1);
	assert_int_equal(len, 0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, path));
	free(path);
}

/* A symlink is refused even when it points to a good key (O_NOFOLLOW). */
static void
test_read_symlink(void **state)
{
	unsigned char key[KEYFILE_MAX_BYTES];
	struct err err;
	size_t len = 99;
	char *target, *link;

	target = path_in(state, "real.key");
	link = path_in(state, "link.key");
	write_file(target, KEYFILE_NEW_BYTES, 0600);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(keyfile_read(target, key, &len, &err), 0);
	err_clear(&err);
	assert_int_equal(keyfile_read(link, key, &len, &err), -1);
	assert_int_equal(len, 0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, link));
	free(link);
	free(target);
}

/* A password file is held to the modes of a key file. */
static void
test_password_mode(void **state)
{
	struct err err;
	char *path, *pw;
	size_t i;

	path = path_in(state, "mode.pw");
	for (i = 0; i < NROWS(mode_rows); i++) {
		print_message("mode %03o\n", (unsigned)mode_rows[i].mode);
		support_write(path, "secret\n", 7, mode_rows[i].mode);
		err_clear(&err);
		pw = keyfile_read_password(path, &err);
		if (mode_rows[i].rc == 0) {
			assert_non_null(pw);
			assert_string_equal(pw, "secret");
			free(pw);
			continue;
		}
		assert_null(pw);
		assert_int_equal(err.kind, ERR_RUNTIME);
		assert_non_null(strstr(err.msg, "password file"));
		assert_non_null(strstr(err.msg, "chmod 600"));
		assert_non_null(strstr(err.msg, path));
	}
	free(path);
}

/* KEYFILE_PASSWORD_MAX bytes, line break included, and one more. */
static void
test_password_size(void **state)
{
	char text[KEYFILE_PASSWORD_MAX + 1], *path, *pw, *want;
	struct err err;

	path = path_in(state, "size.pw");
	memset(text, 'p', sizeof text);
	text[KEYFILE_PASSWORD_MAX - 1] = '\n';
	support_write(path, text, KEYFILE_PASSWORD_MAX, 0600);
	pw = keyfile_read_password(path, &err);
	assert_non_null(pw);
	assert_int_equal(strlen(pw), KEYFILE_PASSWORD_MAX - 1);
	free(pw);
	text[KEYFILE_PASSWORD_MAX - 1] = 'p';
	support_write(path, text, KEYFILE_PASSWORD_MAX, 0600);
	pw = keyfile_read_password(path, &err);
	assert_non_null(pw);
	assert_int_equal(strlen(pw), KEYFILE_PASSWORD_MAX);
	free(pw);
	support_write(path, text, KEYFILE_PASSWORD_MAX + 1, 0600);
	err_clear(&err);
	assert_null(keyfile_read_password(path, &err));
	assert_int_equal(err.kind, ERR_RUNTIME);
	want = xasprintf("password file %s: longer than %d bytes", path,
	    KEYFILE_PASSWORD_MAX);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);
}

/* Missing, a folder, a symlink to a good file: each refused, named. */
static void
test_password_not_a_file(void **state)
{
	char *target, *link, *dir, *absent, *pw;
	const char *bad[3];
	struct err err;
	size_t i;

	target = path_in(state, "real.pw");
	link = path_in(state, "link.pw");
	dir = path_in(state, "dir.pw");
	absent = path_in(state, "absent.pw");
	support_write(target, "secret", 6, 0600);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	pw = keyfile_read_password(target, &err);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	free(pw);
	bad[0] = link;
	bad[1] = dir;
	bad[2] = absent;
	for (i = 0; i < NROWS(bad); i++) {
		err_clear(&err);
		assert_null(keyfile_read_password(bad[i], &err));
		assert_int_equal(err.kind, ERR_RUNTIME);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	free(absent);
	free(dir);
	free(link);
	free(target);
}

struct parents_row {
	const char	*path;		/* inside the fixture's folder */
	const char	*made;		/* a folder that must exist after */
	const char	*not_made;	/* one that must not ("" none) */
};

static const struct parents_row parents_rows[] = {
	{ "file", "", "file" },
	{ "a/file", "a", "a/file" },
	{ "b/c/d/e/file", "b/c/d/e", "b/c/d/e/file" },
	{ "b/c/other/file", "b/c/other", "b/c/other/file" },	/* partly there */
	{ "f//g/file", "f/g", "f/g/file" },
	{ "h/i/", "h/i", "" },
};

static void
test_mkdir_parents(void **state)
{
	struct fixture *f = *state;
	const struct parents_row *r;
	struct stat sb;
	struct err err;
	char *path, *made, *not_made;
	mode_t mask;
	size_t i;

	mask = umask(022);
	for (i = 0; i < NROWS(parents_rows); i++) {
		r = &parents_rows[i];
		print_message("%s\n", r->path);
		path = xasprintf("%s/%s", f->dir, r->path);
		made = xasprintf("%s/%s", f->dir, r->made);
		not_made = xasprintf("%s/%s", f->dir, r->not_made);
		assert_int_equal(mkdir_parents(path, &err), 0);
		assert_true(is_dir(made));
		/* Private, though the umask would let others in. */
		assert_int_equal(stat(made, &sb), 0);
		if (r->made[0] != '\0')
			assert_int_equal(sb.st_mode & 0777, 0700);
		if (r->not_made[0] != '\0')
			assert_int_equal(lstat(not_made, &sb), -1);
		/* Twice is fine. */
		assert_int_equal(mkdir_parents(path, &err), 0);
		free(not_made);
		free(made);
		free(path);
	}
	umask(mask);
}

static void
test_mkdir_parents_blocked(void **state)
{
	struct err err;
	char *blocker, *path;

	blocker = path_in(state, "plain");
	write_file(blocker, 1, 0600);
	path = path_in(state, "plain/x/y/file");
	err_clear(&err);
	assert_int_equal(mkdir_parents(path, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, blocker));
	free(path);
	free(blocker);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_create_keeps_existing),
		T(test_create_two_differ),
		T(test_create_parent_is_file),
		T(test_create_dangling_symlink),
		T(test_read_created),
		T(test_read_mode),
		T(test_read_size),
		T(test_read_missing),
		T(test_read_directory),
		T(test_read_symlink),
		T(test_password_mode),
		T(test_password_size),
		T(test_password_not_a_file),
		T(test_mkdir_parents),
		T(test_mkdir_parents_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
