/*
 * test_inflate.c - bounded decompression (inflate.h) and aggregate reports
 * (aggregate.h): gzip files (one member, several, truncated, not gzip),
 * zip archives written here byte by byte after the APPNOTE (stored and
 * deflated members, the member chosen by its name, directories skipped,
 * a CRC mismatch, encryption, ZIP64 markers, a central directory that
 * points outside, no end record), the bounds (output size, ratio: a
 * "bomb" of zeros), and DMARC and SMTP TLS reports found in messages as
 * text, gzip and zip, or too large to open but named as the RFCs say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "aggregate.h"
#include "inflate.h"
#include "t.h"

/* A growable byte buffer for the archives written here. */
struct buf {
	unsigned char	d[1 << 20];
	size_t		n;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n <= sizeof(b->d)) {
		memcpy(b->d + b->n, p, n);
		b->n += n;
	}
}

static void
put16(struct buf *b, unsigned v)
{
	unsigned char	x[2] = { v & 0xff, (v >> 8) & 0xff };

	put(b, x, 2);
}

static void
put32(struct buf *b, unsigned long v)
{
	unsigned char	x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
			    (v >> 24) & 0xff };

	put(b, x, 4);
}

/* Compress in with zlib: gzip (gz) or raw deflate. Returns the length. */
static size_t
squeeze(const void *in, size_t len, unsigned char *out, size_t cap, int gz)
{
	z_stream	zs;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, gz ? 16 + MAX_WBITS : -MAX_WBITS,
	    8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)in;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		return 0;
	}
	deflateEnd(&zs);
	return zs.total_out;
}

struct member {
	const char	*name;
	const char	*data;
	size_t		 len;
	int		 deflate;
	unsigned	 flags;
	int		 bad_crc;
};

/* A zip archive of the members (APPNOTE 4.3), into b. */
static void
zip_write(struct buf *b, const struct member *m, size_t n, int zip64)
{
	static unsigned char	 comp[64][4096];
	unsigned long		 off[64], crc[64], cl[64];
	size_t			 i, cdir;

	b->n = 0;
	for (i = 0; i < n; i++) {
		off[i] = b->n;
		crc[i] = crc32(0, (const unsigned char *)m[i].data, m[i].len) ^
		    (m[i].bad_crc ? 1 : 0);
		cl[i] = m[i].deflate ? squeeze(m[i].data, m[i].len, comp[i],
		    sizeof(comp[i]), 0) : m[i].len;
		put(b, "PK\3\4", 4);
		put16(b, 20);
		put16(b, m[i].flags);
		put16(b, m[i].deflate ? 8 : 0);
		put16(b, 0);
		put16(b, 0);
		put32(b, crc[i]);
		put32(b, cl[i]);
		put32(b, m[i].len);
		put16(b, strlen(m[i].name));
		put16(b, 0);
		put(b, m[i].name, strlen(m[i].name));
		put(b, m[i].deflate ? (const void *)comp[i] :
		    (const void *)m[i].data, cl[i]);
	}
	cdir = b->n;
	for (i = 0; i < n; i++) {
		put(b, "PK\1\2", 4);
		put16(b, 20);
		put16(b, 20);
		put16(b, m[i].flags);
		put16(b, m[i].deflate ? 8 : 0);
		put16(b, 0);
		put16(b, 0);
		put32(b, crc[i]);
		put32(b, zip64 ? 0xFFFFFFFFul : cl[i]);
		put32(b, zip64 ? 0xFFFFFFFFul : m[i].len);
		put16(b, strlen(m[i].name));
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put32(b, 0);
		put32(b, off[i]);
		put(b, m[i].name, strlen(m[i].name));
	}
	put(b, "PK\5\6", 4);
	put16(b, 0);
	put16(b, 0);
	put16(b, n);
	put16(b, n);
	put32(b, b->n - cdir - 0);
	put32(b, cdir);
	put16(b, 0);
}

static void
test_gzip(void)
{
	static unsigned char	 gz[1 << 21], two[1 << 17];
	static char		 zeros[4 << 20];
	const char		*text = "<feedback>hello, gzip</feedback>";
	size_t			 n, n2, outlen;
	char			*out;

	n = squeeze(text, strlen(text), gz, sizeof(gz), 1);
	CHECK(n > 0 && inflate_is_gzip(gz, n));
	CHECK(inflate_gzip(gz, n, 1024, &out, &outlen) == INFLATE_OK);
	CHECK(out != NULL && outlen == strlen(text) && out[outlen] == '\0' &&
	    strcmp(out, text) == 0);
	free(out);
	/* two members joined: read as one (RFC 1952 2.2) */
	memcpy(two, gz, n);
	memcpy(two + n, gz, n);
	CHECK(inflate_gzip(two, 2 * n, 1024, &out, &outlen) == INFLATE_OK);
	CHECK(outlen == 2 * strlen(text));
	free(out);
	/* truncated, damaged, not gzip */
	CHECK(inflate_gzip(gz, n - 6, 1024, &out, &outlen) == INFLATE_BAD &&
	    out == NULL);
	memcpy(two, gz, n);
	two[12] ^= 0xff;
	CHECK(inflate_gzip(two, n, 1024, &out, &outlen) != INFLATE_OK);
	CHECK(inflate_gzip("hello world, not gzip", 21, 1024, &out,
	    &outlen) == INFLATE_BAD);
	/* the output bound */
	CHECK(inflate_gzip(gz, n, 10, &out, &outlen) == INFLATE_TOO_BIG &&
	    out == NULL);
	/* a bomb: 4 MiB of zeros in a few KB stops on the ratio */
	memset(zeros, 0, sizeof(zeros));
	n = squeeze(zeros, sizeof(zeros), gz, sizeof(gz), 1);
	CHECK(n > 0 && n * INFLATE_RATIO_MAX < sizeof(zeros));
	CHECK(inflate_gzip(gz, n, 64 << 20, &out, &outlen) ==
	    INFLATE_TOO_BIG && out == NULL);
	/* a large report that compresses as XML does reads whole */
	for (n2 = 0; n2 + 80 < sizeof(zeros);)
		n2 += snprintf(zeros + n2, sizeof(zeros) - n2, "<record><row>"
		    "<source_ip>192.0.%zu.%zu</source_ip><count>%zu</count>"
		    "</row></record>\n", n2 % 251, n2 % 241, n2 % 9973);
	n = squeeze(zeros, n2, gz, sizeof(gz), 1);
	CHECK(n > 0 && n2 > 1000000 && n2 < INFLATE_RATIO_MAX * n);
	CHECK(inflate_gzip(gz, n, 64 << 20, &out, &outlen) == INFLATE_OK);
	CHECK(outlen == n2 && out != NULL && memcmp(out, zeros, n2) == 0);
	free(out);
	CHECK(strcmp(inflate_strerror(INFLATE_TOO_BIG), "ok") != 0);
}

static void
test_zip(void)
{
	static struct buf	 z;
	static const char	 csv[] = "ip,type\n192.0.2.1,scan\n";
	static const char	 xml[] = "<feedback><report_metadata/>"
				     "</feedback>";
	struct member		 m[4] = {
		{ "dir/", "", 0, 0, 0, 0 },
		{ "report.csv", csv, sizeof(csv) - 1, 1, 0, 0 },
		{ "google.com!example.vn!1!2.xml", xml, sizeof(xml) - 1, 0, 0,
		    0 },
		{ "README", "x", 1, 0, 0, 0 },
	};
	const char	*sx[] = { ".xml", ".json" }, *sc[] = { ".CSV" };
	char		*out, name[INFLATE_NAME_MAX];
	size_t		 outlen;

	zip_write(&z, m, 4, 0);
	CHECK(inflate_is_zip(z.d, z.n));
	CHECK(inflate_zip(z.d, z.n, sx, 2, 4096, &out, &outlen, name,
	    sizeof(name)) == INFLATE_OK);
	CHECK(out != NULL && strcmp(out, xml) == 0);
	CHECK_STR(name, "google.com!example.vn!1!2.xml");
	free(out);
	CHECK(inflate_zip(z.d, z.n, sc, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_OK && out != NULL && strcmp(out, csv) == 0);
	free(out);
	/* no suffix: the first file, not the directory */
	CHECK(inflate_zip(z.d, z.n, NULL, 0, 4096, &out, &outlen, name,
	    sizeof(name)) == INFLATE_OK);
	CHECK_STR(name, "report.csv");
	free(out);
	sx[0] = ".pdf";
	CHECK(inflate_zip(z.d, z.n, sx, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_NONE && out == NULL);
	/* bounds */
	CHECK(inflate_zip(z.d, z.n, sc, 1, 8, &out, &outlen, NULL, 0) ==
	    INFLATE_TOO_BIG && out == NULL);
	m[1].bad_crc = 1;
	zip_write(&z, m, 4, 0);
	CHECK(inflate_zip(z.d, z.n, sc, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_BAD && out == NULL);
	m[1].bad_crc = 0;
	m[1].flags = 1;		/* encrypted */
	zip_write(&z, m, 4, 0);
	CHECK(inflate_zip(z.d, z.n, sc, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_UNSUPPORTED);
	m[1].flags = 0;
	zip_write(&z, m, 4, 1);
	CHECK(inflate_zip(z.d, z.n, sc, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_UNSUPPORTED);
	/* damaged: no end record, a directory pointing outside */
	zip_write(&z, m, 4, 0);
	CHECK(inflate_zip(z.d, z.n - 22, sc, 1, 4096, &out, &outlen, NULL,
	    0) == INFLATE_BAD);
	z.d[z.n - 6] = 0xff;	/* central directory offset */
	z.d[z.n - 5] = 0xff;
	CHECK(inflate_zip(z.d, z.n, sc, 1, 4096, &out, &outlen, NULL, 0) ==
	    INFLATE_BAD);
	CHECK(inflate_zip("PK\3\4 not really", 16, NULL, 0, 4096, &out,
	    &outlen, NULL, 0) == INFLATE_BAD);
}

static const char dmarc_xml[] =
    "<?xml version=\"1.0\"?>\n<feedback>\n<report_metadata>"
    "<org_name>google.com</org_name><report_id>42</report_id>"
    "<date_range><begin>1700000000</begin><end>1700086399</end>"
    "</date_range></report_metadata>"
    "<policy_published><domain>example.vn</domain></policy_published>"
    "<record><row><source_ip>192.0.2.1</source_ip><count>3</count>"
    "<policy_evaluated><dkim>pass</dkim><spf>fail</spf>"
    "</policy_evaluated></row></record>"
    "<record><row><source_ip>198.51.100.7</source_ip><count>5</count>"
    "<policy_evaluated><dkim>fail</dkim><spf>fail</spf>"
    "</policy_evaluated></row></record></feedback>\n";

static const char tls_json[] =
    "{\"organization-name\": \"Company-X\", \"date-range\": "
    "{\"start-datetime\": \"2016-04-01T00:00:00Z\", \"end-datetime\": "
    "\"2016-04-01T23:59:59Z\"}, \"report-id\": \"r-1\", \"policies\": "
    "[{\"policy\": {\"policy-type\": \"sts\", \"policy-domain\": "
    "\"company-y.example\"}, \"summary\": {"
    "\"total-successful-session-count\": 5326, "
    "\"total-failure-session-count\": 303}}]}";

static void
test_aggregate_parse(void)
{
	struct aggregate_info	ai;

	memset(&ai, 0, sizeof(ai));
	CHECK(aggregate_parse(dmarc_xml, strlen(dmarc_xml), &ai) == 1);
	CHECK(ai.kind == AGGREGATE_DMARC);
	CHECK_STR(ai.org, "google.com");
	CHECK_STR(ai.domain, "example.vn");
	CHECK_STR(ai.report_id, "42");
	CHECK_STR(ai.begin, "2023-11-14T22:13:20Z");
	CHECK(ai.records == 2 && ai.messages == 8 && ai.failed == 5);
	memset(&ai, 0, sizeof(ai));
	CHECK(aggregate_parse(tls_json, strlen(tls_json), &ai) == 1);
	CHECK(ai.kind == AGGREGATE_TLSRPT);
	CHECK_STR(ai.org, "Company-X");
	CHECK_STR(ai.domain, "company-y.example");
	CHECK(ai.records == 1 && ai.messages == 5629 && ai.failed == 303);
	/* neither */
	memset(&ai, 0, sizeof(ai));
	CHECK(aggregate_parse("<html><body>hi</body></html>", 28, &ai) == 0);
	CHECK(aggregate_parse("{\"xarf_version\": \"4.0.0\"}", 25, &ai) == 0);
	CHECK(aggregate_parse("{broken", 7, &ai) == 0);
	CHECK(aggregate_parse("", 0, &ai) == 0);
}

/* A message with one attachment of type ctype, named name, body base64. */
static char *
att_message(const char *ctype, const char *name, const void *body,
    size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	const unsigned char	*p = body;
	char			*m = malloc(len * 2 + 2048);
	size_t			 n, i;

	n = sprintf(m, "From: noreply-dmarc-support@google.com\n"
	    "Subject: Report domain: example.vn\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Type: text/plain\n\nA report.\n--b\n"
	    "Content-Type: %s\nContent-Disposition: attachment; "
	    "filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n",
	    ctype, name);
	for (i = 0; i < len; i += 3) {
		unsigned v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
		    (i + 2 < len ? p[i + 2] : 0);

		m[n++] = b64[v >> 18 & 63];
		m[n++] = b64[v >> 12 & 63];
		m[n++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		m[n++] = i + 2 < len ? b64[v & 63] : '=';
		if ((i / 3) % 19 == 18)
			m[n++] = '\n';
	}
	n += sprintf(m + n, "\n--b--\n");
	m[n] = '\0';
	return m;
}

static void
check_message(const char *msg, size_t max_doc, int want,
    enum aggregate_kind kind)
{
	struct mime_message	*m;
	struct mime_error	 merr;
	struct aggregate_info	 ai;

	CHECK(mime_parse(msg, strlen(msg), NULL, &m, &merr) == 0);
	CHECK(aggregate_from_message(m, max_doc, &ai) == want);
	CHECK(ai.kind == kind);
	mime_free(m);
}

static void
test_aggregate_messages(void)
{
	static unsigned char	 gz[1 << 16];
	static struct buf	 z;
	struct member		 mb = { "google.com!example.vn!1700000000!"
				    "1700086399.xml", dmarc_xml,
				    sizeof(dmarc_xml) - 1, 1, 0, 0 };
	struct mime_message	*m;
	struct mime_error	 merr;
	struct aggregate_info	 ai;
	char			*msg;
	size_t			 n;

	n = squeeze(dmarc_xml, strlen(dmarc_xml), gz, sizeof(gz), 1);
	msg = att_message("application/gzip", "google.com!example.vn!"
	    "1700000000!1700086399.xml.gz", gz, n);
	check_message(msg, AGGREGATE_DOC_MAX, 1, AGGREGATE_DMARC);
	/* too large to open, known by its name */
	CHECK(mime_parse(msg, strlen(msg), NULL, &m, &merr) == 0);
	CHECK(aggregate_from_message(m, 16, &ai) == 1 && ai.unread == 1);
	CHECK_STR(ai.domain, "example.vn");
	CHECK_STR(ai.org, "google.com");
	mime_free(m);
	free(msg);
	zip_write(&z, &mb, 1, 0);
	msg = att_message("application/zip", "report.zip", z.d, z.n);
	check_message(msg, AGGREGATE_DOC_MAX, 1, AGGREGATE_DMARC);
	free(msg);
	n = squeeze(tls_json, strlen(tls_json), gz, sizeof(gz), 1);
	msg = att_message("application/tlsrpt+gzip", "company-x.example!"
	    "company-y.example!1459468800!1459555199.json.gz", gz, n);
	check_message(msg, AGGREGATE_DOC_MAX, 1, AGGREGATE_TLSRPT);
	free(msg);
	/* plain XML attached, and not a report at all */
	msg = att_message("text/xml", "report.xml", dmarc_xml,
	    strlen(dmarc_xml));
	check_message(msg, AGGREGATE_DOC_MAX, 1, AGGREGATE_DMARC);
	free(msg);
	msg = att_message("application/zip", "photos.zip", "PK\3\4xx", 6);
	check_message(msg, AGGREGATE_DOC_MAX, 0, AGGREGATE_NONE);
	free(msg);
	check_message("From: a@example.org\nSubject: hi\n\nhello\n",
	    AGGREGATE_DOC_MAX, 0, AGGREGATE_NONE);
}

int
main(void)
{
	test_gzip();
	test_zip();
	test_aggregate_parse();
	test_aggregate_messages();
	return t_done();
}
