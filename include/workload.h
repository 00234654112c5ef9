/*
 * workload.h: the products a tenant uses and a plan covers (SPEC §1), as
 * a bit set, with their names in one table.
 */
#ifndef MSCAGENT_WORKLOAD_H
#define MSCAGENT_WORKLOAD_H

#include "util.h"

enum workload {
	WORKLOAD_HYBRID = 0,
	WORKLOAD_M365,
	WORKLOAD_GWS,
	WORKLOAD_ENDPOINTS,
	WORKLOAD_COUNT,
};

#define WORKLOAD_BIT(w)	(1u << (w))
#define WORKLOAD_ALL	((1u << WORKLOAD_COUNT) - 1)
/* The SaaS and endpoint workloads, whose licences are merged (SPEC §1). */
#define WORKLOAD_SAAS	(WORKLOAD_BIT(WORKLOAD_M365) | \
			 WORKLOAD_BIT(WORKLOAD_GWS) | \
			 WORKLOAD_BIT(WORKLOAD_ENDPOINTS))

/* "hybrid", "m365", "gws", "endpoints". */
const char *workload_name(enum workload);
/* "Hybrid workloads", "Microsoft 365", "Google Workspace", "Endpoints". */
const char *workload_title(enum workload);
/* Returns the workload for a name (exact, lower case), or -1. */
int	 workload_from_name(const char *);

/*
 * Parses a list like "m365,endpoints" (separators: ',' ';' and spaces;
 * an empty list gives 0).  An unknown or repeated name is an ERR_INPUT
 * error naming it.  Returns 0 or -1.
 */
int	 workloads_parse(const char *, unsigned *set, struct err *);
/* Formats a set as "m365,endpoints" in table order; caller frees. */
char	*workloads_format(unsigned set, const char *sep);

/* 1 for Workflow 1 (any hybrid workload), else 2 (SPEC §1). */
int	 workloads_workflow(unsigned set);

#endif
