/*
 * limits_gw.h - every default bound intaked applies to its input, in one
 * place. Each one can be overridden from the configuration; the names of the
 * config keys are given beside each value.
 */
#ifndef LIMITS_GW_H
#define LIMITS_GW_H

/* ILP/1 (line protocol) */
#define LINE_MAX_BYTES		16384	/* spec: longer lines get "500 line too long" */
#define LINE_IDLE_SECONDS	300	/* [line] idle_timeout */
#define LINE_SESSION_SECONDS	3600	/* [line] session_timeout */
#define LINE_AUTH_SECONDS	30	/* [line] auth_timeout (require_auth) */
#define LINE_MAX_SESSIONS	4096	/* [line] max_sessions */
#define LINE_MAX_PER_IP		64	/* [line] max_per_ip */
#define LINE_AUTH_FAILURES_MAX	3	/* a 4th attempt is never read */
#define LINE_PIPELINE_MAX	1024	/* replies outstanding before reading pauses */

/* one report, whatever the channel */
#define REPORT_FIELD_MAX	2048	/* bytes of one decoded field value */
#define REPORT_DESCRIPTION_MAX	65536	/* bytes of a description */
#define REPORT_FIELDS_MAX	128	/* fields in one REPORT */
#define REPORT_INDICATORS_MAX	256	/* indicators in one report */

/* store */
#define STORE_BATCH_MAX		1024	/* jobs in one group commit */
#define STORE_QUEUE_MAX		65536	/* jobs waiting; beyond it: 4xx */

/* SMTP (RFC 5321 4.5.3.1) */
#define SMTP_LINE_MAX		1000	/* DATA lines and command lines */
#define SMTP_CMD_LINE_MAX	512
#define SMTP_RCPT_MAX		100
#define SMTP_MESSAGE_MAX	(25 * 1024 * 1024)	/* [smtp] max_message */
#define SMTP_HEADER_BYTES_MAX	(256 * 1024)
#define SMTP_HEADERS_MAX	1000
#define SMTP_ERRORS_MAX		10
#define SMTP_IDLE_SECONDS	300
#define SMTP_SESSION_SECONDS	1800	/* [smtp] session_timeout */
#define SMTP_MAX_SESSIONS	1024
#define SMTP_MAX_PER_IP		50	/* [smtp] max_per_ip (Postfix's default too) */
#define SMTP_REPORTS_MAX	200	/* [smtp] max_reports: events kept from one message */

/* every connection */
#define MEMORY_BUDGET_BYTES	(256LL * 1024 * 1024)	/* [daemon] memory_budget */
#define TLS_HANDSHAKE_SECONDS	10	/* [tls] handshake_timeout */
#define TLS_HANDSHAKES_PER_SECOND 20	/* [tls] handshake_rate, per client address */
#define SESSION_CLOSE_SECONDS	10	/* fixed: to write out a last reply */
#define LINGER_SECONDS		2	/* fixed: whole lingering close */
#define SESSION_OUTPUT_MAX	(256 * 1024)	/* fixed: unread replies before reading pauses */

/* MIME */
#define MIME_DEPTH_MAX		16
#define MIME_PARTS_MAX		256

#endif
