/*
 * test_staff_session.c - the staff view's session table: ids (random,
 * 256 bits, hex), look-ups (exact ids only), idle and
 * absolute expiry at their edges, sign-out, a revoked token's sessions,
 * a full table pushing out the session used least recently, and the
 * form token compared exactly.
 */
#include <stdio.h>
#include <string.h>

#include "staff.h"
#include "t.h"
#include "util.h"

static const unsigned char tok_a[32] = { 1, 2, 3 };
static const unsigned char tok_b[32] = { 9, 8, 7 };

static void
test_open_find(void)
{
	struct staff_sessions		*ss = staff_sessions_new(60, 3600);
	struct staff_session_info	 si;
	char				 id[STAFF_ID_HEX + 1];
	char				 id2[STAFF_ID_HEX + 1];
	char				 bad[STAFF_ID_HEX + 1];

	CHECK(staff_session_open(ss, "alice", "triage", tok_a, 1000, id) == 0);
	CHECK(strlen(id) == STAFF_ID_HEX);
	CHECK(strspn(id, "0123456789abcdef") == STAFF_ID_HEX);
	CHECK(staff_session_open(ss, "alice", "triage", tok_a, 1000, id2) == 0);
	CHECK(strcmp(id, id2) != 0);
	memset(&si, 0, sizeof(si));
	CHECK(staff_session_find(ss, id, strlen(id), 1001, &si) == 1);
	CHECK_STR(si.name, "alice");
	CHECK_STR(si.role, "triage");
	CHECK(memcmp(si.token_hash, tok_a, 32) == 0);
	CHECK(strlen(si.csrf) == STAFF_CSRF_HEX);
	CHECK(staff_csrf_equal(si.csrf, si.csrf, STAFF_CSRF_HEX));
	/* each session its own form token */
	{
		struct staff_session_info	si2;

		CHECK(staff_session_find(ss, id2, strlen(id2), 1001, &si2));
		CHECK(strcmp(si.csrf, si2.csrf) != 0);
		CHECK(!staff_csrf_equal(si.csrf, si2.csrf, STAFF_CSRF_HEX));
	}
	/* only the exact id */
	snprintf(bad, sizeof(bad), "%s", id);
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	CHECK(staff_session_find(ss, bad, strlen(bad), 1001, &si) == 0);
	CHECK(staff_session_find(ss, id, strlen(id) - 1, 1001, &si) == 0);
	snprintf(bad, sizeof(bad), "%s", id);
	for (size_t i = 0; i < STAFF_ID_HEX; i++)
		if (bad[i] >= 'a')
			bad[i] -= 32;	/* upper case */
	CHECK(staff_session_find(ss, bad, strlen(bad), 1001, &si) ==
	    (strcmp(bad, id) == 0));
	CHECK(staff_session_find(ss, NULL, 0, 1001, &si) == 0);
	CHECK(staff_session_find(ss, "", 0, 1001, &si) == 0);
	CHECK(staff_sessions_count(ss, 1001) == 2);
	staff_session_close(ss, id, strlen(id));
	CHECK(staff_session_find(ss, id, strlen(id), 1002, &si) == 0);
	CHECK(staff_session_find(ss, id2, strlen(id2), 1002, &si) == 1);
	CHECK(staff_sessions_count(ss, 1002) == 1);
	staff_sessions_free(ss);
}

static void
test_expiry(void)
{
	struct staff_sessions		*ss = staff_sessions_new(60, 300);
	struct staff_session_info	 si;
	char				 id[STAFF_ID_HEX + 1];

	/* idle: 59 s after the last use still fine, 60 s not */
	CHECK(staff_session_open(ss, "a", "admin", tok_a, 1000, id) == 0);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 1059, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 1118, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 1178, &si) == 0);
	/* once expired, gone even if asked earlier again */
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 1100, &si) == 0);
	/* absolute: used every 50 s, it ends 300 s after sign-in */
	CHECK(staff_session_open(ss, "a", "admin", tok_a, 2000, id) == 0);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2050, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2100, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2150, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2200, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2250, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2299, &si) == 1);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 2300, &si) == 0);
	/* a clock that went back does not revive or extend one */
	CHECK(staff_session_open(ss, "a", "admin", tok_a, 5000, id) == 0);
	CHECK(staff_session_find(ss, id, STAFF_ID_HEX, 4000, &si) == 0);
	CHECK(staff_sessions_count(ss, 5000) == 0);
	staff_sessions_free(ss);
}

static void
test_revoked_and_full(void)
{
	struct staff_sessions		*ss = staff_sessions_new(3600, 86400);
	struct staff_session_info	 si;
	static char		 ids[STAFF_SESSIONS_MAX][STAFF_ID_HEX + 1];
	char				 a1[STAFF_ID_HEX + 1], a2[STAFF_ID_HEX + 1];
	char				 b1[STAFF_ID_HEX + 1], extra[STAFF_ID_HEX + 1];
	size_t				 i, alive;

	CHECK(staff_session_open(ss, "a", "triage", tok_a, 100, a1) == 0);
	CHECK(staff_session_open(ss, "a", "triage", tok_a, 100, a2) == 0);
	CHECK(staff_session_open(ss, "b", "triage", tok_b, 100, b1) == 0);
	CHECK(staff_sessions_drop_token(ss, tok_a) == 2);
	CHECK(staff_session_find(ss, a1, STAFF_ID_HEX, 101, &si) == 0);
	CHECK(staff_session_find(ss, a2, STAFF_ID_HEX, 101, &si) == 0);
	CHECK(staff_session_find(ss, b1, STAFF_ID_HEX, 101, &si) == 1);
	CHECK(staff_sessions_drop_token(ss, tok_a) == 0);
	staff_session_close(ss, b1, STAFF_ID_HEX);
	/* a full table: the one used least recently makes room */
	for (i = 0; i < STAFF_SESSIONS_MAX; i++)
		CHECK(staff_session_open(ss, "a", "triage", tok_a,
		    (time_t)(1000 + i), ids[i]) == 0);
	CHECK(staff_sessions_count(ss, 2000) == STAFF_SESSIONS_MAX);
	/* session 0 is used now: session 1 is the least recent */
	CHECK(staff_session_find(ss, ids[0], STAFF_ID_HEX, 2000, &si) == 1);
	CHECK(staff_session_open(ss, "b", "admin", tok_b, 2001, extra) == 0);
	CHECK(staff_sessions_count(ss, 2001) == STAFF_SESSIONS_MAX);
	CHECK(staff_session_find(ss, ids[1], STAFF_ID_HEX, 2002, &si) == 0);
	CHECK(staff_session_find(ss, ids[0], STAFF_ID_HEX, 2002, &si) == 1);
	CHECK(staff_session_find(ss, extra, STAFF_ID_HEX, 2002, &si) == 1);
	CHECK_STR(si.name, "b");
	for (i = 2, alive = 0; i < STAFF_SESSIONS_MAX; i++)
		alive += staff_session_find(ss, ids[i], STAFF_ID_HEX, 2002,
		    &si);
	CHECK(alive == STAFF_SESSIONS_MAX - 2);
	staff_sessions_free(ss);
}

static void
test_csrf(void)
{
	char	want[STAFF_CSRF_HEX + 1], other[STAFF_CSRF_HEX + 1];

	memset(want, 'a', STAFF_CSRF_HEX);
	want[STAFF_CSRF_HEX] = '\0';
	memcpy(other, want, sizeof(other));
	other[STAFF_CSRF_HEX - 1] = 'b';
	CHECK(staff_csrf_equal(want, want, STAFF_CSRF_HEX));
	CHECK(!staff_csrf_equal(want, other, STAFF_CSRF_HEX));
	CHECK(!staff_csrf_equal(want, want, STAFF_CSRF_HEX - 1));
	CHECK(!staff_csrf_equal(want, NULL, 0));
	CHECK(!staff_csrf_equal(NULL, want, STAFF_CSRF_HEX));
	CHECK(!staff_csrf_equal("", "", 0));	/* no session: no token */
}

int
main(void)
{
	test_open_find();
	test_expiry();
	test_revoked_and_full();
	test_csrf();
	return t_done();
}
