/*
 * fuzz_csv.c: a tenant import file, through the RFC 4180 reader alone
 * (csv.c) and then through every check the import makes of the header
 * and of each row (import.c's import_check: workloads, licences, dates,
 * yes/no, names and addresses), which writes nothing.
 */
#include "fuzz.h"

#include "csv.h"
#include "import.h"

#define NAME	"fuzz.csv"

static FILE *
open_input(const uint8_t *data, size_t size)
{
	FILE *fp;

	/* Read only: fmemopen never writes through the pointer. */
	fp = fmemopen((void *)(uintptr_t)data, size, "rb");
	fuzz_require(fp != NULL, "fmemopen works");
	return fp;
}

/* Every record the reader returns, and how it ends, as csv.h says. */
static void
read_records(const uint8_t *data, size_t size)
{
	struct csv_reader *csv;
	struct strvec fields = { 0 };
	struct err err = { 0 };
	size_t line, last = 0, i;
	FILE *fp;
	int rc;

	fp = open_input(data, size);
	csv = csv_open(fp);
	while ((rc = csv_next(csv, &fields, &line, &err)) == 1) {
		fuzz_require(fields.n >= 1 && fields.n <= CSV_FIELDS_MAX,
		    "1 to CSV_FIELDS_MAX fields");
		for (i = 0; i < fields.n; i++)
			fuzz_require(strlen(fields.v[i]) <= CSV_FIELD_MAX,
			    "a field is capped");
		fuzz_require(line > last, "records go down the file");
		last = line;
	}
	fuzz_require(fields.n == 0, "no fields after the end or an error");
	if (rc == -1)
		fuzz_require(err.kind == ERR_INPUT || err.kind == ERR_RUNTIME,
		    "an error has a kind");
	fuzz_require(csv_next(csv, &fields, &line, &err) == rc,
	    "the end and an error repeat");
	strvec_clear(&fields);
	csv_free(csv);
	fclose(fp);
}

static void
check_import(const uint8_t *data, size_t size)
{
	struct strvec problems = { 0 };
	struct err err = { 0 };
	size_t rows, i;
	FILE *fp;
	int rc;

	fp = open_input(data, size);
	rc = import_check(fp, NAME, &rows, &problems, &err);
	fclose(fp);
	if (rc == 0)
		fuzz_require(rows > 0 && problems.n == 0,
		    "a good import has rows and no problem");
	else
		fuzz_require(rows == 0 && err.kind != ERR_NONE,
		    "a failed import has no rows and a reason");
	fuzz_require(problems.n <= IMPORT_ERRORS_MAX, "problems are capped");
	for (i = 0; i < problems.n; i++)
		fuzz_require(strncmp(problems.v[i], NAME ":",
		    strlen(NAME ":")) == 0, "a problem names the file");
	strvec_clear(&problems);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_records(data, size);
	check_import(data, size);
	return 0;
}
