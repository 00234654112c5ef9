/*
 * mime_ref.h: the mail as libetpan's writer made it (mime_ref.c), for the
 * tests to compare mime_write's bytes with.
 */
#ifndef MSCAGENT_MIME_REF_H
#define MSCAGENT_MIME_REF_H

#include <stddef.h>

#include "mime_write.h"

/* Writes h's mail through a libetpan tree: 0, or -1 with ERR_RUNTIME
 * when libetpan cannot.  Caller frees *out. */
int	 mime_ref_write(const struct mime_head *h, char **out, size_t *outlen,
	    struct err *);

#endif
