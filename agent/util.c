/* util.c: errors, allocation, string lists, buffers and UTF-8 checks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

void
err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

void
err_prefix(struct err *err, const char *fmt, ...)
{
	va_list ap;
	char *prefix, *joined;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	prefix = xvasprintf(fmt, ap);
	va_end(ap);
	joined = xasprintf("%s: %s", prefix, err->msg);
	snprintf(err->msg, sizeof err->msg, "%s", joined);
	free(joined);
	free(prefix);
}

void
err_clear(struct err *err)
{
	if (err == NULL)
		return;
	err->kind = ERR_NONE;
	err->msg[0] = '\0';
}

static void
oom(void)
{
	fputs("mscagent: out of memory\n", stderr);
	exit(2);
}

void *
xmalloc(size_t size)
{
	void *p;

	p = malloc(size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *old, size_t size)
{
	void *p;

	p = realloc(old, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
	char *p;

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char small[256], *p;
	va_list copy;
	int len;

	/* Most strings fit on the stack: one formatting, not two. */
	va_copy(copy, ap);
	len = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (len < 0)
		oom();
	p = xmalloc((size_t)len + 1);
	if ((size_t)len < sizeof small)
		memcpy(p, small, (size_t)len + 1);
	else
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
strvec_push(struct strvec *sv, const char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof *sv->v);
	}
	sv->v[sv->n++] = xstrdup(s);
}

void
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strvec_push(sv, s);
	free(s);
}

void
strvec_clear(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t want;

	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

void
buf_append(struct buf *b, const char *s, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

char *
buf_release(struct buf *b)
{
	char *s;

	s = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_clear(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/*
 * Decodes one code point at s (at most len bytes); returns its length in
 * bytes, or 0 when the sequence is malformed, overlong or a surrogate.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (len > 0) {
		if (*p < 0x80) {	/* ASCII, the common case */
			p++;
			len--;
			continue;
		}
		n = utf8_decode(p, len, &cp);
		if (n == 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

size_t
utf8_length(const char *s)
{
	size_t count = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			count++;
	return count;
}

/* Enough of East Asian Width and combining marks to align tables. */
static int
codepoint_width(uint32_t c)
{
	if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    c == 0x200d)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f680 && c <= 0x1f6ff) || (c >= 0x1f900 && c <= 0x1f9ff) ||
	    (c >= 0x1fa70 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd) ||
	    c == 0x231a || c == 0x231b || (c >= 0x23e9 && c <= 0x23ec) ||
	    c == 0x23f0 || c == 0x23f3 || c == 0x25fd || c == 0x25fe ||
	    (c >= 0x2614 && c <= 0x2615) || (c >= 0x2648 && c <= 0x2653) ||
	    c == 0x267f || c == 0x2693 || c == 0x26a1 || c == 0x26aa ||
	    c == 0x26ab || c == 0x26bd || c == 0x26be || c == 0x26c4 ||
	    c == 0x26c5 || c == 0x26ce || c == 0x26d4 || c == 0x26ea ||
	    c == 0x26f2 || c == 0x26f3 || c == 0x26f5 || c == 0x26fa ||
	    c == 0x26fd || c == 0x2705 || c == 0x270a || c == 0x270b ||
	    c == 0x2728 || c == 0x274c || c == 0x274e ||
	    (c >= 0x2753 && c <= 0x2755) || c == 0x2757 ||
	    (c >= 0x2795 && c <= 0x2797) || c == 0x27b0 || c == 0x27bf ||
	    c == 0x2b1b || c == 0x2b1c || c == 0x2b50 || c == 0x2b55)
		return 2;
	return 1;
}

size_t
utf8_width(const char *s)
{
	return utf8_width_n(s, strlen(s));
}

size_t
utf8_width_n(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, width = 0;
	uint32_t cp;

	while (len > 0) {
		if (*p < 0x80) {	/* ASCII, most of any text: one column */
			width++;
			p++;
			len--;
			continue;
		}
		n = utf8_decode(p, len, &cp);
		if (n == 0) {
			n = 1;
			cp = '?';
		}
		width += (size_t)codepoint_width(cp);
		p += n;
		len -= n;
	}
	return width;
}

int
text_check(const char *what, const char *s, size_t max, int allow_empty,
    struct err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, n;
	uint32_t cp;

	len = strlen(s);
	if (len == 0 && !allow_empty) {
		err_set(err, ERR_INPUT, "%s is empty", what);
		return -1;
	}
	if (len > max) {
		err_set(err, ERR_INPUT, "%s is too long (%zu bytes, at most %zu)",
		    what, len, max);
		return -1;
	}
	while (len > 0) {
		n = utf8_decode(p, len, &cp);
		if (n == 0) {
			err_set(err, ERR_INPUT, "%s is not valid UTF-8", what);
			return -1;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			err_set(err, ERR_INPUT,
			    "%s contains a control character (U+%04X)", what,
			    (unsigned)cp);
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

char *
text_printable(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };
	size_t len, n;
	uint32_t cp;

	len = strlen(s);
	buf_reserve(&b, len < max ? len : max);
	b.data[0] = '\0';
	while (len > 0 && b.len < max) {
		/* Printable ASCII, most of any text, goes in runs. */
		for (n = 0; n < len && n < max - b.len && p[n] >= 0x20 &&
		    p[n] < 0x7f; n++)
			;
		if (n > 0) {
			buf_append(&b, (const char *)p, n);
			p += n;
			len -= n;
			continue;
		}
		n = utf8_decode(p, len, &cp);
		if (n == 0) {
			buf_puts(&b, "?");
			n = 1;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			buf_puts(&b, " ");
		else
			buf_append(&b, (const char *)p, n);
		p += n;
		len -= n;
	}
	if (len > 0)
		buf_puts(&b, "...");
	return buf_release(&b);
}

int
ascii_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

int
pid_alive(int64_t pid)
{
	return pid > 0 && pid <= INT32_MAX &&
	    (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
