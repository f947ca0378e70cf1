/*
 * test_mailout.c - outbound mail as built (mailout.h): addresses and
 * Message-IDs accepted or refused, a subject and a display name holding CR,
 * LF, specials or Vietnamese come back whole through an RFC 2047 decoder
 * and never start a header, folding keeps lines short, the body and an
 * attachment decode back; and who counts as authenticated in
 * Authentication-Results (mail_auth_passes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mail.h"
#include "mailout.h"
#include "mime.h"
#include "page.h"
#include "t.h"

/* The unfolded value of header name in message m, decoded; NULL if none. */
static char *
header(const char *m, const char *name)
{
	char		 raw[4096], *out = NULL;
	const char	*p = m, *eol;
	size_t		 n = 0, nl = strlen(name);

	while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			for (;;) {
				eol = strstr(p, "\r\n");
				if (n + (size_t)(eol - p) >= sizeof(raw))
					return NULL;
				memcpy(raw + n, p, eol - p);
				n += eol - p;
				p = eol + 2;
				if (*p != ' ' && *p != '\t')
					break;
			}
			raw[n] = '\0';
			if (mime_header_decode(raw, n, &out) == -1)
				return NULL;
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

/* How many header lines (not continuations) the message has. */
static int
header_lines(const char *m)
{
	const char	*p = m, *eol;
	int		 n = 0;

	while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
		if (*p != ' ' && *p != '\t')
			n++;
		p = eol + 2;
	}
	return n;
}

static void
init(struct mailout *m)
{
	memset(m, 0, sizeof(*m));
	m->from = "cert@test.example";
	m->to = "citizen@example.org";
	m->subject = "[IR-20261206-000001] Đã nhận báo cáo / received";
	m->message_id = "IR-20261206-000001.00aa@mx.test.example";
	m->loop = "mx.test.example";
	m->auto_replied = 1;
	m->date = 1796000000;
	m->text = "Xin chào\nline two\n";
	m->text_len = strlen(m->text);
}

static void
test_addresses(void)
{
	CHECK(mailout_addr_valid("a@b.example"));
	CHECK(mailout_addr_valid("first.last+tag@sub.example.org"));
	CHECK(!mailout_addr_valid("a@b"));
	CHECK(!mailout_addr_valid("a@@b.example"));
	CHECK(!mailout_addr_valid("@b.example"));
	CHECK(!mailout_addr_valid("a b@c.example"));
	CHECK(!mailout_addr_valid("a@c.example\r\nBcc: x@y.example"));
	CHECK(!mailout_addr_valid("<a@c.example>"));
	CHECK(!mailout_addr_valid("a@c.example, b@d.example"));
	CHECK(!mailout_addr_valid("a@c..example"));
	CHECK(!mailout_addr_valid("nguyễn@c.example"));
	CHECK(!mailout_addr_valid(""));
	CHECK(mailout_msgid_valid("<abc.123@example.org>"));
	CHECK(mailout_msgid_valid("abc.123@example.org"));
	CHECK(!mailout_msgid_valid("<abc 123@example.org>"));
	CHECK(!mailout_msgid_valid("<abc@example.org>\r\nBcc: x"));
	CHECK(!mailout_msgid_valid("no-at-sign"));
}

static void
test_injection(void)
{
	struct mailout	 m;
	struct page_buf	 b;
	char		 err[128], *v;

	init(&m);
	m.subject = "Báo cáo\r\nBcc: victim@example.net\r\n\r\nbody?";
	m.from_name = "CERT \"Tỉnh\", <evil@example.net>";
	page_buf_init(&b);
	CHECK(mailout_build(&m, &b, err, sizeof(err)) == 0);
	CHECK(b.data != NULL && strstr(b.data, "\r\nBcc:") == NULL);
	/* From To Subject Date Message-ID Auto-Submitted X-Auto-Response-
	   Suppress X-Intaked-Loop MIME-Version Content-Type C-T-Encoding */
	CHECK(b.data != NULL && header_lines(b.data) == 11);
	v = b.data ? header(b.data, "Subject") : NULL;
	CHECK(v != NULL && strstr(v, "Bcc: victim@example.net") != NULL);
	free(v);
	v = b.data ? header(b.data, "From") : NULL;
	CHECK(v != NULL && strstr(v, "CERT \"Tỉnh\", <evil@example.net>") != NULL &&
	    strstr(v, "<cert@test.example>") != NULL);
	free(v);
	page_buf_free(&b);

	/* a bad recipient or In-Reply-To: nothing is built */
	init(&m);
	m.to = "a@b.example\r\nBcc: c@d.example";
	page_buf_init(&b);
	CHECK(mailout_build(&m, &b, err, sizeof(err)) == -1 && b.len == 0);
	page_buf_free(&b);
	init(&m);
	m.in_reply_to = "<x@y>\r\nBcc: c@d.example";
	page_buf_init(&b);
	CHECK(mailout_build(&m, &b, err, sizeof(err)) == -1);
	page_buf_free(&b);
	init(&m);
	m.subject = "\xff\xfe not UTF-8";
	page_buf_init(&b);
	CHECK(mailout_build(&m, &b, err, sizeof(err)) == -1);
	page_buf_free(&b);
}

static void
test_layout(void)
{
	struct mailout			 m;
	struct mailout_attachment	 a = { "application/json",
	    "IN-20261206-000001.json", "{\"id\":\"IN-20261206-000001\"}", 27 };
	struct page_buf			 b;
	char				 err[128], *v, long_subject[600];
	const char			*p, *eol;
	unsigned char			 dec[64];
	size_t				 max = 0;

	init(&m);
	memset(long_subject, 0, sizeof(long_subject));
	for (p = "Sự cố nghiêm trọng "; strlen(long_subject) + 40 <
	    sizeof(long_subject);)
		strcat(long_subject, p);
	long_subject[strlen(long_subject) - 1] = '\0';	/* decoders trim */
	m.subject = long_subject;
	m.in_reply_to = "abc.123@example.org";
	m.attachments = &a;
	m.n_attachments = 1;
	page_buf_init(&b);
	CHECK(mailout_build(&m, &b, err, sizeof(err)) == 0);
	for (p = b.data; p != NULL && (eol = strstr(p, "\r\n")) != NULL;
	    p = eol + 2)
		if ((size_t)(eol - p) > max)
			max = eol - p;
	CHECK(max <= 78);
	v = header(b.data, "Subject");
	CHECK(v != NULL && strcmp(v, long_subject) == 0);
	free(v);
	v = header(b.data, "In-Reply-To");
	CHECK(v != NULL && strcmp(v, "<abc.123@example.org>") == 0);
	free(v);
	v = header(b.data, "Date");
	CHECK(v != NULL && strcmp(v, "Mon, 30 Nov 2026 00:53:20 +0000") == 0);
	free(v);
	CHECK(strstr(b.data, "Auto-Submitted: auto-replied\r\n") != NULL);
	CHECK(strstr(b.data, "X-Intaked-Loop: mx.test.example\r\n") != NULL);
	CHECK(strstr(b.data, "filename=\"IN-20261206-000001.json\"") != NULL);
	/* the attachment's base64 decodes back */
	p = strstr(b.data, "filename=\"IN-20261206-000001.json\"");
	p = p ? strstr(p, "\r\n\r\n") : NULL;
	CHECK(p != NULL && EVP_DecodeBlock(dec, (const unsigned char *)p + 4,
	    36) > 0 && memcmp(dec, a.data, a.len) == 0);
	page_buf_free(&b);
}

static void
test_auth_results(void)
{
	CHECK(mail_auth_passes("mx.example; spf=pass smtp.mailfrom="
	    "noc@isp.example", "isp.example"));
	CHECK(mail_auth_passes("mx.example 1; dkim=pass header.d=x; "
	    "dmarc=pass (p=reject) header.from=isp.example", "ISP.example"));
	CHECK(!mail_auth_passes("mx.example; dmarc=fail header.from="
	    "isp.example", "isp.example"));
	CHECK(!mail_auth_passes("mx.example; dmarc=pass header.from="
	    "other.example", "isp.example"));
	CHECK(!mail_auth_passes("mx.example; dkim=pass header.d=isp.example",
	    "isp.example"));
	CHECK(!mail_auth_passes("mx.example; spf=passed smtp.mailfrom="
	    "isp.example", "isp.example"));
	CHECK(!mail_auth_passes("mx.example; spf=pass smtp.mailfrom="
	    "a@sub.isp.example", "isp.example"));
	CHECK(!mail_auth_passes("no semicolon dmarc=pass header.from=x.example",
	    "x.example"));
	CHECK(!mail_auth_passes("mx.example; spf=pass (smtp.mailfrom="
	    "isp.example) smtp.helo=x", "isp.example"));
}

int
main(void)
{
	test_addresses();
	test_injection();
	test_layout();
	test_auth_results();
	return t_done();
}
