/*
 * classify.c - the keyword classifier and the [TBSC] subject test (see
 * classify.h for the rules file, the normalisation and the scoring).
 *
 * Keywords live in a byte trie built once from their normalised forms.
 * Guessing normalises the subject and the body (each bounded), walks the
 * trie from every word start (a word start is the text start or the byte
 * after a space, since the normalised text has single spaces), marks each
 * rule seen in the subject or in the body, runs the few /regex/ rules once
 * each, then adds up the weights per category. Work is linear in the text
 * examined times the length of the longest keyword.
 *
 * A keyword that normalises to one already listed for the same category
 * is merged with it (the higher weight stays): "lừa đảo" and "lua dao" are
 * one rule, and a text using both forms does not count twice.
 *
 * No I/O, no globals; every allocation is checked and released on error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "classify.h"
#include "report.h"

#define CLS_KEYWORD_MAX		256	/* bytes of a normalised keyword */
#define CLS_RULES_MAX		10000
#define CLS_DECOMP_MAX		32	/* code points from one decomposition */
#define CLS_MATCH_LIMIT		100000
#define CLS_DEPTH_LIMIT		1000
#define CLS_NORM_OPTIONS	(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | \
				UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | \
				UTF8PROC_IGNORE)
#define CLS_IN_SUBJECT		0x01	/* cls_scan flags, per rule */
#define CLS_IN_BODY		0x02

struct cls_rule {
	size_t		 cat;		/* index into tax->entries */
	int		 weight;
	int		 prefix;	/* keyword written with a final '*' */
	int32_t		 next;		/* next rule ending at its node, -1 */
	pcre2_code	*re;		/* a /regex/ rule; NULL for a keyword */
};

struct cls_node {
	uint32_t	 child;		/* first child; 0: none */
	uint32_t	 sibling;	/* next child of the parent; 0: none */
	int32_t		 rule;		/* first rule ending here; -1: none */
	unsigned char	 byte;
};

struct classifier {
	const struct taxonomy		*tax;
	const struct taxonomy_entry	*undetermined;
	struct cls_rule			*rules;
	size_t				 nrules;
	size_t				 caprules;
	struct cls_node			*nodes;		/* [0] is the root */
	size_t				 nnodes;
	size_t				 capnodes;
	uint32_t			 root[256];	/* root's children */
	size_t				*rank;	/* per category: its first rule */
	pcre2_match_context		*mctx;
	size_t				 nregex;
};

/* A growing string. */
struct cls_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 sep;		/* a separator is pending */
};

static int	cls_buf_reserve(struct cls_buf *, size_t);
static int	cls_put_cp(struct cls_buf *, utf8proc_int32_t);
static int	cls_put_char(struct cls_buf *, const char *, size_t);
static int	cls_normalise_into(struct cls_buf *, const char *, size_t);
static uint32_t	cls_child(const struct classifier *, uint32_t,
		    unsigned char);
static uint32_t	cls_node_new(struct classifier *, unsigned char);
static int	cls_rule_new(struct classifier *, size_t, int, size_t *);
static int	cls_add_keyword(struct classifier *, size_t, int,
		    const char *, size_t, char *, size_t, size_t);
static int	cls_regex_normalised(const char *, size_t);
static int	cls_add_regex(struct classifier *, size_t, int,
		    const char *, size_t, char *, size_t, size_t);
static int	cls_add_line(struct classifier *, const char *, size_t,
		    size_t, char *, size_t);
static void	cls_scan(const struct classifier *, const char *, size_t,
		    unsigned char *, unsigned char);
static int	cls_scan_regex(const struct classifier *, const char *,
		    size_t, unsigned char *, unsigned char);
static int	cls_scan_part(const struct classifier *, struct cls_buf *,
		    const char *, size_t, size_t, unsigned char *,
		    unsigned char);
static const char *cls_skip_prefix(const char *, const char *);

/* Room for more bytes and a NUL. */
static int
cls_buf_reserve(struct cls_buf *b, size_t more)
{
	size_t	 ncap;
	char	*p;

	if (b->cap - b->len > more)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap - b->len <= more) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if ((p = realloc(b->s, ncap)) == NULL)
		return -1;
	/* defined bytes past the text: PCRE2's JIT may read ahead */
	memset(p + b->cap, 0, ncap - b->cap);
	b->s = p;
	b->cap = ncap;
	return 0;
}

/* Append one word character (n bytes), after the pending separator. */
static int
cls_put_char(struct cls_buf *b, const char *c, size_t n)
{
	if (cls_buf_reserve(b, n + 1) == -1)
		return -1;
	if (b->sep && b->len > 0)
		b->s[b->len++] = ' ';
	b->sep = 0;
	memcpy(b->s + b->len, c, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/*
 * Append one code point of a decomposition: a letter or a digit as itself
 * (đ as d), anything else as a separator.
 */
static int
cls_put_cp(struct cls_buf *b, utf8proc_int32_t cp)
{
	utf8proc_uint8_t	enc[4];
	utf8proc_ssize_t	n;

	if (cp == 0x111)	/* đ, and Đ once case-folded */
		cp = 'd';
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		if ((n = utf8proc_encode_char(cp, enc)) <= 0)
			break;
		return cls_put_char(b, (const char *)enc, n);
	default:
		break;
	}
	b->sep = 1;
	return 0;
}

/* Append the normalised form of in[0..len) to b. */
static int
cls_normalise_into(struct cls_buf *b, const char *in, size_t len)
{
	utf8proc_int32_t	 cp, dec[CLS_DECOMP_MAX];
	utf8proc_ssize_t	 n, k, i;
	size_t			 pos = 0;
	int			 bc;
	char			 c;

	if (cls_buf_reserve(b, len) == -1)
		return -1;
	while (pos < len) {
		c = in[pos];
		if ((unsigned char)c < 0x80) {
			pos++;
			if (c >= 'A' && c <= 'Z')
				c |= 0x20;
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
				if (cls_put_char(b, &c, 1) == -1)
					return -1;
			} else
				b->sep = 1;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)in + pos,
		    len - pos, &cp);
		if (n <= 0) {
			pos++;
			b->sep = 1;
			continue;
		}
		pos += n;
		bc = 0;
		k = utf8proc_decompose_char(cp, dec, CLS_DECOMP_MAX,
		    CLS_NORM_OPTIONS, &bc);
		if (k < 0 || k > CLS_DECOMP_MAX) {
			b->sep = 1;
			continue;
		}
		for (i = 0; i < k; i++)
			if (cls_put_cp(b, dec[i]) == -1)
				return -1;
	}
	return 0;
}

int
classify_normalise(const char *in, size_t len, char **out, size_t *outlen)
{
	struct cls_buf	b;

	memset(&b, 0, sizeof(b));
	if (cls_normalise_into(&b, in, len) == -1 ||
	    cls_buf_reserve(&b, 0) == -1) {
		free(b.s);
		errno = ENOMEM;
		return -1;
	}
	b.s[b.len] = '\0';
	*out = b.s;
	*outlen = b.len;
	return 0;
}

/* The child of node for byte c, or 0. */
static uint32_t
cls_child(const struct classifier *cl, uint32_t node, unsigned char c)
{
	uint32_t	k;

	if (node == 0)
		return cl->root[c];
	for (k = cl->nodes[node].child; k != 0; k = cl->nodes[k].sibling)
		if (cl->nodes[k].byte == c)
			return k;
	return 0;
}

/* A new, unlinked trie node for byte c; 0 when out of memory. */
static uint32_t
cls_node_new(struct classifier *cl, unsigned char c)
{
	struct cls_node	*p;
	size_t		 ncap;

	if (cl->nnodes == cl->capnodes) {
		ncap = cl->capnodes * 2;
		if (ncap > UINT32_MAX || (p = reallocarray(cl->nodes, ncap,
		    sizeof(*p))) == NULL)
			return 0;
		cl->nodes = p;
		cl->capnodes = ncap;
	}
	p = &cl->nodes[cl->nnodes];
	p->child = p->sibling = 0;
	p->rule = -1;
	p->byte = c;
	return cl->nnodes++;
}

/* Append a rule of category cat; its index in *idx. */
static int
cls_rule_new(struct classifier *cl, size_t cat, int weight, size_t *idx)
{
	struct cls_rule	*p;
	size_t		 ncap;

	if (cl->nrules == cl->caprules) {
		ncap = cl->caprules ? cl->caprules * 2 : 64;
		if ((p = reallocarray(cl->rules, ncap, sizeof(*p))) == NULL)
			return -1;
		cl->rules = p;
		cl->caprules = ncap;
	}
	p = &cl->rules[cl->nrules];
	memset(p, 0, sizeof(*p));
	p->cat = cat;
	p->weight = weight;
	p->next = -1;
	if (cl->rank[cat] == SIZE_MAX)
		cl->rank[cat] = cl->nrules;
	*idx = cl->nrules++;
	return 0;
}

/*
 * Add keyword kw[0..len) (raw, as written in the file) for category cat.
 * Returns 0, or -1 with err filled.
 */
static int
cls_add_keyword(struct classifier *cl, size_t cat, int weight,
    const char *kw, size_t len, char *err, size_t errlen, size_t line)
{
	char		*norm;
	size_t		 nlen, i, idx;
	uint32_t	 node = 0, ch;
	int32_t		 r;
	int		 prefix = 0, rc = -1;

	if (len > 0 && kw[len - 1] == '*') {
		prefix = 1;
		len--;
	}
	if (classify_normalise(kw, len, &norm, &nlen) == -1)
		return text_line_fail(err, errlen, line, "out of memory");
	if (nlen == 0) {
		text_line_fail(err, errlen, line, "keyword has no letter or digit");
		goto done;
	}
	if (nlen > CLS_KEYWORD_MAX) {
		text_line_fail(err, errlen, line, "keyword longer than %d bytes",
		    CLS_KEYWORD_MAX);
		goto done;
	}
	for (i = 0; i < nlen; i++, node = ch) {
		if ((ch = cls_child(cl, node, norm[i])) != 0)
			continue;
		if ((ch = cls_node_new(cl, norm[i])) == 0) {
			text_line_fail(err, errlen, line, "out of memory");
			goto done;
		}
		if (node == 0)
			cl->root[(unsigned char)norm[i]] = ch;
		else {
			cl->nodes[ch].sibling = cl->nodes[node].child;
			cl->nodes[node].child = ch;
		}
	}
	for (r = cl->nodes[node].rule; r >= 0; r = cl->rules[r].next)
		if (cl->rules[r].cat == cat && cl->rules[r].prefix == prefix) {
			if (weight > cl->rules[r].weight)
				cl->rules[r].weight = weight;
			rc = 0;
			goto done;
		}
	if (cls_rule_new(cl, cat, weight, &idx) == -1) {
		text_line_fail(err, errlen, line, "out of memory");
		goto done;
	}
	cl->rules[idx].prefix = prefix;
	cl->rules[idx].next = cl->nodes[node].rule;
	cl->nodes[node].rule = idx;
	rc = 0;
 done:
	free(norm);
	return rc;
}

/*
 * 1 when the regex source s[0..len) has no character that normalisation
 * would change (a diacritic, an upper-case non-ASCII letter, đ, non-ASCII
 * punctuation): such a character could never match the normalised text.
 */
static int
cls_regex_normalised(const char *s, size_t len)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 pos = 0, nlen;
	char			*norm;
	int			 same;

	while (pos < len) {
		if ((unsigned char)s[pos] < 0x80) {
			pos++;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
		    len - pos, &cp);
		if (n <= 0)
			return 0;
		if (classify_normalise(s + pos, n, &norm, &nlen) == -1)
			return 0;
		same = nlen == (size_t)n && memcmp(norm, s + pos, n) == 0;
		free(norm);
		if (!same)
			return 0;
		pos += n;
	}
	return 1;
}

/* Add the rule /re/ (re[0..len) without the slashes) for category cat. */
static int
cls_add_regex(struct classifier *cl, size_t cat, int weight, const char *re,
    size_t len, char *err, size_t errlen, size_t line)
{
	PCRE2_UCHAR	 msg[128];
	PCRE2_SIZE	 erroff;
	pcre2_code	*code;
	size_t		 idx;
	int		 ecode;

	if (!cls_regex_normalised(re, len))
		return text_line_fail(err, errlen, line, "regular expression must "
		    "be written for the normalised text (no diacritics, "
		    "upper-case or punctuation outside ASCII)");
	code = pcre2_compile((PCRE2_SPTR)re, len, PCRE2_UTF | PCRE2_CASELESS |
	    PCRE2_NEVER_BACKSLASH_C, &ecode, &erroff, NULL);
	if (code == NULL) {
		pcre2_get_error_message(ecode, msg, sizeof(msg));
		return text_line_fail(err, errlen, line, "bad regular expression at "
		    "offset %zu: %s", (size_t)erroff, (char *)msg);
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	if (cls_rule_new(cl, cat, weight, &idx) == -1) {
		pcre2_code_free(code);
		return text_line_fail(err, errlen, line, "out of memory");
	}
	cl->rules[idx].re = code;
	cl->nregex++;
	return 0;
}

/* One line of the rules file, CR already removed. */
static int
cls_add_line(struct classifier *cl, const char *s, size_t len, size_t line,
    char *err, size_t errlen)
{
	const struct taxonomy_entry	*e;
	const char			*t1, *t2, *cat = s, *w, *pat;
	size_t				 clen, wlen, plen, i;
	int				 weight = 0;

	if ((t1 = memchr(s, '\t', len)) == NULL ||
	    (t2 = memchr(t1 + 1, '\t', s + len - t1 - 1)) == NULL ||
	    memchr(t2 + 1, '\t', s + len - t2 - 1) != NULL)
		return text_line_fail(err, errlen, line, "expected 3 tab-separated "
		    "fields: category, weight, pattern");
	clen = t1 - s;
	w = t1 + 1;
	wlen = t2 - w;
	pat = t2 + 1;
	plen = s + len - pat;
	text_trim(&cat, &clen, " \t");
	text_trim(&w, &wlen, " \t");
	text_trim(&pat, &plen, " \t");
	if ((e = taxonomy_find(cl->tax, cat, clen)) == NULL)
		return text_line_fail(err, errlen, line, "unknown category \"%.*s\"",
		    (int)(clen > 32 ? 32 : clen), cat);
	for (i = 0; i < wlen && weight <= CLASSIFY_WEIGHT_MAX; i++) {
		if (w[i] < '0' || w[i] > '9')
			break;
		weight = weight * 10 + (w[i] - '0');
	}
	if (wlen == 0 || i < wlen || weight < 1 ||
	    weight > CLASSIFY_WEIGHT_MAX)
		return text_line_fail(err, errlen, line, "weight must be an integer "
		    "from 1 to %d", CLASSIFY_WEIGHT_MAX);
	if (plen == 0)
		return text_line_fail(err, errlen, line, "empty pattern");
	if (!utf8_valid(pat, plen) || text_has_controls(pat, plen, 0))
		return text_line_fail(err, errlen, line, "pattern is not valid UTF-8 "
		    "text");
	if (cl->nrules >= CLS_RULES_MAX)
		return text_line_fail(err, errlen, line, "more than %d rules",
		    CLS_RULES_MAX);
	if (plen >= 3 && pat[0] == '/' && pat[plen - 1] == '/')
		return cls_add_regex(cl, e - cl->tax->entries, weight, pat + 1,
		    plen - 2, err, errlen, line);
	return cls_add_keyword(cl, e - cl->tax->entries, weight, pat, plen,
	    err, errlen, line);
}

struct classifier *
classifier_new(const char *tsv, size_t len, const struct taxonomy *tax,
    char *err, size_t errlen)
{
	struct classifier	*cl;
	const char		*p = tsv, *end = tsv + len, *nl;
	size_t			 line = 0, n, i;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		goto nomem;
	cl->tax = tax;
	if ((cl->undetermined = taxonomy_find(tax, "undetermined", 12)) ==
	    NULL) {
		snprintf(err, errlen, "the taxonomy has no \"undetermined\" "
		    "category");
		goto fail;
	}
	cl->capnodes = 256;
	if ((cl->rank = calloc(tax->n, sizeof(*cl->rank))) == NULL ||
	    (cl->nodes = calloc(cl->capnodes, sizeof(*cl->nodes))) == NULL ||
	    (cl->mctx = pcre2_match_context_create(NULL)) == NULL)
		goto nomem;
	for (i = 0; i < tax->n; i++)
		cl->rank[i] = SIZE_MAX;
	cl->nodes[0].rule = -1;
	cl->nnodes = 1;
	pcre2_set_match_limit(cl->mctx, CLS_MATCH_LIMIT);
	pcre2_set_depth_limit(cl->mctx, CLS_DEPTH_LIMIT);
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a byte order mark some editors write */
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		n = nl - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#')
			continue;
		if (cls_add_line(cl, p, n, line, err, errlen) == -1)
			goto fail;
	}
	return cl;
 nomem:
	snprintf(err, errlen, "out of memory");
 fail:
	classifier_free(cl);
	return NULL;
}

void
classifier_free(struct classifier *cl)
{
	size_t	i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nrules; i++)
		pcre2_code_free(cl->rules[i].re);
	pcre2_match_context_free(cl->mctx);
	free(cl->rules);
	free(cl->nodes);
	free(cl->rank);
	free(cl);
}

size_t
classifier_rules(const struct classifier *cl)
{
	return cl->nrules;
}

/*
 * Mark in hit[] (with flag) every keyword rule found in the normalised
 * text t[0..n): walk the trie from each word start.
 */
static void
cls_scan(const struct classifier *cl, const char *t, size_t n,
    unsigned char *hit, unsigned char flag)
{
	const char	*sp;
	size_t		 i = 0, j;
	uint32_t	 node;
	int32_t		 r;

	while (i < n) {
		node = cl->root[(unsigned char)t[i]];
		for (j = i; node != 0; ) {
			for (r = cl->nodes[node].rule; r >= 0;
			    r = cl->rules[r].next)
				if (cl->rules[r].prefix || j + 1 == n ||
				    t[j + 1] == ' ')
					hit[r] |= flag;
			if (++j >= n)
				break;
			node = cls_child(cl, node, t[j]);
		}
		if ((sp = memchr(t + i, ' ', n - i)) == NULL)
			break;
		i = sp - t + 1;
	}
}

/* Run each /regex/ rule not yet seen once over t[0..n). 0, or -1 ENOMEM. */
static int
cls_scan_regex(const struct classifier *cl, const char *t, size_t n,
    unsigned char *hit, unsigned char flag)
{
	pcre2_match_data	*md;
	size_t			 i;

	if (cl->nregex == 0)
		return 0;
	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		return -1;
	for (i = 0; i < cl->nrules; i++) {
		if (cl->rules[i].re == NULL || (hit[i] & flag))
			continue;
		/* rc 0: matched, ovector too small; below 0: no or limit */
		if (pcre2_match(cl->rules[i].re, (PCRE2_SPTR)t, n, 0,
		    PCRE2_NO_UTF_CHECK, md, cl->mctx) >= 0)
			hit[i] |= flag;
	}
	pcre2_match_data_free(md);
	return 0;
}

/* Normalise in[0..min(len, max)) into b and mark what it holds. */
static int
cls_scan_part(const struct classifier *cl, struct cls_buf *b,
    const char *in, size_t len, size_t max, unsigned char *hit,
    unsigned char flag)
{
	if (in == NULL || len == 0)
		return 0;
	b->len = 0;
	b->sep = 0;
	if (cls_normalise_into(b, in, len > max ? max : len) == -1)
		return -1;
	if (b->len == 0)
		return 0;
	cls_scan(cl, b->s, b->len, hit, flag);
	return cls_scan_regex(cl, b->s, b->len, hit, flag);
}

const struct taxonomy_entry *
classifier_guess(const struct classifier *cl, const char *subject,
    size_t slen, const char *body, size_t blen, int *score)
{
	struct cls_buf	 b;
	unsigned char	*hit = NULL;
	long		*sum = NULL, best = 0;
	size_t		 i, win = SIZE_MAX;

	memset(&b, 0, sizeof(b));
	if ((hit = calloc(cl->nrules + 1, 1)) == NULL ||
	    (sum = calloc(cl->tax->n + 1, sizeof(*sum))) == NULL ||
	    cls_scan_part(cl, &b, subject, slen, CLASSIFY_SUBJECT_MAX, hit,
	    CLS_IN_SUBJECT) == -1 ||
	    cls_scan_part(cl, &b, body, blen, CLASSIFY_BODY_MAX, hit,
	    CLS_IN_BODY) == -1) {
		free(b.s);
		free(sum);
		free(hit);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < cl->nrules; i++) {
		if (hit[i] & CLS_IN_SUBJECT)
			sum[cl->rules[i].cat] += 2 * cl->rules[i].weight;
		if (hit[i] & CLS_IN_BODY)
			sum[cl->rules[i].cat] += cl->rules[i].weight;
	}
	for (i = 0; i < cl->tax->n; i++)
		if (sum[i] > best || (sum[i] == best && best > 0 &&
		    cl->rank[i] < cl->rank[win])) {
			best = sum[i];
			win = i;
		}
	free(b.s);
	free(sum);
	free(hit);
	if (score != NULL)
		*score = best > INT32_MAX ? INT32_MAX : (int)best;
	return win == SIZE_MAX ? cl->undetermined : &cl->tax->entries[win];
}

/*
 * If s starts with prefix (any case) followed by optional blanks and a
 * colon, the position after the colon; else NULL. s is NUL-free here.
 */
static const char *
cls_skip_prefix(const char *s, const char *prefix)
{
	size_t	n = strlen(prefix);

	if (strncasecmp(s, prefix, n) != 0)
		return NULL;
	s += n;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == ':' ? s + 1 : NULL;
}

int
classify_is_tbsc_subject(const char *subject, size_t len)
{
	static const char *const prefixes[] = { "re", "fwd", "fw", "tr" };
	char		 buf[256];
	const char	*s, *next;
	size_t		 i;

	/* the tag must come early: look at the first bytes only */
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, subject, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return 0;
	for (s = buf;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		for (i = 0, next = NULL; i < sizeof(prefixes) /
		    sizeof(prefixes[0]) && next == NULL; i++)
			next = cls_skip_prefix(s, prefixes[i]);
		if (next == NULL)
			break;
		s = next;
	}
	if (*s++ != '[')
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (strncasecmp(s, "tbsc", 4) != 0)
		return 0;
	s += 4;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == ']';
}
