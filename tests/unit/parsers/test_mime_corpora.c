/*
 * test_mime_corpora.c - the e-mail parser on every file of the shared
 * corpora (../shared/corpora from the repository root, or $INTAKED_CORPORA):
 * real abuse reports (ARF, X-ARF, vendor formats), RFC examples and
 * Dovecot's malformed and tricky MIME, plus the non-mail files, parsed as
 * mail anyway (nothing may crash).
 *
 * For every file: the parse succeeds and the tree is sane (links, depths,
 * spans inside their buffers, texts and header values well-formed UTF-8
 * without NUL, limits kept). For the mails listed in INDEX.tsv, the tree
 * agrees with the index: top-level Content-Type, declared charsets and
 * transfer encodings seen; ARF samples have a message/feedback-report part
 * whose fields include Feedback-Type; X-ARF samples have at least two parts
 * and, when the mail holds one, their report ("Report-Type:") in some
 * part's text. Skipped, with the reason, when the corpora are absent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memmem, strcasestr */
#endif
#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "mime.h"
#include "t.h"

#define INDEX_MAX	2048

struct entry {
	char	*file;		/* relative to the corpora root */
	char	*kind;
	char	*ctype;		/* top_content_type, lower-case, bare */
	char	*charsets;	/* comma-separated */
	char	*ctes;
	int	 seen;
};

static struct entry	 idx[INDEX_MAX];
static size_t		 n_idx;
static size_t		 root_len;
static size_t		 n_files, n_mails, n_arf, n_xarf;

static char *
field_dup(const char *s, size_t n)
{
	char	*p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Load INDEX.tsv: file, kind, bytes, line_endings, top_content_type, ... */
static int
index_load(const char *root)
{
	char		 path[4096], line[8192], *f[8], *p, *t;
	FILE		*fp;
	int		 n;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/INDEX.tsv", root);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && n_idx < INDEX_MAX) {
		line[strcspn(line, "\r\n")] = '\0';
		for (n = 0, p = line; n < 8 && p != NULL; n++) {
			f[n] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (n < 7 || strcmp(f[0], "file") == 0)
			continue;
		idx[n_idx].file = field_dup(f[0], strlen(f[0]));
		idx[n_idx].kind = field_dup(f[1], strlen(f[1]));
		/* "multipart/mixed\n\tboundary=..." in the index: cut */
		t = f[4];
		idx[n_idx].ctype = field_dup(t, strcspn(t, "; \\\t"));
		for (i = 0; idx[n_idx].ctype && idx[n_idx].ctype[i]; i++)
			idx[n_idx].ctype[i] = (char)tolower(
			    (unsigned char)idx[n_idx].ctype[i]);
		idx[n_idx].charsets = field_dup(f[5], strlen(f[5]));
		idx[n_idx].ctes = field_dup(f[6], strlen(f[6]));
		n_idx++;
	}
	fclose(fp);
	return 0;
}

static struct entry *
index_find(const char *rel)
{
	size_t	 i;

	for (i = 0; i < n_idx; i++)
		if (strcmp(idx[i].file, rel) == 0)
			return &idx[i];
	return NULL;
}

static int
utf8_ok(const char *s, size_t n)
{
	return s != NULL && strlen(s) == n &&
	    charset_utf8_valid_prefix(s, n) == n;
}

/* Whether [p, p+n) lies in [b, b+bn). */
static int
inside(const char *p, size_t n, const char *b, size_t bn)
{
	return p >= b && p + n <= b + bn;
}

/* Structural checks on every part; returns the number of problems. */
static int
tree_check(const struct mime_message *m, const char *name)
{
	const struct mime_part	*p, *anc;
	size_t			 i, parts = 0;
	int			 bad = 0, encoded;

	for (p = m->root; p != NULL; p = mime_next(p)) {
		parts++;
		if (p != m->root && (p->parent == NULL ||
		    p->parent->children[p->index] != p ||
		    p->depth != p->parent->depth + 1))
			bad++;
		if (p->depth > MIME_DEPTH_MAX || p->type[0] == '\0' ||
		    p->subtype[0] == '\0')
			bad++;
		for (i = 0; p->type[i]; i++)
			if (isupper((unsigned char)p->type[i]))
				bad++;
		if (p->text != NULL && !utf8_ok(p->text, p->text_len))
			bad++;
		for (i = 0; i < p->n_headers; i++)
			if (!utf8_ok(p->headers[i].value,
			    strlen(p->headers[i].value)))
				bad++;
		for (i = 0; i < p->n_params; i++)
			if (!utf8_ok(p->params[i].value,
			    strlen(p->params[i].value)))
				bad++;
		/* Spans borrow from the message unless an ancestor was
		 * base64 or quoted-printable (then from its decoded body). */
		for (encoded = 0, anc = p->parent; anc; anc = anc->parent)
			if (anc->cte == MIME_CTE_BASE64 ||
			    anc->cte == MIME_CTE_QP)
				encoded = 1;
		if (!encoded && (!inside(p->body_raw, p->body_raw_len, m->raw,
		    m->raw_len) || !inside(p->header_raw, p->header_raw_len,
		    m->raw, m->raw_len)))
			bad++;
		if (p->body_raw + p->body_raw_len < p->header_raw +
		    p->header_raw_len)
			bad++;
		if ((p->cte == MIME_CTE_BASE64 && p->body_len >
		    p->body_raw_len / 4 * 3 + 3) || (p->cte == MIME_CTE_QP &&
		    p->body_len > p->body_raw_len))
			bad++;
		if ((m->flags & p->flags) != p->flags)
			bad++;
	}
	if (parts != m->n_parts || parts > MIME_PARTS_MAX)
		bad++;
	if (bad)
		printf("FAIL %s: %d tree problems\n", name, bad);
	return bad;
}

/* Every token of a comma-separated list satisfies has(). */
static int
all_seen(const struct mime_message *m, const char *list, int cte,
    const char *file)
{
	const struct mime_part	*p;
	const char		*t = list;
	size_t			 n;
	int			 found;

	while (*t != '\0') {
		n = strcspn(t, ",");
		found = 0;
		for (p = m->root; p != NULL && !found; p = mime_next(p)) {
			if (cte) {
				const char *v = mime_header_get(p,
				    "Content-Transfer-Encoding");

				found = v != NULL && strlen(v) == n &&
				    strncasecmp(v, t, n) == 0;
			} else
				found = p->charset != NULL &&
				    strlen(p->charset) == n &&
				    strncasecmp(p->charset, t, n) == 0;
		}
		if (!found) {
			printf("FAIL %s: %s %.*s not seen\n", file,
			    cte ? "transfer encoding" : "charset", (int)n, t);
			return 0;
		}
		t += n;
		if (*t == ',')
			t++;
	}
	return 1;
}

static int
part_has_text(const struct mime_message *m, const char *needle)
{
	const struct mime_part	*p;

	for (p = m->root; p != NULL; p = mime_next(p))
		if (p->text != NULL && strcasestr(p->text, needle) != NULL)
			return 1;
	return 0;
}

/* Checks that the index allows for one mail. */
static void
index_check(const struct mime_message *m, struct entry *e)
{
	const struct mime_part	*fr;
	struct mime_message	*fm = NULL;
	char			 top[128];

	e->seen = 1;
	if (strstr(e->file, ".eml") == NULL)
		return;
	n_mails++;
	snprintf(top, sizeof(top), "%s/%s", m->root->type, m->root->subtype);
	/*
	 * 019 starts "Fro :uMmlti Sender ...": RFC 5322 obs-optional allows
	 * whitespace before the colon, so we read a header block there (and
	 * its multipart/alternative); the indexer saw no headers at all.
	 */
	if (e->ctype[0] != '\0' &&
	    strcmp(e->file, "mime-edge/dovecot-malformed/019.eml") != 0) {
		CHECK(strcmp(top, e->ctype) == 0);
		if (strcmp(top, e->ctype) != 0)
			printf("  %s: top %s, index %s\n", e->file, top,
			    e->ctype);
	}
	/*
	 * lhost-bigfoot-02's only charset is inside a message/partial with no
	 * number= (RFC 2046 5.2.2 requires it): the parser opens only a first
	 * fragment (number=1) as a message, so it never sees that charset;
	 * the indexer read the fragment as a message.
	 */
	if (strcmp(e->file, "sisimai/lhost-bigfoot-02.eml") != 0)
		CHECK(all_seen(m, e->charsets, 0, e->file));
	CHECK(all_seen(m, e->ctes, 1, e->file));
	if (strstr(e->kind, "ARF (RFC 5965)") != NULL &&
	    strncmp(e->kind, "X-", 2) != 0) {
		n_arf++;
		fr = mime_find(m, "message", "feedback-report");
		CHECK(fr != NULL && fr->text != NULL);
		if (fr != NULL && fr->text != NULL) {
			CHECK(mime_parse(fr->text, fr->text_len, NULL, &fm,
			    NULL) == 0);
			CHECK(fm && mime_header_get(fm->root,
			    "Feedback-Type") != NULL);
			mime_free(fm);
		} else
			printf("  %s: no feedback-report part\n", e->file);
	}
	if (strncmp(e->kind, "X-ARF", 5) == 0) {
		n_xarf++;
		CHECK(m->n_parts >= 3);
		/* Two signed Clean-MX samples carry no report part. */
		if (memmem(m->raw, m->raw_len, "Report-Type:", 12) != NULL)
			CHECK(part_has_text(m, "Report-Type:"));
	}
}

static int
corpus_file(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	struct mime_message	*m = NULL;
	struct mime_error	 err;
	struct entry		*e;
	char			*buf;
	FILE			*fp;
	size_t			 n;
	const char		*rel = path + root_len + 1;

	(void)ftw;
	if (type != FTW_F || strcmp(rel, "INDEX.tsv") == 0)
		return 0;
	if ((fp = fopen(path, "rb")) == NULL ||
	    (buf = malloc((size_t)st->st_size + 1)) == NULL) {
		CHECK(0);
		if (fp != NULL)
			fclose(fp);
		return 0;
	}
	n = fread(buf, 1, (size_t)st->st_size, fp);
	fclose(fp);
	n_files++;
	if (n == 0) {
		CHECK(mime_parse(buf, n, NULL, &m, &err) == -1 &&
		    err.code == MIME_ERR_EMPTY);
		free(buf);
		return 0;
	}
	CHECK(mime_parse(buf, n, NULL, &m, &err) == 0);
	if (m != NULL) {
		CHECK(tree_check(m, rel) == 0);
		if ((e = index_find(rel)) != NULL)
			index_check(m, e);
		mime_free(m);
	} else
		printf("FAIL %s: %s\n", rel, err.reason);
	free(buf);
	return 0;
}

int
main(void)
{
	const char	*root = getenv("INTAKED_CORPORA");
	size_t		 i;

	if (root == NULL || *root == '\0')
		root = "../shared/corpora";
	if (index_load(root) == -1)
		return t_skip_all("corpora: no %s/INDEX.tsv (set INTAKED_CORPORA)",
		    root);
	root_len = strlen(root);
	CHECK(nftw(root, corpus_file, 16, FTW_PHYS) == 0);
	for (i = 0; i < n_idx; i++) {
		if (!idx[i].seen && strcmp(idx[i].file, "INDEX.tsv") != 0 &&
		    strstr(idx[i].file, ".eml") != NULL) {
			printf("FAIL %s listed but not parsed\n", idx[i].file);
			CHECK(0);
		}
		free(idx[i].file);
		free(idx[i].kind);
		free(idx[i].ctype);
		free(idx[i].charsets);
		free(idx[i].ctes);
	}
	printf("corpora: %zu files, %zu mails, %zu ARF, %zu X-ARF\n",
	    n_files, n_mails, n_arf, n_xarf);
	CHECK(n_mails > 0 && n_arf > 0 && n_xarf > 0);
	return t_done();
}
