/*
 * qrsvg.h: a QR code as inline SVG, for the console page that enrolls
 * a second factor (the otpauth:// URI of totp.h).
 *
 * The symbol comes from libqrencode (error correction level M, the
 * smallest version that holds the text); it is drawn as one <svg> with
 * a white <rect> behind one black <path>, in module units with a quiet
 * zone of QRSVG_QUIET modules all round.  No script, no style sheet,
 * no external reference: it passes a Content-Security-Policy that
 * allows nothing but the page itself.
 */
#ifndef MSCAGENT_QRSVG_H
#define MSCAGENT_QRSVG_H

#include "util.h"

#define QRSVG_QUIET	4	/* modules: ISO/IEC 18004's quiet zone */
#define QRSVG_MODULE_PX	4	/* the width and height given, per module */
#define QRSVG_TEXT_MAX	1024	/* bytes encoded at most */

/*
 * The SVG of text's QR code, as a string; caller frees.  NULL with
 * ERR_INPUT for text that is empty or longer than QRSVG_TEXT_MAX,
 * ERR_RUNTIME when libqrencode fails.
 */
char	*qrsvg_make(const char *text, struct err *);

#endif
