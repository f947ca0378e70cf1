/*
 * budget.h - the daemon-wide memory budget: the bytes held for work in
 * progress (messages being received, submissions waiting for a parser or
 * the store). Taking is refused once the total would pass [daemon]
 * memory_budget; the caller answers with a temporary failure (ILP 451, SMTP
 * 451 4.3.2) while everything already accepted goes on. Per-session bounds
 * (line length, message size, output) stay in force beside it.
 *
 * Once a take has been refused, the daemon sheds NEW work (new_work = 1:
 * a REPORT, a MAIL) until what it holds falls back to half the limit, so
 * that it does not thrash at the edge; work already under way (a message
 * being received) may still grow up to the limit itself.
 *
 * Thread-safe (atomics): a reservation may be given back on any thread.
 */
#ifndef BUDGET_H
#define BUDGET_H

#include <stddef.h>

void	budget_set_limit(size_t bytes);
/*
 * Take n bytes: 0, or -1 (nothing taken) when over the limit, or, for new
 * work, while shedding.
 */
int	budget_take(size_t n, int new_work);
void	budget_give(size_t n);
size_t	budget_used(void);
/* New work is refused right now. */
int	budget_exhausted(void);

#endif
