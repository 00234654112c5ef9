/*
 * licence.h: the licence rule applied when a migration completes
 * (SPEC §1, "Licences after migration").  Pure.
 */
#ifndef MSCAGENT_LICENCE_H
#define MSCAGENT_LICENCE_H

#include <stdint.h>

#include "workload.h"

/*
 * Given each workload's expiry before migration (DATE_NONE when the
 * tenant has no licence for it) and the completion date, fills after[]:
 * every SaaS/endpoint workload the tenant has gets the latest expiry
 * among its SaaS/endpoint licences, capped at three years after the
 * completion date (29 February clamps to 28 February); hybrid keeps its
 * own expiry; a workload not in the set, or with no SaaS expiry at all,
 * gets DATE_NONE.
 */
void	 licence_after_migration(unsigned workloads,
	    const int32_t before[WORKLOAD_COUNT], int32_t completed,
	    int32_t after[WORKLOAD_COUNT]);

#endif
