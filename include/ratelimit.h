/*
 * ratelimit.h - how many times a key was seen in the current fixed window
 * (the web form's reports per client address and per reporter e-mail per
 * hour). A bounded table of RATELIMIT_SLOTS entries, keyed by a hash of the
 * key: when a probe finds no room, the entry whose window is the oldest is
 * reused, so memory never grows and a flood of new keys can at worst make
 * the limiter forget someone (erring towards letting a person report).
 * Loop thread only.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <time.h>

struct ratelimit;

struct ratelimit *ratelimit_new(long long window_seconds);
void	ratelimit_free(struct ratelimit *rl);

/*
 * Count one event of key[0..len) at now, unless limit events were already
 * counted in its window. Returns 0 when counted, else the seconds until its
 * window ends (for Retry-After).
 */
long long ratelimit_hit(struct ratelimit *rl, const void *key, size_t len,
	    long long limit, time_t now);

/*
 * The same question without counting (e.g. failures are counted with
 * ratelimit_hit() only when they happen): 0 while fewer than limit events
 * were counted in key's window, else the seconds until it ends.
 */
long long ratelimit_check(struct ratelimit *rl, const void *key, size_t len,
	    long long limit, time_t now);

#endif
