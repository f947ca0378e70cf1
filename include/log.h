/*
 * log.h - logging to stderr with a level, one line per event (journald adds
 * the time). Only gateway/ logs; parsers/ return errors instead.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
int log_level_parse(const char *s, enum log_level *out);	/* 0 or -1 */
/* Reopen stderr onto path (SIGHUP); NULL keeps stderr. 0 or -1. */
int log_reopen(const char *path);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For programming errors only: logs and aborts. Never for remote input. */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
