/*
 * tenant.h: a tenant and a service plan as the core sees them, the
 * checks on their fields as they come in, the preflight (SPEC §1) and
 * plan eligibility.  Pure: no database, no clock.
 */
#ifndef MSCAGENT_TENANT_H
#define MSCAGENT_TENANT_H

#include <stdint.h>

#include "fsm.h"
#include "workload.h"

#define TENANT_NAME_MAX		256	/* bytes of UTF-8 */
#define TENANT_EDITION_MAX	64
#define TENANT_EMAIL_MAX	320	/* longer than any valid address, so
					   the preflight can say why */
#define PLAN_NAME_MAX		128

struct tenant {
	int64_t			 id;
	char			*name;
	char			*customer_admin;
	char			*msp_admin;
	unsigned		 workloads;	/* WORKLOAD_BIT set */
	char			*edition;
	char			*language;	/* BCP 47, normalized (lang.h);
						   NULL: [agent] language */
	int			 suspended;
	enum tenant_state	 state;
	int64_t			 plan_id;	/* 0: none chosen */
	int64_t			 generation;	/* token generation */
	int32_t			 expires[WORKLOAD_COUNT]; /* DATE_NONE: no licence */
	int32_t			 after[WORKLOAD_COUNT];	  /* after migration */
	struct strvec		 blocked_reasons;
	int64_t			 created_at;
	int64_t			 state_since;	/* time of the last transition */
};

struct plan {
	int64_t		 id;
	char		*name;
	char		*edition;
	unsigned	 products;	/* WORKLOAD_BIT set */
};

/* Sets every field to its empty value (no licences, no plan). */
void	 tenant_init(struct tenant *);
/* Frees the strings; the struct itself is the caller's. */
void	 tenant_clear(struct tenant *);
void	 plan_clear(struct plan *);

/*
 * Checks the fields a person or a CSV file gives when registering a
 * tenant: name, edition and addresses are text (text_check) within their
 * limits; every licence is for one of the tenant's workloads; the
 * language, when there is one, is a tag in its normal form (lang.h).  Address
 * syntax is the preflight's job, so that a bad address can be registered,
 * blocked and fixed.  Returns 0, or -1 with an ERR_INPUT error.
 */
int	 tenant_check_input(const struct tenant *, struct err *);

/*
 * Sets the tenant's language to tag, normalized (lang.h); "" clears it,
 * so that the tenant follows [agent] language again.  Returns 0, or -1
 * with an ERR_INPUT error naming what is wrong, the tenant unchanged.
 */
int	 tenant_set_language(struct tenant *, const char *tag, struct err *);

/* Checks a plan's name and edition; products must not be empty. */
int	 plan_check_input(const struct plan *, struct err *);

/*
 * The preflight: a name that is not blank (only spaces), every address
 * valid, not suspended, at least one workload.  Appends one human-readable reason per problem found (all of
 * them, not only the first) and returns how many it found.
 */
size_t	 tenant_preflight(const struct tenant *, struct strvec *reasons);

/* 1 when the plan's edition equals the tenant's (ignoring ASCII case) and
 * its products cover all the tenant's workloads. */
int	 plan_is_eligible(const struct plan *, const struct tenant *);

/* 1 or 2 (SPEC §1). */
int	 tenant_workflow(const struct tenant *);

#endif
