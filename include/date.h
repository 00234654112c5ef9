/*
 * date.h: calendar dates and timestamps, in UTC, without the C library's
 * time zone machinery (pure functions, usable in the core).
 *
 * A date is a day number: days since 1970-01-01 (negative before).
 * DATE_NONE marks an absent date.
 */
#ifndef MSCAGENT_DATE_H
#define MSCAGENT_DATE_H

#include <stdint.h>
#include <time.h>

#define DATE_NONE INT32_MIN
#define DATE_STR_LEN 11		/* "YYYY-MM-DD" and NUL */
#define TIMESTAMP_STR_LEN 21	/* "YYYY-MM-DDTHH:MM:SSZ" and NUL */
#define TIMESTAMP_SHOWN_LEN 21	/* "YYYY-MM-DD HH:MM UTC" and NUL */

/* Day number of a civil date; month 1-12, day 1-31 (not checked). */
int32_t	 date_from_civil(int year, int month, int day);
void	 date_to_civil(int32_t, int *year, int *month, int *day);

/*
 * Parses exactly "YYYY-MM-DD" (years 1900-9999) into a day number.
 * Returns 0, or -1 for anything else, including 2027-02-29.
 */
int	 date_parse(const char *, int32_t *);
/* Writes "YYYY-MM-DD" into out (DATE_STR_LEN bytes). */
void	 date_format(int32_t, char *out);

/* The same day and month n years later; 29 February becomes 28 February
 * in a year that is not a leap year. */
int32_t	 date_add_years(int32_t, int n);

/* The day a timestamp falls on, in UTC. */
int32_t	 date_of_time(time_t);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" into out (TIMESTAMP_STR_LEN bytes). */
void	 timestamp_format(time_t, char *out);
/* Writes "YYYY-MM-DD HH:MM UTC", the way mails and pages show a time
 * to a person, into out (TIMESTAMP_SHOWN_LEN bytes); returns out. */
char	*timestamp_shown(time_t, char *out);

#endif
