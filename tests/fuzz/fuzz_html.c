/* fuzz_html.c: an HTML mail body made text (html.c), then cut as a reply. */
#include "fuzz.h"

#include "html.h"
#include "quote.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *own;
	size_t len;

	text = html_to_text((const char *)data, size);
	fuzz_require(text != NULL, "html_to_text never fails");
	len = strlen(text);
	fuzz_require(utf8_valid(text, len), "the text is UTF-8");
	fuzz_require(len <= HTML_INPUT_MAX, "the text is capped");
	fuzz_require(len == 0 || (text[len - 1] != '\n' &&
	    text[len - 1] != ' '), "no line break or space at the end");
	own = quote_own_text(text, NULL);
	fuzz_require(utf8_valid(own, strlen(own)), "the own text is UTF-8");
	free(own);
	free(text);
	return 0;
}
