/* test_qrsvg.c: the QR code's SVG is well-formed, complete and safe. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <qrencode.h>

#include "qrsvg.h"

#define URI	"otpauth://totp/mscagent:alice?secret=" \
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mscagent" \
		"&period=30&digits=6&algorithm=SHA1"

static xmlDocPtr
parse(const char *svg)
{
	return xmlReadMemory(svg, (int)strlen(svg), NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static char *
attr(xmlNodePtr node, const char *name)
{
	return (char *)xmlGetProp(node, (const xmlChar *)name);
}

/* Elements under root with this name. */
static int
count(xmlNodePtr root, const char *name)
{
	xmlNodePtr c;
	int n = 0;

	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			n++;
	return n;
}

static xmlNodePtr
child(xmlNodePtr root, const char *name)
{
	xmlNodePtr c;

	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/*
 * Walks the path's "Mx yhnv1h-nz" runs: every one lies inside the
 * quiet zone's border, and the dark modules counted match the symbol.
 */
static void
check_path(const char *d, int width, int dark_modules)
{
	int x, y, len, back, used, total = 0, max = 0;

	while (*d != '\0') {
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &len,
		    &back, &used), 4);
		assert_int_equal(len, back);
		assert_true(len > 0);
		assert_true(x >= QRSVG_QUIET && y >= QRSVG_QUIET);
		assert_true(x + len <= QRSVG_QUIET + width);
		assert_true(y + 1 <= QRSVG_QUIET + width);
		if (x + len > max)
			max = x + len;
		total += len;
		d += used;
	}
	assert_int_equal(total, dark_modules);
	/* The finder patterns reach the symbol's right edge. */
	assert_int_equal(max, QRSVG_QUIET + width);
}

static void
test_svg(void **state)
{
	char *svg, *v, want[64];
	xmlDocPtr doc;
	xmlNodePtr root, path;
	QRcode *qr;
	struct err err;
	int n, i, dark_modules = 0;

	(void)state;
	svg = qrsvg_make(URI, &err);
	assert_non_null(svg);
	assert_null(strstr(svg, "script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "style"));

	/* The same symbol libqrencode makes for the text. */
	qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	assert_int_equal(qr->width, 17 + 4 * qr->version);
	for (i = 0; i < qr->width * qr->width; i++)
		dark_modules += qr->data[i] & 1;
	n = qr->width + 2 * QRSVG_QUIET;

	doc = parse(svg);
	assert_non_null(doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "svg");
	assert_string_equal((const char *)root->ns->href,
	    "http://www.w3.org/2000/svg");
	snprintf(want, sizeof want, "0 0 %d %d", n, n);
	v = attr(root, "viewBox");
	assert_string_equal(v, want);
	xmlFree(v);
	snprintf(want, sizeof want, "%d", n * QRSVG_MODULE_PX);
	v = attr(root, "width");
	assert_string_equal(v, want);
	xmlFree(v);
	assert_int_equal(count(root, "path"), 1);
	assert_int_equal(count(root, "rect"), 1);
	assert_int_equal(xmlChildElementCount(root), 2);
	path = child(root, "path");
	v = attr(path, "d");
	check_path(v, qr->width, dark_modules);
	xmlFree(v);

	xmlFreeDoc(doc);
	QRcode_free(qr);
	free(svg);
}

static void
test_versions_grow(void **state)
{
	char text[QRSVG_TEXT_MAX + 2], *small, *large;
	struct err err;

	(void)state;
	small = qrsvg_make("a", &err);
	assert_non_null(small);
	/* Version 1 is 21 modules, 29 with the quiet zone. */
	assert_non_null(strstr(small, "viewBox=\"0 0 29 29\""));
	memset(text, 'x', QRSVG_TEXT_MAX);
	text[QRSVG_TEXT_MAX] = '\0';
	large = qrsvg_make(text, &err);
	assert_non_null(large);
	assert_true(strlen(large) > strlen(small));
	free(small);
	free(large);
}

static void
test_refused(void **state)
{
	char text[QRSVG_TEXT_MAX + 2];
	struct err err;

	(void)state;
	assert_null(qrsvg_make("", &err));
	assert_int_equal(err.kind, ERR_INPUT);
	memset(text, 'x', QRSVG_TEXT_MAX + 1);
	text[QRSVG_TEXT_MAX + 1] = '\0';
	assert_null(qrsvg_make(text, &err));
	assert_int_equal(err.kind, ERR_INPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_versions_grow),
		cmocka_unit_test(test_refused),
	};
	int rc;

	xmlInitParser();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
