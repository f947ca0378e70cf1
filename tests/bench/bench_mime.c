/*
 * bench_mime.c - throughput of the e-mail parser (mime_parse + mime_free).
 *
 *   bench_mime DIR [SECONDS [SUFFIX]]	every file under DIR (or only names
 *					ending in SUFFIX, e.g. .eml)
 *   bench_mime synthetic:SIZE [SECONDS]	one generated message of about
 *					SIZE bytes (k/m suffixes): headers with
 *					a Received chain, a quoted-printable
 *					text part, an HTML part and, from
 *					16k on, a base64 attachment
 *
 * Parses every input in turn, again and again, for SECONDS (default 3) of
 * wall-clock time, then prints "mime: X MB/s over N files" (MB = 10^6
 * bytes of input per second of this process's CPU time, so that other
 * load on a shared machine does not count) with the wall-clock figure and
 * the CPU share beside it. Inputs are read into memory first; only parsing
 * is timed. Exit status 1 when nothing could be read or a parse failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define BENCH_NAME	"bench_mime"
#include "bench_util.h"

static int	bench_synthetic(struct bench_inputs *, size_t);
static void	mime_parse_one(const struct bench_input *, size_t, void *);

/* Append printf output to the synthetic message. */
static int
bench_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
bench_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*nb;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		if ((nb = realloc(*buf, *cap * 2 + (size_t)n)) == NULL)
			return -1;
		*buf = nb;
		*cap = *cap * 2 + (size_t)n;
	}
}

/*
 * A message of about size bytes that looks like real mail: a Received
 * chain, DKIM, multipart/mixed > multipart/alternative (quoted-printable
 * text + HTML), then a base64 attachment filling the rest; added to in.
 */
static int
bench_synthetic(struct bench_inputs *in, size_t size)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	*m;
	size_t	 len = 0, cap = size + 8192, i, j;
	int	 rc = 0;

	if ((m = malloc(cap)) == NULL)
		return -1;
	m[0] = '\0';
	for (i = 0; i < 5; i++)
		rc |= bench_printf(&m, &len, &cap, "Received: from mx%zu.example."
		    "net (mx%zu.example.net [192.0.2.%zu])\r\n\tby intake.example"
		    ".org with ESMTPS id 4F1A%zu\r\n\tfor <ir@example.org>; Tue, "
		    "7 Apr 2026 10:00:0%zu +0700\r\n", i, i, i + 1, i, i);
	rc |= bench_printf(&m, &len, &cap, "DKIM-Signature: v=1; a=rsa-sha256;"
	    " c=relaxed/relaxed; d=example.net; s=sel;\r\n\th=from:to:subject:"
	    "date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=dzdV"
	    "yOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\r\n"
	    "From: \"=?utf-8?B?VHLhuqduIFbEg24gQQ==?=\" <reporter@example.net>"
	    "\r\nTo: ir@example.org\r\nSubject: =?utf-8?Q?S=E1=BB=B1_c=E1=BB=91"
	    "_m=E1=BA=A1ng?= phishing report\r\nDate: Tue, 7 Apr 2026 10:00:01 "
	    "+0700\r\nMessage-ID: <bench-1@example.net>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"=_mixed_b\"\r\n\r\n"
	    "This is a multi-part message in MIME format.\r\n\r\n--=_mixed_b\r\n"
	    "Content-Type: multipart/alternative; boundary=\"=_alt_b\"\r\n\r\n"
	    "--=_alt_b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	for (i = 0; i < 12; i++)
		rc |= bench_printf(&m, &len, &cap, "Ch=C3=BAng t=C3=B4i ph=C3=A1t"
		    " hi=E1=BB=87n trang gi=E1=BA=A3 m=E1=BA=A1o http://login-%zu"
		    ".example.com/=\r\nverify?id=3D%zu t=E1=BB=AB 198.51.100.%zu."
		    "\r\n", i, i, i);
	rc |= bench_printf(&m, &len, &cap, "\r\n--=_alt_b\r\nContent-Type: "
	    "text/html; charset=utf-8\r\n\r\n<html><head><style>p{color:red}"
	    "</style></head><body>\r\n");
	for (i = 0; i < 12; i++)
		rc |= bench_printf(&m, &len, &cap, "<p>Trang gi&#7843; m&#7841;o "
		    "<a href=\"http://login-%zu.example.com/verify?id=%zu&amp;x=1"
		    "\">b&#7845;m v&agrave;o &#273;&acirc;y</a></p>\r\n", i, i);
	rc |= bench_printf(&m, &len, &cap, "</body></html>\r\n\r\n--=_alt_b--"
	    "\r\n");
	if (size >= 16384) {
		rc |= bench_printf(&m, &len, &cap, "\r\n--=_mixed_b\r\nContent-"
		    "Type: application/octet-stream; name=\"evidence.bin\"\r\n"
		    "Content-Disposition: attachment; filename=\"evidence.bin\""
		    "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		for (j = 0; len + 80 < size; j++) {
			char line[79];

			for (i = 0; i < 76; i++)
				line[i] = b64[(i * 7 + j * 13) & 63];
			line[76] = '\r';
			line[77] = '\n';
			line[78] = '\0';
			rc |= bench_printf(&m, &len, &cap, "%s", line);
		}
	}
	rc |= bench_printf(&m, &len, &cap, "\r\n--=_mixed_b--\r\n");
	if (rc != 0 || bench_inputs_add(in, m, len) == -1) {
		free(m);
		return -1;
	}
	return 0;
}

/* bench_loop callback: one parse and free. */
static void
mime_parse_one(const struct bench_input *in, size_t pass, void *arg)
{
	struct mime_message	*msg;
	struct mime_error	 err;

	(void)pass;
	(void)arg;
	if (mime_parse(in->data, in->len, NULL, &msg, &err) == -1)
		bench_fatal("parse failed: %s", err.reason);
	mime_free(msg);
}

int
main(int argc, char *argv[])
{
	struct bench_inputs	 in;
	struct bench_timing	 t;
	double			 secs = 3;
	size_t			 size;
	char			*end;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_mime DIR|synthetic:SIZE "
		    "[SECONDS [SUFFIX]]\n");
		return 1;
	}
	if (argc > 2 && (secs = strtod(argv[2], &end)) <= 0)
		secs = 3;
	memset(&in, 0, sizeof(in));
	if (strncmp(argv[1], "synthetic:", 10) == 0) {
		size = strtoul(argv[1] + 10, &end, 10);
		if (*end == 'k' || *end == 'K')
			size *= 1024;
		else if (*end == 'm' || *end == 'M')
			size *= 1024 * 1024;
		if (size == 0 || bench_synthetic(&in, size) == -1)
			bench_fatal("bad size %s", argv[1]);
	} else if (bench_inputs_load(&in, argv[1], argc > 3 ? argv[3] :
	    NULL) == -1)
		return 1;
	bench_loop(&in, secs, mime_parse_one, NULL, &t);
	printf("mime: %.1f MB/s over %zu files (per CPU second; %zu bytes, "
	    "%zu parses, %.0f parses/s; wall clock %.1f MB/s, %.0f%% of a "
	    "CPU)\n", (double)t.bytes / 1e6 / t.cpu, in.n, in.bytes, t.parses,
	    (double)t.parses / t.cpu, (double)t.bytes / 1e6 / t.wall,
	    100 * t.cpu / t.wall);
	bench_inputs_free(&in);
	return 0;
}
