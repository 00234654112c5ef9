/* maildir.c: the Maildir transport, written whole then renamed into new/. */
#include <sys/stat.h>
#include <sys/time.h>



#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "keyfile.h"
#include "maildir.h"
#include "transport.h"

struct maildir_sender {
	struct sender	 base;	/* first: the sender is cast to this */
	char		*root;
};

char *
maildir_folder_for(const char *rcpt, struct err *err)
{
	const char *at, *plus, *p;

	at = strrchr(rcpt, '@');
	if (at == NULL || at == rcpt || at[1] == '\0') {
		err_set(err, ERR_INPUT, "'%.80s' is not an address", rcpt);
		return NULL;
	}
	for (p = rcpt; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f) {
			err_set(err, ERR_INPUT, "'%.80s' cannot name a Maildir "
			    "folder", rcpt);
			return NULL;
		}
	if (rcpt[0] == '.') {
		err_set(err, ERR_INPUT, "'%.80s' cannot name a Maildir folder",
		    rcpt);
		return NULL;
	}
	/* user+tag@domain is delivered to user@domain, as servers do. */
	plus = memchr(rcpt, '+', (size_t)(at - rcpt));
	if (plus == NULL)
		return xstrdup(rcpt);
	return xasprintf("%.*s%s", (int)(plus - rcpt), rcpt, at);
}

int
maildir_create(const char *dir, struct err *err)
{
	static const char *const subdirs[] = { "", "/tmp", "/new", "/cur" };
	char *path;
	size_t i;
	int rc = 0;

	if (mkdir_parents(dir, err) == -1)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0] && rc == 0; i++) {
		path = xasprintf("%s%s", dir, subdirs[i]);
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			err_set(err, ERR_RUNTIME, "cannot create %s: %s", path,
			    strerror(errno));
			rc = -1;
		}
		free(path);
	}
	return rc;
}

/* time.M<usec>P<pid>R<random>.mscagent: unique without a lock. */
static char *
unique_name(void)
{
	unsigned char random[8];
	struct timeval tv;

	gettimeofday(&tv, NULL);
	gnutls_rnd(GNUTLS_RND_NONCE, random, sizeof random);
	return xasprintf("%lld.M%06ldP%dR%02x%02x%02x%02x%02x%02x%02x%02x."
	    "mscagent", (long long)tv.tv_sec, (long)tv.tv_usec, (int)getpid(),
	    random[0], random[1], random[2], random[3], random[4], random[5],
	    random[6], random[7]);
}

static int
write_file(const char *path, const char *data, size_t len)
{
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	while (len > 0) {
		n = write(fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		data += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == 0)
		rc = 0;
out:
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

int
maildir_deliver(const char *dir, const char *message, size_t len,
    struct err *err)
{
	char *name, *tmp, *new;
	int rc = -1;

	if (maildir_create(dir, err) == -1)
		return -1;
	name = unique_name();
	tmp = xasprintf("%s/tmp/%s", dir, name);
	new = xasprintf("%s/new/%s", dir, name);
	if (write_file(tmp, message, len) == -1) {
		err_set(err, ERR_RUNTIME, "cannot write %s: %s", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, new) == -1) {
		err_set(err, ERR_RUNTIME, "cannot move %s into new/: %s", tmp,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(tmp);
	free(new);
	return rc;
}

static enum send_status
maildir_send(struct sender *base, const char *from, const char *rcpt,
    const char *message, size_t len, char *reply)
{
	struct maildir_sender *s = (struct maildir_sender *)base;
	struct err err;
	char *folder, *dir;
	enum send_status status;

	(void)from;
	folder = maildir_folder_for(rcpt, &err);
	if (folder == NULL) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", err.msg);
		return SEND_FAILED;
	}
	if (base->gate != NULL && base->gate(base->gate_arg) == -1) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "held back before delivery");
		free(folder);
		return SEND_DOWN;
	}
	dir = xasprintf("%s/%s", s->root, folder);
	if (maildir_deliver(dir, message, len, &err) == 0) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "delivered to %s", dir);
		status = SEND_OK;
	} else {
		/* A full disk or a permission problem: nothing to retry
		 * per mail, the whole store is unusable for now. */
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", err.msg);
		status = SEND_DOWN;
	}
	free(dir);
	free(folder);
	return status;
}

/* Checks, creating nothing, that root is or can be made writable. */
static enum send_status
maildir_probe(struct sender *base, char *reply)
{
	struct maildir_sender *s = (struct maildir_sender *)base;
	char *dir, *slash;
	int missing = 0;

	dir = xstrdup(s->root);
	while (access(dir, F_OK) == -1 && (slash = strrchr(dir, '/')) &&
	    slash != dir) {
		*slash = '\0';
		missing = 1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "cannot write %s", dir);
		free(dir);
		return SEND_DOWN;
	}
	snprintf(reply, TRANSPORT_REPLY_MAX, "%s %s", s->root,
	    missing ? "will be created" : "is writable");
	free(dir);
	return SEND_OK;
}

static void
maildir_close(struct sender *base)
{
	struct maildir_sender *s = (struct maildir_sender *)base;

	free(s->root);
	free(s);
}

struct sender *
maildir_sender_new(const char *root, struct err *err)
{
	struct maildir_sender *s;

	(void)err;
	s = xcalloc(1, sizeof *s);
	s->base.send = maildir_send;
	s->base.probe = maildir_probe;
	s->base.close = maildir_close;
	s->root = xstrdup(root);
	return &s->base;
}

/* ---- reading ---- */

struct maildir_reader {
	struct reader	 base;	/* first: the reader is cast to this */
	char		*dir;
};

void
inmsg_free(struct inmsg *msgs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(msgs[i].raw);
		free(msgs[i].name);
	}
	free(msgs);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in new/, oldest first (names start with the time). */
static int
list_new(const char *dir, struct strvec *names, struct err *err)
{
	struct dirent *e;
	char *path;
	DIR *d;

	path = xasprintf("%s/new", dir);
	d = opendir(path);
	if (d == NULL) {
		err_set(err, ERR_RUNTIME, "cannot read %s: %s", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			strvec_push(names, e->d_name);
	closedir(d);
	free(path);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof *names->v, by_name);
	return 0;
}

/* The first max bytes of path, in a buffer its size rather than max's:
 * a batch holds hundreds. */
static char *
read_upto(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	FILE *fp;
	char *data;
	size_t size = max;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &sb) == 0 && (uintmax_t)sb.st_size < size)
		size = (size_t)sb.st_size;
	data = xmalloc(size + 1);
	*len = fread(data, 1, size, fp);
	(void)fclose(fp);	/* read only: nothing to lose */
	data[*len] = '\0';
	return data;
}

static int
by_msg_name(const void *key, const void *msg)
{
	return strcmp(key, ((const struct inmsg *)msg)->name);
}

/* 1 when name is one of the pending messages (sorted by name). */
static int
is_pending(const char *name, const struct inmsg *pending, size_t npending)
{
	return npending > 0 && bsearch(name, pending, npending,
	    sizeof *pending, by_msg_name) != NULL;
}

static int
maildir_fetch(struct reader *base, const struct inmsg *pending,
    size_t npending, size_t max, size_t max_size, struct inmsg **msgs,
    size_t *n, struct err *err)
{
	struct maildir_reader *r = (struct maildir_reader *)base;
	struct strvec names = { 0 };
	struct inmsg *list = NULL;
	char *path;
	size_t i, count = 0, bytes = 0;

	*msgs = NULL;
	*n = 0;
	/* Asked for nothing (check): a missing inbox is just empty. */
	if (max == 0)
		return 0;
	if (maildir_create(r->dir, err) == -1 ||
	    list_new(r->dir, &names, err) == -1) {
		strvec_clear(&names);
		return -1;
	}
	list = xcalloc(names.n ? names.n : 1, sizeof *list);
	for (i = 0; i < names.n && count < max &&
	    (count == 0 || bytes < r->base.fetch_bytes); i++) {
		if (is_pending(names.v[i], pending, npending))
			continue;
		path = xasprintf("%s/new/%s", r->dir, names.v[i]);
		/* One more byte than allowed shows that it was cut. */
		list[count].raw = read_upto(path, max_size + 1,
		    &list[count].len);
		free(path);
		if (list[count].raw == NULL)
			continue;	/* gone meanwhile */
		bytes += list[count].len;
		list[count++].name = xstrdup(names.v[i]);
	}
	strvec_clear(&names);
	*msgs = list;
	*n = count;
	return 0;
}

/* new/NAME -> cur/NAME:2,S: seen, and out of the way of the next pass. */
static int
maildir_done(struct reader *base, const struct inmsg *msgs, size_t n,
    struct err *err)
{
	struct maildir_reader *r = (struct maildir_reader *)base;
	char *from, *to;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		from = xasprintf("%s/new/%s", r->dir, msgs[i].name);
		to = xasprintf("%s/cur/%s:2,S", r->dir, msgs[i].name);
		if (rename(from, to) == -1 && errno != ENOENT) {
			err_set(err, ERR_RUNTIME, "cannot move %s to cur/: %s",
			    from, strerror(errno));
			rc = -1;
		}
		free(from);
		free(to);
	}
	return rc;
}

#define WAIT_SLICE_MS	250	/* how often new/ and *stop are looked at */

/* 1 when new/ holds a message; a folder not made yet holds none. */
static int
has_new(const char *dir)
{
	struct dirent *e;
	char *path;
	DIR *d;
	int found = 0;

	path = xasprintf("%s/new", dir);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = e->d_name[0] != '.';
	closedir(d);
	return found;
}

static int
maildir_wait(struct reader *base, int seconds,
    const volatile sig_atomic_t *stop, struct err *err)
{
	struct maildir_reader *r = (struct maildir_reader *)base;
	int64_t end = monotonic_ms() + (int64_t)seconds * 1000;

	(void)err;
	for (;;) {
		if (stop != NULL && *stop)
			return 0;
		if (has_new(r->dir))
			return 1;
		if (monotonic_ms() >= end)
			return 0;
		poll(NULL, 0, WAIT_SLICE_MS);
	}
}

static void
maildir_reader_close(struct reader *base)
{
	struct maildir_reader *r = (struct maildir_reader *)base;

	free(r->dir);
	free(r);
}

struct reader *
maildir_reader_new(const char *dir, struct err *err)
{
	struct maildir_reader *r;

	(void)err;
	r = xcalloc(1, sizeof *r);
	r->base.fetch = maildir_fetch;
	r->base.done = maildir_done;
	r->base.wait = maildir_wait;
	r->base.close = maildir_reader_close;
	r->base.fetch_bytes = READER_FETCH_BYTES;
	r->dir = xstrdup(dir);
	return &r->base;
}
