/* test_date.c: civil dates, parsing, formatting, years added, timestamps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"

struct civil_case {
	int	 year, month, day;
	int32_t	 days;
};

/* Day numbers worked out independently (Python's datetime.date). */
static const struct civil_case civil_cases[] = {
	{ 1970, 1, 1, 0 },
	{ 1969, 12, 31, -1 },
	{ 2000, 2, 29, 11016 },
	{ 2000, 3, 1, 11017 },
	{ 1900, 1, 1, -25567 },
	{ 9999, 12, 31, 2932896 },
	{ 2024, 2, 29, 19782 },
	{ 1, 1, 1, -719162 },
	{ 2026, 12, 1, 20788 },
	{ 2028, 2, 29, 21243 },
};

static void
test_civil_known(void **state)
{
	const struct civil_case *c;
	int y, m, d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof civil_cases / sizeof civil_cases[0]; i++) {
		c = &civil_cases[i];
		assert_int_equal(date_from_civil(c->year, c->month, c->day),
		    c->days);
		date_to_civil(c->days, &y, &m, &d);
		assert_int_equal(y, c->year);
		assert_int_equal(m, c->month);
		assert_int_equal(d, c->day);
	}
}

/* Each day follows the one before: same month and day + 1, or day 1. */
static void
test_civil_round_trip(void **state)
{
	int y, m, d, py, pm, pd;
	int32_t days;

	(void)state;
	date_to_civil(-800000, &py, &pm, &pd);
	for (days = -799999; days <= 3000000; days++) {
		date_to_civil(days, &y, &m, &d);
		assert_int_equal(date_from_civil(y, m, d), days);
		if (d == pd + 1) {
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		} else {
			assert_int_equal(d, 1);
			assert_true(m == pm + 1 || (m == 1 && pm == 12 &&
			    y == py + 1));
		}
		py = y;
		pm = m;
		pd = d;
	}
}

/* The C library's gmtime_r as an independent witness. */
static void
test_civil_matches_gmtime(void **state)
{
	struct tm tm;
	int32_t days;
	time_t t;
	int y, m, d;

	(void)state;
	for (days = -25567; days <= 2932896; days += 7) {
		t = (time_t)days * 86400;
		assert_non_null(gmtime_r(&t, &tm));
		date_to_civil(days, &y, &m, &d);
		assert_int_equal(y, tm.tm_year + 1900);
		assert_int_equal(m, tm.tm_mon + 1);
		assert_int_equal(d, tm.tm_mday);
	}
}

struct parse_case {
	const char	*in;
	int		 ok;
};

static const struct parse_case parse_cases[] = {
	{ "2027-01-01", 1 },
	{ "2027-02-28", 1 },
	{ "2027-02-29", 0 },	/* 2027 is not a leap year */
	{ "1900-02-29", 0 },	/* divisible by 100, not by 400 */
	{ "2000-02-29", 1 },	/* divisible by 400 */
	{ "2024-02-29", 1 },
	{ "2100-02-29", 0 },
	{ "2027-13-01", 0 },
	{ "2027-00-10", 0 },
	{ "2027-01-00", 0 },
	{ "2027-01-32", 0 },
	{ "2027-04-31", 0 },
	{ "2027-04-30", 1 },
	{ "2027-1-01", 0 },
	{ "2027-01-1", 0 },
	{ "2027-01-01x", 0 },
	{ "2027-01-01 ", 0 },
	{ "2027-01-01\n", 0 },
	{ " 2027-01-01", 0 },
	{ "", 0 },
	{ "9999-12-31", 1 },
	{ "10000-01-01", 0 },
	{ "1900-01-01", 1 },
	{ "1899-12-31", 0 },
	{ "0000-01-01", 0 },
	{ "2027/01/01", 0 },
	{ "2027-01/01", 0 },
	{ "20270101", 0 },
	{ "+027-01-01", 0 },
	{ "-027-01-01", 0 },
	{ "2027-+1-01", 0 },
	{ "2027-01--1", 0 },
	{ "2027-0a-01", 0 },
	{ "\xef\xbc\x92" "027-01-01", 0 },	/* fullwidth digit two */
	{ "2027-01-01\xff", 0 },
	{ "27-01-01", 0 },
};

static void
test_parse(void **state)
{
	const struct parse_case *c;
	int32_t days;
	char out[DATE_STR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		c = &parse_cases[i];
		days = 12345;
		if (c->ok) {
			assert_int_equal(date_parse(c->in, &days), 0);
			date_format(days, out);
			assert_string_equal(out, c->in);
		} else {
			if (date_parse(c->in, &days) != -1)
				fail_msg("accepted '%s'", c->in);
			/* A failure leaves the output alone. */
			assert_int_equal(days, 12345);
		}
	}
	assert_int_equal(date_parse(NULL, &days), -1);
}

/* Every day of the accepted range survives format and parse. */
static void
test_format_parse_every_day(void **state)
{
	char out[DATE_STR_LEN];
	int32_t days, back;

	(void)state;
	for (days = -25567; days <= 2932896; days++) {
		date_format(days, out);
		assert_int_equal(strlen(out), DATE_STR_LEN - 1);
		assert_int_equal(date_parse(out, &back), 0);
		assert_int_equal(back, days);
	}
	assert_int_equal(date_parse("1899-12-31", &back), -1);
	assert_int_equal(date_parse("10000-01-01", &back), -1);
}

struct format_case {
	int32_t		 days;
	const char	*out;
};

static const struct format_case format_cases[] = {
	{ 0, "1970-01-01" },
	{ -1, "1969-12-31" },
	{ 11016, "2000-02-29" },
	{ -719162, "0001-01-01" },
	{ 2932896, "9999-12-31" },
	{ 2932897, "0000-00-00" },	/* year 10000 does not fit */
	{ -719529, "0000-00-00" },	/* year -1 */
	{ DATE_NONE, "0000-00-00" },
	{ INT32_MAX, "0000-00-00" },
};

static void
test_format(void **state)
{
	char out[DATE_STR_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
		memset(out, 'x', sizeof out);
		date_format(format_cases[i].days, out);
		assert_string_equal(out, format_cases[i].out);
	}
}

struct add_case {
	const char	*from;
	int		 years;
	const char	*to;
};

static const struct add_case add_cases[] = {
	{ "2026-12-01", 3, "2029-12-01" },
	{ "2028-02-29", 3, "2031-02-28" },	/* 29 February clamps */
	{ "2024-02-29", 4, "2028-02-29" },
	{ "2024-02-29", 1, "2025-02-28" },
	{ "2024-02-29", -1, "2023-02-28" },
	{ "2096-02-29", 4, "2100-02-28" },	/* 2100 is no leap year */
	{ "1996-02-29", 4, "2000-02-29" },	/* 2000 is */
	{ "2027-02-28", 1, "2028-02-28" },
	{ "2027-03-01", 1, "2028-03-01" },
	{ "2027-12-31", 0, "2027-12-31" },
	{ "9996-02-29", 3, "9999-02-28" },
};

static void
test_add_years(void **state)
{
	const struct add_case *c;
	char out[DATE_STR_LEN];
	int32_t days;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof add_cases / sizeof add_cases[0]; i++) {
		c = &add_cases[i];
		assert_int_equal(date_parse(c->from, &days), 0);
		date_format(date_add_years(days, c->years), out);
		assert_string_equal(out, c->to);
	}
	assert_int_equal(date_add_years(DATE_NONE, 3), DATE_NONE);
}

struct time_case {
	int64_t		 t;
	int32_t		 day;
	const char	*stamp;
};

static const struct time_case time_cases[] = {
	{ 0, 0, "1970-01-01T00:00:00Z" },
	{ 1, 0, "1970-01-01T00:00:01Z" },
	{ 86399, 0, "1970-01-01T23:59:59Z" },
	{ 86400, 1, "1970-01-02T00:00:00Z" },
	{ -1, -1, "1969-12-31T23:59:59Z" },
	{ -86400, -1, "1969-12-31T00:00:00Z" },
	{ -86401, -2, "1969-12-30T23:59:59Z" },
	{ 951782400, 11016, "2000-02-29T00:00:00Z" },
	{ 1795860000, 20785, "2026-11-28T10:00:00Z" },
	{ 253402300799, 2932896, "9999-12-31T23:59:59Z" },
	{ -2208988800, -25567, "1900-01-01T00:00:00Z" },
};

static void
test_time(void **state)
{
	const struct time_case *c;
	char out[TIMESTAMP_STR_LEN], shown[TIMESTAMP_SHOWN_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof time_cases / sizeof time_cases[0]; i++) {
		c = &time_cases[i];
		assert_int_equal(date_of_time((time_t)c->t), c->day);
		timestamp_format((time_t)c->t, out);
		assert_string_equal(out, c->stamp);
	}
	assert_string_equal(timestamp_shown((time_t)1795860000, shown),
	    "2026-11-28 10:00 UTC");
	assert_string_equal(timestamp_shown((time_t)-2208988800, shown),
	    "1900-01-01 00:00 UTC");
}

/* Against gmtime_r and strftime, over 1900-9999 with an irregular step. */
static void
test_timestamp_matches_gmtime(void **state)
{
	char out[TIMESTAMP_STR_LEN], want[64];
	struct tm tm;
	int64_t t;

	(void)state;
	for (t = -2208988800LL; t < 253402300800LL; t += 7777777 + t % 1000) {
		assert_non_null(gmtime_r(&(time_t){ (time_t)t }, &tm));
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		timestamp_format((time_t)t, out);
		assert_string_equal(out, want);
	}
}

/* Times far outside the calendar still give a string of the right size. */
static void
test_time_extremes(void **state)
{
	static const int64_t extremes[] = {
		INT64_MAX, INT64_MIN, INT64_MAX / 2, INT64_MIN / 2,
		(int64_t)INT32_MAX * 86400 + 5, (int64_t)INT32_MIN * 86400 - 5,
	};
	char out[TIMESTAMP_STR_LEN + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof extremes / sizeof extremes[0]; i++) {
		memset(out, 'x', sizeof out);
		timestamp_format((time_t)extremes[i], out);
		assert_int_equal(strlen(out), TIMESTAMP_STR_LEN - 1);
		assert_true(date_of_time((time_t)extremes[i]) != DATE_NONE);
	}
	assert_int_equal(date_of_time((time_t)INT64_MAX), INT32_MAX);
	assert_int_equal(date_of_time((time_t)INT64_MIN), INT32_MIN + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_known),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_civil_matches_gmtime),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format_parse_every_day),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_add_years),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_timestamp_matches_gmtime),
		cmocka_unit_test(test_time_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
