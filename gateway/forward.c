/*
 * forward.c - incidents sent on to the national coordinator (see
 * forward.h).
 *
 * Queueing is part of a change (triage.c: a status change to triaged, or
 * POST .../forward, which writes the audit row): one small outbox row
 * (kind 'forward', the incident), and the incident's notification time,
 * which ends its notification deadline. The sender composes
 * the mail when it sends it, on its reader connection: the incident's JSON
 * view (store_read_show, the one intakectl and the API give) and its first
 * report's fields labelled with the pages' catalogue in Vietnamese.
 *
 * Limits: the text lists at most FORWARD_INDICATORS_MAX indicators of the
 * initial report (all are in the attachment); the mail is bounded by the
 * page buffer (PAGE_BUF_MAX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "forward.h"
#include "gateway.h"
#include "mailout.h"
#include "outbox.h"
#include "page.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

#define FORWARD_INDICATORS_MAX	50

int
forward_rule_matches(const struct config *cfg, const char *category,
    int severity)
{
	size_t	i;

	if (cfg->forward_to == NULL || category == NULL)
		return 0;
	if (cfg->forward_min_severity != SEV_UNSET &&
	    severity < (int)cfg->forward_min_severity)
		return 0;
	if (cfg->forward_n_categories == 0)
		return 1;
	for (i = 0; i < cfg->forward_n_categories; i++)
		if (strcmp(cfg->forward_categories[i], category) == 0)
			return 1;
	return 0;
}

static const char forward_notified_sql[] =
    "UPDATE incidents SET notified_at = coalesce(notified_at, ?2)"
    " WHERE id = ?1";

int
forward_queue(struct store_tx *tx, const struct config *cfg,
    long long incident_id, const char *incident_code)
{
	struct outbox_item	 it;
	sqlite3_stmt		*s;
	char			 subject[128];

	if (cfg == NULL || cfg->forward_to == NULL)
		return 0;
	snprintf(subject, sizeof(subject), "[TBSC] %s", incident_code);
	memset(&it, 0, sizeof(it));
	it.kind = "forward";
	it.incident_id = incident_id;
	it.rcpt = cfg->forward_to;
	it.subject = subject;
	if (outbox_add(tx, &it) == -1)
		return -1;
	/* the notification the regulation asks for is on its way */
	if ((s = store_tx_stmt(tx, forward_notified_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, incident_id);
	sqlite3_bind_int64(s, 2, (long long)store_tx_now(tx));
	return store_tx_exec(tx, s) == -1 ? -1 : 1;
}

/* --- composing ----------------------------------------------------------- */

static void
forward_puts(struct page_buf *b, const char *s)
{
	page_buf_append(b, s, strlen(s));
}

/* A catalogue message in Vietnamese (the catalogue was checked at start). */
static const char *
forward_msg(const struct gateway *gw, const char *key)
{
	const char	*m = page_msg(gw->pages, "vi", key);

	return m != NULL ? m : key;
}

/* "Label: value" for a value that is set, the label from the catalogue. */
static void
forward_line(struct page_buf *b, const struct gateway *gw, const char *key,
    json_t *v)
{
	char		 num[32];

	if (v == NULL || json_is_null(v))
		return;
	forward_puts(b, forward_msg(gw, key));
	forward_puts(b, ": ");
	if (json_is_string(v))
		forward_puts(b, json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		forward_puts(b, num);
	} else if (json_is_boolean(v))
		forward_puts(b, forward_msg(gw, json_is_true(v) ? "mail.yes" :
		    "mail.no"));
	forward_puts(b, "\n");
}

/* The category's Vietnamese label and code, or the code alone. */
static void
forward_category(struct page_buf *b, const struct gateway *gw,
    const char *code)
{
	const struct taxonomy_entry	*e = code ? taxonomy_find(&gw->tax,
	    code, strlen(code)) : NULL;

	if (e != NULL) {
		forward_puts(b, e->label_vi);
		forward_puts(b, " (");
		forward_puts(b, e->code);
		forward_puts(b, ")");
	} else
		forward_puts(b, code ? code : "");
}

/* The severity in Vietnamese, from the catalogue. */
static void
forward_severity(struct page_buf *b, const struct gateway *gw,
    const char *sev)
{
	char		 key[32];
	const char	*m;

	snprintf(key, sizeof(key), "severity.%s", sev ? sev : "");
	m = page_msg(gw->pages, "vi", key);
	forward_puts(b, m != NULL ? m : sev ? sev : "");
}

/* The Mẫu 03 text: the incident, then its initial report's fields. */
static void
forward_text(struct page_buf *b, const struct gateway *gw, json_t *inc,
    json_t *rep)
{
	json_t		*reporter = json_object_get(rep, "reporter");
	json_t		*inds = json_object_get(rep, "indicators"), *ind;
	const char	*org = gw->cfg->contact_organization;
	char		 num[32];
	size_t		 i;

	forward_puts(b, forward_msg(gw, "mail.forward.title"));
	forward_puts(b, "\n\n");
	if (org != NULL) {
		forward_puts(b, forward_msg(gw, "mail.forward.from"));
		forward_puts(b, ": ");
		forward_puts(b, org);
		forward_puts(b, "\n");
	}
	forward_line(b, gw, "mail.forward.incident", json_object_get(inc,
	    "id"));
	forward_puts(b, forward_msg(gw, "field.category"));
	forward_puts(b, ": ");
	forward_category(b, gw, json_string_value(json_object_get(inc,
	    "category")));
	forward_puts(b, "\n");
	forward_puts(b, forward_msg(gw, "field.severity"));
	forward_puts(b, ": ");
	forward_severity(b, gw, json_string_value(json_object_get(inc,
	    "severity")));
	forward_puts(b, "\n");
	snprintf(num, sizeof(num), "%zu", json_array_size(json_object_get(inc,
	    "reports")));
	forward_puts(b, forward_msg(gw, "mail.forward.reports"));
	forward_puts(b, ": ");
	forward_puts(b, num);
	forward_puts(b, "\n");
	forward_line(b, gw, "mail.forward.first-seen", json_object_get(inc,
	    "first_seen"));
	forward_line(b, gw, "mail.forward.last-seen", json_object_get(inc,
	    "last_seen"));
	forward_puts(b, "\n--- ");
	forward_puts(b, forward_msg(gw, "mail.forward.initial"));
	forward_puts(b, " ");
	forward_puts(b, json_string_value(json_object_get(rep, "id")));
	forward_puts(b, " ---\n");
	forward_line(b, gw, "mail.forward.channel", json_object_get(rep, "channel"));
	forward_line(b, gw, "mail.forward.received", json_object_get(rep,
	    "received_at"));
	forward_line(b, gw, "field.reporter-name", json_object_get(reporter,
	    "name"));
	forward_line(b, gw, "field.organization", json_object_get(reporter,
	    "organization"));
	forward_line(b, gw, "field.reporter-email", json_object_get(reporter,
	    "email"));
	forward_line(b, gw, "field.reporter-phone", json_object_get(reporter,
	    "phone"));
	forward_line(b, gw, "field.affected-system", json_object_get(rep,
	    "affected_system"));
	forward_line(b, gw, "field.operating-unit", json_object_get(rep,
	    "operating_unit"));
	forward_line(b, gw, "field.system-level", json_object_get(rep,
	    "system_level"));
	forward_line(b, gw, "field.detected-at", json_object_get(rep,
	    "detected_at"));
	forward_line(b, gw, "field.occurred-at", json_object_get(rep,
	    "occurred_at"));
	forward_line(b, gw, "field.confidential", json_object_get(rep,
	    "confidential"));
	forward_line(b, gw, "mail.forward.subject", json_object_get(rep, "subject"));
	forward_line(b, gw, "field.description", json_object_get(rep,
	    "description"));
	if (json_array_size(inds) > 0) {
		forward_puts(b, forward_msg(gw, "field.indicators"));
		forward_puts(b, ":\n");
		json_array_foreach(inds, i, ind) {
			if (i == FORWARD_INDICATORS_MAX) {
				forward_puts(b, "  ... (");
				forward_puts(b, forward_msg(gw,
				    "mail.forward.more"));
				forward_puts(b, ")\n");
				break;
			}
			forward_puts(b, "  ");
			forward_puts(b, json_string_value(json_object_get(ind,
			    "type")));
			forward_puts(b, " ");
			forward_puts(b, json_string_value(json_object_get(ind,
			    "value")));
			forward_puts(b, "\n");
		}
	}
	forward_puts(b, "\n");
	forward_puts(b, forward_msg(gw, "mail.forward.attachment"));
	forward_puts(b, "\n");
}

/*
 * The incident's view with each of its reports' views inside ("reports"
 * becomes the list of report objects), and the first of them in *first.
 */
static json_t *
forward_incident_json(struct store_read *rd, long long incident_id,
    json_t **first, char *err, size_t errlen)
{
	sqlite3		*db = store_read_sqlite(rd);
	sqlite3_stmt	*s;
	json_t		*inc = NULL, *reports, *rep;
	const char	*code;
	char		 icode[STORE_ID_MAX];
	int		 rc;

	*first = NULL;
	if (sqlite3_prepare_v2(db, "SELECT code FROM incidents WHERE id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(s, 1, incident_id);
	icode[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (code = (const char *)sqlite3_column_text(s, 0)) != NULL)
		snprintf(icode, sizeof(icode), "%s", code);
	sqlite3_finalize(s);
	if (icode[0] == '\0') {
		snprintf(err, errlen, "incident %lld is gone", incident_id);
		return NULL;
	}
	if (store_read_show(rd, icode, &inc, err, errlen) != STORE_READ_OK)
		return NULL;
	if (sqlite3_prepare_v2(db, "SELECT code FROM reports"
	    " WHERE incident_id = ?1 ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(s, 1, incident_id);
	reports = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		code = (const char *)sqlite3_column_text(s, 0);
		if (code == NULL || store_read_show(rd, code, &rep, err,
		    errlen) != STORE_READ_OK)
			continue;
		if (*first == NULL)
			*first = rep;
		json_array_append_new(reports, rep);
	}
	sqlite3_finalize(s);
	json_object_set_new(inc, "reports", reports);
	if (rc != SQLITE_DONE || *first == NULL) {
		snprintf(err, errlen, "the incident's reports cannot be read");
		json_decref(inc);
		*first = NULL;
		return NULL;
	}
	return inc;
sqlfail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	json_decref(inc);
	return NULL;
}

int
forward_compose(void *arg, struct store_read *rd,
    const struct outbox_row *row, struct page_buf *out, char *err,
    size_t errlen)
{
	const struct gateway		*gw = arg;
	const struct config		*cfg = gw->cfg;
	json_t				*inc, *first;
	struct page_buf			 text, subject;
	struct mailout			 m;
	struct mailout_attachment	 a;
	char				*json, msgid[MAILOUT_MSGID_MAX + 1];
	char				 fname[64];
	const char			*id, *cat;
	int				 ret = -1;

	if ((inc = forward_incident_json(rd, row->incident_id, &first, err,
	    errlen)) == NULL)
		return -1;
	id = json_string_value(json_object_get(inc, "id"));
	cat = json_string_value(json_object_get(inc, "category"));
	if (id == NULL || outbox_mail_init(&m, cfg, row->rcpt, id, msgid) ==
	    -1 || (json = json_dumps(inc, JSON_INDENT(1) |
	    JSON_ENSURE_ASCII)) == NULL) {
		snprintf(err, errlen, "cannot write the incident");
		json_decref(inc);
		return -1;
	}
	snprintf(fname, sizeof(fname), "%s.json", id);
	page_buf_init(&subject);
	page_buf_init(&text);
	forward_puts(&subject, "[TBSC] ");
	forward_puts(&subject, id);
	forward_puts(&subject, " ");
	forward_puts(&subject, cat ? cat : "undetermined");
	forward_text(&text, gw, inc, first);
	m.subject = subject.data ? subject.data : "";
	m.text = text.data ? text.data : "";
	m.text_len = text.len;
	a.content_type = "application/json";
	a.filename = fname;
	a.data = json;
	a.len = strlen(json);
	m.attachments = &a;
	m.n_attachments = 1;
	if (text.failed || subject.failed)
		snprintf(err, errlen, "out of memory");
	else
		ret = mailout_build(&m, out, err, errlen);
	page_buf_free(&text);
	page_buf_free(&subject);
	free(json);
	json_decref(inc);
	return ret;
}
