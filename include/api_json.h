/*
 * api_json.h - the partner API's report submission (POST /api/v1/reports,
 * SPEC "API"): a JSON object with the REPORT fields, '_' for '-', made
 * into a validated struct report through the same validation as the ILP
 * REPORT line (report_set_field, report_finish), so that the same report
 * sent either way gets the same fingerprint.
 *
 * Pure: no I/O, no global state, no libevent types; jansson parses. Every
 * input is bounded by a struct api_json_limits (body bytes, nesting,
 * keys, values) checked before jansson builds anything, and then by the
 * report's own limits. The caller answers 415 for a Content-Type other
 * than JSON itself; everything here is about the body.
 */
#ifndef API_JSON_H
#define API_JSON_H

#include <stddef.h>

#include "report.h"
#include "taxonomy.h"

/* Defaults of struct api_json_limits. */
#define API_JSON_BODY_MAX	(1024 * 1024)
#define API_JSON_DEPTH_MAX	8	/* a valid report needs 2 */
#define API_JSON_KEYS_MAX	64	/* keys of the object (21 are known) */
#define API_JSON_VALUES_MAX	512	/* values below the top object */

struct api_json_limits {
	size_t	max_body;	/* bytes */
	size_t	max_depth;	/* nested objects and arrays, the top one = 1 */
	size_t	max_keys;	/* keys of the top-level object */
	size_t	max_values;	/* values below the top: members and
				   elements at every level */
};

/* Fill lim with the API_JSON_* defaults above. */
void api_json_limits_default(struct api_json_limits *lim);

enum api_json_errcode {
	API_JSON_OK,
	API_JSON_NOMEM,		/* out of memory: 503 */
	API_JSON_TOO_LARGE,	/* body over max_body: 413 */
	API_JSON_NOT_JSON,	/* not well-formed JSON (or not UTF-8): 400 */
	API_JSON_NOT_OBJECT,	/* JSON, but not an object: 400 */
	API_JSON_LIMIT,		/* nesting, keys or values over the limits:
				   400 */
	API_JSON_INVALID	/* a field is wrong: 400 naming it */
};

struct api_json_error {
	enum api_json_errcode	 code;
	/*
	 * The key at fault as the client wrote it ('_' form, made printable
	 * ASCII, truncated), or "" when no one key is (syntax, limits, a
	 * duplicate key).
	 */
	char			 field[32];
	char			 reason[128];	/* English, for the reply */
};

/*
 * Parse body[0..len) and fill *out (initialised here; the caller frees it
 * with report_free whatever the result).
 *
 * Keys: category, severity, description, detected_at, occurred_at,
 * reporter_name, reporter_email, reporter_phone, organization,
 * operating_unit, affected_system, system_level, confidential, source_ip,
 * target_ip, domain, url, email, hash, cve, external_id; exactly so
 * (lower-case, '_'): another key is an unknown field. Values are strings;
 * the repeatable fields (source_ip, target_ip, domain, url, email, hash,
 * cve) take an array of strings or one string; system_level also takes
 * an integer 1 to 5, confidential also true or false; null is "not
 * given". A string may hold "\u0000", which validation then refuses by
 * field. A key given twice is refused. Then report_finish(): a category,
 * and a description or an indicator, are required.
 *
 * lim and jlim NULL mean the defaults. Returns 0, or -1 with err filled
 * (err may be NULL); the first fault found, in document order, is the one
 * reported.
 */
int api_json_to_report(const char *body, size_t len,
    const struct taxonomy *tax, const struct report_limits *lim,
    const struct api_json_limits *jlim, struct report *out,
    struct api_json_error *err);

#endif
