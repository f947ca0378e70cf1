/*
 * form_report.c - the web form's fields made into a struct report through
 * the validation every channel shares (report.h), collecting every field
 * error as (field, message key) rather than stopping at the first.
 *
 * What is the form's own: "don't know" for category and severity, the
 * confidential checkbox, date-time inputs without a zone, the free-text
 * indicators field (run through the extractor), the csrf and honeypot
 * fields (returned, not stored), and the rule that a reporter gives an
 * e-mail address or a phone number. Bounds are those of the report
 * (struct report_limits) and FORM_ERRORS_MAX errors kept. No I/O, no
 * global state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "form.h"
#include "form_impl.h"

#define FR_ENOMEM	"out of memory"
#define FR_TIME_MAX	64	/* a local date-time with its zone added */

struct fr_state {
	const struct form_context	*ctx;
	const struct report_limits	*lim;
	struct report			*r;
	struct form_errors		*errs;
};

static int	fr_name_is(const char *, const char *);
static int	fr_ignored(const struct form_context *, const char *);
static void	fr_error(struct form_errors *, const char *, const char *,
		    const char *);
static int	fr_has_error(const struct form_errors *, const char *);
static const char *fr_key(const char *, const char *);
static int	fr_report_error(struct fr_state *, const char *,
		    const struct report_error *);
static int	fr_dont_know(const char *, size_t);
static size_t	fr_local_time(const char *, size_t, int, char *);
static int	fr_indicators(struct fr_state *, const char *, const char *,
		    size_t);
static int	fr_future(const struct form_context *, const char *);
static int	fr_field(struct fr_state *, const struct form_field *);
static int	fr_category(struct fr_state *);

/*
 * Whether a form field name is the machine name want, matched as
 * report_set_field matches names: any case, '_' for '-'.
 */
static int
fr_name_is(const char *name, const char *want)
{
	for (; *name != '\0' && *want != '\0'; name++, want++) {
		char c = *name == '_' ? '-' : *name;

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != *want)
			return 0;
	}
	return *name == '\0' && *want == '\0';
}

static int
fr_ignored(const struct form_context *ctx, const char *name)
{
	const char *const	*p;

	for (p = ctx->ignore; p != NULL && *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

/* Record one error (field made printable, truncated); count the excess. */
static void
fr_error(struct form_errors *errs, const char *field, const char *key,
    const char *detail)
{
	struct form_field_error	*e;

	if (errs->n >= FORM_ERRORS_MAX) {
		errs->dropped++;
		return;
	}
	e = &errs->e[errs->n++];
	form_shown(e->field, sizeof(e->field), field, strlen(field));
	e->key = key;
	snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

/* Whether an error was recorded on the field (any spelling of it). */
static int
fr_has_error(const struct form_errors *errs, const char *field)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		if (fr_name_is(errs->e[i].field, field))
			return 1;
	return 0;
}

/*
 * The message key of a report validation error, from the field at fault
 * (its machine name) and the reason report.c gave: the length and a
 * missing value have messages of their own, then each field its own.
 */
static const char *
fr_key(const char *field, const char *reason)
{
	static const struct {
		const char	*field;
		const char	*key;
	} by_field[] = {
		{ "reporter-email", "err.email" },
		{ "email", "err.email" },
		{ "reporter-phone", "err.phone" },
		{ "detected-at", "err.datetime" },
		{ "occurred-at", "err.datetime" },
		{ "category", "err.category" },
		{ "severity", "err.severity" },
		{ "system-level", "err.system-level" },
	};
	size_t	i;

	if (strncmp(reason, "too long", 8) == 0)
		return "err.too-long";
	if (strncmp(reason, "required", 8) == 0)
		return "err.required";
	if (strcmp(reason, "unknown field") == 0)
		return "err.invalid";
	for (i = 0; i < sizeof(by_field) / sizeof(by_field[0]); i++)
		if (strcmp(field, by_field[i].field) == 0)
			return by_field[i].key;
	return "err.invalid";
}

/*
 * Record a report validation error on the form's field name. Returns 0, or
 * -1 (errno ENOMEM) when the error is that memory ran out.
 */
static int
fr_report_error(struct fr_state *st, const char *name,
    const struct report_error *rerr)
{
	if (strcmp(rerr->reason, FR_ENOMEM) == 0) {
		errno = ENOMEM;
		return -1;
	}
	fr_error(st->errs, name, fr_key(rerr->field, rerr->reason),
	    rerr->reason);
	return 0;
}

/* Empty (blanks only) or "unknown": the reporter does not know. */
static int
fr_dont_know(const char *v, size_t len)
{
	text_trim(&v, &len, TEXT_BLANKS);
	return len == 0 || (len == 7 && strncasecmp(v, "unknown", 7) == 0);
}

/*
 * A date-time without a zone, as <input type="datetime-local"> sends it
 * ("YYYY-MM-DDTHH:MM", seconds and a fraction optional), completed into
 * out (FR_TIME_MAX bytes) with ":00" when the seconds are missing and the
 * form's zone. Returns the new length, or 0 when v is something else
 * (given as it is to the report's RFC 3339 check).
 */
static size_t
fr_local_time(const char *v, size_t len, int tz, char *out)
{
	size_t	i;
	int	a = tz < 0 ? -tz : tz;

	text_trim(&v, &len, TEXT_BLANKS);
	if (len < 16 || len > 32 || v[4] != '-' || v[7] != '-' ||
	    (v[10] != 'T' && v[10] != 't' && v[10] != ' ') || v[13] != ':')
		return 0;
	if (len > 16) {
		if (len < 19 || v[16] != ':')
			return 0;
		i = 19;
		if (i < len && v[i] == '.')
			for (i++; i < len && v[i] >= '0' && v[i] <= '9'; i++)
				;
		if (i != len)
			return 0;	/* a zone, or not a time at all */
	}
	return (size_t)snprintf(out, FR_TIME_MAX, "%.*s%s%c%02d:%02d",
	    (int)len, v, len == 16 ? ":00" : "", tz < 0 ? '-' : '+',
	    a / 60 % 100, a % 60);
}

/*
 * The free-text indicators field: extracted into a scratch report first,
 * so that text holding none is told apart from text holding only
 * indicators given already; then each is added to the report.
 */
static int
fr_indicators(struct fr_state *st, const char *name, const char *v,
    size_t len)
{
	struct report		tmp;
	struct report_error	rerr;
	size_t			i;
	int			rc = 0;

	text_trim(&v, &len, TEXT_BLANKS);
	if (len == 0)
		return 0;
	if (len > st->lim->description_max) {
		fr_error(st->errs, name, "err.too-long", "too long");
		return 0;
	}
	if (!utf8_valid(v, len)) {
		fr_error(st->errs, name, "err.invalid", "invalid UTF-8");
		return 0;
	}
	if (text_has_controls(v, len, 1)) {
		fr_error(st->errs, name, "err.invalid",
		    "control character");
		return 0;
	}
	if (st->ctx->ex == NULL) {
		fr_error(st->errs, name, "err.invalid", "no extractor");
		return 0;
	}
	report_init(&tmp);
	if (extractor_run(st->ctx->ex, v, len, st->lim, &tmp,
	    st->lim->indicators_max) == -1 && errno == ENOMEM) {
		report_free(&tmp);
		return -1;
	}
	if (tmp.n_indicators == 0)
		fr_error(st->errs, name, "err.indicators",
		    "no address, domain, URL, hash or CVE ID found");
	for (i = 0; i < tmp.n_indicators && rc == 0; i++)
		if (report_add_indicator(st->r, st->lim, tmp.indicators[i].type,
		    tmp.indicators[i].value, strlen(tmp.indicators[i].value),
		    &rerr) == -1) {
			rc = fr_report_error(st, name, &rerr);
			break;	/* the next ones would fail alike */
		}
	report_free(&tmp);
	return rc;
}

/*
 * Whether a stored time ("YYYY-MM-DDTHH:MM:SSZ", which compares as a
 * string) lies beyond ctx->now and its slack; never when now is 0.
 */
static int
fr_future(const struct form_context *ctx, const char *utc)
{
	struct tm	tm;
	time_t		t;
	char		limit[32];

	if (ctx->now == 0 || utc == NULL)
		return 0;
	t = ctx->now + FORM_FUTURE_SLACK;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(limit, sizeof(limit), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return 0;
	return strcmp(utc, limit) > 0;
}

/* One ordinary field that goes into the report. 0, or -1 on ENOMEM. */
static int
fr_field(struct fr_state *st, const struct form_field *f)
{
	struct report_error	 rerr;
	const char		*v = f->value;
	char			 tbuf[FR_TIME_MAX];
	size_t			 len = f->value_len, n;

	if (fr_name_is(f->name, "indicators"))
		return fr_indicators(st, f->name, v, len);
	if (fr_name_is(f->name, "external-id")) {
		fr_error(st->errs, f->name, "err.invalid",
		    "not a form field");
		return 0;
	}
	if ((fr_name_is(f->name, "category") ||
	    fr_name_is(f->name, "severity")) && fr_dont_know(v, len))
		return 0;
	if (fr_name_is(f->name, "confidential")) {
		text_trim(&v, &len, TEXT_BLANKS);
		if (len == 2 && strncasecmp(v, "on", 2) == 0) {
			v = "yes";
			len = 3;
		}
	}
	if ((fr_name_is(f->name, "detected-at") ||
	    fr_name_is(f->name, "occurred-at")) &&
	    (n = fr_local_time(v, len, st->ctx->tz_offset_minutes,
	    tbuf)) > 0 && n < sizeof(tbuf)) {
		v = tbuf;
		len = n;
	}
	if (report_set_field(st->r, st->ctx->tax, st->lim, f->name,
	    strlen(f->name), v, len, &rerr) == -1)
		return fr_report_error(st, f->name, &rerr);
	if ((fr_name_is(f->name, "detected-at") &&
	    fr_future(st->ctx, st->r->detected_at)) ||
	    (fr_name_is(f->name, "occurred-at") &&
	    fr_future(st->ctx, st->r->occurred_at)))
		fr_error(st->errs, f->name, "err.future", "in the future");
	return 0;
}

/*
 * A category left open: guessed from the description, as for an e-mail
 * report, or "undetermined" without a classifier. 0, or -1 on ENOMEM.
 */
static int
fr_category(struct fr_state *st)
{
	const struct taxonomy_entry	*e;
	struct report			*r = st->r;

	if (st->ctx->cl != NULL) {
		e = classifier_guess(st->ctx->cl, NULL, 0, r->description,
		    r->description ? strlen(r->description) : 0, NULL);
		if (e == NULL)
			return -1;
	} else
		e = taxonomy_find(st->ctx->tax, "undetermined", 12);
	if (e == NULL)
		fr_error(st->errs, "category", "err.required",
		    "no category and none to guess");
	r->category = e;
	return 0;
}

/* See form.h for the contract. */
int
form_to_report(const struct form_fields *ff, const struct form_context *ctx,
    struct report *out, struct form_meta *meta, struct form_errors *errs)
{
	struct report_limits	 dl;
	struct report_error	 rerr;
	struct fr_state		 st;
	const struct form_field	*f;
	const char		*v;
	size_t			 i, len;
	int			 ncsrf = 0;

	report_init(out);
	memset(meta, 0, sizeof(*meta));
	memset(errs, 0, sizeof(*errs));
	if (ctx->lim == NULL)
		report_limits_default(&dl);
	st.ctx = ctx;
	st.lim = ctx->lim != NULL ? ctx->lim : &dl;
	st.r = out;
	st.errs = errs;
	for (i = 0; i < ff->n_fields; i++) {
		f = &ff->fields[i];
		if (fr_ignored(ctx, f->name) ||
		    fr_name_is(f->name, "attachment"))
			continue;	/* a file input's name, sent as text */
		if (fr_name_is(f->name, "csrf")) {
			if (ncsrf++ == 0) {
				meta->csrf = f->value;
				meta->csrf_len = f->value_len;
			}
			continue;
		}
		if (fr_name_is(f->name, "website")) {
			v = f->value;
			len = f->value_len;
			text_trim(&v, &len, TEXT_BLANKS);
			meta->honeypot |= len > 0;
			continue;
		}
		if (fr_field(&st, f) == -1)
			return -1;
	}
	if (ncsrf != 1) {
		meta->csrf = NULL;
		meta->csrf_len = 0;
	}
	for (i = 0; i < ff->n_attachments; i++)
		if (!fr_name_is(ff->attachments[i].field, "attachment"))
			fr_error(errs, ff->attachments[i].field,
			    "err.invalid", "files go in the attachment "
			    "field");
	if (out->description == NULL && !fr_has_error(errs, "description"))
		fr_error(errs, "description", "err.required", "required");
	if (out->reporter_email == NULL && out->reporter_phone == NULL &&
	    !fr_has_error(errs, "reporter-email") &&
	    !fr_has_error(errs, "reporter-phone"))
		fr_error(errs, "reporter-email", "err.contact-needed",
		    "an e-mail address or a phone number is required");
	if (errs->n > 0)
		return 1;
	if (out->confidential == -1)
		out->confidential = 0;		/* an unticked checkbox */
	if (out->category == NULL && fr_category(&st) == -1)
		return -1;
	if (errs->n > 0)
		return 1;
	if (report_finish(out, &rerr) == -1) {
		if (fr_report_error(&st, rerr.field, &rerr) == -1)
			return -1;
		return 1;
	}
	return 0;
}

const char *
form_errors_key(const struct form_errors *errs, const char *field)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		if (strcmp(errs->e[i].field, field) == 0)
			return errs->e[i].key;
	return NULL;
}
