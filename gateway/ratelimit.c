/*
 * ratelimit.c - fixed-window counters in a bounded, open-addressed table
 * (see ratelimit.h). Keys are reduced to 16 bytes of their SHA-256, so a
 * client cannot aim its keys at one slot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "util.h"

#define RATELIMIT_SLOTS	65536	/* power of two */
#define RATELIMIT_PROBE	8

struct ratelimit_entry {
	unsigned char	key[16];
	time_t		window_start;	/* 0: free */
	long long	count;
};

struct ratelimit {
	long long		 window;
	struct ratelimit_entry	*slots;
};

struct ratelimit *
ratelimit_new(long long window_seconds)
{
	struct ratelimit	*rl = xcalloc(1, sizeof(*rl));

	rl->window = window_seconds > 0 ? window_seconds : 1;
	rl->slots = xcalloc(RATELIMIT_SLOTS, sizeof(*rl->slots));
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->slots);
	free(rl);
}

/* The entry of key: found, else a free or the stalest one, reset. */
static struct ratelimit_entry *
ratelimit_entry(struct ratelimit *rl, const unsigned char key[16], time_t now)
{
	struct ratelimit_entry	*e, *victim = NULL;
	uint32_t		 h;
	int			 i;

	memcpy(&h, key, sizeof(h));
	for (i = 0; i < RATELIMIT_PROBE; i++) {
		e = &rl->slots[(h + i) & (RATELIMIT_SLOTS - 1)];
		if (e->window_start != 0 && memcmp(e->key, key, 16) == 0)
			return e;
		if (victim == NULL || e->window_start < victim->window_start)
			victim = e;
	}
	memcpy(victim->key, key, 16);
	victim->window_start = now;
	victim->count = 0;
	return victim;
}

long long
ratelimit_hit(struct ratelimit *rl, const void *key, size_t len,
    long long limit, time_t now)
{
	unsigned char		 digest[32];
	struct ratelimit_entry	*e;

	sha256(key, len, digest);
	e = ratelimit_entry(rl, digest, now);
	if (now - e->window_start >= rl->window) {
		e->window_start = now;
		e->count = 0;
	}
	if (e->count >= limit)
		return e->window_start + rl->window - now;
	e->count++;
	return 0;
}

long long
ratelimit_check(struct ratelimit *rl, const void *key, size_t len,
    long long limit, time_t now)
{
	unsigned char		 digest[32];
	struct ratelimit_entry	*e;

	sha256(key, len, digest);
	e = ratelimit_entry(rl, digest, now);
	if (now - e->window_start >= rl->window || e->count < limit)
		return 0;
	return e->window_start + rl->window - now;
}
