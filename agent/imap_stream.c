/* imap_stream.c: a session's stream on which a hang-up is an error. */
#include <stdlib.h>

#include "imap_stream.h"

/* The stream guarded: the guard's data. */
static mailstream_low *
inner(mailstream_low *s)
{
	return s->data;
}

static ssize_t
guard_read(mailstream_low *s, void *buf, size_t count)
{
	ssize_t n = mailstream_low_read(inner(s), buf, count);

	/* No bytes for a read that wanted some: the server is gone (a
	 * read that waits too long already fails, after the timeout). */
	return n == 0 && count > 0 ? -1 : n;
}

static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t count)
{
	return mailstream_low_write(inner(s), buf, count);
}

static int
guard_close(mailstream_low *s)
{
	return mailstream_low_close(inner(s));
}

static int
guard_get_fd(mailstream_low *s)
{
	return mailstream_low_get_fd(inner(s));
}

static void
guard_free(mailstream_low *s)
{
	mailstream_low_free(inner(s));
	free(s);
}

static void
guard_cancel(mailstream_low *s)
{
	mailstream_low_cancel(inner(s));
}

static struct mailstream_cancel *
guard_get_cancel(mailstream_low *s)
{
	return mailstream_low_get_cancel(inner(s));
}

static carray *
guard_certificate_chain(mailstream_low *s)
{
	return mailstream_low_get_certificate_chain(inner(s));
}

static int
guard_setup_idle(mailstream_low *s)
{
	return mailstream_low_setup_idle(inner(s));
}

static int
guard_unsetup_idle(mailstream_low *s)
{
	return mailstream_low_unsetup_idle(inner(s));
}

static int
guard_interrupt_idle(mailstream_low *s)
{
	return mailstream_low_interrupt_idle(inner(s));
}

static mailstream_low_driver guard_driver = {
	.mailstream_read = guard_read,
	.mailstream_write = guard_write,
	.mailstream_close = guard_close,
	.mailstream_get_fd = guard_get_fd,
	.mailstream_free = guard_free,
	.mailstream_cancel = guard_cancel,
	.mailstream_get_cancel = guard_get_cancel,
	.mailstream_get_certificate_chain = guard_certificate_chain,
	.mailstream_setup_idle = guard_setup_idle,
	.mailstream_unsetup_idle = guard_unsetup_idle,
	.mailstream_interrupt_idle = guard_interrupt_idle,
};

int
imap_stream_guard(mailimap *s)
{
	mailstream_low *low = mailstream_get_low(s->imap_stream), *guard;

	guard = mailstream_low_new(low, &guard_driver);
	if (guard == NULL)
		return -1;
	mailstream_low_set_timeout(guard, mailstream_low_get_timeout(low));
	mailstream_set_low(s->imap_stream, guard);
	return 0;
}
