/*
 * console_import.c: the console's CSV import of tenants: an upload is
 * checked and previewed, and only the confirmation of that preview
 * imports it, through the same import_into as the CLI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "console_impl.h"
#include "console_listener.h"
#include "csv.h"
#include "import.h"

#define IMPORT_PREVIEW_ROWS	200	/* rows shown before an import */
#define IMPORT_PREVIEW_BYTES	(96 * 1024) /* of their fields: the page
					   must stay under TMPL_OUTPUT_MAX */
/* Base64 bytes in one hidden field: what the listener takes in one
 * field when the form comes back, and a template takes as one value. */
#define IMPORT_CHUNK		CONSOLE_PARAM_MAX
_Static_assert(IMPORT_CHUNK <= TMPL_VALUE_MAX, "a chunk is one value");
#define IMPORT_B64_MAX		(CONSOLE_IMPORT_MAX / 3 * 4 + 4)
#define IMPORT_DIGEST_HEX	64
#define IMPORT_CHECK_NAME	"upload"	/* the file, in problems */
/* What the import's digest is of, so that no other MAC made with the
 * same key can stand for it. */
#define IMPORT_MAC_LABEL	"mscagent console import"

/*
 * The confirmation carries the file back, base64 in hidden fields, with
 * a MAC of it under the agent's reply key, bound to the session's CSRF
 * token: what is imported is byte for byte what was previewed, and no
 * upload waits on the server for a confirmation that may never come.
 */
static int
import_digest(const struct console_call *c, const char *csv, size_t len,
    char hex[IMPORT_DIGEST_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";
	const struct keyring *keys = c->con->mail->keys;
	const char *csrf = c->csrf ? c->csrf : "";
	gnutls_hmac_hd_t h;
	unsigned char mac[32];
	size_t i;

	if (keys->reply_len == 0 || gnutls_hmac_init(&h, GNUTLS_MAC_SHA256,
	    keys->reply, keys->reply_len) < 0)
		return -1;
	if (gnutls_hmac(h, IMPORT_MAC_LABEL, sizeof IMPORT_MAC_LABEL) < 0 ||
	    gnutls_hmac(h, csrf, strlen(csrf) + 1) < 0 ||
	    gnutls_hmac(h, csv, len) < 0) {
		gnutls_hmac_deinit(h, NULL);
		return -1;
	}
	gnutls_hmac_deinit(h, mac);
	for (i = 0; i < sizeof mac; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 0x0f];
	}
	hex[IMPORT_DIGEST_HEX] = '\0';
	return 0;
}

/* Compares in constant time: the digest is a secret's MAC. */
static int
digest_equal(const char *a, const char *b)
{
	unsigned char diff = 0;
	size_t i;

	if (strlen(a) != IMPORT_DIGEST_HEX || strlen(b) != IMPORT_DIGEST_HEX)
		return 0;
	for (i = 0; i < IMPORT_DIGEST_HEX; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static FILE *
memory_file(const char *data, size_t len)
{
	/* Only read ("r"): the cast drops const for fmemopen's void *
	 * parameter, through uintptr_t for -Wcast-qual.
	 * NOLINTNEXTLINE(performance-no-int-to-ptr) */
	return fmemopen((void *)(uintptr_t)data, len, "r");
}

/* The rows of the file, for the preview table; at most a page of them. */
static void
preview_rows(struct tmpl_vars *v, const char *csv, size_t len)
{
	struct strvec fields = { 0 };
	struct csv_reader *r;
	struct tmpl_vars *row, *cell;
	struct err err;
	size_t line, rows = 0, shown = 0, bytes = 0, i;
	FILE *fp;
	int first = 1;

	if ((fp = memory_file(csv, len)) == NULL)
		return;
	r = csv_open(fp);
	while (csv_next(r, &fields, &line, &err) == 1) {
		if (first) {
			for (i = 0; i < fields.n; i++)
				tmpl_vars_set(tmpl_vars_item(v, "head"),
				    "cell", fields.v[i]);
			first = 0;
			continue;
		}
		rows++;
		if (shown == IMPORT_PREVIEW_ROWS ||
		    bytes > IMPORT_PREVIEW_BYTES)
			continue;
		row = tmpl_vars_item(v, "rows");
		tmpl_vars_setf(row, "line", "%zu", line);
		for (i = 0; i < fields.n; i++) {
			cell = tmpl_vars_item(row, "cells");
			tmpl_vars_set(cell, "cell", fields.v[i]);
			bytes += strlen(fields.v[i]) + 16;
		}
		shown++;
	}
	strvec_clear(&fields);
	csv_free(r);
	(void)fclose(fp);
	tmpl_vars_setf(v, "rows_n", "%zu", rows);
	if (shown < rows)
		tmpl_vars_setf(v, "shown", "%zu", shown);
}

/* "upload:3: column 4 (workloads): what" as line, column and what. */
static void
preview_problem(struct tmpl_vars *v, const char *problem)
{
	struct tmpl_vars *item = tmpl_vars_item(v, "problems");
	const char *p = problem, *sep;
	char *end;
	unsigned long line;

	if (strncmp(p, IMPORT_CHECK_NAME ":", sizeof IMPORT_CHECK_NAME) == 0)
		p += sizeof IMPORT_CHECK_NAME;
	line = strtoul(p, &end, 10);
	if (end == p || strncmp(end, ": ", 2) != 0) {
		tmpl_vars_set(item, "what", problem);
		return;
	}
	tmpl_vars_setf(item, "line", "%lu", line);
	p = end + 2;
	if ((strncmp(p, "column ", 7) == 0 || strncmp(p, "character ", 10) ==
	    0) && (sep = strstr(p, ": ")) != NULL) {
		tmpl_vars_setf(item, "column", "%.*s", (int)(sep - p), p);
		p = sep + 2;
	}
	tmpl_vars_set(item, "what", p);
}

/* The file as hidden fields, and its digest. */
static int
carry_file(struct console_call *c, struct tmpl_vars *v, const char *csv,
    size_t len)
{
	gnutls_datum_t in, out;
	char hex[IMPORT_DIGEST_HEX + 1];
	size_t i, n;

	if (import_digest(c, csv, len, hex) == -1) {
		err_set(&c->err, ERR_RUNTIME, "import: no key for the digest");
		return -1;
	}
	/* Only read by the encoder; as above for the cast.
	 * NOLINTNEXTLINE(performance-no-int-to-ptr) */
	in.data = (unsigned char *)(uintptr_t)csv;
	in.size = (unsigned int)len;
	if (gnutls_base64_encode2(&in, &out) < 0) {
		err_set(&c->err, ERR_RUNTIME, "import: base64 failed");
		return -1;
	}
	for (i = 0; i < out.size; i += IMPORT_CHUNK) {
		n = out.size - i < IMPORT_CHUNK ? out.size - i : IMPORT_CHUNK;
		tmpl_vars_setf(tmpl_vars_item(v, "chunks"), "chunk", "%.*s",
		    (int)n, (const char *)out.data + i);
	}
	gnutls_free(out.data);
	tmpl_vars_set(v, "digest", hex);
	return 0;
}

/* The preview: the rows, every problem, and, without any, the form that
 * imports them. */
static int
import_preview(struct console_call *c, const char *csv, size_t len,
    unsigned status, const char *message)
{
	struct tmpl_vars *v = console_vars(c);
	struct strvec problems = { 0 };
	struct err err;
	size_t rows = 0, i;
	FILE *fp;

	if ((fp = memory_file(csv, len)) == NULL) {
		tmpl_vars_free(v);
		err_set(&c->err, ERR_RUNTIME, "import: cannot read the upload");
		return -1;
	}
	(void)import_check(fp, IMPORT_CHECK_NAME, &rows, &problems, &err);
	(void)fclose(fp);
	preview_rows(v, csv, len);
	for (i = 0; i < problems.n; i++)
		preview_problem(v, problems.v[i]);
	if (problems.n == 0 && rows == 0)
		preview_problem(v, err.msg);	/* e.g. no rows at all */
	tmpl_vars_set(v, "message", message);
	if (problems.n > 0 || rows == 0) {
		tmpl_vars_setf(v, "problems_n", "%zu", problems.n ? problems.n :
		    1);
		status = status == 200 ? 422 : status;
	} else {
		tmpl_vars_setf(v, "can_import", "%zu", rows);
		if (carry_file(c, v, csv, len) == -1) {
			strvec_clear(&problems);
			tmpl_vars_free(v);
			return -1;
		}
	}
	strvec_clear(&problems);
	return console_page(c, status, "console_import", v);
}

static int
import_form(struct console_call *c, unsigned status, const char *message)
{
	struct tmpl_vars *v = console_vars(c);
	int64_t done = console_param_id(c, "done");

	if (done > 0)
		tmpl_vars_setf(v, "done", "%lld", (long long)done);
	tmpl_vars_set(v, "message", message);
	return console_page(c, status, "console_import", v);
}

int
console_import_get(struct console_call *c)
{
	return import_form(c, 200, NULL);
}

/* The confirmed file, from its hidden fields; 0, or -1 when they are
 * not what the preview gave (*csv is the caller's either way). */
static int
confirmed_file(struct console_call *c, struct buf *b64, gnutls_datum_t *csv)
{
	const char *digest = console_param(c, "digest");
	char hex[IMPORT_DIGEST_HEX + 1];
	gnutls_datum_t in;
	size_t i;

	csv->data = NULL;
	csv->size = 0;
	for (i = 0; i < c->req->nparams; i++)
		if (strcmp(c->req->params[i].name, "csv") == 0) {
			if (b64->len + c->req->params[i].len > IMPORT_B64_MAX)
				return -1;
			buf_append(b64, c->req->params[i].value,
			    c->req->params[i].len);
		}
	if (digest == NULL || b64->len == 0)
		return -1;
	in.data = (unsigned char *)b64->data;
	in.size = (unsigned int)b64->len;
	if (gnutls_base64_decode2(&in, csv) < 0) {
		csv->data = NULL;
		return -1;
	}
	if (import_digest(c, (const char *)csv->data, csv->size, hex) == -1)
		return -1;
	return digest_equal(hex, digest) ? 0 : -1;
}

/* How far back the audit is searched for the same file imported. */
#define IMPORT_SEEN_ROWS	1000

/* 1 when an import of this file (its digest) was audited already. */
static int
imported_before(struct console_call *c, const char *note)
{
	struct audit_entry *rows;
	size_t n, i;
	int seen = 0;

	if (store_audit_list(c->st, 0, IMPORT_SEEN_ROWS, &rows, &n,
	    &c->err) == -1)
		return -1;
	for (i = 0; i < n && !seen; i++)
		seen = strcmp(rows[i].action, "import") == 0 &&
		    strcmp(rows[i].outcome, "ok") == 0 &&
		    strstr(rows[i].detail, note) != NULL;
	store_audit_free(rows, n);
	return seen;
}

/*
 * Imports the confirmed file with its audit row in one transaction,
 * after looking, under the same lock, whether the same form did already:
 * Back and send again, or a double click, imports once.  0 done, 1 seen
 * before, -1 with *err (ERR_INPUT: the file's problems).
 */
static int
import_once(struct console_call *c, FILE *fp, const char *digest,
    size_t *count, struct strvec *problems, struct err *err)
{
	char *name = console_actor(c), *note, *detail = NULL;
	int64_t first;
	int seen, rc = -1;

	note = xasprintf("file %.16s", digest);
	if (store_begin(c->st, err) == -1)
		goto out;
	if ((seen = imported_before(c, note)) != 0) {
		*err = c->err;
		rc = seen == 1 ? 1 : -1;
		goto out;
	}
	if (import_into(c->st, fp, name, c->now, NULL, NULL, count, &first,
	    problems, err) == -1)
		goto out;
	detail = xasprintf("%zu tenants (%lld to %lld), %s", *count,
	    (long long)first, (long long)first + (long long)*count - 1, note);
	if (console_audit(c, "import", NULL, "ok", detail) == -1) {
		*err = c->err;
		goto out;
	}
	rc = store_commit(c->st, err);
out:
	if (rc != 0)
		store_rollback(c->st);
	free(detail);
	free(note);
	free(name);
	return rc;
}

static int
import_commit(struct console_call *c)
{
	struct strvec problems = { 0 };
	struct buf b64 = { 0 };
	gnutls_datum_t csv;
	struct err err;
	size_t count = 0;
	FILE *fp = NULL;
	int rc = -1;

	if (confirmed_file(c, &b64, &csv) == -1) {
		console_audit_logged(c, "import", NULL, "refused", "the confirmed file is not "
		    "the one previewed");
		rc = import_form(c, 400, "The file to import is not the one that "
		    "was previewed. Upload it again; nothing was imported.");
		goto out;
	}
	if ((fp = memory_file((const char *)csv.data, csv.size)) == NULL) {
		err_set(&c->err, ERR_RUNTIME, "import: cannot read the file");
		goto out;
	}
	switch (import_once(c, fp, console_param(c, "digest"), &count,
	    &problems, &err)) {
	case 0:
		console_redirect(c, "/import?done=%zu", count);
		rc = 0;
		break;
	case 1:
		console_audit_logged(c, "import", NULL, "refused", "imported already");
		rc = import_form(c, 409, "This file was imported already, from "
		    "this same preview. Nothing more was imported.");
		break;
	default:
		console_audit_logged(c, "import", NULL, err.kind == ERR_INPUT ? "refused" :
		    "failed", err.msg);
		if (err.kind != ERR_INPUT) {
			c->err = err;
			break;
		}
		rc = import_preview(c, (const char *)csv.data, csv.size, 422,
		    "Nothing was imported.");
	}
out:
	if (fp != NULL)
		(void)fclose(fp);
	gnutls_free(csv.data);
	buf_clear(&b64);
	strvec_clear(&problems);
	return rc;
}

int
console_import_post(struct console_call *c)
{
	if (console_param_yes(c, "confirm"))
		return import_commit(c);
	if (c->req->upload == NULL || c->req->upload_len == 0)
		return import_form(c, 400, "Choose a CSV file to preview.");
	if (c->req->upload_len > CONSOLE_IMPORT_MAX)
		return import_form(c, 413, "The file is larger than the console "
		    "takes; import it with mscagent tenant import.");
	return import_preview(c, c->req->upload, c->req->upload_len, 200,
	    NULL);
}
