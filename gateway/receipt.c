/*
 * receipt.c - receipts and their verification tokens (see receipt.h).
 *
 * The receipt is composed on the writer thread, in the transaction of the
 * reports it answers (it needs their IDs, which the writer assigns); what
 * it reads there is read-only after start-up (configuration, taxonomy,
 * message catalogue). Indicators are echoed defanged (hxxp://, [.]) so a
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
receipt_msg(const struct receipt *rc, const char *lang, const char *key)
{
	const char	*m = page_msg(rc->gw->pages, lang, key);

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

/* The report IDs, categories and indicators of the job in lang. */
static void
receipt_understood(struct page_buf *b, const struct receipt *rc,
    const struct store_job *job, const char *lang)
{
	const struct report	*r;
	size_t			 i, k, shown = 0, total = 0;

	receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.ids"));
	receipt_puts(b, ": ");
	for (i = 0, k = 0; i < job->n_reports; i++) {
		if (job->results[i].report_id[0] == '\0')
			continue;
		if (k++ == RECEIPT_IDS_MAX) {
			receipt_puts(b, " (");
			receipt_puts(b, receipt_msg(rc, lang,
			    "mail.receipt.more"));
			receipt_puts(b, ")");
			break;
		}
		if (k > 1)
			receipt_puts(b, ", ");
		receipt_puts(b, job->results[i].report_id);
	}
	receipt_puts(b, "\n");
	if (job->n_reports > 0 && (r = &job->reports[0])->category != NULL) {
		receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.category"));
		receipt_puts(b, ": ");
		receipt_puts(b, strcmp(lang, "en") == 0 ?
		    r->category->label_en : r->category->label_vi);
		receipt_puts(b, " (");
		receipt_puts(b, r->category->code);
		receipt_puts(b, ")\n");
	}
	for (i = 0; i < job->n_reports; i++)
		total += job->reports[i].n_indicators;
	if (total == 0)
		return;
	receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.indicators"));
	receipt_puts(b, ":\n");
	for (i = 0; i < job->n_reports && shown < RECEIPT_INDICATORS_MAX; i++)
		for (k = 0; k < job->reports[i].n_indicators &&
		    shown < RECEIPT_INDICATORS_MAX; k++, shown++) {
			receipt_puts(b, "  ");
			receipt_puts(b, ind_type_name(
			    job->reports[i].indicators[k].type));
			receipt_puts(b, " ");
			receipt_defang(b, job->reports[i].indicators[k].value);
			receipt_puts(b, "\n");
		}
	if (total > shown) {
		char	more[64];

		snprintf(more, sizeof(more), "  (+%zu)\n", total - shown);
		receipt_puts(b, more);
	}
}

/* One language's part of the body. */
static void
receipt_text(struct page_buf *b, const struct receipt *rc,
    const struct store_job *job, const char *lang, const char *verify_token)
{
	const char	*url = rc->gw->cfg->http_public_url;
	char		 path[160];

	receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.heading"));
	receipt_puts(b, "\n\n");
	receipt_understood(b, rc, job, lang);
	if (url != NULL) {
		receipt_puts(b, "\n");
		receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.verify"));
		receipt_puts(b, "\n  ");
		snprintf(path, sizeof(path), "verify/%s?lang=%s", verify_token,
		    lang);
		receipt_url(b, url, path);
		receipt_puts(b, "\n\n");
		receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.status"));
		receipt_puts(b, ":\n  ");
		snprintf(path, sizeof(path), "status/%s?t=%s&lang=%s",
		    job->results[0].report_id, rc->status_token, lang);
		receipt_url(b, url, path);
		receipt_puts(b, "\n");
	}
	receipt_puts(b, "\n");
	receipt_puts(b, receipt_msg(rc, lang, "status.next-1"));
	receipt_puts(b, "\n\n");
	receipt_puts(b, receipt_msg(rc, lang, "mail.receipt.auto"));
	receipt_puts(b, "\n");
}

/* The whole message into msg; 0, or -1 (logged: no receipt then). */
static int
receipt_compose(const struct receipt *rc, const struct store_job *job,
    time_t now, const char *verify_token, struct page_buf *subject,
    struct page_buf *msg)
{
	const struct config	*cfg = rc->gw->cfg;
	struct page_buf		 text;
	struct mailout		 m;
	unsigned char		 rnd[8];
	char			 msgid[MAILOUT_MSGID_MAX + 1], nonce[17];
	char			 err[128];
	int			 ret;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	hex_encode(rnd, sizeof(rnd), nonce);
	snprintf(msgid, sizeof(msgid), "%s.%s@%s", job->results[0].report_id,
	    nonce, cfg->smtp_hostname);
	receipt_puts(subject, "[");
	receipt_puts(subject, job->results[0].report_id);
	receipt_puts(subject, "] ");
	receipt_puts(subject, receipt_msg(rc, "vi", "mail.receipt.subject"));
	receipt_puts(subject, " / ");
	receipt_puts(subject, receipt_msg(rc, "en", "mail.receipt.subject"));
	page_buf_init(&text);
	receipt_text(&text, rc, job, "vi", verify_token);
	receipt_puts(&text, "\n-- \n\n");
	receipt_text(&text, rc, job, "en", verify_token);
	memset(&m, 0, sizeof(m));
	m.from = cfg->outbound_from;
	m.from_name = cfg->contact_organization;
	m.to = rc->rcpt;
	m.subject = subject->data;
	m.message_id = msgid;
	m.in_reply_to = rc->in_reply_to[0] ? rc->in_reply_to : NULL;
	m.loop = cfg->smtp_hostname;
	m.auto_replied = 1;
	m.date = now;
	m.text = text.data ? text.data : "";
	m.text_len = text.len;
	ret = text.failed || subject->failed ? -1 :
	    mailout_build(&m, msg, err, sizeof(err));
	if (ret == -1)
		log_warn("receipt for %s not sent: %s", job->results[0].report_id,
		    text.failed || subject->failed ? "out of memory" : err);
	page_buf_free(&text);
	return ret;
}

static const char receipt_token_sql[] =
    "INSERT INTO verify_tokens (hash, evidence_id, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4)";

/*
 * The change: within the per-address cap, a verification token and the
 * receipt in the outbox. A receipt that cannot be composed leaves the
 * reports stored without one (logged); only SQL failures fail the job.
 */
static int
receipt_write(struct store_tx *tx, struct store_job *job, void *arg)
{
	struct receipt		*rc = arg;
	const struct config	*cfg = rc->gw->cfg;
	struct outbox_item	 it;
	struct page_buf		 subject, msg;
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
	page_buf_init(&subject);
	page_buf_init(&msg);
	if (receipt_compose(rc, job, now, token, &subject, &msg) == -1) {
		ret = 0;
		goto out;
	}
	if ((s = store_tx_stmt(tx, receipt_token_sql)) == NULL)
		goto out;
	sqlite3_bind_blob(s, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, job->evidence_id);
	sqlite3_bind_int64(s, 3, (long long)now);
	sqlite3_bind_int64(s, 4, (long long)now + cfg->verify_ttl);
	if (store_tx_exec(tx, s) == -1)
		goto out;
	memset(&it, 0, sizeof(it));
	it.kind = "receipt";
	it.evidence_id = job->evidence_id;
	it.rcpt = rc->rcpt;
	it.subject = subject.data;
	it.message = msg.data;
	it.len = msg.len;
	if (outbox_add(tx, &it) == -1)
		goto out;
	rc->outcome = METRICS_RECEIPT_QUEUED;
	ret = 0;
out:
	OPENSSL_cleanse(token, sizeof(token));
	if (msg.data != NULL)
		OPENSSL_cleanse(msg.data, msg.len);
	page_buf_free(&subject);
	page_buf_free(&msg);
	return ret;
}
