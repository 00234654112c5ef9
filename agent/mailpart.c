/* mailpart.c: the parts of a received mail as libetpan gives them. */
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "inmail.h"
#include "mailpart.h"
#include "util.h"

/* 1 when p (at a line start) begins a Content-Type field. */
static int
is_content_type(const char *p, const char *end)
{
	static const char name[] = "content-type";
	size_t i;

	if ((size_t)(end - p) < sizeof name - 1)
		return 0;
	for (i = 0; i < sizeof name - 1; i++)
		if ((p[i] | 0x20) != name[i])
			return 0;
	return 1;
}

/*
 * Counting every '(' and ')' outside quoted-pairs, quoted strings too,
 * never gives less than the real comment depth.
 */
int
mailpart_nesting_ok(const char *raw, size_t len, int count_types,
    struct err *err)
{
	const char *p, *end = raw + len;
	size_t types = 0;
	int depth = 0;

	for (p = raw; p < end; p++) {
		if (p == raw || p[-1] == '\n') {
			if (*p != ' ' && *p != '\t')
				depth = 0;
			if (count_types && is_content_type(p, end))
				types++;
		}
		if (*p == '\\' && p + 1 < end && p[1] == ')')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (types > INMAIL_PARTS_MAX) {
			err_set(err, ERR_INPUT, "more than %d Content-Type "
			    "header fields", INMAIL_PARTS_MAX);
			return -1;
		}
		if (depth > INMAIL_COMMENT_DEPTH_MAX) {
			err_set(err, ERR_INPUT, "parentheses nested more than "
			    "%d deep", INMAIL_COMMENT_DEPTH_MAX);
			return -1;
		}
	}
	return 0;
}

const char *
mailpart_param(const struct mailmime_content *ct, const char *name)
{
	clistiter *it;
	struct mailmime_parameter *p;

	if (ct == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		p = clist_content(it);
		if (ascii_casecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

int
mailpart_is_text(const struct mailmime_content *ct, const char *subtype)
{
	if (ct == NULL)
		return strcmp(subtype, "plain") == 0;
	return ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    ct->ct_type->tp_data.tp_discrete_type->dt_type ==
	    MAILMIME_DISCRETE_TYPE_TEXT &&
	    ascii_casecmp(ct->ct_subtype, subtype) == 0;
}

char *
mailpart_bytes(struct mailmime *part, size_t *len)
{
	struct mailmime_data *d = part->mm_data.mm_single;
	char *out = NULL, *copy;
	size_t idx = 0, outlen = 0;
	int enc;

	*len = 0;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return xstrdup("");
	enc = d->dt_encoded ? d->dt_encoding : MAILMIME_MECHANISM_8BIT;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, enc, &out, &outlen) !=
	    MAILIMF_NO_ERROR)
		return xstrdup("");
	copy = xmalloc(outlen + 1);
	memcpy(copy, out, outlen);
	copy[outlen] = '\0';
	mmap_string_unref(out);
	*len = outlen;
	return copy;
}


int
mailpart_is_type(const struct mailmime_content *ct, int composite,
    const char *subtype)
{
	int t;

	if (ct == NULL || ct->ct_type->tp_type != MAILMIME_TYPE_COMPOSITE_TYPE)
		return 0;
	t = ct->ct_type->tp_data.tp_composite_type->ct_type;
	return t == composite && ascii_casecmp(ct->ct_subtype, subtype) == 0;
}
