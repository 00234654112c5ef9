/* mailhdr.c: the values of a received mail's header fields, taken apart. */
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "inmail.h"
#include "mailhdr.h"
#include "util.h"

char *
mailhdr_uncomment(const char *v)
{
	struct buf b = { 0 };
	int depth = 0, quoted = 0, space = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0' && (quoted || depth > 0)) {
			if (quoted)
				buf_append(&b, v, 2);
			v++;
		} else if (quoted) {
			buf_append(&b, v, 1);
			quoted = *v != '"';
		} else if (*v == '(') {
			depth++;
			space = 1;
		} else if (*v == ')' && depth > 0)
			depth--;
		else if (depth > 0)
			continue;
		else if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			space = 1;
		else {
			if (*v == '=' ||
			    (b.len > 0 && b.data[b.len - 1] == '='))
				space = 0;
			if (space && b.len > 0)
				buf_append(&b, " ", 1);
			space = 0;
			buf_append(&b, v, 1);
			quoted = *v == '"';
		}
	}
	return buf_release(&b);
}

char *
mailhdr_split(char **sp, char sep)
{
	char *s = *sp, *p;
	int quoted = 0;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == sep && !quoted) {
			*p = '\0';
			*sp = p + 1;
			return s;
		}
	}
	*sp = NULL;
	return s;
}

char *
mailhdr_first_word(const char *value)
{
	char *s = mailhdr_uncomment(value), *p;

	p = s + strspn(s, " ");
	memmove(s, p, strlen(p) + 1);
	s[strcspn(s, " ;")] = '\0';
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return s;
}

/* Drops the quotes around a whole value. */
void
mailhdr_unquote(char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
	}
}

char *
mailhdr_shown(const char *value, size_t max)
{
	char *s = text_printable(value, max), *r, *w;

	for (r = w = s; *r != '\0'; r++)
		if (*r != ' ' || (w > s && w[-1] != ' '))
			*w++ = *r;
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

const char *
mailhdr_next(const struct mailimf_fields *fields, const char *name,
    clistiter **at)
{
	clistiter *it;
	struct mailimf_field *f;

	if (fields == NULL)
		return NULL;
	it = *at != NULL ? clist_next(*at) : clist_begin(fields->fld_list);
	for (; it != NULL; it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    ascii_casecmp(f->fld_data.fld_optional_field->fld_name,
		    name) == 0) {
			*at = it;
			return f->fld_data.fld_optional_field->fld_value;
		}
	}
	return NULL;
}

/* An id fit to store: no spaces or control characters, UTF-8. */
int
mailhdr_id_ok(const char *id)
{
	const unsigned char *p;
	size_t len = strlen(id);

	if (len == 0 || len > INMAIL_ID_MAX || !utf8_valid(id, len))
		return 0;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}
