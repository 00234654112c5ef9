/* fuzz_html.c: an HTML mail body made text (html.c), then cut as a reply;
 * and the same HTML laid out as a mail's text part. */
#include "fuzz.h"

#include "html.h"
#include "quote.h"

static char *
text_checked(const uint8_t *data, size_t size, unsigned int flags)
{
	char *text;
	size_t len;

	text = html_to_text((const char *)data, size, flags);
	fuzz_require(text != NULL, "html_to_text never fails");
	len = strlen(text);
	fuzz_require(utf8_valid(text, len), "the text is UTF-8");
	fuzz_require(len <= HTML_INPUT_MAX, "the text is capped");
	fuzz_require(len == 0 || (text[len - 1] != '\n' &&
	    text[len - 1] != ' '), "no line break or space at the end");
	fuzz_require(strstr(text, " \n") == NULL, "no space ends a line");
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *own;

	text = text_checked(data, size, 0);
	own = quote_own_text(text, NULL);
	fuzz_require(utf8_valid(own, strlen(own)), "the own text is UTF-8");
	free(own);
	free(text);
	free(text_checked(data, size, HTML_TEXT_MAIL));
	return 0;
}
