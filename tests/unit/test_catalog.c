/*
 * test_catalog.c: .po files read and refused, placeholders compared, and
 * the shipped catalogs checked against the template of every string
 * (mailtemplates/po/mscagent.pot): each language has each string, with
 * the placeholders it must keep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "support.h"

#define PO_DIR		"mailtemplates/po"
#define POT		PO_DIR "/mscagent.pot"

/* The languages the README promises. */
static const char *const shipped[] = { "de", "fr", "es", "nl", "it", "pt",
    "ja" };

static struct catalog *
parse(const char *text, int flags, struct err *err)
{
	return catalog_parse("de", text, strlen(text), "t.po", flags, err);
}

static void
test_read(void **state)
{
	static const char po[] =
	    "# a comment\n"
	    "msgid \"\"\n"
	    "msgstr \"\"\n"
	    "\"Language: de\\n\"\n"
	    "\n"
	    "#: approval_request.html\n"
	    "msgid \"Customer\"\n"
	    "msgstr \"Kunde\"\n"
	    "\n"
	    "msgid \"\"\n"
	    "\"Reply with {approve_word} \"\n"
	    "\"now\"\n"
	    "msgstr \"Antworten Sie \"\n"
	    "\"mit {approve_word}\"\n"
	    "\n"
	    "msgctxt \"month\"\n"
	    "msgid \"May\"\n"
	    "msgstr \"Mai\"\n"
	    "msgid \"Esc \\\"q\\\" \\\\ \\n\\t\"\r\n"
	    "msgstr \"E \\\"q\\\" \\\\ \\n\\t\"   \n"
	    "\n"
	    "#, fuzzy\n"
	    "msgid \"Rejected\"\n"
	    "msgstr \"Abgelehnt\"\n"
	    "\n"
	    "msgid \"Not yet\"\n"
	    "msgstr \"\"\n"
	    "#~ msgid \"Gone\"\n"
	    "#~ msgstr \"Weg\"\n";
	struct catalog *c;
	struct err err;

	(void)state;
	c = parse(po, 0, &err);
	assert_non_null(c);
	assert_string_equal(catalog_tag(c), "de");
	assert_string_equal(catalog_get(c, NULL, "Customer"), "Kunde");
	assert_string_equal(catalog_get(c, NULL, "Reply with {approve_word} "
	    "now"), "Antworten Sie mit {approve_word}");
	assert_string_equal(catalog_get(c, "month", "May"), "Mai");
	/* Without its context a msgid is another one. */
	assert_null(catalog_find(c, NULL, "May"));
	assert_null(catalog_find(c, "other", "May"));
	assert_string_equal(catalog_get(c, NULL, "Esc \"q\" \\ \n\t"),
	    "E \"q\" \\ \n\t");
	/* Fuzzy, untranslated and obsolete entries are not translations. */
	assert_null(catalog_find(c, NULL, "Rejected"));
	assert_null(catalog_find(c, NULL, "Not yet"));
	assert_null(catalog_find(c, NULL, "Gone"));
	assert_string_equal(catalog_get(c, NULL, "Not yet"), "Not yet");
	/* The header is not a translation of "". */
	assert_null(catalog_find(c, NULL, ""));
	assert_null(catalog_find(NULL, NULL, "Customer"));
	catalog_free(c);
	/* A .pot keeps its untranslated entries. */
	c = parse(po, CATALOG_UNTRANSLATED, &err);
	assert_non_null(c);
	assert_string_equal(catalog_find(c, NULL, "Not yet"), "");
	assert_null(catalog_find(c, NULL, "Rejected"));
	catalog_free(c);
	/* An empty file is an empty catalog. */
	c = parse("", 0, &err);
	assert_non_null(c);
	assert_null(catalog_find(c, NULL, "Customer"));
	catalog_free(c);
}

struct bad_row {
	const char	*po;
	const char	*error;
};

static void
test_refused(void **state)
{
	static const struct bad_row rows[] = {
		{ "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n",
		  "t.po:2: plural forms are not used" },
		{ "msgid \"a\"\nmsgstr[0] \"b\"\n",
		  "t.po:2: plural forms are not used" },
		{ "msgid \"a\"\nmsgtxt \"b\"\n", "t.po:2: unknown keyword" },
		{ "msgid \"a\nmsgstr \"b\"\n",
		  "t.po:1: a string without its closing quote" },
		{ "msgid a\n", "t.po:1: a string in double quotes expected" },
		{ "msgid \"a\" x\n",
		  "t.po:1: text after a string's closing quote" },
		{ "msgid \"\\x41\"\nmsgstr \"b\"\n",
		  "t.po:1: an escape other than \\n \\t \\r \\\" or \\\\" },
		{ "msgstr \"b\"\n", "t.po:1: msgstr before its msgid" },
		{ "msgid \"a\"\nmsgid \"b\"\n",
		  "t.po:2: a field given twice in one entry" },
		{ "\"a\"\n", "t.po:1: a string line outside an entry" },
		{ "msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n",
		  "t.po:3: a field given twice in one entry" },
		{ "msgid \"a\"\n", "t.po:1: an entry needs both msgid and "
		  "msgstr" },
		{ "msgid \"a\"\nmsgstr \"\xff\"\n", "t.po:2: not UTF-8 (say "
		  "charset=UTF-8 and save as UTF-8)" },
		{ "msgid \"\xc3\"\nmsgstr \"b\"\n", "t.po:2: not UTF-8 (say "
		  "charset=UTF-8 and save as UTF-8)" },
		{ "msgid \"a\\", "t.po:1: an escape other than \\n \\t \\r "
		  "\\\" or \\\\" },
		{ "msgctxt \"c\"\n", "t.po:1: an entry needs both msgid and "
		  "msgstr" },
		{ "msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
		  "t.po: msgid \"a\" is translated twice" },
	};
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		err_clear(&err);
		if (parse(rows[i].po, 0, &err) != NULL)
			fail_msg("accepted: %s", rows[i].po);
		assert_int_equal(err.kind, ERR_INPUT);
		support_assert_string(err.msg, rows[i].error);
	}
}

static void
test_refused_bytes(void **state)
{
	static const char nul[] = "msgid \"a\"\0msgstr \"b\"\n";
	struct err err;
	char *big;

	(void)state;
	assert_null(catalog_parse("de", nul, sizeof nul - 1, "t.po", 0,
	    &err));
	support_assert_string(err.msg, "t.po: a NUL byte: not a .po file");
	big = support_repeat('#', CATALOG_FILE_MAX + 1);
	assert_null(catalog_parse("de", big, CATALOG_FILE_MAX + 1, "t.po",
	    0, &err));
	support_assert_string(err.msg, "t.po: over 1048576 bytes");
	free(big);
}

struct marker_row {
	const char	*msgid;
	const char	*msgstr;
	int		 same;
};

static void
test_markers(void **state)
{
	static const struct marker_row rows[] = {
		{ "Move {customer} now", "{customer} jetzt", 1 },
		{ "{a} and {b}", "{b} und {a}", 1 },
		{ "{a} and {a}", "{a}", 0 },
		{ "{a}", "{A}", 0 },
		{ "{a}", "{ a }", 0 },
		{ "Hi {customer}", "Hallo", 0 },
		{ "Hi", "Hallo {customer}", 0 },
		{ "<strong>Go</strong> on", "weiter <strong>los</strong>", 1 },
		{ "<strong>Go</strong> on", "weiter <b>los</b>", 0 },
		{ "<strong>Go</strong> on", "<strong>los", 0 },
		{ "a<br/>b", "a<br/>b", 1 },
		{ "a<br/>b", "a<br>b", 0 },
		/* Not placeholders: braces and angles of the text. */
		{ "a { b } < c >", "a", 1 },
		{ "5 < 6 and {x y}", "5 < 6", 1 },
		{ "", "", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (catalog_same_markers(rows[i].msgid, rows[i].msgstr) !=
		    rows[i].same)
			fail_msg("'%s' / '%s': not %d", rows[i].msgid,
			    rows[i].msgstr, rows[i].same);
}

static void
test_too_many_markers(void **state)
{
	struct strvec v = { 0 };
	struct buf b = { 0 };
	int i;

	(void)state;
	for (i = 0; i < CATALOG_MARKERS_MAX; i++)
		buf_puts(&b, "{x}");
	assert_int_equal(catalog_markers(b.data, &v), 0);
	assert_int_equal(v.n, CATALOG_MARKERS_MAX);
	strvec_clear(&v);
	buf_puts(&b, "{x}");
	assert_int_equal(catalog_markers(b.data, &v), -1);
	assert_int_equal(catalog_same_markers(b.data, b.data), 0);
	strvec_clear(&v);
	buf_clear(&b);
}

/* ---- the shipped catalogs ---- */

static struct catalog *
load(const char *path, const char *tag, int flags)
{
	struct catalog *c;
	struct err err;
	char *text;

	text = support_read(path);
	if (text == NULL)
		fail_msg("cannot read %s", path);
	c = catalog_parse(tag, text, strlen(text), path, flags, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	free(text);
	return c;
}

/* A format's placeholders are its language's, from a fixed set. */
static int
format_markers_known(const char *ctxt, const char *msgstr)
{
	static const char *const date_names[] = { "{day}", "{dd}",
	    "{month}", "{mm}", "{year}", NULL };
	static const char *const time_names[] = { "{date}", "{time}", NULL };
	const char *const *names = strcmp(ctxt, "date format") == 0 ?
	    date_names : time_names;
	struct strvec v = { 0 };
	size_t i, k;
	int known = catalog_markers(msgstr, &v) == 0 && v.n > 0;

	for (i = 0; known && i < v.n; i++) {
		for (k = 0; names[k] != NULL; k++)
			if (strcmp(v.v[i], names[k]) == 0)
				break;
		known = names[k] != NULL;
	}
	strvec_clear(&v);
	return known;
}

struct against {
	const struct catalog	*po;
	const char		*tag;
	int			 problems;
};

/* Each string of the .pot: translated, with its placeholders. */
static void
check_entry(const char *ctxt, const char *msgid, const char *msgstr,
    void *arg)
{
	struct against *a = arg;
	const char *t;

	(void)msgstr;
	t = catalog_find(a->po, ctxt, msgid);
	if (t == NULL) {
		fprintf(stderr, "%s.po lacks \"%s\"\n", a->tag, msgid);
		a->problems++;
	} else if (ctxt != NULL && strstr(ctxt, "format") != NULL) {
		if (!format_markers_known(ctxt, t)) {
			fprintf(stderr, "%s.po: %s \"%s\" has unknown "
			    "placeholders\n", a->tag, ctxt, t);
			a->problems++;
		}
	} else if (!catalog_same_markers(msgid, t)) {
		fprintf(stderr, "%s.po: \"%s\" does not keep the placeholders "
		    "of \"%s\"\n", a->tag, t, msgid);
		a->problems++;
	}
}

/* Each translation of the .po: of a string the .pot still has. */
static void
check_current(const char *ctxt, const char *msgid, const char *msgstr,
    void *arg)
{
	struct against *a = arg;

	(void)msgstr;
	if (catalog_find(a->po, ctxt, msgid) == NULL) {
		fprintf(stderr, "%s.po translates \"%s\", which no template "
		    "has (run msgmerge)\n", a->tag, msgid);
		a->problems++;
	}
}

/* The words a reply answers with: one word each, upper case where the
 * script has one, so that the reader finds them as the first line. */
static void
check_reply_words(const struct catalog *po, const char *tag)
{
	static const char *const words[] = { "APPROVE", "REJECT" };
	const char *w;
	size_t i;

	for (i = 0; i < 2; i++) {
		w = catalog_get(po, NULL, words[i]);
		if (strpbrk(w, " \t") != NULL || strlen(w) > 32)
			fail_msg("%s.po: '%s' for %s is not one word", tag, w,
			    words[i]);
	}
	assert_string_not_equal(catalog_get(po, NULL, "APPROVE"),
	    catalog_get(po, NULL, "REJECT"));
}

static void
test_shipped(void **state)
{
	struct against a = { 0 };
	struct catalog *pot, *po;
	char *path;
	size_t i;

	(void)state;
	pot = load(POT, "en", CATALOG_UNTRANSLATED);
	for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		path = xasprintf("%s/%s.po", PO_DIR, shipped[i]);
		po = load(path, shipped[i], 0);
		a.tag = shipped[i];
		a.po = po;
		catalog_each(pot, check_entry, &a);
		a.po = pot;
		catalog_each(po, check_current, &a);
		check_reply_words(po, shipped[i]);
		catalog_free(po);
		free(path);
	}
	catalog_free(pot);
	if (a.problems > 0)
		fail_msg("%d problems in the catalogs (above)", a.problems);
}

/* A catalog the test does not know is a language nobody checks. */
static void
test_no_other_catalogs(void **state)
{
	struct dirent *de;
	size_t i, len;
	DIR *d;

	(void)state;
	d = opendir(PO_DIR);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 3 || strcmp(de->d_name + len - 3, ".po") != 0)
			continue;
		for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
			if (strlen(shipped[i]) == len - 3 &&
			    strncmp(de->d_name, shipped[i], len - 3) == 0)
				break;
		if (i == sizeof shipped / sizeof shipped[0])
			fail_msg("%s/%s: add it to the shipped list", PO_DIR,
			    de->d_name);
	}
	closedir(d);
}

/* The checks above do fail: a catalog missing a string and one that
 * drops a placeholder are both found. */
static void
test_check_fails(void **state)
{
	static const char pot_text[] =
	    "msgid \"Move {customer}\"\nmsgstr \"\"\n\n"
	    "msgid \"Customer\"\nmsgstr \"\"\n";
	static const char po_text[] =
	    "msgid \"Move {customer}\"\nmsgstr \"Umzug\"\n";
	struct against a = { .tag = "de" };
	struct catalog *pot, *po;
	struct err err;

	(void)state;
	pot = parse(pot_text, CATALOG_UNTRANSLATED, &err);
	po = parse(po_text, 0, &err);
	assert_non_null(pot);
	assert_non_null(po);
	a.po = po;
	catalog_each(pot, check_entry, &a);
	assert_int_equal(a.problems, 2);
	catalog_free(po);
	catalog_free(pot);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_bytes),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_too_many_markers),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_no_other_catalogs),
		cmocka_unit_test(test_check_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
