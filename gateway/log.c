/*
 * log.c - leveled logging to stderr, one line per call. Under systemd the
 * journal adds time and priority; the "<N>" prefix (sd-daemon(3)) maps our
 * levels onto syslog priorities.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level	log_threshold = LOG_LVL_INFO;
static int		log_to_journal = -1;	/* decided on first use */

static const struct {
	const char	*name;
	int		 syslog_prio;
} log_levels[] = {
	[LOG_LVL_ERROR] = { "error", 3 },
	[LOG_LVL_WARN] = { "warn", 4 },
	[LOG_LVL_INFO] = { "info", 6 },
	[LOG_LVL_DEBUG] = { "debug", 7 },
};

void
log_set_level(enum log_level lvl)
{
	log_threshold = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcmp(s, log_levels[i].name) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int
log_reopen(const char *path)
{
	int	fd;

	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void
log_vwrite(enum log_level lvl, const char *fmt, va_list ap)
{
	char	line[2048];
	int	n;

	if (lvl > log_threshold)
		return;
	/* the journal reads "<N>" as the priority; a terminal reads words */
	if (log_to_journal == -1)
		log_to_journal = getenv("JOURNAL_STREAM") != NULL;
	if (log_to_journal)
		n = snprintf(line, sizeof(line), "<%d>",
		    log_levels[lvl].syslog_prio);
	else
		n = snprintf(line, sizeof(line), "intaked: %s: ",
		    log_levels[lvl].name);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	/* one write per line so concurrent threads never interleave */
	n = strlen(line);
	if (n < (int)sizeof(line) - 1)
		line[n++] = '\n';
	else
		line[sizeof(line) - 2] = '\n', n = sizeof(line) - 1;
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(fn, lvl)					\
void							\
fn(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(lvl, fmt, ap);			\
	va_end(ap);					\
}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	abort();
}
