/*
 * import.h: tenants from outside — the CSV import of SPEC §2 and the
 * small value parsers it shares with the CLI's tenant options.
 */
#ifndef MSCAGENT_IMPORT_H
#define MSCAGENT_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

#define IMPORT_ROWS_MAX		100000	/* an MSP's customers many times
					   over; the import is one transaction */
#define IMPORT_ERRORS_MAX	20	/* reported before giving up */

/*
 * Parses "m365=2027-01-31;endpoints=2028-01-31" (items separated by ';',
 * ',' or spaces) into expires[] (entries not named are left as they
 * are).  A repeated workload, an unknown one or a bad date is ERR_INPUT.
 */
int	 import_licences(const char *, int32_t expires[WORKLOAD_COUNT],
	    struct err *);

/* Parses yes/no, true/false, 1/0 (any case) and "" (no) into *value. */
int	 import_bool(const char *, int *value, struct err *);

/* Called every IMPORT_PROGRESS_EVERY rows with the count so far. */
#define IMPORT_PROGRESS_EVERY	500
typedef void import_progress_fn(size_t rows, void *arg);

/*
 * Imports every row of the CSV file at path in one transaction: all or
 * nothing.  The header names the columns (name, customer_admin,
 * msp_admin, workloads, edition, licenses, suspended; any order; the
 * last two may be left out).  On success sets *count and *first_id.
 * On failure nothing is written; every problem found (up to
 * IMPORT_ERRORS_MAX) is appended to problems as "FILE:LINE: column N
 * (NAME): what", and err holds a summary.
 */
int	 import_csv(struct store *, const char *path, int64_t now,
	    import_progress_fn *progress, void *progress_arg, size_t *count,
	    int64_t *first_id, struct strvec *problems, struct err *);

/*
 * The same from fp, which the caller keeps and closes (the console's
 * upload, read from memory); name stands for the file in problems and
 * in each tenant's history ("registered from NAME line 3").
 */
int	 import_stream(struct store *, FILE *fp, const char *name, int64_t now,
	    import_progress_fn *progress, void *progress_arg, size_t *count,
	    int64_t *first_id, struct strvec *problems, struct err *);
/* The same inside the caller's transaction (store_begin), which the
 * caller commits, or rolls back on failure: for what must be written
 * with the tenants, or checked first under the same lock. */
int	 import_into(struct store *, FILE *fp, const char *name, int64_t now,
	    import_progress_fn *progress, void *progress_arg, size_t *count,
	    int64_t *first_id, struct strvec *problems, struct err *);

/*
 * Checks a CSV import read from fp exactly as import_csv does, writing
 * nothing anywhere: name stands for the file in problems.  Sets *rows
 * to the rows that would be imported (0 on failure).
 */
int	 import_check(FILE *fp, const char *name, size_t *rows,
	    struct strvec *problems, struct err *);

#endif
