/*
 * limits_gw.h - every bound intaked applies to its input, in one place.
 * A bound with a "[section] key" beside it is the default of that
 * configuration key (conf/intaked.conf documents each). The others are
 * fixed, and the comment says why: set by a protocol or the specification,
 * a safety margin no site needs to change, or a cap that only protects the
 * daemon's own memory and is already far above any honest client's need.
 */
#ifndef LIMITS_GW_H
#define LIMITS_GW_H

/* ILP/1 (line protocol) */
#define LINE_MAX_BYTES		16384	/* fixed by the spec: longer lines get "500 line too long" */
#define LINE_IDLE_SECONDS	300	/* [line] idle_timeout */
#define LINE_SESSION_SECONDS	3600	/* [line] session_timeout */
#define LINE_AUTH_SECONDS	30	/* [line] auth_timeout (require_auth) */
#define LINE_MAX_SESSIONS	4096	/* [line] max_sessions */
#define LINE_MAX_PER_IP		64	/* [line] max_per_ip */
#define LINE_AUTH_FAILURES_MAX	3	/* fixed: a 4th attempt is never read (token guessing) */
#define LINE_PIPELINE_MAX	1024	/* fixed: replies outstanding before reading pauses (flow control, not refusal) */

/* one report, whatever the channel: fixed, the same for every channel so that
 * a report accepted by one is accepted by all */
#define REPORT_FIELD_MAX	2048	/* bytes of one decoded field value */
#define REPORT_DESCRIPTION_MAX	65536	/* bytes of a description */
#define REPORT_FIELDS_MAX	128	/* fields in one REPORT */
#define REPORT_INDICATORS_MAX	256	/* indicators in one report */

/* store */
#define STORE_BATCH_MAX		1024	/* [store] batch_max */
#define STORE_QUEUE_MAX		65536	/* [store] queue_max; beyond it: 4xx */

/* SMTP */
#define SMTP_LINE_MAX		1000	/* fixed by RFC 5321 4.5.3.1.6: command lines */
#define SMTP_CMD_LINE_MAX	512	/* fixed by RFC 5321 4.5.3.1.4 */
#define SMTP_RCPT_MAX		100	/* [smtp] max_recipients */
#define SMTP_MESSAGE_MAX	(25 * 1024 * 1024)	/* [smtp] max_message */
#define SMTP_HEADER_BYTES_MAX	(256 * 1024)	/* fixed: far above real headers */
#define SMTP_HEADERS_MAX	1000	/* fixed: far above real headers */
#define SMTP_ERRORS_MAX		10	/* fixed: refused commands before 421 */
#define SMTP_IDLE_SECONDS	300	/* [smtp] idle_timeout */
#define SMTP_SESSION_SECONDS	1800	/* [smtp] session_timeout */
#define SMTP_MAX_SESSIONS	1024	/* [smtp] max_sessions */
#define SMTP_MAX_PER_IP		50	/* [smtp] max_per_ip (Postfix's default too) */
#define SMTP_REPORTS_MAX	200	/* [smtp] max_reports: events kept from one message */
#define SMTP_INDICATORS_MAX	(10 * REPORT_INDICATORS_MAX)	/* fixed: of all the reports of one message */

/* HTTPS */
#define HTTPS_MAX_SESSIONS	1024	/* [http] max_sessions */
#define HTTPS_MAX_PER_IP	64	/* [http] max_per_ip */
#define HTTPS_IDLE_SECONDS	60	/* [http] idle_timeout: keep-alive between requests */
#define HTTPS_REQUEST_SECONDS	30	/* [http] request_timeout: head and body, else 408 */
#define HTTPS_BODY_MAX		(32 * 1024 * 1024)	/* [http] max_body */
#define HTTPS_HEADER_BYTES_MAX	(32 * 1024)	/* [http] max_header_bytes */
#define HTTPS_ATTACHMENTS_MAX	10	/* [http] max_attachments: files in one form */
#define HTTPS_ATTACHMENT_BYTES_MAX (20 * 1024 * 1024)	/* [http] max_attachment_bytes: all files of one form */
#define HTTPS_FORM_OVERHEAD	(1024 * 1024)	/* fixed: [http] max_body must hold max_attachment_bytes + this (fields, multipart framing) */
#define HTTPS_FORM_RATE_PER_IP	30	/* [http] form_rate_per_ip: reports an hour */
#define HTTPS_FORM_RATE_MIN	20	/* fixed by the spec: the least form_rate_per_ip */
#define HTTPS_FORM_RATE_PER_ADDRESS 10	/* [http] form_rate_per_address: reports an hour per reporter-email */

/* the staff view (/triage); the others are in staff.h */
#define STAFF_SESSION_IDLE_SECONDS	1800	/* [triage] session_idle */
#define STAFF_SESSION_LIFETIME_SECONDS	(12 * 3600)	/* [triage] session_lifetime */

/* every connection */
#define MEMORY_BUDGET_BYTES	(256LL * 1024 * 1024)	/* [daemon] memory_budget */
#define TLS_HANDSHAKE_SECONDS	10	/* [tls] handshake_timeout */
#define TLS_HANDSHAKES_PER_SECOND 20	/* [tls] handshake_rate, per client address */
#define SESSION_CLOSE_SECONDS	10	/* fixed: to write out a last reply */
#define LINGER_SECONDS		2	/* fixed: whole lingering close */
#define SESSION_OUTPUT_MAX	(256 * 1024)	/* fixed: unread replies before reading pauses */

/* MIME: fixed, far above real mail, and they bound the parser's work */
#define MIME_DEPTH_MAX		16
#define MIME_PARTS_MAX		256

#endif
