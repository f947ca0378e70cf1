/*
 * extract.c - the indicator extractor for free text (see extract.h).
 *
 * How a call runs:
 * 1. The text is copied once, refanged on the way (the copy is never
 *    longer than the input); invalid UTF-8 bytes become blanks, so the
 *    copy is valid UTF-8 and every pcre2_match can skip PCRE2's own UTF
 *    check (which, given a start offset, re-reads the rest of the subject:
 *    quadratic over many matches).
 * 2. The copy is cut into tokens at ASCII blanks; nothing any pattern
 *    matches contains one, so only tokens that can hold an indicator (with
 *    '.', ':' or '@', or as long as a CVE ID) are handed to PCRE2.
 * 3. One pattern of seven alternatives runs over each such token from left
 *    to right: URL, e-mail, IPv6, IPv4, hex digest, CVE ID, bare domain,
 *    in that order of preference at one position. Each alternative captures
 *    its candidate in its own group; C code then applies what a regular
 *    expression says badly (trailing punctuation of URLs, the TLD check of
 *    bare domains, digest lengths) and hands the survivors to report.h.
 *    A candidate seen before in the same call is not normalised again.
 *
 * Why it stays linear on hostile input ("a.a.a.a..." or "1.1.1.1..." or a
 * megabyte of hex): every repeat is bounded or possessive, so no attempt
 * backtracks more than a few steps, and every alternative starts with a
 * look-behind that refuses to begin inside a run of the characters it
 * consumes, so after one attempt fails at the start of a run the following
 * positions of that run fail at once. The scan resumes after each match,
 * accepted or not. A match limit and a depth limit bound any one attempt in
 * case a future edit breaks this; the unit test times hostile inputs.
 *
 * Limits: len + 1 bytes and a small table are allocated per call. E-mail
 * local parts are ASCII; a URL runs to the first blank, quote, angle or
 * square bracket, or Unicode punctuation or space.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "extract.h"

#define EXTRACT_MATCH_LIMIT	100000	/* backtracking steps per attempt */
#define EXTRACT_DEPTH_LIMIT	4000	/* nested backtracking frames */
#define EXTRACT_TLD_MAX		24	/* longest generic TLD we list */
#define EXTRACT_SEEN_SLOTS	1024	/* distinct candidates remembered */
#define EXTRACT_CVE_MIN		13	/* strlen("CVE-1999-0001") */

#define EXTRACT_BLANK(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || \
				(c) == '\n' || (c) == '\f' || (c) == '\v')

/* The capture group of each alternative, in pattern order. */
enum extract_group {
	EXG_URL = 1,
	EXG_EMAIL,
	EXG_IPV6,
	EXG_IPV4,
	EXG_HASH,
	EXG_CVE,
	EXG_DOMAIN
};

struct extractor {
	pcre2_code		*re;
	pcre2_match_context	*mctx;
	int			 jit;
};

/* A candidate already handed to extract_add in this call. */
struct extract_seen {
	uint64_t	 hash;
	size_t		 off;		/* into extract_scan.t */
	size_t		 len;		/* 0: free slot */
	enum ind_type	 type;
};

/* The state of one extractor_run call. */
struct extract_scan {
	const struct extractor		*ex;
	const struct report_limits	*lim;
	struct report			*r;
	char				*t;	/* refanged copy of the text */
	pcre2_match_data		*md;
	struct extract_seen		*seen;	/* EXTRACT_SEEN_SLOTS */
	size_t				 nseen;
	size_t				 added;
	size_t				 max;
};

/* A label character, and a whole domain made of 2..127 labels. */
#define EX_LBL		"[\\p{L}\\p{N}\\p{M}-]"
#define EX_LBL1		"[\\p{L}\\p{N}]"
#define EX_DOMAIN	EX_LBL1 EX_LBL "{0,62}+(?:\\." EX_LBL1 EX_LBL \
			"{0,62}+){1,126}+(?!" EX_LBL "|\\." EX_LBL ")"
/* What may follow "scheme://" up to the first blank, quote or bracket. */
#define EX_URLCHAR	"[^\\x00-\\x20\"<>\\[\\]\\\\^`{|}\\x{7f}-\\x{a0}" \
			"\\x{ab}\\x{bb}\\x{2000}-\\x{206f}\\x{3000}-\\x{303f}" \
			"\\x{fe00}-\\x{ffff}]"
#define EX_HEX		"[0-9A-Fa-f]"

static const char extract_pattern[] =
	/* no alternative starts inside a word: ASCII test first, it is cheap */
	"(?<![A-Za-z0-9_])(?:"
	/* 1: URL, even glued to a Vietnamese word; IPv6 hosts keep brackets */
	"((?i:https?|ftp)://"
	"(?:\\[[0-9A-Fa-f:.]{2,45}+\\])?" EX_URLCHAR "*+)"
	"|(?<![\\p{L}\\p{N}\\p{M}])(?:"
	/* 2: e-mail address, ASCII local part */
	"(?<![.=/%+-])([A-Za-z0-9_%+-]{1,64}+"
	"(?:\\.[A-Za-z0-9_%+-]{1,64}+){0,32}+@" EX_DOMAIN ")"
	/* 3: IPv6 candidate, checked by inet_pton later */
	"|(?:(?<=(?i:IPv6):)|(?<![:.]))(" EX_HEX "{0,4}+"
	"(?::" EX_HEX "{0,4}+){1,7}(?::[0-9]{1,3}+(?:\\.[0-9]{1,3}+){3})?)"
	"(?![\\p{L}\\p{N}_:%]|\\.[0-9A-Za-z])"
	/* 4: dotted quad */
	"|(?<![.])((?:[0-9]{1,3}+\\.){3}[0-9]{1,3}+)"
	"(?![\\p{L}\\p{N}_]|\\.[0-9])"
	/* 5: a run of 32..64 hex digits; the length is checked later */
	"|(" EX_HEX "{32,64}+)(?![\\p{L}\\p{N}_])"
	/* 6: CVE ID */
	"|((?i:CVE)-[0-9]{4}-[0-9]{4,19}+)(?![\\p{L}\\p{N}_])"
	/* 7: bare domain name */
	"|(?<![.@/\\\\-])(" EX_DOMAIN ")))";

/*
 * Top-level domains accepted for a bare domain, besides the two-letter
 * country codes and "xn--" labels: the legacy generic ones and the new ones
 * most seen in abuse reports. Sorted (bsearch). "zip" and "mov" are left
 * out on purpose: they are far more often file names.
 */
static const char *const extract_gtlds[] = {
	"aero", "app", "asia", "bank", "bid", "biz", "blog", "buzz", "cam",
	"cat", "cfd", "click", "cloud", "club", "com", "coop", "cyou", "dev",
	"digital", "email", "fun", "gov", "icu", "info", "int", "jobs",
	"life", "link", "live", "loan", "mil", "mobi", "museum", "name",
	"net", "network", "news", "online", "org", "page", "pro", "rest",
	"sbs", "shop", "site", "space", "store", "tech", "tel", "top",
	"travel", "vip", "website", "win", "work", "world", "xyz",
};

/* The delegated two-letter country-code TLDs (IANA root zone). Sorted. */
static const char extract_cctlds[][3] = {
	"ac", "ad", "ae", "af", "ag", "ai", "al", "am", "ao", "aq", "ar",
	"as", "at", "au", "aw", "ax", "az", "ba", "bb", "bd", "be", "bf",
	"bg", "bh", "bi", "bj", "bm", "bn", "bo", "br", "bs", "bt", "bw",
	"by", "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl",
	"cm", "cn", "co", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de",
	"dj", "dk", "dm", "do", "dz", "ec", "ee", "eg", "er", "es", "et",
	"eu", "fi", "fj", "fk", "fm", "fo", "fr", "ga", "gb", "gd", "ge",
	"gf", "gg", "gh", "gi", "gl", "gm", "gn", "gp", "gq", "gr", "gs",
	"gt", "gu", "gw", "gy", "hk", "hm", "hn", "hr", "ht", "hu", "id",
	"ie", "il", "im", "in", "io", "iq", "ir", "is", "it", "je", "jm",
	"jo", "jp", "ke", "kg", "kh", "ki", "km", "kn", "kp", "kr", "kw",
	"ky", "kz", "la", "lb", "lc", "li", "lk", "lr", "ls", "lt", "lu",
	"lv", "ly", "ma", "mc", "md", "me", "mg", "mh", "mk", "ml", "mm",
	"mn", "mo", "mp", "mq", "mr", "ms", "mt", "mu", "mv", "mw", "mx",
	"my", "mz", "na", "nc", "ne", "nf", "ng", "ni", "nl", "no", "np",
	"nr", "nu", "nz", "om", "pa", "pe", "pf", "pg", "ph", "pk", "pl",
	"pm", "pn", "pr", "ps", "pt", "pw", "py", "qa", "re", "ro", "rs",
	"ru", "rw", "sa", "sb", "sc", "sd", "se", "sg", "sh", "si", "sk",
	"sl", "sm", "sn", "so", "sr", "ss", "st", "su", "sv", "sx", "sy",
	"sz", "tc", "td", "tf", "tg", "th", "tj", "tk", "tl", "tm", "tn",
	"to", "tr", "tt", "tv", "tw", "tz", "ua", "ug", "uk", "us", "uy",
	"uz", "va", "vc", "ve", "vg", "vi", "vn", "vu", "wf", "ws", "ye",
	"yt", "za", "zm", "zw",
};

/*
 * Two-label names that are almost always something else: "install.sh",
 * "readme.md", "exploit.py" (country codes that are also common file
 * extensions), and the Vietnamese address abbreviations "TP.HN" (thành
 * phố) and "TX." (thị xã).
 */
static const char *const extract_file_tlds[] = { "md", "py", "sh" };
static const char *const extract_vi_abbrev[] = { "tp", "tx" };

static int	extract_cmp_str(const void *, const void *);
static int	extract_cmp_cc(const void *, const void *);
static int	extract_in_list(const char *const *, size_t, const char *,
		    size_t);
static size_t	extract_defang_token(const char *, size_t, size_t, char *);
static size_t	extract_utf8_len(const char *, size_t);
static size_t	extract_blanks_before(const char *, size_t);
static int	extract_is_alnum(unsigned char);
static size_t	extract_last_label(const char *, size_t, size_t *);
static int	extract_domain_ok(const char *, size_t);
static int	extract_email_ok(const char *, size_t);
static size_t	extract_url_trim(const char *, size_t);
static int	extract_ipv6_ok(const char *, size_t);
static int	extract_candidate(const char *, size_t, int, enum ind_type *,
		    size_t *);
static int	extract_full(const struct extract_scan *);
static int	extract_seen_before(struct extract_scan *, enum ind_type,
		    const char *, size_t);
static int	extract_add(struct extract_scan *, enum ind_type,
		    const char *, size_t);
static int	extract_pcre_errno(int);
static int	extract_span(struct extract_scan *, size_t, size_t);
static int	extract_token_worth(const char *, size_t);

static int
extract_cmp_str(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

static int
extract_cmp_cc(const void *a, const void *b)
{
	return strncmp(a, b, 2);
}

/* 1 when s[0..len) (any case) is one of the n lower-case words of list. */
static int
extract_in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

int
extract_tld_known(const char *tld, size_t len)
{
	char	low[EXTRACT_TLD_MAX + 1];
	size_t	i;

	if (len > 4 && strncasecmp(tld, "xn--", 4) == 0)
		return 1;
	if (len < 2 || len > EXTRACT_TLD_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!((tld[i] >= 'a' && tld[i] <= 'z') ||
		    (tld[i] >= 'A' && tld[i] <= 'Z')))
			return 0;
		low[i] = tld[i] | 0x20;
	}
	low[len] = '\0';
	if (len == 2)
		return bsearch(low, extract_cctlds, sizeof(extract_cctlds) /
		    sizeof(extract_cctlds[0]), sizeof(extract_cctlds[0]),
		    extract_cmp_cc) != NULL;
	return bsearch(low, extract_gtlds, sizeof(extract_gtlds) /
	    sizeof(extract_gtlds[0]), sizeof(extract_gtlds[0]),
	    extract_cmp_str) != NULL;
}

static int
extract_is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'z');
}

/* Number of blanks (space, TAB) at the end of out[0..n). */
static size_t
extract_blanks_before(const char *out, size_t n)
{
	size_t	k = 0;

	while (k < n && (out[n - 1 - k] == ' ' || out[n - 1 - k] == '\t'))
		k++;
	return k;
}

/*
 * If in[i..len) starts with a bracketed defang token ("[.]", "(dot)",
 * "[at]", "[:]", "[://]", ...), write its meaning into *rep (one of '.',
 * '@', ':' or '/' for "://") and return the bytes it takes; else 0.
 */
static size_t
extract_defang_token(const char *in, size_t len, size_t i, char *rep)
{
	static const struct {
		const char	*inner;
		char		 to;
	} toks[] = {
		{ ".", '.' }, { "dot", '.' }, { "@", '@' }, { "at", '@' },
		{ ":", ':' }, { "://", '/' },
	};
	char	close;
	size_t	k, n;

	switch (in[i]) {
	case '[':
		close = ']';
		break;
	case '(':
		close = ')';
		break;
	case '{':
		close = '}';
		break;
	default:
		return 0;
	}
	for (k = 0; k < sizeof(toks) / sizeof(toks[0]); k++) {
		n = strlen(toks[k].inner);
		if (len - i >= n + 2 && in[i + n + 1] == close &&
		    strncasecmp(in + i + 1, toks[k].inner, n) == 0) {
			*rep = toks[k].to;
			return n + 2;
		}
	}
	return 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..len) (RFC 3629: no
 * overlong form, no surrogate, nothing above U+10FFFF), or 0.
 */
static size_t
extract_utf8_len(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		 lo = 0x80, hi = 0xbf;
	size_t			 n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

size_t
extract_refang(const char *in, size_t len, char *out)
{
	size_t	i = 0, j = 0, n;
	char	rep;

	while (i < len) {
		if ((n = extract_defang_token(in, len, i, &rep)) > 0) {
			i += n;
			if (rep == '/') {
				memcpy(out + j, "://", 3);
				j += 3;
				continue;
			}
			if (rep == '.' || rep == '@') {
				/* "user [at] example [dot] com" */
				j -= extract_blanks_before(out, j);
				while (i < len && (in[i] == ' ' ||
				    in[i] == '\t'))
					i++;
			}
			out[j++] = rep;
			continue;
		}
		if ((in[i] | 0x20) == 'h' && len - i >= 5 &&
		    (i == 0 || !extract_is_alnum(in[i - 1])) &&
		    strncasecmp(in + i, "hxxp", 4) == 0) {
			n = (len - i > 5 && (in[i + 4] | 0x20) == 's') ? 5 : 4;
			if (i + n < len && (in[i + n] == ':' ||
			    in[i + n] == '[')) {
				memcpy(out + j, "http", 4);
				memcpy(out + j + 4, in + i + 4, n - 4);
				i += n;
				j += n;
				continue;
			}
		}
		if ((in[i] | 0x20) == 'f' && len - i >= 4 &&
		    (i == 0 || !extract_is_alnum(in[i - 1])) &&
		    strncasecmp(in + i, "fxp", 3) == 0 &&
		    (in[i + 3] == ':' || in[i + 3] == '[')) {
			memcpy(out + j, "ftp", 3);
			i += 3;
			j += 3;
			continue;
		}
		if ((unsigned char)in[i] >= 0x80) {
			/* invalid UTF-8 becomes a blank: see extractor_run */
			if ((n = extract_utf8_len(in + i, len - i)) == 0) {
				out[j++] = ' ';
				i++;
			} else {
				memcpy(out + j, in + i, n);
				i += n;
				j += n;
			}
			continue;
		}
		out[j++] = in[i++];
	}
	out[j] = '\0';
	return j;
}

/* Offset of the last label of the dotted name s[0..len); its length too. */
static size_t
extract_last_label(const char *s, size_t len, size_t *llen)
{
	const char	*dot = memrchr(s, '.', len);
	size_t		 off = dot == NULL ? 0 : (size_t)(dot - s) + 1;

	*llen = len - off;
	return off;
}

/*
 * The bare-domain sanity check: a known TLD written in one case ("evil.Vn"
 * is rather a missing space before a capitalised word), and not one of the
 * two-label file names or abbreviations listed above.
 */
static int
extract_domain_ok(const char *s, size_t len)
{
	size_t	off, tlen, i, labels = 1;
	int	upper = 0, lower = 0;

	off = extract_last_label(s, len, &tlen);
	if (!extract_tld_known(s + off, tlen))
		return 0;
	for (i = off; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper = 1;
		else if (s[i] >= 'a' && s[i] <= 'z')
			lower = 1;
	}
	if (upper && lower)
		return 0;
	for (i = 0; i < off; i++)
		if (s[i] == '.')
			labels++;
	if (labels == 2 && (extract_in_list(extract_file_tlds,
	    sizeof(extract_file_tlds) / sizeof(extract_file_tlds[0]),
	    s + off, tlen) || extract_in_list(extract_vi_abbrev,
	    sizeof(extract_vi_abbrev) / sizeof(extract_vi_abbrev[0]),
	    s, off - 1)))
		return 0;
	return 1;
}

/*
 * An e-mail address needs no listed TLD (the '@' is evidence enough), but
 * its last label must look like one: ASCII letters, or an "xn--" label.
 */
static int
extract_email_ok(const char *s, size_t len)
{
	const char	*at = memrchr(s, '@', len);
	size_t		 off, tlen, i;

	if (at == NULL)
		return 0;
	off = extract_last_label(s, len, &tlen);
	if (tlen > 4 && strncasecmp(s + off, "xn--", 4) == 0)
		return 1;
	if (tlen < 2)
		return 0;
	for (i = off; i < len; i++)
		if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			return 0;
	return 1;
}

/*
 * Length of the URL s[0..len) without the punctuation that ends the
 * sentence around it: ".,;:!?'*" and a ')' with no '(' to match in the URL
 * ("(see https://x.example/a)." gives "https://x.example/a").
 */
static size_t
extract_url_trim(const char *s, size_t len)
{
	size_t	i, open = 0, close = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '(')
			open++;
		else if (s[i] == ')')
			close++;
	}
	while (len > 0) {
		char c = s[len - 1];

		if (c == ')' && close > open)
			close--;
		else if (c != '.' && c != ',' && c != ';' && c != ':' &&
		    c != '!' && c != '?' && c != '\'' && c != '*')
			break;
		len--;
	}
	return len;
}

/* At least two colons and one hex digit: "10:30" and "::" are not. */
static int
extract_ipv6_ok(const char *s, size_t len)
{
	size_t	i, colons = 0, hex = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == ':')
			colons++;
		else if (s[i] != '.')
			hex++;
	}
	return colons >= 2 && hex > 0;
}

/*
 * Turn the match of group g at s[0..*len) into an indicator type, trimming
 * *len where needed. Returns 0 when the candidate should be skipped.
 */
static int
extract_candidate(const char *s, size_t len, int g, enum ind_type *type,
    size_t *outlen)
{
	*outlen = len;
	switch (g) {
	case EXG_URL:
		*type = IND_URL;
		*outlen = extract_url_trim(s, len);
		return *outlen > 0;
	case EXG_EMAIL:
		*type = IND_EMAIL;
		return extract_email_ok(s, len);
	case EXG_IPV6:
		*type = IND_IPV6;
		return extract_ipv6_ok(s, len);
	case EXG_IPV4:
		*type = IND_IPV4;
		return 1;
	case EXG_HASH:
		*type = len == 32 ? IND_MD5 : len == 40 ? IND_SHA1 :
		    IND_SHA256;
		return len == 32 || len == 40 || len == 64;
	case EXG_CVE:
		*type = IND_CVE;
		return 1;
	case EXG_DOMAIN:
		*type = IND_DOMAIN;
		return extract_domain_ok(s, len);
	default:
		return 0;
	}
}

/* 1 when this call may add no more indicators. */
static int
extract_full(const struct extract_scan *sc)
{
	return sc->added >= sc->max ||
	    sc->r->n_indicators >= sc->lim->indicators_max;
}

/*
 * 1 when the same type and bytes were handed to extract_add before in this
 * call (the outcome would be the same: already in the report, or invalid);
 * otherwise remember them while the table has room, and return 0.
 */
static int
extract_seen_before(struct extract_scan *sc, enum ind_type type,
    const char *s, size_t len)
{
	uint64_t	h = 1469598103934665603ULL ^ (uint64_t)type;
	size_t		i, slot;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	for (i = 0; i < EXTRACT_SEEN_SLOTS; i++) {
		struct extract_seen *e;

		slot = (h + i) & (EXTRACT_SEEN_SLOTS - 1);
		e = &sc->seen[slot];
		if (e->len == 0) {
			if (sc->nseen >= EXTRACT_SEEN_SLOTS * 3 / 4)
				return 0;
			e->hash = h;
			e->type = type;
			e->off = s - sc->t;
			e->len = len;
			sc->nseen++;
			return 0;
		}
		if (e->hash == h && e->type == type && e->len == len &&
		    memcmp(sc->t + e->off, s, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Normalise one candidate and add it to the report, counting it when it is
 * new. An invalid candidate is skipped. Returns 0, or -1 (errno ENOMEM)
 * when memory ran out: normalise and add tell that only through errno.
 */
static int
extract_add(struct extract_scan *sc, enum ind_type type, const char *s,
    size_t len)
{
	struct report_error	 err;
	const char		*why;
	char			*norm;
	size_t			 before = sc->r->n_indicators;
	int			 rc;

	if (len == 0 || len > sc->lim->field_max ||
	    extract_seen_before(sc, type, s, len))
		return 0;
	errno = 0;
	if (indicator_normalise(type, s, len, &norm, &why) == -1)
		return errno == ENOMEM ? -1 : 0;
	errno = 0;
	rc = report_add_indicator(sc->r, sc->lim, type, norm, strlen(norm),
	    &err);
	free(norm);
	if (rc == -1)
		return errno == ENOMEM ? -1 : 0;
	if (sc->r->n_indicators > before)
		sc->added++;
	return 0;
}

/* errno for a PCRE2 matching error. */
static int
extract_pcre_errno(int rc)
{
	switch (rc) {
	case PCRE2_ERROR_NOMEMORY:
		return ENOMEM;
	case PCRE2_ERROR_MATCHLIMIT:
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		return ERANGE;
	default:
		return EINVAL;
	}
}

struct extractor *
extractor_new(char *err, size_t errlen)
{
	struct extractor	*ex;
	PCRE2_UCHAR		 msg[128];
	PCRE2_SIZE		 erroff;
	int			 ecode;

	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ex->re = pcre2_compile((PCRE2_SPTR)extract_pattern,
	    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C,
	    &ecode, &erroff, NULL);
	if (ex->re == NULL) {
		pcre2_get_error_message(ecode, msg, sizeof(msg));
		snprintf(err, errlen, "extractor pattern at %zu: %s",
		    (size_t)erroff, (char *)msg);
		free(ex);
		return NULL;
	}
	/* Without JIT support (or with W^X memory) the interpreter runs. */
	ex->jit = pcre2_jit_compile(ex->re, PCRE2_JIT_COMPLETE) == 0;
	if ((ex->mctx = pcre2_match_context_create(NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		extractor_free(ex);
		return NULL;
	}
	pcre2_set_match_limit(ex->mctx, EXTRACT_MATCH_LIMIT);
	pcre2_set_depth_limit(ex->mctx, EXTRACT_DEPTH_LIMIT);
	return ex;
}

void
extractor_free(struct extractor *ex)
{
	if (ex == NULL)
		return;
	pcre2_match_context_free(ex->mctx);
	pcre2_code_free(ex->re);
	free(ex);
}

int
extractor_has_jit(const struct extractor *ex)
{
	return ex->jit;
}

/*
 * Run the pattern over t[start..end), one token or a run of them, adding
 * what it finds. Returns 0, or -1 with errno set (see extractor_run).
 */
static int
extract_span(struct extract_scan *sc, size_t start, size_t end)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(sc->md);
	size_t		 off = start, clen;
	enum ind_type	 type;
	int		 rc, g;

	while (off < end && !extract_full(sc)) {
		rc = pcre2_match(sc->ex->re, (PCRE2_SPTR)sc->t, end, off,
		    PCRE2_NO_UTF_CHECK, sc->md, sc->ex->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0) {
			errno = extract_pcre_errno(rc);
			return -1;
		}
		/* One alternative matched: its group is the last one set. */
		g = rc - 1;
		if (g >= 1 && ov[2 * g] != PCRE2_UNSET &&
		    extract_candidate(sc->t + ov[2 * g], ov[2 * g + 1] -
		    ov[2 * g], g, &type, &clen) &&
		    extract_add(sc, type, sc->t + ov[2 * g], clen) == -1)
			return -1;
		off = ov[1] > off ? ov[1] : off + 1;
	}
	return 0;
}

/*
 * Whether a token (a run without ASCII blanks) can hold an indicator: every
 * one has a '.', ':' or '@', or is at least as long as a CVE ID. Nothing the
 * pattern matches contains a blank, so skipping the other tokens changes no
 * result; it only spares the pattern most words of prose.
 */
static int
extract_token_worth(const char *s, size_t len)
{
	size_t	i;

	if (len >= EXTRACT_CVE_MIN)
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] == '.' || s[i] == ':' || s[i] == '@')
			return 1;
	return 0;
}

int
extractor_run(const struct extractor *ex, const char *text, size_t len,
    const struct report_limits *lim, struct report *r, size_t max_indicators)
{
	struct report_limits	 dl;
	struct extract_scan	 sc;
	size_t			 n, pos = 0, tok;
	int			 ret = 0;

	if (lim == NULL) {
		report_limits_default(&dl);
		lim = &dl;
	}
	memset(&sc, 0, sizeof(sc));
	sc.ex = ex;
	sc.lim = lim;
	sc.r = r;
	sc.max = max_indicators;
	if ((sc.t = malloc(len + 1)) == NULL ||
	    (sc.seen = calloc(EXTRACT_SEEN_SLOTS, sizeof(*sc.seen))) == NULL ||
	    (sc.md = pcre2_match_data_create_from_pattern(ex->re, NULL)) ==
	    NULL) {
		free(sc.seen);
		free(sc.t);
		errno = ENOMEM;
		return -1;
	}
	n = extract_refang(text, len, sc.t);
	/* defined bytes past the text: PCRE2's JIT may read ahead */
	memset(sc.t + n, 0, len + 1 - n);
	while (pos < n && ret == 0 && !extract_full(&sc)) {
		while (pos < n && EXTRACT_BLANK(sc.t[pos]))
			pos++;
		for (tok = pos; pos < n && !EXTRACT_BLANK(sc.t[pos]); pos++)
			;
		if (pos > tok && extract_token_worth(sc.t + tok, pos - tok))
			ret = extract_span(&sc, tok, pos);
	}
	pcre2_match_data_free(sc.md);
	free(sc.seen);
	free(sc.t);
	return ret == -1 ? -1 : (int)sc.added;
}
