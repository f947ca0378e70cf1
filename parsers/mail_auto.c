/*
 * mail_auto.c - automatic mail recognised by the signals of conf/auto.tsv
 * (see mail_auto.h for the rules file and the scoring).
 *
 * Rules are kept in file order. Subject, display-name and text patterns
 * are normalised once when the rules are built (classify_normalise); the
 * message's subject and display name are normalised per check, its text
 * only when a rule other than a text rule matched and the message is not
 * automatic yet, and then only its first MAIL_AUTO_TEXT_MAX bytes. A check
 * costs one pass over the rules plus, at most, one normalisation of that
 * head and a search of it per text rule.
 *
 * Limits: MAIL_AUTO_RULES_MAX rules, patterns of MAIL_AUTO_PATTERN_MAX
 * bytes; a reason quotes at most MAIL_AUTO_QUOTE_MAX bytes of a value. No
 * I/O, no globals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "mail_auto.h"
#include "report.h"

#define MAIL_AUTO_PATTERN_MAX	256
#define MAIL_AUTO_QUOTE_MAX	64
#define MAIL_AUTO_NAME_MAX	64
#define MAIL_AUTO_HEADERS_MAX	128	/* distinct header names */

enum mail_auto_where {
	W_HEADER,
	W_FROM,
	W_FROM_NAME,
	W_SUBJECT,
	W_SUBJECT_HAS,
	W_TEXT
};

enum mail_auto_op {
	OP_ANY,		/* "*" */
	OP_NOT,		/* "!word" */
	OP_EMPTY,	/* "<>" */
	OP_PREFIX	/* "word" */
};

/* One rule, small: every check walks them all. */
struct mail_auto_rule {
	char			*pat;		/* as matched (see top) */
	size_t			 patlen;
	char			*raw;		/* the pattern as written */
	unsigned short		 hname;		/* W_HEADER: its name's index
						   in hname[] */
	unsigned char		 where;		/* enum mail_auto_where */
	unsigned char		 op;		/* enum mail_auto_op */
	unsigned char		 weight;
	unsigned char		 kind;
	unsigned char		 prefix;	/* W_FROM: a final '*' */
};

struct mail_auto_rules {
	struct mail_auto_rule	*v;
	size_t			 n;
	size_t			 cap;
	int			 has_text;	/* any W_TEXT rule */
	/* the distinct header names of the rules (rule.hname indexes) */
	char			 hname[MAIL_AUTO_HEADERS_MAX][MAIL_AUTO_NAME_MAX];
	size_t			 hlen[MAIL_AUTO_HEADERS_MAX];
	size_t			 nh;
	unsigned char		 has_len[MAIL_AUTO_NAME_MAX]; /* a name is
							   that long */
};

static const struct {
	const char		*word;
	enum mail_auto_where	 where;
} mail_auto_wheres[] = {
	{ "from", W_FROM }, { "from-name", W_FROM_NAME },
	{ "subject", W_SUBJECT }, { "subject-has", W_SUBJECT_HAS },
	{ "text", W_TEXT },
};

static const struct {
	const char	*word;
	unsigned	 kind;
} mail_auto_kinds[] = {
	{ "bounce", MAIL_AUTO_BOUNCE }, { "reply", MAIL_AUTO_REPLY },
	{ "bulk", MAIL_AUTO_BULK }, { "null", MAIL_AUTO_NULL },
};

static int	mail_auto_field(const char **, const char *, size_t *);
static int	mail_auto_where(struct mail_auto_rule *, const char *, size_t,
		    char *);
static int	mail_auto_pattern(struct mail_auto_rule *, const char *,
		    size_t);
static int	mail_auto_line(struct mail_auto_rules *, const char *, size_t,
		    size_t, char *, size_t);
static int	mail_auto_hname(struct mail_auto_rules *, const char *,
		    size_t, char *, size_t);
static void	mail_auto_headers(const struct mail_auto_rules *,
		    const struct mime_part *, const char **);
static int	mail_auto_words(const char *, size_t, const char *, size_t,
		    int);
static int	mail_auto_header(const struct mail_auto_rule *,
		    const char *);
static int	mail_auto_from(const struct mail_auto_rule *, const char *);
static const char *mail_auto_source(const struct mail_auto_rules *,
		    const struct mail_auto_rule *);
static int	mail_auto_counted(const struct mail_auto_rules *, size_t,
		    const unsigned char *);
static int	mail_auto_why(struct charset_buf *, const char *,
		    const char *);
static int	mail_auto_norm(const char *, size_t, char **, size_t *);
static int	mail_auto_text(const struct mail_auto_rules *, const char *,
		    size_t, struct mail_auto_verdict *, struct charset_buf *);

/* The next TAB-separated field of *s (end at e) into *len; -1 if none. */
static int
mail_auto_field(const char **s, const char *e, size_t *len)
{
	const char	*tab;

	if (*s > e)
		return -1;
	tab = memchr(*s, '\t', e - *s);
	*len = (tab ? tab : e) - *s;
	return 0;
}

/*
 * The where column into r, and a header's name into name
 * (MAIL_AUTO_NAME_MAX bytes). 0, or -1 when unknown.
 */
static int
mail_auto_where(struct mail_auto_rule *r, const char *w, size_t len,
    char *name)
{
	size_t	i;

	if (len > 7 && strncasecmp(w, "header:", 7) == 0) {
		if (len - 7 >= MAIL_AUTO_NAME_MAX)
			return -1;
		r->where = W_HEADER;
		memcpy(name, w + 7, len - 7);
		name[len - 7] = '\0';
		return 0;
	}
	for (i = 0; i < sizeof(mail_auto_wheres) / sizeof(mail_auto_wheres[0]);
	    i++)
		if (strlen(mail_auto_wheres[i].word) == len &&
		    strncasecmp(w, mail_auto_wheres[i].word, len) == 0) {
			r->where = mail_auto_wheres[i].where;
			return 0;
		}
	return -1;
}

/*
 * The pattern column into r: kept as written in raw, and in pat the form
 * it is matched in (normalised, lower-case, or without its '!' or '*').
 * 0, or -1 on ENOMEM (errno) or an empty pattern (errno EINVAL).
 */
static int
mail_auto_pattern(struct mail_auto_rule *r, const char *p, size_t len)
{
	size_t	i;

	if ((r->raw = text_strndup(p, len)) == NULL)
		return -1;
	switch (r->where) {
	case W_HEADER:
		r->op = OP_PREFIX;
		if (len == 1 && p[0] == '*')
			r->op = OP_ANY;
		else if (len == 2 && memcmp(p, "<>", 2) == 0)
			r->op = OP_EMPTY;
		else if (len > 1 && p[0] == '!') {
			r->op = OP_NOT;
			p++;
			len--;
		}
		/* FALLTHROUGH */
	case W_FROM:
		if (r->where == W_FROM && len > 1 && p[len - 1] == '*') {
			r->prefix = 1;
			len--;
		}
		if ((r->pat = text_strndup(p, len)) == NULL)
			return -1;
		for (i = 0; i < len; i++)
			if (r->pat[i] >= 'A' && r->pat[i] <= 'Z')
				r->pat[i] += 'a' - 'A';
		r->patlen = len;
		break;
	default:
		if (classify_normalise(p, len, &r->pat, &r->patlen) == -1)
			return -1;
		break;
	}
	if (r->patlen == 0 && (r->where != W_HEADER || (r->op != OP_ANY &&
	    r->op != OP_EMPTY))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* One line of the rules file. 0, or -1 with err filled. */
static int
mail_auto_line(struct mail_auto_rules *ar, const char *s, size_t len,
    size_t line, char *err, size_t errlen)
{
	struct mail_auto_rule	*r, *nv;
	const char		*e = s + len, *f[4];
	size_t			 fl[4], i, ncap;
	char			 num[8], *end, name[MAIL_AUTO_NAME_MAX];
	long			 w;

	for (i = 0; i < 4; i++) {
		if (mail_auto_field(&s, e, &fl[i]) == -1)
			return text_line_fail(err, errlen, line,
			    "want weight, kind, where and pattern");
		f[i] = s;
		s += fl[i] + 1;
	}
	if (s <= e)
		return text_line_fail(err, errlen, line, "more than 4 fields");
	if (ar->n == MAIL_AUTO_RULES_MAX)
		return text_line_fail(err, errlen, line, "more than %d rules",
		    MAIL_AUTO_RULES_MAX);
	if (fl[3] == 0 || fl[3] > MAIL_AUTO_PATTERN_MAX)
		return text_line_fail(err, errlen, line,
		    "pattern empty or longer than %d bytes",
		    MAIL_AUTO_PATTERN_MAX);
	if (ar->n == ar->cap) {
		ncap = ar->cap ? ar->cap * 2 : 64;
		if ((nv = reallocarray(ar->v, ncap, sizeof(*nv))) == NULL)
			return text_line_fail(err, errlen, line,
			    "out of memory");
		ar->v = nv;
		ar->cap = ncap;
	}
	r = &ar->v[ar->n];
	memset(r, 0, sizeof(*r));
	snprintf(num, sizeof(num), "%.*s", (int)(fl[0] < 7 ? fl[0] : 7), f[0]);
	w = strtol(num, &end, 10);
	if (fl[0] == 0 || fl[0] > 2 || *end != '\0' || w < 1 ||
	    w > MAIL_AUTO_THRESHOLD)
		return text_line_fail(err, errlen, line,
		    "weight is not 1..%d", MAIL_AUTO_THRESHOLD);
	r->weight = (int)w;
	for (i = 0; i < sizeof(mail_auto_kinds) / sizeof(mail_auto_kinds[0]);
	    i++)
		if (strlen(mail_auto_kinds[i].word) == fl[1] &&
		    strncmp(f[1], mail_auto_kinds[i].word, fl[1]) == 0)
			r->kind = mail_auto_kinds[i].kind;
	if (r->kind == 0)
		return text_line_fail(err, errlen, line,
		    "kind is not bounce, reply, null or bulk");
	if (mail_auto_where(r, f[2], fl[2], name) == -1)
		return text_line_fail(err, errlen, line, "unknown where "
		    "\"%.*s\"", (int)(fl[2] < 40 ? fl[2] : 40), f[2]);
	if (mail_auto_pattern(r, f[3], fl[3]) == -1) {
		free(r->raw);
		free(r->pat);
		return text_line_fail(err, errlen, line, errno == ENOMEM ?
		    "out of memory" : "pattern has no letter or digit");
	}
	ar->has_text |= r->where == W_TEXT;
	ar->n++;
	if (r->where == W_HEADER && mail_auto_hname(ar, name, line, err,
	    errlen) == -1)
		return -1;
	return 0;
}

struct mail_auto_rules *
mail_auto_rules_new(const char *tsv, size_t len, char *err, size_t errlen)
{
	struct mail_auto_rules	*ar;
	const char		*s = tsv, *e = tsv + len, *nl;
	size_t			 ll, line = 0;

	if ((ar = calloc(1, sizeof(*ar))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (; s < e; s = nl + 1) {
		line++;
		if ((nl = memchr(s, '\n', e - s)) == NULL)
			nl = e;
		ll = nl - s;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		if (ll == 0 || s[0] == '#')
			continue;
		if (mail_auto_line(ar, s, ll, line, err, errlen) == -1) {
			mail_auto_rules_free(ar);
			return NULL;
		}
	}
	return ar;
}

/*
 * Give the last rule, which reads the header name, its index in the table
 * of distinct header names (added when new). 0, or -1 with err filled.
 */
static int
mail_auto_hname(struct mail_auto_rules *ar, const char *name, size_t line,
    char *err, size_t errlen)
{
	struct mail_auto_rule	*r = &ar->v[ar->n - 1];
	size_t			 i;

	for (i = 0; i < ar->nh; i++)
		if (strcasecmp(ar->hname[i], name) == 0)
			break;
	if (i == ar->nh) {
		if (ar->nh == MAIL_AUTO_HEADERS_MAX)
			return text_line_fail(err, errlen, line,
			    "more than %d header names", MAIL_AUTO_HEADERS_MAX);
		snprintf(ar->hname[i], sizeof(ar->hname[i]), "%s", name);
		ar->hlen[i] = strlen(name);
		ar->has_len[ar->hlen[i]] = 1;
		ar->nh++;
	}
	r->hname = i;
	return 0;
}

void
mail_auto_rules_free(struct mail_auto_rules *ar)
{
	size_t	i;

	if (ar == NULL)
		return;
	for (i = 0; i < ar->n; i++) {
		free(ar->v[i].raw);
		free(ar->v[i].pat);
	}
	free(ar->v);
	free(ar);
}

size_t
mail_auto_rules_count(const struct mail_auto_rules *ar)
{
	return ar ? ar->n : 0;
}

/*
 * Whether the normalised pattern p occurs in the normalised text s as
 * whole words (at its start only when start is set). A side of the
 * pattern that is not an ASCII letter or digit needs no word break there,
 * for scripts written without spaces.
 */
static int
mail_auto_words(const char *s, size_t slen, const char *p, size_t plen,
    int start)
{
	const char	*at = s, *end = s + slen;
	int		 left = (unsigned char)p[0] < 0x80;
	int		 right = (unsigned char)p[plen - 1] < 0x80;

	if (slen < plen || (start && s[0] != p[0]))
		return 0;	/* the common case, before any call */
	while (at + plen <= end) {
		if (memcmp(at, p, plen) == 0 &&
		    (!left || at == s || at[-1] == ' ') &&
		    (!right || at + plen == end || at[plen] == ' '))
			return 1;
		if (start)
			return 0;
		if ((at = memchr(at + 1, p[0], end - at - 1)) == NULL)
			return 0;
	}
	return 0;
}

/* Whether a header value v matches the rule. */
static int
mail_auto_header(const struct mail_auto_rule *r, const char *v)
{
	size_t	n;

	v += strspn(v, " \t");
	switch (r->op) {
	case OP_ANY:
		return v[0] != '\0';
	case OP_EMPTY:
		return v[strspn(v, " \t<>")] == '\0';
	case OP_NOT:
		return v[0] != '\0' && !(strncasecmp(v, r->pat, r->patlen) ==
		    0 && (v[r->patlen] == '\0' || strchr(" \t;(,",
		    v[r->patlen]) != NULL));
	case OP_PREFIX:
		if (strncasecmp(v, r->pat, r->patlen) != 0)
			return 0;
		n = r->patlen;
		return v[n] == '\0' || !((v[n] >= 'a' && v[n] <= 'z') ||
		    (v[n] >= 'A' && v[n] <= 'Z') || (v[n] >= '0' &&
		    v[n] <= '9')) || !((r->pat[n - 1] >= 'a' &&
		    r->pat[n - 1] <= 'z') || (r->pat[n - 1] >= '0' &&
		    r->pat[n - 1] <= '9'));
	}
	return 0;
}

/* Whether the From address's local part matches the rule. */
static int
mail_auto_from(const struct mail_auto_rule *r, const char *from)
{
	const char	*at = strrchr(from, '@');
	size_t		 n = at ? (size_t)(at - from) : strlen(from);

	if (n < r->patlen || strncasecmp(from, r->pat, r->patlen) != 0)
		return 0;
	return r->prefix || n == r->patlen;
}

/* What a rule looks at, counted once per message: a header, From, ... */
static const char *
mail_auto_source(const struct mail_auto_rules *ar,
    const struct mail_auto_rule *r)
{
	switch (r->where) {
	case W_HEADER:
		return ar->hname[r->hname];
	case W_FROM:
	case W_FROM_NAME:
		return "From";
	case W_TEXT:
		return "text";
	default:
		return "Subject";
	}
}

/* Whether rule i's source was counted by an earlier rule. */
static int
mail_auto_counted(const struct mail_auto_rules *ar, size_t i,
    const unsigned char *hit)
{
	size_t	k;

	for (k = 0; k < i; k++)
		if (hit[k] && strcasecmp(mail_auto_source(ar, &ar->v[k]),
		    mail_auto_source(ar, &ar->v[i])) == 0)
			return 1;
	return 0;
}

/* Append "what: value" (value cut, one line) to the reasons. */
static int
mail_auto_why(struct charset_buf *why, const char *what, const char *value)
{
	size_t	n, i;

	if ((why->len > 0 && charset_buf_append(why, "; ", 2) == -1) ||
	    charset_buf_append(why, what, strlen(what)) == -1)
		return -1;
	if (value == NULL)
		return 0;
	n = strnlen(value, MAIL_AUTO_QUOTE_MAX);
	while (n > 0 && n < strlen(value) &&
	    ((unsigned char)value[n] & 0xC0) == 0x80)
		n--;		/* cut at a character boundary */
	if (charset_buf_append(why, ": ", 2) == -1 ||
	    charset_buf_reserve(why, n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		why->data[why->len++] = (unsigned char)value[i] < 0x20 ? ' ' :
		    value[i];
	why->data[why->len] = '\0';
	return 0;
}

/* classify_normalise of s[0..len), "" for nothing. 0, or -1 (ENOMEM). */
static int
mail_auto_norm(const char *s, size_t len, char **out, size_t *outlen)
{
	return classify_normalise(s ? s : "", s ? len : 0, out, outlen);
}

/*
 * The value of the first header of root under each name of ar->hname
 * (NULL when absent), in one pass over the headers: a header whose name
 * has no rule costs a few length comparisons.
 */
static void
mail_auto_headers(const struct mail_auto_rules *ar,
    const struct mime_part *root, const char **val)
{
	size_t	i, k, len;

	for (k = 0; k < ar->nh; k++)
		val[k] = NULL;
	for (i = 0; root != NULL && i < root->n_headers; i++) {
		len = strlen(root->headers[i].name);
		if (len >= MAIL_AUTO_NAME_MAX || !ar->has_len[len])
			continue;	/* no rule reads a name that long */
		for (k = 0; k < ar->nh; k++)
			if (ar->hlen[k] == len && val[k] == NULL &&
			    strcasecmp(ar->hname[k],
			    root->headers[i].name) == 0)
				val[k] = root->headers[i].value;
	}
}

/* The text rules over the head of the text: the heaviest one counts. */
static int
mail_auto_text(const struct mail_auto_rules *ar, const char *text,
    size_t len, struct mail_auto_verdict *v, struct charset_buf *why)
{
	const struct mail_auto_rule	*best = NULL, *r;
	char				*norm;
	size_t				 nlen, i;

	if (mail_auto_norm(text, len < MAIL_AUTO_TEXT_MAX ? len :
	    MAIL_AUTO_TEXT_MAX, &norm, &nlen) == -1)
		return -1;
	for (i = 0; i < ar->n; i++) {
		r = &ar->v[i];
		if (r->where == W_TEXT && (best == NULL ||
		    r->weight > best->weight) &&
		    mail_auto_words(norm, nlen, r->pat, r->patlen, 0))
			best = r;
	}
	free(norm);
	if (best == NULL)
		return 0;
	v->score += best->weight;
	v->kinds |= best->kind;
	v->matched++;
	return mail_auto_why(why, "text", best->raw);
}

int
mail_auto_check(const struct mail_auto_rules *ar,
    const struct mime_part *root, const char *subject, const char *from,
    const char *from_name, const char *text, size_t text_len,
    struct mail_auto_verdict *v, struct charset_buf *why)
{
	const struct mail_auto_rule	*r;
	const char			*hval[MAIL_AUTO_HEADERS_MAX];
	unsigned char			 hit[MAIL_AUTO_RULES_MAX];
	const char			*hv, *what;
	char				*subj = NULL, *name = NULL;
	size_t				 slen, nlen, i;
	int				 m, rc = -1;

	memset(v, 0, sizeof(*v));
	if (ar == NULL || ar->n == 0)
		return 0;
	memset(hit, 0, ar->n);
	if (mail_auto_norm(subject, subject ? strlen(subject) : 0, &subj,
	    &slen) == -1 || mail_auto_norm(from_name, from_name ?
	    strlen(from_name) : 0, &name, &nlen) == -1)
		goto done;
	mail_auto_headers(ar, root, hval);
	for (i = 0; i < ar->n; i++) {
		r = &ar->v[i];
		hv = NULL;
		what = "Subject";
		switch (r->where) {
		case W_HEADER:
			m = (hv = hval[r->hname]) != NULL &&
			    mail_auto_header(r, hv);
			what = ar->hname[r->hname];
			break;
		case W_FROM:
			m = from != NULL && mail_auto_from(r, from);
			hv = from;
			what = "From";
			break;
		case W_FROM_NAME:
			m = mail_auto_words(name, nlen, r->pat, r->patlen, 1);
			hv = from_name;
			what = "From";
			break;
		case W_SUBJECT:
		case W_SUBJECT_HAS:
			m = mail_auto_words(subj, slen, r->pat, r->patlen,
			    r->where == W_SUBJECT);
			hv = subject;
			break;
		default:
			m = 0;
			break;
		}
		if (!m || mail_auto_counted(ar, i, hit))
			continue;
		hit[i] = 1;
		v->score += r->weight;
		v->kinds |= r->kind;
		v->matched++;
		if (mail_auto_why(why, what, hv) == -1)
			goto done;
	}
	if (ar->has_text && v->score > 0 && v->score < MAIL_AUTO_THRESHOLD &&
	    text != NULL && mail_auto_text(ar, text, text_len, v, why) == -1)
		goto done;
	rc = 0;
 done:
	free(subj);
	free(name);
	if (rc == -1)
		errno = ENOMEM;
	return rc;
}
