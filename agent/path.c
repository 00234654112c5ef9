/* path.c: relative paths joined to a real folder, and written plainly. */
#include <string.h>

#include "path.h"
#include "util.h"

/* Takes the last folder off b ("/a/b" -> "/a", "/a" -> "/"). */
static void
up(struct buf *b)
{
	char *slash = strrchr(b->data, '/');

	if (slash == NULL || slash == b->data)
		b->len = 1;	/* the root stays */
	else
		b->len = (size_t)(slash - b->data);
	b->data[b->len] = '\0';
}

static void
append_segment(struct buf *b, const char *seg, size_t len)
{
	if (b->len == 0 || b->data[b->len - 1] != '/')
		buf_puts(b, "/");
	buf_append(b, seg, len);
}

char *
path_join(const char *dir, const char *p)
{
	struct buf b = { 0 };
	const char *seg, *end;
	size_t len;
	int own = 0;	/* a segment of p is in b: ".." is kept from now */

	if (p[0] == '/')
		return xstrdup(p);
	buf_puts(&b, dir);
	while (b.len > 1 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	for (seg = p; *seg != '\0'; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		len = (size_t)(end - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.' && !own) {
			up(&b);
			continue;
		}
		append_segment(&b, seg, len);
		own = 1;
	}
	return buf_release(&b);
}
