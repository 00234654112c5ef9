/*
 * support.h: what the unit programs share for files: a folder of the
 * test's own under /tmp, removed with everything in it, and writing and
 * reading small files there, and the few other helpers several
 * programs had copied.  Included by one test program each, after cmocka.h.
 */
#ifndef MSCAGENT_TEST_SUPPORT_H
#define MSCAGENT_TEST_SUPPORT_H

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Makes a new folder /tmp/NAME.XXXXXX, its path in dir (size bytes);
 * returns 0, or -1 when it cannot. */
static inline int
support_dir_make(char *dir, size_t size, const char *name)
{
	int n;

	n = snprintf(dir, size, "/tmp/%s.XXXXXX", name);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static inline int
support_remove_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes dir and everything in it, never following a link; 0 or -1. */
static inline int
support_dir_remove(const char *dir)
{
	return nftw(dir, support_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The path of name inside dir; caller frees. */
static inline char *
support_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Writes len bytes of data to path, created or truncated, with exactly
 * mode (not through the umask); fails the test on any error. */
static inline void
support_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* The whole file at path as a string ("" when it does not exist);
 * caller frees. */
static inline char *
support_read(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd;

	buf_puts(&b, "");
	fd = open(path, O_RDONLY);
	if (fd == -1)
		return buf_release(&b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	return buf_release(&b);
}

/* Returns n copies of c followed by a NUL; caller frees. */
static inline char *
support_repeat(char c, size_t n)
{
	char *s;

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Passes when both are NULL or both are the same string. */
static inline void
support_assert_string(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

#endif
