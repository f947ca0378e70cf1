/*
 * fuzz_smtp.c - libFuzzer harness for the pure SMTP helpers (smtp_proto.h).
 *
 * The input is parsed as one command line (at most SMTP_LINE_MAX bytes, as
 * the session frames them) and as a MAIL and a RCPT argument; results must
 * stay inside their buffers and keep their documented shape. Then it is
 * fed to the DATA decoder in pieces of pseudo-random size (seeded from the
 * input, so a crash replays), and checked against a reference model:
 * every call gives at most its input + 2 bytes, consumption stops exactly
 * after the first CRLF "." CRLF (the start of data counts as a line start),
 * the output is the unstuffed message, bare CR/LF counts are right, and
 * feeding the whole input at once gives the same result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits_gw.h"
#include "smtp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fz_command(const char *, size_t);
static void	fz_path(const char *, size_t, int);
static void	fz_data(const char *, size_t);

static void
fz_command(const char *line, size_t len)
{
	struct smtp_command	 cmd;
	const char		*why = NULL;

	if (len > SMTP_LINE_MAX)
		return;
	memset(&cmd, 0, sizeof(cmd));
	if (smtp_parse_command(line, len, &cmd, &why) == -1) {
		if (why == NULL || why[0] == '\0')
			abort();
		return;
	}
	if (cmd.verb > SMTP_CMD_UNKNOWN || cmd.arg == NULL ||
	    cmd.arg < line || cmd.arglen > len ||
	    cmd.arg + cmd.arglen > line + len)
		abort();
	/* accepted lines hold no CR, LF or NUL */
	if (memchr(line, '\0', len) != NULL ||
	    memchr(line, '\r', len) != NULL ||
	    memchr(line, '\n', len) != NULL)
		abort();
}

static void
fz_path(const char *arg, size_t len, int is_mail)
{
	struct smtp_path	 p;
	const char		*why = NULL;
	const char		*at;
	int			 code = 0;
	size_t			 alen, i;

	if (smtp_parse_path(arg, len, is_mail, &p, &code, &why) == -1) {
		if (why == NULL || why[0] == '\0' ||
		    (code != 501 && code != 553 && code != 555))
			abort();
		return;
	}
	if (memchr(p.addr, '\0', sizeof(p.addr)) == NULL)
		abort();
	alen = strlen(p.addr);
	if (alen > SMTP_PATH_MAX)
		abort();
	if (alen == 0) {
		if (!is_mail)		/* "<>" is for MAIL only */
			abort();
	} else {
		/* local@domain split at the last @, both parts non-empty
		 * (the local part itself is not checked against RFC 5321) */
		at = strrchr(p.addr, '@');
		if (at == NULL || at == p.addr || at == p.addr + alen - 1)
			abort();
	}
	for (i = 0; i < alen; i++)
		if ((unsigned char)p.addr[i] <= ' ' || p.addr[i] == '<' ||
		    p.addr[i] == '>')
			abort();
	if (p.size < -1 || (p.body_8bit != 0 && p.body_8bit != 1) ||
	    (p.smtputf8 != 0 && p.smtputf8 != 1))
		abort();
	if (!is_mail && (p.size != -1 || p.body_8bit || p.smtputf8))
		abort();
}

/*
 * The reference: where the message ends (bytes consumed, or len + 1 when it
 * does not), the unstuffed output and the bare CR/LF counts.
 */
struct fz_ref {
	size_t	 end;	/* consumed when done, len + 1 if not */
	char	*out;
	size_t	 outlen;
	size_t	 bare_cr, bare_lf;
};

static void
fz_reference(const char *in, size_t len, struct fz_ref *ref)
{
	size_t	i, stop, ls;

	/* the first ".\r\n" at a line start (CRLF before, or the start) */
	ref->end = len + 1;
	for (i = 0; i + 3 <= len; i++) {
		if ((i == 0 || (i >= 2 && in[i - 2] == '\r' &&
		    in[i - 1] == '\n')) && memcmp(in + i, ".\r\n", 3) == 0) {
			ref->end = i + 3;
			break;
		}
	}
	stop = ref->end <= len ? ref->end - 3 : len;
	/* lines of in[0..stop) at CRLF; each loses one leading dot */
	ref->out = malloc(stop + 1);
	ref->outlen = 0;
	for (ls = 0; ls < stop; ) {
		size_t le = ls;

		while (le + 1 < stop && !(in[le] == '\r' && in[le + 1] == '\n'))
			le++;
		if (le + 1 < stop)
			le += 2;	/* through the CRLF */
		else
			le = stop;
		if (in[ls] == '.')
			ls++;
		memcpy(ref->out + ref->outlen, in + ls, le - ls);
		ref->outlen += le - ls;
		ls = le;
	}
	ref->bare_cr = ref->bare_lf = 0;
	for (i = 0; i < stop; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			ref->bare_lf++;
		/* a CR at the very end of unfinished input is still pending */
		if (in[i] == '\r' && i + 1 < stop && in[i + 1] != '\n')
			ref->bare_cr++;
	}
}

static uint64_t
fz_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Feed in[0..len) in random pieces; returns consumed, fills out. */
static size_t
fz_feed(const char *in, size_t len, uint64_t seed, char *out, size_t *outlen,
    struct smtp_data *d)
{
	size_t	off = 0, piece, used, produced;
	char	*buf;

	*outlen = 0;
	smtp_data_init(d);
	while (off <= len && d->state != SMTP_DATA_DONE) {
		if (seed == 0)
			piece = len - off;		/* all at once */
		else
			piece = fz_next(&seed) % 67;	/* 0 included */
		if (piece > len - off)
			piece = len - off;
		buf = malloc(piece + 2);	/* the documented room */
		produced = (size_t)-1;
		used = smtp_data_feed(d, in + off, piece, buf, &produced);
		if (used > piece || produced > piece + 2)
			abort();
		if (used < piece && d->state != SMTP_DATA_DONE)
			abort();
		if (*outlen + produced > len)
			abort();
		memcpy(out + *outlen, buf, produced);
		*outlen += produced;
		free(buf);
		off += used;
		if (off == len && (seed == 0 || piece == 0))
			break;
	}
	return off;
}

static void
fz_data(const char *in, size_t len)
{
	struct fz_ref		 ref;
	struct smtp_data	 d1, d2;
	char			*o1, *o2;
	size_t			 c1, c2, l1, l2;
	uint64_t		 seed = 1469598103934665603ULL;
	size_t			 i;

	for (i = 0; i < len; i++)
		seed = (seed ^ (unsigned char)in[i]) * 1099511628211ULL;
	if (seed == 0)
		seed = 1;
	fz_reference(in, len, &ref);
	o1 = malloc(len + 1);
	o2 = malloc(len + 1);
	c1 = fz_feed(in, len, 0, o1, &l1, &d1);
	c2 = fz_feed(in, len, seed, o2, &l2, &d2);

	if (ref.end <= len) {
		if (d1.state != SMTP_DATA_DONE || c1 != ref.end)
			abort();
	} else if (d1.state == SMTP_DATA_DONE || c1 != len)
		abort();
	/* the unstuffed message; unfinished input may hold back one CR */
	if (l1 > ref.outlen || memcmp(o1, ref.out, l1) != 0)
		abort();
	if (d1.state == SMTP_DATA_DONE && l1 != ref.outlen)
		abort();
	if (d1.state != SMTP_DATA_DONE && l1 != ref.outlen &&
	    !(l1 + 1 == ref.outlen && ref.out[l1] == '\r'))
		abort();
	if (d1.bare_lf != ref.bare_lf || d1.bare_cr != ref.bare_cr)
		abort();
	/* pieces change nothing */
	if (c1 != c2 || l1 != l2 || memcmp(o1, o2, l1) != 0 ||
	    d1.state != d2.state || d1.bare_cr != d2.bare_cr ||
	    d1.bare_lf != d2.bare_lf || d1.header_bytes != d2.header_bytes ||
	    d1.header_lines != d2.header_lines ||
	    d1.longest_line != d2.longest_line)
		abort();
	if (d1.header_bytes > l1 || d1.longest_line > l1)
		abort();
	free(ref.out);
	free(o1);
	free(o2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data;

	fz_command(p, size);
	fz_path(p, size, 1);
	fz_path(p, size, 0);
	fz_data(p, size);
	return 0;
}
