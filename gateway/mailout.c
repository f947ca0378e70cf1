/*
 * mailout.c - RFC 5322 / MIME messages from the daemon's own data (see
 * mailout.h): a header section where no value can end a line, a UTF-8
 * text body, and attachments, each part base64 in lines of 76.
 *
 * Limits: header values are folded at 76 columns (encoded words of at most
 * 39 input bytes each); the whole message is bounded by the buffer
 * (PAGE_BUF_MAX).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "mailout.h"
#include "page.h"
#include "report.h"

#define MAILOUT_B64_LINE	57	/* input bytes of one 76-column line */
#define MAILOUT_WORD_BYTES	39	/* input bytes of one encoded word */

static void	mailout_puts(struct page_buf *, const char *);
static void	mailout_header_text(struct page_buf *, const char *,
		    const char *, int);
static void	mailout_base64(struct page_buf *, const char *, size_t);
static void	mailout_date(struct page_buf *, time_t);

/* An atom character of RFC 5322 that may also stand in our addresses. */
static int
mailout_addr_char(int c)
{
	return c > 32 && c < 127 && strchr("<>()[]\\,;:\"@ ", c) == NULL;
}

int
mailout_addr_valid(const char *addr)
{
	const char	*at, *p;
	size_t		 len;

	if (addr == NULL || (len = strlen(addr)) == 0 ||
	    len > MAILOUT_ADDR_MAX)
		return 0;
	if ((at = strchr(addr, '@')) == NULL || at == addr ||
	    strchr(at + 1, '@') != NULL || at[1] == '\0')
		return 0;
	for (p = addr; *p != '\0'; p++)
		if (p != at && !mailout_addr_char((unsigned char)*p))
			return 0;
	/* a domain with a dot, no empty label */
	if (strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    addr[len - 1] == '.' || strstr(at, "..") != NULL)
		return 0;
	return 1;
}

int
mailout_msgid_valid(const char *id)
{
	size_t	len, i;
	int	ats = 0;

	if (id == NULL)
		return 0;
	len = strlen(id);
	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		id++;
		len -= 2;
	}
	if (len < 3 || len > MAILOUT_MSGID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (id[i] <= 32 || id[i] >= 127 || id[i] == '<' ||
		    id[i] == '>')
			return 0;
		ats += id[i] == '@';
	}
	return ats == 1 && id[0] != '@' && id[len - 1] != '@';
}

static void
mailout_puts(struct page_buf *b, const char *s)
{
	page_buf_append(b, s, strlen(s));
}

/* Whether s can stand in a header as it is: printable ASCII, short words. */
static int
mailout_plain(const char *s)
{
	size_t	word = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			return 0;
		word = *s == ' ' ? 0 : word + 1;
		if (word > 60)
			return 0;
		if (s[0] == '=' && s[1] == '?')
			return 0;	/* would read as an encoded word */
	}
	return 1;
}

/*
 * "Name: value" and CRLF. A plain value is written as it is, folded at
 * spaces; any other (and, for a phrase, a display name, one holding an
 * RFC 5322 special) is UTF-8 in encoded words (RFC 2047 "B"), split on
 * character boundaries, one per folded line. Invalid UTF-8 was refused by
 * the caller; control characters are encoded, hence inert.
 */
static void
mailout_header_text(struct page_buf *b, const char *name, const char *value,
    int phrase)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 len = strlen(value), n, col;
	unsigned char		 enc[4 * MAILOUT_WORD_BYTES / 3 + 4];

	mailout_puts(b, name);
	mailout_puts(b, ":");
	col = strlen(name) + 1;
	/* a display name with specials could read as more addresses */
	if (mailout_plain(value) && (!phrase ||
	    strpbrk(value, "\"(),.:;<>@[\\]") == NULL)) {
		const char	*w = value, *sp;

		while (*w != '\0') {
			sp = strchr(w + 1, ' ');
			n = sp ? (size_t)(sp - w) : strlen(w);
			if (col + n > 76 && col > strlen(name) + 1) {
				mailout_puts(b, "\r\n");
				col = 0;
			}
			if (w == value)
				page_buf_append(b, " ", 1), col++;
			page_buf_append(b, w, n);
			col += n;
			w += n;
		}
		mailout_puts(b, "\r\n");
		return;
	}
	while (len > 0) {
		n = len < MAILOUT_WORD_BYTES ? len : MAILOUT_WORD_BYTES;
		while (n < len && n > 0 && (s[n] & 0xc0) == 0x80)
			n--;	/* do not split a character */
		if (n == 0)
			n = len < MAILOUT_WORD_BYTES ? len : MAILOUT_WORD_BYTES;
		EVP_EncodeBlock(enc, s, (int)n);
		mailout_puts(b, " =?UTF-8?B?");
		mailout_puts(b, (const char *)enc);
		mailout_puts(b, "?=");
		s += n;
		len -= n;
		if (len > 0)
			mailout_puts(b, "\r\n");
	}
	mailout_puts(b, "\r\n");
}

/* data in base64, 76 columns a line, each line ended by CRLF. */
static void
mailout_base64(struct page_buf *b, const char *data, size_t len)
{
	unsigned char	line[4 * MAILOUT_B64_LINE / 3 + 4];
	size_t		n;

	while (len > 0) {
		n = len < MAILOUT_B64_LINE ? len : MAILOUT_B64_LINE;
		EVP_EncodeBlock(line, (const unsigned char *)data, (int)n);
		mailout_puts(b, (const char *)line);
		mailout_puts(b, "\r\n");
		data += n;
		len -= n;
	}
}

/* RFC 5322 date in UTC, independent of the locale. */
static void
mailout_date(struct page_buf *b, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;
	char		s[64];

	gmtime_r(&t, &tm);
	snprintf(s, sizeof(s), "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	mailout_puts(b, s);
}

/* "<id>" whether or not id came with its brackets. */
static void
mailout_msgid(struct page_buf *b, const char *name, const char *id)
{
	size_t	len = strlen(id);

	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		id++;
		len -= 2;
	}
	mailout_puts(b, name);
	mailout_puts(b, ": <");
	page_buf_append(b, id, len);
	mailout_puts(b, ">\r\n");
}

/* The boundary: no base64 line can hold "=_" nor this text. */
static void
mailout_boundary(const struct mailout *m, char out[48])
{
	unsigned char	h[SHA256_DIGEST_LENGTH];
	int		i;

	SHA256((const unsigned char *)m->message_id, strlen(m->message_id), h);
	memcpy(out, "=_part_", 7);
	for (i = 0; i < 16; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", h[i]);
}

static int
mailout_check(const struct mailout *m, char *err, size_t errlen)
{
	size_t	i, k;

	if (!mailout_addr_valid(m->from) || !mailout_addr_valid(m->to)) {
		snprintf(err, errlen, "not a usable address");
		return -1;
	}
	if (!mailout_msgid_valid(m->message_id) || (m->in_reply_to != NULL &&
	    !mailout_msgid_valid(m->in_reply_to))) {
		snprintf(err, errlen, "not a usable Message-ID");
		return -1;
	}
	if (m->subject == NULL || !utf8_valid(m->subject, strlen(m->subject)) ||
	    (m->from_name != NULL && !utf8_valid(m->from_name,
	    strlen(m->from_name))) || m->text == NULL ||
	    !utf8_valid(m->text, m->text_len)) {
		snprintf(err, errlen, "text that is not UTF-8");
		return -1;
	}
	if (m->loop == NULL || !mailout_plain(m->loop)) {
		snprintf(err, errlen, "no loop header value");
		return -1;
	}
	for (i = 0; i < m->n_attachments; i++) {
		const char *f = m->attachments[i].filename;

		for (k = 0; f != NULL && f[k] != '\0'; k++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    f[k]) == NULL)
				break;
		if (f == NULL || k == 0 || f[k] != '\0' || k > 64 ||
		    m->attachments[i].content_type == NULL ||
		    !mailout_plain(m->attachments[i].content_type)) {
			snprintf(err, errlen, "a bad attachment name or type");
			return -1;
		}
	}
	return 0;
}

/* The text part's headers and body. */
static void
mailout_text_part(struct page_buf *b, const struct mailout *m)
{
	mailout_puts(b, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	mailout_base64(b, m->text, m->text_len);
}

int
mailout_build(const struct mailout *m, struct page_buf *b, char *err,
    size_t errlen)
{
	char	boundary[48];
	size_t	i;

	if (mailout_check(m, err, errlen) == -1)
		return -1;
	if (m->from_name != NULL && m->from_name[0] != '\0') {
		/* the name encoded whole, the address after it */
		struct page_buf	 name;

		page_buf_init(&name);
		mailout_header_text(&name, "From", m->from_name, 1);
		if (name.len >= 2)
			page_buf_append(b, name.data, name.len - 2);
		page_buf_free(&name);
		mailout_puts(b, " <");
		mailout_puts(b, m->from);
		mailout_puts(b, ">\r\n");
	} else {
		mailout_puts(b, "From: <");
		mailout_puts(b, m->from);
		mailout_puts(b, ">\r\n");
	}
	mailout_puts(b, "To: <");
	mailout_puts(b, m->to);
	mailout_puts(b, ">\r\n");
	mailout_header_text(b, "Subject", m->subject, 0);
	mailout_date(b, m->date);
	mailout_msgid(b, "Message-ID", m->message_id);
	if (m->in_reply_to != NULL) {
		mailout_msgid(b, "In-Reply-To", m->in_reply_to);
		mailout_msgid(b, "References", m->in_reply_to);
	}
	mailout_puts(b, m->auto_replied ? "Auto-Submitted: auto-replied\r\n" :
	    "Auto-Submitted: auto-generated\r\n");
	/* asks Exchange and Outlook not to answer with an out-of-office */
	mailout_puts(b, "X-Auto-Response-Suppress: All\r\n");
	mailout_puts(b, "X-Intaked-Loop: ");
	mailout_puts(b, m->loop);
	mailout_puts(b, "\r\nMIME-Version: 1.0\r\n");
	if (m->n_attachments == 0) {
		mailout_text_part(b, m);
	} else {
		mailout_boundary(m, boundary);
		mailout_puts(b, "Content-Type: multipart/mixed;\r\n boundary=\"");
		mailout_puts(b, boundary);
		mailout_puts(b, "\"\r\n\r\nThis is a MIME message.\r\n");
		mailout_puts(b, "\r\n--");
		mailout_puts(b, boundary);
		mailout_puts(b, "\r\n");
		mailout_text_part(b, m);
		for (i = 0; i < m->n_attachments; i++) {
			const struct mailout_attachment *a = &m->attachments[i];

			mailout_puts(b, "\r\n--");
			mailout_puts(b, boundary);
			mailout_puts(b, "\r\nContent-Type: ");
			mailout_puts(b, a->content_type);
			mailout_puts(b, "\r\nContent-Disposition: attachment;"
			    " filename=\"");
			mailout_puts(b, a->filename);
			mailout_puts(b, "\"\r\nContent-Transfer-Encoding: "
			    "base64\r\n\r\n");
			mailout_base64(b, a->data, a->len);
		}
		mailout_puts(b, "\r\n--");
		mailout_puts(b, boundary);
		mailout_puts(b, "--\r\n");
	}
	if (b->failed) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
