/*
 * potgen: the strings of HTML templates as a gettext .pot file, for
 * make pot (the C strings come from xgettext).
 *
 *   potgen TEMPLATE.html ...
 *
 * Each string once, in the order first met, with the files it is in;
 * the strings are those translate.h finds, so they are exactly the ones
 * a render looks up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "translate.h"

struct pot {
	struct strvec	 msgids;
	struct strvec	*files;		/* per msgid, where it is */
	const char	*file;		/* the template being read */
};

static void
add(const char *msgid, void *arg)
{
	struct pot *p = arg;
	struct strvec *where;
	size_t i;

	for (i = 0; i < p->msgids.n; i++)
		if (strcmp(p->msgids.v[i], msgid) == 0)
			break;
	if (i == p->msgids.n) {
		strvec_push(&p->msgids, msgid);
		p->files = xrealloc(p->files, p->msgids.n * sizeof *p->files);
		memset(&p->files[i], 0, sizeof p->files[i]);
	}
	where = &p->files[i];
	if (where->n == 0 || strcmp(where->v[where->n - 1], p->file) != 0)
		strvec_push(where, p->file);
}

/* msgid as a .po string: quoted, with C escapes. */
static void
put_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int
main(int argc, char **argv)
{
	struct pot p = { 0 };
	htmlDocPtr doc;
	size_t i, j;
	int a;

	for (a = 1; a < argc; a++) {
		doc = htmlReadFile(argv[a], "UTF-8", HTML_PARSE_NONET |
		    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		    HTML_PARSE_NOBLANKS);
		if (doc == NULL) {
			fprintf(stderr, "potgen: %s: not HTML\n", argv[a]);
			return 1;
		}
		p.file = base_name(argv[a]);
		translate_strings((xmlNodePtr)doc, add, &p);
		xmlFreeDoc(doc);
	}
	printf("msgid \"\"\nmsgstr \"\"\n"
	    "\"Project-Id-Version: mscagent\\n\"\n"
	    "\"MIME-Version: 1.0\\n\"\n"
	    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	    "\"Content-Transfer-Encoding: 8bit\\n\"\n");
	for (i = 0; i < p.msgids.n; i++) {
		printf("\n#:");
		for (j = 0; j < p.files[i].n; j++)
			printf(" %s", p.files[i].v[j]);
		printf("\nmsgid ");
		put_string(p.msgids.v[i]);
		printf("\nmsgstr \"\"\n");
		strvec_clear(&p.files[i]);
	}
	strvec_clear(&p.msgids);
	free(p.files);
	return 0;
}
