/*
 * aggregate.h - aggregate reports about a domain's mail that mailbox
 * providers send: DMARC aggregate reports (RFC 7489 section 7.2 and
 * appendix C: an XML "feedback" document, usually zipped or gzipped) and
 * SMTP TLS reports (RFC 8460: a JSON document, usually gzipped, in a
 * multipart/report; report-type=tlsrpt). They are statistics, not
 * incidents: the mail parser stores them as such (mail.h), and here they
 * are recognised and summed up for a person.
 *
 * A message holds one when one of its parts (outside forwarded messages)
 * is such a document: as text (XML or JSON), or gzip or zip compressed
 * (inflate.h, the decompressed document at most max_doc bytes). A
 * compressed part too large to open still counts when its name has the
 * form both RFCs give ("submitter!domain!begin!end[!id].xml.gz",
 * "...json.gz"). At most AGGREGATE_PARTS_MAX parts are looked at.
 *
 * Pure: no I/O, no globals.
 */
#ifndef AGGREGATE_H
#define AGGREGATE_H

#include <stddef.h>

#include "mime.h"

#define AGGREGATE_PARTS_MAX	8
#define AGGREGATE_DOC_MAX	(16 * 1024 * 1024)
#define AGGREGATE_FIELD_MAX	256

enum aggregate_kind {
	AGGREGATE_NONE,
	AGGREGATE_DMARC,
	AGGREGATE_TLSRPT
};

/* What a person wants to know of one report; strings may be "". */
struct aggregate_info {
	enum aggregate_kind	 kind;
	char			 org[AGGREGATE_FIELD_MAX];	/* reporter */
	char			 domain[AGGREGATE_FIELD_MAX];	/* about */
	char			 report_id[AGGREGATE_FIELD_MAX];
	char			 begin[32];	/* RFC 3339 UTC, or "" */
	char			 end[32];
	char			 part[AGGREGATE_FIELD_MAX];	/* file name */
	unsigned long long	 records;	/* DMARC rows, TLS policies */
	unsigned long long	 messages;	/* DMARC: messages counted;
						   TLS: sessions */
	unsigned long long	 failed;	/* DMARC: failing both DKIM and
						   SPF; TLS: failed sessions */
	int			 unread;	/* too large to open: by name */
};

/*
 * Recognise an aggregate report in m and sum it up into *info (zeroed
 * first). Returns 1 when m holds one, 0 when not, -1 on ENOMEM.
 */
int	aggregate_from_message(const struct mime_message *m, size_t max_doc,
	    struct aggregate_info *info);

/*
 * Recognise one document (XML or JSON text, len bytes) and sum it up.
 * Returns 1 for a DMARC or TLS report, 0 otherwise.
 */
int	aggregate_parse(const char *doc, size_t len, struct aggregate_info *info);

#endif
