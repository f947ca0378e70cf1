/*
 * taxonomy.c - parse the incident taxonomy (conf/taxonomy.tsv) into a
 * read-only table and look categories up in it.
 *
 * Format: one category a line, eight tab-separated columns (code, cause,
 * mau05, label_vi, label_en, rsit_taxonomy, rsit_type, severity). Lines
 * starting with '#', blank lines and the header line (first column "code")
 * are skipped; CRLF line ends are accepted. Codes are ASCII letters, digits,
 * '-' and '_', unique regardless of case, at most TAXONOMY_CODE_MAX bytes;
 * mau05 is empty or 1..99; labels must be valid UTF-8 without controls.
 * The parser keeps no state between calls and allocates only the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "taxonomy.h"
#include "report.h"

#define TAXONOMY_COLUMNS	8
#define TAXONOMY_CODE_MAX	31

struct tax_col {
	const char	*s;
	size_t		 len;
};

static size_t	tax_split(const char *, size_t, struct tax_col *, size_t);
static const char *tax_check_code(const struct tax_col *);
static int	tax_parse_mau05(const struct tax_col *, int *);
static void	tax_entry_free(struct taxonomy_entry *);
static const char *tax_entry_fill(struct taxonomy_entry *,
		    const struct tax_col *);
static const char *tax_add_line(struct taxonomy *, size_t *,
		    const char *, size_t);

static const char *const severity_names[] = {
	[SEV_UNSET] = "unset",
	[SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};

/*
 * Split line[0..len) on tabs into at most max columns. Returns the number
 * of columns the line has (which may exceed max; only max are stored).
 */
static size_t
tax_split(const char *line, size_t len, struct tax_col *cols, size_t max)
{
	size_t		 n = 0;
	const char	*p = line, *end = line + len, *tab;

	for (;;) {
		tab = memchr(p, '\t', end - p);
		if (n < max) {
			cols[n].s = p;
			cols[n].len = (tab ? tab : end) - p;
		}
		n++;
		if (tab == NULL)
			return n;
		p = tab + 1;
	}
}

/* NULL when the code column is acceptable, else the reason. */
static const char *
tax_check_code(const struct tax_col *c)
{
	size_t	i;

	if (c->len == 0)
		return "empty code";
	if (c->len > TAXONOMY_CODE_MAX)
		return "code too long";
	for (i = 0; i < c->len; i++) {
		unsigned char ch = c->s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return "code must be letters, digits, '-' or '_'";
	}
	return NULL;
}

/* mau05: empty (0, not counted) or a number 1..99. 0 or -1. */
static int
tax_parse_mau05(const struct tax_col *c, int *out)
{
	int	v = 0;
	size_t	i;

	if (c->len == 0) {
		*out = 0;
		return 0;
	}
	if (c->len > 2)
		return -1;
	for (i = 0; i < c->len; i++) {
		if (c->s[i] < '0' || c->s[i] > '9')
			return -1;
		v = v * 10 + (c->s[i] - '0');
	}
	if (v < 1)
		return -1;
	*out = v;
	return 0;
}

static void
tax_entry_free(struct taxonomy_entry *e)
{
	free(e->code);
	free(e->cause);
	free(e->label_vi);
	free(e->label_en);
	free(e->rsit_taxonomy);
	free(e->rsit_type);
	memset(e, 0, sizeof(*e));
}

/*
 * Validate the columns of one row and copy them into e (zeroed by the
 * caller). Returns NULL, or the reason with e holding nothing.
 */
static const char *
tax_entry_fill(struct taxonomy_entry *e, const struct tax_col *cols)
{
	char		**dst[TAXONOMY_COLUMNS] = {
		&e->code, &e->cause, NULL, &e->label_vi, &e->label_en,
		&e->rsit_taxonomy, &e->rsit_type, NULL
	};
	const char	*why;
	size_t		 i;

	if ((why = tax_check_code(&cols[0])) != NULL)
		return why;
	if (cols[1].len == 0)
		return "empty cause";
	if (tax_parse_mau05(&cols[2], &e->mau05) == -1)
		return "bad mau05 (want empty or 1-99)";
	e->severity = severity_parse(cols[7].s, cols[7].len);
	if (e->severity == SEV_UNSET)
		return "bad severity (want low, medium, high or critical)";
	for (i = 0; i < TAXONOMY_COLUMNS; i++) {
		if (dst[i] == NULL)
			continue;
		if (!utf8_valid(cols[i].s, cols[i].len))
			why = "invalid UTF-8";
		else if (text_has_controls(cols[i].s, cols[i].len, 0))
			why = "control character";
		else if ((*dst[i] = text_strndup(cols[i].s, cols[i].len)) ==
		    NULL)
			why = "out of memory";
		if (why != NULL) {
			tax_entry_free(e);
			return why;
		}
	}
	return NULL;
}

/*
 * Handle one line (without its line end): skip comments, blanks and the
 * header, else append an entry, growing the table. Returns NULL or the
 * reason for the error.
 */
static const char *
tax_add_line(struct taxonomy *tax, size_t *cap, const char *line, size_t len)
{
	struct tax_col		 cols[TAXONOMY_COLUMNS];
	struct taxonomy_entry	*e;
	const char		*why;
	size_t			 n;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return NULL;
	n = tax_split(line, len, cols, TAXONOMY_COLUMNS);
	if (cols[0].len == 4 && memcmp(cols[0].s, "code", 4) == 0)
		return NULL;
	if (n != TAXONOMY_COLUMNS)
		return "wrong number of columns (want 8, tab-separated)";
	if (taxonomy_find(tax, cols[0].s, cols[0].len) != NULL)
		return "duplicate code";
	if (tax->n == *cap) {
		size_t	ncap = *cap ? *cap * 2 : 32;

		e = reallocarray(tax->entries, ncap, sizeof(*e));
		if (e == NULL)
			return "out of memory";
		tax->entries = e;
		*cap = ncap;
	}
	e = &tax->entries[tax->n];
	memset(e, 0, sizeof(*e));
	if ((why = tax_entry_fill(e, cols)) != NULL)
		return why;
	tax->n++;
	return NULL;
}

int
taxonomy_parse(struct taxonomy *tax, const char *buf, size_t len,
    char *err, size_t errlen)
{
	const char	*p = buf, *end = buf + len, *nl, *why;
	size_t		 lineno = 0, cap = 0;

	tax->entries = NULL;
	tax->n = 0;
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', end - p);
		why = tax_add_line(tax, &cap, p, (nl ? nl : end) - p);
		if (why != NULL) {
			taxonomy_free(tax);
			return text_line_fail(err, errlen, lineno, "%s", why);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (tax->n == 0) {
		taxonomy_free(tax);
		return text_line_fail(err, errlen, lineno, "no category defined");
	}
	return 0;
}

void
taxonomy_free(struct taxonomy *tax)
{
	size_t	i;

	if (tax == NULL)
		return;
	for (i = 0; i < tax->n; i++)
		tax_entry_free(&tax->entries[i]);
	free(tax->entries);
	tax->entries = NULL;
	tax->n = 0;
}

/*
 * A linear scan: the table has a few dozen rows and the first-byte test
 * rejects almost all of them without a call.
 */
const struct taxonomy_entry *
taxonomy_find(const struct taxonomy *tax, const char *code, size_t len)
{
	size_t	i;
	int	c0;

	if (tax == NULL || code == NULL || len == 0 || len > TAXONOMY_CODE_MAX)
		return NULL;
	c0 = (unsigned char)code[0] | 0x20;
	for (i = 0; i < tax->n; i++) {
		const char *k = tax->entries[i].code;

		if (((unsigned char)k[0] | 0x20) != c0)
			continue;
		if (strlen(k) == len && strncasecmp(k, code, len) == 0)
			return &tax->entries[i];
	}
	return NULL;
}

const char *
severity_name(enum severity sev)
{
	if ((unsigned)sev >= sizeof(severity_names) / sizeof(severity_names[0]))
		return "unset";
	return severity_names[sev];
}

enum severity
severity_parse(const char *s, size_t len)
{
	int	i;

	if (s == NULL)
		return SEV_UNSET;
	for (i = SEV_LOW; i <= SEV_CRITICAL; i++)
		if (strlen(severity_names[i]) == len &&
		    strncasecmp(severity_names[i], s, len) == 0)
			return (enum severity)i;
	return SEV_UNSET;
}
