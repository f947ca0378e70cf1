/*
 * test_form.c - the web form's decoding layer: urlencoded and
 * multipart/form-data bodies to fields and files (every byte value, every
 * limit, malformed input), file names made safe to show, and the form's
 * fields to a validated report with every field error collected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "t.h"
#include "t_report.h"
#include "form.h"

#define CRLF	"\r\n"
#define CT	"multipart/form-data; boundary=XyZ"

static struct taxonomy		 tax;
static struct extractor		*ex;
static struct classifier	*cl;

/* The fields as "name=value|...", values with NUL shown as "\0". */
static const char *
show(const struct form_fields *ff, char *buf, size_t len)
{
	size_t	i, j, o = 0;

	buf[0] = '\0';
	for (i = 0; i < ff->n_fields && o + 1 < len; i++) {
		o += snprintf(buf + o, len - o, "%s%s=", i ? "|" : "",
		    ff->fields[i].name);
		for (j = 0; j < ff->fields[i].value_len && o + 3 < len; j++) {
			if (ff->fields[i].value[j] == '\0') {
				memcpy(buf + o, "\\0", 2);
				o += 2;
			} else
				buf[o++] = ff->fields[i].value[j];
		}
		buf[o] = '\0';
	}
	return buf;
}

struct url_case {
	const char		*body;
	int			 rc;
	const char		*want;		/* show(), or the error field */
	enum form_errcode	 code;
};

static const struct url_case url_cases[] = {
	{ "", 0, "", 0 },
	{ "a=1&b=2", 0, "a=1|b=2", 0 },
	{ "a=x+y&b=%2B%20+", 0, "a=x y|b=+  ", 0 },
	{ "tag=a&tag=b&tag=a", 0, "tag=a|tag=b|tag=a", 0 },
	{ "&&a=1&&", 0, "a=1", 0 },
	{ "flag&x=", 0, "flag=|x=", 0 },
	{ "=v", 0, "=v", 0 },
	{ "a=b=c", 0, "a=b=c", 0 },
	{ "a=%00z", 0, "a=\\0z", 0 },
	{ "my+name=1", 0, "my name=1", 0 },
	{ "description=L%E1%BB%ABa+%C4%91%E1%BA%A3o", 0,
	    "description=Lừa đảo", 0 },
	{ "description=Lừa đảo", 0, "description=Lừa đảo", 0 },
	{ "a=%4", -1, "a", FORM_ERR_SYNTAX },
	{ "ok=1&a=%zz", -1, "a", FORM_ERR_SYNTAX },
	{ "a=100%", -1, "a", FORM_ERR_SYNTAX },
	{ "a%=1", -1, "a%", FORM_ERR_SYNTAX },
	{ "reporter-name=%C3%28", -1, "reporter-name", FORM_ERR_UTF8 },
	{ "a=%ED%A0%80", -1, "a", FORM_ERR_UTF8 },
	{ "a=%C0%AF", -1, "a", FORM_ERR_UTF8 },
	{ "a=\xFF", -1, "a", FORM_ERR_UTF8 },
	{ "%FFname=1", -1, "?name", FORM_ERR_UTF8 },
	{ "a%0Ab=1", -1, "a?b", FORM_ERR_SYNTAX },
	{ "a%00=1", -1, "a?", FORM_ERR_SYNTAX },
};

static void
test_urlencoded(void)
{
	struct form_fields	ff;
	struct form_error	err;
	char			buf[256];
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const struct url_case *c = &url_cases[i];

		memset(&err, 0, sizeof(err));
		rc = form_urlencoded_parse(c->body, strlen(c->body), NULL, &ff,
		    &err);
		if (rc != c->rc)
			printf("case %zu \"%s\": rc %d (%s: %s)\n", i, c->body,
			    rc, err.field, err.reason ? err.reason : "");
		CHECK(rc == c->rc);
		if (c->rc == 0)
			CHECK_STR(show(&ff, buf, sizeof(buf)), c->want);
		else {
			CHECK_STR(err.field, c->want);
			CHECK(err.code == c->code);
			CHECK(err.reason != NULL && err.reason[0] != '\0');
			CHECK(ff.n_fields == 0 && ff.fields == NULL);
		}
		form_fields_free(&ff);
	}
	/* a value with NUL keeps its length; the string is terminated */
	CHECK(form_urlencoded_parse("a=x%00y", 7, NULL, &ff, &err) == 0);
	CHECK(ff.n_fields == 1 && ff.fields[0].value_len == 3 &&
	    memcmp(ff.fields[0].value, "x\0y", 4) == 0);
	form_fields_free(&ff);
	/* form_field_get: the first of repeated names */
	CHECK(form_urlencoded_parse("a=1&b=&a=2", 10, NULL, &ff, &err) == 0);
	CHECK_STR(form_field_get(&ff, "a", NULL), "1");
	CHECK(form_field_get(&ff, "A", NULL) == NULL);
	CHECK_STR(form_field_get(&ff, "b", &i), "");
	CHECK(i == 0);
	form_fields_free(&ff);
	/* err may be NULL */
	CHECK(form_urlencoded_parse("a=%", 3, NULL, &ff, NULL) == -1);
}

static void
test_urlencoded_limits(void)
{
	struct form_limits	lim;
	struct form_fields	ff;
	struct form_error	err;
	char			body[4096];
	size_t			o = 0;
	int			i;

	form_limits_default(&lim);
	lim.max_fields = 3;
	CHECK(form_urlencoded_parse("a=1&b=2&c=3", 11, &lim, &ff, &err) == 0);
	form_fields_free(&ff);
	CHECK(form_urlencoded_parse("a=1&b=2&c=3&d=4", 15, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "d");
	CHECK_STR(err.reason, "too many fields");

	form_limits_default(&lim);
	lim.max_name = 4;
	CHECK(form_urlencoded_parse("abcd=1", 6, &lim, &ff, &err) == 0);
	form_fields_free(&ff);
	CHECK(form_urlencoded_parse("abcde=1", 7, &lim, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "field name too long");
	/* the bound is on decoded bytes */
	CHECK(form_urlencoded_parse("%61%62%63%64=1", 14, &lim, &ff,
	    &err) == 0);
	CHECK_STR(ff.fields[0].name, "abcd");
	form_fields_free(&ff);

	form_limits_default(&lim);
	lim.max_value = 5;
	CHECK(form_urlencoded_parse("v=%41%41%41%41%41", 17, &lim, &ff,
	    &err) == 0);
	CHECK_STR(ff.fields[0].value, "AAAAA");
	form_fields_free(&ff);
	CHECK(form_urlencoded_parse("v=AAAAAA", 8, &lim, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "v");
	CHECK_STR(err.reason, "field value too long");

	form_limits_default(&lim);
	lim.max_body = 10;
	CHECK(form_urlencoded_parse("a=12345678", 10, &lim, &ff, &err) == 0);
	form_fields_free(&ff);
	CHECK(form_urlencoded_parse("a=123456789", 11, &lim, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "body too large");

	/* the default field count: 64 fields pass, 65 do not */
	for (i = 0; i < FORM_FIELDS_MAX + 1; i++)
		o += snprintf(body + o, sizeof(body) - o, "%sf%d=%d",
		    i ? "&" : "", i, i);
	CHECK(form_urlencoded_parse(body, o, NULL, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "f64");
	CHECK(form_urlencoded_parse(body, o - strlen("&f64=64"), NULL, &ff,
	    &err) == 0);
	CHECK(ff.n_fields == FORM_FIELDS_MAX);
	form_fields_free(&ff);
}

static int
sha_is(const struct form_attachment *a)
{
	unsigned char	md[32];

	EVP_Digest(a->data, a->len, md, NULL, EVP_sha256(), NULL);
	return memcmp(md, a->sha256, 32) == 0;
}

static void
test_multipart_basic(void)
{
	static const char body[] =
	    "preamble is ignored" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF
	    CRLF
	    "line one" CRLF "line two" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"reporter-email\"" CRLF
	    CRLF
	    "a@example.com" CRLF
	    "--XyZ" CRLF
	    "content-disposition: form-data; name=tag" CRLF
	    CRLF
	    CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"; "
	    "filename=\"sms.txt\"" CRLF
	    "Content-Type: Text/Plain; charset=windows-1252" CRLF
	    CRLF
	    "caf\xE9 --XyZ not a delimiter" CRLF
	    "--XyZZ neither" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"; "
	    "filename=\"\"" CRLF
	    "Content-Type: application/octet-stream" CRLF
	    CRLF
	    CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF
	    CRLF
	    "again" CRLF
	    "--XyZ--" CRLF
	    "epilogue is ignored";
	struct form_fields	ff;
	struct form_error	err;
	char			buf[512];
	const struct form_attachment *a;

	CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, NULL, &ff,
	    &err) == 0);
	CHECK_STR(show(&ff, buf, sizeof(buf)), "description=line one\r\nline "
	    "two|reporter-email=a@example.com|tag=|description=again");
	CHECK(ff.n_attachments == 1);
	if (ff.n_attachments != 1) {
		form_fields_free(&ff);
		return;
	}
	a = &ff.attachments[0];
	CHECK_STR(a->field, "attachment");
	CHECK_STR(a->filename, "sms.txt");
	CHECK_STR(a->content_type, "text/plain");
	CHECK(a->len == 42 && memcmp(a->data, "caf\xE9 --XyZ not a delimiter"
	    CRLF "--XyZZ neither", 42) == 0);
	CHECK(sha_is(a));
	CHECK(ff.attachment_bytes == 42);
	form_fields_free(&ff);
	CHECK(ff.n_fields == 0 && ff.attachments == NULL);

	/* the same through form_parse, the media type in any case */
	CHECK(form_parse("Multipart/Form-Data; boundary=\"XyZ\"", body,
	    sizeof(body) - 1, NULL, &ff, &err) == 0);
	CHECK(ff.n_fields == 4 && ff.n_attachments == 1);
	form_fields_free(&ff);
}

/* A body with one file part holding data[0..len), under boundary XyZ. */
static size_t
one_file(char *out, const char *headers, const void *data, size_t len)
{
	size_t	o;

	o = (size_t)sprintf(out, "--XyZ" CRLF "Content-Disposition: form-data; "
	    "name=\"attachment\"; filename=\"f.bin\"" CRLF "%s" CRLF, headers);
	memcpy(out + o, data, len);
	o += len;
	memcpy(out + o, CRLF "--XyZ--" CRLF, 11);
	return o + 11;
}

static void
test_multipart_binary(void)
{
	static const char *const endings[] = { "", "\r", "\n", "\r\n",
	    "\r\n\r\n", "--", "\r\n--XyZ-" };
	struct form_fields	ff;
	struct form_error	err;
	unsigned char		data[2 * 256 + 8], md[32];
	char			body[1024];
	size_t			i, n, len;

	for (i = 0; i < 512; i++)
		data[i] = (unsigned char)(i < 256 ? i : 511 - i);
	/* every byte value, in both orders, then each awkward ending */
	for (i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		n = strlen(endings[i]);
		memcpy(data + 512, endings[i], n);
		len = one_file(body, "Content-Type: application/octet-stream"
		    CRLF, data, 512 + n);
		CHECK(form_multipart_parse(CT, body, len, NULL, &ff,
		    &err) == 0);
		CHECK(ff.n_attachments == 1);
		if (ff.n_attachments == 1) {
			CHECK(ff.attachments[0].len == 512 + n);
			CHECK(memcmp(ff.attachments[0].data, data,
			    512 + n) == 0);
			EVP_Digest(data, 512 + n, md, NULL, EVP_sha256(), NULL);
			CHECK(memcmp(ff.attachments[0].sha256, md, 32) == 0);
			CHECK_STR(ff.attachments[0].content_type,
			    "application/octet-stream");
		}
		form_fields_free(&ff);
	}
	/* declared text, no Content-Type at all: the bytes are still kept */
	len = one_file(body, "Content-Type: text/plain; charset=utf-8" CRLF,
	    data, 512);
	CHECK(form_multipart_parse(CT, body, len, NULL, &ff, &err) == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 512 &&
	    memcmp(ff.attachments[0].data, data, 512) == 0);
	form_fields_free(&ff);
	len = one_file(body, "", data, 512);
	CHECK(form_multipart_parse(CT, body, len, NULL, &ff, &err) == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 512 &&
	    memcmp(ff.attachments[0].data, data, 512) == 0);
	if (ff.n_attachments == 1)
		CHECK_STR(ff.attachments[0].content_type,
		    "application/octet-stream");
	form_fields_free(&ff);
	/* a forwarded e-mail uploaded as a file stays one opaque file */
	len = one_file(body, "Content-Type: message/rfc822" CRLF,
	    "Subject: x\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n"
	    "--q\r\n\r\nA\r\n--q--\r\n", 71);
	CHECK(form_multipart_parse(CT, body, len, NULL, &ff, &err) == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 71);
	if (ff.n_attachments == 1)
		CHECK_STR(ff.attachments[0].content_type, "message/rfc822");
	form_fields_free(&ff);
	/* an empty file that has a name is a file */
	len = one_file(body, "", "", 0);
	CHECK(form_multipart_parse(CT, body, len, NULL, &ff, &err) == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 0 &&
	    ff.attachments[0].data == NULL);
	form_fields_free(&ff);
}

static void
test_multipart_encodings(void)
{
	static const char b64[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"; "
	    "filename=\"x\"" CRLF
	    "Content-Transfer-Encoding: base64" CRLF
	    CRLF
	    "AAEC/f7/" CRLF "DQo=" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"d\"" CRLF
	    "Content-Transfer-Encoding: quoted-printable" CRLF
	    CRLF
	    "L=E1=BB=ABa =" CRLF "x" CRLF
	    "--XyZ--" CRLF;
	static const char bad64[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"; "
	    "filename=\"x\"" CRLF
	    "Content-Transfer-Encoding: base64" CRLF
	    CRLF
	    "AA*=" CRLF
	    "--XyZ--" CRLF;
	static const char badcte[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"d\"" CRLF
	    "Content-Transfer-Encoding: x-uuencode" CRLF
	    CRLF
	    "x" CRLF
	    "--XyZ--" CRLF;
	struct form_fields	ff;
	struct form_error	err = { 0 };

	CHECK(form_multipart_parse(CT, b64, sizeof(b64) - 1, NULL, &ff,
	    &err) == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 8 &&
	    memcmp(ff.attachments[0].data, "\x00\x01\x02\xFD\xFE\xFF\r\n",
	    8) == 0);
	CHECK(ff.n_fields == 1);
	if (ff.n_fields == 1)
		CHECK_STR(ff.fields[0].value, "Lừa x");
	form_fields_free(&ff);
	CHECK(form_multipart_parse(CT, bad64, sizeof(bad64) - 1, NULL, &ff,
	    &err) == -1);
	form_fields_free(&ff);
	CHECK(err.code == FORM_ERR_SYNTAX);
	CHECK_STR(err.field, "attachment");
	CHECK_STR(err.reason, "bad base64");
	CHECK(form_multipart_parse(CT, badcte, sizeof(badcte) - 1, NULL, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_SYNTAX);
	CHECK_STR(err.field, "d");
}

static void
test_multipart_nested(void)
{
	static const char body[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF
	    CRLF
	    "x" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"" CRLF
	    "Content-Type: multipart/mixed; boundary=In" CRLF
	    CRLF
	    "--In" CRLF
	    "Content-Disposition: file; filename=\"a.txt\"" CRLF
	    "Content-Type: text/plain" CRLF
	    CRLF
	    "AAA" CRLF
	    "--In" CRLF
	    "Content-Disposition: file; filename=\"b.png\"" CRLF
	    "Content-Type: image/png" CRLF
	    CRLF
	    "\x89PNG" CRLF
	    "--In--" CRLF
	    "--XyZ--" CRLF;
	static const char deep[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"" CRLF
	    "Content-Type: multipart/mixed; boundary=In" CRLF
	    CRLF
	    "--In" CRLF
	    "Content-Type: multipart/mixed; boundary=In2" CRLF
	    CRLF
	    "--In2" CRLF
	    CRLF
	    "x" CRLF
	    "--In2--" CRLF
	    "--In--" CRLF
	    "--XyZ--" CRLF;
	struct form_limits	lim;
	struct form_fields	ff;
	struct form_error	err;

	CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, NULL, &ff,
	    &err) == 0);
	CHECK(ff.n_fields == 1 && ff.n_attachments == 2);
	if (ff.n_attachments == 2) {
		CHECK_STR(ff.attachments[0].field, "attachment");
		CHECK_STR(ff.attachments[0].filename, "a.txt");
		CHECK(ff.attachments[0].len == 3);
		CHECK_STR(ff.attachments[1].field, "attachment");
		CHECK_STR(ff.attachments[1].filename, "b.png");
		CHECK_STR(ff.attachments[1].content_type, "image/png");
		CHECK(ff.attachments[1].len == 4 &&
		    memcmp(ff.attachments[1].data, "\x89PNG", 4) == 0);
	}
	form_fields_free(&ff);
	form_limits_default(&lim);
	lim.max_depth = 1;
	CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "attachment");
	CHECK_STR(err.reason, "multipart nested too deeply");
	/* three levels: over the cap whatever the limit says */
	lim.max_depth = 10;
	CHECK(form_multipart_parse(CT, deep, sizeof(deep) - 1, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	/* nested parts count against max_parts: 2 + 2 here */
	form_limits_default(&lim);
	lim.max_parts = 4;
	CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, &lim, &ff,
	    &err) == 0);
	form_fields_free(&ff);
	lim.max_parts = 3;
	CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "too many parts");
}

struct mp_case {
	const char		*ctype;
	const char		*body;
	enum form_errcode	 code;
	const char		*field;
	const char		*reason;
};

static const struct mp_case mp_bad[] = {
	{ "multipart/form-data", "--XyZ" CRLF CRLF "x" CRLF "--XyZ--",
	    FORM_ERR_CONTENT_TYPE, "", "no usable boundary" },
	{ "multipart/form-data; boundary=", "--" CRLF "--",
	    FORM_ERR_CONTENT_TYPE, "", "no usable boundary" },
	{ "multipart/form-data; boundary=a23456789012345678901234567890"
	    "12345678901234567890123456789012345678901",
	    "x", FORM_ERR_CONTENT_TYPE, "", "no usable boundary" },
	{ "multipart/mixed; boundary=XyZ", "--XyZ" CRLF CRLF "x" CRLF
	    "--XyZ--", FORM_ERR_CONTENT_TYPE, "", "not multipart/form-data" },
	{ "multipart/form-data; boundary=XyZ\r\nX-Evil: 1", "--XyZ--",
	    FORM_ERR_CONTENT_TYPE, "", "unusable Content-Type" },
	{ CT, "", FORM_ERR_SYNTAX, "",
	    "truncated multipart (no closing delimiter)" },
	{ CT, "no delimiter at all", FORM_ERR_SYNTAX, "",
	    "truncated multipart (no closing delimiter)" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF
	    "cut here", FORM_ERR_SYNTAX, "",
	    "truncated multipart (no closing delimiter)" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF
	    "x" CRLF "--XyZ" CRLF, FORM_ERR_SYNTAX, "",
	    "truncated multipart (no closing delimiter)" },
	{ CT, "--XyZ" CRLF "Content-Type: text/plain" CRLF CRLF "x" CRLF
	    "--XyZ--", FORM_ERR_SYNTAX, "",
	    "part without Content-Disposition: form-data" },
	{ CT, "--XyZ" CRLF "Content-Disposition: attachment; name=a" CRLF CRLF
	    "x" CRLF "--XyZ--", FORM_ERR_SYNTAX, "",
	    "part without Content-Disposition: form-data" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data" CRLF CRLF
	    "x" CRLF "--XyZ--", FORM_ERR_SYNTAX, "", "part without a name" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF
	    "--XyZ--", FORM_ERR_SYNTAX, "a",
	    "part without a blank line after its header" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF
	    "\xC3\x28" CRLF "--XyZ--", FORM_ERR_UTF8, "a",
	    "field value is not UTF-8" },
	{ CT, "--XyZ" CRLF "Content-Disposition: form-data; name=\"a\x01\""
	    CRLF CRLF "x" CRLF "--XyZ--", FORM_ERR_SYNTAX, "a?",
	    "control character in field name" },
};

static void
test_multipart_malformed(void)
{
	struct form_fields	ff;
	struct form_error	err;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof(mp_bad) / sizeof(mp_bad[0]); i++) {
		const struct mp_case *c = &mp_bad[i];

		memset(&err, 0, sizeof(err));
		rc = form_multipart_parse(c->ctype, c->body, strlen(c->body),
		    NULL, &ff, &err);
		if (rc != -1 || err.code != c->code)
			printf("case %zu: rc %d code %d (%s: %s)\n", i, rc,
			    err.code, err.field, err.reason ? err.reason : "");
		CHECK(rc == -1);
		CHECK(err.code == c->code);
		CHECK_STR(err.field, c->field);
		CHECK_STR(err.reason, c->reason);
		CHECK_STR(err.key, "err.invalid");
		CHECK(ff.n_fields == 0 && ff.n_attachments == 0);
		form_fields_free(&ff);
	}
	CHECK(form_parse("text/plain", "a=1", 3, NULL, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_CONTENT_TYPE);
	CHECK(form_parse(NULL, "a=1", 3, NULL, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_CONTENT_TYPE);
	CHECK(form_parse("application/x-www-form-urlencodedX", "a=1", 3, NULL,
	    &ff, &err) == -1);
	CHECK(form_parse(" application/x-www-form-urlencoded; charset=UTF-8",
	    "a=1", 3, NULL, &ff, &err) == 0);
	CHECK(ff.n_fields == 1);
	form_fields_free(&ff);
	/* a Content-Type value longer than the bound */
	{
		char	ct[FORM_CONTENT_TYPE_MAX + 2];

		memset(ct, 'x', sizeof(ct) - 1);
		memcpy(ct, CT "; ", strlen(CT "; "));
		ct[sizeof(ct) - 1] = '\0';
		CHECK(form_multipart_parse(ct, "--XyZ--", 7, NULL, &ff,
		    &err) == -1);
		CHECK(err.code == FORM_ERR_CONTENT_TYPE);
		ct[sizeof(ct) - 2] = '\0';
		CHECK(form_multipart_parse(ct, "--XyZ--", 7, NULL, &ff,
		    &err) == 0);
		form_fields_free(&ff);
	}
}

static void
test_multipart_limits(void)
{
	static const char three_files[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=attachment; filename=a" CRLF
	    CRLF "1234" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=attachment; filename=b" CRLF
	    CRLF "5678" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=attachment; filename=c" CRLF
	    CRLF "9" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=x" CRLF
	    CRLF "y" CRLF
	    "--XyZ--" CRLF;
	struct form_limits	lim;
	struct form_fields	ff;
	struct form_error	err;
	char			big[FORM_PART_HEADER_MAX + 200];
	size_t			len = sizeof(three_files) - 1, o;

	form_limits_default(&lim);
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == 0);
	CHECK(ff.n_attachments == 3 && ff.attachment_bytes == 9);
	form_fields_free(&ff);

	lim.max_attachments = 2;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "too many files");
	CHECK_STR(err.key, "err.attachments-too-many");
	form_limits_default(&lim);
	lim.max_attachment_bytes = 9;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == 0);
	form_fields_free(&ff);
	lim.max_attachment_bytes = 8;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "attachment");
	CHECK_STR(err.reason, "files too large");
	CHECK_STR(err.key, "err.attachment-too-large");
	form_limits_default(&lim);
	lim.max_parts = 4;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == 0);
	form_fields_free(&ff);
	lim.max_parts = 3;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "too many parts");
	form_limits_default(&lim);
	lim.max_fields = 0;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "too many fields");
	form_limits_default(&lim);
	lim.max_body = len - 1;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "body too large");
	CHECK_STR(err.key, "err.form-too-large");
	form_limits_default(&lim);
	lim.max_value = 1;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == 0);
	form_fields_free(&ff);
	lim.max_value = 0;
	CHECK(form_multipart_parse(CT, three_files, len, &lim, &ff,
	    &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.field, "x");
	/* a part header over FORM_PART_HEADER_MAX */
	o = (size_t)sprintf(big, "--XyZ" CRLF "Content-Disposition: form-data; "
	    "name=a" CRLF "X-Pad: ");
	memset(big + o, 'p', FORM_PART_HEADER_MAX);
	o += FORM_PART_HEADER_MAX;
	o += (size_t)sprintf(big + o, CRLF CRLF "x" CRLF "--XyZ--" CRLF);
	CHECK(form_multipart_parse(CT, big, o, NULL, &ff, &err) == -1);
	CHECK(err.code == FORM_ERR_LIMIT);
	CHECK_STR(err.reason, "part header too large");
}

/* The same fields sent both ways decode to the same pairs. */
static void
test_both_encodings(void)
{
	static const char url[] = "description=Trang+gi%E1%BA%A3+m%E1%BA%A1o"
	    "%0D%0Ahttp%3A%2F%2Fevil.example%2F%3Fa%3D1%26b%3D2&"
	    "category=&confidential=yes&indicators=1.2.3.4+%2B+x";
	static const char mp[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF CRLF
	    "Trang giả mạo" CRLF "http://evil.example/?a=1&b=2" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"category\"" CRLF CRLF CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"confidential\"" CRLF CRLF
	    "yes" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"indicators\"" CRLF CRLF
	    "1.2.3.4 + x" CRLF
	    "--XyZ--" CRLF;
	struct form_fields	a, b;
	struct form_error	err;
	char			sa[512], sb[512];

	CHECK(form_parse("application/x-www-form-urlencoded", url,
	    sizeof(url) - 1, NULL, &a, &err) == 0);
	CHECK(form_parse(CT, mp, sizeof(mp) - 1, NULL, &b, &err) == 0);
	CHECK(a.n_fields == 4);
	CHECK_STR(show(&a, sa, sizeof(sa)), show(&b, sb, sizeof(sb)));
	form_fields_free(&a);
	form_fields_free(&b);
}

struct fn_case {
	const char	*in;
	const char	*want;
};

static const struct fn_case fn_cases[] = {
	{ "report.pdf", "report.pdf" },
	{ "C:\\Users\\an\\Desktop\\tin nhắn.png", "tin nhắn.png" },
	{ "../../etc/passwd", "passwd" },
	{ "dir/", "" },
	{ "", "" },
	{ "  spaced  ", "spaced" },
	{ "a\tb\x7F" "c", "a_b_c" },
	{ "a\xC2\x85" "b", "a_b" },			/* C1 NEL */
	{ "invoice\xE2\x80\xAEgpj.exe", "invoice_gpj.exe" },	/* RLO */
	{ "a\xE2\x80\x8B" "b", "a_b" },			/* zero width */
	{ "a\xE2\x80\xA8" "b", "a_b" },			/* line sep. */
	{ "Lu\xCC\x9B\xCC\x80" "a.txt", "Lừa.txt" },	/* NFD to NFC */
	{ "%22quoted%22.txt", "%22quoted%22.txt" },
};

static void
test_filename(void)
{
	char	*out, in[600];
	size_t	i, n;

	for (i = 0; i < sizeof(fn_cases) / sizeof(fn_cases[0]); i++) {
		CHECK(form_filename_sanitise(fn_cases[i].in,
		    strlen(fn_cases[i].in), &out) == 0);
		CHECK_STR(out, fn_cases[i].want);
		free(out);
	}
	/* cut at FORM_FILENAME_MAX bytes, never inside a character */
	for (n = 0; n + 3 <= 300; n += 3)
		memcpy(in + n, "\xE1\xBB\xAB", 3);		/* ừ */
	CHECK(form_filename_sanitise(in, n, &out) == 0);
	CHECK(strlen(out) == 255 && utf8_valid(out, strlen(out)));
	free(out);
	in[0] = 'x';
	for (n = 1; n + 3 <= 301; n += 3)
		memcpy(in + n, "\xE1\xBB\xAB", 3);
	CHECK(form_filename_sanitise(in, n, &out) == 0);
	CHECK(strlen(out) == 253 && utf8_valid(out, strlen(out)));
	free(out);
	/* a blank left last by the cut goes too */
	memset(in, 'a', 254);
	memcpy(in + 254, " b", 2);
	CHECK(form_filename_sanitise(in, 256, &out) == 0);
	CHECK(strlen(out) == 254 && out[253] == 'a');
	free(out);
	/* filename* (RFC 2231) and a path from an old browser */
	{
		static const char body[] =
		    "--XyZ" CRLF
		    "Content-Disposition: form-data; name=attachment; "
		    "filename*=UTF-8''b%C3%A1o%20c%C3%A1o.txt" CRLF CRLF
		    "x" CRLF
		    "--XyZ" CRLF
		    "Content-Disposition: form-data; name=attachment; "
		    "filename=\"C:\\\\tmp\\\\evil\xE2\x80\xAEtxt.exe\"" CRLF CRLF
		    "y" CRLF
		    "--XyZ--" CRLF;
		struct form_fields	ff;
		struct form_error	err;

		CHECK(form_multipart_parse(CT, body, sizeof(body) - 1, NULL,
		    &ff, &err) == 0);
		CHECK(ff.n_attachments == 2);
		if (ff.n_attachments == 2) {
			CHECK_STR(ff.attachments[0].filename, "báo cáo.txt");
			CHECK_STR(ff.attachments[1].filename,
			    "evil_txt.exe");
		}
		form_fields_free(&ff);
	}
}

/* Decode a urlencoded body and map it; returns form_to_report's result. */
static int
map(const char *body, const struct form_context *ctx, struct report *r,
    struct form_meta *meta, struct form_errors *errs, struct form_fields *ff)
{
	struct form_error	err;

	if (form_urlencoded_parse(body, strlen(body), NULL, ff, &err) == -1) {
		printf("decode \"%s\": %s: %s\n", body, err.field, err.reason);
		return -2;
	}
	return form_to_report(ff, ctx, r, meta, errs);
}

static void
ctx_init(struct form_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->tax = &tax;
	ctx->ex = ex;
	ctx->cl = cl;
	ctx->tz_offset_minutes = 420;
}

static void
test_report_full(void)
{
	static const char body[] =
	    "csrf=tok123&website=&"
	    "description=Trang+gi%E1%BA%A3+m%E1%BA%A1o+ng%C3%A2n+h%C3%A0ng"
	    "%0D%0Ad%C3%B2ng+2&"
	    "category=phishing&severity=high&"
	    "reporter-name=Nguy%E1%BB%85n+V%C4%83n+A&"
	    "reporter-email=A%40Example.COM&reporter-phone=%2B84+912+345+678&"
	    "organization=C%C3%B4ng+ty+X&operating-unit=IT&"
	    "affected-system=web+portal&system-level=3&"
	    "detected-at=2026-11-21T17%3A05&"
	    "occurred-at=2026-11-21T09%3A00%3A00Z&"
	    "confidential=yes&"
	    "indicators=hxxps%3A%2F%2Fvietcombank-verify%5B.%5Dtop%2Flogin%0D%0A"
	    "203.0.113.5%2C+2001%3Adb8%3A%3A1%3B+evil.example.vn+"
	    "d41d8cd98f00b204e9800998ecf8427e+attacker%40mail.example.com+"
	    "CVE-2021-44228&"
	    "source-ip=198.51.100.7&attachment=x.png";
	struct form_context	ctx;
	struct form_fields	ff;
	struct form_meta	meta;
	struct form_errors	errs;
	struct report		r;
	size_t			i;

	ctx_init(&ctx);
	CHECK(map(body, &ctx, &r, &meta, &errs, &ff) == 0);
	for (i = 0; i < errs.n; i++)
		printf("error %s %s (%s)\n", errs.e[i].field, errs.e[i].key,
		    errs.e[i].detail);
	CHECK(errs.n == 0);
	CHECK(meta.csrf != NULL && meta.csrf_len == 6 &&
	    memcmp(meta.csrf, "tok123", 6) == 0);
	CHECK(meta.honeypot == 0);
	CHECK_STR(r.description, "Trang giả mạo ngân hàng\r\ndòng 2");
	CHECK(r.category != NULL);
	if (r.category != NULL)
		CHECK_STR(r.category->code, "phishing");
	CHECK(r.severity == SEV_HIGH);
	CHECK_STR(r.reporter_name, "Nguyễn Văn A");
	CHECK_STR(r.reporter_email, "A@example.com");
	CHECK_STR(r.reporter_phone, "+84 912 345 678");
	CHECK_STR(r.organization, "Công ty X");
	CHECK_STR(r.operating_unit, "IT");
	CHECK_STR(r.affected_system, "web portal");
	CHECK(r.system_level == 3);
	CHECK_STR(r.detected_at, "2026-11-21T10:05:00Z");
	CHECK_STR(r.occurred_at, "2026-11-21T09:00:00Z");
	CHECK(r.confidential == 1);
	CHECK(r.external_id == NULL);
	CHECK(has_ind(&r, IND_URL, "https://vietcombank-verify.top/login"));
	CHECK(has_ind(&r, IND_IPV4, "203.0.113.5"));
	CHECK(has_ind(&r, IND_IPV6, "2001:db8::1"));
	CHECK(has_ind(&r, IND_DOMAIN, "evil.example.vn"));
	CHECK(has_ind(&r, IND_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(has_ind(&r, IND_EMAIL, "attacker@mail.example.com"));
	CHECK(has_ind(&r, IND_CVE, "CVE-2021-44228"));
	CHECK(has_ind(&r, IND_IPV4, "198.51.100.7"));
	CHECK(r.n_indicators == 8);
	report_free(&r);
	form_fields_free(&ff);
}

static void
test_report_defaults(void)
{
	struct form_context	ctx;
	struct form_fields	ff;
	struct form_meta	meta;
	struct form_errors	errs;
	struct report		r;
	const struct taxonomy_entry *guess;
	static const char	desc[] = "Tôi bị lừa đảo qua tin nhắn, "
	    "trang web giả mạo ngân hàng đòi mật khẩu";
	char			body[512];

	ctx_init(&ctx);
	/* category "don't know": guessed as an e-mail report's would be */
	guess = classifier_guess(cl, NULL, 0, desc, strlen(desc), NULL);
	CHECK(guess != NULL && strcmp(guess->code, "undetermined") != 0);
	snprintf(body, sizeof(body), "description=%s&category=&severity="
	    "&reporter-phone=0912345678&confidential=&system-level=", desc);
	CHECK(map(body, &ctx, &r, &meta, &errs, &ff) == 0);
	CHECK(r.category == guess);
	CHECK(r.severity == guess->severity);
	CHECK(r.confidential == 0);		/* unticked */
	CHECK(r.system_level == 0);
	CHECK(meta.csrf == NULL);
	report_free(&r);
	form_fields_free(&ff);
	snprintf(body, sizeof(body), "description=%s&category=Unknown"
	    "&severity=unknown&reporter-phone=0912345678&confidential=on",
	    desc);
	CHECK(map(body, &ctx, &r, &meta, &errs, &ff) == 0);
	CHECK(r.category == guess);
	CHECK(r.confidential == 1);
	report_free(&r);
	form_fields_free(&ff);
	/* without a classifier: undetermined */
	ctx.cl = NULL;
	CHECK(map(body, &ctx, &r, &meta, &errs, &ff) == 0);
	CHECK(r.category != NULL && strcmp(r.category->code,
	    "undetermined") == 0);
	report_free(&r);
	form_fields_free(&ff);
	ctx.cl = cl;
	/* a description in NFD is stored in NFC; an e-mail alone is enough */
	CHECK(map("description=Lu%CC%9B%CC%80a+%C4%91a%CC%89o&"
	    "reporter-email=x%40example.com&reporter-phone=", &ctx, &r, &meta,
	    &errs, &ff) == 0);
	CHECK_STR(r.description, "Lừa đảo");
	CHECK(r.reporter_phone == NULL);
	report_free(&r);
	form_fields_free(&ff);
	/* the form's zone for a local time, seconds and fraction kept */
	ctx.tz_offset_minutes = -90;
	CHECK(map("description=x&reporter-phone=123&detected-at="
	    "2026-01-01T00%3A10%3A30.25&occurred-at=2026-01-01+00%3A00",
	    &ctx, &r, &meta, &errs, &ff) == 0);
	CHECK_STR(r.detected_at, "2026-01-01T01:40:30Z");
	CHECK_STR(r.occurred_at, "2026-01-01T01:30:00Z");
	report_free(&r);
	form_fields_free(&ff);
	ctx.tz_offset_minutes = 420;
	/* the same indicator in a field and in the text: not "none found" */
	CHECK(map("description=x&reporter-phone=123&url=http%3A%2F%2Fa.vn%2F&"
	    "indicators=http%3A%2F%2Fa.vn%2F", &ctx, &r, &meta, &errs,
	    &ff) == 0);
	CHECK(r.n_indicators == 1);
	report_free(&r);
	form_fields_free(&ff);
	/* honeypot, repeated csrf, the page's own fields ignored */
	{
		static const char *const ign[] = { "lang", NULL };

		ctx.ignore = ign;
		CHECK(map("description=x&reporter-phone=123&website=+http%3A"
		    "%2F%2Fspam.example&csrf=a&csrf=b&lang=en", &ctx, &r,
		    &meta, &errs, &ff) == 0);
		CHECK(meta.honeypot == 1);
		CHECK(meta.csrf == NULL);
		report_free(&r);
		form_fields_free(&ff);
		CHECK(map("description=x&reporter-phone=123&website=+%0D%0A"
		    "&lang=vi", &ctx, &r, &meta, &errs, &ff) == 0);
		CHECK(meta.honeypot == 0);
		report_free(&r);
		form_fields_free(&ff);
		ctx.ignore = NULL;
	}
}

struct want_err {
	const char	*field;
	const char	*key;
};

/* Every (field, key) of want is in errs, and nothing else. */
static void
check_errors(const struct form_errors *errs, const struct want_err *want,
    size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < errs->n; j++)
			if (strcmp(errs->e[j].field, want[i].field) == 0 &&
			    strcmp(errs->e[j].key, want[i].key) == 0)
				break;
		if (j == errs->n)
			printf("missing error %s %s\n", want[i].field,
			    want[i].key);
		CHECK(j < errs->n);
	}
	if (errs->n != n)
		for (j = 0; j < errs->n; j++)
			printf("got error %s %s (%s)\n", errs->e[j].field,
			    errs->e[j].key, errs->e[j].detail);
	CHECK(errs->n == n);
}

static void
test_report_errors(void)
{
	static const char all_wrong[] =
	    "category=nope&severity=huge&reporter-name=a%01b&"
	    "reporter-email=not-an-address&reporter-phone=call+me&"
	    "organization=ok&system-level=9&detected-at=yesterday&"
	    "occurred-at=2026-02-30T00%3A00%3A00Z&confidential=maybe&"
	    "source-ip=1.2.3.999&external-id=E1&colour=red&"
	    "indicators=nothing+to+see+here&description=";
	static const struct want_err all_want[] = {
		{ "category", "err.category" },
		{ "severity", "err.severity" },
		{ "reporter-name", "err.invalid" },
		{ "reporter-email", "err.email" },
		{ "reporter-phone", "err.phone" },
		{ "system-level", "err.system-level" },
		{ "detected-at", "err.datetime" },
		{ "occurred-at", "err.datetime" },
		{ "confidential", "err.invalid" },
		{ "source-ip", "err.invalid" },
		{ "external-id", "err.invalid" },
		{ "colour", "err.invalid" },
		{ "indicators", "err.indicators" },
		{ "description", "err.required" },
	};
	static const struct want_err contact_want[] = {
		{ "reporter-email", "err.contact-needed" },
	};
	static const struct want_err twice_want[] = {
		{ "description", "err.invalid" },
		{ "organization", "err.too-long" },
	};
	struct form_context	ctx;
	struct report_limits	lim;
	struct form_fields	ff;
	struct form_meta	meta;
	struct form_errors	errs;
	struct report		r;
	char			body[512];
	size_t			i, o;

	ctx_init(&ctx);
	CHECK(map(all_wrong, &ctx, &r, &meta, &errs, &ff) == 1);
	check_errors(&errs, all_want, sizeof(all_want) / sizeof(all_want[0]));
	CHECK_STR(form_errors_key(&errs, "reporter-email"), "err.email");
	CHECK(form_errors_key(&errs, "organization") == NULL);
	/* the values are all still there for the page */
	CHECK_STR(form_field_get(&ff, "reporter-phone", NULL), "call me");
	report_free(&r);
	form_fields_free(&ff);

	CHECK(map("description=x&reporter-email=&reporter-phone=", &ctx, &r,
	    &meta, &errs, &ff) == 1);
	check_errors(&errs, contact_want, 1);
	report_free(&r);
	form_fields_free(&ff);

	report_limits_default(&lim);
	lim.field_max = 4;
	ctx.lim = &lim;
	CHECK(map("description=x&description=y&organization=12345&"
	    "reporter-phone=1234", &ctx, &r, &meta, &errs, &ff) == 1);
	check_errors(&errs, twice_want, 2);
	report_free(&r);
	form_fields_free(&ff);
	/* too many indicators from the text */
	lim.field_max = 2048;
	lim.indicators_max = 2;
	CHECK(map("description=x&reporter-phone=1234&source-ip=10.0.0.1&"
	    "indicators=10.0.0.2+10.0.0.3", &ctx, &r, &meta, &errs, &ff) == 1);
	CHECK(errs.n == 1 && strcmp(errs.e[0].key, "err.invalid") == 0 &&
	    strcmp(errs.e[0].field, "indicators") == 0);
	report_free(&r);
	form_fields_free(&ff);
	ctx.lim = NULL;

	/* times ahead of now by more than the slack (1 hour) */
	ctx.now = 1795255200;			/* 2026-11-21T10:00:00Z */
	CHECK(map("description=x&reporter-phone=1234&"
	    "detected-at=2026-11-21T18%3A00&occurred-at=2026-11-20T23%3A00",
	    &ctx, &r, &meta, &errs, &ff) == 0);
	report_free(&r);
	form_fields_free(&ff);
	CHECK(map("description=x&reporter-phone=1234&"
	    "detected-at=2026-11-21T18%3A01&"
	    "occurred-at=2026-11-21T11%3A00%3A01Z", &ctx, &r, &meta, &errs,
	    &ff) == 1);
	{
		static const struct want_err future[] = {
			{ "detected-at", "err.future" },
			{ "occurred-at", "err.future" },
		};

		check_errors(&errs, future, 2);
	}
	report_free(&r);
	form_fields_free(&ff);
	ctx.now = 0;
	CHECK(map("description=x&reporter-phone=1234&"
	    "detected-at=2099-01-01T00%3A00", &ctx, &r, &meta, &errs,
	    &ff) == 0);
	report_free(&r);
	form_fields_free(&ff);
	/* the English detail tells what the key does not */
	CHECK(map("description=x&reporter-phone=1234&organization=a%01&"
	    "reporter-name=%C2%85&indicators=1.2.3.4%1B", &ctx, &r, &meta,
	    &errs, &ff) == 1);
	CHECK(errs.n == 3);
	CHECK_STR(errs.e[2].field, "indicators");
	CHECK_STR(errs.e[2].detail, "control character");
	CHECK_STR(errs.e[0].detail, "control character");
	CHECK_STR(errs.e[0].key, "err.invalid");
	report_free(&r);
	form_fields_free(&ff);

	/* more errors than kept: counted */
	o = 0;
	for (i = 0; i < FORM_ERRORS_MAX + 5; i++)
		o += snprintf(body + o, sizeof(body) - o, "x%zu=1&", i);
	CHECK(map(body, &ctx, &r, &meta, &errs, &ff) == 1);
	CHECK(errs.n == FORM_ERRORS_MAX);
	CHECK(errs.dropped == 5 + 2);	/* + description, contact */
	report_free(&r);
	form_fields_free(&ff);
}

/* Built directly: what the decoders never produce still gets an error. */
static void
test_report_direct(void)
{
	char			n0[] = "description", v0[] = "ok";
	char			n1[] = "reporter-name", v1[] = "\xC3\x28";
	char			n2[] = "indicators", v2[] = "1.2.3.4 \xFF";
	char			n3[] = "reporter-phone", v3[] = "123";
	char			v1b[] = "An", v2b[] = "1.2.3.4 \t";
	char			a0[] = "attachment", a1[] = "photo";
	char			fn[] = "a.txt", ct[] = "text/plain";
	struct form_field	f[] = {
		{ n0, v0, 2 }, { n1, v1, 2 }, { n2, v2, 9 }, { n3, v3, 3 },
	};
	struct form_attachment	a[] = {
		{ a0, fn, ct, NULL, 0, { 0 } },
		{ a1, fn, ct, NULL, 0, { 0 } },
	};
	static const struct want_err want[] = {
		{ "reporter-name", "err.invalid" },
		{ "indicators", "err.invalid" },
		{ "photo", "err.invalid" },
	};
	struct form_fields	ff;
	struct form_context	ctx;
	struct form_meta	meta;
	struct form_errors	errs;
	struct report		r;

	form_fields_init(&ff);
	ff.fields = f;
	ff.n_fields = 4;
	ff.attachments = a;
	ff.n_attachments = 2;
	ctx_init(&ctx);
	CHECK(form_to_report(&ff, &ctx, &r, &meta, &errs) == 1);
	check_errors(&errs, want, 3);
	report_free(&r);
	ff.n_attachments = 1;
	f[1].value = v1b;
	f[2].value = v2b;
	CHECK(form_to_report(&ff, &ctx, &r, &meta, &errs) == 0);
	CHECK(r.n_indicators == 1);
	report_free(&r);
}

/* multipart all the way to a report, with a binary attachment. */
static void
test_report_multipart(void)
{
	static const char body[] =
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"csrf\"" CRLF CRLF
	    "t0k" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF CRLF
	    "Ransomware encrypted our file server" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"category\"" CRLF CRLF
	    "ransomware" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"reporter-email\"" CRLF CRLF
	    "it@example.vn" CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"website\"" CRLF CRLF CRLF
	    "--XyZ" CRLF
	    "Content-Disposition: form-data; name=\"attachment\"; "
	    "filename=\"note.bin\"" CRLF
	    "Content-Type: application/octet-stream" CRLF CRLF
	    "\x00\xFF\r\n--XyZ\x00" CRLF
	    "--XyZ--" CRLF;
	struct form_fields	ff;
	struct form_error	err;
	struct form_context	ctx;
	struct form_meta	meta;
	struct form_errors	errs;
	struct report		r;

	CHECK(form_parse(CT, body, sizeof(body) - 1, NULL, &ff, &err) == 0);
	ctx_init(&ctx);
	CHECK(form_to_report(&ff, &ctx, &r, &meta, &errs) == 0);
	CHECK(meta.csrf_len == 3 && memcmp(meta.csrf, "t0k", 3) == 0);
	CHECK(r.category != NULL && strcmp(r.category->code,
	    "ransomware") == 0);
	CHECK(ff.n_attachments == 1 && ff.attachments[0].len == 10 &&
	    memcmp(ff.attachments[0].data, "\x00\xFF\r\n--XyZ\x00", 10) == 0);
	report_free(&r);
	form_fields_free(&ff);
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
	if ((ex = extractor_new(err, sizeof(err))) == NULL ||
	    (cl = classifier_new(classify_embedded, classify_embedded_len,
	    &tax, err, sizeof(err))) == NULL) {
		printf("FAIL setup: %s\n", err);
		return 1;
	}
	test_urlencoded();
	test_urlencoded_limits();
	test_multipart_basic();
	test_multipart_binary();
	test_multipart_encodings();
	test_multipart_nested();
	test_multipart_malformed();
	test_multipart_limits();
	test_both_encodings();
	test_filename();
	test_report_full();
	test_report_defaults();
	test_report_errors();
	test_report_direct();
	test_report_multipart();
	classifier_free(cl);
	extractor_free(ex);
	taxonomy_free(&tax);
	return t_done();
}
