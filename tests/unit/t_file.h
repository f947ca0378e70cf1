/*
 * t_file.h - reading a test's input file (a corpus sample) whole, shared
 * by the parser tests.
 */
#ifndef T_FILE_H
#define T_FILE_H

#include <stdio.h>
#include <stdlib.h>

/*
 * The bytes of the file at path, NUL-terminated, their count in *len: a
 * new string for the caller to free. NULL (and *len untouched) when the
 * file cannot be opened or read; a short read gives what was read.
 */
static inline char *
t_slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf = NULL;
	long	 n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n + 1)) != NULL) {
		*len = fread(buf, 1, n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

#endif
