/*
 * staff_stats.c - the statistics page (GET /triage/stats?period=P): the
 * API's statistics (stats_compute, on a reader, for a quarter, half-year
 * or year in the [stats] time zone) shown as the figures, the Mẫu 05
 * table and SVG charts of the incidents per week, category, channel and
 * severity, drawn by the page (page_staff.c: no script, printable on A4).
 * Without a period, the current quarter; links to the quarters, halves
 * and years around it. A period that is not one shows the form again
 * with a notice (400).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "gateway.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "readers.h"
#include "staff.h"
#include "staff_int.h"
#include "stats.h"
#include "store_read.h"
#include "tzif.h"
#include "util.h"

#define STAFF_PERIOD_LINKS	6

struct staff_stats {
	struct http_ticket		 ticket;
	struct gateway			*gw;
	struct stats_period		 period;
	char				 links[STAFF_PERIOD_LINKS][16];
	const char			*link_ptrs[STAFF_PERIOD_LINKS];
	/* the reader's answer */
	int				 rc;
	char				 err[256];
	json_t				*out;
	struct staff_mem		 mem;
	struct page_staff		 st;
};

static void
staff_stats_free(struct staff_stats *t)
{
	json_decref(t->out);
	staff_mem_free(&t->mem);
	free(t);
}

/* The local year and month of now. */
static void
staff_stats_now(int *year, int *month)
{
	long long	t = time(NULL), local, y;
	int		m, d;

	local = t + tzif_offset(staff_tz(), t);
	tzif_civil_from_days(local / 86400, &y, &m, &d);
	*year = (int)y;
	*month = m;
}

/* This quarter, the last, this half, the last, this year, the last. */
static void
staff_stats_links(struct staff_stats *t, int year, int month)
{
	int	q = (month - 1) / 3 + 1, h = month <= 6 ? 1 : 2;
	size_t	i;

	snprintf(t->links[0], sizeof(t->links[0]), "%dQ%d", year, q);
	snprintf(t->links[1], sizeof(t->links[1]), "%dQ%d",
	    q == 1 ? year - 1 : year, q == 1 ? 4 : q - 1);
	snprintf(t->links[2], sizeof(t->links[2]), "%dH%d", year, h);
	snprintf(t->links[3], sizeof(t->links[3]), "%dH%d",
	    h == 1 ? year - 1 : year, h == 1 ? 2 : 1);
	snprintf(t->links[4], sizeof(t->links[4]), "%d", year);
	snprintf(t->links[5], sizeof(t->links[5]), "%d", year - 1);
	for (i = 0; i < STAFF_PERIOD_LINKS; i++)
		t->link_ptrs[i] = t->links[i];
	t->st.period_links = t->link_ptrs;
	t->st.n_period_links = STAFF_PERIOD_LINKS;
}

/* An object of counts ({"code": n}) as a list, in m. */
static const struct page_staff_count *
staff_counts(struct staff_mem *m, json_t *o, size_t *n)
{
	struct page_staff_count	*c;
	const char		*key;
	json_t			*v;
	size_t			 i = 0;

	*n = json_object_size(o);
	c = staff_mem_alloc(m, *n, sizeof(*c));
	json_object_foreach(o, key, v) {
		c[i].code = key;
		c[i++].count = json_integer_value(v);
	}
	return c;
}

/* Reader thread: the statistics, made into the page's values. */
static void
staff_stats_work(struct store_read *rd, void *arg)
{
	static const char *const handled[4] = {
		"handled_in_house", "domestic_help", "foreign_help",
		"coordinator_help"
	};
	struct staff_stats		*t = arg;
	struct page_staff		*st = &t->st;
	struct page_staff_mau05		*rows;
	struct page_staff_count		*weeks;
	json_t				*a, *o, *v;
	long long			 from, to;
	size_t				 i;
	int				 k;

	t->rc = rd == NULL ? STORE_READ_ERROR : stats_compute(rd, &t->gw->tax,
	    &t->period, staff_tz(), staff_tz_name(), &t->out, t->err,
	    sizeof(t->err));
	if (t->rc != STORE_READ_OK)
		return;
	stats_period_bounds(&t->period, staff_tz(), &from, &to);
	st->period_from = staff_local_unix(&t->mem, from);
	st->period_to = staff_local_unix(&t->mem, to);
	st->total = json_integer_value(json_object_get(t->out, "total"));
	st->verified = json_integer_value(json_object_get(t->out,
	    "verified"));
	v = json_object_get(t->out, "median_seconds_to_claim");
	st->median_claim = json_is_integer(v) ? json_integer_value(v) : -1;
	v = json_object_get(t->out, "median_seconds_to_resolve");
	st->median_resolve = json_is_integer(v) ? json_integer_value(v) : -1;
	a = json_object_get(t->out, "mau05");
	rows = staff_mem_alloc(&t->mem, json_array_size(a), sizeof(*rows));
	json_array_foreach(a, i, o) {
		rows[i].row = (int)json_integer_value(json_object_get(o,
		    "row"));
		rows[i].label = staff_json_str(o, "label");
		rows[i].count = json_integer_value(json_object_get(o,
		    "count"));
		for (k = 0; k < 4; k++)
			rows[i].handled[k] = json_integer_value(
			    json_object_get(o, handled[k]));
	}
	st->mau05 = rows;
	st->n_mau05 = json_array_size(a);
	a = json_object_get(t->out, "by_week");
	weeks = staff_mem_alloc(&t->mem, json_array_size(a), sizeof(*weeks));
	json_array_foreach(a, i, o) {
		weeks[i].code = staff_json_str(o, "week");
		weeks[i].count = json_integer_value(json_object_get(o,
		    "count"));
	}
	st->by_week = weeks;
	st->n_by_week = json_array_size(a);
	st->by_category = staff_counts(&t->mem, json_object_get(t->out,
	    "by_category"), &st->n_by_category);
	st->by_channel = staff_counts(&t->mem, json_object_get(t->out,
	    "by_channel"), &st->n_by_channel);
	st->by_severity = staff_counts(&t->mem, json_object_get(t->out,
	    "by_severity"), &st->n_by_severity);
}

/* The page: t's statistics, or the form alone with notice. */
static void
staff_stats_show(struct http_exchange *ex, struct staff_stats *t,
    int status, const char *notice)
{
	struct page_vars	v;
	struct page_staff	st;

	staff_vars(ex, &v, &st);
	t->st.user = st.user;
	t->st.tz = st.tz;
	t->st.notice = notice;
	if (notice == NULL)
		t->st.period = t->period.name;
	else
		t->st.median_claim = t->st.median_resolve = -1;
	v.staff = &t->st;
	http_reply_page(ex, status, PAGE_STAFF_STATS, &v);
}

static void
staff_stats_done(void *arg)
{
	struct staff_stats	*t = arg;
	struct http_exchange	*ex = http_exchange_find(&t->ticket);

	if (ex == NULL)
		;
	else if (t->rc == STORE_READ_OK)
		staff_stats_show(ex, t, 200, NULL);
	else {
		log_warn("staff: statistics: %s", t->err);
		http_reply_error(ex, 503, "store unavailable", NULL);
	}
	staff_stats_free(t);
}

void
staff_get_stats(struct http_exchange *ex)
{
	struct staff_stats	*t = xcalloc(1, sizeof(*t));
	char			 p[16] = "";
	int			 year, month, rc = 0;

	staff_stats_now(&year, &month);
	staff_stats_links(t, year, month);
	if (ex->req->query != NULL)
		rc = http_query_param(ex->req->query, ex->req->query_len,
		    "period", p, sizeof(p), NULL);
	if (rc <= 0 || p[0] == '\0')
		snprintf(p, sizeof(p), "%s", t->links[0]);
	if (rc == -1 || stats_period_parse(p, &t->period) == -1) {
		staff_stats_show(ex, t, 400, "staff.stats.bad-period");
		staff_stats_free(t);
		return;
	}
	t->gw = ex->gw;
	t->ticket = http_exchange_ticket(ex);
	http_exchange_wait(ex);
	readers_run(ex->gw->readers, staff_stats_work, staff_stats_done, t);
}
