/* keyfile.c: creating and reading the agent's secret key files. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "keyfile.h"

int
mkdir_parents(const char *path, struct err *err)
{
	char *copy;
	char *p;
	int rc = 0;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
			err_set(err, ERR_RUNTIME, "cannot create %s: %s", copy,
			    strerror(errno));
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(copy);
	return rc;
}

static int
write_all(int fd, const unsigned char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
keyfile_create(const char *path, int *created, struct err *err)
{
	unsigned char key[KEYFILE_NEW_BYTES];
	int fd = -1, rc = -1;

	*created = 0;
	if (access(path, F_OK) == 0)
		return 0;
	if (mkdir_parents(path, err) == -1)
		return -1;
	if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof key) != 0) {
		err_set(err, ERR_RUNTIME, "%s: no random bytes", path);
		return -1;
	}
	/* O_EXCL: a key that appeared meanwhile is not overwritten. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST && access(path, F_OK) == 0)
			rc = 0;	/* made meanwhile by someone else: kept */
		else if (errno == EEXIST)
			err_set(err, ERR_RUNTIME, "%s is a link to nothing; "
			    "remove it or point it at the key", path);
		else
			err_set(err, ERR_RUNTIME, "cannot create %s: %s", path,
			    strerror(errno));
		goto out;
	}
	if (write_all(fd, key, sizeof key) == -1 || fsync(fd) == -1) {
		err_set(err, ERR_RUNTIME, "cannot write %s: %s", path,
		    strerror(errno));
		unlink(path);
		goto out;
	}
	*created = 1;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	memset(key, 0, sizeof key);
	return rc;
}

/*
 * Opens a secret file for reading: a regular file, not a symlink (a
 * link could point anywhere the agent may read), and neither readable
 * nor writable by group or others.  what names it in errors ("key
 * file") and hint follows the reason a file cannot be opened.
 * Returns the descriptor and fills *size, or returns -1.
 */
static int
open_private(const char *path, const char *what, const char *hint,
    off_t *size, struct err *err)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		err_set(err, ERR_RUNTIME, "%s %s: %s%s", what, path,
		    strerror(errno), hint);
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		err_set(err, ERR_RUNTIME, "%s %s: not a regular file", what,
		    path);
		goto fail;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		err_set(err, ERR_RUNTIME, "%s %s: mode %03o lets group or "
		    "others read it; run chmod 600 %s", what, path,
		    (unsigned)(sb.st_mode & 0777), path);
		goto fail;
	}
	*size = sb.st_size;
	return fd;
fail:
	close(fd);
	return -1;
}

int
keyfile_read(const char *path, unsigned char *key, size_t *len,
    struct err *err)
{
	off_t size;
	ssize_t n;
	int fd, rc = -1;

	*len = 0;
	fd = open_private(path, "key file", " (run 'mscagent init' to create "
	    "it)", &size, err);
	if (fd == -1)
		return -1;
	n = read(fd, key, KEYFILE_MAX_BYTES);
	if (n < KEYFILE_MIN_BYTES || size > KEYFILE_MAX_BYTES) {
		err_set(err, ERR_RUNTIME, "key file %s: must hold %d to %d "
		    "bytes", path, KEYFILE_MIN_BYTES, KEYFILE_MAX_BYTES);
		goto out;
	}
	*len = (size_t)n;
	rc = 0;
out:
	close(fd);
	return rc;
}

int
keyring_load(const struct config *cfg, struct keyring *ring, struct err *err)
{
	struct token_key *k;
	size_t i;

	memset(ring, 0, sizeof *ring);
	if (keyfile_read(cfg->reply_key_file, ring->reply, &ring->reply_len,
	    err) == -1)
		goto fail;
	for (i = 0; i < cfg->nkeys && i < TOKEN_KEYS_MAX; i++) {
		k = &ring->tokens.keys[i];
		snprintf(k->kid, sizeof k->kid, "%s", cfg->keys[i].kid);
		if (keyfile_read(cfg->keys[i].path, k->key, &k->len, err) == -1)
			goto fail;
		ring->tokens.n++;
	}
	return 0;
fail:
	keyring_clear(ring);
	return -1;
}

void
keyring_clear(struct keyring *ring)
{
	explicit_bzero(ring, sizeof *ring);
}

char *
keyfile_read_password(const char *path, struct err *err)
{
	char buf[KEYFILE_PASSWORD_MAX + 1], *password = NULL;
	off_t size;
	ssize_t n;
	int fd;

	fd = open_private(path, "password file", "", &size, err);
	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n == -1) {
		err_set(err, ERR_RUNTIME, "password file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (n > KEYFILE_PASSWORD_MAX || size > KEYFILE_PASSWORD_MAX) {
		err_set(err, ERR_RUNTIME, "password file %s: longer than %d "
		    "bytes", path, KEYFILE_PASSWORD_MAX);
		goto out;
	}
	/* An editor's final newline is not part of the password. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	password = xstrndup(buf, (size_t)n);
out:
	explicit_bzero(buf, sizeof buf);
	return password;
}

char *
keyfile_read_secret(const char *path, const char *what, size_t max,
    size_t *len, struct err *err)
{
	char *data;
	off_t size;
	ssize_t n;
	int fd;

	*len = 0;
	fd = open_private(path, what, "", &size, err);
	if (fd == -1)
		return NULL;
	if (size < 0 || (size_t)size > max) {
		err_set(err, ERR_RUNTIME, "%s %s: longer than %zu bytes", what,
		    path, max);
		close(fd);
		return NULL;
	}
	data = xmalloc(max + 1);
	n = read(fd, data, max + 1);
	close(fd);
	if (n < 0 || (size_t)n > max) {
		err_set(err, ERR_RUNTIME, "%s %s: %s", what, path, n < 0 ?
		    strerror(errno) : "grew while read");
		explicit_bzero(data, max + 1);
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len = (size_t)n;
	return data;
}
