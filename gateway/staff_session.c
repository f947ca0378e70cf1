/*
 * staff_session.c - the staff view's sessions (see staff.h): a fixed
 * table of STAFF_SESSIONS_MAX slots on the loop thread.
 *
 * A slot keeps the SHA-256 of the session's id, never the id: a copy of
 * the daemon's memory gives no cookie that works. Looking an id up hashes
 * it and compares it with every slot in constant time (the table is
 * small). Expiry is checked on every look-up: idle (no request for
 * `idle' seconds) or old (`lifetime' seconds since sign-in) sessions end
 * there. When the table is full, a new session takes the slot of the one
 * used least recently, so sign-ins never fail for want of room (a token
 * able to sign in is needed to push others out).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "staff.h"
#include "util.h"

struct staff_slot {
	int			 used;
	unsigned char		 id_hash[32];
	time_t			 created;
	time_t			 last_used;
	struct staff_session_info info;
};

struct staff_sessions {
	long long		 idle;
	long long		 lifetime;
	struct staff_slot	 slots[STAFF_SESSIONS_MAX];
};

struct staff_sessions *
staff_sessions_new(long long idle, long long lifetime)
{
	struct staff_sessions	*ss = xcalloc(1, sizeof(*ss));

	ss->idle = idle > 0 ? idle : 1;
	ss->lifetime = lifetime > 0 ? lifetime : 1;
	return ss;
}

/* Forget a slot, its secrets included. */
static void
staff_slot_clear(struct staff_slot *sl)
{
	OPENSSL_cleanse(sl, sizeof(*sl));
}

void
staff_sessions_free(struct staff_sessions *ss)
{
	if (ss == NULL)
		return;
	OPENSSL_cleanse(ss, sizeof(*ss));
	free(ss);
}

/* Has the session of sl run out at now? */
static int
staff_slot_expired(const struct staff_sessions *ss,
    const struct staff_slot *sl, time_t now)
{
	return now - sl->last_used >= ss->idle ||
	    now - sl->created >= ss->lifetime || now < sl->created;
}

int
staff_session_open(struct staff_sessions *ss, const char *name,
    const char *role, const unsigned char token_hash[32], time_t now,
    char id_out[STAFF_ID_HEX + 1])
{
	unsigned char		 id[STAFF_ID_HEX / 2], csrf[STAFF_CSRF_HEX / 2];
	struct staff_slot	*sl = NULL, *lru = NULL;
	size_t			 i;

	if (RAND_bytes(id, sizeof(id)) != 1 ||
	    RAND_bytes(csrf, sizeof(csrf)) != 1)
		return -1;
	for (i = 0; i < STAFF_SESSIONS_MAX && sl == NULL; i++) {
		if (ss->slots[i].used &&
		    staff_slot_expired(ss, &ss->slots[i], now))
			staff_slot_clear(&ss->slots[i]);
		if (!ss->slots[i].used)
			sl = &ss->slots[i];
		else if (lru == NULL ||
		    ss->slots[i].last_used < lru->last_used)
			lru = &ss->slots[i];
	}
	if (sl == NULL)
		sl = lru;
	staff_slot_clear(sl);
	sl->used = 1;
	sl->created = sl->last_used = now;
	hex_encode(id, sizeof(id), id_out);
	sha256(id_out, STAFF_ID_HEX, sl->id_hash);
	hex_encode(csrf, sizeof(csrf), sl->info.csrf);
	snprintf(sl->info.name, sizeof(sl->info.name), "%s", name);
	snprintf(sl->info.role, sizeof(sl->info.role), "%s", role);
	memcpy(sl->info.token_hash, token_hash, 32);
	OPENSSL_cleanse(id, sizeof(id));
	OPENSSL_cleanse(csrf, sizeof(csrf));
	return 0;
}

/* The slot of id[0..len), or NULL; every used slot is compared. */
static struct staff_slot *
staff_slot_of(struct staff_sessions *ss, const char *id, size_t len)
{
	unsigned char		 h[32];
	struct staff_slot	*found = NULL;
	size_t			 i;

	if (id == NULL || len != STAFF_ID_HEX ||
	    strspn(id, "0123456789abcdef") < len)
		return NULL;
	sha256(id, len, h);
	for (i = 0; i < STAFF_SESSIONS_MAX; i++)
		if (ss->slots[i].used &&
		    CRYPTO_memcmp(ss->slots[i].id_hash, h, 32) == 0)
			found = &ss->slots[i];
	return found;
}

int
staff_session_find(struct staff_sessions *ss, const char *id, size_t len,
    time_t now, struct staff_session_info *out)
{
	struct staff_slot	*sl = staff_slot_of(ss, id, len);

	if (sl == NULL)
		return 0;
	if (staff_slot_expired(ss, sl, now)) {
		staff_slot_clear(sl);
		return 0;
	}
	sl->last_used = now;
	*out = sl->info;
	return 1;
}

void
staff_session_close(struct staff_sessions *ss, const char *id, size_t len)
{
	struct staff_slot	*sl = staff_slot_of(ss, id, len);

	if (sl != NULL)
		staff_slot_clear(sl);
}

size_t
staff_sessions_drop_token(struct staff_sessions *ss,
    const unsigned char token_hash[32])
{
	size_t	i, n = 0;

	for (i = 0; i < STAFF_SESSIONS_MAX; i++)
		if (ss->slots[i].used && CRYPTO_memcmp(
		    ss->slots[i].info.token_hash, token_hash, 32) == 0) {
			staff_slot_clear(&ss->slots[i]);
			n++;
		}
	return n;
}

size_t
staff_sessions_count(struct staff_sessions *ss, time_t now)
{
	size_t	i, n = 0;

	for (i = 0; i < STAFF_SESSIONS_MAX; i++) {
		if (ss->slots[i].used &&
		    staff_slot_expired(ss, &ss->slots[i], now))
			staff_slot_clear(&ss->slots[i]);
		n += ss->slots[i].used;
	}
	return n;
}

int
staff_csrf_equal(const char *want, const char *tok, size_t len)
{
	return want != NULL && tok != NULL && strlen(want) == STAFF_CSRF_HEX &&
	    len == STAFF_CSRF_HEX &&
	    CRYPTO_memcmp(want, tok, STAFF_CSRF_HEX) == 0;
}
