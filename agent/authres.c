/* authres.c: the verdict of Authentication-Results (RFC 8601) on a mail. */
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "authres.h"
#include "mailhdr.h"
#include "util.h"

static const char *
domain_of(const char *addr)
{
	const char *at;

	if (addr == NULL)
		return NULL;
	at = strrchr(addr, '@');
	return at != NULL ? at + 1 : addr;
}

static int
same_domain(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && ascii_casecmp(a, b) == 0;
}

/*
 * One result ("dkim=pass header.d=x.test ..."): 1 when it is a dmarc
 * pass, or a dkim pass whose header.d or header.i is the From domain.
 */
static int
result_passes(char *res, const char *from_domain)
{
	char *method, *result, *key, *value;
	int dkim, dmarc, aligned = 0, other_from = 0;

	method = mailhdr_split(&res, ' ');
	result = strchr(method, '=');
	if (result == NULL || ascii_casecmp(result + 1, "pass") != 0)
		return 0;
	method[strcspn(method, "/=")] = '\0';
	dkim = ascii_casecmp(method, "dkim") == 0;
	dmarc = ascii_casecmp(method, "dmarc") == 0;
	while (res != NULL) {
		key = mailhdr_split(&res, ' ');
		value = strchr(key, '=');
		if (value == NULL)
			continue;
		*value++ = '\0';
		mailhdr_unquote(value);
		if (ascii_casecmp(key, "header.d") == 0 ||
		    ascii_casecmp(key, "header.i") == 0)
			aligned |= same_domain(domain_of(value), from_domain);
		else if (ascii_casecmp(key, "header.from") == 0)
			other_from |= !same_domain(value, from_domain);
	}
	return (dmarc && !other_from) || (dkim && aligned);
}

/*
 * One header: -1 when another server wrote it (ignored), else 1 when it
 * holds a pass, 0 when not.
 */
static int
auth_header(const char *value, const char *authserv_id,
    const char *from_domain)
{
	char *copy = mailhdr_uncomment(value), *rest = copy, *id, *res;
	int pass = 0;

	id = mailhdr_split(&rest, ';');
	id += strspn(id, " ");
	id[strcspn(id, " ")] = '\0';
	if (ascii_casecmp(id, authserv_id) != 0) {
		free(copy);
		return -1;
	}
	while (rest != NULL) {
		res = mailhdr_split(&rest, ';');
		res += strspn(res, " ");
		pass |= result_passes(res, from_domain);
	}
	free(copy);
	return pass;
}

enum inmail_auth
authres_verdict(const struct mailimf_fields *fields, const char *authserv_id,
    const char *from)
{
	clistiter *at = NULL;
	const char *v;
	enum inmail_auth verdict = INMAIL_AUTH_NONE;
	int r;

	if (authserv_id == NULL || *authserv_id == '\0')
		return INMAIL_AUTH_NONE;
	for (;;) {
		v = mailhdr_next(fields, "Authentication-Results", &at);
		if (v == NULL)
			break;
		r = auth_header(v, authserv_id, domain_of(from));
		if (r == 1)
			return INMAIL_AUTH_PASS;
		if (r == 0)
			verdict = INMAIL_AUTH_FAIL;
	}
	return verdict;
}
