/*
 * t.h - the smallest unit-test harness: CHECK counts one assertion, a failed
 * one prints where and what; t_done() prints "N passed, N failed" and gives
 * the exit status. Include once per test program.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

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

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
