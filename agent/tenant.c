/* tenant.c: tenant and plan field checks, the preflight, plan eligibility. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "date.h"
#include "lang.h"
#include "tenant.h"

#define SHOWN_ADDR_MAX	80	/* bytes of an address quoted in a reason */
#define WHY_MAX		160

/*
 * A missing field reads as an empty one.  Every field is required, the
 * addresses too: a wrong address may be registered and fixed later, a
 * missing one is a mistake in the command or the CSV line.
 */
static int
check_text(const char *what, const char *s, size_t max, struct err *err)
{
	return text_check(what, s != NULL ? s : "", max, 0, err);
}

void
tenant_init(struct tenant *t)
{
	int w;

	memset(t, 0, sizeof *t);
	t->state = STATE_NEW;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		t->expires[w] = DATE_NONE;
		t->after[w] = DATE_NONE;
	}
}

/* Leaves the tenant as tenant_init does, so clearing twice is harmless. */
void
tenant_clear(struct tenant *t)
{
	free(t->name);
	free(t->customer_admin);
	free(t->msp_admin);
	free(t->edition);
	free(t->language);
	strvec_clear(&t->blocked_reasons);
	tenant_init(t);
}

void
plan_clear(struct plan *p)
{
	free(p->name);
	free(p->edition);
	memset(p, 0, sizeof *p);
}

static int
check_licences(const struct tenant *t, struct err *err)
{
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (t->expires[w] == DATE_NONE ||
		    (t->workloads & WORKLOAD_BIT(w)))
			continue;
		err_set(err, ERR_INPUT,
		    "licence for '%s' but the tenant has no %s workload",
		    workload_name(w), workload_name(w));
		return -1;
	}
	return 0;
}

/* A tag as tenant_set_language() leaves it: valid and normalized. */
static int
check_language(const char *tag, struct err *err)
{
	char normal[LANG_TAG_MAX + 1];

	if (lang_normalize(tag, normal, err) == -1)
		return -1;
	if (strcmp(normal, tag) != 0) {
		err_set(err, ERR_INPUT, "language tag '%s' is not written as "
		    "'%s'", tag, normal);
		return -1;
	}
	return 0;
}

int
tenant_check_input(const struct tenant *t, struct err *err)
{
	if (check_text("name", t->name, TENANT_NAME_MAX, err) == -1 ||
	    check_text("edition", t->edition, TENANT_EDITION_MAX, err) == -1 ||
	    check_text("customer admin address", t->customer_admin,
	    TENANT_EMAIL_MAX, err) == -1 ||
	    check_text("MSP admin address", t->msp_admin, TENANT_EMAIL_MAX,
	    err) == -1)
		return -1;
	if (t->workloads & ~WORKLOAD_ALL) {
		err_set(err, ERR_INPUT, "workloads include an unknown value");
		return -1;
	}
	if (t->language != NULL && check_language(t->language, err) == -1)
		return -1;
	return check_licences(t, err);
}

int
tenant_set_language(struct tenant *t, const char *tag, struct err *err)
{
	char normal[LANG_TAG_MAX + 1];

	if (*tag == '\0') {
		free(t->language);
		t->language = NULL;
		return 0;
	}
	if (lang_normalize(tag, normal, err) == -1)
		return -1;
	free(t->language);
	t->language = xstrdup(normal);
	return 0;
}

int
plan_check_input(const struct plan *p, struct err *err)
{
	if (check_text("name", p->name, PLAN_NAME_MAX, err) == -1 ||
	    check_text("edition", p->edition, TENANT_EDITION_MAX, err) == -1)
		return -1;
	if (p->products == 0) {
		err_set(err, ERR_INPUT, "the plan has no products");
		return -1;
	}
	if (p->products & ~WORKLOAD_ALL) {
		err_set(err, ERR_INPUT, "products include an unknown value");
		return -1;
	}
	return 0;
}

/* Length of the UTF-8 sequence a lead byte starts, or 0. */
static size_t
sequence_length(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * C1 controls, and the zero-width and bidirectional marks that would
 * make the text around them read differently from what it is.
 */
static int
is_hidden(const unsigned char *p, size_t n)
{
	if (n == 2)
		return p[0] == 0xc2 && p[1] < 0xa0;
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x80)
		return (p[2] >= 0x8b && p[2] <= 0x8f) ||
		    (p[2] >= 0xa8 && p[2] <= 0xae);
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x81)
		return p[2] >= 0xa6 && p[2] <= 0xa9;
	return 0;
}

/* Bytes of the valid UTF-8 character at p, or 0 for a malformed one. */
static size_t
character_length(const unsigned char *p, size_t left)
{
	size_t n;

	n = p[0] < 0x80 ? 1 : sequence_length(p[0]);
	if (n == 0 || n > left || !utf8_valid((const char *)p, n))
		return 0;
	return n;
}

/*
 * An address that failed the check, made fit to quote in a reason shown
 * on terminals, web pages and mails: printable characters stay, a control
 * or hidden character becomes '?', so does each byte of malformed UTF-8,
 * and it is cut at max bytes.  Caller frees.
 */
static char *
shown(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };
	size_t n, left;

	left = strlen(s);
	while (left > 0) {
		n = character_length(p, left);
		if (b.len + (n > 0 ? n : 1) > max) {
			buf_puts(&b, "...");
			break;
		}
		if (n == 0) {
			buf_puts(&b, "?");
			n = 1;
		} else if (is_hidden(p, n) || (n == 1 && (p[0] < 0x20 ||
		    p[0] == 0x7f)))
			buf_puts(&b, "?");
		else
			buf_append(&b, (const char *)p, n);
		p += n;
		left -= n;
	}
	return buf_release(&b);
}

static void
add_reason(struct strvec *reasons, size_t *count, const char *reason)
{
	if (reasons != NULL)
		strvec_push(reasons, reason);
	(*count)++;
}

static void
check_address(const char *what, const char *addr, struct strvec *reasons,
    size_t *count)
{
	char why[WHY_MAX];
	char *s, *reason;

	if (addr == NULL || *addr == '\0')
		reason = xasprintf("the %s is missing", what);
	else if (addr_valid(addr, why, sizeof why))
		return;
	else {
		s = shown(addr, SHOWN_ADDR_MAX);
		reason = xasprintf("%s '%s' is invalid: %s", what, s, why);
		free(s);
	}
	add_reason(reasons, count, reason);
	free(reason);
}

/*
 * 1 when name holds nothing a person could read: no bytes, or only
 * spaces — ASCII ones, and the Unicode ones a spreadsheet or a copy from
 * a web page leaves (no-break, ideographic, the U+2000 block).
 */
static size_t
space_len(const unsigned char *p)
{
	if (*p == ' ' || *p == '\t')
		return 1;
	if (p[0] == 0xc2 && p[1] == 0xa0)
		return 2;
	if ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) ||
	    (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xaf)))
		return 3;
	return 0;
}

static int
is_blank(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n;

	for (; *p != '\0'; p += n) {
		n = space_len(p);
		if (n == 0)
			return 0;
	}
	return 1;
}

size_t
tenant_preflight(const struct tenant *t, struct strvec *reasons)
{
	size_t count = 0;

	/* Every mail and page names the customer. */
	if (t->name == NULL || is_blank(t->name))
		add_reason(reasons, &count, "the name is blank");
	check_address("customer admin address", t->customer_admin, reasons,
	    &count);
	check_address("MSP admin address", t->msp_admin, reasons, &count);
	if (t->suspended)
		add_reason(reasons, &count, "the customer is suspended");
	if (t->workloads == 0)
		add_reason(reasons, &count, "no workloads");
	return count;
}

int
plan_is_eligible(const struct plan *p, const struct tenant *t)
{
	if (p->edition == NULL || t->edition == NULL)
		return 0;
	if (ascii_casecmp(p->edition, t->edition) != 0)
		return 0;
	if (t->workloads == 0)
		return 0;
	return (p->products & t->workloads) == t->workloads;
}

int
tenant_workflow(const struct tenant *t)
{
	return workloads_workflow(t->workloads);
}
