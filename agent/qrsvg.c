/* qrsvg.c: a QR code drawn as inline SVG, from libqrencode's modules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qrsvg.h"

/* libqrencode marks a dark module in the lowest bit of its byte. */
static int
dark(const QRcode *qr, int x, int y)
{
	return qr->data[y * qr->width + x] & 1;
}

/*
 * One subpath per run of dark modules in a row: "M x y h n v1 h -n z".
 * One path keeps the SVG small (a rect per module would be some ten
 * times larger) and leaves no seams between modules.
 */
static void
put_modules(struct buf *b, const QRcode *qr)
{
	int x, y, start;

	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x++) {
			if (!dark(qr, x, y))
				continue;
			start = x;
			while (x < qr->width && dark(qr, x, y))
				x++;
			buf_printf(b, "M%d %dh%dv1h-%dz", start + QRSVG_QUIET,
			    y + QRSVG_QUIET, x - start, x - start);
		}
	}
}

char *
qrsvg_make(const char *text, struct err *err)
{
	struct buf b = { 0 };
	QRcode *qr;
	int n;

	if (*text == '\0' || strlen(text) > QRSVG_TEXT_MAX) {
		err_set(err, ERR_INPUT, "a QR code holds 1 to %d bytes here",
		    QRSVG_TEXT_MAX);
		return NULL;
	}
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL) {
		err_set(err, errno == ERANGE ? ERR_INPUT : ERR_RUNTIME,
		    "cannot make the QR code: %s", strerror(errno));
		return NULL;
	}
	n = qr->width + 2 * QRSVG_QUIET;
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\" role=\"img\" "
	    "aria-label=\"QR code\">", n, n, n * QRSVG_MODULE_PX,
	    n * QRSVG_MODULE_PX);
	buf_printf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", n,
	    n);
	buf_puts(&b, "<path fill=\"#000\" d=\"");
	put_modules(&b, qr);
	buf_puts(&b, "\"/></svg>");
	QRcode_free(qr);
	return buf_release(&b);
}
