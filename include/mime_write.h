/*
 * mime_write.h: writes a checked mail's bytes (mime.h) in one pass into
 * one buffer: the header block, then the fixed layout of parts, each body
 * encoded as it is copied.  There is no tree to build and walk, as the
 * layout never changes; the folding and the line lengths are libetpan's,
 * so that a mail comes out as it did when libetpan wrote it.
 *
 * mime.c checks every value and encodes the words of the From and Subject
 * values before anything is written: this module trusts what it gets.
 */
#ifndef MSCAGENT_MIME_WRITE_H
#define MSCAGENT_MIME_WRITE_H

#include <stddef.h>

#include "mime.h"
#include "util.h"

#define MIME_BOUNDARY_LEN	35	/* "=_", 32 hex digits, NUL */

/* What mime_compose works out once, besides the mail as given. */
struct mime_head {
	const struct mime_mail *mail;	/* every value checked */
	char	*from;			/* From's value: phrase and <addr> */
	char	*subject;		/* Subject's value, flat, maybe
					   encoded-words */
	char	 alt_boundary[MIME_BOUNDARY_LEN];
	char	 rel_boundary[MIME_BOUNDARY_LEN];	/* "" without a logo */
};

/*
 * mime.c: checks m as mime_compose does and fills h, which borrows m.
 * Returns 0, or -1 with ERR_INPUT and h empty.  mime_head_clear frees
 * what h holds (NULL-safe after a failed init).
 */
int	 mime_head_init(struct mime_head *h, const struct mime_mail *m,
	    struct err *);
void	 mime_head_clear(struct mime_head *h);

/*
 * Writes the whole message: *out is NUL-terminated, *outlen bytes without
 * the NUL, and the caller frees it.  Cannot fail: running out of memory
 * is fatal.
 */
void	 mime_write(const struct mime_head *h, char **out, size_t *outlen);

#endif
