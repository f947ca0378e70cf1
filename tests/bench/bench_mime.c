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
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"

#define BENCH_FILES_MAX	100000

struct input {
	char	*data;
	size_t	 len;
};

/* nftw has no user pointer: the file list has to live here. */
static struct input	*bench_in;
static size_t		 bench_n;
static const char	*bench_suffix;

static int	bench_add_file(const char *, const struct stat *, int,
		    struct FTW *);
static int	bench_synthetic(size_t);
static double	bench_now(clockid_t);

/* Seconds on clock (CLOCK_MONOTONIC or CLOCK_PROCESS_CPUTIME_ID). */
static double
bench_now(clockid_t clock)
{
	struct timespec	 ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_add_file(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	FILE	*f;
	size_t	 n, sl, pl = strlen(path);
	char	*buf;

	(void)ftw;
	if (type != FTW_F || bench_n >= BENCH_FILES_MAX || st->st_size <= 0)
		return 0;
	if (bench_suffix != NULL && ((sl = strlen(bench_suffix)) > pl ||
	    strcmp(path + pl - sl, bench_suffix) != 0))
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "bench_mime: %s: %s\n", path, strerror(errno));
		return 0;
	}
	if ((buf = malloc((size_t)st->st_size)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st->st_size, f);
	fclose(f);
	bench_in[bench_n].data = buf;
	bench_in[bench_n].len = n;
	bench_n++;
	return 0;
}

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
 * text + HTML), then a base64 attachment filling the rest.
 */
static int
bench_synthetic(size_t size)
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
	if (rc != 0) {
		free(m);
		return -1;
	}
	bench_in[0].data = m;
	bench_in[0].len = len;
	bench_n = 1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct mime_message	*msg;
	struct mime_error	 err;
	double			 secs = 3, t0, c0, el, cpu;
	size_t			 i, bytes = 0, parses = 0, total = 0, size;
	char			*end;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_mime DIR|synthetic:SIZE "
		    "[SECONDS [SUFFIX]]\n");
		return 1;
	}
	if (argc > 2 && (secs = strtod(argv[2], &end)) <= 0)
		secs = 3;
	if (argc > 3)
		bench_suffix = argv[3];
	if ((bench_in = calloc(BENCH_FILES_MAX, sizeof(*bench_in))) == NULL)
		return 1;
	if (strncmp(argv[1], "synthetic:", 10) == 0) {
		size = strtoul(argv[1] + 10, &end, 10);
		if (*end == 'k' || *end == 'K')
			size *= 1024;
		else if (*end == 'm' || *end == 'M')
			size *= 1024 * 1024;
		if (size == 0 || bench_synthetic(size) == -1) {
			fprintf(stderr, "bench_mime: bad size %s\n", argv[1]);
			return 1;
		}
	} else if (nftw(argv[1], bench_add_file, 16, FTW_PHYS) == -1) {
		fprintf(stderr, "bench_mime: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (bench_n == 0) {
		fprintf(stderr, "bench_mime: no input under %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < bench_n; i++)
		total += bench_in[i].len;
	t0 = bench_now(CLOCK_MONOTONIC);
	c0 = bench_now(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (i = 0; i < bench_n; i++) {
			if (mime_parse(bench_in[i].data, bench_in[i].len, NULL,
			    &msg, &err) == -1) {
				fprintf(stderr, "bench_mime: parse failed: "
				    "%s\n", err.reason);
				return 1;
			}
			mime_free(msg);
			bytes += bench_in[i].len;
			parses++;
		}
		el = bench_now(CLOCK_MONOTONIC) - t0;
	} while (el < secs);
	cpu = bench_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("mime: %.1f MB/s over %zu files (per CPU second; %zu bytes, "
	    "%zu parses, %.0f parses/s; wall clock %.1f MB/s, %.0f%% of a "
	    "CPU)\n", (double)bytes / 1e6 / cpu, bench_n, total, parses,
	    (double)parses / cpu, (double)bytes / 1e6 / el, 100 * cpu / el);
	for (i = 0; i < bench_n; i++)
		free(bench_in[i].data);
	free(bench_in);
	return 0;
}
