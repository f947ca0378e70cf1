/*
 * export_fmt.c - the encoders of exports (see export.h): JSON lines, CSV
 * (RFC 4180) and IODEF v2 (RFC 7970), appended to the pages' growable
 * buffer (page.h) under export's own bound.
 *
 * Text from reports is attacker-controlled: JSON goes through jansson,
 * CSV cells are quoted by the RFC's rule and defused against spreadsheet
 * formulas, and XML text is escaped, with the characters XML 1.0 cannot
 * carry at all (C0 controls but tab, CR, LF; U+FFFE, U+FFFF; broken UTF-8)
 * replaced by U+FFFD, so the document always parses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Text of a description or subject written at most (bytes; UTF-8 kept). */
#define EXPORT_TEXT_MAX	65536

int
export_format_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "jsonl") == 0)
		return EXPORT_JSONL;
	if (strcmp(s, "csv") == 0)
		return EXPORT_CSV;
	if (strcmp(s, "iodef") == 0)
		return EXPORT_IODEF;
	return -1;
}

const char *
export_content_type(enum export_format f)
{
	switch (f) {
	case EXPORT_CSV:
		return "text/csv; charset=utf-8; header=present";
	case EXPORT_IODEF:
		return "application/xml; charset=utf-8";
	default:
		return "application/jsonl; charset=utf-8";
	}
}

/* --- the buffer --------------------------------------------------------- */

void
export_buf_add(struct page_buf *b, const void *p, size_t len)
{
	page_buf_append_max(b, p, len, EXPORT_BUF_MAX);
}

void
export_buf_str(struct page_buf *b, const char *s)
{
	if (s != NULL)
		export_buf_add(b, s, strlen(s));
}

static void
export_time(struct page_buf *b, long long t)
{
	char	buf[32];

	format_time_utc((time_t)t, buf, sizeof(buf));
	export_buf_str(b, buf);
}

/* --- CSV ------------------------------------------------------------------ */

void
export_csv_cell(struct page_buf *b, const char *s)
{
	const char	*p;
	int		 quote, formula;

	if (s == NULL)
		return;
	/* a spreadsheet runs =, +, -, @ (and after tab or CR) as a formula */
	formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r';
	quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (!quote) {
		export_buf_str(b, s);
		return;
	}
	export_buf_add(b, "\"", 1);
	if (formula)
		export_buf_add(b, "'", 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			export_buf_add(b, "\"\"", 2);
		else
			export_buf_add(b, p, 1);
	}
	export_buf_add(b, "\"", 1);
}

static const char *const export_csv_header[] = {
	"incident_id", "incident_status", "category", "rsit_taxonomy",
	"rsit_type", "mau05", "incident_severity", "serious",
	"incident_verified", "report_count", "first_seen", "last_seen",
	"handling", "report_id", "channel", "received_at", "report_category",
	"report_severity", "verified", "auto", "confidential",
	"reporter_name", "reporter_email", "reporter_phone", "organization",
	"subject", "description", "detected_at", "occurred_at",
	"system_level", "affected_system", "indicators"
};

static void
export_csv_int(struct page_buf *b, long long v)
{
	char	buf[24];

	snprintf(buf, sizeof(buf), "%lld", v);
	export_buf_str(b, buf);
}

static void
export_csv_time(struct page_buf *b, long long t)
{
	if (t != 0)
		export_time(b, t);
}

/* "type:value type:value": the report's indicators in one cell. */
static void
export_csv_indicators(struct page_buf *b, const struct export_report *r)
{
	struct page_buf	cell = { NULL, 0, 0, 0 };
	size_t			i;

	for (i = 0; i < r->n_ind; i++) {
		if (i > 0)
			export_buf_add(&cell, " ", 1);
		export_buf_str(&cell, r->ind[i].type);
		export_buf_add(&cell, ":", 1);
		export_buf_str(&cell, r->ind[i].value);
	}
	if (cell.failed)
		b->failed = 1;
	else if (cell.data != NULL)
		export_csv_cell(b, cell.data);
	page_buf_free(&cell);
}

static void
export_csv_row(struct page_buf *b, const struct export_incident *inc,
    const struct export_report *r)
{
	const struct taxonomy_entry *t = inc->tax;
	int	c = !!r->confidential;

#define CELL(s)	do { export_csv_cell(b, (s)); export_buf_add(b, ",", 1); } while (0)
#define BOOL(v)	CELL((v) ? "true" : "false")
	CELL(inc->id);
	CELL(inc->status);
	CELL(inc->category);
	CELL(t != NULL ? t->rsit_taxonomy : NULL);
	CELL(t != NULL ? t->rsit_type : NULL);
	if (t != NULL && t->mau05 > 0)
		export_csv_int(b, t->mau05);
	export_buf_add(b, ",", 1);
	CELL(inc->severity);
	BOOL(inc->serious);
	BOOL(inc->verified);
	export_csv_int(b, inc->report_count);
	export_buf_add(b, ",", 1);
	export_csv_time(b, inc->first_seen);
	export_buf_add(b, ",", 1);
	export_csv_time(b, inc->last_seen);
	export_buf_add(b, ",", 1);
	CELL(inc->handling);
	CELL(r->id);
	CELL(r->channel);
	export_csv_time(b, r->received_at);
	export_buf_add(b, ",", 1);
	CELL(r->category);
	CELL(r->severity);
	BOOL(r->verified);
	BOOL(r->is_auto);
	BOOL(c);
	CELL(c ? NULL : r->reporter_name);
	CELL(c ? NULL : r->reporter_email);
	CELL(c ? NULL : r->reporter_phone);
	CELL(c ? NULL : r->organization);
	CELL(r->subject);
	CELL(r->description);
	CELL(r->detected_at);
	CELL(r->occurred_at);
	if (r->system_level > 0)
		export_csv_int(b, r->system_level);
	export_buf_add(b, ",", 1);
	CELL(r->affected_system);
	export_csv_indicators(b, r);
	export_buf_add(b, "\r\n", 2);
#undef CELL
#undef BOOL
}

/* --- JSON lines ------------------------------------------------------------ */

/* Set obj[key] to a string, or null for NULL (or text that is not UTF-8). */
static void
export_json_str(json_t *obj, const char *key, const char *v)
{
	json_t	*s = v != NULL ? json_string(v) : NULL;

	json_object_set_new(obj, key, s != NULL ? s : json_null());
}

static void
export_json_time(json_t *obj, const char *key, long long t)
{
	char	buf[32];

	if (t == 0) {
		json_object_set_new(obj, key, json_null());
		return;
	}
	format_time_utc((time_t)t, buf, sizeof(buf));
	json_object_set_new(obj, key, json_string(buf));
}

/* Append o as one compact JSON text, without its closing brace if open. */
static void
export_json_dump(struct page_buf *b, json_t *o, int open)
{
	char	*s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t	 n;

	if (s == NULL) {
		b->failed = 1;
		return;
	}
	n = strlen(s);
	export_buf_add(b, s, open && n > 0 ? n - 1 : n);
	free(s);
}

static void
export_jsonl_open(const struct export_incident *inc, struct page_buf *b)
{
	const struct taxonomy_entry *t = inc->tax;
	json_t		*o = json_object(), *rsit, *ch, *a;
	const char	*p, *c;

	export_json_str(o, "id", inc->id);
	export_json_str(o, "status", inc->status);
	export_json_str(o, "category", inc->category);
	rsit = json_object();
	export_json_str(rsit, "taxonomy", t != NULL ? t->rsit_taxonomy : NULL);
	export_json_str(rsit, "type", t != NULL ? t->rsit_type : NULL);
	json_object_set_new(o, "rsit", rsit);
	json_object_set_new(o, "mau05", t != NULL && t->mau05 > 0 ?
	    json_integer(t->mau05) : json_null());
	export_json_str(o, "severity", inc->severity);
	json_object_set_new(o, "serious", json_boolean(inc->serious));
	json_object_set_new(o, "verified", json_boolean(inc->verified));
	json_object_set_new(o, "report_count",
	    json_integer(inc->report_count));
	export_json_time(o, "first_seen", inc->first_seen);
	export_json_time(o, "last_seen", inc->last_seen);
	export_json_time(o, "detected_at", inc->detected_at);
	export_json_time(o, "resolved_at", inc->resolved_at);
	json_object_set_new(o, "system_level", inc->system_level > 0 ?
	    json_integer(inc->system_level) : json_null());
	ch = json_array();
	for (p = inc->channels; p != NULL && *p != '\0'; p = c + (*c != '\0')) {
		c = p + strcspn(p, ",");
		json_array_append_new(ch, json_stringn(p, c - p));
	}
	json_object_set_new(o, "channels", ch);
	export_json_str(o, "handling", inc->handling);
	a = inc->assessment != NULL ? json_loads(inc->assessment, 0, NULL) :
	    NULL;
	json_object_set_new(o, "assessment", a != NULL ? a : json_null());
	json_object_set_new(o, "reports", json_array());
	/* the reports follow one by one: leave the list open */
	export_json_dump(b, o, 1);
	json_decref(o);
	if (b->len >= 2 && b->data[b->len - 1] == ']')
		b->len--;
}

static void
export_jsonl_report(const struct export_report *r, int first,
    struct page_buf *b)
{
	json_t	*o = json_object(), *who, *list;
	size_t	 i;

	export_json_str(o, "id", r->id);
	export_json_str(o, "channel", r->channel);
	export_json_time(o, "received_at", r->received_at);
	export_json_str(o, "category", r->category);
	export_json_str(o, "severity", r->severity);
	json_object_set_new(o, "verified", json_boolean(r->verified));
	json_object_set_new(o, "auto", json_boolean(r->is_auto));
	json_object_set_new(o, "confidential", json_boolean(r->confidential));
	if (r->confidential)
		who = json_null();
	else {
		who = json_object();
		export_json_str(who, "name", r->reporter_name);
		export_json_str(who, "email", r->reporter_email);
		export_json_str(who, "phone", r->reporter_phone);
		export_json_str(who, "organization", r->organization);
		export_json_str(who, "operating_unit", r->operating_unit);
		export_json_str(who, "token", r->token);
	}
	json_object_set_new(o, "reporter", who);
	export_json_str(o, "subject", r->subject);
	export_json_str(o, "description", r->description);
	export_json_str(o, "detected_at", r->detected_at);
	export_json_str(o, "occurred_at", r->occurred_at);
	json_object_set_new(o, "system_level", r->system_level > 0 ?
	    json_integer(r->system_level) : json_null());
	export_json_str(o, "affected_system", r->affected_system);
	list = json_array();
	for (i = 0; i < r->n_ind; i++)
		json_array_append_new(list, json_pack("{s:s?, s:s?}", "type",
		    r->ind[i].type, "value", r->ind[i].value));
	json_object_set_new(o, "indicators", list);
	if (!first)
		export_buf_add(b, ",", 1);
	export_json_dump(b, o, 0);
	json_decref(o);
}

/* --- XML and IODEF --------------------------------------------------------- */

/* Length of the UTF-8 sequence at p (n bytes left) that XML may carry. */
static size_t
export_xml_char(const unsigned char *p, size_t n)
{
	unsigned	cp;
	size_t		len, i;

	if (p[0] < 0x80)
		return p[0] >= 0x20 || p[0] == '\t' || p[0] == '\n' ||
		    p[0] == '\r' ? 1 : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

void
export_xml_text(struct page_buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, k;

	if (s == NULL)
		return;
	n = strlen(s);
	while (n > 0) {
		switch (*p) {
		case '<':
			export_buf_str(b, "&lt;");
			k = 1;
			break;
		case '>':
			export_buf_str(b, "&gt;");
			k = 1;
			break;
		case '&':
			export_buf_str(b, "&amp;");
			k = 1;
			break;
		case '"':
			export_buf_str(b, "&quot;");
			k = 1;
			break;
		case '\r':
			/* a parser would turn a raw CR into LF */
			export_buf_str(b, "&#13;");
			k = 1;
			break;
		default:
			if ((k = export_xml_char(p, n)) == 0) {
				export_buf_str(b, "\xef\xbf\xbd");
				k = 1;
			} else
				export_buf_add(b, p, k);
		}
		p += k;
		n -= k;
	}
}

/* <name>text</name> when text is not NULL. */
static void
export_xml_elem(struct page_buf *b, const char *indent, const char *name,
    const char *text)
{
	if (text == NULL)
		return;
	export_buf_str(b, indent);
	export_buf_add(b, "<", 1);
	export_buf_str(b, name);
	export_buf_add(b, ">", 1);
	export_xml_text(b, text);
	export_buf_add(b, "</", 2);
	export_buf_str(b, name);
	export_buf_add(b, ">\n", 2);
}

static void
export_xml_time(struct page_buf *b, const char *indent, const char *name,
    long long t)
{
	char	buf[32];

	if (t == 0)
		return;
	format_time_utc((time_t)t, buf, sizeof(buf));
	export_xml_elem(b, indent, name, buf);
}

/* <AdditionalData dtype="string" meaning="...">text</AdditionalData> */
static void
export_xml_data(struct page_buf *b, const char *indent, const char *meaning,
    const char *dtype, const char *text)
{
	if (text == NULL)
		return;
	export_buf_str(b, indent);
	export_buf_str(b, "<AdditionalData dtype=\"");
	export_buf_str(b, dtype);
	export_buf_str(b, "\" meaning=\"");
	export_xml_text(b, meaning);
	export_buf_str(b, "\">");
	export_xml_text(b, text);
	export_buf_str(b, "</AdditionalData>\n");
}

/* IODEF's incident status (RFC 7970 3.2) of ours; ext-status otherwise. */
static const char *
export_iodef_status(const char *st, const char **ext)
{
	*ext = NULL;
	if (strcmp(st, "new") == 0)
		return "new";
	if (strcmp(st, "triaged") == 0 || strcmp(st, "in-progress") == 0)
		return "in-progress";
	if (strcmp(st, "resolved") == 0 || strcmp(st, "closed") == 0)
		return "resolved";
	*ext = st;
	return "ext-value";
}

static void
export_iodef_head(const struct export_origin *o, struct page_buf *b)
{
	export_buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<IODEF-Document version=\"2.00\" xml:lang=\"vi\"\n"
	    "    xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">\n");
}

static void
export_iodef_open(const struct export_origin *o,
    const struct export_incident *inc, struct page_buf *b)
{
	const char	*ext, *st = export_iodef_status(inc->status, &ext);
	const char	*sev = inc->severity;

	export_buf_str(b, "  <Incident purpose=\"reporting\""
	    " restriction=\"private\" status=\"");
	export_buf_str(b, st);
	if (ext != NULL) {
		export_buf_str(b, "\" ext-status=\"");
		export_xml_text(b, ext);
	}
	export_buf_str(b, "\">\n    <IncidentID name=\"");
	export_xml_text(b, o->name);
	export_buf_str(b, "\">");
	export_xml_text(b, inc->id);
	export_buf_str(b, "</IncidentID>\n");
	export_xml_time(b, "    ", "DetectTime", inc->detected_at);
	export_xml_time(b, "    ", "ReportTime", inc->first_seen);
	export_xml_time(b, "    ", "GenerationTime", o->generated_at);
	/* RFC 7970's severity has no "critical": high, and ours beside it */
	if (sev != NULL && strcmp(sev, "critical") == 0)
		sev = "high";
	export_buf_str(b, "    <Assessment occurrence=\"actual\">\n");
	export_xml_elem(b, "      ", "IncidentCategory", inc->category);
	export_buf_str(b, "      <SystemImpact");
	if (sev != NULL) {
		export_buf_str(b, " severity=\"");
		export_xml_text(b, sev);
		export_buf_str(b, "\"");
	}
	export_buf_str(b, " type=\"unknown\"/>\n    </Assessment>\n");
	export_buf_str(b, "    <Contact role=\"creator\""
	    " type=\"organization\">\n");
	export_xml_elem(b, "      ", "ContactName", o->organization);
	if (o->email != NULL) {
		export_buf_str(b, "      <Email>\n");
		export_xml_elem(b, "        ", "EmailTo", o->email);
		export_buf_str(b, "      </Email>\n");
	}
	export_buf_str(b, "    </Contact>\n");
}

/* The System of one indicator inside a Flow, or nothing for a hash/CVE. */
static void
export_iodef_system(const struct export_indicator *ind, struct page_buf *b)
{
	static const struct {
		const char	*type, *category;
	} addr[] = {
		{ "ipv4", "ipv4-addr" }, { "ipv6", "ipv6-addr" },
		{ "email", "e-mail" }, { "url", "site-uri" },
	};
	size_t	i;

	for (i = 0; i < nitems(addr); i++)
		if (strcmp(ind->type, addr[i].type) == 0)
			break;
	if (i == nitems(addr) && strcmp(ind->type, "domain") != 0)
		return;
	export_buf_str(b, "        <System category=\"ext-value\""
	    " ext-category=\"observed\">\n          <Node>\n");
	if (i < nitems(addr)) {
		export_buf_str(b, "            <Address category=\"");
		export_buf_str(b, addr[i].category);
		export_buf_str(b, "\">");
		export_xml_text(b, ind->value);
		export_buf_str(b, "</Address>\n");
	} else {
		export_buf_str(b, "            <DomainData>\n");
		export_xml_elem(b, "              ", "Name", ind->value);
		export_buf_str(b, "            </DomainData>\n");
	}
	export_buf_str(b, "          </Node>\n        </System>\n");
}

static int
export_iodef_addressable(const char *type)
{
	return strcmp(type, "ipv4") == 0 || strcmp(type, "ipv6") == 0 ||
	    strcmp(type, "email") == 0 || strcmp(type, "url") == 0 ||
	    strcmp(type, "domain") == 0;
}

static void
export_iodef_report(const struct export_report *r, struct page_buf *b)
{
	size_t	i, n = 0;
	char	buf[24];

	export_buf_str(b, "    <EventData>\n");
	export_xml_elem(b, "      ", "Description", r->subject);
	export_xml_elem(b, "      ", "Description", r->description);
	export_xml_time(b, "      ", "ReportTime", r->received_at);
	if (!r->confidential && (r->reporter_name != NULL ||
	    r->reporter_email != NULL || r->reporter_phone != NULL ||
	    r->organization != NULL)) {
		export_buf_str(b, "      <Contact role=\"reporter\" type=\"");
		export_buf_str(b, r->reporter_name != NULL ||
		    r->organization == NULL ? "person" : "organization");
		export_buf_str(b, "\">\n");
		export_xml_elem(b, "        ", "ContactName",
		    r->reporter_name != NULL ? r->reporter_name :
		    r->organization);
		if (r->reporter_name != NULL && r->organization != NULL)
			export_xml_elem(b, "        ", "Description",
			    r->organization);
		if (r->reporter_email != NULL) {
			export_buf_str(b, "        <Email>\n");
			export_xml_elem(b, "          ", "EmailTo",
			    r->reporter_email);
			export_buf_str(b, "        </Email>\n");
		}
		if (r->reporter_phone != NULL) {
			export_buf_str(b, "        <Telephone>\n");
			export_xml_elem(b, "          ", "TelephoneNumber",
			    r->reporter_phone);
			export_buf_str(b, "        </Telephone>\n");
		}
		export_buf_str(b, "      </Contact>\n");
	}
	for (i = 0; i < r->n_ind; i++)
		n += export_iodef_addressable(r->ind[i].type);
	if (n > 0) {
		export_buf_str(b, "      <Flow>\n");
		for (i = 0; i < r->n_ind; i++)
			export_iodef_system(&r->ind[i], b);
		export_buf_str(b, "      </Flow>\n");
	}
	export_xml_data(b, "      ", "report-id", "string", r->id);
	export_xml_data(b, "      ", "channel", "string", r->channel);
	for (i = 0; i < r->n_ind; i++)
		if (!export_iodef_addressable(r->ind[i].type))
			export_xml_data(b, "      ", r->ind[i].type, "string",
			    r->ind[i].value);
	if (r->system_level > 0) {
		snprintf(buf, sizeof(buf), "%d", r->system_level);
		export_xml_data(b, "      ", "system-level", "integer", buf);
	}
	export_xml_data(b, "      ", "affected-system", "string",
	    r->affected_system);
	export_buf_str(b, "    </EventData>\n");
}

static void
export_iodef_close(const struct export_incident *inc, struct page_buf *b)
{
	const struct taxonomy_entry *t = inc->tax;
	char	buf[24];

	if (t != NULL) {
		export_xml_data(b, "    ", "rsit:classification.taxonomy",
		    "string", t->rsit_taxonomy);
		export_xml_data(b, "    ", "rsit:classification.type", "string",
		    t->rsit_type);
		if (t->mau05 > 0) {
			snprintf(buf, sizeof(buf), "%d", t->mau05);
			export_xml_data(b, "    ", "mau05-row", "integer", buf);
		}
	}
	export_xml_data(b, "    ", "severity", "string", inc->severity);
	export_xml_data(b, "    ", "serious", "boolean", inc->serious ?
	    "true" : "false");
	export_xml_data(b, "    ", "handling", "string", inc->handling);
	export_xml_data(b, "    ", "assessment", "json", inc->assessment);
	export_buf_str(b, "  </Incident>\n");
}

/* --- the encoders ----------------------------------------------------------- */

void
export_head(enum export_format f, const struct export_origin *o,
    struct page_buf *b)
{
	size_t	i;

	switch (f) {
	case EXPORT_CSV:
		for (i = 0; i < nitems(export_csv_header); i++) {
			if (i > 0)
				export_buf_add(b, ",", 1);
			export_buf_str(b, export_csv_header[i]);
		}
		export_buf_add(b, "\r\n", 2);
		break;
	case EXPORT_IODEF:
		export_iodef_head(o, b);
		break;
	case EXPORT_JSONL:
		break;
	}
}

void
export_incident_open(enum export_format f, const struct export_origin *o,
    const struct export_incident *inc, struct page_buf *b)
{
	if (f == EXPORT_JSONL)
		export_jsonl_open(inc, b);
	else if (f == EXPORT_IODEF)
		export_iodef_open(o, inc, b);
}

void
export_report(enum export_format f, const struct export_origin *o,
    const struct export_incident *inc, const struct export_report *r,
    int first, struct page_buf *b)
{
	switch (f) {
	case EXPORT_JSONL:
		export_jsonl_report(r, first, b);
		break;
	case EXPORT_CSV:
		export_csv_row(b, inc, r);
		break;
	case EXPORT_IODEF:
		export_iodef_report(r, b);
		break;
	}
}

void
export_incident_close(enum export_format f, const struct export_incident *inc,
    struct page_buf *b)
{
	if (f == EXPORT_JSONL)
		export_buf_str(b, "]}\n");
	else if (f == EXPORT_IODEF)
		export_iodef_close(inc, b);
}

void
export_tail(enum export_format f, struct page_buf *b)
{
	if (f == EXPORT_IODEF)
		export_buf_str(b, "</IODEF-Document>\n");
}
