/*
 * sqlite_ceiling.c - what SQLite alone can store on this machine: the
 * ceiling the daemon's throughput is compared with.
 *
 *   sqlite_ceiling [-d SECONDS] [-b BATCH]... [-D DIR] [-s SIZE]
 *
 * A bare loop on one thread, with no network, no parsing and no threads,
 * writing into a fresh database the same rows the store writes for one
 * ILP/1 report, with the same settings (WAL, synchronous=FULL, default page
 * size, the pragmas and SQLite configuration of gateway/store_sql.c) and the
 * same schema and indexes (copied from store_sql.c's first migration). Per
 * report, inside one savepoint as the store does:
 *
 *	the idempotency lookup (token, external-id);
 *	one evidence row (the ~SIZE-byte REPORT line as raw blob);
 *	the incident lookup by fingerprint, then a new incident and its audit
 *	row, or (one report in ten) an update of an earlier incident;
 *	one report row (with the description, ~SIZE bytes);
 *	1-3 indicator rows;
 *	the incident_sources upsert.
 *
 * Reports are committed in transactions of BATCH reports (default: three
 * runs, 100, 256 and 1000), each run for SECONDS (default 5) on its own
 * fresh database in a temporary directory under DIR (default $TMPDIR or
 * /tmp). First it times the fsync of a small file in that directory
 * (average of 100). Output:
 *
 *   fsync of a small file: ~0.12 ms (average of 100)
 *   sqlite ceiling batch=256: 41234 rows/s (fsync ~0.12 ms, commit ~2.1 ms
 *       of 6.2 ms per batch)
 *
 * where "rows/s" means reports/s (each report being all the rows above),
 * and "commit" is the average time of the COMMIT statement (WAL write and
 * fsync) against the whole batch.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util.h"

#define SC_MAX_BATCHES		8
#define SC_FSYNC_ROUNDS		100
#define SC_DUP_EVERY		10
#define SC_DEDUP_WINDOW		86400

/* Schema and statements as in gateway/store_sql.c (schema version 1). */
static const char sc_schema[] =
	"CREATE TABLE evidence ("
	"  id INTEGER PRIMARY KEY,"
	"  received_at INTEGER NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  peer TEXT,"
	"  meta_json TEXT,"
	"  raw BLOB);"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  fingerprint BLOB NOT NULL,"
	"  category TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new', 'triaged', 'in-progress', 'resolved', 'rejected')),"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  report_count INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  claimed_by TEXT);"
	"CREATE INDEX incidents_fingerprint ON incidents (fingerprint, last_seen);"
	"CREATE TABLE reports ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence (id),"
	"  channel TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  category TEXT NOT NULL,"
	"  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  verified INTEGER NOT NULL DEFAULT 0,"
	"  auto INTEGER NOT NULL DEFAULT 0,"
	"  token_name TEXT,"
	"  external_id TEXT,"
	"  subject TEXT,"
	"  description TEXT,"
	"  reporter_name TEXT,"
	"  reporter_email TEXT,"
	"  reporter_phone TEXT,"
	"  organization TEXT,"
	"  operating_unit TEXT,"
	"  affected_system TEXT,"
	"  system_level INTEGER CHECK (system_level BETWEEN 1 AND 5),"
	"  confidential INTEGER CHECK (confidential IN (0, 1)),"
	"  detected_at TEXT,"
	"  occurred_at TEXT,"
	"  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN"
	"    ('new', 'triaged', 'in-progress', 'resolved', 'rejected')),"
	"  reply_duplicate INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX reports_idempotency ON reports"
	"  (token_name, external_id) WHERE external_id IS NOT NULL;"
	"CREATE INDEX reports_incident ON reports (incident_id);"
	"CREATE TABLE indicators ("
	"  report_id INTEGER NOT NULL REFERENCES reports (id),"
	"  type TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (report_id, type, value)) WITHOUT ROWID;"
	"CREATE INDEX indicators_value ON indicators (type, value);"
	"CREATE TABLE incident_sources ("
	"  incident_id INTEGER NOT NULL REFERENCES incidents (id),"
	"  reporter TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (incident_id, reporter, channel)) WITHOUT ROWID;"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT);";

static const char sc_pragmas[] =
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA wal_autocheckpoint = 4096;"
	"PRAGMA journal_size_limit = 67108864;"
	"PRAGMA cache_size = -32768;"
	"PRAGMA temp_store = MEMORY";

enum sc_q {
	Q_BEGIN,
	Q_COMMIT,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_LAST_IDS,
	Q_EVIDENCE_ADD,
	Q_IDEM_FIND,
	Q_INCIDENT_FIND,
	Q_INCIDENT_JOIN,
	Q_INCIDENT_ADD,
	Q_SOURCE_ADD,
	Q_REPORT_ADD,
	Q_INDICATOR_ADD,
	Q_AUDIT_ADD,
	Q_COUNT
};

static const char *const sc_q_text[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE job",
	[Q_LAST_IDS] = "SELECT (SELECT ifnull(max(id), 0) FROM evidence),"
	    " (SELECT ifnull(max(id), 0) FROM reports),"
	    " (SELECT ifnull(max(id), 0) FROM incidents)",
	[Q_EVIDENCE_ADD] = "INSERT INTO evidence"
	    " (id, received_at, channel, peer, meta_json, raw)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_IDEM_FIND] = "SELECT r.code, i.code, r.reply_duplicate"
	    " FROM reports r JOIN incidents i ON i.id = r.incident_id"
	    " WHERE r.token_name = ?1 AND r.external_id = ?2",
	[Q_INCIDENT_FIND] = "SELECT id, code FROM incidents"
	    " WHERE fingerprint = ?1 AND last_seen >= ?2"
	    " ORDER BY last_seen DESC LIMIT 1",
	[Q_INCIDENT_JOIN] = "UPDATE incidents SET"
	    " report_count = report_count + 1,"
	    " last_seen = max(last_seen, ?2),"
	    " severity = max(severity, ?3),"
	    " verified = verified | ?4"
	    " WHERE id = ?1",
	[Q_INCIDENT_ADD] = "INSERT INTO incidents (id, code, fingerprint,"
	    " category, severity, verified, report_count, first_seen,"
	    " last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)",
	[Q_SOURCE_ADD] = "INSERT INTO incident_sources"
	    " (incident_id, reporter, channel, count) VALUES (?1, ?2, ?3, 1)"
	    " ON CONFLICT (incident_id, reporter, channel)"
	    " DO UPDATE SET count = count + 1",
	[Q_REPORT_ADD] = "INSERT INTO reports (id, code, incident_id,"
	    " evidence_id, channel, received_at, category, severity, verified,"
	    " auto, token_name, external_id, description, detected_at,"
	    " reply_duplicate) VALUES (?1, ?2, ?3, ?4, 'line', ?5, ?6, 2, 1, 0,"
	    " 'bench', ?7, ?8, ?9, ?10)",
	[Q_INDICATOR_ADD] = "INSERT OR IGNORE INTO indicators"
	    " (report_id, type, value) VALUES (?1, ?2, ?3)",
	[Q_AUDIT_ADD] = "INSERT INTO audit (at, actor, action, object, detail)"
	    " VALUES (?1, 'bench', 'incident.create', ?2, 'line')",
};

static const char *const sc_categories[] = {
	"scan", "brute-force", "botnet", "phishing", "malware-url", "spam",
	"dos"
};

struct sc_db {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_COUNT];
	long long	 evidence, report, incident;	/* last ids */
};

static void	 usage(void) __attribute__((noreturn));
static void	 sc_fatal(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long long num_arg(int opt, const char *s, long long min,
		    long long max);
static double	 now_s(void);
static uint64_t	 mix64(uint64_t x);
static double	 fsync_cost(const char *dir);
static void	 sc_open(struct sc_db *d, const char *path);
static void	 sc_close(struct sc_db *d);
static void	 sc_step(struct sc_db *d, enum sc_q q);
static void	 sc_begin(struct sc_db *d);
static void	 sc_report(struct sc_db *d, uint64_t n, int size, time_t now,
		    const char *day);
static void	 sc_run(const char *dir, int batch, int seconds, int size,
		    double fsync_ms);
static void	 rm_dir(const char *dir);

static void
usage(void)
{
	fprintf(stderr, "usage: sqlite_ceiling [-d SECONDS] [-b BATCH]... "
	    "[-D DIR] [-s SIZE]\n");
	exit(1);
}

static void
sc_fatal(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "sqlite_ceiling: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static long long
num_arg(int opt, const char *s, long long min, long long max)
{
	long long	 v;
	const char	*why;

	if (parse_int(s, min, max, &v, &why) == -1)
		sc_fatal("-%c %s: %s (%lld..%lld)", opt, s, why, min, max);
	return v;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Average ms of write(512 bytes) + fsync on a small file in dir. */
static double
fsync_cost(const char *dir)
{
	char	path[4096], block[512];
	double	t0, total = 0;
	int	fd, i;

	snprintf(path, sizeof(path), "%s/fsync-probe", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		sc_fatal("%s: %s", path, strerror(errno));
	memset(block, 'f', sizeof(block));
	/* The first fsync also writes the new inode and directory entry. */
	if (write(fd, block, sizeof(block)) == -1 || fsync(fd) == -1)
		sc_fatal("%s: %s", path, strerror(errno));
	for (i = 0; i < SC_FSYNC_ROUNDS; i++) {
		t0 = now_s();
		if (pwrite(fd, block, sizeof(block), 0) == -1 || fsync(fd) == -1)
			sc_fatal("%s: %s", path, strerror(errno));
		total += now_s() - t0;
	}
	close(fd);
	unlink(path);
	return total * 1000.0 / SC_FSYNC_ROUNDS;
}

static void
sc_open(struct sc_db *d, const char *path)
{
	sqlite3_stmt	*s;
	int		 i, ok;

	memset(d, 0, sizeof(*d));
	/* As store_sql_open: no memory statistics (a global mutex). */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		sc_fatal("%s: %s", path, sqlite3_errmsg(d->db));
	if (sqlite3_prepare_v2(d->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK)
		sc_fatal("journal_mode: %s", sqlite3_errmsg(d->db));
	ok = sqlite3_step(s) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
	sqlite3_finalize(s);
	if (!ok)
		sc_fatal("cannot switch %s to WAL", path);
	if (sqlite3_exec(d->db, sc_pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db, sc_schema, NULL, NULL, NULL) != SQLITE_OK)
		sc_fatal("schema: %s", sqlite3_errmsg(d->db));
	for (i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(d->db, sc_q_text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &d->q[i], NULL) != SQLITE_OK)
			sc_fatal("prepare: %s", sqlite3_errmsg(d->db));
}

static void
sc_close(struct sc_db *d)
{
	int	i;

	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(d->q[i]);
	sqlite3_close(d->db);
}

/* Step a statement that returns no row, then reset it; die on error. */
static void
sc_step(struct sc_db *d, enum sc_q q)
{
	if (sqlite3_step(d->q[q]) != SQLITE_DONE)
		sc_fatal("%s: %s", sc_q_text[q], sqlite3_errmsg(d->db));
	sqlite3_reset(d->q[q]);
}

/* BEGIN IMMEDIATE and reload the id counters, as store_sql_begin does. */
static void
sc_begin(struct sc_db *d)
{
	sqlite3_stmt	*s = d->q[Q_LAST_IDS];

	sc_step(d, Q_BEGIN);
	if (sqlite3_step(s) != SQLITE_ROW)
		sc_fatal("last ids: %s", sqlite3_errmsg(d->db));
	d->evidence = sqlite3_column_int64(s, 0);
	d->report = sqlite3_column_int64(s, 1);
	d->incident = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
}

/*
 * Store report number n the way store_sql_submit does for a new report
 * with a token and an external-id. One in SC_DUP_EVERY reuses an earlier
 * report's indicators, so its incident lookup finds one to join.
 */
static void
sc_report(struct sc_db *d, uint64_t n, int size, time_t now, const char *day)
{
	static char	 line[20000], desc[20000];
	static const char *types[3] = { "ipv4", "domain", "sha256" };
	char		 ext[64], code[40], inc_code[40], vals[3][80], fp_in[300];
	unsigned char	 fp[32];
	uint64_t	 seed = n, h;
	sqlite3_stmt	*s;
	size_t		 dlen;
	long long	 incident;
	int		 nind, i, len, joined;

	if (n > 100 && n % SC_DUP_EVERY == 0)
		seed = n - 1 - mix64(n) % (n < 5000 ? n - 1 : 5000);
	h = mix64(seed);
	nind = 1 + (int)((h >> 8) % 3);
	snprintf(vals[0], sizeof(vals[0]), "%u.%u.%u.%u", 45U,
	    (unsigned)(seed >> 16) & 0xff, (unsigned)(seed >> 8) & 0xff,
	    (unsigned)seed & 0xff);
	snprintf(vals[1], sizeof(vals[1]), "h%" PRIu64 ".bench.example", seed);
	snprintf(vals[2], sizeof(vals[2]), "%016" PRIx64 "%016" PRIx64
	    "%016" PRIx64 "%016" PRIx64, mix64(seed ^ 1), mix64(seed ^ 2),
	    mix64(seed ^ 3), mix64(seed ^ 4));
	snprintf(ext, sizeof(ext), "sc-%" PRIu64, n);

	/* The description and the raw line, both about size bytes. */
	dlen = (size_t)snprintf(desc, sizeof(desc), "report %" PRIu64 " ", seed);
	while (dlen + 1 < (size_t)size - 200 && dlen + 1 < sizeof(desc)) {
		desc[dlen] = "observed scanning from this address "[dlen % 36];
		dlen++;
	}
	desc[dlen] = '\0';
	len = snprintf(line, sizeof(line), "REPORT category=%s external-id=%s "
	    "source-ip=%s domain=%s hash=%s description=%s\r\n",
	    sc_categories[h % 7], ext, vals[0], vals[1], vals[2], desc);

	sc_step(d, Q_SAVEPOINT);

	s = d->q[Q_IDEM_FIND];
	sqlite3_bind_text(s, 1, "bench", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ext, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		sc_fatal("idempotency: %s", sqlite3_errmsg(d->db));
	sqlite3_reset(s);

	s = d->q[Q_EVIDENCE_ADD];
	sqlite3_bind_int64(s, 1, ++d->evidence);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, "line", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, "127.0.0.1", -1, SQLITE_STATIC);
	sqlite3_bind_null(s, 5);
	sqlite3_bind_blob(s, 6, line, len, SQLITE_STATIC);
	sc_step(d, Q_EVIDENCE_ADD);

	/* The fingerprint: category and sorted indicators, as report.c. */
	len = snprintf(fp_in, sizeof(fp_in), "%s", sc_categories[h % 7]);
	for (i = 0; i < nind; i++)
		len += snprintf(fp_in + len, sizeof(fp_in) - (size_t)len,
		    "\n%s=%s", types[i], vals[i]);
	sha256(fp_in, (size_t)len, fp);
	s = d->q[Q_INCIDENT_FIND];
	sqlite3_bind_blob(s, 1, fp, sizeof(fp), SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (long long)now - SC_DEDUP_WINDOW);
	joined = sqlite3_step(s) == SQLITE_ROW;
	incident = joined ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (joined) {
		s = d->q[Q_INCIDENT_JOIN];
		sqlite3_bind_int64(s, 1, incident);
		sqlite3_bind_int64(s, 2, now);
		sqlite3_bind_int(s, 3, 2);
		sqlite3_bind_int(s, 4, 1);
		sc_step(d, Q_INCIDENT_JOIN);
	} else {
		incident = ++d->incident;
		snprintf(inc_code, sizeof(inc_code), "IN-%s-%06lld", day,
		    incident);
		s = d->q[Q_INCIDENT_ADD];
		sqlite3_bind_int64(s, 1, incident);
		sqlite3_bind_text(s, 2, inc_code, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, fp, sizeof(fp), SQLITE_STATIC);
		sqlite3_bind_text(s, 4, sc_categories[h % 7], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 5, 2);
		sqlite3_bind_int(s, 6, 1);
		sqlite3_bind_int64(s, 7, now);
		sc_step(d, Q_INCIDENT_ADD);
		s = d->q[Q_AUDIT_ADD];
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_text(s, 2, inc_code, -1, SQLITE_STATIC);
		sc_step(d, Q_AUDIT_ADD);
	}

	s = d->q[Q_REPORT_ADD];
	snprintf(code, sizeof(code), "IR-%s-%06lld", day, ++d->report);
	sqlite3_bind_int64(s, 1, d->report);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, incident);
	sqlite3_bind_int64(s, 4, d->evidence);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_text(s, 6, sc_categories[h % 7], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, ext, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, desc, (int)dlen, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, "2026-11-21T10:04:05Z", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 10, joined);
	sc_step(d, Q_REPORT_ADD);

	s = d->q[Q_INDICATOR_ADD];
	for (i = 0; i < nind; i++) {
		sqlite3_bind_int64(s, 1, d->report);
		sqlite3_bind_text(s, 2, types[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, vals[i], -1, SQLITE_STATIC);
		sc_step(d, Q_INDICATOR_ADD);
	}

	s = d->q[Q_SOURCE_ADD];
	sqlite3_bind_int64(s, 1, incident);
	sqlite3_bind_text(s, 2, "bench", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, "line", -1, SQLITE_STATIC);
	sc_step(d, Q_SOURCE_ADD);

	sc_step(d, Q_RELEASE);
}

/* One run: batch reports per transaction for `seconds', on a fresh DB. */
static void
sc_run(const char *dir, int batch, int seconds, int size, double fsync_ms)
{
	struct sc_db	 d;
	struct tm	 tm;
	char		 path[4096], day[16];
	double		 t0, t, tc, commit = 0;
	uint64_t	 n = 0, commits = 0;
	time_t		 now = time(NULL);
	int		 i;

	snprintf(path, sizeof(path), "%s/ceiling-%d.db", dir, batch);
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	sc_open(&d, path);
	t0 = t = now_s();
	while (t - t0 < seconds) {
		sc_begin(&d);
		for (i = 0; i < batch; i++)
			sc_report(&d, n++, size, now, day);
		tc = now_s();
		sc_step(&d, Q_COMMIT);
		t = now_s();
		commit += t - tc;
		commits++;
	}
	sc_close(&d);
	printf("sqlite ceiling batch=%d: %.0f rows/s (fsync ~%.2f ms, "
	    "commit ~%.2f ms of %.2f ms per batch)\n", batch,
	    (double)n / (t - t0), fsync_ms, commit * 1000.0 / commits,
	    (t - t0) * 1000.0 / commits);
	fflush(stdout);
}

/* Remove the files of our temporary directory, then the directory. */
static void
rm_dir(const char *dir)
{
	DIR		*dp;
	struct dirent	*de;
	char		 path[4096];

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	const char	*parent = NULL;
	char		 dir[2048];
	int		 batches[SC_MAX_BATCHES], nbatches = 0, seconds = 5;
	int		 size = 1024, ch, i;
	double		 fsync_ms;

	while ((ch = getopt(argc, argv, "b:d:D:s:")) != -1) {
		switch (ch) {
		case 'b':
			if (nbatches == SC_MAX_BATCHES)
				sc_fatal("at most %d -b", SC_MAX_BATCHES);
			batches[nbatches++] = (int)num_arg(ch, optarg, 1,
			    1000000);
			break;
		case 'd':
			seconds = (int)num_arg(ch, optarg, 1, 3600);
			break;
		case 'D':
			parent = optarg;
			break;
		case 's':
			size = (int)num_arg(ch, optarg, 256, 16000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (nbatches == 0) {
		batches[nbatches++] = 100;
		batches[nbatches++] = 256;
		batches[nbatches++] = 1000;
	}
	if (parent == NULL && (parent = getenv("TMPDIR")) == NULL)
		parent = "/tmp";
	snprintf(dir, sizeof(dir), "%s/sqlite_ceiling.XXXXXX", parent);
	if (mkdtemp(dir) == NULL)
		sc_fatal("mkdtemp %s: %s", dir, strerror(errno));

	fsync_ms = fsync_cost(dir);
	printf("fsync of a small file: ~%.3f ms (average of %d)\n", fsync_ms,
	    SC_FSYNC_ROUNDS);
	fflush(stdout);
	for (i = 0; i < nbatches; i++)
		sc_run(dir, batches[i], seconds, size, fsync_ms);
	rm_dir(dir);
	return 0;
}
