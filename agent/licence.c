/* licence.c: the licence expiries a tenant gets when its migration ends. */
#include "date.h"
#include "licence.h"

#define LICENCE_CAP_YEARS 3

/*
 * Only the licences of workloads the tenant has count: a date left in
 * before[] for a workload outside the set is not the tenant's licence.
 */
static int32_t
latest_saas_expiry(unsigned workloads, const int32_t before[WORKLOAD_COUNT])
{
	int32_t latest = DATE_NONE;
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(WORKLOAD_SAAS & workloads & WORKLOAD_BIT(w)))
			continue;
		if (before[w] != DATE_NONE && before[w] > latest)
			latest = before[w];
	}
	return latest;
}

void
licence_after_migration(unsigned workloads,
    const int32_t before[WORKLOAD_COUNT], int32_t completed,
    int32_t after[WORKLOAD_COUNT])
{
	int32_t merged, cap;
	int w;

	merged = latest_saas_expiry(workloads, before);
	cap = date_add_years(completed, LICENCE_CAP_YEARS);
	if (merged != DATE_NONE && cap != DATE_NONE && merged > cap)
		merged = cap;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(workloads & WORKLOAD_BIT(w)))
			after[w] = DATE_NONE;
		else if (WORKLOAD_SAAS & WORKLOAD_BIT(w))
			after[w] = merged;
		else
			after[w] = before[w];
	}
}
