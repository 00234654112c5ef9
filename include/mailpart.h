/*
 * mailpart.h: the parts of a received mail as libetpan gives them: their
 * type and parameters, their bytes with the transfer encoding undone,
 * and the check that keeps libetpan's recursive parsers off bytes nested
 * too deep for them (INMAIL_COMMENT_DEPTH_MAX, INMAIL_PARTS_MAX).
 */
#ifndef MSCAGENT_MAILPART_H
#define MSCAGENT_MAILPART_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#include "util.h"

/*
 * Checks raw bytes before libetpan parses them: no header field with
 * '(' nested more than INMAIL_COMMENT_DEPTH_MAX deep (folded lines
 * included) and, with count_types, no more than INMAIL_PARTS_MAX
 * Content-Type fields (every nested part needs one).  Returns 0, or -1
 * with an ERR_INPUT reason in err (which may be NULL).
 */
int	 mailpart_nesting_ok(const char *raw, size_t len, int count_types,
	    struct err *err);

/* A Content-Type parameter's value (name in any case); NULL when ct or
 * the parameter is absent. */
const char *mailpart_param(const struct mailmime_content *ct,
	    const char *name);

/* 1 when ct is text/SUBTYPE (any case); a part without a Content-Type is
 * text/plain. */
int	 mailpart_is_text(const struct mailmime_content *ct,
	    const char *subtype);

/* 1 when ct is the composite type (MAILMIME_COMPOSITE_TYPE_MESSAGE or
 * _MULTIPART) with that subtype, in any case. */
int	 mailpart_is_type(const struct mailmime_content *ct, int composite,
	    const char *subtype);

/* A leaf's bytes with its transfer encoding undone, NUL-terminated, and
 * their number in *len; "" when it has none or they do not decode.
 * Caller frees. */
char	*mailpart_bytes(struct mailmime *part, size_t *len);

#endif
