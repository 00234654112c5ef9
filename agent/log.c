/* log.c: the agent's log lines, to standard error or to a file. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* In the order of enum log_level; the config accepts the same names. */
static const char *const level_names[] = { "error", "warn", "info", "debug" };

#define LEVEL_COUNT	(sizeof level_names / sizeof level_names[0])
#define COMPONENT_MAX	32	/* bytes of the component name shown */
#define CUT_MARK	"..."

/*
 * The lock guards log_fd and log_path.  A line is written while holding
 * it, so that a reopen never closes the descriptor under a writer (nor
 * lets a reused descriptor number receive log lines).  The level is
 * atomic so that log_enabled takes no lock.
 */
static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 log_fd = STDERR_FILENO;
static char		*log_path;		/* NULL: standard error */
static atomic_int	 cur_level = LOG_LEVEL_INFO;

static int
parse_level(const char *name, enum log_level *level, struct err *err)
{
	size_t i;

	if (name == NULL || *name == '\0') {
		*level = LOG_LEVEL_INFO;
		return 0;
	}
	for (i = 0; i < LEVEL_COUNT; i++) {
		if (ascii_casecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	err_set(err, ERR_INPUT,
	    "log level must be one of: error, warn, info, debug");
	return -1;
}

static int
open_file(const char *path, struct err *err)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		err_set(err, ERR_RUNTIME, "cannot open log file %s: %s", path,
		    strerror(errno));
	return fd;
}

/* Replaces the destination; the caller holds the lock. */
static void
set_output(int fd, const char *path)
{
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	free(log_path);
	log_fd = fd;
	log_path = path != NULL ? xstrdup(path) : NULL;
}

int
log_open(const char *level_name, const char *path, struct err *err)
{
	enum log_level level;
	int fd = STDERR_FILENO;

	if (parse_level(level_name, &level, err) == -1)
		return -1;
	if (path != NULL && *path == '\0')
		path = NULL;
	if (path != NULL) {
		fd = open_file(path, err);
		if (fd == -1)
			return -1;
	}
	pthread_mutex_lock(&log_lock);
	set_output(fd, path);
	pthread_mutex_unlock(&log_lock);
	atomic_store(&cur_level, (int)level);
	return 0;
}

int
log_reopen(struct err *err)
{
	int fd, rc = 0;

	pthread_mutex_lock(&log_lock);
	if (log_path != NULL) {
		fd = open_file(log_path, err);
		if (fd == -1) {
			rc = -1;
		} else {
			close(log_fd);
			log_fd = fd;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	set_output(STDERR_FILENO, NULL);
	pthread_mutex_unlock(&log_lock);
}

int
log_enabled(enum log_level level)
{
	return (int)level >= 0 && (int)level <= atomic_load(&cur_level);
}

/*
 * The length of the UTF-8 sequence at p (len bytes left) with its code
 * point in *cp, or 0 when the bytes there are not well-formed UTF-8.
 */
static size_t
decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t i, n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len || !utf8_valid((const char *)p, n))
		return 0;
	*cp = p[0] & (0x7fu >> n);
	for (i = 1; i < n; i++)
		*cp = (*cp << 6) | (p[i] & 0x3fu);
	return n;
}

/* What a reader could take for the end of a line, or a terminal for a
 * command: C0, DEL, C1 and the Unicode line and paragraph separators. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029;
}

/* Control characters become one space and invalid bytes '?', in place;
 * returns the new length. */
static size_t
sanitize(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t r = 0, w = 0, n;
	uint32_t cp;

	while (r < len) {
		n = decode(p + r, len - r, &cp);
		if (n == 0) {
			p[w++] = '?';
			n = 1;
		} else if (is_control(cp)) {
			p[w++] = ' ';
		} else {
			memmove(p + w, p + r, n);
			w += n;
		}
		r += n;
	}
	return w;
}

/* The longest prefix of s[0..len) that does not end inside a UTF-8
 * sequence. */
static size_t
cut_boundary(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, need;

	for (i = len; i > 0 && len - i < 4; i--) {
		if ((p[i - 1] & 0xc0) == 0x80)
			continue;	/* a continuation byte: look further */
		if (p[i - 1] >= 0xf0)
			need = 4;
		else if (p[i - 1] >= 0xe0)
			need = 3;
		else if (p[i - 1] >= 0xc0)
			need = 2;
		else
			need = 1;
		return len - (i - 1) < need ? i - 1 : len;
	}
	return len;
}

/* "2026-11-28T10:00:00.123Z" into s (at least 32 bytes); its length. */
static size_t
format_time(char *s, size_t n)
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(s, n, "%Y-%m-%dT%H:%M:%S", &tm);
	if (len == 0)
		return 0;
	return len + (size_t)snprintf(s + len, n - len, ".%03ldZ",
	    ts.tv_nsec / 1000000);
}

static void
write_line(const char *line, size_t len)
{
	ssize_t n;

	pthread_mutex_lock(&log_lock);
	do
		n = write(log_fd, line, len);
	while (n == -1 && errno == EINTR);
	pthread_mutex_unlock(&log_lock);
}

void
log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	size_t head, len;
	int saved = errno, n;

	if (!log_enabled(level))
		return;
	head = format_time(line, sizeof line);
	n = snprintf(line + head, sizeof line - head, " %s %.*s ",
	    level_names[level], COMPONENT_MAX,
	    component != NULL ? component : "-");
	len = head + (n > 0 ? (size_t)n : 0);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof line - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof line - len) {
		/* The whole message fits, with room for the newline. */
		len = head + sanitize(line + head, len + (size_t)n - head);
	} else {
		len = cut_boundary(line, sizeof line - sizeof CUT_MARK);
		len = head + sanitize(line + head, len - head);
		memcpy(line + len, CUT_MARK, sizeof CUT_MARK - 1);
		len += sizeof CUT_MARK - 1;
	}
	line[len++] = '\n';
	write_line(line, len);
	errno = saved;
}

/* 1 when v would not read back as one value after "key=". */
static int
needs_quotes(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), n;
	uint32_t cp;

	while (len > 0) {
		n = decode(p, len, &cp);
		if (n == 0)
			n = 1;
		else if (cp == ' ' || cp == '"' || cp == '=' || is_control(cp))
			return 1;
		p += n;
		len -= n;
	}
	return 0;
}

/* The bytes standing for the character at p in a quoted value; their
 * count.  out holds at least 7 bytes. */
static size_t
escape_char(const unsigned char *p, size_t len, char *out, size_t *used)
{
	uint32_t cp;
	size_t n;

	n = decode(p, len, &cp);
	*used = n != 0 ? n : 1;
	if (n == 0 || !is_control(cp)) {
		if (n != 0 && (cp == '"' || cp == '\\')) {
			out[0] = '\\';
			out[1] = (char)cp;
			return 2;
		}
		memcpy(out, p, *used);
		return *used;
	}
	if (cp == '\n' || cp == '\r' || cp == '\t') {
		out[0] = '\\';
		out[1] = (char)(cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
		return 2;
	}
	return (size_t)snprintf(out, 7, "\\u%04X", (unsigned)cp);
}

const char *
log_quote(const char *v, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	char esc[8];
	size_t len, w = 0, k, used;

	if (v == NULL || *v == '\0' || n < 3)
		return "\"\"";
	if (!needs_quotes(v))
		return v;
	len = strlen(v);
	buf[w++] = '"';
	while (len > 0) {
		k = escape_char(p, len, esc, &used);
		if (w + k + 2 > n)
			break;		/* no room left for it, '"' and NUL */
		memcpy(buf + w, esc, k);
		w += k;
		p += used;
		len -= used;
	}
	buf[w++] = '"';
	buf[w] = '\0';
	return buf;
}
