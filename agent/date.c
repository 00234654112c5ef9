/* date.c: civil dates as day numbers, and UTC timestamps, by arithmetic. */
#include <string.h>

#include "date.h"

#define SECONDS_PER_DAY	86400
#define YEAR_MIN	1900	/* what date_parse accepts */
#define YEAR_MAX	9999

/*
 * Howard Hinnant's days_from_civil: eras of 400 years, each 146097 days,
 * with years starting on 1 March so that the leap day comes last.  Done
 * in 64 bits so that no int32 day number can overflow on the way.
 */
int32_t
date_from_civil(int year, int month, int day)
{
	int64_t y, era, yoe, doy, doe, mp;

	y = (int64_t)year - (month <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	mp = month > 2 ? month - 3 : month + 9;
	doy = (153 * mp + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

/* Hinnant's civil_from_days, the inverse of the above. */
void
date_to_civil(int32_t days, int *year, int *month, int *day)
{
	int64_t z, era, doe, yoe, doy, mp, m;

	z = (int64_t)days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

static int
is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Reads n decimal digits at s; returns -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
date_parse(const char *s, int32_t *out)
{
	int year, month, day;

	if (s == NULL || strlen(s) != DATE_STR_LEN - 1)
		return -1;
	if (s[4] != '-' || s[7] != '-')
		return -1;
	year = digits(s, 4);
	month = digits(s + 5, 2);
	day = digits(s + 8, 2);
	if (year < YEAR_MIN || year > YEAR_MAX || month < 1 || month > 12)
		return -1;
	if (day < 1 || day > days_in_month(year, month))
		return -1;
	*out = date_from_civil(year, month, day);
	return 0;
}

/* The low n decimal digits of v, zero-padded: a mail takes a dozen
 * dates, and snprintf was most of what each cost. */
static void
put_digits(char *out, unsigned v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * A day outside years 0-9999 (DATE_NONE among them) does not fit the
 * format; it is written as "0000-00-00", which no parser takes for a date,
 * rather than cut short.
 */
void
date_format(int32_t days, char *out)
{
	int year, month, day;

	date_to_civil(days, &year, &month, &day);
	if (days == DATE_NONE || year < 0 || year > YEAR_MAX) {
		memcpy(out, "0000-00-00", DATE_STR_LEN);
		return;
	}
	put_digits(out, (unsigned)year, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)month, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)day, 2);
	out[10] = '\0';
}

int32_t
date_add_years(int32_t days, int n)
{
	int year, month, day;

	if (days == DATE_NONE)
		return DATE_NONE;
	date_to_civil(days, &year, &month, &day);
	year += n;
	if (month == 2 && day == 29 && !is_leap(year))
		day = 28;
	return date_from_civil(year, month, day);
}

/* Rounds toward minus infinity, so that 1969-12-31T23:59:59Z is day -1. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q;

	q = a / b;
	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/* Times beyond the int32 day range are clamped to it (never DATE_NONE). */
int32_t
date_of_time(time_t t)
{
	int64_t days;

	days = floor_div((int64_t)t, SECONDS_PER_DAY);
	if (days > INT32_MAX)
		return INT32_MAX;
	if (days <= INT32_MIN)
		return INT32_MIN + 1;
	return (int32_t)days;
}

/* Seconds into the day also come from the floor, so they are 0-86399. */
void
timestamp_format(time_t t, char *out)
{
	char date[DATE_STR_LEN];
	int32_t days;
	int64_t secs;
	unsigned h, m, s;

	days = date_of_time(t);
	secs = (int64_t)t - (int64_t)days * SECONDS_PER_DAY;
	if (secs < 0 || secs >= SECONDS_PER_DAY)
		secs = 0;	/* t was clamped: the date says so already */
	h = (unsigned)(secs / 3600);
	m = (unsigned)(secs / 60 % 60);
	s = (unsigned)(secs % 60);
	date_format(days, date);
	memcpy(out, date, 10);
	out[10] = 'T';
	put_digits(out + 11, h, 2);
	out[13] = ':';
	put_digits(out + 14, m, 2);
	out[16] = ':';
	put_digits(out + 17, s, 2);
	memcpy(out + 19, "Z", 2);
}

char *
timestamp_shown(time_t t, char *out)
{
	char stamp[TIMESTAMP_STR_LEN];

	timestamp_format(t, stamp);
	memcpy(out, stamp, 10);			/* YYYY-MM-DD */
	out[10] = ' ';
	memcpy(out + 11, stamp + 11, 5);	/* HH:MM */
	memcpy(out + 16, " UTC", 5);
	return out;
}
