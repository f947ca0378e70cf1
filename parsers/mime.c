/*
 * mime.c - a whole e-mail message into a tree of MIME parts, the arena
 * that owns it, the accessors, and RFC 5322 dates.
 *
 * Top-down: an entity's header block is parsed (mime_header.c), then its
 * body is split by boundary (multipart), parsed as a nested message
 * (message/rfc822, message/global, text/rfc822-headers, the first
 * message/partial) or decoded as a leaf (mime_decode.c, charset.c,
 * html_text.c). Each level scans its own
 * span once (memmem on the boundary, checked at line starts), so the work
 * is linear in the input times the nesting depth, which max_depth bounds.
 * Decoded output over the whole message is bounded by max_decoded_bytes;
 * parts by max_parts. Bad input sets flags and never stops the parse; only
 * ENOMEM does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memmem, reallocarray */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "mime.h"
#include "mime_impl.h"

#define ARENA_FIRST	4096		/* first chunk, then doubling */
#define ARENA_MAX	65536		/* largest shared chunk */
#define ARENA_ALIGN	16

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used;
	size_t			 cap;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct mime_arena {
	struct arena_chunk	*head;		/* current shared chunk first */
	void			**adopted;	/* malloc'd blocks owned too */
	size_t			 n_adopted;
	size_t			 cap_adopted;
	size_t			 next_cap;
};

struct mime_ctx {
	struct mime_message	*m;
	struct mime_arena	*a;
	struct mime_limits	 lim;
	struct charset_buf	 scratch[2];
	size_t			 budget;	/* decoded bytes still allowed */
};

static int	entity_parse(struct mime_ctx *, struct mime_part *,
		    const char *, size_t, int, int);
static int	part_new(struct mime_ctx *, struct mime_part *,
		    struct mime_part **);
static int	part_content_type(struct mime_ctx *, struct mime_part *,
		    int);
static int	part_disposition(struct mime_ctx *, struct mime_part *);
static void	part_cte(struct mime_part *);
static int	part_decode(struct mime_ctx *, struct mime_part *);
static int	part_text(struct mime_ctx *, struct mime_part *);
static int	part_textual(const struct mime_part *);
static int	part_text_name(const char *);
static int	part_nested(const struct mime_part *);
static int	multipart_parse(struct mime_ctx *, struct mime_part *);
static int	nested_parse(struct mime_ctx *, struct mime_part *);
static int	children_add(struct mime_ctx *, struct mime_part *,
		    struct mime_part *, size_t *);
static int	delim_find(const char *, size_t, size_t, const char *,
		    size_t, size_t *, size_t *, int *);
static char	*arena_lower(struct mime_arena *, const char *, size_t);
static long	date_num(const char **, int, int *);
static size_t	date_word(const char **, char *, size_t);
static int	date_month(const char *);
static const char *date_skip(const char *);
static long long date_days(long, int, int);
static int	date_time(const char **, int *, int *, int *);
static int	date_zone(const char *, int *);

/* Arena */

struct mime_arena *
mime_arena_new(void)
{
	struct mime_arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->next_cap = ARENA_FIRST;
	return a;
}

/*
 * n bytes aligned to 16, not zeroed, owned by the arena. Large requests
 * get a chunk of their own placed behind the current one. NULL on ENOMEM.
 */
void *
mime_arena_alloc(struct mime_arena *a, size_t n)
{
	struct arena_chunk	*c;
	size_t			 cap;

	if (n > SIZE_MAX - sizeof(*c) - ARENA_ALIGN)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if ((c = a->head) != NULL && c->cap - c->used >= n) {
		c->used += n;
		return c->data + c->used - n;
	}
	if (n > ARENA_MAX / 4) {
		if ((c = malloc(sizeof(*c) + n)) == NULL)
			return NULL;
		c->used = c->cap = n;
		if (a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = NULL;
			a->head = c;
		}
		return c->data;
	}
	cap = a->next_cap;
	while (cap < n)
		cap *= 2;
	if (a->next_cap < ARENA_MAX)
		a->next_cap *= 2;
	if ((c = malloc(sizeof(*c) + cap)) == NULL)
		return NULL;
	c->cap = cap;
	c->used = n;
	c->next = a->head;
	a->head = c;
	return c->data;
}

char *
mime_arena_strndup(struct mime_arena *a, const char *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX || (p = mime_arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *
arena_lower(struct mime_arena *a, const char *s, size_t n)
{
	char	*p;
	size_t	 i;

	if ((p = mime_arena_strndup(a, s, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] += 'a' - 'A';
	return p;
}

/* Make the arena own malloc'd p. Returns 0, or -1 (p not taken). */
int
mime_arena_adopt(struct mime_arena *a, void *p)
{
	void	**np;
	size_t	  ncap;

	if (a->n_adopted == a->cap_adopted) {
		ncap = a->cap_adopted ? a->cap_adopted * 2 : 8;
		if ((np = reallocarray(a->adopted, ncap, sizeof(*np))) == NULL)
			return -1;
		a->adopted = np;
		a->cap_adopted = ncap;
	}
	a->adopted[a->n_adopted++] = p;
	return 0;
}

void
mime_arena_free(struct mime_arena *a)
{
	struct arena_chunk	*c, *next;
	size_t			 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_adopted; i++)
		free(a->adopted[i]);
	free(a->adopted);
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* Tree */

void
mime_limits_default(struct mime_limits *lim)
{
	lim->max_depth = MIME_DEPTH_MAX;
	lim->max_parts = MIME_PARTS_MAX;
	lim->max_header_bytes = SMTP_HEADER_BYTES_MAX;
	lim->max_headers = SMTP_HEADERS_MAX;
	lim->max_decoded_bytes = 64 * 1024 * 1024;
}

/* A new part under parent. Returns 0, 1 when max_parts is reached, -1. */
static int
part_new(struct mime_ctx *c, struct mime_part *parent, struct mime_part **out)
{
	struct mime_part	*p;

	*out = NULL;
	if (c->m->n_parts >= c->lim.max_parts)
		return 1;
	if ((p = mime_arena_alloc(c->a, sizeof(*p))) == NULL)
		return -1;
	memset(p, 0, sizeof(*p));
	p->parent = parent;
	p->depth = parent != NULL ? parent->depth + 1 : 0;
	c->m->n_parts++;
	*out = p;
	return 0;
}

/* Append child to p->children (doubling in the arena). */
static int
children_add(struct mime_ctx *c, struct mime_part *p, struct mime_part *child,
    size_t *cap)
{
	struct mime_part	**nc;
	size_t			  ncap;

	if (p->n_children == *cap) {
		ncap = *cap ? *cap * 2 : 4;
		if ((nc = mime_arena_alloc(c->a, ncap * sizeof(*nc))) == NULL)
			return -1;
		if (p->n_children > 0)
			memcpy(nc, p->children, p->n_children * sizeof(*nc));
		p->children = nc;
		*cap = ncap;
	}
	child->index = p->n_children;
	p->children[p->n_children++] = child;
	return 0;
}

/*
 * Content-Type into p->type/subtype/params/charset/boundary. Without one,
 * or with one that cannot be read, text/plain (message/rfc822 in a
 * multipart/digest).
 */
static int
part_content_type(struct mime_ctx *c, struct mime_part *p, int digest)
{
	const struct mime_header	*h;
	struct mime_param		*params;
	char				*value, *slash;
	const char			*cs;
	size_t				 n;

	h = mime_header_next(p, "Content-Type", NULL);
	if (h != NULL) {
		if (mime_params_parse(c->a, c->scratch, h->raw, h->raw_len,
		    &value, &params, &n, &p->flags) == -1)
			return -1;
		p->params = params;
		p->n_params = n;
		slash = strchr(value, '/');
		if (slash != NULL && mime_token_ok(value, (size_t)(slash -
		    value)) && mime_token_ok(slash + 1, strlen(slash + 1))) {
			*slash = '\0';
			p->type = value;
			p->subtype = slash + 1;
		} else
			p->flags |= MIME_F_BAD_CONTENT_TYPE;
	}
	if (p->type == NULL) {
		p->type = digest ? "message" : "text";
		p->subtype = digest ? "rfc822" : "plain";
	}
	if ((cs = mime_param(p, "charset")) != NULL &&
	    (p->charset = arena_lower(c->a, cs, strlen(cs))) == NULL)
		return -1;
	p->boundary = mime_param(p, "boundary");
	return 0;
}

static int
part_disposition(struct mime_ctx *c, struct mime_part *p)
{
	const struct mime_header	*h;
	struct mime_param		*params;
	char				*value;
	size_t				 n;

	h = mime_header_next(p, "Content-Disposition", NULL);
	if (h != NULL) {
		if (mime_params_parse(c->a, c->scratch, h->raw, h->raw_len,
		    &value, &params, &n, &p->flags) == -1)
			return -1;
		p->disposition = mime_token_ok(value, strlen(value)) ?
		    value : NULL;
		p->disp_params = params;
		p->n_disp_params = n;
	}
	p->filename = mime_disp_param(p, "filename");
	if (p->filename == NULL)
		p->filename = mime_param(p, "name");
	return 0;
}

static void
part_cte(struct mime_part *p)
{
	const char	*v;

	p->cte = MIME_CTE_7BIT;
	if ((v = mime_header_get(p, "Content-Transfer-Encoding")) == NULL ||
	    *v == '\0')
		return;
	if (strcasecmp(v, "7bit") == 0)
		p->cte = MIME_CTE_7BIT;
	else if (strcasecmp(v, "8bit") == 0)
		p->cte = MIME_CTE_8BIT;
	else if (strcasecmp(v, "binary") == 0)
		p->cte = MIME_CTE_BINARY;
	else if (strcasecmp(v, "base64") == 0)
		p->cte = MIME_CTE_BASE64;
	else if (strcasecmp(v, "quoted-printable") == 0)
		p->cte = MIME_CTE_QP;
	else {
		p->cte = MIME_CTE_UNKNOWN;
		p->flags |= MIME_F_BAD_ENCODING;
	}
}

/*
 * Transfer-decode p->body_raw into p->body: a copy in the arena for base64
 * and quoted-printable (counted against the budget), the raw span itself
 * otherwise.
 */
static int
part_decode(struct mime_ctx *c, struct mime_part *p)
{
	size_t	 cap;
	char	*out;

	if (p->cte != MIME_CTE_BASE64 && p->cte != MIME_CTE_QP) {
		p->body = p->body_raw;
		p->body_len = p->body_raw_len;
		return 0;
	}
	p->body = "";
	p->body_len = 0;
	if (p->body_raw_len == 0)
		return 0;
	cap = p->cte == MIME_CTE_QP ? p->body_raw_len :
	    p->body_raw_len / 4 * 3 + 3;
	if (cap > c->budget) {
		cap = c->budget;
		if (cap == 0) {
			p->flags |= MIME_F_TRUNCATED;
			return 0;
		}
	}
	if ((out = mime_arena_alloc(c->a, cap)) == NULL)
		return -1;
	if (p->cte == MIME_CTE_QP)
		p->body_len = mime_qp_decode(p->body_raw, p->body_raw_len, out,
		    cap, &p->flags);
	else
		p->body_len = mime_base64_decode(p->body_raw, p->body_raw_len,
		    out, cap, &p->flags);
	p->body = out;
	c->budget -= p->body_len;
	c->m->decoded_bytes += p->body_len;
	return 0;
}

int
mime_is_rfc822_headers(const struct mime_part *p)
{
	return strncmp(p->subtype, "rfc822-header", 13) == 0 &&
	    (p->subtype[13] == '\0' || strcmp(p->subtype + 13, "s") == 0) &&
	    (strcmp(p->type, "text") == 0 || strcmp(p->type, "message") == 0);
}

/*
 * Whether p's body is a message of its own: message/rfc822 and global,
 * the header blocks of mime_is_rfc822_headers, and the first fragment of a
 * message/partial (it starts with the enclosed message's headers).
 */
static int
part_nested(const struct mime_part *p)
{
	const char	*num;

	if (mime_is_rfc822_headers(p))
		return 1;
	if (strcmp(p->type, "message") != 0)
		return 0;
	if (strcmp(p->subtype, "partial") == 0)
		return (num = mime_param(p, "number")) != NULL &&
		    strcmp(num, "1") == 0;
	return strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0;
}

/* Whether name ends in one of the extensions of text files. */
static int
part_text_name(const char *name)
{
	static const char *const ext[] = {
		".txt", ".csv", ".log", ".json", ".xml", ".yaml", ".yml"
	};
	const char	*dot;
	size_t		 i;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcasecmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

/* Whether p gets a text: see mime.h. */
static int
part_textual(const struct mime_part *p)
{
	const char	*s = p->subtype;
	size_t		 n = strlen(s);

	if (strcmp(p->type, "text") == 0)
		return 1;
	if (strcmp(p->type, "message") == 0)
		return strcmp(s, "rfc822") != 0 && strcmp(s, "global") != 0 &&
		    strcmp(s, "external-body") != 0;
	if (strcmp(p->type, "application") != 0)
		return 0;
	return strcmp(s, "json") == 0 || strcmp(s, "xml") == 0 ||
	    strcmp(s, "yaml") == 0 || strcmp(s, "x-yaml") == 0 ||
	    (n > 5 && strcmp(s + n - 5, "+json") == 0) ||
	    (n > 4 && strcmp(s + n - 4, "+xml") == 0) ||
	    (strcmp(s, "octet-stream") == 0 && part_text_name(p->filename));
}

/*
 * p->text from p->body: charset to UTF-8, line endings to "\n", HTML to
 * text; counted against the budget.
 */
static int
part_text(struct mime_ctx *c, struct mime_part *p)
{
	struct charset_buf	*s = &c->scratch[0];
	char			*t = NULL, *r, *w, *end;
	size_t			 n = 0;
	unsigned		 cf = 0;
	int			 trunc = 0;
	const char		*cs = p->charset;

	if (strcmp(p->subtype, "html") == 0 && strcmp(p->type, "text") == 0) {
		s->len = 0;
		if (charset_append_utf8(s, cs, cs ? strlen(cs) : 0, p->body,
		    p->body_len, SIZE_MAX, &cf) == -1 ||
		    html_to_text(s->data, s->len, c->budget, &t, &n,
		    &trunc) == -1)
			return -1;
	} else {
		if (charset_to_utf8(cs, p->body, p->body_len, c->budget, &t,
		    &n, &cf) == -1)
			return -1;
		if ((r = memchr(t, '\r', n)) != NULL) {
			for (w = r, end = t + n; r < end; r++) {
				if (*r != '\r')
					*w++ = *r;
				else if (r + 1 == end || r[1] != '\n')
					*w++ = '\n';
			}
			n = (size_t)(w - t);
			t[n] = '\0';
		}
	}
	if (mime_arena_adopt(c->a, t) == -1) {
		free(t);
		return -1;
	}
	p->text = t;
	p->text_len = n;
	c->budget -= n < c->budget ? n : c->budget;
	c->m->decoded_bytes += n;
	if (cf & CHARSET_F_UNKNOWN)
		p->flags |= MIME_F_BAD_CHARSET;
	if (cf & CHARSET_F_INVALID)
		p->flags |= MIME_F_BAD_TEXT;
	if ((cf & CHARSET_F_TRUNCATED) || trunc)
		p->flags |= MIME_F_TRUNCATED;
	return 0;
}

/*
 * Find the next delimiter line "--boundary[--]" at a line start in
 * body[from..len). Sets *dstart to where the preceding part ends (before
 * the line break that belongs to the delimiter), *dend after the delimiter
 * line, *close for "--boundary--". Returns 1 when found, 0 otherwise.
 */
static int
delim_find(const char *body, size_t len, size_t from, const char *b,
    size_t blen, size_t *dstart, size_t *dend, int *close)
{
	const char	*hit;
	size_t		 h, e;

	while (from < len) {
		hit = memmem(body + from, len - from, b, blen);
		if (hit == NULL)
			return 0;
		h = (size_t)(hit - body);
		from = h + 1;
		if (h < 2 || body[h - 1] != '-' || body[h - 2] != '-' ||
		    (h > 2 && body[h - 3] != '\n'))
			continue;
		e = h + blen;
		*close = e + 1 < len && body[e] == '-' && body[e + 1] == '-';
		if (*close)
			e += 2;
		while (e < len && (body[e] == ' ' || body[e] == '\t'))
			e++;
		if (e < len && body[e] == '\r')
			e++;
		if (e < len && body[e] != '\n')
			continue;
		*dend = e < len ? e + 1 : len;
		*dstart = h - 2;
		if (*dstart > 0) {
			(*dstart)--;		/* the LF */
			if (*dstart > 0 && body[*dstart - 1] == '\r')
				(*dstart)--;
		}
		return 1;
	}
	return 0;
}

/* The children of a multipart: one per delimited span. */
static int
multipart_parse(struct mime_ctx *c, struct mime_part *p)
{
	struct mime_part	*child;
	const char		*b = p->boundary;
	size_t			 blen, ds, de, nds, nde, cap = 0;
	int			 close, rc, digest;

	blen = b != NULL ? strlen(b) : 0;
	if (blen == 0 || !delim_find(p->body, p->body_len, 0, b, blen, &ds,
	    &de, &close)) {
		p->flags |= MIME_F_MISSING_BOUNDARY;
		return part_text(c, p);
	}
	if (p->depth >= c->lim.max_depth) {
		p->flags |= MIME_F_DEPTH_LIMIT;
		return part_text(c, p);
	}
	digest = strcmp(p->subtype, "digest") == 0;
	while (!close) {
		if (!delim_find(p->body, p->body_len, de, b, blen, &nds, &nde,
		    &close)) {
			p->flags |= MIME_F_MISSING_BOUNDARY;
			nds = nde = p->body_len;
			close = 1;
		}
		if (nds < de)	/* an empty part: the LF ended the last line */
			nds = de;
		if ((rc = part_new(c, p, &child)) == 1) {
			p->flags |= MIME_F_PART_LIMIT;
			break;
		}
		if (rc == -1 || children_add(c, p, child, &cap) == -1 ||
		    entity_parse(c, child, p->body + de, nds - de, digest,
		    0) == -1)
			return -1;
		de = nde;
	}
	return 0;
}

/* message/rfc822 and friends: the body is a message of its own. */
static int
nested_parse(struct mime_ctx *c, struct mime_part *p)
{
	struct mime_part	*child;
	size_t			 cap = 0;
	int			 rc;

	if (strcmp(p->type, "text") == 0 && part_text(c, p) == -1)
		return -1;
	if (p->depth >= c->lim.max_depth) {
		p->flags |= MIME_F_DEPTH_LIMIT;
		return p->text ? 0 : part_text(c, p);
	}
	if ((rc = part_new(c, p, &child)) == 1) {
		p->flags |= MIME_F_PART_LIMIT;
		return p->text ? 0 : part_text(c, p);
	}
	if (rc == -1 || children_add(c, p, child, &cap) == -1)
		return -1;
	return entity_parse(c, child, p->body, p->body_len, 0, 1);
}

/*
 * Parse the entity buf[0..len) into p: headers, then the body by type.
 * digest: the default type is message/rfc822; msg_root: p starts a
 * message (an mbox "From " line may come first). Returns 0 or -1 (ENOMEM).
 */
static int
entity_parse(struct mime_ctx *c, struct mime_part *p, const char *buf,
    size_t len, int digest, int msg_root)
{
	struct mime_hblock	 hb;

	if (mime_headers_parse(c->a, &c->lim, &c->scratch[0], buf, len,
	    msg_root, &hb) == -1)
		return -1;
	p->headers = hb.headers;
	p->n_headers = hb.n_headers;
	p->flags |= hb.flags;
	p->header_raw = buf;
	p->header_raw_len = hb.header_len;
	p->body_raw = buf + hb.body_off;
	p->body_raw_len = len - hb.body_off;
	if (part_content_type(c, p, digest) == -1 ||
	    part_disposition(c, p) == -1)
		return -1;
	part_cte(p);
	if (part_decode(c, p) == -1)
		return -1;
	if (strcmp(p->type, "multipart") == 0)
		return multipart_parse(c, p);
	if (part_nested(p))
		return nested_parse(c, p);
	if (part_textual(p))
		return part_text(c, p);
	return 0;
}

int
mime_parse(const char *msg, size_t len, const struct mime_limits *lim,
    struct mime_message **out, struct mime_error *err)
{
	struct mime_ctx		 c;
	struct mime_arena	*a;
	const struct mime_part	*p;
	int			 rc;

	*out = NULL;
	if (err != NULL) {
		err->code = MIME_ERR_NONE;
		err->reason = "";
	}
	if (msg == NULL || len == 0) {
		if (err != NULL) {
			err->code = MIME_ERR_EMPTY;
			err->reason = "empty message";
		}
		return -1;
	}
	memset(&c, 0, sizeof(c));
	if (lim != NULL)
		c.lim = *lim;
	else
		mime_limits_default(&c.lim);
	if (c.lim.max_depth > MIME_DEPTH_HARD_MAX)
		c.lim.max_depth = MIME_DEPTH_HARD_MAX;
	if (c.lim.max_parts == 0)
		c.lim.max_parts = 1;	/* the root always exists */
	c.budget = c.lim.max_decoded_bytes;
	if ((a = mime_arena_new()) == NULL)
		goto nomem;
	c.a = a;
	if ((c.m = mime_arena_alloc(a, sizeof(*c.m))) == NULL)
		goto nomem;
	memset(c.m, 0, sizeof(*c.m));
	c.m->arena = a;
	c.m->raw = msg;
	c.m->raw_len = len;
	if ((rc = part_new(&c, NULL, &c.m->root)) != 0 ||
	    entity_parse(&c, c.m->root, msg, len, 0, 1) == -1)
		goto nomem;
	for (p = c.m->root; p != NULL; p = mime_next(p))
		c.m->flags |= p->flags;
	charset_buf_free(&c.scratch[0]);
	charset_buf_free(&c.scratch[1]);
	*out = c.m;
	return 0;
nomem:
	charset_buf_free(&c.scratch[0]);
	charset_buf_free(&c.scratch[1]);
	mime_arena_free(a);
	if (err != NULL) {
		err->code = MIME_ERR_NOMEM;
		err->reason = "out of memory";
	}
	return -1;
}

void
mime_free(struct mime_message *m)
{
	if (m != NULL)
		mime_arena_free(m->arena);
}

/* Accessors */

const struct mime_header *
mime_header_next(const struct mime_part *p, const char *name,
    const struct mime_header *prev)
{
	size_t	 i = prev != NULL ? (size_t)(prev - p->headers) + 1 : 0;

	for (; i < p->n_headers; i++)
		if (name == NULL || (((p->headers[i].name[0] ^ name[0]) &
		    ~0x20) == 0 && strcasecmp(p->headers[i].name, name) == 0))
			return &p->headers[i];
	return NULL;
}

const char *
mime_header_get(const struct mime_part *p, const char *name)
{
	const struct mime_header	*h;

	h = mime_header_next(p, name, NULL);
	return h != NULL ? h->value : NULL;
}

const char *
mime_param(const struct mime_part *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->n_params; i++)
		if (strcasecmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	return NULL;
}

const char *
mime_disp_param(const struct mime_part *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->n_disp_params; i++)
		if (strcasecmp(p->disp_params[i].name, name) == 0)
			return p->disp_params[i].value;
	return NULL;
}

const struct mime_part *
mime_next(const struct mime_part *p)
{
	if (p->n_children > 0)
		return p->children[0];
	for (; p->parent != NULL; p = p->parent)
		if (p->index + 1 < p->parent->n_children)
			return p->parent->children[p->index + 1];
	return NULL;
}

int
mime_walk(const struct mime_message *m,
    int (*cb)(const struct mime_part *, void *), void *arg)
{
	const struct mime_part	*p;
	int			 rc;

	for (p = m->root; p != NULL; p = mime_next(p))
		if ((rc = cb(p, arg)) != 0)
			return rc;
	return 0;
}

const struct mime_part *
mime_find(const struct mime_message *m, const char *type, const char *subtype)
{
	const struct mime_part	*p;

	for (p = m->root; p != NULL; p = mime_next(p))
		if (strcmp(p->type, type) == 0 &&
		    (subtype == NULL || strcmp(p->subtype, subtype) == 0))
			return p;
	return NULL;
}

/* Dates */

struct date_zone {
	const char	*name;
	int		 minutes;
};

static const struct date_zone date_zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 }
};

static const char date_months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

/* Read an unsigned number of at most maxd digits; -1 if none. */
static long
date_num(const char **pp, int maxd, int *ndigits)
{
	const char	*p = *pp;
	long		 v = 0;
	int		 n = 0;

	while (*p >= '0' && *p <= '9' && n < maxd) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || (*p >= '0' && *p <= '9'))
		return -1;
	*pp = p;
	if (ndigits != NULL)
		*ndigits = n;
	return v;
}

/* Read a word of letters into w (lower-cased, truncated). */
static size_t
date_word(const char **pp, char *w, size_t wsz)
{
	const char	*p = *pp;
	size_t		 n = 0;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		if (n + 1 < wsz)
			w[n++] = (char)(*p | 0x20);
		p++;
	}
	w[n] = '\0';
	*pp = p;
	return n;
}

static int
date_month(const char *w)
{
	int	 i;

	if (strlen(w) < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (strncmp(w, date_months + i * 3, 3) == 0)
			return i + 1;
	return -1;
}

static const char *
date_skip(const char *p)
{
	return p + mime_skip_cfws(p, strlen(p), 0);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
date_days(long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* hh:mm[:ss] */
static int
date_time(const char **pp, int *h, int *mi, int *sec)
{
	const char	*p = *pp;
	long		 v;

	if ((v = date_num(&p, 2, NULL)) < 0 || v > 23 || *p++ != ':')
		return -1;
	*h = (int)v;
	if ((v = date_num(&p, 2, NULL)) < 0 || v > 59)
		return -1;
	*mi = (int)v;
	*sec = 0;
	if (*p == ':') {
		p++;
		if ((v = date_num(&p, 2, NULL)) < 0 || v > 60)
			return -1;
		*sec = (int)v;
	}
	*pp = p;
	return 0;
}

/* The zone offset in minutes; unknown names count as -0000. */
static int
date_zone(const char *p, int *minutes)
{
	char	 w[8];
	long	 v;
	size_t	 i;
	int	 sign, nd = 0;

	*minutes = 0;
	p = date_skip(p);
	if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((v = date_num(&p, 4, &nd)) < 0)
			return -1;
		if (nd == 2 && *p == ':') {	/* +07:00 */
			long m;

			p++;
			if ((m = date_num(&p, 2, NULL)) < 0)
				return -1;
			v = v * 100 + m;
		} else if (nd != 4)
			return -1;
		if (v / 100 > 23 || v % 100 > 59)
			return -1;
		*minutes = sign * (int)(v / 100 * 60 + v % 100);
		return 0;
	}
	date_word(&p, w, sizeof(w));
	for (i = 0; i < sizeof(date_zones) / sizeof(date_zones[0]); i++) {
		if (strcasecmp(w, date_zones[i].name) == 0) {
			*minutes = date_zones[i].minutes;
			break;
		}
	}
	return 0;
}

int
mime_parse_date(const char *s, time_t *out)
{
	const char	*p;
	char		 w[16];
	long		 day, year;
	int		 mon, h, mi, sec, zone, nd = 0, ytime = 0;
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (s == NULL)
		return -1;
	p = date_skip(s);
	date_word(&p, w, sizeof(w));
	mon = date_month(w);
	if (w[0] != '\0' && mon < 0) {		/* day of week */
		p = date_skip(p);
		if (*p == ',')
			p++;
		p = date_skip(p);
		date_word(&p, w, sizeof(w));
		mon = date_month(w);
	}
	p = date_skip(p);
	if (mon > 0) {				/* asctime: Mon DD HH:MM:SS YYYY */
		if ((day = date_num(&p, 2, NULL)) < 0)
			return -1;
		p = date_skip(p);
		if (date_time(&p, &h, &mi, &sec) == -1)
			return -1;
		p = date_skip(p);
		ytime = 1;
	} else {				/* DD Mon YYYY HH:MM:SS zone */
		if ((day = date_num(&p, 2, NULL)) < 0)
			return -1;
		p = date_skip(p + (*p == '-'));
		date_word(&p, w, sizeof(w));
		if ((mon = date_month(w)) < 0)
			return -1;
		p = date_skip(p + (*p == '-'));
	}
	if ((year = date_num(&p, 4, &nd)) < 0)
		return -1;
	if (nd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	p = date_skip(p);
	if (!ytime && date_time(&p, &h, &mi, &sec) == -1)
		return -1;
	if (date_zone(p, &zone) == -1)
		return -1;
	if (year < 1900 || day < 1 || day > mdays[mon - 1] || (mon == 2 &&
	    day == 29 && (year % 4 != 0 || (year % 100 == 0 &&
	    year % 400 != 0))))
		return -1;
	*out = (time_t)(date_days(year, mon, (int)day) * 86400LL +
	    h * 3600 + mi * 60 + sec - zone * 60LL);
	return 0;
}
