/*
 * replay.c: runs a fuzz target's LLVMFuzzerTestOneInput on every file
 * named, or found in the folders named, without libFuzzer: how the test
 * suite replays the seeds and past findings under gcc's ASan and UBSan.
 * Prints how many inputs ran; a finding aborts, as under libFuzzer.
 *
 *	replay_NAME DIR|FILE...
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

#define INPUT_MAX	(16 * 1024 * 1024)

/* Reads a whole file; caller frees.  Exits when it cannot. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	FILE *fp;
	size_t n;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + n > INPUT_MAX) {
			fprintf(stderr, "replay: %s: larger than %d bytes\n",
			    path, INPUT_MAX);
			exit(2);
		}
		buf_append(&b, chunk, n);
	}
	fclose(fp);
	*len = b.len;
	if (b.data == NULL)
		return xmalloc(1);
	return (uint8_t *)buf_release(&b);
}

static void
run_file(const char *path)
{
	uint8_t *data;
	size_t len;

	data = slurp(path, &len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
}

static int
is_input(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Every file of the folder, in name order; returns how many. */
static size_t
run_dir(const char *dir)
{
	struct dirent **names;
	struct stat sb;
	char *path;
	size_t ran = 0;
	int n, i;

	n = scandir(dir, &names, is_input, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		exit(2);
	}
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			run_file(path);
			ran++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return ran;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	size_t ran = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 2;
		}
		if (S_ISDIR(sb.st_mode))
			ran += run_dir(argv[i]);
		else {
			run_file(argv[i]);
			ran++;
		}
	}
	printf("replay: %zu inputs\n", ran);
	return 0;
}
