/*
 * xarf.h - machine-readable abuse reports carried by e-mail, turned into
 * normalised reports with the builder of arf.h: X-ARF 0.1/0.2 (a YAML
 * part), X-ARF 3 and 4 (JSON), CSV tables with one row per event
 * (mail_csv.c), and the table of abuse classes all of them, and ARF, map
 * to taxonomy codes.
 *
 * The parsers return 0 when they appended at least one report (or counted
 * it as dropped beyond o->max_reports), or -1 with errno EINVAL when the
 * input is not their format (*why says why, nothing appended) or ENOMEM.
 * Every report they append is finished (arf_finish). Pure: no I/O, no
 * global state.
 */
#ifndef XARF_H
#define XARF_H

#include <stddef.h>

#include "arf.h"

/*
 * The taxonomy code for an abuse class as the formats name it: X-ARF 0.2
 * Category/Report-Type ("abuse", "login-attack"), X-ARF 3 ReportClass/
 * ReportType ("Activity", "LoginAttack"), X-ARF 4 category/type
 * ("connection", "login_attack"), ARF Feedback-Type (category "arf"), CSV
 * type columns. Case, '-', '_' and blanks do not matter. A type no name
 * matches is judged by the abuse words it holds ("ssh-bruteforce",
 * "PortScanning"). Either may be NULL. Never NULL: "undetermined" when
 * nothing is known.
 */
const char *xarf_category(const char *category, const char *type);

/*
 * X-ARF 0.1/0.2: the YAML report part (text, len bytes of UTF-8). Each YAML
 * document with a Report-Type or Category is one event. YAML that libyaml
 * refuses (X-ARF senders write "http: //" and unquoted colons) is read
 * again line by line as "Key: value".
 */
int	xarf_parse_yaml(const char *text, size_t len, const struct arf_opts *o,
	    struct arf_reports *out, const char **why);

/*
 * An X-ARF JSON document: version 4 (xarf_version "4.x.y", category,
 * type, source_identifier, reporter, sender) or version 3 ("Version" 3,
 * ReporterInfo, Report with ReportClass/ReportType). An array of such
 * objects gives one report per element. A document that breaks the
 * schema's core rules (no version, no reporter, unknown category, a
 * messaging report without protocol, no type or source) is refused.
 */
int	xarf_parse_json(const char *text, size_t len, const struct arf_opts *o,
	    struct arf_reports *out, const char **why);

/*
 * The X-ARF reports of a whole message: those of every part (outside
 * forwarded messages, other than human, the human-readable part, which is
 * tried last and only when no other part gave any) that parses as X-ARF
 * JSON, or as YAML or key/value lines when the X-ARF or X-XARF header says
 * the message is X-ARF, when its type says YAML, when it starts like an
 * X-ARF document or reads like one; a document naming no class takes the
 * type its attachment is named after ("MALWARE-report.txt") or its
 * Schema-URL names. Returns 1 when reports were made, 0 when none, -1 on
 * ENOMEM.
 */
int	xarf_from_message(const struct mime_message *m,
	    const struct mime_part *human, const struct arf_opts *o,
	    struct arf_reports *out);

/*
 * mail_csv.c: a CSV table (RFC 4180; ',' ';' or TAB separated, header
 * row first) with one event per row. Each row becomes a report: every
 * cell that is an IP address, URL, e-mail address, hash or CVE is an
 * indicator, cells of host-name columns are domains, a type column
 * (type, report_type, category, classification, infection...) gives the
 * category through xarf_category (else o->fallback), a time column the
 * occurred-at. Rows without any indicator are skipped.
 */
int	mail_csv_parse(const char *text, size_t len, const struct arf_opts *o,
	    struct arf_reports *out, const char **why);

/*
 * Every CSV attachment of a message (text/csv, or a name ending in .csv,
 * or the first .csv member of a zip archive attached, inflate.h) outside
 * forwarded messages, through mail_csv_parse. Returns 1 when reports were
 * made, 0 when none, -1 on ENOMEM.
 */
int	mail_csv_from_message(const struct mime_message *m,
	    const struct arf_opts *o, struct arf_reports *out);

#endif
