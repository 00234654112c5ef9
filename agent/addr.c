/* addr.c: e-mail address syntax (RFC 5321/5322 addr-spec, RFC 6531 UTF-8). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

#define LITERAL_MAX	64	/* longer than any IPv4 or IPv6 text form */

/* Where addr_valid writes its reason; buf may be NULL. */
struct reason {
	char	*buf;
	size_t	 len;
};

static int	fail(struct reason *, const char *, ...) PRINTF_LIKE(2, 3);

/*
 * Writes the reason and returns 0, so that a check can end with
 * "return fail(...)".  A reason cut short to fit loses any half UTF-8
 * character at its end: callers put it into JSON and mail.
 */
static int
fail(struct reason *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r->buf == NULL || r->len == 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(r->buf, r->len, fmt, ap);
	va_end(ap);
	n = strlen(r->buf);
	while (n > 0 && !utf8_valid(r->buf, n))
		n--;
	r->buf[n] = '\0';
	return 0;
}

/* Decodes one code point of a string already known to be valid UTF-8. */
static uint32_t
decode(const unsigned char *p, size_t *n)
{
	if (p[0] < 0x80) {
		*n = 1;
		return p[0];
	} else if (p[0] < 0xe0) {
		*n = 2;
		return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	} else if (p[0] < 0xf0) {
		*n = 3;
		return (uint32_t)(p[0] & 0x0f) << 12 |
		    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	}
	*n = 4;
	return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
}

/*
 * Spaces that do not look like one (no-break, zero-width, ideographic),
 * and the invisible marks that reorder or hide text: pasted from a word
 * processor or planted to make one address look like another.
 */
static int
is_invisible(uint32_t c)
{
	return c == 0x00a0 || c == 0x00ad || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff;
}

/* The checks on every character, quoted or not. */
static int
check_characters(const char *s, size_t len, struct reason *r)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t i, n;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return fail(r, "contains a control character");
	if (!utf8_valid(s, len))
		return fail(r, "is not valid UTF-8");
	for (i = 0; i < len; i += n) {
		c = decode(p + i, &n);
		if (c >= 0x80 && c <= 0x9f)
			return fail(r, "contains a control character");
		if (is_invisible(c))
			return fail(r, "contains an invisible or unusual space "
			    "character (U+%04X)", (unsigned)c);
	}
	return 1;
}

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
check_dot_atom_local(const char *s, size_t len, struct reason *r)
{
	unsigned char c;
	size_t i;

	if (memchr(s, '<', len) != NULL || memchr(s, '>', len) != NULL)
		return fail(r, "contains '<' or '>': give the address alone, "
		    "without a name");
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			return fail(r, "contains a space");
		if (c != '.' && !is_atext(c))
			return fail(r, "the local part contains '%c'", c);
	}
	if (s[0] == '.')
		return fail(r, "the local part starts with a dot");
	if (s[len - 1] == '.')
		return fail(r, "the local part ends with a dot");
	if (memmem(s, len, "..", 2) != NULL)
		return fail(r, "the local part has two dots in a row");
	return 1;
}

/*
 * The text between the quotes.  Quotes and backslashes inside are escaped
 * (local_end found the closing quote that way); RFC 5321 allows escaping
 * printable ASCII only.
 */
static int
check_quoted_local(const char *s, size_t len, struct reason *r)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != '\\')
			continue;
		i++;
		if (i >= len || (unsigned char)s[i] >= 0x80)
			return fail(r, "the local part escapes a character "
			    "that is not ASCII");
	}
	return 1;
}

/* An empty quoted string is valid syntax but names no mailbox. */
static int
check_local(const char *s, size_t len, struct reason *r)
{
	if (len == 0 || (len == 2 && s[0] == '"'))
		return fail(r, "the local part is empty");
	if (len > ADDR_LOCAL_MAX)
		return fail(r, "the local part is longer than %d bytes",
		    ADDR_LOCAL_MAX);
	if (s[0] == '"')
		return check_quoted_local(s + 1, len - 2, r);
	return check_dot_atom_local(s, len, r);
}

/*
 * Finds the '@' after the local part: the first one, or for a quoted
 * local part the one right after the closing quote.  Returns NULL, with
 * the reason, when there is none.
 */
static const char *
local_end(const char *s, struct reason *r)
{
	const char *p;

	if (s[0] != '"') {
		p = strchr(s, '@');
		if (p == NULL)
			fail(r, "no '@'");
		return p;
	}
	for (p = s + 1; *p != '\0' && *p != '"'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p == '\0') {
		fail(r, "the local part has no closing quote");
		return NULL;
	}
	p++;
	if (*p == '@')
		return p;
	if (*p == '\0')
		fail(r, "no '@'");
	else
		fail(r, "the local part has text after its closing quote");
	return NULL;
}

static int
check_literal(const char *s, size_t len, struct reason *r)
{
	unsigned char bin[16];
	char text[LITERAL_MAX];
	size_t n;

	if (len < 2 || s[len - 1] != ']')
		return fail(r, "the domain's IP literal has no closing ']'");
	n = len - 2;
	if (n >= sizeof text)
		return fail(r, "the domain's IP literal is too long");
	memcpy(text, s + 1, n);
	text[n] = '\0';
	/* The tag is case-insensitive, like every ABNF string. */
	if (n >= 5 && text[4] == ':') {
		text[4] = '\0';
		if (ascii_casecmp(text, "ipv6") == 0) {
			if (inet_pton(AF_INET6, text + 5, bin) != 1)
				return fail(r, "the domain's IP literal is not "
				    "a valid IPv6 address");
			return 1;
		}
		text[4] = ':';
	}
	if (inet_pton(AF_INET, text, bin) != 1)
		return fail(r, "the domain's IP literal is not a valid IPv4 "
		    "address");
	return 1;
}

static int
is_label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c >= 0x80;
}

static int
check_label(const char *s, size_t len, struct reason *r)
{
	if (len > ADDR_LABEL_MAX)
		return fail(r, "a domain label is longer than %d bytes",
		    ADDR_LABEL_MAX);
	if (s[0] == '-')
		return fail(r, "the domain label '%.*s' starts with '-'",
		    (int)len, s);
	if (s[len - 1] == '-')
		return fail(r, "the domain label '%.*s' ends with '-'",
		    (int)len, s);
	return 1;
}

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Walks the labels; the characters are known to be label characters. */
static int
check_labels(const char *s, struct reason *r)
{
	size_t len, count = 0;

	for (;;) {
		len = strcspn(s, ".");
		if (len == 0)
			return fail(r, "the domain has two dots in a row");
		if (!check_label(s, len, r))
			return 0;
		count++;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (count < 2)
		return fail(r, "the domain has no dot");
	if (all_digits(s, len))
		return fail(r, "the domain's last label '%.*s' is all digits",
		    (int)len, s);
	return 1;
}

static int
check_hostname(const char *s, size_t len, struct reason *r)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ')
			return fail(r, "contains a space");
		if (c != '.' && !is_label_char(c))
			return fail(r, "the domain contains '%c'", c);
	}
	if (s[0] == '.')
		return fail(r, "the domain starts with a dot");
	if (s[len - 1] == '.')
		return fail(r, "the domain ends with a dot");
	return check_labels(s, r);
}

static int
check_domain(const char *s, struct reason *r)
{
	size_t len;

	len = strlen(s);
	if (len == 0)
		return fail(r, "the domain is empty");
	if (strchr(s, '@') != NULL)
		return fail(r, "contains more than one '@'");
	if (len > ADDR_DOMAIN_MAX)
		return fail(r, "the domain is longer than %d bytes",
		    ADDR_DOMAIN_MAX);
	if (s[0] == '[')
		return check_literal(s, len, r);
	return check_hostname(s, len, r);
}

int
addr_valid(const char *s, char *why, size_t why_len)
{
	struct reason r = { why, why_len };
	const char *at;
	size_t len;

	if (why != NULL && why_len > 0)
		why[0] = '\0';
	if (s == NULL || *s == '\0')
		return fail(&r, "the address is empty");
	len = strlen(s);
	if (!check_characters(s, len, &r))
		return 0;
	at = local_end(s, &r);
	if (at == NULL)
		return 0;
	if (!check_local(s, (size_t)(at - s), &r))
		return 0;
	if (!check_domain(at + 1, &r))
		return 0;
	if (len > ADDR_MAX)
		return fail(&r, "the address is longer than %d bytes",
		    ADDR_MAX);
	return 1;
}

int
addr_equal(const char *a, const char *b)
{
	const char *at_a, *at_b;

	if (a == NULL || b == NULL)
		return 0;
	at_a = strrchr(a, '@');
	at_b = strrchr(b, '@');
	if (at_a == NULL || at_b == NULL)
		return 0;
	if (at_a - a != at_b - b || memcmp(a, b, (size_t)(at_a - a)) != 0)
		return 0;
	return ascii_casecmp(at_a + 1, at_b + 1) == 0;
}
