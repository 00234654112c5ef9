/* workload.c: workload names, and lists of them as bit sets. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "workload.h"

#define WORKLOAD_SEPARATORS	",; \t"
#define SHOWN_NAME_MAX		32	/* bytes of an unknown name in errors */

static const char *const names[WORKLOAD_COUNT] = {
	[WORKLOAD_HYBRID] = "hybrid",
	[WORKLOAD_M365] = "m365",
	[WORKLOAD_GWS] = "gws",
	[WORKLOAD_ENDPOINTS] = "endpoints",
};

/* How people know the products, for mails and pages. */
static const char *const titles[WORKLOAD_COUNT] = {
	[WORKLOAD_HYBRID] = N_("Hybrid workloads"),
	[WORKLOAD_M365] = N_("Microsoft 365"),
	[WORKLOAD_GWS] = N_("Google Workspace"),
	[WORKLOAD_ENDPOINTS] = N_("Endpoints"),
};

const char *
workload_title(enum workload w)
{
	if ((unsigned)w >= WORKLOAD_COUNT)
		return "unknown";
	return titles[w];
}

const char *
workload_name(enum workload w)
{
	if ((unsigned)w >= WORKLOAD_COUNT)
		return "unknown";
	return names[w];
}

int
workload_from_name(const char *name)
{
	int w;

	if (name == NULL)
		return -1;
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if (strcmp(names[w], name) == 0)
			return w;
	return -1;
}

/* Like workload_from_name, for a name of len bytes in any ASCII case. */
static int
lookup(const char *s, size_t len)
{
	size_t i;
	int w;
	char c;

	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (strlen(names[w]) != len)
			continue;
		for (i = 0; i < len; i++) {
			c = s[i];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != names[w][i])
				break;
		}
		if (i == len)
			return w;
	}
	return -1;
}

/*
 * The name comes from outside and goes into a message shown on a
 * terminal: keep printable ASCII, replace every other byte, cut it short.
 */
static char *
shown_name(const char *s, size_t len)
{
	struct buf b = { 0 };
	unsigned char c;
	size_t i;

	for (i = 0; i < len && i < SHOWN_NAME_MAX; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			c = '?';
		buf_append(&b, (const char *)&c, 1);
	}
	if (len > SHOWN_NAME_MAX)
		buf_puts(&b, "...");
	return buf_release(&b);
}

static void
unknown_name(const char *s, size_t len, struct err *err)
{
	char *shown, *known;

	shown = shown_name(s, len);
	known = workloads_format(WORKLOAD_ALL, ", ");
	err_set(err, ERR_INPUT, "unknown workload '%s' (known: %s)", shown,
	    known);
	free(known);
	free(shown);
}

int
workloads_parse(const char *s, unsigned *set, struct err *err)
{
	unsigned result = 0;
	size_t len;
	int w;

	if (s == NULL)
		s = "";
	for (;;) {
		s += strspn(s, WORKLOAD_SEPARATORS);
		if (*s == '\0')
			break;
		len = strcspn(s, WORKLOAD_SEPARATORS);
		w = lookup(s, len);
		if (w < 0) {
			unknown_name(s, len, err);
			return -1;
		}
		if (result & WORKLOAD_BIT(w)) {
			err_set(err, ERR_INPUT, "workload '%s' given twice",
			    names[w]);
			return -1;
		}
		result |= WORKLOAD_BIT(w);
		s += len;
	}
	*set = result;
	return 0;
}

char *
workloads_format(unsigned set, const char *sep)
{
	struct buf b = { 0 };
	int w;

	if (sep == NULL)
		sep = ",";
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(set & WORKLOAD_BIT(w)))
			continue;
		if (b.len > 0)
			buf_puts(&b, sep);
		buf_puts(&b, names[w]);
	}
	return buf_release(&b);
}

int
workloads_workflow(unsigned set)
{
	return (set & WORKLOAD_BIT(WORKLOAD_HYBRID)) ? 1 : 2;
}
