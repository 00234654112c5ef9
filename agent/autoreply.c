/* autoreply.c: whether a received mail was sent by a machine (RFC 3834). */
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "autoreply.h"
#include "mailhdr.h"
#include "util.h"

/* RFC 3834: any Auto-Submitted but "no"; the X- ones alike. */
static int
says_not_no(const char *value)
{
	char *w = mailhdr_first_word(value);
	int yes = strcmp(w, "no") != 0;

	free(w);
	return yes;
}

static int
says_bulk(const char *value)
{
	char *w = mailhdr_first_word(value);
	int yes = strcmp(w, "bulk") == 0 || strcmp(w, "junk") == 0 ||
	    strcmp(w, "list") == 0;

	free(w);
	return yes;
}

/* "<>", also with spaces or comments in it: a bounce or an auto-reply. */
static int
says_null_path(const char *value)
{
	char *s = mailhdr_uncomment(value), *p, *q;
	int yes;

	for (p = q = s; *p != '\0'; p++)
		if (*p != ' ')
			*q++ = *p;
	*q = '\0';
	yes = strcmp(s, "<>") == 0;
	free(s);
	return yes;
}

static const struct auto_sign {
	const char	*name;
	int		(*says)(const char *);
} auto_signs[] = {
	{ "Auto-Submitted",	says_not_no },
	{ "X-Autoreply",	says_not_no },
	{ "X-Autorespond",	says_not_no },
	{ "Precedence",		says_bulk },
	{ "Return-Path",	says_null_path },
};

/* "Name: value", the value cut short to be shown. */
static char *
reason(const char *name, const char *value)
{
	char *v = mailhdr_shown(value, MAILHDR_SHOWN_MAX), *why;

	why = xasprintf("%s: %s", name, v);
	free(v);
	return why;
}

/*
 * A Return-Path libetpan parsed as such, empty when it has no address.
 * mailmime_parse leaves Return-Path an optional field (auto_signs);
 * this catches a libetpan that parses it fully.  clist_next() and
 * clist_content() are macros that test the iterator for NULL again,
 * a branch the loop's own test makes impossible (never taken in make
 * coverage).
 */
static int
has_null_return_path(const struct mailimf_fields *fields)
{
	clistiter *it;
	struct mailimf_field *f;
	struct mailimf_path *path;

	for (it = clist_begin(fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type != MAILIMF_FIELD_RETURN_PATH)
			continue;
		path = f->fld_data.fld_return_path->ret_path;
		if (path == NULL || path->pt_addr_spec == NULL ||
		    *path->pt_addr_spec == '\0')
			return 1;
	}
	return 0;
}

/* The first value of the sign's header that says "automatic". */
static const char *
sign_value(const struct mailimf_fields *fields, const struct auto_sign *sign)
{
	clistiter *at = NULL;
	const char *v;

	for (;;) {
		v = mailhdr_next(fields, sign->name, &at);
		if (v == NULL || sign->says(v))
			return v;
	}
}

char *
autoreply_reason(const struct mailimf_fields *fields, const char *report_type)
{
	const char *v;
	char *why, *r;
	size_t i;

	for (i = 0; fields != NULL &&
	    i < sizeof auto_signs / sizeof auto_signs[0]; i++) {
		v = sign_value(fields, &auto_signs[i]);
		if (v != NULL)
			return reason(auto_signs[i].name, v);
	}
	if (fields != NULL && has_null_return_path(fields))
		return reason("Return-Path", "<>");
	if (report_type == NULL)
		return NULL;
	why = xasprintf("multipart/report; report-type=%s", report_type);
	r = reason("Content-Type", why);
	free(why);
	return r;
}
