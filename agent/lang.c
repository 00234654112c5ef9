/* lang.c: checks and normalizes BCP 47 tags, and falls back along one. */
#include <string.h>
#include <strings.h>

#include "lang.h"

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	return c;
}

static char
upper(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	return c;
}

/* 1 when the len bytes at s are all letters (or all digits). */
static int
all_of(const char *s, size_t len, int (*is)(char))
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is(s[i]))
			return 0;
	return 1;
}

static int
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static int
is_variant(const char *s, size_t len)
{
	if (!all_of(s, len, is_alnum))
		return 0;
	return (len >= 5 && len <= 8) || (len == 4 && is_digit(s[0]));
}

/* Where each subtag may come, in the order they must come in. */
enum lang_part { PART_LANGUAGE, PART_SCRIPT, PART_REGION, PART_VARIANT };

int
lang_normalize(const char *tag, char out[LANG_TAG_MAX + 1], struct err *err)
{
	const char *p, *end;
	enum lang_part next = PART_LANGUAGE;
	size_t len, tlen, i, o = 0;

	out[0] = '\0';
	if (tag == NULL || *tag == '\0') {
		err_set(err, ERR_INPUT, "empty language tag");
		return -1;
	}
	tlen = strnlen(tag, LANG_TAG_MAX + 1);
	if (tlen > LANG_TAG_MAX) {
		err_set(err, ERR_INPUT, "language tag longer than %d bytes",
		    LANG_TAG_MAX);
		return -1;
	}
	/* Checked first, so that the messages below can quote the tag. */
	for (i = 0; i < tlen; i++)
		if (!is_alnum(tag[i]) && tag[i] != '-') {
			err_set(err, ERR_INPUT, "a language tag holds only "
			    "letters, digits and '-' (as in de-AT)");
			return -1;
		}
	for (p = tag; ; p = end + 1) {
		end = strchr(p, '-');
		if (end == NULL)
			end = tag + tlen;
		len = (size_t)(end - p);
		if (len == 0) {
			err_set(err, ERR_INPUT, "language tag '%s' has an "
			    "empty subtag", tag);
			goto bad;
		}
		if (next == PART_LANGUAGE) {
			if (len < 2 || len > 3 || !all_of(p, len, is_alpha)) {
				err_set(err, ERR_INPUT, "language tag '%.*s' "
				    "does not start with a language of 2 or 3 "
				    "letters", (int)tlen, tag);
				goto bad;
			}
			for (i = 0; i < len; i++)
				out[o++] = lower(p[i]);
			next = PART_SCRIPT;
		} else if (next == PART_SCRIPT && len == 4 &&
		    all_of(p, len, is_alpha)) {
			out[o++] = upper(p[0]);
			for (i = 1; i < len; i++)
				out[o++] = lower(p[i]);
			next = PART_REGION;
		} else if (next <= PART_REGION && ((len == 2 &&
		    all_of(p, len, is_alpha)) || (len == 3 &&
		    all_of(p, len, is_digit)))) {
			for (i = 0; i < len; i++)
				out[o++] = upper(p[i]);
			next = PART_VARIANT;
		} else if (is_variant(p, len)) {
			for (i = 0; i < len; i++)
				out[o++] = lower(p[i]);
			next = PART_VARIANT;
		} else {
			err_set(err, ERR_INPUT, "language tag '%.*s': "
			    "subtag '%.*s' is not a script, region or variant "
			    "in its place", (int)tlen, tag, (int)len, p);
			goto bad;
		}
		if (*end == '\0')
			break;
		out[o++] = '-';
	}
	out[o] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

int
lang_is_valid(const char *tag)
{
	char out[LANG_TAG_MAX + 1];
	struct err err;

	return lang_normalize(tag, out, &err) == 0;
}

const char *
lang_fallback(const char *tag, const char *const *available, size_t n,
    const char *def)
{
	size_t len, i;
	const char *dash;

	if (tag == NULL)
		return def;
	len = strnlen(tag, LANG_TAG_MAX + 1);
	if (len > LANG_TAG_MAX)
		return def;
	while (len > 0) {
		for (i = 0; i < n; i++)
			if (available[i] != NULL &&
			    strlen(available[i]) == len &&
			    strncasecmp(available[i], tag, len) == 0)
				return available[i];
		/* Drop the last subtag: "de-AT" -> "de". */
		dash = NULL;
		for (i = 0; i < len; i++)
			if (tag[i] == '-')
				dash = tag + i;
		if (dash == NULL)
			break;
		len = (size_t)(dash - tag);
	}
	return def;
}

/* One entry of an Accept-Language header: its tag and weight (0-1000). */
struct accepted {
	char	tag[LANG_TAG_MAX + 1];
	int	weight;
};

/* The weight of ";q=0.8", out of 1000; -1 when it is not one. */
static int
weight_of(const char *params)
{
	int w = 0, digits = 0;
	const char *p;

	if (strncmp(params, ";q=", 3) != 0 && strncmp(params, "; q=", 4) != 0)
		return -1;
	p = strchr(params, '=') + 1;
	if (*p == '1')
		return strspn(p + 1, ".0") == strlen(p + 1) ? 1000 : -1;
	if (*p != '0')
		return -1;
	if (*++p == '.')
		for (p++; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
			w = w * 10 + (*p - '0');
	while (digits++ < 3)
		w *= 10;
	return *p == '\0' ? w : -1;
}

/* Reads one comma-separated entry [s, end) into a; 0 when unusable. */
static int
read_accepted(const char *s, const char *end, struct accepted *a)
{
	char entry[LANG_TAG_MAX + 32];
	struct err err;
	size_t len;
	char *semi;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	len = (size_t)(end - s);
	if (len == 0 || len >= sizeof entry)
		return 0;
	memcpy(entry, s, len);
	entry[len] = '\0';
	if ((semi = strchr(entry, ';')) != NULL) {
		a->weight = weight_of(semi);
		*semi = '\0';
	} else
		a->weight = 1000;
	len = strcspn(entry, " \t");
	entry[len] = '\0';
	return a->weight > 0 && lang_normalize(entry, a->tag, &err) == 0;
}

const char *
lang_accept(const char *header, const char *const *available, size_t n)
{
	struct accepted list[LANG_ACCEPT_MAX];
	const char *s, *end, *found;
	size_t count = 0, seen, i, best;

	for (s = header, seen = 0; s != NULL && *s != '\0' &&
	    seen < LANG_ACCEPT_MAX; s = *end ? end + 1 : end, seen++) {
		end = s + strcspn(s, ",");
		if (read_accepted(s, end, &list[count]))
			count++;
	}
	/* Highest weight first; the header's order among equals. */
	while (count > 0) {
		for (best = 0, i = 1; i < count; i++)
			if (list[i].weight > list[best].weight)
				best = i;
		if ((found = lang_fallback(list[best].tag, available, n,
		    NULL)) != NULL)
			return found;
		list[best].weight = -1;
		for (i = 0; i < count && list[i].weight < 0; i++)
			;
		if (i == count)
			break;
	}
	return NULL;
}
