/*
 * main.c - intaked: start-up, signals and shutdown.
 *
 * Start-up order: configuration (all of it checked before anything else),
 * taxonomy, data directory, TLS material, listeners (bound while still
 * privileged), privilege drop, store (opened as the final user so its files
 * belong to it), readiness notification, then the event loop.
 *
 * SIGTERM/SIGINT drain: listeners stop accepting, every session answers
 * what it has in flight and closes, the store commits what it holds, and the
 * process exits 0. A drain that takes longer than DRAIN_SECONDS closes the
 * remaining sessions (their jobs still complete and commit). SIGHUP reopens
 * the log and reloads the TLS certificate and key.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <systemd/sd-daemon.h>

#include "classify.h"
#include "mail_auto.h"
#include "budget.h"
#include "config.h"
#include "extract.h"
#include "gateway.h"
#include "http.h"
#include "limits_gw.h"
#include "log.h"
#include "metrics.h"
#include "readers.h"
#include "session.h"
#include "forward.h"
#include "outbox.h"
#include "receipt.h"
#include "store.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

#define DRAIN_SECONDS		20
#define HOUSEKEEPING_SECONDS	5

enum { L_LINE, L_LINE_TLS, L_SMTP, L_SMTP_TLS, L_HTTP, L_COUNT };
enum { P_LINE, P_SMTP, P_HTTP, P_COUNT };

#define PARSE_THREADS	2	/* one per core: the store mostly waits on fsync */
#define READER_THREADS	2	/* token checks and reads; SQLite WAL readers run beside the writer */

struct daemon_state {
	struct gateway	 gw;
	struct config	 cfg;
	struct listener	*listeners[L_COUNT];
	struct conn_limits *limits[P_COUNT];	/* per protocol */
	struct event	*sig_term, *sig_int, *sig_hup;
	struct event	*drain_timer;
	struct event	*housekeeping;
	time_t		 drain_deadline;
};

static void
usage(void)
{
	fprintf(stderr, "usage: intaked [-nv] [-c file]\n"
	    "  -c file  configuration (default: embedded defaults)\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       with -n: print the effective configuration\n");
	exit(2);
}

static int
make_data_dir(const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "data_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "data_dir %s: not a directory", dir);
		return -1;
	}
	return 0;
}

/*
 * Give name, in the directory dfd (called dir in messages), to pw: a
 * directory when want_dir, else a regular file with no other name. Only a
 * descriptor opened with O_NOFOLLOW and checked with fstat is chowned, so a
 * symbolic link planted there by the data directory's owner is refused,
 * never followed, and so is a hard link to some other file. Absent: 0.
 * With fdp, the directory stays open there. -1 with err set.
 */
static int
hand_over_at(int dfd, const char *dir, const char *name, int want_dir,
    const struct passwd *pw, int *fdp, char *err, size_t errlen)
{
	struct stat	 lst, st;
	const char	*refused = NULL, *why = NULL;
	int		 fd = -1;

	if (fdp != NULL)
		*fdp = -1;
	if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		why = strerror(errno);
	} else if (S_ISLNK(lst.st_mode))
		refused = "a symbolic link";
	else if (want_dir ? !S_ISDIR(lst.st_mode) : !S_ISREG(lst.st_mode))
		refused = want_dir ? "not a directory" : "not a regular file";
	else if (!want_dir && lst.st_nlink != 1)
		refused = "a file with other names (hard links)";
	if (refused != NULL) {
		snprintf(err, errlen, "%.512s/%s: %s: refusing to give it to "
		    "user %s", dir, name, refused, pw->pw_name);
		return -1;
	}
	if (why == NULL && (fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK | O_CLOEXEC |
	    (want_dir ? O_DIRECTORY : 0))) == -1)
		why = strerror(errno);
	else if (why == NULL && fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (why == NULL && (st.st_dev != lst.st_dev ||
	    st.st_ino != lst.st_ino || (!want_dir && st.st_nlink != 1)))
		why = "replaced while being checked";
	else if (why == NULL && fchown(fd, pw->pw_uid, pw->pw_gid) == -1)
		why = strerror(errno);
	if (why != NULL) {
		snprintf(err, errlen, "%.512s/%s: cannot give it to user %s: "
		    "%s", dir, name, pw->pw_name, why);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (fdp != NULL)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

/*
 * Give the data directory, DATA_DIR/tls and the self-signed pair in it to
 * pw, so that the store can create its files and SIGHUP can reread the key.
 * data_dir itself is the path root configured; every name below it is
 * checked (hand_over_at) and never followed.
 */
static int
hand_over_data_dir(const char *data_dir, const struct passwd *pw,
    char *err, size_t errlen)
{
	char	tls[4096];
	int	dfd, tfd = -1, rc;

	if ((dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fchown(dfd, pw->pw_uid, pw->pw_gid) == -1) {
		snprintf(err, errlen, "data_dir %.512s: cannot give it to user "
		    "%s: %s", data_dir, pw->pw_name, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	snprintf(tls, sizeof(tls), "%s/%s", data_dir, TLS_SELF_DIR);
	rc = hand_over_at(dfd, data_dir, TLS_SELF_DIR, 1, pw, &tfd, err,
	    errlen);
	if (rc == 0 && tfd != -1)
		rc = hand_over_at(tfd, tls, TLS_SELF_CERT, 0, pw, NULL, err,
		    errlen) == -1 || hand_over_at(tfd, tls, TLS_SELF_KEY, 0, pw,
		    NULL, err, errlen) == -1 ? -1 : 0;
	if (tfd != -1)
		close(tfd);
	close(dfd);
	return rc;
}

/*
 * Become cfg->user: the data directory and the self-signed TLS files are
 * handed over first (hand_over_data_dir). Fixed order: groups, gid, uid.
 */
static int
drop_privileges(const struct config *cfg, char *err, size_t errlen)
{
	struct passwd	*pw;

	if (cfg->user == NULL)
		return 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		snprintf(err, errlen, "user %s: no such user", cfg->user);
		return -1;
	}
	if (hand_over_data_dir(cfg->data_dir, pw, err, errlen) == -1)
		return -1;
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		snprintf(err, errlen, "cannot become %s: %s", cfg->user,
		    strerror(errno));
		return -1;
	}
	log_info("running as %s", cfg->user);
	return 0;
}

/*
 * Every listener: its protocol (whose sessions share one set of limits,
 * plain and TLS alike), whether it speaks TLS from the first byte, and the
 * one-line refusal a plain connection over the limits gets (TLS ones are
 * closed before any handshake).
 */
static int
open_listeners(struct daemon_state *d, char *err, size_t errlen)
{
	static const struct {
		const char		*refusal;
		listener_accept_fn	 accept;
		size_t			 max_off, per_ip_off;
	} proto[P_COUNT] = {
		[P_LINE] = { "421 too many connections, try again later\r\n",
		    line_session_accept,
		    offsetof(struct config, line_max_sessions),
		    offsetof(struct config, line_max_per_ip) },
		[P_SMTP] = { "421 4.7.0 too many connections, try again"
		    " later\r\n", smtp_session_accept,
		    offsetof(struct config, smtp_max_sessions),
		    offsetof(struct config, smtp_max_per_ip) },
		[P_HTTP] = { NULL, http_session_accept,
		    offsetof(struct config, http_max_sessions),
		    offsetof(struct config, http_max_per_ip) },
	};
	static const struct {
		int		 slot;
		const char	*name;
		size_t		 listen_off;
		int		 tls;
		int		 proto;
	} table[] = {
		{ L_LINE, "line", offsetof(struct config, line_listen), 0,
		    P_LINE },
		{ L_LINE_TLS, "line-tls",
		    offsetof(struct config, line_tls_listen), 1, P_LINE },
		{ L_SMTP, "smtp", offsetof(struct config, smtp_listen), 0,
		    P_SMTP },
		{ L_SMTP_TLS, "smtps",
		    offsetof(struct config, smtp_tls_listen), 1, P_SMTP },
		{ L_HTTP, "https", offsetof(struct config, http_listen), 1,
		    P_HTTP },
	};
	struct config		*cfg = &d->cfg;
	const struct config_listen *addr;
	size_t			 i;
	int			 p;

#define CFG_LL(off)	(*(const long long *)(const void *)	\
			    ((const char *)cfg + (off)))
	for (p = 0; p < P_COUNT; p++)
		d->limits[p] = conn_limits_new(CFG_LL(proto[p].max_off),
		    CFG_LL(proto[p].per_ip_off));
#undef CFG_LL
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		addr = (const struct config_listen *)(const void *)
		    ((const char *)cfg + table[i].listen_off);
		if (addr->text == NULL)
			continue;
		p = table[i].proto;
		d->listeners[table[i].slot] = listener_new(&d->gw,
		    table[i].name, addr, table[i].tls, d->limits[p],
		    proto[p].refusal, proto[p].accept, err, errlen);
		if (d->listeners[table[i].slot] == NULL)
			return -1;
	}
	return 0;
}

static int
drain_finished(void)
{
	return sessions_count() == 0;
}

static void
drain_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_state	*d = arg;

	if (drain_finished() || time(NULL) >= d->drain_deadline) {
		if (!drain_finished())
			log_warn("drain: %zu sessions still open after %d s;"
			    " closing them", sessions_count(), DRAIN_SECONDS);
		event_base_loopbreak(d->gw.base);
	}
}

static void
start_drain(struct daemon_state *d, const char *why)
{
	struct timeval	tick = { 0, 50 * 1000 };
	int		i;

	if (d->gw.draining)
		return;
	log_info("%s: draining", why);
	sd_notify(0, "STOPPING=1");
	d->gw.draining = 1;
	for (i = 0; i < L_COUNT; i++)
		if (d->listeners[i] != NULL)
			listener_disable(d->listeners[i]);
	sessions_drain();
	d->drain_deadline = time(NULL) + DRAIN_SECONDS;
	d->drain_timer = event_new(d->gw.base, -1, EV_PERSIST, drain_timer_cb,
	    d);
	event_add(d->drain_timer, &tick);
}

/*
 * Every few seconds: when the store has nothing in flight, hand memory
 * freed after a burst back to the system. glibc keeps freed memory in its
 * arenas (one per thread), so without this the daemon would keep the
 * resident size of its busiest minute for ever.
 */
static void
housekeeping_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_state	*d = arg;

	if (store_pending(d->gw.store) == 0)
		malloc_trim(0);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon_state	*d = arg;
	char			 err[512];

	if (sig == SIGHUP) {
		log_reopen(NULL);
		if (tls_ctx_reload(d->gw.tls, &d->cfg, err, sizeof(err)) == -1)
			log_warn("SIGHUP: TLS reload failed, keeping the old"
			    " certificate: %s", err);
		else
			log_info("SIGHUP: TLS material reloaded");
		return;
	}
	start_drain(d, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* The outbox's composer: receipts and forwards, by kind. */
static int
compose_mail(void *arg, struct store_read *rd, const struct outbox_row *row,
    struct page_buf *out, char *err, size_t errlen)
{
	if (row->kind != NULL && strcmp(row->kind, "forward") == 0)
		return forward_compose(arg, rd, row, out, err, errlen);
	return receipt_compose(arg, rd, row, out, err, errlen);
}

/*
 * The outbox's sender thread, delivering through [outbound] smarthost
 * (none: mail stays queued, and the thread only keeps the figures).
 */
static int
start_outbox(struct daemon_state *d, const char *dbpath, char *err,
    size_t errlen)
{
	const struct config	*cfg = &d->cfg;
	struct outbox_options	 oo;

	memset(&oo, 0, sizeof(oo));
	oo.db_path = dbpath;
	oo.smarthost = cfg->outbound_smarthost.text;
	oo.helo = cfg->smtp_hostname;
	oo.from = cfg->outbound_from;
	oo.starttls = cfg->outbound_starttls;
	oo.user = cfg->outbound_user;
	oo.password = cfg->outbound_password;
	oo.max_age = cfg->outbound_max_age;
	oo.retry_first = cfg->outbound_retry_first;
	oo.compose = compose_mail;
	oo.compose_arg = &d->gw;
	if ((d->gw.outbox = outbox_new(&oo, d->gw.store, err, errlen)) == NULL)
		return -1;
	if (outbox_start(d->gw.outbox) == -1) {
		snprintf(err, errlen, "cannot start the outbox thread");
		return -1;
	}
	return 0;
}

static int
daemon_setup(struct daemon_state *d, char *err, size_t errlen)
{
	struct gateway		*gw = &d->gw;
	struct store_options	 so;
	struct timeval		 housekeeping_interval = { HOUSEKEEPING_SECONDS,
				    0 };
	char			 dbpath[4096];

	if (make_data_dir(d->cfg.data_dir, err, errlen) == -1)
		return -1;
	if ((gw->tls = tls_ctx_new(&d->cfg, err, errlen)) == NULL)
		return -1;
	if (evthread_use_pthreads() == -1 ||
	    (gw->base = event_base_new()) == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		return -1;
	}
	if ((gw->extractor = extractor_new(err, errlen)) == NULL ||
	    (gw->classifier = classifier_new(classify_embedded,
	    classify_embedded_len, &gw->tax, err, errlen)) == NULL ||
	    (gw->auto_rules = mail_auto_rules_new(auto_embedded,
	    auto_embedded_len, err, errlen)) == NULL)
		return -1;
	if ((gw->workers = worker_pool_new(gw->base, PARSE_THREADS)) == NULL) {
		snprintf(err, errlen, "cannot start the parser thread");
		return -1;
	}
	if (http_routes_init(gw, err, errlen) == -1 ||
	    open_listeners(d, err, errlen) == -1)
		return -1;
	if (drop_privileges(&d->cfg, err, errlen) == -1)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/%s", d->cfg.data_dir,
	    STORE_DB_FILE);
	memset(&so, 0, sizeof(so));
	so.path = dbpath;
	so.dedup_window = d->cfg.dedup_window;
	so.batch_max = d->cfg.store_batch_max;
	so.queue_max = d->cfg.store_queue_max;
	so.max_bytes = d->cfg.store_max_bytes;
	if ((gw->store = store_open(&so, err, errlen)) == NULL)
		return -1;
	store_set_observer(gw->store, metrics_store_job);
	if (store_start(gw->store, gw->base) == -1) {
		snprintf(err, errlen, "cannot start the store thread");
		return -1;
	}
	if ((gw->readers = readers_new(gw->base, dbpath,
	    READER_THREADS)) == NULL) {
		snprintf(err, errlen, "cannot start the reader threads");
		return -1;
	}
	if (start_outbox(d, dbpath, err, errlen) == -1)
		return -1;
	d->sig_term = evsignal_new(gw->base, SIGTERM, signal_cb, d);
	d->sig_int = evsignal_new(gw->base, SIGINT, signal_cb, d);
	d->sig_hup = evsignal_new(gw->base, SIGHUP, signal_cb, d);
	evsignal_add(d->sig_term, NULL);
	evsignal_add(d->sig_int, NULL);
	evsignal_add(d->sig_hup, NULL);
	d->housekeeping = event_new(gw->base, -1, EV_PERSIST, housekeeping_cb,
	    d);
	evtimer_add(d->housekeeping, &housekeeping_interval);
	return 0;
}

static void
daemon_teardown(struct daemon_state *d)
{
	int	i;

	/* sessions first: their store jobs then complete into the void */
	sessions_close_all();
	/* parse tasks first: their completions may still queue store jobs */
	worker_pool_free(d->gw.workers);
	readers_free(d->gw.readers);
	/* the sender stops first; the store then commits its last results */
	outbox_stop(d->gw.outbox);
	if (d->gw.store != NULL) {
		store_stop(d->gw.store);
		store_close(d->gw.store);
	}
	outbox_free(d->gw.outbox);
	listener_linger_free_all();
	for (i = 0; i < L_COUNT; i++)
		listener_free(d->listeners[i]);
	for (i = 0; i < P_COUNT; i++)
		conn_limits_free(d->limits[i]);
	http_routes_free(&d->gw);
	if (d->drain_timer != NULL)
		event_free(d->drain_timer);
	if (d->housekeeping != NULL)
		event_free(d->housekeeping);
	if (d->sig_term != NULL) {
		event_free(d->sig_term);
		event_free(d->sig_int);
		event_free(d->sig_hup);
	}
	if (d->gw.base != NULL)
		event_base_free(d->gw.base);
	tls_ctx_free(d->gw.tls);
	extractor_free(d->gw.extractor);
	classifier_free(d->gw.classifier);
	mail_auto_rules_free(d->gw.auto_rules);
	taxonomy_free(&d->gw.tax);
	config_free(&d->cfg);
}

int
main(int argc, char *argv[])
{
	struct daemon_state	 d;
	const char		*conf = NULL;
	char			 err[1024];
	enum log_level		 lvl;
	int			 ch, check_only = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "c:hnv")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/*
	 * glibc gives every thread its own arena (up to 8 per core), and each
	 * keeps what a burst freed; with the loop, the writer, the parser and
	 * the reader threads that multiplies the resident size after load.
	 * Two arenas keep contention low on this daemon's few threads.
	 */
	(void)mallopt(M_ARENA_MAX, 2);
	signal(SIGPIPE, SIG_IGN);
	umask(077);	/* reports are confidential: every file we make is ours */

	memset(&d, 0, sizeof(d));
	d.gw.cfg = &d.cfg;
	if (conf != NULL) {
		if (config_load(&d.cfg, conf, err, sizeof(err)) == -1) {
			fprintf(stderr, "intaked: %s\n", err);
			return 1;
		}
	} else
		config_defaults(&d.cfg);
	if (log_level_parse(d.cfg.log_level, &lvl) == 0)
		log_set_level(lvl);
	if (config_load_taxonomy(&d.cfg, &d.gw.tax, err, sizeof(err)) == -1) {
		fprintf(stderr, "intaked: %s\n", err);
		config_free(&d.cfg);
		return 1;
	}
	report_limits_default(&d.gw.limits);
	budget_set_limit(d.cfg.memory_budget);
	if (check_only) {
		if (verbose)
			config_dump(&d.cfg, stdout);
		printf("configuration OK\n");
		taxonomy_free(&d.gw.tax);
		config_free(&d.cfg);
		return 0;
	}

	if (daemon_setup(&d, err, sizeof(err)) == -1) {
		log_error("%s", err);
		fprintf(stderr, "intaked: %s\n", err);
		daemon_teardown(&d);
		return 1;
	}
	log_info("intaked ready (data in %s)", d.cfg.data_dir);
	sd_notify(0, "READY=1");
	event_base_dispatch(d.gw.base);
	daemon_teardown(&d);
	log_info("intaked stopped");
	return 0;
}
