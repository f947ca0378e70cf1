/*
 * test_export.c - the export encoders (export.h): CSV cells by RFC 4180
 * (quoting, doubled quotes, line breaks kept, formulas defused), XML text
 * escaping (markup, CR, characters XML cannot carry, broken UTF-8), the
 * RSIT labels of each category as taxonomy.tsv gives them, and a
 * confidential report's reporter in none of the three formats while the
 * others' are there. The CSV and JSON lines are read back with a parser
 * of this file's own (CSV) and jansson (JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "taxonomy.h"
#include "t.h"

static struct taxonomy	tax;

/* s appended as a CSV cell, as a new string in static storage. */
static const char *
csv(const char *s)
{
	static char		out[512];
	struct page_buf	b = { NULL, 0, 0, 0 };

	export_csv_cell(&b, s);
	snprintf(out, sizeof(out), "%s", b.data != NULL ? b.data : "");
	page_buf_free(&b);
	return out;
}

static const char *
xml(const char *s)
{
	static char		out[512];
	struct page_buf	b = { NULL, 0, 0, 0 };

	export_xml_text(&b, s);
	snprintf(out, sizeof(out), "%s", b.data != NULL ? b.data : "");
	page_buf_free(&b);
	return out;
}

static void
test_csv_cells(void)
{
	CHECK_STR(csv("plain"), "plain");
	CHECK_STR(csv("Tấn công"), "Tấn công");
	CHECK_STR(csv("a,b"), "\"a,b\"");
	CHECK_STR(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR(csv("two\r\nlines"), "\"two\r\nlines\"");
	CHECK_STR(csv("lf\nonly"), "\"lf\nonly\"");
	CHECK_STR(csv("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
	CHECK_STR(csv("+1"), "\"'+1\"");
	CHECK_STR(csv("-cmd"), "\"'-cmd\"");
	CHECK_STR(csv("@SUM(A1)"), "\"'@SUM(A1)\"");
	CHECK_STR(csv("\tx"), "\"'\tx\"");
	CHECK_STR(csv("a-b"), "a-b");
	CHECK_STR(csv(""), "");
	CHECK_STR(csv(NULL), "");
}

static void
test_xml_text(void)
{
	CHECK_STR(xml("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
	CHECK_STR(xml("cr\rlf\ntab\t"), "cr&#13;lf\ntab\t");
	CHECK_STR(xml("bell\x07"), "bell\xef\xbf\xbd");
	CHECK_STR(xml("Tấn công"), "Tấn công");
	CHECK_STR(xml("bad\xff"), "bad\xef\xbf\xbd");
	CHECK_STR(xml("cut\xe1\xba"), "cut\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(xml("nonchar\xef\xbf\xbe"),
	    "nonchar\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(xml("surrogate\xed\xa0\x80"),
	    "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(xml("overlong\xc0\xaf"), "overlong\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(xml("emoji \xf0\x9f\x98\x80"), "emoji \xf0\x9f\x98\x80");
}

/*
 * Split one CSV record of RFC 4180 starting at *p into cells (at most
 * max); *p moves past its CRLF. Returns the number of cells, -1 when
 * malformed.
 */
static int
csv_record(const char **p, char cells[][256], int max)
{
	const char	*s = *p;
	int		 n = 0;
	size_t		 o;

	for (;;) {
		if (n == max)
			return -1;
		o = 0;
		if (*s == '"') {
			for (s++; ; s++) {
				if (*s == '\0')
					return -1;
				if (*s == '"' && s[1] == '"')
					s++;
				else if (*s == '"') {
					s++;
					break;
				}
				if (o < 255)
					cells[n][o++] = *s;
			}
		} else
			while (*s != ',' && *s != '\r' && *s != '\0') {
				if (*s == '"' || *s == '\n')
					return -1;
				if (o < 255)
					cells[n][o++] = *s;
				s++;
			}
		cells[n++][o] = '\0';
		if (*s == ',') {
			s++;
			continue;
		}
		if (s[0] != '\r' || s[1] != '\n')
			return -1;
		*p = s + 2;
		return n;
	}
}

/* One incident, a report from a named reporter and a confidential one. */
static void
encode(enum export_format f, const char *cat, struct page_buf *b)
{
	static const struct export_indicator ind[] = {
		{ "ipv4", "192.0.2.7" }, { "domain", "evil.example" },
		{ "sha256", "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855" },
	};
	struct export_origin	o = { "CERT Tỉnh", "ir@cert.example",
				    "cert.example", 1795280400 };
	struct export_incident	inc;
	struct export_report	r1, r2;

	memset(&inc, 0, sizeof(inc));
	inc.id = "IN-20261121-000001";
	inc.status = "triaged";
	inc.category = cat;
	inc.severity = "critical";
	inc.verified = 1;
	inc.serious = 1;
	inc.report_count = 2;
	inc.first_seen = 1795280400;
	inc.last_seen = 1795284000;
	inc.channels = "line,web";
	inc.handling = "domestic_help";
	inc.assessment = "{\"scope\":\"one host\"}";
	inc.tax = taxonomy_find(&tax, cat, strlen(cat));
	memset(&r1, 0, sizeof(r1));
	r1.id = "IR-20261121-000001";
	r1.channel = "line";
	r1.category = cat;
	r1.severity = "high";
	r1.received_at = 1795280400;
	r1.description = "=cmd|' /C calc'!A0, \"quoted\"\r\nnext <line>";
	r1.reporter_name = "Nguyễn Văn Công Khai";
	r1.reporter_email = "public@isp.example";
	r1.reporter_phone = "+84 24 0000 0001";
	r1.organization = "ISP Công Khai";
	r1.ind = ind;
	r1.n_ind = 3;
	memset(&r2, 0, sizeof(r2));
	r2.id = "IR-20261121-000002";
	r2.channel = "web";
	r2.category = cat;
	r2.severity = "critical";
	r2.received_at = 1795284000;
	r2.confidential = 1;
	r2.description = "kept";
	/* the cursor never reads these; the encoders must drop them too */
	r2.reporter_name = "Bí Mật Nguyễn";
	r2.reporter_email = "secret@hidden.example";
	r2.reporter_phone = "+84 99 9999 9999";
	r2.organization = "Secret Org";
	r2.operating_unit = "Secret Unit";
	r2.token = "secret-token";
	r2.ind = ind;
	r2.n_ind = 1;
	export_head(f, &o, b);
	export_incident_open(f, &o, &inc, b);
	export_report(f, &o, &inc, &r1, 1, b);
	export_report(f, &o, &inc, &r2, 0, b);
	export_incident_close(f, &inc, b);
	export_tail(f, b);
}

static void
test_confidential(void)
{
	static const char *const secrets[] = { "Bí Mật", "secret@hidden",
	    "9999 9999", "Secret Org", "Secret Unit", "secret-token" };
	struct page_buf	b;
	size_t			i;
	int			f;

	for (f = EXPORT_JSONL; f <= EXPORT_IODEF; f++) {
		memset(&b, 0, sizeof(b));
		encode(f, "phishing", &b);
		CHECK(b.data != NULL && !b.failed);
		for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
			if (strstr(b.data, secrets[i]) != NULL) {
				printf("FAIL format %d carries \"%s\"\n", f,
				    secrets[i]);
				CHECK(0);
			}
		CHECK(strstr(b.data, "public@isp.example") != NULL);
		CHECK(strstr(b.data, "Nguyễn Văn Công Khai") != NULL);
		page_buf_free(&b);
	}
}

static void
test_csv_export(void)
{
	struct page_buf	 b;
	char			 head[40][256], row[40][256];
	const char		*p;
	int			 nh, n, i, rows = 0;

	memset(&b, 0, sizeof(b));
	encode(EXPORT_CSV, "phishing", &b);
	p = b.data;
	nh = csv_record(&p, head, 40);
	CHECK(nh > 20);
	while (*p != '\0') {
		n = csv_record(&p, row, 40);
		CHECK(n == nh);
		if (n != nh)
			break;
		rows++;
		for (i = 0; i < nh; i++) {
			if (strcmp(head[i], "rsit_taxonomy") == 0)
				CHECK_STR(row[i], "fraud");
			if (strcmp(head[i], "rsit_type") == 0)
				CHECK_STR(row[i], "phishing");
			if (strcmp(head[i], "mau05") == 0)
				CHECK_STR(row[i], "2");
			if (strcmp(head[i], "description") == 0 && rows == 1)
				CHECK_STR(row[i], "'=cmd|' /C calc'!A0, "
				    "\"quoted\"\r\nnext <line>");
			if (strcmp(head[i], "indicators") == 0 && rows == 1)
				CHECK(strstr(row[i], "domain:evil.example") !=
				    NULL);
		}
	}
	CHECK(rows == 2);
	page_buf_free(&b);
}

static void
test_jsonl_export(void)
{
	struct page_buf	 b;
	json_t			*o, *reports;
	json_error_t		 jerr;
	size_t			 i;

	for (i = 0; i < tax.n; i++) {
		memset(&b, 0, sizeof(b));
		encode(EXPORT_JSONL, tax.entries[i].code, &b);
		/* one incident, one line */
		CHECK(b.len > 0 && b.data[b.len - 1] == '\n' &&
		    strchr(b.data, '\n') == b.data + b.len - 1);
		o = json_loads(b.data, 0, &jerr);
		CHECK(o != NULL);
		if (o == NULL) {
			printf("FAIL JSON: %s: %s\n", jerr.text, b.data);
			page_buf_free(&b);
			continue;
		}
		CHECK_STR(json_string_value(json_object_get(json_object_get(o,
		    "rsit"), "taxonomy")), tax.entries[i].rsit_taxonomy);
		CHECK_STR(json_string_value(json_object_get(json_object_get(o,
		    "rsit"), "type")), tax.entries[i].rsit_type);
		CHECK(tax.entries[i].mau05 > 0 ? json_integer_value(
		    json_object_get(o, "mau05")) == tax.entries[i].mau05 :
		    json_is_null(json_object_get(o, "mau05")));
		reports = json_object_get(o, "reports");
		CHECK(json_array_size(reports) == 2);
		CHECK(json_is_null(json_object_get(json_array_get(reports, 1),
		    "reporter")));
		CHECK(json_is_object(json_object_get(json_array_get(reports,
		    0), "reporter")));
		json_decref(o);
		page_buf_free(&b);
	}
}

static void
test_iodef_export(void)
{
	struct page_buf	b;

	memset(&b, 0, sizeof(b));
	encode(EXPORT_IODEF, "malware", &b);
	CHECK(strncmp(b.data, "<?xml", 5) == 0);
	CHECK(strstr(b.data, "meaning=\"rsit:classification.taxonomy\">"
	    "malicious-code<") != NULL);
	CHECK(strstr(b.data, "meaning=\"rsit:classification.type\">"
	    "infected-system<") != NULL);
	/* RFC 7970's severities stop at high */
	CHECK(strstr(b.data, "severity=\"critical\"") == NULL);
	CHECK(strstr(b.data, "&lt;line&gt;") != NULL);
	CHECK(strstr(b.data, "&#13;") != NULL);
	CHECK(strstr(b.data, "<Address category=\"ipv4-addr\">192.0.2.7<") !=
	    NULL);
	CHECK(strstr(b.data, "</IODEF-Document>\n") != NULL);
	page_buf_free(&b);
}

int
main(void)
{
	char	err[256];

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1) {
		printf("FAIL taxonomy: %s\n", err);
		return 1;
	}
	test_csv_cells();
	test_xml_text();
	test_confidential();
	test_csv_export();
	test_jsonl_export();
	test_iodef_export();
	taxonomy_free(&tax);
	return t_done();
}
