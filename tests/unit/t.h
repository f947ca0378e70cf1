/*
 * t.h - the smallest unit-test harness: CHECK counts one assertion, a failed
 * one prints where and what; T_SKIP counts one test (or part) that could not
 * run and prints why; t_done() prints "N passed, N failed, N skipped" and
 * gives the exit status (1 only when something failed). A program that
 * cannot run at all ends with "return t_skip_all(why...)". Include once per
 * test program.
 */
#ifndef T_H
#define T_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int t_passed, t_failed, t_skipped;

#define CHECK(cond) do {						\
	if (cond)							\
		t_passed++;						\
	else {								\
		t_failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *t_g = (got), *t_w = (want);				\
	if (t_g != NULL && t_w != NULL && strcmp(t_g, t_w) == 0)	\
		t_passed++;						\
	else {								\
		t_failed++;						\
		printf("FAIL %s:%d: %s is \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, #got, t_g ? t_g : "(null)",	\
		    t_w ? t_w : "(null)");				\
	}								\
} while (0)

/* One skipped test: "SKIP file:line: reason", counted in t_skipped. */
#define T_SKIP(...)	t_skip(__FILE__, __LINE__, __VA_ARGS__)

static inline void __attribute__((format(printf, 3, 4)))
t_skip(const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	t_skipped++;
	printf("SKIP %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int
t_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed,
	    t_skipped);
	fflush(stdout);
	return t_failed ? 1 : 0;
}

/* The whole program is skipped: counts one skip, returns t_done(). */
#define t_skip_all(...)	(T_SKIP(__VA_ARGS__), t_done())

#endif
