/* test_lang.c: language tags, good and hostile, and the fallback. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lang.h"

struct good_row {
	const char	*tag;
	const char	*normal;
};

static const struct good_row good_rows[] = {
	{ "en", "en" },
	{ "DE", "de" },
	{ "fr-CA", "fr-CA" },
	{ "fr-ca", "fr-CA" },
	{ "de-AT", "de-AT" },
	{ "gsw", "gsw" },
	{ "zh-hant", "zh-Hant" },
	{ "ZH-HANT-TW", "zh-Hant-TW" },
	{ "sr-Latn", "sr-Latn" },
	{ "es-419", "es-419" },
	{ "de-CH-1996", "de-CH-1996" },
	{ "de-1901", "de-1901" },
	{ "sl-Latn-IT-ROZAJ", "sl-Latn-IT-rozaj" },
	{ "sl-IT-rozaj-biske-1994", "sl-IT-rozaj-biske-1994" },
	{ "en-GB-oxendict", "en-GB-oxendict" },
	/* Exactly LANG_TAG_MAX bytes. */
	{ "en-Latn-GB-abcde-fghij-klmno-pqrstu",
	  "en-Latn-GB-abcde-fghij-klmno-pqrstu" },
};

static const char *const bad_rows[] = {
	"",
	"e",
	"english",
	"e1",
	"1en",
	"de-",
	"-de",
	"de--AT",
	"de_AT",
	"de AT",
	" de",
	"de\n",
	"de-A",
	"de-ATT1",
	"de-AT-Latn",		/* script after region */
	"de-AT-CH",		/* two regions */
	"de-Latn-Cyrl",		/* two scripts */
	"de-12",
	"de-12x",
	"zh-Hant-abcd",
	"de-abcdefghi",		/* variant of 9 */
	"zh-yue",		/* extlang: not in the subset */
	"en-a-bbb",		/* extension */
	"en-x-private",		/* private use */
	"x-private",
	"i-klingon",		/* grandfathered */
	"de-\xc3\xa4T",
	"d\xc3\xa9",
	"en-Latn-GB-abcde-fghij-klmno-pqrstuv",	/* 36 bytes */
	"en-GB-abcde-abcde-abcde-abcde-abcde-abcde-abcde-abcde",
};

static void
test_good(void **state)
{
	char out[LANG_TAG_MAX + 1];
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good_rows / sizeof good_rows[0]; i++) {
		err_clear(&err);
		if (lang_normalize(good_rows[i].tag, out, &err) != 0)
			fail_msg("'%s' refused: %s", good_rows[i].tag,
			    err.msg);
		assert_string_equal(out, good_rows[i].normal);
		assert_int_equal(lang_is_valid(good_rows[i].tag), 1);
	}
}

static void
test_bad(void **state)
{
	char out[LANG_TAG_MAX + 1];
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
		err_clear(&err);
		memset(out, 'z', sizeof out);
		if (lang_normalize(bad_rows[i], out, &err) != -1)
			fail_msg("'%s' taken as '%s'", bad_rows[i], out);
		assert_int_equal(err.kind, ERR_INPUT);
		assert_true(err.msg[0] != '\0');
		/* The message is one printable line, whatever the tag. */
		for (const char *m = err.msg; *m != '\0'; m++)
			assert_true(*m >= 0x20 && *m < 0x7f);
		assert_string_equal(out, "");
		assert_int_equal(lang_is_valid(bad_rows[i]), 0);
	}
	err_clear(&err);
	assert_int_equal(lang_normalize(NULL, out, &err), -1);
	assert_int_equal(lang_is_valid(NULL), 0);
}

struct fallback_row {
	const char	*tag;
	const char	*expected;
};

static void
test_fallback(void **state)
{
	static const char *const have[] = { "en", "de", "fr-CA", "zh-Hant" };
	static const struct fallback_row rows[] = {
		{ "de-AT", "de" },
		{ "de", "de" },
		{ "DE-at", "de" },
		{ "de-Latn-AT-1996", "de" },
		{ "fr-CA", "fr-CA" },
		{ "fr-ca", "fr-CA" },
		{ "fr", "default" },		/* no step up from fr */
		{ "fr-FR", "default" },
		{ "zh-Hant-TW", "zh-Hant" },
		{ "zh", "default" },
		{ "it", "default" },
		{ "", "default" },
		{ "-", "default" },
		{ "d", "default" },
		{ "en-", "en" },
		{ NULL, "default" },
		{ "en-Latn-GB-abcde-fghij-klmno-pqrstuv", "default" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_string_equal(lang_fallback(rows[i].tag, have,
		    sizeof have / sizeof have[0], "default"),
		    rows[i].expected);
	/* Nothing available: the default, even for a match-all tag. */
	assert_string_equal(lang_fallback("de-AT", NULL, 0, "en"), "en");
	assert_null(lang_fallback("it", have, 4, NULL));
	/* A list with holes (catalogs that failed to load): skipped. */
	{
		static const char *const holes[] = { NULL, "de", NULL };

		assert_string_equal(lang_fallback("de-CH", holes, 3, "en"),
		    "de");
		assert_string_equal(lang_fallback("fr", holes, 3, "en"), "en");
	}
}

struct accept_row {
	const char	*header;
	const char	*want;		/* NULL: none available */
};

static void
test_accept(void **state)
{
	static const char *const have[] = { "en", "de", "fr", "ja" };
	static const struct accept_row rows[] = {
		{ "de-DE,de;q=0.9,en;q=0.8", "de" },
		{ "sv,de;q=0.8", "de" },
		{ "en;q=0.5, fr", "fr" },
		{ "fr;q=0.5, ja;q=0.7", "ja" },
		{ "fr-CA", "fr" },
		{ "ja-JP ; q=1.0", "ja" },
		{ "de;q=1.000,fr;q=0.999", "de" },
		{ "de;q=0, fr;q=0.1", "fr" },
		{ "de;q=0", NULL },
		{ "sv, no", NULL },
		{ "*", NULL },
		{ "", NULL },
		{ ",,, ,", NULL },
		{ "de;q=2", NULL },
		{ "de;q=0.1234", NULL },
		{ "de;q=abc, fr", "fr" },
		{ "de;level=1, ja", "ja" },
		{ "x-private, de\nAT, fr", "fr" },
		{ "toolongtag-toolongtag-toolongtag-toolongtag, de", "de" },
		/* Only the first LANG_ACCEPT_MAX entries are read. */
		{ "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,de", NULL },
		{ "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,de", "de" },
	};
	size_t i;
	const char *got;

	(void)state;
	assert_null(lang_accept(NULL, have, 4));
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = lang_accept(rows[i].header, have, 4);
		if (rows[i].want == NULL ? got != NULL : got == NULL ||
		    strcmp(got, rows[i].want) != 0)
			fail_msg("'%s': got %s, want %s", rows[i].header,
			    got ? got : "NULL",
			    rows[i].want ? rows[i].want : "NULL");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
