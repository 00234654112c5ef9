/*
 * fuzz_po.c: a translation catalog (a .po file, catalog.h), then its
 * translations put into a template (translate.h) and its date and time
 * formats written.  The catalogs come with the templates, from whoever
 * installs them; a broken one must be refused or used safely, never
 * crash a render, and a translation must never lose or add an element.
 */
#include "fuzz.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

#include "catalog.h"
#include "translate.h"

/* Strings the dictionary (po.dict) names, so that a catalog can hit
 * them: values, elements with and without attributes, a button. */
static const char page[] =
    "<html><body>"
    "<p>Hello <span data-var=\"name\"></span>, welcome.</p>"
    "<p>Reply with <strong><b data-var=\"a\"></b></strong> or "
    "<strong><b data-var=\"b\"></b></strong></p>"
    "<p>From <a href=\"h\"><i data-var=\"x\"></i></a> to <em><i "
    "data-var=\"x\"></i></em><br>now</p>"
    "<p><a data-mailto=\"APPROVE\" data-var=\"w\"></a><img alt=\"Logo\" "
    "src=\"l\"></p>"
    "</body></html>";

struct count {
	int	 vars, elements;
};

static void
count_tree(xmlNodePtr n, struct count *c)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		c->elements++;
		if (xmlHasProp(n, (const xmlChar *)"data-var"))
			c->vars++;
		count_tree(n->children, c);
	}
}

static void
check_entry(const char *ctxt, const char *msgid, const char *msgstr,
    void *arg)
{
	const struct catalog *cat = arg;

	fuzz_require(catalog_find(cat, ctxt, msgid) == msgstr,
	    "each entry is found as it was read");
	(void)catalog_same_markers(msgid, msgstr);
}

static void
check_translated(const struct catalog *cat)
{
	struct count before = { 0 }, after = { 0 };
	xmlBufferPtr b;
	htmlDocPtr doc;

	doc = htmlReadMemory(page, (int)sizeof page - 1, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	fuzz_require(doc != NULL, "the page parses");
	count_tree(doc->children, &before);
	translate_tree((xmlNodePtr)doc, cat);
	count_tree(doc->children, &after);
	fuzz_require(before.vars == after.vars,
	    "a translation brings back every value");
	fuzz_require(before.elements == after.elements,
	    "a translation brings back every element, and no other");
	b = xmlBufferCreate();
	fuzz_require(htmlNodeDump(b, doc, xmlDocGetRootElement(doc)) >= 0,
	    "the page is written");
	xmlBufferFree(b);
	xmlFreeDoc(doc);
}

static void
check_dates(const struct catalog *cat)
{
	char *s;

	s = translate_date(cat, 20815);		/* 2026-12-28 */
	fuzz_require(utf8_valid(s, strlen(s)), "a date is UTF-8");
	free(s);
	s = translate_time(cat, FUZZ_NOW);
	fuzz_require(utf8_valid(s, strlen(s)), "a time is UTF-8");
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog *cat;
	struct err err = { 0 };

	cat = catalog_parse("de", (const char *)data, size, "fuzz.po", 0,
	    &err);
	if (cat == NULL) {
		fuzz_require(err.kind == ERR_INPUT && err.msg[0] != '\0',
		    "a refused catalog says why");
		return 0;
	}
	catalog_each(cat, check_entry, cat);
	check_translated(cat);
	check_dates(cat);
	catalog_free(cat);
	return 0;
}
