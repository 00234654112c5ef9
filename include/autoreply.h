/*
 * autoreply.h: whether a received mail was sent by a machine, so that
 * the agent never answers it (RFC 3834 and what clients do besides):
 * an Auto-Submitted other than "no", X-Autoreply or X-Autorespond, a
 * Precedence of bulk, junk or list, an empty Return-Path ("<>"), or a
 * multipart/report body (a bounce, a read receipt).  Pure.
 */
#ifndef MSCAGENT_AUTOREPLY_H
#define MSCAGENT_AUTOREPLY_H

struct mailimf_fields;

/*
 * Why the mail with these header fields (NULL: none) and this body is
 * automatic, as "Header: value" for the history, or NULL when it is not.
 * report_type is the body's multipart/report type (bounce.h), or NULL
 * when the body is no report.  Caller frees.
 */
char	*autoreply_reason(const struct mailimf_fields *fields,
	    const char *report_type);

#endif
