/*
 * api_json.c - the partner API's JSON report submission to a validated
 * struct report: a bounded pre-scan of the bytes (nesting, values), jansson
 * for the parse, then each key through report_set_field() exactly as the
 * ILP REPORT line's fields go, and report_finish().
 *
 * The pre-scan runs before jansson allocates anything, so a body of
 * max_body bytes builds at most max_values JSON values, max_depth deep.
 * Work is linear in the body. No I/O, no global state; errors are
 * returned, never printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api_json.h"

enum aj_kind {
	AJ_STRING,	/* one string */
	AJ_LIST,	/* a string or an array of strings */
	AJ_LEVEL,	/* a string or an integer */
	AJ_BOOL		/* a string or true/false */
};

/*
 * The JSON names of the REPORT fields of report.h, and what JSON types
 * each takes. A field added to report.c's table belongs here too.
 */
static const struct {
	const char	*key;
	enum aj_kind	 kind;
} aj_fields[] = {
	{ "category", AJ_STRING },
	{ "severity", AJ_STRING },
	{ "description", AJ_STRING },
	{ "detected_at", AJ_STRING },
	{ "occurred_at", AJ_STRING },
	{ "reporter_name", AJ_STRING },
	{ "reporter_email", AJ_STRING },
	{ "reporter_phone", AJ_STRING },
	{ "organization", AJ_STRING },
	{ "operating_unit", AJ_STRING },
	{ "affected_system", AJ_STRING },
	{ "system_level", AJ_LEVEL },
	{ "confidential", AJ_BOOL },
	{ "source_ip", AJ_LIST },
	{ "target_ip", AJ_LIST },
	{ "domain", AJ_LIST },
	{ "url", AJ_LIST },
	{ "email", AJ_LIST },
	{ "hash", AJ_LIST },
	{ "cve", AJ_LIST },
	{ "external_id", AJ_STRING },
};

#define AJ_NFIELDS	(sizeof(aj_fields) / sizeof(aj_fields[0]))

struct aj_state {
	const struct taxonomy		*tax;
	const struct report_limits	*lim;
	struct report			*r;
	struct api_json_error		*err;
};

static int	aj_fail(struct api_json_error *, enum api_json_errcode,
		    const char *, size_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static int	aj_prescan(const char *, size_t,
		    const struct api_json_limits *, struct api_json_error *);
static int	aj_lookup(const char *, size_t);
static int	aj_set(struct aj_state *, const char *, const char *, size_t);
static int	aj_value(struct aj_state *, const char *, enum aj_kind,
		    json_t *);

void
api_json_limits_default(struct api_json_limits *lim)
{
	lim->max_body = API_JSON_BODY_MAX;
	lim->max_depth = API_JSON_DEPTH_MAX;
	lim->max_keys = API_JSON_KEYS_MAX;
	lim->max_values = API_JSON_VALUES_MAX;
}

/*
 * Fill err (may be NULL) and return -1. The field, field[0..flen), is made
 * printable ASCII ('?' for anything else) and truncated.
 */
static int
aj_fail(struct api_json_error *err, enum api_json_errcode code,
    const char *field, size_t flen, const char *fmt, ...)
{
	va_list	ap;
	size_t	i;

	if (code == API_JSON_NOMEM)
		errno = ENOMEM;
	if (err == NULL)
		return -1;
	err->code = code;
	for (i = 0; i < flen && i + 1 < sizeof(err->field); i++)
		err->field[i] = (field[i] > 0x20 && field[i] < 0x7F) ?
		    field[i] : '?';
	err->field[i] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Nesting and the number of values below the top, counted over the bytes
 * outside strings: '[' and '{' open a level and stand for its first item,
 * each ',' for one more (an empty container counts one). Not a
 * validation: malformed JSON is left to jansson.
 */
static int
aj_prescan(const char *s, size_t len, const struct api_json_limits *jl,
    struct api_json_error *err)
{
	size_t	i, depth = 0, values = 0;
	int	instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > jl->max_depth)
				return aj_fail(err, API_JSON_LIMIT, "", 0,
				    "nested too deeply (max %zu)",
				    jl->max_depth);
			/* FALLTHROUGH */
		case ',':
			if (++values > jl->max_values)
				return aj_fail(err, API_JSON_LIMIT, "", 0,
				    "too many values (max %zu)",
				    jl->max_values);
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return 0;
}

/* Index in aj_fields of the key (exact, length-counted), or -1. */
static int
aj_lookup(const char *key, size_t len)
{
	size_t	i;

	for (i = 0; i < AJ_NFIELDS; i++)
		if (strlen(aj_fields[i].key) == len &&
		    memcmp(aj_fields[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

/* One value through report_set_field; its error names the JSON key. */
static int
aj_set(struct aj_state *st, const char *key, const char *v, size_t len)
{
	struct report_error	rerr;

	if (report_set_field(st->r, st->tax, st->lim, key, strlen(key), v,
	    len, &rerr) == 0)
		return 0;
	if (strcmp(rerr.reason, "out of memory") == 0)
		return aj_fail(st->err, API_JSON_NOMEM, "", 0,
		    "out of memory");
	return aj_fail(st->err, API_JSON_INVALID, key, strlen(key), "%s",
	    rerr.reason);
}

/* The value of one known key, by the JSON types its field takes. */
static int
aj_value(struct aj_state *st, const char *key, enum aj_kind kind, json_t *v)
{
	char		 num[32];
	json_t		*el;
	size_t		 i;

	if (json_is_null(v))
		return 0;
	if (json_is_string(v))
		return aj_set(st, key, json_string_value(v),
		    json_string_length(v));
	switch (kind) {
	case AJ_LIST:
		if (!json_is_array(v))
			break;
		json_array_foreach(v, i, el) {
			if (!json_is_string(el))
				return aj_fail(st->err, API_JSON_INVALID, key,
				    strlen(key), "must be a string or an "
				    "array of strings");
			if (aj_set(st, key, json_string_value(el),
			    json_string_length(el)) == -1)
				return -1;
		}
		return 0;
	case AJ_LEVEL:
		if (!json_is_integer(v))
			return aj_fail(st->err, API_JSON_INVALID, key,
			    strlen(key), "must be an integer 1 to 5");
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return aj_set(st, key, num, strlen(num));
	case AJ_BOOL:
		if (!json_is_boolean(v))
			return aj_fail(st->err, API_JSON_INVALID, key,
			    strlen(key), "must be true, false, \"yes\" or "
			    "\"no\"");
		return aj_set(st, key, json_is_true(v) ? "yes" : "no",
		    json_is_true(v) ? 3 : 2);
	case AJ_STRING:
		break;
	}
	return aj_fail(st->err, API_JSON_INVALID, key, strlen(key),
	    kind == AJ_LIST ? "must be a string or an array of strings" :
	    "must be a string");
}

/* See api_json.h for the contract. */
int
api_json_to_report(const char *body, size_t len, const struct taxonomy *tax,
    const struct report_limits *lim, const struct api_json_limits *jlim,
    struct report *out, struct api_json_error *err)
{
	struct api_json_limits	 djl;
	struct report_error	 rerr;
	struct aj_state		 st;
	json_error_t		 jerr;
	json_t			*root, *v;
	const char		*key;
	size_t			 klen, i;
	int			 f, rc = 0;

	report_init(out);
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		err->code = API_JSON_OK;
	}
	if (jlim == NULL) {
		api_json_limits_default(&djl);
		jlim = &djl;
	}
	if (len > jlim->max_body)
		return aj_fail(err, API_JSON_TOO_LARGE, "", 0,
		    "body too large (max %zu bytes)", jlim->max_body);
	if (aj_prescan(body, len, jlim, err) == -1)
		return -1;
	root = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &jerr);
	if (root == NULL) {
		switch (json_error_code(&jerr)) {
		case json_error_out_of_memory:
			return aj_fail(err, API_JSON_NOMEM, "", 0,
			    "out of memory");
		case json_error_duplicate_key:
			return aj_fail(err, API_JSON_INVALID, "", 0,
			    "a key is given twice");
		default:
			return aj_fail(err, API_JSON_NOT_JSON, "", 0,
			    "not JSON: %s (line %d, column %d)", jerr.text,
			    jerr.line, jerr.column);
		}
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return aj_fail(err, API_JSON_NOT_OBJECT, "", 0,
		    "not a JSON object");
	}
	if (json_object_size(root) > jlim->max_keys) {
		json_decref(root);
		return aj_fail(err, API_JSON_LIMIT, "", 0,
		    "too many keys (max %zu)", jlim->max_keys);
	}
	st.tax = tax;
	st.lim = lim;
	st.r = out;
	st.err = err;
	json_object_keylen_foreach(root, key, klen, v) {
		if ((f = aj_lookup(key, klen)) == -1) {
			rc = aj_fail(err, API_JSON_INVALID, key, klen,
			    "unknown field");
			break;
		}
		if ((rc = aj_value(&st, aj_fields[f].key, aj_fields[f].kind,
		    v)) == -1)
			break;
	}
	json_decref(root);
	if (rc == -1)
		return -1;
	if (report_finish(out, &rerr) == -1) {
		for (i = 0; rerr.field[i] != '\0'; i++)
			if (rerr.field[i] == '-')
				rerr.field[i] = '_';
		return aj_fail(err, API_JSON_INVALID, rerr.field,
		    strlen(rerr.field), "%s", rerr.reason);
	}
	return 0;
}
