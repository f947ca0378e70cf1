/*
 * export.h - incidents exported for other CERT tools: JSON lines, CSV
 * (RFC 4180) and IODEF v2 (RFC 7970), each incident with the RSIT labels
 * of its category (taxonomy.tsv).
 *
 * Two layers. The encoders turn one incident and its reports, given as
 * plain structs, into text appended to a buffer: pure functions, no I/O.
 * The cursor reads the store (a reader connection, store_read.h) a little
 * at a time and feeds the encoders, so that an export of any size holds
 * one bounded chunk of output and one report at a time in memory: the
 * caller asks for about `want' bytes, writes them where they go (a socket,
 * stdout), and asks again. Each chunk is read in its own transaction.
 *
 * What is exported: the incidents whose first report is in [since, until)
 * (as the statistics count them), merged ones left out (their reports are
 * the other incident's), oldest first, each with every report. A
 * confidential report's reporter (name, e-mail, phone, organisation,
 * operating unit and partner token) is never written: the cursor does not
 * read it, and the encoders drop it again when the report says
 * confidential.
 *
 * JSON lines: one incident per line: its fields (those of intakectl show
 * --json, with "rsit", "mau05", "report_count") and "reports", a list.
 * CSV: a header row, then one row per report, the incident's columns
 * first; cells that a spreadsheet would run as a formula (starting with =,
 * +, -, @, tab or CR) get a leading apostrophe. IODEF: one document, an
 * Incident per incident, an EventData per report.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stddef.h>

#include "page.h"
#include "taxonomy.h"

struct store_read;

enum export_format {
	EXPORT_JSONL,
	EXPORT_CSV,
	EXPORT_IODEF
};

/* "jsonl", "csv", "iodef" -> format; -1 when unknown. */
int	export_format_parse(const char *s);
/* The Content-Type of a format's output. */
const char *export_content_type(enum export_format f);

/*
 * Exports are made in the pages' buffer (page.h), bounded by EXPORT_BUF_MAX
 * rather than PAGE_BUF_MAX: beyond it, failed is set. Free it with
 * page_buf_free.
 */
#define EXPORT_BUF_MAX	(64 * 1024 * 1024)
void	export_buf_add(struct page_buf *b, const void *p, size_t len);
void	export_buf_str(struct page_buf *b, const char *s);

/* Who exports: the CERT's name for IODEF. */
struct export_origin {
	const char	*organization;	/* [contact] organization, may be NULL */
	const char	*email;		/* its first incident address, may be NULL */
	const char	*name;		/* IncidentID name: the CERT's domain */
	long long	 generated_at;	/* unix seconds */
};

struct export_indicator {
	const char	*type;		/* ipv4, ipv6, domain, url, email, md5, ... */
	const char	*value;
};

struct export_incident {
	const char	*id;		/* IN-... */
	const char	*status;
	const char	*category;
	const char	*severity;	/* low ... critical */
	int		 verified;
	int		 serious;
	long long	 report_count;
	long long	 first_seen, last_seen;
	long long	 detected_at, resolved_at;	/* 0: none */
	int		 system_level;	/* 0: none */
	const char	*handling;	/* may be NULL */
	const char	*assessment;	/* JSON object text, may be NULL */
	const char	*channels;	/* "api,line": those of its reports */
	const struct taxonomy_entry *tax;	/* NULL: category unknown */
};

struct export_report {
	const char	*id;		/* IR-... */
	const char	*channel;
	const char	*category;
	const char	*severity;
	long long	 received_at;
	int		 verified;
	int		 is_auto;
	int		 confidential;	/* then every reporter field is ignored */
	const char	*subject, *description;
	const char	*detected_at, *occurred_at;	/* RFC 3339 */
	int		 system_level;
	const char	*affected_system;
	const char	*reporter_name, *reporter_email, *reporter_phone;
	const char	*organization, *operating_unit, *token;
	const struct export_indicator *ind;
	size_t		 n_ind;
};

/*
 * The encoders: a document's head, an incident's opening, each of its
 * reports, its closing, the document's tail, appended to b in format f.
 */
void	export_head(enum export_format f, const struct export_origin *o,
	    struct page_buf *b);
void	export_incident_open(enum export_format f,
	    const struct export_origin *o, const struct export_incident *inc,
	    struct page_buf *b);
void	export_report(enum export_format f, const struct export_origin *o,
	    const struct export_incident *inc, const struct export_report *r,
	    int first, struct page_buf *b);
void	export_incident_close(enum export_format f,
	    const struct export_incident *inc, struct page_buf *b);
void	export_tail(enum export_format f, struct page_buf *b);

/* RFC 4180 cell (quoted when it must be, formula-safe), XML text. */
void	export_csv_cell(struct page_buf *b, const char *s);
void	export_xml_text(struct page_buf *b, const char *s);

/* --- the cursor ---------------------------------------------------------- */

struct export_cursor;

/*
 * An export of format f of the incidents first seen in [since, until)
 * (0: unbounded), with the taxonomy and origin given (borrowed: they must
 * outlive the cursor).
 */
struct export_cursor *export_cursor_new(enum export_format f, long long since,
	    long long until, const struct taxonomy *tax,
	    const struct export_origin *o);
void	export_cursor_free(struct export_cursor *c);

/*
 * Append the next part of the export to out, about want bytes (more by at
 * most one report's text). Returns 1 (more to come), 0 (the export is
 * complete: out holds its end), or -1 with err filled (the store failed;
 * what was appended stays).
 */
int	export_cursor_next(struct export_cursor *c, struct store_read *rd,
	    struct page_buf *out, size_t want, char *err, size_t errlen);

/* Incidents and reports written so far. */
void	export_cursor_counts(const struct export_cursor *c,
	    long long *incidents, long long *reports);

#endif
