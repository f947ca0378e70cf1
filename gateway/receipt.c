/*
 * receipt.c - receipts and their verification tokens (see receipt.h).
 *
 * In the transaction of the reports it answers, the writer queues the
 * receipt's row (address, tokens, subject); the outbox's sender composes
 * the message when it sends it, reading the reports back on its own
 * connection, so the intake path pays for a few small rows only. What the
 * composer reads besides is read-only after start-up (configuration,
 * taxonomy, message catalogue). Indicators are echoed defanged (hxxp://, [.]) so a
 * receipt never carries a clickable link or address of the reporter's
 * choosing to whoever the reporter named; the description is not echoed.
 *
 * Limits: RECEIPT_IDS_MAX report IDs and RECEIPT_INDICATORS_MAX
 * indicators are listed, the rest summed up in one line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "config.h"
#include "gateway.h"
#include "log.h"
#include "mailout.h"
#include "outbox.h"
#include "page.h"
#include "receipt.h"
#include "store.h"
#include "store_read.h"
#include "util.h"

#define RECEIPT_IDS_MAX		10
#define RECEIPT_INDICATORS_MAX	10

struct receipt {
	struct gateway		*gw;
	char			 rcpt[MAILOUT_ADDR_MAX + 1];
	char			 in_reply_to[MAILOUT_MSGID_MAX + 3];
	char			 status_token[RECEIPT_STATUS_TOKEN];
	char			 lang[4];
	enum metrics_receipt	 outcome;	/* set by receipt_write */
};

static int	receipt_write(struct store_tx *, struct store_job *, void *);

void
receipt_attach(struct gateway *gw, struct store_job *job, const char *rcpt,
    const char *in_reply_to, const char *status_token, const char *lang)
{
	struct receipt	*rc = xcalloc(1, sizeof(*rc));
	size_t		 i;

	rc->gw = gw;
	snprintf(rc->rcpt, sizeof(rc->rcpt), "%s", rcpt);
	/* one address, one count: the cap must not be dodged by case */
	for (i = 0; rc->rcpt[i] != '\0'; i++)
		rc->rcpt[i] = (char)tolower((unsigned char)rc->rcpt[i]);
	if (in_reply_to != NULL && mailout_msgid_valid(in_reply_to))
		snprintf(rc->in_reply_to, sizeof(rc->in_reply_to), "%s",
		    in_reply_to);
	snprintf(rc->status_token, sizeof(rc->status_token), "%s",
	    status_token);
	snprintf(rc->lang, sizeof(rc->lang), "%s", lang ? lang : "vi");
	job->change = receipt_write;
	job->change_arg = rc;
	job->change_arg_free = free;
}

void
receipt_refuse(enum metrics_receipt why)
{
	metrics_receipt(why);
}

void
receipt_committed(struct gateway *gw, const struct store_job *job)
{
	const struct receipt	*rc;

	if (job->change != receipt_write || job->rc != STORE_OK)
		return;
	rc = job->change_arg;
	metrics_receipt(rc->outcome);
	if (rc->outcome == METRICS_RECEIPT_QUEUED)
		outbox_wake(gw->outbox);
}

int
receipt_status_token(struct store_job *job, char token[RECEIPT_STATUS_TOKEN])
{
	unsigned char	rnd[16];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	hex_encode(rnd, sizeof(rnd), token);
	sha256(token, strlen(token), job->receipt_hash);
	job->has_receipt = 1;
	return 0;
}

/* --- composing ----------------------------------------------------------- */

static void
receipt_puts(struct page_buf *b, const char *s)
{
	page_buf_append(b, s, strlen(s));
}

/* A catalogue message in lang (the catalogue was checked at start-up). */
static const char *
receipt_msg(const struct gateway *gw, const char *lang, const char *key)
{
	const char	*m = page_msg(gw->pages, lang, key);

	return m != NULL ? m : key;
}

/* An indicator made unclickable: hxxp(s)://, [.] and [@]. */
static void
receipt_defang(struct page_buf *b, const char *v)
{
	if (strncasecmp(v, "http", 4) == 0) {
		receipt_puts(b, "hxxp");
		v += 4;
	}
	for (; *v != '\0'; v++) {
		if (*v == '.')
			receipt_puts(b, "[.]");
		else if (*v == '@')
			receipt_puts(b, "[@]");
		else
			page_buf_append(b, v, 1);
	}
}

/* "https://host/" + path: the public URL with exactly one slash between. */
static void
receipt_url(struct page_buf *b, const char *base, const char *path)
{
	size_t	len = strlen(base);

	page_buf_append(b, base, len);
	if (len == 0 || base[len - 1] != '/')
		receipt_puts(b, "/");
	receipt_puts(b, path);
}

/* What a receipt says was understood, read back from the store. */
struct receipt_facts {
	char				 ids[RECEIPT_IDS_MAX][32];
	size_t				 n_ids;
	int				 more_ids;
	const struct taxonomy_entry	*category;	/* the first report's */
	char				*ind_type[RECEIPT_INDICATORS_MAX];
	char				*ind_value[RECEIPT_INDICATORS_MAX];
	size_t				 n_ind;
	int				 more_ind;
};

static void
receipt_facts_free(struct receipt_facts *f)
{
	size_t	i;

	for (i = 0; i < f->n_ind; i++) {
		free(f->ind_type[i]);
		free(f->ind_value[i]);
	}
}

static const char receipt_reports_sql[] =
    "SELECT code, category FROM reports WHERE evidence_id = ?1"
    " ORDER BY id LIMIT ?2";
static const char receipt_indicators_sql[] =
    "SELECT type, value FROM indicators WHERE report_id IN"
    " (SELECT id FROM reports WHERE evidence_id = ?1) LIMIT ?2";

/* The reports of submission `evidence' and their indicators. 0 or -1. */
static int
receipt_facts_read(const struct gateway *gw, sqlite3 *db, long long evidence,
    struct receipt_facts *f)
{
	sqlite3_stmt	*s;
	const char	*code, *cat;
	int		 rc;

	memset(f, 0, sizeof(*f));
	if (sqlite3_prepare_v2(db, receipt_reports_sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, evidence);
	sqlite3_bind_int(s, 2, RECEIPT_IDS_MAX + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (f->n_ids == RECEIPT_IDS_MAX) {
			f->more_ids = 1;
			break;
		}
		code = (const char *)sqlite3_column_text(s, 0);
		cat = (const char *)sqlite3_column_text(s, 1);
		snprintf(f->ids[f->n_ids++], sizeof(f->ids[0]), "%s",
		    code ? code : "");
		if (f->category == NULL && cat != NULL)
			f->category = taxonomy_find(&gw->tax, cat, strlen(cat));
	}
	sqlite3_finalize(s);
	if ((rc != SQLITE_DONE && rc != SQLITE_ROW) || f->n_ids == 0)
		return -1;
	if (sqlite3_prepare_v2(db, receipt_indicators_sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, evidence);
	sqlite3_bind_int(s, 2, RECEIPT_INDICATORS_MAX + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (f->n_ind == RECEIPT_INDICATORS_MAX) {
			f->more_ind = 1;
			break;
		}
		f->ind_type[f->n_ind] = xstrdup((const char *)
		    sqlite3_column_text(s, 0));
		f->ind_value[f->n_ind++] = xstrdup((const char *)
		    sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The report IDs, category and indicators in lang. */
static void
receipt_understood(struct page_buf *b, const struct gateway *gw,
    const struct receipt_facts *f, const char *lang)
{
	size_t	i;

	receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.ids"));
	receipt_puts(b, ": ");
	for (i = 0; i < f->n_ids; i++) {
		if (i > 0)
			receipt_puts(b, ", ");
		receipt_puts(b, f->ids[i]);
	}
	if (f->more_ids) {
		receipt_puts(b, " (");
		receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.more"));
		receipt_puts(b, ")");
	}
	receipt_puts(b, "\n");
	if (f->category != NULL) {
		receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.category"));
		receipt_puts(b, ": ");
		receipt_puts(b, strcmp(lang, "en") == 0 ?
		    f->category->label_en : f->category->label_vi);
		receipt_puts(b, " (");
		receipt_puts(b, f->category->code);
		receipt_puts(b, ")\n");
	}
	if (f->n_ind == 0)
		return;
	receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.indicators"));
	receipt_puts(b, ":\n");
	for (i = 0; i < f->n_ind; i++) {
		receipt_puts(b, "  ");
		receipt_puts(b, f->ind_type[i]);
		receipt_puts(b, " ");
		receipt_defang(b, f->ind_value[i]);
		receipt_puts(b, "\n");
	}
	if (f->more_ind)
		receipt_puts(b, "  ...\n");
}

/* One language's part of the body. */
static void
receipt_text(struct page_buf *b, const struct gateway *gw,
    const struct receipt_facts *f, const struct outbox_row *row,
    const char *lang)
{
	const char	*url = gw->cfg->http_public_url;
	char		 path[200];

	receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.heading"));
	receipt_puts(b, "\n\n");
	receipt_understood(b, gw, f, lang);
	if (url != NULL && row->verify_token != NULL) {
		receipt_puts(b, "\n");
		receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.verify"));
		receipt_puts(b, "\n  ");
		snprintf(path, sizeof(path), "verify/%s?lang=%s",
		    row->verify_token, lang);
		receipt_url(b, url, path);
		receipt_puts(b, "\n");
	}
	if (url != NULL && row->status_token != NULL) {
		receipt_puts(b, "\n");
		receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.status"));
		receipt_puts(b, ":\n  ");
		snprintf(path, sizeof(path), "status/%s?t=%s&lang=%s",
		    f->ids[0], row->status_token, lang);
		receipt_url(b, url, path);
		receipt_puts(b, "\n");
	}
	receipt_puts(b, "\n");
	receipt_puts(b, receipt_msg(gw, lang, "status.next-1"));
	receipt_puts(b, "\n\n");
	receipt_puts(b, receipt_msg(gw, lang, "mail.receipt.auto"));
	receipt_puts(b, "\n");
}

/* "[IR-...] <vi subject> / <en subject>" */
static void
receipt_subject(struct page_buf *b, const struct gateway *gw,
    const char *report_id)
{
	receipt_puts(b, "[");
	receipt_puts(b, report_id);
	receipt_puts(b, "] ");
	receipt_puts(b, receipt_msg(gw, "vi", "mail.receipt.subject"));
	receipt_puts(b, " / ");
	receipt_puts(b, receipt_msg(gw, "en", "mail.receipt.subject"));
}

int
receipt_compose(void *arg, struct store_read *rd,
    const struct outbox_row *row, struct page_buf *out, char *err,
    size_t errlen)
{
	const struct gateway	*gw = arg;
	sqlite3			*db = store_read_sqlite(rd);
	const struct config	*cfg = gw->cfg;
	struct receipt_facts	 f;
	struct page_buf		 text, subject;
	struct mailout		 m;
	char			 msgid[MAILOUT_MSGID_MAX + 1];
	int			 ret = -1;

	if (receipt_facts_read(gw, db, row->evidence_id, &f) == -1) {
		snprintf(err, errlen, "the reports answered cannot be read: %s",
		    sqlite3_errmsg(db));
		receipt_facts_free(&f);
		return -1;
	}
	if (outbox_mail_init(&m, cfg, row->rcpt, f.ids[0], msgid) == -1) {
		snprintf(err, errlen, "no randomness");
		receipt_facts_free(&f);
		return -1;
	}
	page_buf_init(&subject);
	page_buf_init(&text);
	receipt_subject(&subject, gw, f.ids[0]);
	receipt_text(&text, gw, &f, row, "vi");
	receipt_puts(&text, "\n-- \n\n");
	receipt_text(&text, gw, &f, row, "en");
	m.subject = subject.data ? subject.data : "";
	m.in_reply_to = row->in_reply_to;
	m.auto_replied = 1;
	m.text = text.data ? text.data : "";
	m.text_len = text.len;
	if (text.failed || subject.failed)
		snprintf(err, errlen, "out of memory");
	else
		ret = mailout_build(&m, out, err, errlen);
	page_buf_free(&text);
	page_buf_free(&subject);
	receipt_facts_free(&f);
	return ret;
}

static const char receipt_token_sql[] =
    "INSERT INTO verify_tokens (hash, evidence_id, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4)";

/*
 * The change: within the per-address cap, a verification token (its
 * hash) and the receipt's row in the outbox, composed later by the sender
 * (receipt_compose) from what this transaction stores: the writer only
 * writes a few small rows for it. The tokens wait in the row, in clear,
 * until the mail is sent or given up.
 */
static int
receipt_write(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct receipt		*rc = arg;
	const struct config	*cfg = rc->gw->cfg;
	struct outbox_item	 it;
	struct page_buf		 subject;
	sqlite3_stmt		*s;
	unsigned char		 rnd[24], hash[32];
	char			 token[RECEIPT_VERIFY_TOKEN];
	long long		 recent;
	time_t			 now = store_tx_now(tx);
	int			 ret = -1;

	rc->outcome = METRICS_RECEIPT_NO_ADDRESS;
	if (job->evidence_id == 0 || job->n_reports == 0 ||
	    job->results[0].report_id[0] == '\0' || cfg->outbound_from == NULL)
		return 0;
	if (outbox_receipts_recent(tx, rc->rcpt, &recent) == -1)
		return -1;
	if (recent >= cfg->outbound_receipts_per_address) {
		rc->outcome = METRICS_RECEIPT_CAPPED;
		return 0;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return 0;
	hex_encode(rnd, sizeof(rnd), token);
	sha256(token, strlen(token), hash);
	if ((s = store_tx_stmt(tx, receipt_token_sql)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, job->evidence_id);
	sqlite3_bind_int64(s, 3, (long long)now);
	sqlite3_bind_int64(s, 4, (long long)now + cfg->verify_ttl);
	if (store_tx_exec(tx, s) == -1)
		return -1;
	page_buf_init(&subject);
	receipt_subject(&subject, rc->gw, job->results[0].report_id);
	memset(&it, 0, sizeof(it));
	it.kind = "receipt";
	it.evidence_id = job->evidence_id;
	it.rcpt = rc->rcpt;
	it.subject = subject.data;
	it.in_reply_to = rc->in_reply_to[0] ? rc->in_reply_to : NULL;
	it.lang = rc->lang;
	it.verify_token = token;
	it.status_token = rc->status_token[0] ? rc->status_token : NULL;
	if (!subject.failed && outbox_add(tx, &it) == 0) {
		rc->outcome = METRICS_RECEIPT_QUEUED;
		ret = 0;
	}
	OPENSSL_cleanse(token, sizeof(token));
	page_buf_free(&subject);
	return ret;
}
