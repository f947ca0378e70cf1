/*
 * taxonomy.h - the incident taxonomy (conf/taxonomy.tsv): category codes,
 * their Mẫu 05 statistics row, RSIT labels and default severity.
 *
 * The table is parsed once at start-up from a buffer (the embedded copy or the
 * file named by [daemon] taxonomy) and is read-only afterwards, so it may be
 * shared by every thread.
 */
#ifndef TAXONOMY_H
#define TAXONOMY_H

#include <stddef.h>

enum severity {
	SEV_UNSET = 0,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL
};

struct taxonomy_entry {
	char		*code;		/* machine name, e.g. "phishing" */
	char		*cause;		/* attack, abuse, system_fault, ... */
	int		 mau05;		/* statistics row, 0 = not counted */
	char		*label_vi;
	char		*label_en;
	char		*rsit_taxonomy;
	char		*rsit_type;
	enum severity	 severity;	/* default when a report gives none */
};

struct taxonomy {
	struct taxonomy_entry	*entries;
	size_t			 n;
};

/*
 * Parse the tab-separated taxonomy in buf[0..len). Lines starting with '#'
 * and the header line (first field "code") are skipped. On error returns -1
 * and writes "line N: why" into err; tax is left empty. On success tax owns
 * its entries until taxonomy_free().
 */
int taxonomy_parse(struct taxonomy *tax, const char *buf, size_t len,
    char *err, size_t errlen);
void taxonomy_free(struct taxonomy *tax);

/* Exact, case-insensitive lookup of a code; NULL when unknown. */
const struct taxonomy_entry *taxonomy_find(const struct taxonomy *tax,
    const char *code, size_t len);

/* "low".."critical" <-> enum; parse returns SEV_UNSET when unknown. */
const char *severity_name(enum severity sev);
enum severity severity_parse(const char *s, size_t len);

/* The copy of conf/taxonomy.tsv compiled into the binaries. */
extern const char taxonomy_embedded[];
extern const size_t taxonomy_embedded_len;

#endif
