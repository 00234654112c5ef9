/*
 * store_copy.h: a whole database copied into an empty one, of another
 * engine as a rule (`mscagent db copy --to URI`: an SQLite file into
 * PostgreSQL).  Every table, every row, every column as it is, ids
 * included, so that links, reply keys and Message-IDs made before the
 * copy keep working after it.
 */
#ifndef MSCAGENT_STORE_COPY_H
#define MSCAGENT_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_COPY_TABLES	13

/* The rows of one table on both sides, once the copy committed. */
struct store_copy_count {
	const char	*table;		/* a literal */
	int64_t		 from;
	int64_t		 to;
};

/*
 * Copies everything in from into to, in one transaction of to's (a
 * failure leaves it as it was), from one snapshot of from's.  to must be
 * empty: any row there is an ERR_STATE error, nothing copied.  Then
 * counts every table on both sides into counts (one per table, in the
 * order copied) and fails with ERR_RUNTIME naming the first table whose
 * counts differ.
 */
int	 store_copy(struct store *from, struct store *to,
	    struct store_copy_count counts[STORE_COPY_TABLES], struct err *);

#endif
