/*
 * fuzz_mailout.c - libFuzzer harness for the builder of outbound mail
 * (mailout.h), whose values come from reports. The input is split at NUL
 * bytes into subject, display name, recipient, In-Reply-To, body and an
 * attachment. Aborts when a built message breaks a promise: a header
 * line that is not one of ours (a value that started a header: header
 * injection), a header repeated, a bare CR or LF, a line over 998 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mailout.h"
#include "page.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fz_headers[] = {
	"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
	"References", "Auto-Submitted", "X-Auto-Response-Suppress",
	"X-Intaked-Loop", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding"
};
#define FZ_NHEADERS	(sizeof(fz_headers) / sizeof(fz_headers[0]))

/* The next NUL-separated field of the input, as a new string. */
static char *
fz_field(const char **p, const char *end)
{
	const char	*z = memchr(*p, '\0', (size_t)(end - *p));
	size_t		 n = z ? (size_t)(z - *p) : (size_t)(end - *p);
	char		*s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += z ? n + 1 : n;
	return s;
}

/* Every header line is ours, once; lines end in CRLF, at most 998 bytes. */
static void
fz_check(const char *m, size_t len)
{
	int		 seen[FZ_NHEADERS] = { 0 };
	const char	*line = m, *eol, *end = m + len;
	size_t		 i, n;
	int		 in_head = 1;

	while (line < end) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL ||
		    eol == line || eol[-1] != '\r')
			abort();		/* a line not ended by CRLF */
		n = (size_t)(eol - 1 - line);
		if (n > 998 || memchr(line, '\r', n) != NULL)
			abort();
		if (in_head && n == 0)
			in_head = 0;
		else if (in_head && line[0] != ' ' && line[0] != '\t') {
			for (i = 0; i < FZ_NHEADERS; i++)
				if (strncasecmp(line, fz_headers[i],
				    strlen(fz_headers[i])) == 0 &&
				    line[strlen(fz_headers[i])] == ':')
					break;
			if (i == FZ_NHEADERS || seen[i]++)
				abort();	/* injected or repeated */
		}
		line = eol + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char			*p = (const char *)data;
	const char			*end = p + size;
	char				*f[6], err[128];
	struct mailout			 m;
	struct mailout_attachment	 a;
	struct page_buf			 b;
	int				 i;

	for (i = 0; i < 6; i++)
		f[i] = fz_field(&p, end);
	memset(&m, 0, sizeof(m));
	m.from = "cert@example.org";
	m.from_name = f[1];
	m.to = f[2];
	m.subject = f[0];
	m.message_id = "IR-20261206-000001.0011223344556677@mx.example.org";
	m.in_reply_to = f[3][0] ? f[3] : NULL;
	m.loop = "mx.example.org";
	m.auto_replied = 1;
	m.date = 1796000000;
	m.text = f[4];
	m.text_len = strlen(f[4]);
	a.content_type = "application/json";
	a.filename = "incident.json";
	a.data = f[5];
	a.len = strlen(f[5]);
	m.attachments = &a;
	m.n_attachments = f[5][0] ? 1 : 0;
	page_buf_init(&b);
	if (mailout_build(&m, &b, err, sizeof(err)) == 0)
		fz_check(b.data, b.len);
	/* an accepted recipient is always a single plain address */
	if (mailout_addr_valid(f[2]) && strpbrk(f[2], " \t\r\n<>,;\"") != NULL)
		abort();
	page_buf_free(&b);
	for (i = 0; i < 6; i++)
		free(f[i]);
	return 0;
}
