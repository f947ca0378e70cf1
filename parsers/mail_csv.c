/*
 * mail_csv.c - a CSV attachment with one abuse event per row (AbuseHub,
 * Shadowserver and similar feeds) to one report per row (see xarf.h).
 *
 * RFC 4180 with the variants seen in the wild: ',' ';' or TAB as the
 * separator (whichever the header row uses most), quoted fields with ""
 * escapes and line breaks, CRLF or LF. The header row names the columns;
 * what a column means is judged from its name (type, time, host-name
 * columns) and, for every other cell, from its value.
 *
 * Limits: MAIL_CSV_COLS_MAX columns (the rest of a row is ignored),
 * MAIL_CSV_CELL_MAX bytes kept of one cell, MAIL_CSV_TEXT_MAX bytes of an
 * attachment that needs converting, o->max_reports rows (the rest counted
 * as dropped). One pass over the text; each row reuses one buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "inflate.h"
#include "xarf.h"

#define MAIL_CSV_COLS_MAX	128
#define MAIL_CSV_CELL_MAX	2048
#define MAIL_CSV_NAME_MAX	64
#define MAIL_CSV_TEXT_MAX	(16 * 1024 * 1024)	/* one attachment */

/* One row: its cells NUL-separated in buf, cell i at buf.data + off[i]. */
struct mail_csv_row {
	struct charset_buf	 buf;
	size_t			 off[MAIL_CSV_COLS_MAX];
	size_t			 n;
};

enum mail_csv_role {
	MAIL_CSV_ROLE_VALUE,		/* judged by its value */
	MAIL_CSV_ROLE_HOST,		/* host or domain names */
	MAIL_CSV_ROLE_TYPE,		/* abuse class */
	MAIL_CSV_ROLE_TIME,		/* full date and time */
	MAIL_CSV_ROLE_DATE,		/* date only, ... */
	MAIL_CSV_ROLE_CLOCK		/* ... joined with this time */
};

struct mail_csv_table {
	char		 sep;
	size_t		 ncols;
	char		 name[MAIL_CSV_COLS_MAX][MAIL_CSV_NAME_MAX];
	enum mail_csv_role	 role[MAIL_CSV_COLS_MAX];
};

static char	mail_csv_separator(const char *, size_t);
static int	mail_csv_read_row(const char **, const char *, char,
		    struct mail_csv_row *);
static const char *mail_csv_cell(const struct mail_csv_row *, size_t);
static void	mail_csv_norm(const char *, char *, size_t);
static enum mail_csv_role mail_csv_role(const char *);
static const char *mail_csv_type(const struct mail_csv_table *,
		    const struct mail_csv_row *);
static int	mail_csv_time(const struct mail_csv_table *,
		    const struct mail_csv_row *, struct report *,
		    const struct arf_opts *);
static int	mail_csv_is_csv(const struct mime_part *);
static int	mail_csv_row_report(const struct mail_csv_table *,
		    const struct mail_csv_row *, size_t,
		    const struct arf_opts *, struct arf_reports *);

/* Names of type columns, most telling first. */
static const char *const mail_csv_type_cols[] = {
	"category", "classificationtype", "classification", "reporttype",
	"type", "threattype", "infectiontype", "infection", "tag",
};

#define MAIL_CSV_NTYPES \
	(sizeof(mail_csv_type_cols) / sizeof(mail_csv_type_cols[0]))

/* The separator the header line uses most (outside quotes), or 0. */
static char
mail_csv_separator(const char *s, size_t len)
{
	size_t	i, comma = 0, semi = 0, tab = 0;
	int	quoted = 0;

	for (i = 0; i < len && s[i] != '\n'; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ',')
			comma++;
		else if (!quoted && s[i] == ';')
			semi++;
		else if (!quoted && s[i] == '\t')
			tab++;
	}
	if (comma >= semi && comma >= tab && comma > 0)
		return ',';
	if (semi >= tab && semi > 0)
		return ';';
	return tab > 0 ? '\t' : 0;
}

/*
 * Read one row at *p (advanced past it) into row. Returns 1 when a row was
 * read, 0 at the end of the text, -1 on ENOMEM.
 */
static int
mail_csv_read_row(const char **p, const char *end, char sep,
    struct mail_csv_row *row)
{
	const char	*s = *p;
	size_t		 cell = 0, col = 0;
	int		 quoted = 0;
	char		 c;

	row->buf.len = 0;
	row->n = 1;
	row->off[0] = 0;
	if (s >= end)
		return 0;
	for (; s < end; s++) {
		c = *s;
		if (quoted) {
			if (c == '"' && s + 1 < end && s[1] == '"')
				s++;
			else if (c == '"') {
				quoted = 0;
				continue;
			}
		} else if (c == '"' && cell == 0) {
			quoted = 1;
			continue;
		} else if (c == '\r')
			continue;
		else if (c == '\n') {
			s++;
			break;
		} else if (c == sep) {
			cell = 0;
			if (++col >= MAIL_CSV_COLS_MAX)
				continue;	/* columns beyond the limit */
			if (charset_buf_append(&row->buf, "", 1) == -1)
				return -1;
			row->off[row->n++] = row->buf.len;
			continue;
		}
		if (col >= MAIL_CSV_COLS_MAX || c == '\0' ||
		    cell++ >= MAIL_CSV_CELL_MAX)
			continue;
		if (charset_buf_append(&row->buf, &c, 1) == -1)
			return -1;
	}
	if (charset_buf_append(&row->buf, "", 1) == -1)
		return -1;
	*p = s;
	return 1;
}

/* Cell i of the row, "" when the row is shorter. */
static const char *
mail_csv_cell(const struct mail_csv_row *row, size_t i)
{
	return i < row->n ? row->buf.data + row->off[i] : "";
}

/* Lower-case letters and digits of a column name. */
static void
mail_csv_norm(const char *s, char *out, size_t outlen)
{
	size_t	n = 0;

	for (; *s != '\0' && n + 1 < outlen; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			out[n++] = *s;
		else if (*s >= 'A' && *s <= 'Z')
			out[n++] = *s - 'A' + 'a';
	out[n] = '\0';
}

/* What a column holds, from its normalised name. */
static enum mail_csv_role
mail_csv_role(const char *n)
{
	static const char *const times[] = { "timestamp", "datetime",
	    "time", "firstseen", "eventdatetime", "detected", "lastseen" };
	size_t	i;

	for (i = 0; i < MAIL_CSV_NTYPES; i++)
		if (strcmp(n, mail_csv_type_cols[i]) == 0)
			return MAIL_CSV_ROLE_TYPE;
	if (strcmp(n, "date") == 0 || strcmp(n, "eventdate") == 0)
		return MAIL_CSV_ROLE_DATE;
	if (strcmp(n, "eventtime") == 0)
		return MAIL_CSV_ROLE_CLOCK;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		if (strcmp(n, times[i]) == 0)
			return MAIL_CSV_ROLE_TIME;
	if (strstr(n, "host") != NULL || strstr(n, "domain") != NULL ||
	    strstr(n, "dns") != NULL || strstr(n, "fqdn") != NULL)
		return MAIL_CSV_ROLE_HOST;
	return MAIL_CSV_ROLE_VALUE;
}

/*
 * The category of a row: the first type column (in the order of
 * mail_csv_type_cols) whose value, or one word of it ("Shadowserver Botnet
 * Drone"), names a known class. NULL when none does.
 */
static const char *
mail_csv_type(const struct mail_csv_table *t, const struct mail_csv_row *row)
{
	const char	*code, *v;
	char		 word[MAIL_CSV_NAME_MAX];
	size_t		 k, i, wl;

	for (k = 0; k < MAIL_CSV_NTYPES; k++)
		for (i = 0; i < t->ncols; i++) {
			if (strcmp(t->name[i], mail_csv_type_cols[k]) != 0)
				continue;
			v = mail_csv_cell(row, i);
			code = xarf_category(NULL, v);
			while (*v != '\0' &&
			    strcmp(code, "undetermined") == 0) {
				v += strcspn(v, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
				wl = strspn(v, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
				if (wl == 0 || wl >= sizeof(word))
					break;
				memcpy(word, v, wl);
				word[wl] = '\0';
				code = xarf_category(NULL, word);
				v += wl;
			}
			if (strcmp(code, "undetermined") != 0)
				return code;
		}
	return NULL;
}

/* occurred-at from a time column, or a date and a time column. */
static int
mail_csv_time(const struct mail_csv_table *t, const struct mail_csv_row *row,
    struct report *r, const struct arf_opts *o)
{
	const char	*date = NULL, *clock = NULL, *v;
	char		 buf[64];
	size_t		 i;

	for (i = 0; i < t->ncols && r->occurred_at == NULL; i++) {
		v = mail_csv_cell(row, i);
		if (*v == '\0')
			continue;
		if (t->role[i] == MAIL_CSV_ROLE_TIME &&
		    arf_time(r, o, "occurred-at", v, strlen(v)) == -1)
			return -1;
		if (t->role[i] == MAIL_CSV_ROLE_DATE && date == NULL)
			date = v;
		if (t->role[i] == MAIL_CSV_ROLE_CLOCK && clock == NULL)
			clock = v;
	}
	if (r->occurred_at != NULL || date == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%.24s%s%.24s", date, clock ? " " : "",
	    clock ? clock : "");
	return arf_time(r, o, "occurred-at", buf, strlen(buf));
}

/*
 * One data row to a report appended to out; a row without any indicator
 * is dropped. 0, or -1 on ENOMEM.
 */
static int
mail_csv_row_report(const struct mail_csv_table *t,
    const struct mail_csv_row *row, size_t lineno, const struct arf_opts *o,
    struct arf_reports *out)
{
	struct charset_buf	 sum = { NULL, 0, 0 };
	struct report		*r;
	const char		*code, *v;
	char			 head[64];
	size_t			 i;
	int			 rc, hint;

	if ((rc = arf_reports_add(out, o->max_reports, &r)) != 0)
		return rc == 1 ? 0 : -1;
	snprintf(head, sizeof(head), "CSV row %zu:", lineno);
	r->origin = "CSV row";
	rc = charset_buf_append(&sum, head, strlen(head));
	for (i = 0; rc != -1 && i < t->ncols && i < row->n; i++) {
		v = mail_csv_cell(row, i);
		if (*v == '\0')
			continue;
		hint = t->role[i] == MAIL_CSV_ROLE_HOST ? ARF_GUESS :
		    ARF_GUESS_STRICT;
		if (t->role[i] == MAIL_CSV_ROLE_VALUE ||
		    t->role[i] == MAIL_CSV_ROLE_HOST)
			rc = arf_indicator(r, o->lim, hint, v, strlen(v));
		if (rc != -1 && (charset_buf_append(&sum, " ", 1) == -1 ||
		    charset_buf_append(&sum, t->name[i],
		    strlen(t->name[i])) == -1 ||
		    charset_buf_append(&sum, "=", 1) == -1 ||
		    charset_buf_append(&sum, v, strlen(v)) == -1))
			rc = -1;
	}
	if (rc != -1 && r->n_indicators == 0) {
		arf_reports_pop(out);
		charset_buf_free(&sum);
		return 0;
	}
	r->origin = NULL;
	code = mail_csv_type(t, row);
	r->category_why = code != NULL ? "CSV type column" : o->fallback ?
	    "keywords of the message" : NULL;
	if (rc != -1 && code != NULL)
		rc = arf_field(r, o, "category", code, strlen(code));
	if (rc != -1)
		rc = mail_csv_time(t, row, r, o);
	if (rc != -1)
		rc = arf_describe(r, o, sum.data, NULL, 0);
	if (rc != -1)
		rc = arf_finish(r, o);
	charset_buf_free(&sum);
	if (rc == -1)
		errno = ENOMEM;
	return rc == -1 ? -1 : 0;
}

int
mail_csv_parse(const char *text, size_t len, const struct arf_opts *o,
    struct arf_reports *out, const char **why)
{
	struct mail_csv_table	*t;
	struct mail_csv_row		 row;
	const char		*p = text, *end = text + len;
	size_t			 i, lineno = 1, n0 = out->n, d0 = out->dropped;
	int			 rc;

	*why = NULL;
	memset(&row, 0, sizeof(row));
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	if ((t->sep = mail_csv_separator(text, len)) == 0) {
		*why = "no separator in the header row";
		rc = 1;
		goto done;
	}
	if ((rc = mail_csv_read_row(&p, end, t->sep, &row)) != 1) {
		*why = "no header row";
		rc = rc == -1 ? -1 : 1;
		goto done;
	}
	t->ncols = row.n;
	for (i = 0; i < t->ncols; i++) {
		mail_csv_norm(mail_csv_cell(&row, i), t->name[i],
		    MAIL_CSV_NAME_MAX);
		t->role[i] = mail_csv_role(t->name[i]);
	}
	while ((rc = mail_csv_read_row(&p, end, t->sep, &row)) == 1) {
		lineno++;
		if (row.n == 1 && mail_csv_cell(&row, 0)[0] == '\0')
			continue;	/* blank line */
		if (mail_csv_row_report(t, &row, lineno, o, out) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && out->n == n0 && out->dropped == d0) {
		*why = "no row with an indicator";
		rc = 1;
	}
 done:
	charset_buf_free(&row.buf);
	free(t);
	if (rc == 0)
		return 0;
	errno = rc == -1 ? ENOMEM : EINVAL;
	return -1;
}

/* 1 for a CSV part: text/csv and its aliases, or a name in ".csv". */
static int
mail_csv_is_csv(const struct mime_part *p)
{
	size_t	fl = p->filename ? strlen(p->filename) : 0;

	return strcmp(p->subtype, "csv") == 0 ||
	    strcmp(p->subtype, "comma-separated-values") == 0 ||
	    (fl > 4 && strcasecmp(p->filename + fl - 4, ".csv") == 0);
}

int
mail_csv_from_message(const struct mime_message *m, const struct arf_opts *o,
    struct arf_reports *out)
{
	static const char *const csv[] = { ".csv" };
	const struct mime_part	*p = NULL;
	const char		*why;
	char			*conv, *zip;
	size_t			 len, zlen;
	int			 rc = 0, got = 0, z;

	while (rc == 0 && (p = mime_next(p ? p : m->root)) != NULL) {
		if (p->n_children > 0 || arf_nested_in(p, m->root))
			continue;
		conv = zip = NULL;
		if (!mail_csv_is_csv(p)) {
			/* a zipped table (Shadowserver's "*.csv.zip") */
			if (p->body == NULL || !inflate_is_zip(p->body,
			    p->body_len))
				continue;
			z = inflate_zip(p->body, p->body_len, csv, 1,
			    MAIL_CSV_TEXT_MAX, &zip, &zlen, NULL, 0);
			if (z == INFLATE_NOMEM)
				return -1;
			if (z != INFLATE_OK)
				continue;
		}
		if ((zip != NULL || p->text == NULL) && charset_to_utf8(zip ?
		    "utf-8" : p->charset, zip ? zip : p->body, zip ? zlen :
		    p->body_len, MAIL_CSV_TEXT_MAX, &conv, &len, NULL) == -1) {
			free(zip);
			return -1;
		}
		if (mail_csv_parse(conv ? conv : p->text, conv ? len :
		    p->text_len, o, out, &why) == 0)
			got = 1;
		else if (errno == ENOMEM)
			rc = -1;
		free(conv);
		free(zip);
	}
	return rc == -1 ? -1 : got;
}
