/*
 * budget.c - the daemon-wide memory budget (see budget.h). One counter,
 * updated with compare-and-swap so that two takers can never pass the
 * limit together, and a flag for shedding new work, set by a refusal and
 * cleared when half the limit is free again.
 */
#include <stdatomic.h>

#include "budget.h"
#include "log.h"

static atomic_size_t	budget_limit = (size_t)-1;
static atomic_size_t	budget_held;
static atomic_int	budget_shedding;

void
budget_set_limit(size_t bytes)
{
	atomic_store(&budget_limit, bytes);
}

int
budget_take(size_t n, int new_work)
{
	size_t	held = atomic_load(&budget_held);
	size_t	limit = atomic_load(&budget_limit);

	if (new_work && atomic_load(&budget_shedding))
		return -1;
	do {
		if (n > limit || held > limit - n) {
			if (!atomic_exchange(&budget_shedding, 1))
				log_warn("memory budget of %zu bytes reached:"
				    " refusing new work", limit);
			return -1;
		}
	} while (!atomic_compare_exchange_weak(&budget_held, &held,
	    held + n));
	return 0;
}

void
budget_give(size_t n)
{
	size_t	before = atomic_fetch_sub(&budget_held, n);

	if (before < n)
		fatalx("memory budget: gave back %zu bytes, held %zu", n,
		    before);
	if (before - n <= atomic_load(&budget_limit) / 2 &&
	    atomic_exchange(&budget_shedding, 0))
		log_info("memory budget: half free again, taking new work");
}

size_t
budget_used(void)
{
	return atomic_load(&budget_held);
}

int
budget_exhausted(void)
{
	return atomic_load(&budget_shedding) ||
	    atomic_load(&budget_held) >= atomic_load(&budget_limit);
}
