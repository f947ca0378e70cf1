/*
 * test_page.c - the public pages: the embedded catalogue and templates load
 * and every {{@key}} has both languages; every load-time check refuses what
 * it should; the escaping function byte for byte; hostile values in every
 * value position of every page; the form with errors (messages beside
 * their fields, the summary, every value kept); language choice; and, on
 * every page rendered, no script, no event handler, no style attribute,
 * only known attributes, quoted, unique ids, labels and aria references
 * that resolve, and well-formed UTF-8. Run with WRITE_PAGES=DIR to also
 * write each page (and style.css) there for a browser to look at.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "page.h"
#include "t.h"
#include "taxonomy.h"

static struct taxonomy	 tax;
static struct page_set	*ps;

/* ---- a small HTML tag reader, independent of the page code ---- */

#define MAX_ATTRS	24
#define MAX_TAGS	2048

struct attr {
	char	name[32];
	char	*value;		/* NULL: no value */
	int	 quoted;
};

struct tag {
	char		name[16];
	struct attr	attrs[MAX_ATTRS];
	int		nattrs;
	const char	*text;		/* what follows, up to the next '<' */
	size_t		textlen;
};

struct doc {
	char		*copy;
	struct tag	*tags;
	int		 ntags;
	int		 bad;		/* unparsable tag */
};

static void
doc_free(struct doc *d)
{
	int	i, k;

	for (i = 0; i < d->ntags; i++)
		for (k = 0; k < d->tags[i].nattrs; k++)
			free(d->tags[i].attrs[k].value);
	free(d->tags);
	free(d->copy);
	memset(d, 0, sizeof(*d));
}

static void
doc_parse(struct doc *d, const char *html)
{
	const char	*p = html, *q, *v;
	struct tag	*t;
	struct attr	*a;
	size_t		 n;

	memset(d, 0, sizeof(*d));
	d->tags = calloc(MAX_TAGS, sizeof(*d->tags));
	while ((p = strchr(p, '<')) != NULL) {
		if (strncmp(p, "<!--", 4) == 0) {
			q = strstr(p, "-->");
			p = q ? q + 3 : p + strlen(p);
			continue;
		}
		if (p[1] == '!' || p[1] == '/') {
			q = strchr(p, '>');
			p = q ? q + 1 : p + strlen(p);
			continue;
		}
		if (!isalpha((unsigned char)p[1]) || d->ntags == MAX_TAGS) {
			d->bad++;
			p++;
			continue;
		}
		t = &d->tags[d->ntags++];
		for (p++, n = 0; isalnum((unsigned char)*p); p++)
			if (n < sizeof(t->name) - 1)
				t->name[n++] = tolower((unsigned char)*p);
		for (;;) {
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '>' || *p == '\0')
				break;
			if (*p == '/') {
				p++;
				continue;
			}
			if (t->nattrs == MAX_ATTRS) {
				d->bad++;
				break;
			}
			a = &t->attrs[t->nattrs++];
			for (n = 0; *p && !isspace((unsigned char)*p) &&
			    *p != '=' && *p != '>' && *p != '/'; p++)
				if (n < sizeof(a->name) - 1)
					a->name[n++] = tolower((unsigned char)*p);
			while (isspace((unsigned char)*p))
				p++;
			if (*p != '=')
				continue;
			p++;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '"' || *p == '\'') {
				v = p + 1;
				q = strchr(v, *p);
				if (q == NULL) {
					d->bad++;
					return;
				}
				a->quoted = 1;
			} else {
				v = p;
				for (q = p; *q && !isspace((unsigned char)*q) &&
				    *q != '>'; q++)
					;
				p = q - 1;
			}
			a->value = strndup(v, q - v);
			p = q + 1;
		}
		if (*p == '>')
			p++;
		t->text = p;
		q = strchr(p, '<');
		t->textlen = q ? (size_t)(q - p) : strlen(p);
	}
}

static const char *
attr_get(const struct tag *t, const char *name)
{
	int	i;

	for (i = 0; i < t->nattrs; i++)
		if (strcmp(t->attrs[i].name, name) == 0)
			return t->attrs[i].value ? t->attrs[i].value : "";
	return NULL;
}

static const struct tag *
tag_by_id(const struct doc *d, const char *id)
{
	const char	*v;
	int		 i;

	for (i = 0; i < d->ntags; i++)
		if ((v = attr_get(&d->tags[i], "id")) != NULL &&
		    strcmp(v, id) == 0)
			return &d->tags[i];
	return NULL;
}

/* Well-formed UTF-8, written independently of the page code. */
static int
utf8_ok(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	unsigned	c, cp, min;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

static const char *const known_attrs[] = {
	"lang", "charset", "name", "content", "href", "rel", "class", "id",
	"tabindex", "hreflang", "aria-labelledby", "aria-describedby",
	"aria-invalid", "aria-hidden", "aria-required", "role", "method",
	"action", "enctype", "accept-charset", "type", "value", "for",
	"autocomplete", "inputmode", "spellcheck", "autocapitalize", "rows",
	"required", "multiple", "checked", "selected", "label",
	/* the staff pages': inputs, links, inline SVG charts */
	"maxlength", "download", "rel", "aria-label", "scope", "colspan",
	"data-label",
	"viewbox", "focusable", "x", "y", "width", "height", "x1", "y1", "x2",
	"y2"
};

static const char *const url_attrs[] = { "href", "src", "action" };

/*
 * What must hold on every page: checked on the HTML text and on its tags.
 * Returns the number of failed checks (each also counted by CHECK).
 */
static int
check_page(const char *what, const char *html, size_t len)
{
	struct doc	 d;
	const char	*v, *ids[MAX_TAGS], *p;
	char		*list, *tok, *save;
	int		 before = t_failed, nids = 0, i, k, j, known;

	CHECK(strlen(html) == len);
	CHECK(strncmp(html, "<!DOCTYPE html>\n<html lang=\"", 27) == 0);
	CHECK(len > 8 && strcmp(html + len - 8, "</html>\n") == 0);
	CHECK(utf8_ok((const unsigned char *)html, len));
	CHECK(strcasestr(html, "<script") == NULL);
	CHECK(strcasestr(html, "<style") == NULL);
	CHECK(strcasestr(html, "style=") == NULL);
	CHECK(strcasestr(html, "javascript:") == NULL ||
	    strstr(html, "javascript:alert") != NULL);	/* hostile text */
	CHECK(strstr(html, "{{") == NULL);
	CHECK(strstr(html, "<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">") != NULL);
	CHECK(strstr(html, "<meta charset=\"utf-8\">") != NULL);
	CHECK(strstr(html, "rel=\"stylesheet\"") != NULL);
	CHECK(strstr(html, "<h1") != NULL);
	for (p = html; (p = strstr(p, " on")) != NULL; p++) {
		/* " onX=" may only be text, never inside a tag */
		const char *lt = p, *gt;

		while (lt > html && *lt != '<' && *lt != '>')
			lt--;
		gt = p;
		while (isalpha((unsigned char)gt[3]) || gt[3] == '-')
			gt++;
		if (*lt == '<' && gt[3] == '=')
			CHECK(!"event handler attribute");
	}
	doc_parse(&d, html);
	CHECK(d.bad == 0);
	for (i = 0; i < d.ntags; i++) {
		const struct tag *t = &d.tags[i];

		CHECK(strcmp(t->name, "script") != 0);
		CHECK(strcmp(t->name, "style") != 0);
		CHECK(strcmp(t->name, "iframe") != 0);
		for (k = 0; k < t->nattrs; k++) {
			const struct attr *a = &t->attrs[k];

			for (j = 0, known = 0; j < (int)(sizeof(known_attrs) /
			    sizeof(known_attrs[0])); j++)
				if (strcmp(a->name, known_attrs[j]) == 0)
					known = 1;
			if (!known)
				printf("  %s: unknown attribute %s on <%s>\n",
				    what, a->name, t->name);
			CHECK(known);
			CHECK(strncmp(a->name, "on", 2) != 0);
			CHECK(a->value == NULL || a->quoted);
			for (j = 0; a->value != NULL && j < 3; j++)
				if (strcmp(a->name, url_attrs[j]) == 0) {
					CHECK(strncasecmp(a->value,
					    "javascript", 10) != 0);
					CHECK(strncmp(a->value, "//", 2) != 0);
					CHECK(!isspace((unsigned char)
					    a->value[0]));
				}
		}
		if ((v = attr_get(t, "id")) != NULL) {
			for (j = 0; j < nids; j++)
				if (strcmp(ids[j], v) == 0) {
					printf("  %s: duplicate id %s\n",
					    what, v);
					CHECK(!"duplicate id");
				}
			if (nids < MAX_TAGS)
				ids[nids++] = v;
		}
	}
	/* every label, aria reference and fragment link resolves */
	for (i = 0; i < d.ntags; i++) {
		const struct tag *t = &d.tags[i];

		if (strcmp(t->name, "label") == 0 &&
		    (v = attr_get(t, "for")) != NULL)
			CHECK(tag_by_id(&d, v) != NULL);
		if ((v = attr_get(t, "href")) != NULL && v[0] == '#' && v[1])
			CHECK(tag_by_id(&d, v + 1) != NULL);
		for (j = 0; j < 2; j++) {
			v = attr_get(t, j ? "aria-labelledby" :
			    "aria-describedby");
			if (v == NULL)
				continue;
			list = strdup(v);
			for (tok = strtok_r(list, " ", &save); tok != NULL;
			    tok = strtok_r(NULL, " ", &save))
				if (tag_by_id(&d, tok) == NULL) {
					printf("  %s: dangling reference %s\n",
					    what, tok);
					CHECK(!"dangling aria reference");
				}
			free(list);
		}
		if (strcmp(t->name, "input") == 0 && (v = attr_get(t,
		    "type")) != NULL && strcmp(v, "hidden") != 0) {
			/* every visible input has a label */
			const char	*id = attr_get(t, "id");
			int		 labelled = 0;

			for (j = 0; id != NULL && j < d.ntags; j++)
				if (strcmp(d.tags[j].name, "label") == 0 &&
				    attr_get(&d.tags[j], "for") != NULL &&
				    strcmp(attr_get(&d.tags[j], "for"), id) == 0)
					labelled = 1;
			CHECK(labelled);
		}
	}
	doc_free(&d);
	if (t_failed > before)
		printf("  ... on page %s\n", what);
	return t_failed - before;
}

/* ---- helpers ---- */

static char *
esc(const char *s)
{
	struct page_buf	b;
	char		*r;

	page_buf_init(&b);
	page_escape_append(&b, s, strlen(s));
	r = strdup(b.data ? b.data : "");
	page_buf_free(&b);
	return r;
}

/* html shows message key in lang (escaped, as pages show it). */
static int
has_msg(const char *html, const char *lang, const char *key)
{
	const char	*m = page_msg(ps, lang, key);
	char		*e;
	int		 r;

	if (m == NULL) {
		printf("  no message %s\n", key);
		return 0;
	}
	e = esc(m);
	r = strstr(html, e) != NULL;
	free(e);
	return r;
}

static const char *const pages_named[PAGE_COUNT] = {
	"home", "report", "status", "verify", "verified", "error",
	"staff-login", "staff-queue", "staff-incident", "staff-phone",
	"staff-stats"
};

/* Render and check; returns the page (to free). */
static char *
render(enum page_id id, const char *lang, const struct page_vars *v,
    const char *name)
{
	struct page_buf	 b;
	char		 what[128];
	char		*r;

	page_buf_init(&b);
	CHECK(page_render(ps, id, lang, v, &b) == 0);
	CHECK(!b.failed && b.data != NULL);
	if (b.data == NULL)
		return strdup("");
	snprintf(what, sizeof(what), "%s-%s", name, lang);
	check_page(what, b.data, b.len);
	r = strdup(b.data);
	page_buf_free(&b);
	return r;
}

/* render(), then write the page to DIR/NAME-LANG.html. */
static void
preview(const char *dir, enum page_id id, const char *lang,
    const struct page_vars *v, const char *name)
{
	char	 path[512];
	char	*html = render(id, lang, v, name);
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s-%s.html", dir, name, lang);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(html, fp);
		fclose(fp);
	}
	free(html);
}

static const char *const emails[] = {
	"ir@cert.example.vn", "abuse@cert.example.vn"
};

static const struct page_contact contact = {
	.organization = "Trung tâm Ứng cứu sự cố an toàn thông tin mạng tỉnh X",
	.emails = emails,
	.n_emails = 2,
	.phone = "1900 6868 (nhánh 2)",
	.hours = "24/7",
	.line_endpoint = "ilp.cert.example.vn:4119",
	.line_tls_endpoint = "ilp.cert.example.vn:4120",
	.encryption = "https://cert.example.vn/pgp-key.asc",
	.policy = "https://cert.example.vn/chinh-sach",
};

/* ---- tests ---- */

static void
test_load(void)
{
	char			 err[256] = "x";
	struct page_source	 src[PAGE_NSOURCES];
	size_t			 i, len;
	const char		*css;

	ps = page_set_load(&tax, err, sizeof(err));
	CHECK(ps != NULL);
	CHECK_STR(err, "");
	if (ps == NULL) {
		printf("  load: %s\n", err);
		exit(t_done());
	}
	page_embedded_sources(src);
	for (i = 0; i < PAGE_NSOURCES; i++)
		CHECK(src[i].name != NULL && src[i].len > 0 &&
		    strlen(src[i].data) == src[i].len);
	css = page_style(ps, &len);
	CHECK(css != NULL && len > 1000 && strlen(css) == len);
	CHECK(strstr(css, "overflow-wrap: anywhere") != NULL);
	CHECK(strlen(page_style_version(ps)) == 16);
	CHECK_STR(page_msg(ps, "vi", "form.submit"), "Gửi báo cáo");
	CHECK_STR(page_msg(ps, "en", "form.submit"), "Send the report");
	CHECK_STR(page_msg(ps, "fr", "form.submit"), "Gửi báo cáo");
	CHECK_STR(page_msg(ps, NULL, "choice.unknown"), "Không rõ");
	CHECK(page_msg(ps, "vi", "no.such.key") == NULL);
	CHECK(page_msg(ps, "vi", NULL) == NULL);
}

/*
 * Every {{@key}} of every template (read here with a scan of our own) and
 * every key of the catalogue have two non-empty texts that differ (an
 * untranslated copy would be equal), the Vietnamese one with diacritics
 * for the longer texts.
 */
static void
test_keys(void)
{
	struct page_source	 src[PAGE_NSOURCES];
	const char		*p, *e, *vi, *en;
	char			 key[80], *copy, *line, *save, *f1, *f2;
	size_t			 i, n, nkeys = 0;
	int			 nonascii;

	page_embedded_sources(src);
	for (i = 0; i < PAGE_NSOURCES; i++) {
		if (strncmp(src[i].name, "pages/", 6) != 0)
			continue;
		for (p = src[i].data; (p = strstr(p, "{{@")) != NULL; p = e) {
			e = strstr(p, "}}");
			CHECK(e != NULL);
			if (e == NULL)
				break;
			n = e - p - 3;
			CHECK(n > 0 && n < sizeof(key));
			if (n == 0 || n >= sizeof(key))
				continue;
			memcpy(key, p + 3, n);
			key[n] = '\0';
			vi = page_msg(ps, "vi", key);
			en = page_msg(ps, "en", key);
			if (vi == NULL || en == NULL)
				printf("  %s: key %s missing\n", src[i].name,
				    key);
			CHECK(vi != NULL && *vi != '\0');
			CHECK(en != NULL && *en != '\0');
			nkeys++;
		}
	}
	CHECK(nkeys > 100);
	/* the catalogue itself, line by line */
	for (i = 0; strcmp(src[i].name, "messages.tsv") != 0; i++)
		;
	copy = strdup(src[i].data);
	nkeys = 0;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || strncmp(line, "key\t", 4) == 0)
			continue;
		f1 = strchr(line, '\t');
		f2 = f1 ? strchr(f1 + 1, '\t') : NULL;
		CHECK(f1 != NULL && f2 != NULL && strchr(f2 + 1, '\t') == NULL);
		if (f1 == NULL || f2 == NULL)
			continue;
		*f1++ = '\0';
		*f2++ = '\0';
		CHECK(*f1 != '\0' && *f2 != '\0');
		if (strcmp(f1, f2) == 0)
			printf("  messages.tsv: %s: vi = en\n", line);
		CHECK(strcmp(f1, f2) != 0);
		for (p = f1, nonascii = 0; *p; p++)
			nonascii |= (unsigned char)*p >= 0x80;
		if (strlen(f1) > 24 && !nonascii)
			printf("  messages.tsv: %s: no diacritics\n", line);
		CHECK(strlen(f1) <= 24 || nonascii);
		CHECK_STR(page_msg(ps, "vi", line), f1);
		CHECK_STR(page_msg(ps, "en", line), f2);
		nkeys++;
	}
	CHECK(nkeys > 150);
	free(copy);
}

struct bad_source {
	const char	*name;		/* source replaced */
	const char	*find;		/* text replaced in it */
	const char	*repl;
	const char	*want;		/* error, or its start */
};

static const struct bad_source bad_sources[] = {
	{ "pages/home.html", "<h1>", "<h1>{{nosuch}}",
	    "pages/home.html:1: unknown name \"nosuch\"" },
	{ "pages/home.html", "<h1>", "<h1>{{@home.nosuch}}",
	    "pages/home.html:1: message \"home.nosuch\" not in messages.tsv" },
	{ "pages/home.html", "<h1>", "<h1>{{Lang}}",
	    "pages/home.html:1: bad placeholder \"{{Lang}}\"" },
	{ "pages/home.html", "<h1>", "<h1>{{ lang }}",
	    "pages/home.html:1: bad placeholder \"{{ lang }}\"" },
	{ "pages/home.html", "<h1>", "<h1>{{lang",
	    "pages/home.html:1: bad placeholder \"{{lang{{@home.heading}}\"" },
	{ "pages/layout.html", "</html>", "</html>{{",
	    "pages/layout.html:49: {{ without }}" },
	{ "pages/home.html", "<h1>", "<h1 class={{lang}}>",
	    "pages/home.html:1: placeholder outside text or a quoted "
	    "attribute value" },
	{ "pages/home.html", "<h1>", "<h1 {{lang}}>",
	    "pages/home.html:1: placeholder outside text or a quoted "
	    "attribute value" },
	{ "pages/home.html", "<h1>", "<{{lang}}>",
	    "pages/home.html:1: placeholder outside text or a quoted "
	    "attribute value" },
	{ "pages/home.html", "<h1>", "<!-- {{lang}} --><h1>",
	    "pages/home.html:1: placeholder outside text or a quoted "
	    "attribute value" },
	{ "pages/home.html", "<h1>", "<h1><script>x()</script>",
	    "pages/home.html:1: forbidden element" },
	{ "pages/home.html", "<h1>", "<h1><SCRIPT src=\"/x.js\"></SCRIPT>",
	    "pages/home.html:1: forbidden element" },
	{ "pages/home.html", "<h1>", "<style>h1{}</style><h1>",
	    "pages/home.html:1: forbidden element" },
	{ "pages/home.html", "<h1>", "<h1 style=\"color:red\">",
	    "pages/home.html:1: style attribute (use the stylesheet)" },
	{ "pages/home.html", "<h1>", "<h1 onclick=\"x()\">",
	    "pages/home.html:1: event handler attribute" },
	{ "pages/home.html", "<h1>", "<h1 ONMOUSEOVER='x()'>",
	    "pages/home.html:1: event handler attribute" },
	{ "pages/home.html", "<h1>", "<h1><a href=\"javascript:x()\">",
	    "pages/home.html:1: javascript: URL" },
	{ "pages/home.html", "<h1>", "<h1>{{?lang}}",
	    "pages/home.html:1: section not closed" },
	{ "pages/home.html", "<h1>", "<h1>{{/lang}}",
	    "pages/home.html:1: {{/lang}} closes no open section" },
	{ "pages/home.html", "<h1>", "<h1>{{?lang}}{{?org}}{{/lang}}{{/org}}",
	    "pages/home.html:1: {{/lang}} closes no open section" },
	{ "pages/home.html", "<h1>", "<h1>{{#lang}}{{/lang}}",
	    "pages/home.html:1: \"lang\" is not a list: use {{?lang}}" },
	{ "pages/home.html", "<h1>", "<h1>{{emails}}",
	    "pages/home.html:1: \"emails\" is a list: use {{#emails}}" },
	{ "pages/home.html", "<h1>", "<h1>{{address}}",
	    "pages/home.html:1: \"address\" used outside its list" },
	{ "pages/home.html", "<h1>", "<h1>{{>body}}",
	    "pages/home.html:1: {{>body}} goes once in the layout, in text, "
	    "outside sections" },
	{ "pages/home.html", "<h1>", "<h1>{{value.website}}",
	    "pages/home.html:1: unknown name \"value.website\"" },
	{ "pages/home.html", "<h1>",
	    "<h1>{{?a}}{{?b}}{{?c}}{{?d}}{{?e}}{{?f}}{{?g}}{{?h}}{{?i}}",
	    "pages/home.html:1: unknown name \"a\"" },
	{ "pages/home.html", "<h1>",
	    "<h1>{{?lang}}{{?lang}}{{?lang}}{{?lang}}{{?lang}}{{?lang}}"
	    "{{?lang}}{{?lang}}{{?lang}}",
	    "pages/home.html:1: sections nested too deep" },
	{ "pages/verified.html", "</a></p>\n", "</a></p>\n<p class=\"x",
	    "pages/verified.html: ends inside a tag or comment" },
	{ "pages/verified.html", "</a></p>\n", "</a></p>\n<!-- x ->",
	    "pages/verified.html: ends inside a tag or comment" },
	{ "pages/home.html", "<h1>", "<h1>\xC3\x28",
	    "pages/home.html: NUL, invalid UTF-8 or control character" },
	{ "pages/layout.html", "{{>body}}", "",
	    "pages/layout.html: no {{>body}}" },
	{ "pages/layout.html", "{{>body}}", "{{>body}}{{>body}}",
	    "pages/layout.html:" },
	{ "pages/layout.html", "{{>body}}", "{{>main}}",
	    "pages/layout.html:" },
	{ "messages.tsv", "form.submit\t", "form.submit\t\t",
	    "messages.tsv:" },
	{ "messages.tsv", "\tSend the report\n", "\n",
	    "messages.tsv:" },
	{ "messages.tsv", "\tSend the report\n", "\tSend\tthe report\n",
	    "messages.tsv:" },
	{ "messages.tsv", "err.email\t", "err.e-mail\t",
	    "messages.tsv: missing key \"err.email\"" },
	{ "messages.tsv", "field.indicators\t", "field.indicator\t",
	    "messages.tsv: missing key \"field.indicators\"" },
	{ "messages.tsv", "error.429.text\t", "error.249.text\t",
	    "messages.tsv: missing key \"error.429.text\"" },
	{ "messages.tsv", "status.merged.text\t", "status.merge.text\t",
	    "messages.tsv: missing key \"status.merged.text\"" },
	{ "messages.tsv", "cause.abuse\t", "cause.abused\t",
	    "messages.tsv: missing key \"cause.abuse\"" },
	{ "messages.tsv", "nav.home\t", "nav.report\t",
	    "messages.tsv: duplicate key \"nav.report\"" },
	{ "messages.tsv", "nav.home\t", "Nav.Home\t",
	    "messages.tsv:" },
	{ "messages.tsv", "\tTrang chủ\t", "\tTrang \xE1\xBB\t",
	    "messages.tsv:" },
	{ "messages.tsv", "\tTrang chủ\t", "\tTrang\x01 chủ\t",
	    "messages.tsv:" },
	{ "style.css", "}", "}</style><script>",
	    "style.css: invalid UTF-8, control character or '<'" },
};

/* The embedded sources with src[name]'s find replaced by repl. */
static char *
replace_in(const char *data, const char *find, const char *repl)
{
	const char	*at = strstr(data, find);
	char		*r;

	if (at == NULL)
		return NULL;
	r = malloc(strlen(data) + strlen(repl) + 1);
	memcpy(r, data, at - data);
	strcpy(r + (at - data), repl);
	strcat(r, at + strlen(find));
	return r;
}

static void
test_load_errors(void)
{
	struct page_source	 src[PAGE_NSOURCES + 1], keep;
	struct page_set		*bad;
	char			 err[256], *mod;
	size_t			 i, k;

	page_embedded_sources(src);
	for (i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++) {
		const struct bad_source *b = &bad_sources[i];

		for (k = 0; strcmp(src[k].name, b->name) != 0; k++)
			;
		mod = replace_in(src[k].data, b->find, b->repl);
		CHECK(mod != NULL);
		if (mod == NULL) {
			printf("  case %zu: \"%s\" not in %s\n", i, b->find,
			    b->name);
			continue;
		}
		keep = src[k];
		src[k].data = mod;
		src[k].len = strlen(mod);
		err[0] = '\0';
		bad = page_set_new(src, PAGE_NSOURCES, &tax, err, sizeof(err));
		CHECK(bad == NULL);
		if (strncmp(err, b->want, strlen(b->want)) != 0)
			printf("  case %zu: got \"%s\", want \"%s\"\n", i, err,
			    b->want);
		CHECK(strncmp(err, b->want, strlen(b->want)) == 0);
		page_set_free(bad);
		src[k] = keep;
		free(mod);
	}
	/* missing, unknown and repeated sources */
	err[0] = '\0';
	CHECK(page_set_new(src, PAGE_NSOURCES - 1, &tax, err,
	    sizeof(err)) == NULL);
	CHECK_STR(err, "pages/staff_stats.html: missing");
	src[PAGE_NSOURCES] = src[0];
	CHECK(page_set_new(src, PAGE_NSOURCES + 1, &tax, err,
	    sizeof(err)) == NULL);
	CHECK_STR(err, "messages.tsv: unknown or repeated source");
	src[PAGE_NSOURCES].name = "pages/extra.html";
	CHECK(page_set_new(src, PAGE_NSOURCES + 1, &tax, err,
	    sizeof(err)) == NULL);
	CHECK_STR(err, "pages/extra.html: unknown or repeated source");
	/* a short error buffer is cut, never overrun */
	keep = src[2];
	src[2].data = "{{>main}}";
	src[2].len = 9;
	CHECK(page_set_new(src, PAGE_NSOURCES, &tax, err, 10) == NULL);
	CHECK(strlen(err) == 9);
	src[2] = keep;
	/* the unmodified sources load, and without a taxonomy too */
	bad = page_set_new(src, PAGE_NSOURCES, NULL, err, sizeof(err));
	CHECK(bad != NULL);
	page_set_free(bad);
	page_set_free(NULL);
}

struct esc_case {
	const char	*in;
	size_t		 len;		/* 0: strlen */
	const char	*want;
};

#define FFFD	"\xEF\xBF\xBD"

static const struct esc_case esc_cases[] = {
	{ "<script>alert(1)</script>", 0,
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "\"onerror=alert(1)", 0, "&quot;onerror=alert(1)" },
	{ "' onmouseover='x'", 0, "&#39; onmouseover=&#39;x&#39;" },
	{ "a & b &amp;", 0, "a &amp; b &amp;amp;" },
	{ "`x`", 0, "&#96;x&#96;" },
	{ "</textarea><b>", 0, "&lt;/textarea&gt;&lt;b&gt;" },
	{ "Tiếng Việt — “ngoặc” 日本 😀", 0, "Tiếng Việt — “ngoặc” 日本 😀" },
	{ "tab\there\r\nline", 0, "tab\there\r\nline" },
	{ "", 0, "" },
	{ "\xC3\x28", 0, FFFD "(" },			/* bad continuation */
	{ "a\xC3", 0, "a" FFFD },			/* truncated at end */
	{ "\xE2\x82x", 0, FFFD "x" },			/* truncated 3-byte */
	{ "\xF0\x9F\x98" "A", 0, FFFD "A" },		/* truncated 4-byte */
	{ "\xC0\xAF", 0, FFFD FFFD },			/* overlong '/' */
	{ "\xE0\x80\xBC", 0, FFFD FFFD FFFD },		/* overlong '<' */
	{ "\xED\xA0\x80", 0, FFFD FFFD FFFD },		/* surrogate */
	{ "\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD },	/* > U+10FFFF */
	{ "\xF8\x88\x80\x80\x80", 0, FFFD FFFD FFFD FFFD FFFD },
	{ "\xFF\xFE", 0, FFFD FFFD },
	{ "\x80<", 0, FFFD "&lt;" },			/* lone continuation */
	{ "a\0b", 3, "a" FFFD "b" },			/* NUL */
	{ "\x01\x1B[31m\x7F", 0, FFFD FFFD "[31m" FFFD },
	{ "\xC2\x85\xC2\x9F", 0, FFFD FFFD },		/* C1 controls */
	{ "\xEF\xBF\xBE\xEF\xB7\x90", 0, FFFD FFFD },	/* noncharacters */
	{ "\xF0\x9F\xBF\xBF", 0, FFFD },		/* U+1FFFF */
	{ "\xEF\xBF\xBD", 0, FFFD },			/* U+FFFD itself */
	{ "\xC2\xA0\xE2\x80\xAE", 0, "\xC2\xA0\xE2\x80\xAE" },
};

static void
test_escape(void)
{
	struct page_buf	b;
	size_t		i, len;
	char		big[300];

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		len = esc_cases[i].len ? esc_cases[i].len :
		    strlen(esc_cases[i].in);
		page_buf_init(&b);
		page_escape_append(&b, esc_cases[i].in, len);
		CHECK(!b.failed);
		CHECK_STR(b.data ? b.data : "", esc_cases[i].want);
		CHECK(b.len == strlen(esc_cases[i].want));
		page_buf_free(&b);
	}
	/* NULL with length 0, and appends after failure are ignored */
	page_buf_init(&b);
	page_escape_append(&b, NULL, 0);
	CHECK(b.len == 0 && !b.failed);
	memset(big, 'x', sizeof(big));
	page_buf_append(&b, big, sizeof(big));
	CHECK(b.len == sizeof(big) && b.data[b.len] == '\0');
	b.failed = 1;
	page_buf_append(&b, "y", 1);
	CHECK(b.len == sizeof(big));
	page_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && !b.failed);
	/* the size bound */
	page_buf_init(&b);
	while (!b.failed && b.len <= PAGE_BUF_MAX)
		page_buf_append(&b, big, sizeof(big));
	CHECK(b.failed && b.len <= PAGE_BUF_MAX);
	CHECK(page_render(ps, PAGE_HOME, "vi", NULL, &b) == -1);
	page_buf_free(&b);
	page_buf_init(&b);
	CHECK(page_render(ps, PAGE_COUNT, "vi", NULL, &b) == -1);
	CHECK(page_render(ps, (enum page_id)-1, "vi", NULL, &b) == -1);
	CHECK(page_render(NULL, PAGE_HOME, "vi", NULL, &b) == -1);
	page_buf_free(&b);
}

struct lang_case {
	const char	*query;
	const char	*accept;
	const char	*want;
};

static const struct lang_case lang_cases[] = {
	{ NULL, NULL, "vi" },
	{ "", "", "vi" },
	{ "en", NULL, "en" },
	{ "EN", NULL, "en" },
	{ "en-GB", NULL, "en" },
	{ "vi", "en", "vi" },
	{ "fr", "en", "en" },
	{ "english", "vi", "vi" },
	{ "e", NULL, "vi" },
	{ NULL, "en", "en" },
	{ NULL, "en-US,en;q=0.9", "en" },
	{ NULL, "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi" },
	{ NULL, "en-US,en;q=0.9,vi;q=0.8", "en" },
	{ NULL, "fr-FR,fr;q=0.9", "vi" },
	{ NULL, "fr, en;q=0.5", "en" },
	{ NULL, "vi;q=0.2, en;q=0.8", "en" },
	{ NULL, "vi;q=0.8, en;q=0.2", "vi" },
	{ NULL, "en;q=0.5, vi;q=0.5", "en" },	/* equal: order */
	{ NULL, "vi;q=0.5, en;q=0.5", "vi" },
	{ NULL, "en;q=0", "vi" },
	{ NULL, "en;q=0.000", "vi" },
	{ NULL, "en;q=0.001", "en" },
	{ NULL, "en;q=1.0", "en" },
	{ NULL, "en;q=1.001", "vi" },		/* malformed: ignored */
	{ NULL, "en;q=2", "vi" },
	{ NULL, "en;q=0.5000", "vi" },
	{ NULL, "en;q=abc", "vi" },
	{ NULL, "en;q=", "vi" },
	{ NULL, "en ; q=0.8", "en" },
	{ NULL, "EN-us;Q=0.9", "en" },
	{ NULL, "en;level=1;q=0.7, vi;q=0.6", "en" },
	{ NULL, "*", "vi" },
	{ NULL, "*;q=0.5, en;q=0.4", "vi" },	/* vi unlisted: 0.5 */
	{ NULL, "vi;q=0.1, *", "en" },		/* en unlisted: 1.0 */
	{ NULL, "en;q=0, *", "vi" },
	{ NULL, "envi", "vi" },
	{ NULL, "english", "vi" },
	{ NULL, "en_US", "vi" },
	{ NULL, ",,, ;;; ,en", "en" },
	{ NULL, "en-", "en" },
	{ NULL, "   ", "vi" },
	{ NULL, "vi,en", "vi" },
	{ NULL, "x-klingon;q=1, en-AU;q=0.3, vi-VN;q=0.2", "en" },
};

static void
test_lang(void)
{
	size_t	i;

	for (i = 0; i < sizeof(lang_cases) / sizeof(lang_cases[0]); i++) {
		const char *got = page_lang_pick(lang_cases[i].query,
		    lang_cases[i].accept);

		if (strcmp(got, lang_cases[i].want) != 0)
			printf("  lang(%s, %s)\n", lang_cases[i].query ?
			    lang_cases[i].query : "NULL", lang_cases[i].accept ?
			    lang_cases[i].accept : "NULL");
		CHECK_STR(got, lang_cases[i].want);
	}
}

/* Every page in both languages, with everything set and with nothing. */
static void
test_all_pages(void)
{
	static const char *const langs[] = { "vi", "en" };
	struct page_vars	 v;
	char			*html, name[64];
	const char		*want;
	size_t			 i, l;

	for (l = 0; l < 2; l++)
		for (i = 0; i < PAGE_COUNT; i++) {
			memset(&v, 0, sizeof(v));
			html = render((enum page_id)i, langs[l], &v, "empty");
			CHECK(strstr(html, l ? "<html lang=\"en\">" :
			    "<html lang=\"vi\">") != NULL);
			free(html);
			html = render((enum page_id)i, langs[l], NULL, "null");
			free(html);
			memset(&v, 0, sizeof(v));
			v.contact = &contact;
			v.path = i == PAGE_STATUS ? "/status/IR-20261121-000042" :
			    "/";
			v.query = i == PAGE_STATUS ? "t=rcpt_Abc123" : NULL;
			v.csrf = "csrf-token-1";
			v.report_id = "IR-20261121-000042";
			v.received_at = 1795256645;	/* 2026-11-21 */
			v.utc_offset = 7 * 3600;
			v.status = "new";
			v.verify_sent = 1;
			v.verify_token = "vt_0123456789abcdef";
			v.max_upload = "25 MB";
			v.http_status = 404;
			snprintf(name, sizeof(name), "%s", pages_named[i]);
			html = render((enum page_id)i, langs[l], &v, name);
			want = i == PAGE_ERROR ? "error.404.title" :
			    i == PAGE_HOME ? "home.heading" :
			    i == PAGE_REPORT ? "report.heading" :
			    i == PAGE_STATUS ? "status.heading" :
			    i == PAGE_VERIFY ? "verify.heading" :
			    i == PAGE_STAFF_LOGIN ? "staff.login.heading" :
			    i == PAGE_STAFF_QUEUE ? "staff.queue.heading" :
			    i == PAGE_STAFF_INCIDENT ? "staff.incident.heading" :
			    i == PAGE_STAFF_PHONE ? "report.heading" :
			    i == PAGE_STAFF_STATS ? "staff.stats.heading" :
			    "verified.heading";
			CHECK(has_msg(html, langs[l], want));
			/* header, language switch, footer contacts */
			CHECK(strstr(html, "Trung tâm Ứng cứu sự cố") != NULL);
			CHECK(strstr(html, l ? "hreflang=\"vi\" lang=\"vi\">Tiếng "
			    "Việt</a>" : "hreflang=\"en\" lang=\"en\">English"
			    "</a>") != NULL);
			CHECK(strstr(html, "<a href=\"tel:19006868\">1900 6868 "
			    "(nhánh 2)</a>") != NULL);
			CHECK(strstr(html, "<a href=\"mailto:abuse@cert.example.vn"
			    "\">abuse@cert.example.vn</a>") != NULL);
			CHECK(strstr(html, "/style.css?v=") != NULL);
			CHECK((strstr(html, "noindex") != NULL) ==
			    (i != PAGE_HOME && i != PAGE_REPORT));
			free(html);
		}
}

static void
test_home(void)
{
	struct page_vars	 v;
	char			*html;

	memset(&v, 0, sizeof(v));
	v.contact = &contact;
	html = render(PAGE_HOME, "vi", &v, "home");
	CHECK(strstr(html, "<code>ilp.cert.example.vn:4120</code>") != NULL);
	CHECK(strstr(html, "<code>ilp.cert.example.vn:4119</code>") != NULL);
	CHECK(strstr(html, "href=\"https://cert.example.vn/pgp-key.asc\"") !=
	    NULL);
	CHECK(strstr(html, "href=\"https://cert.example.vn/chinh-sach\"") !=
	    NULL);
	CHECK(strstr(html, "href=\"/report?lang=vi\"") != NULL);
	CHECK(strstr(html, "href=\"/.well-known/security.txt\"") != NULL);
	CHECK(strstr(html, "<title>Đầu mối tiếp nhận sự cố – Trung tâm") !=
	    NULL);
	CHECK(!has_msg(html, "vi", "home.no-phone"));
	free(html);
	/* what is not published is not shown */
	memset(&v, 0, sizeof(v));
	html = render(PAGE_HOME, "en", &v, "home-bare");
	CHECK(strstr(html, "tel:") == NULL);
	CHECK(strstr(html, "mailto:") == NULL);
	CHECK(strstr(html, "<code>") == NULL);
	CHECK(has_msg(html, "en", "home.no-phone"));
	CHECK(has_msg(html, "en", "home.no-email"));
	CHECK(strstr(html, "<title>Incident contact points – "
	    "Cyber-security incident reporting</title>") != NULL);
	free(html);
}

/* The language link keeps the path and query, replacing only lang. */
static void
test_switch(void)
{
	static const struct {
		const char	*path, *query, *lang, *want;
	} cases[] = {
		{ "/status/IR-1", "t=abc&lang=vi", "vi",
		    "href=\"/status/IR-1?t=abc&amp;lang=en\"" },
		{ "/status/IR-1", "lang=en&t=abc&lang=x", "en",
		    "href=\"/status/IR-1?t=abc&amp;lang=vi\"" },
		{ "/", NULL, "vi", "href=\"/?lang=en\"" },
		{ NULL, NULL, "en", "href=\"/?lang=vi\"" },
		{ "//evil.example/x", NULL, "vi", "href=\"/?lang=en\"" },
		{ "/\\evil.example", NULL, "vi", "href=\"/?lang=en\"" },
		{ "https://evil.example/", NULL, "vi", "href=\"/?lang=en\"" },
		{ "javascript:alert(1)", NULL, "vi", "href=\"/?lang=en\"" },
		{ "/a b\"<>", "x=\"'<>&language=1", "vi",
		    "href=\"/a%20b%22%3C%3E?x=%22&#39;%3C%3E&amp;language=1"
		    "&amp;lang=en\"" },
		{ "/report", "lang", "en", "href=\"/report?lang=vi\"" },
		{ "/x#y", "a=1#frag", "vi", "href=\"/x%23y?a=1%23frag&amp;"
		    "lang=en\"" },
		{ "/\xC3\xA9", "q=\xC3\xA9", "vi",
		    "href=\"/%C3%A9?q=%C3%A9&amp;lang=en\"" },
	};
	struct page_vars	 v;
	char			*html;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.path = cases[i].path;
		v.query = cases[i].query;
		html = render(PAGE_HOME, cases[i].lang, &v, "switch");
		if (strstr(html, cases[i].want) == NULL)
			printf("  switch case %zu: want %s\n", i, cases[i].want);
		CHECK(strstr(html, cases[i].want) != NULL);
		free(html);
	}
}

#define HOSTILE	"<script>alert(1)</script>\"onerror=alert(2) x='y' " \
	"&amp; \xC3\x28 \xED\xA0\x80 \x01 `z` </textarea></title>"

/* Expect HOSTILE's escaped form in html, and nothing raw. */
static void
check_hostile(const char *html, int want_count)
{
	char		*e = esc(HOSTILE);
	const char	*p;
	int		 n = 0;

	for (p = html; (p = strstr(p, e)) != NULL; p++)
		n++;
	if (n < want_count)
		printf("  hostile value shown %d times, want %d\n", n,
		    want_count);
	CHECK(n >= want_count);
	CHECK(strstr(html, "<script") == NULL);
	CHECK(strstr(html, "\"onerror") == NULL);
	CHECK(strstr(html, "'y'") == NULL);
	CHECK(strstr(html, "</textarea></title>") == NULL);
	CHECK(strstr(html, "\xC3\x28") == NULL);
	CHECK(strchr(html, '\x01') == NULL);
	free(e);
}

/*
 * The hostile string in every value a page shows: each page must stay
 * well-formed (check_page: only known, quoted attributes; no handler) and
 * show the value escaped wherever it goes.
 */
static void
test_hostile(void)
{
	static const char *const hemails[] = { HOSTILE, "a@b.example" };
	static const char *const langs[] = { "vi", "en" };
	struct page_contact	 hc;
	struct page_field	 vals[16];
	struct page_error	 errs[3];
	struct page_vars	 v;
	char			*html, name[64];
	size_t			 i, l;

	hc.organization = HOSTILE;
	hc.emails = hemails;
	hc.n_emails = 2;
	hc.phone = HOSTILE;
	hc.hours = HOSTILE;
	hc.line_endpoint = HOSTILE;
	hc.line_tls_endpoint = HOSTILE;
	hc.encryption = "javascript:alert(3)";
	hc.policy = "//evil.example/policy";
	for (i = 0; i < 15; i++)
		vals[i].value = HOSTILE;
	vals[0].name = "reporter-name";
	vals[1].name = "organization";
	vals[2].name = "reporter-email";
	vals[3].name = "reporter-phone";
	vals[4].name = "affected-system";
	vals[5].name = "operating-unit";
	vals[6].name = "system-level";
	vals[7].name = "description";
	vals[8].name = "detected-at";
	vals[9].name = "occurred-at";
	vals[10].name = "category";
	vals[11].name = "severity";
	vals[12].name = "indicators";
	vals[13].name = "confidential";
	vals[14].name = "website";
	vals[15].name = HOSTILE;
	vals[15].value = HOSTILE;
	errs[0].field = "description";
	errs[0].msg = HOSTILE;			/* not a key: err.invalid */
	errs[1].field = HOSTILE;
	errs[1].msg = "err.required";
	errs[2].field = NULL;
	errs[2].msg = NULL;
	for (l = 0; l < 2; l++)
		for (i = 0; i < PAGE_COUNT; i++) {
			memset(&v, 0, sizeof(v));
			v.contact = &hc;
			v.path = "/\"><script>alert(4)</script>";
			v.query = "t=\"><script>&lang=en";
			v.static_base = "javascript:alert(5)//";
			v.csrf = HOSTILE;
			v.values = vals;
			v.n_values = 16;
			v.errors = errs;
			v.n_errors = 3;
			v.max_upload = HOSTILE;
			v.report_id = HOSTILE;
			v.status = HOSTILE;
			v.verify_token = HOSTILE;
			v.received_at = 1;
			v.http_status = 999;
			snprintf(name, sizeof(name), "hostile-%s",
			    pages_named[i]);
			html = render((enum page_id)i, langs[l], &v, name);
			/* org in the header and title; phone, hours, an
			   address in the footer */
			check_hostile(html, 5);
			CHECK(strstr(html, "href=\"javascript") == NULL);
			CHECK(strstr(html, "href=\"//") == NULL);
			/* the stylesheet's URL refused */
			CHECK(strstr(html, "href=\"#\"") != NULL);
			CHECK(strstr(html, "tel:") == NULL);	/* no digit */
			if (i == PAGE_REPORT) {
				/* the layout's 6, then 8 inputs, 2 textareas,
				   csrf and max_upload; the summary shows
				   messages only */
				check_hostile(html, 6 + 12);
				CHECK(has_msg(html, langs[l], "err.invalid"));
				CHECK(strstr(html, "value=\"" HOSTILE) == NULL);
			}
			if (i == PAGE_STATUS)
				CHECK(has_msg(html, langs[l], "status.unknown"));
			if (i == PAGE_VERIFY)
				CHECK(strstr(html, "action=\"/verify/%3Cscript%3E"
				    "alert%281%29%3C%2Fscript%3E%22onerror%3D")
				    != NULL);
			if (i == PAGE_ERROR)
				CHECK(has_msg(html, langs[l], "error.500.title"));
			free(html);
		}
}

/* The last needle that starts before end in html, or NULL. */
static const char *
rfind(const char *html, const char *end, const char *needle)
{
	const char	*p, *last = NULL;

	for (p = html; (p = strstr(p, needle)) != NULL && p < end; p++)
		last = p;
	return last;
}

/* The first of a and b that is not NULL. */
static const char *
first_of(const char *a, const char *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return a < b ? a : b;
}

/*
 * What the form shows for one field: from its wrapper (the <div
 * class="field..."> or <fieldset> holding its label or id) to the next
 * wrapper or the end of the group.
 */
static const char *
field_block(const char *html, const char *field, char *buf, size_t len)
{
	char		 at[64];
	const char	*s, *e, *d, *f;

	snprintf(at, sizeof(at), "for=\"f-%s\"", field);
	if ((s = strstr(html, at)) == NULL) {
		snprintf(at, sizeof(at), "id=\"f-%s\"", field);
		if ((s = strstr(html, at)) == NULL)
			return NULL;
	}
	e = first_of(strstr(s, "<div class=\"field"), strstr(s, "<fieldset"));
	e = first_of(e, strstr(s, "</section>"));
	d = rfind(html, s, "<div class=\"field");
	f = rfind(html, s, "<fieldset");
	if (d != NULL || f != NULL)
		s = d != NULL && (f == NULL || d > f) ? d : f;
	if (e == NULL)
		e = s + strlen(s);
	snprintf(buf, len, "%.*s", (int)(e - s), s);
	return buf;
}

static void
test_form(void)
{
	static const struct page_field vals[] = {
		{ "reporter-name", "Nguyễn Văn A" },
		{ "organization", "UBND xã Y & <Z>" },
		{ "reporter-email", "not-an-address" },
		{ "reporter-phone", "0912 345 678" },
		{ "affected-system", "https://portal.example.gov.vn/" },
		{ "operating-unit", "Phòng CNTT" },
		{ "system-level", "3" },
		{ "description", "Trang chủ bị thay đổi giao diện\r\n"
		    "hiện dòng chữ \"hacked\" <b>" },
		{ "detected-at", "2026-11-21T09:30" },
		{ "occurred-at", "tối qua" },
		{ "category", "defacement" },
		{ "severity", "high" },
		{ "indicators", "203.0.113.7 evil[.]example\n"
		    "hxxp://x.example/a" },
		{ "confidential", "yes" },
		{ "website", "" },
		{ "description", "a second value is ignored" },
	};
	static const struct page_error errs[] = {
		{ "reporter-email", "err.email" },
		{ "occurred-at", "err.datetime" },
		{ "occurred-at", "err.future" },	/* second: summary only */
		{ "category", "err.category" },
		{ "system-level", "err.system-level" },
		{ "attachment", "err.attachment-too-large" },
		{ "organization", "err.no-such-key" },
		{ NULL, "err.form-expired" },
		{ "website", "err.invalid" },
	};
	static const char *const fields[] = {
		"reporter-name", "organization", "reporter-email",
		"reporter-phone", "affected-system", "operating-unit",
		"system-level", "description", "detected-at", "occurred-at",
		"category", "severity", "indicators", "attachment",
		"confidential"
	};
	static const char *const lang = "vi";
	struct page_vars	 v;
	char			*html, block[8192], *e, want[512];
	const char		*b, *m, *label;
	size_t			 i, k;
	int			 errors_for;

	memset(&v, 0, sizeof(v));
	v.contact = &contact;
	v.path = "/report";
	v.csrf = "tok<\"en>";
	v.values = vals;
	v.n_values = sizeof(vals) / sizeof(vals[0]);
	v.errors = errs;
	v.n_errors = sizeof(errs) / sizeof(errs[0]);
	v.max_upload = "25 MB";
	html = render(PAGE_REPORT, lang, &v, "report-errors");
	CHECK(strstr(html, "<title>Lỗi: Báo cáo sự cố – ") != NULL);
	CHECK(strstr(html, "enctype=\"multipart/form-data\"") != NULL);
	CHECK(strstr(html, "method=\"post\" action=\"/report?lang=vi\"") !=
	    NULL);
	CHECK(strstr(html, "<input type=\"hidden\" name=\"csrf\" "
	    "value=\"tok&lt;&quot;en&gt;\">") != NULL);
	/* the summary: one line per error, linked to its field */
	b = strstr(html, "class=\"error-summary\"");
	CHECK(b != NULL && b < strstr(html, "<form"));
	for (i = 0; b != NULL && i < v.n_errors; i++) {
		m = page_msg(ps, lang, errs[i].msg);
		if (m == NULL)
			m = page_msg(ps, lang, "err.invalid");
		if (errs[i].field != NULL && strcmp(errs[i].field,
		    "website") != 0) {
			snprintf(want, sizeof(want), "field.%s", errs[i].field);
			label = page_msg(ps, lang, want);
			snprintf(want, sizeof(want),
			    "<li><a href=\"#f-%s\">%s: %s</a></li>",
			    errs[i].field, label, m);
		} else
			snprintf(want, sizeof(want), "<li>%s</li>", m);
		if (strstr(b, want) == NULL)
			printf("  summary lacks %s\n", want);
		CHECK(strstr(b, want) != NULL);
	}
	/* beside each field: its first message, described-by, invalid */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *f = fields[i];

		CHECK(field_block(html, f, block, sizeof(block)) != NULL);
		for (k = 0, errors_for = -1; k < v.n_errors; k++)
			if (errs[k].field && strcmp(errs[k].field, f) == 0) {
				errors_for = (int)k;
				break;
			}
		snprintf(want, sizeof(want), "id=\"e-%s\"", f);
		if (errors_for < 0) {
			CHECK(strstr(block, want) == NULL);
			CHECK(strstr(block, "aria-invalid") == NULL);
			CHECK(strstr(block, "field-error") == NULL);
			continue;
		}
		m = page_msg(ps, lang, errs[errors_for].msg);
		if (m == NULL)
			m = page_msg(ps, lang, "err.invalid");
		CHECK(strstr(block, want) != NULL);
		CHECK(strstr(block, m) != NULL);
		snprintf(want, sizeof(want), " e-%s\"", f);
		CHECK(strstr(block, want) != NULL);	/* aria-describedby */
		CHECK(strstr(block, "field-error") != NULL);
		if (strcmp(f, "system-level") != 0 &&
		    strcmp(f, "severity") != 0)
			CHECK(strstr(block, "aria-invalid=\"true\"") != NULL);
	}
	CHECK(has_msg(html, lang, "err.future"));
	CHECK(field_block(html, "occurred-at", block, sizeof(block)) &&
	    strstr(block, page_msg(ps, lang, "err.future")) == NULL);
	/* the error message sits between the label and the input */
	b = strstr(html, "<label for=\"f-reporter-email\"");
	CHECK(b != NULL && strstr(b, "id=\"e-reporter-email\"") <
	    strstr(b, "<input"));
	CHECK(strstr(html, "aria-describedby=\"h-reporter-email "
	    "e-reporter-email\" aria-invalid=\"true\"") != NULL);
	/* every value kept, escaped */
	for (i = 0; i < 15; i++) {
		const char *f = vals[i].name;

		e = esc(vals[i].value);
		if (strcmp(f, "description") == 0 ||
		    strcmp(f, "indicators") == 0) {
			snprintf(want, sizeof(want), "aria-invalid=\"true\">%s"
			    "</textarea>", e);
			if (strstr(html, want) == NULL)
				snprintf(want, sizeof(want), "\">%s</textarea>",
				    e);
		} else if (strcmp(f, "category") == 0)
			snprintf(want, sizeof(want), "<option value=\"%s\" "
			    "selected>", e);
		else if (strcmp(f, "severity") == 0 ||
		    strcmp(f, "system-level") == 0)
			snprintf(want, sizeof(want), "name=\"%s\" value=\"%s\" "
			    "checked>", f, e);
		else if (strcmp(f, "confidential") == 0)
			snprintf(want, sizeof(want), "name=\"confidential\" "
			    "value=\"yes\" checked ");
		else if (strcmp(f, "website") == 0)
			snprintf(want, sizeof(want), "name=\"website\" "
			    "value=\"\" tabindex=\"-1\" autocomplete=\"off\">");
		else
			snprintf(want, sizeof(want), "name=\"%s\" value=\"%s\"",
			    f, e);
		if (strstr(html, want) == NULL)
			printf("  value of %s: want %s\n", f, want);
		CHECK(strstr(html, want) != NULL);
		free(e);
	}
	CHECK(strstr(html, "a second value") == NULL);
	/* one choice only, and the right one */
	b = strstr(html, " selected>");
	CHECK(b != NULL && strstr(b + 1, " selected>") == NULL);
	CHECK(strstr(html, "value=\"\" checked>") == NULL);
	/* the categories: grouped, in Vietnamese, hidden ones left out */
	CHECK(strstr(html, "<optgroup label=\"Tấn công mạng\">") != NULL);
	CHECK(strstr(html, "<option value=\"phishing\">Tấn công giả mạo"
	    "</option>") != NULL);
	CHECK(strstr(html, "value=\"undetermined\"") == NULL);
	CHECK(strstr(html, "value=\"test\"") == NULL);
	/* no empty group (the cause "other" has hidden categories only) */
	for (b = html; (b = strstr(b, "<optgroup")) != NULL; b++)
		CHECK(strncmp(strchr(b, '>'), ">\n</optgroup>", 13) != 0);
	CHECK(!has_msg(html, lang, "cause.other"));
	CHECK(strstr(html, "<option value=\"\">Không rõ</option>") != NULL);
	/* the honeypot */
	CHECK(strstr(html, "<div class=\"hp\" aria-hidden=\"true\">") != NULL);
	/* files are never refilled: say so */
	CHECK(has_msg(html, lang, "form.attachment-again"));
	CHECK(strstr(html, "25 MB") != NULL);
	free(html);

	/* no errors, no values: nothing flagged, "I don't know" chosen */
	memset(&v, 0, sizeof(v));
	html = render(PAGE_REPORT, "en", &v, "report-empty");
	CHECK(strstr(html, "error-summary") == NULL);
	CHECK(strstr(html, "aria-invalid") == NULL);
	CHECK(strstr(html, "field-error") == NULL);
	CHECK(strstr(html, "<title>Report an incident") != NULL);
	CHECK(!has_msg(html, "en", "form.attachment-again"));
	CHECK(strstr(html, " selected") == NULL);
	CHECK(strstr(html, "id=\"f-severity-unknown\" name=\"severity\" "
	    "value=\"\" checked>") != NULL);
	CHECK(strstr(html, "id=\"f-system-level-unknown\" name=\"system-level\""
	    " value=\"\" checked>") != NULL);
	CHECK(strstr(html, "<option value=\"phishing\">Spoofing and phishing"
	    "</option>") != NULL);
	CHECK(strstr(html, "<optgroup label=\"Cyber attacks\">") != NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(want, sizeof(want), "id=\"f-%s\"", fields[i]);
		CHECK(strstr(html, want) != NULL);
	}
	CHECK(strstr(html, "name=\"attachment\" multiple") != NULL);
	CHECK(strstr(html, "type=\"datetime-local\" id=\"f-detected-at\"") !=
	    NULL);
	CHECK(strstr(html, "type=\"datetime-local\" id=\"f-occurred-at\"") !=
	    NULL);
	free(html);
}

static void
test_status(void)
{
	static const char *const sts[] = {
		"new", "triaged", "in-progress", "resolved", "closed",
		"rejected", "merged"
	};
	struct page_vars	 v;
	char			*html, key[64];
	size_t			 i;

	memset(&v, 0, sizeof(v));
	v.report_id = "IR-20261121-000042";
	v.received_at = 1795256645;		/* 2026-11-21T10:24:05Z */
	v.utc_offset = 7 * 3600;
	for (i = 0; i < sizeof(sts) / sizeof(sts[0]); i++) {
		v.status = sts[i];
		html = render(PAGE_STATUS, "vi", &v, "status");
		snprintf(key, sizeof(key), "status.%s", sts[i]);
		CHECK(has_msg(html, "vi", key));
		snprintf(key, sizeof(key), "status.%s.text", sts[i]);
		CHECK(has_msg(html, "vi", key));
		free(html);
	}
	v.status = "new";
	html = render(PAGE_STATUS, "vi", &v, "status");
	CHECK(strstr(html, "<p class=\"report-id\" aria-labelledby="
	    "\"receipt-id-label\">IR-20261121-000042</p>") != NULL);
	CHECK(strstr(html, "<dd>21/11/2026 17:24 (UTC+07:00)</dd>") != NULL);
	CHECK(has_msg(html, "vi", "status.verified-no"));
	CHECK(has_msg(html, "vi", "status.verify-none"));
	free(html);
	v.verify_sent = 1;
	v.utc_offset = -(3 * 3600 + 30 * 60);
	html = render(PAGE_STATUS, "en", &v, "status");
	/* English: ISO 8601, never day/month that reads as month/day */
	CHECK(strstr(html, "<dd>2026-11-21 06:54 (UTC-03:30)</dd>") != NULL);
	CHECK(has_msg(html, "en", "status.verify-sent"));
	free(html);
	v.verified = 1;
	v.received_at = 0;
	html = render(PAGE_STATUS, "en", &v, "status");
	CHECK(has_msg(html, "en", "status.verified-yes"));
	CHECK(!has_msg(html, "en", "status.verify-sent"));
	CHECK(strstr(html, "<dt>Received</dt>") == NULL);
	free(html);
}

static void
test_verify(void)
{
	struct page_vars	 v;
	char			*html;

	memset(&v, 0, sizeof(v));
	v.csrf = "c1";
	v.verify_token = "vt_AbC-123_x.y~z";
	v.report_id = "IR-20261121-000042";
	html = render(PAGE_VERIFY, "en", &v, "verify");
	CHECK(strstr(html, "<form method=\"post\" action=\"/verify/"
	    "vt_AbC-123_x.y~z?lang=en\"") != NULL);
	CHECK(strstr(html, "<input type=\"hidden\" name=\"csrf\" value=\"c1\">")
	    != NULL);
	CHECK(strstr(html, "<button type=\"submit\"") != NULL);
	free(html);
	v.verify_token = "a/../b?c#d e";
	html = render(PAGE_VERIFY, "vi", &v, "verify");
	CHECK(strstr(html, "action=\"/verify/a%2F..%2Fb%3Fc%23d%20e?lang=vi\"")
	    != NULL);
	free(html);
	html = render(PAGE_VERIFIED, "vi", &v, "verified");
	CHECK(strstr(html, "IR-20261121-000042") != NULL);
	CHECK(strstr(html, "<form") == NULL);
	free(html);
}

static void
test_errors(void)
{
	static const int codes[][2] = {
		{ 400, 400 }, { 403, 403 }, { 404, 404 }, { 405, 405 },
		{ 408, 408 }, { 410, 410 }, { 413, 413 }, { 429, 429 },
		{ 431, 431 }, { 500, 500 }, { 503, 503 }, { 418, 400 },
		{ 401, 400 }, { 502, 500 }, { 0, 500 }, { -1, 500 },
		{ 200, 500 }, { 600, 500 },
	};
	static const char *const langs[] = { "vi", "en" };
	struct page_vars	 v;
	char			*html, key[64], want[64];
	size_t			 i, l;

	for (l = 0; l < 2; l++)
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
			memset(&v, 0, sizeof(v));
			v.http_status = codes[i][0];
			html = render(PAGE_ERROR, langs[l], &v, "error");
			snprintf(key, sizeof(key), "error.%d.title", codes[i][1]);
			snprintf(want, sizeof(want), "<h1>%s</h1>",
			    page_msg(ps, langs[l], key));
			CHECK(strstr(html, want) != NULL);
			snprintf(key, sizeof(key), "error.%d.text", codes[i][1]);
			CHECK(has_msg(html, langs[l], key));
			snprintf(want, sizeof(want), " %d</p>", codes[i][1]);
			CHECK(strstr(html, want) != NULL);
			free(html);
		}
}

#define LONG	"IR-20261121-00004200000000000000000000000000000000000000"
#define LONGURL	"https://cert.example.vn/a/very/long/path/without/any/" \
	"break/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.asc"

static const char *const long_emails[] = {
	"incident-response-team-of-the-provincial-department@"
	    "so-thong-tin-va-truyen-thong.tinh-x.gov.vn"
};

static const struct page_contact long_contact = {
	.organization = "TRUNGTÂMỨNGCỨUSỰCỐANTOÀNTHÔNGTINMẠNGTỈNHXXXXXXXXXXXXXXX",
	.emails = long_emails,
	.n_emails = 1,
	.phone = "+84-24-3943-6684-1900-6868-9999-8888-7777",
	.hours = "thứ-hai-đến-thứ-sáu-8:00-17:00-ngoài-giờ-gọi-số-khác",
	.line_endpoint = "intake-line-protocol.so-thong-tin-va-truyen-thong."
	    "tinh-x.gov.vn:4119",
	.line_tls_endpoint = "intake-line-protocol.so-thong-tin-va-truyen-thong."
	    "tinh-x.gov.vn:4120",
	.encryption = LONGURL,
	.policy = LONGURL,
};

static const struct page_field long_vals[] = {
	{ "reporter-name", LONG LONG },
	{ "reporter-email", LONG "@" LONG },
	{ "affected-system", LONGURL },
	{ "description", LONGURL LONGURL LONGURL },
	{ "indicators", LONG LONG LONG LONG },
};

/*
 * WRITE_PAGES=DIR: every page in both languages, with realistic values and
 * the stylesheet beside them (static_base "."), for a browser to show.
 */
static void
write_previews(const char *dir)
{
	static const char *const langs[] = { "vi", "en" };
	static const int codes[] = { 400, 403, 404, 408, 410, 413, 429, 500,
	    503 };
	static const struct page_field vals[] = {
		{ "reporter-name", "Nguyễn Thị Minh Khai" },
		{ "reporter-email", "khai.nguyen@example" },
		{ "affected-system", "https://dichvucong.example.gov.vn/"
		    "thu-tuc-hanh-chinh/tra-cuu-ho-so?ma=000000000000000000000000"
		    "0000000000000000000000000000000000000000000000000000" },
		{ "description", "Sáng nay trang tra cứu hồ sơ hiện thông báo lạ "
		    "và chuyển hướng sang một trang đăng nhập giả mạo." },
		{ "detected-at", "2026-11-21T08:15" },
		{ "occurred-at", "hôm qua" },
		{ "category", "defacement" },
		{ "severity", "high" },
		{ "system-level", "9" },
		{ "indicators", "203.0.113.77\nhxxps://login-dichvucong[.]example"
		    "/auth\n44d88612fea8a8f36de82e1278abb02f" },
	};
	static const struct page_error errs[] = {
		{ "reporter-email", "err.email" },
		{ "occurred-at", "err.datetime" },
		{ "system-level", "err.system-level" },
		{ NULL, "err.form-expired" },
	};
	struct page_vars	 v;
	char			 name[32], path[512];
	const char		*css;
	size_t			 l, i, len;
	FILE			*fp;

	for (l = 0; l < 2; l++) {
		memset(&v, 0, sizeof(v));
		v.contact = &contact;
		v.static_base = ".";
		v.path = "/";
		v.csrf = "csrf-preview";
		preview(dir, PAGE_HOME, langs[l], &v, "home");
		v.path = "/report";
		v.max_upload = "25 MB";
		preview(dir, PAGE_REPORT, langs[l], &v, "report");
		v.values = vals;
		v.n_values = sizeof(vals) / sizeof(vals[0]);
		v.errors = errs;
		v.n_errors = sizeof(errs) / sizeof(errs[0]);
		preview(dir, PAGE_REPORT, langs[l], &v, "report-errors");
		v.values = NULL;
		v.errors = NULL;
		v.path = "/status/IR-20261121-000042";
		v.query = "t=rcpt_7Hq2xVb9";
		v.report_id = "IR-20261121-000042";
		v.received_at = 1795256645;
		v.utc_offset = 7 * 3600;
		v.status = "new";
		v.verify_sent = 1;
		preview(dir, PAGE_STATUS, langs[l], &v, "status");
		v.path = "/verify/vt_x";
		v.query = NULL;
		v.verify_token = "vt_x";
		preview(dir, PAGE_VERIFY, langs[l], &v, "verify");
		preview(dir, PAGE_VERIFIED, langs[l], &v, "verified");
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
			v.http_status = codes[i];
			snprintf(name, sizeof(name), "error-%d", codes[i]);
			preview(dir, PAGE_ERROR, langs[l], &v, name);
		}
	}
	/* long unbroken strings everywhere: nothing may scroll sideways */
	memset(&v, 0, sizeof(v));
	v.contact = &long_contact;
	v.static_base = ".";
	v.path = "/";
	preview(dir, PAGE_HOME, "vi", &v, "long-home");
	v.values = long_vals;
	v.n_values = sizeof(long_vals) / sizeof(long_vals[0]);
	v.errors = errs;
	v.n_errors = sizeof(errs) / sizeof(errs[0]);
	preview(dir, PAGE_REPORT, "en", &v, "long-report");
	v.report_id = LONG;
	v.status = "merged";
	preview(dir, PAGE_STATUS, "vi", &v, "long-status");
	v.http_status = 429;
	preview(dir, PAGE_ERROR, "en", &v, "long-error");
	css = page_style(ps, &len);
	snprintf(path, sizeof(path), "%s/style.css", dir);
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(css, 1, len, fp);
		fclose(fp);
	}
}


/* ---- the staff pages ---- */

static const struct page_staff_indicator staff_inds[] = {
	{ "ipv4", "192.0.2.7" }, { "url", HOSTILE },
};

static const struct page_staff_incident staff_incs[] = {
	{ .id = "IN-20261206-000001", .status = "new", .category = "phishing",
	    .severity = "critical", .verified = 1, .serious = 1, .overdue = 1,
	    .reports = 3, .first_seen = "2026-12-01 08:00",
	    .last_seen = "2026-12-06 12:00", .due = "2026-12-06 08:00",
	    .deadline = "notify", .claimed_by = HOSTILE,
	    .claim_expires = "2026-12-06 12:30", .channels = "line, phone",
	    .indicators = staff_inds, .n_indicators = 2 },
	{ .id = "IN-20261206-000002", .status = HOSTILE, .category = HOSTILE,
	    .severity = HOSTILE, .reports = 1, .channels = HOSTILE },
};

static const struct page_staff_report staff_reps[] = {
	{ .id = "IR-20261206-000001", .channel = "web", .received =
	    "2026-12-06 12:00", .category = "phishing", .severity = "high",
	    .verified = 1, .confidential = 1, .subject = HOSTILE,
	    .description = "<script>window.__pwned=1</script><img src=x "
	    "onerror=\"window.__pwned=2;alert(1)\">", .reporter_name = HOSTILE,
	    .reporter_email = "a@b.example", .token = "partner",
	    .evidence_bytes = 2048, .indicators = staff_inds,
	    .n_indicators = 2 },
	/* nothing of its own: never the incident's values */
	{ .id = "IR-20261206-000002", .channel = "line" },
};

static const struct page_staff_source staff_srcs[] = {
	{ HOSTILE, "smtp", 4 },
};

static const struct page_staff_event staff_events[] = {
	{ "2026-12-06 12:01", "alice", "claim", "IN-20261206-000001",
	    HOSTILE, "203.0.113.5" },
	{ "2026-12-06 12:02", HOSTILE, HOSTILE, HOSTILE, NULL, NULL },
};

static const char *const staff_next[] = { "triaged", "rejected" };

static const struct page_staff_count staff_weeks[] = {
	{ "2026-09-28", 1 }, { "2026-10-05", 0 }, { "2026-10-12", 4 },
};
static const struct page_staff_count staff_cats[] = {
	{ "scan", 1 }, { "phishing", 5 }, { HOSTILE, 2 },
};
static const struct page_staff_count staff_chans[] = {
	{ "line", 6 }, { "phone", 2 },
};
static const struct page_staff_mau05 staff_rows[] = {
	{ 1, "Tấn công từ chối dịch vụ", 3, { 1, 0, 2, 0 } },
	{ 2, HOSTILE, 5, { 0, 1, 0, 0 } },
};
static const char *const staff_periods[] = { "2026Q4", "2026Q3" };

/* A page of the staff view: check_page(), and the page's text. */
static char *
render_staff(enum page_id id, const char *lang, struct page_staff *st,
    const char *name)
{
	struct page_vars	v;

	memset(&v, 0, sizeof(v));
	v.contact = &contact;
	v.path = "/triage";
	v.csrf = "0123456789abcdef0123456789abcdef";
	v.staff = st;
	return render(id, lang, &v, name);
}

static int
count_of(const char *html, const char *s)
{
	int	n = 0;

	for (; (html = strstr(html, s)) != NULL; html++)
		n++;
	return n;
}

static void
test_staff_pages(void)
{
	struct page_staff	 st;
	char			*html;
	const char		*p;

	/* the sign-in page: the form, no navigation (nobody signed in) */
	memset(&st, 0, sizeof(st));
	st.notice = "staff.login.failed";
	html = render_staff(PAGE_STAFF_LOGIN, "vi", &st, "staff-login");
	CHECK(strstr(html, "action=\"/triage/login?lang=vi\"") != NULL);
	CHECK(strstr(html, "name=\"token\"") != NULL);
	CHECK(has_msg(html, "vi", "staff.login.failed"));
	CHECK(strstr(html, "staff-nav") == NULL);
	free(html);
	/* the queue */
	memset(&st, 0, sizeof(st));
	st.user = HOSTILE;
	st.filter.category = "phishing";
	st.filter.status = "all";
	st.filter.q = HOSTILE;
	st.filter.since = "2026-12-01";
	st.incidents = staff_incs;
	st.n_incidents = 2;
	st.next_cursor = "1764990000.42";
	html = render_staff(PAGE_STAFF_QUEUE, "en", &st, "staff-queue");
	check_hostile(html, 6);
	CHECK(strstr(html, "<option value=\"phishing\" selected>") != NULL);
	CHECK(strstr(html, "<option value=\"all\" selected>") != NULL);
	CHECK(strstr(html, "name=\"since\" value=\"2026-12-01\"") != NULL);
	CHECK(strstr(html, "<article class=\"incident incident-overdue "
	    "incident-serious\">") != NULL);
	CHECK(strstr(html, "<article class=\"incident\">") != NULL);
	CHECK(count_of(html, "badge-overdue") == 1);
	CHECK(has_msg(html, "en", "staff.overdue"));
	CHECK(has_msg(html, "en", "staff.deadline.notify"));
	CHECK(strstr(html, "Line protocol (ILP), Phone, in person") != NULL);
	CHECK(strstr(html, "href=\"/triage/incidents/IN-20261206-000001?"
	    "lang=en\"") != NULL);
	/* the next page keeps the filters, encodes them, adds the cursor */
	p = strstr(html, "rel=\"next\"");
	CHECK(p != NULL);
	CHECK(strstr(html, "href=\"/triage?status=all&amp;category="
	    "phishing&amp;since=2026-12-01&amp;q=%3Cscript%3Ealert%281%29") !=
	    NULL);
	CHECK(strstr(html, "cursor=1764990000.42&amp;lang=en\" rel=\"next\"")
	    != NULL);
	/* the navigation and its sign-out form with the session's token */
	CHECK(strstr(html, "action=\"/triage/logout?lang=en\"") != NULL);
	CHECK(strstr(html, "value=\"0123456789abcdef0123456789abcdef\"") !=
	    NULL);
	CHECK(strstr(html, "<body class=\"staff\">") != NULL);
	free(html);
	/* the incident */
	memset(&st, 0, sizeof(st));
	st.user = "alice";
	st.incident = &staff_incs[0];
	st.reports = staff_reps;
	st.n_reports = 2;
	st.report_count = 3;
	st.reports_cut = 1;
	st.sources = staff_srcs;
	st.n_sources = 1;
	st.timeline = staff_events;
	st.n_timeline = 2;
	st.next_statuses = staff_next;
	st.n_next_statuses = 2;
	st.can_claim = 1;
	st.can_merge = 1;
	st.forward = 1;
	st.notice = "staff.refused.conflict";
	st.notice_detail = HOSTILE;
	st.note = HOSTILE;
	st.merge_into = HOSTILE;
	html = render_staff(PAGE_STAFF_INCIDENT, "vi", &st, "staff-incident");
	check_hostile(html, 10);
	CHECK(strstr(html, "<img") == NULL && strstr(html, "<script") == NULL);
	CHECK(strstr(html, "&lt;script&gt;window.__pwned=1&lt;/script&gt;"
	    "&lt;img src=x onerror=&quot;") != NULL);
	CHECK(strstr(html, "role=\"alert\"") != NULL);
	CHECK(strstr(html, "action=\"/triage/incidents/IN-20261206-000001/"
	    "claim?lang=vi\"") != NULL);
	CHECK(strstr(html, "action=\"/triage/incidents/IN-20261206-000001/"
	    "forward?lang=vi\"") != NULL);
	CHECK(strstr(html, "id=\"do-release\"") == NULL);
	CHECK(strstr(html, "<option value=\"triaged\">") != NULL &&
	    strstr(html, "<option value=\"rejected\">") != NULL &&
	    strstr(html, "<option value=\"closed\">") == NULL);
	CHECK(strstr(html, "href=\"/triage/reports/IR-20261206-000001/evidence"
	    "?lang=vi\" download>") != NULL);
	CHECK(strstr(html, "(2.0 KB)") != NULL);
	CHECK(has_msg(html, "vi", "staff.reports-cut"));
	CHECK(has_msg(html, "vi", "staff.action.claim"));
	/* the second report shows none of the incident's values */
	p = strstr(html, "id=\"r-IR-20261206-000002\"");
	CHECK(p != NULL);
	if (p != NULL) {
		const char *end = strstr(p, "</article>");

		CHECK(end != NULL);
		CHECK(end == NULL || memmem(p, end - p, "192.0.2.7", 9) ==
		    NULL);
		CHECK(end == NULL || memmem(p, end - p, "Tấn công giả mạo",
		    strlen("Tấn công giả mạo")) == NULL);
	}
	free(html);
	/* holding the claim: release instead of claim */
	st.can_claim = 0;
	st.claimed_by_user = 1;
	st.notice = NULL;
	html = render_staff(PAGE_STAFF_INCIDENT, "en", &st, "staff-incident");
	CHECK(strstr(html, "id=\"do-release\"") != NULL);
	CHECK(strstr(html, "id=\"do-claim\"") == NULL);
	free(html);
	/* the statistics */
	memset(&st, 0, sizeof(st));
	st.user = "alice";
	st.tz = "Asia/Ho_Chi_Minh";
	st.period = "2026Q4";
	st.period_links = staff_periods;
	st.n_period_links = 2;
	st.period_from = "2026-10-01 00:00";
	st.period_to = "2027-01-01 00:00";
	st.total = 8;
	st.verified = 7;
	st.median_claim = 3 * 3600 + 5 * 60;
	st.median_resolve = -1;
	st.mau05 = staff_rows;
	st.n_mau05 = 2;
	st.by_week = staff_weeks;
	st.n_by_week = 3;
	st.by_category = staff_cats;
	st.n_by_category = 3;
	st.by_channel = staff_chans;
	st.n_by_channel = 2;
	html = render_staff(PAGE_STAFF_STATS, "en", &st, "staff-stats");
	check_hostile(html, 3);
	CHECK(strstr(html, "<dd id=\"fig-total\">8</dd>") != NULL);
	CHECK(strstr(html, "<dd id=\"fig-median-claim\">3 h 05 min</dd>") !=
	    NULL);
	CHECK(strstr(html, "<dd id=\"fig-median-resolve\">No data</dd>") !=
	    NULL);
	CHECK(strstr(html, "data-label=\"Count\">8</td>") != NULL);
	CHECK(strstr(html, "href=\"/triage/stats?period=2026Q3&amp;lang=en\"")
	    != NULL);
	/* columns: one per week, the tallest the full height */
	CHECK(strstr(html, "<svg class=\"chart-svg chart-columns\" "
	    "viewBox=\"0 0 400 194\"") != NULL);
	CHECK(strstr(html, "height=\"160.0\"><title>Week of 2026-10-12: 4"
	    "</title>") != NULL);
	CHECK(strstr(html, "height=\"0.0\"><title>Week of 2026-10-05: 0")
	    != NULL);
	/* bars: largest first, the largest 340 wide */
	p = strstr(html, "aria-labelledby=\"chart-category\"");
	CHECK(p != NULL && strstr(p, "width=\"340.0\"") != NULL);
	CHECK(p != NULL && strstr(p, "Spoofing and phishing: 5") <
	    strstr(p, ": 2</title>"));
	CHECK(strstr(html, ">Phone, in person: 2</title>") != NULL);
	free(html);
	/* a period that is not one: the form, a notice, nothing else */
	memset(&st, 0, sizeof(st));
	st.notice = "staff.stats.bad-period";
	st.median_claim = st.median_resolve = -1;
	html = render_staff(PAGE_STAFF_STATS, "vi", &st, "staff-stats");
	CHECK(has_msg(html, "vi", "staff.stats.bad-period"));
	CHECK(strstr(html, "fig-total") == NULL);
	free(html);
	/* the phone form: the report form posting to /triage/phone */
	memset(&st, 0, sizeof(st));
	st.user = "alice";
	html = render_staff(PAGE_STAFF_PHONE, "vi", &st, "staff-phone");
	CHECK(strstr(html, "action=\"/triage/phone?lang=vi\"") != NULL);
	CHECK(has_msg(html, "vi", "staff.phone.heading"));
	CHECK(!has_msg(html, "vi", "report.heading"));
	CHECK(count_of(html, "value=\"0123456789abcdef0123456789abcdef\"") ==
	    2);
	free(html);
}

int
main(void)
{
	char		 err[128];
	const char	*dir;

	if (taxonomy_parse(&tax, taxonomy_embedded, taxonomy_embedded_len,
	    err, sizeof(err)) == -1)
		return t_skip_all("taxonomy: %s", err);
	test_load();
	test_keys();
	test_load_errors();
	test_escape();
	test_lang();
	test_all_pages();
	test_home();
	test_switch();
	test_hostile();
	test_form();
	test_status();
	test_verify();
	test_errors();
	test_staff_pages();
	if ((dir = getenv("WRITE_PAGES")) != NULL)
		write_previews(dir);
	page_set_free(ps);
	taxonomy_free(&tax);
	return t_done();
}
