/*
 * view.h: how tenants and plans are shown — the stable JSON documents of
 * SPEC §2 (also served by the listener's API) and the aligned text the
 * CLI prints for people.
 */
#ifndef MSCAGENT_VIEW_H
#define MSCAGENT_VIEW_H

#include <stdio.h>

#include <jansson.h>

#include "store.h"

/* What a tenant document holds besides the tenant row itself. */
struct tenant_extra {
	const struct plan		*plan;		/* NULL: none chosen */
	const struct token_info		*token;		/* NULL: no token */
	int				 with_history;
	const struct history_entry	*history;
	size_t				 nhistory;
	int				 with_mails;
	const struct outbox_entry	*mails;
	size_t				 nmails;
	const char			*language;	/* [agent] language:
							   shown for a tenant
							   without its own;
							   NULL: "en" */
};

/*
 * New references; caller json_decref()s.  A tenant's "language" is the
 * one that applies: its own, else the extra's default.
 */
json_t	*view_tenant_json(const struct tenant *, const struct tenant_extra *);
json_t	*view_plan_json(const struct plan *);

/* Writes j as one document (UTF-8, keys in a fixed order, newline). */
void	 view_print_json(FILE *, json_t *);

/* The human forms. */
void	 view_tenant_text(FILE *, const struct tenant *,
	    const struct tenant_extra *);
/* One row of "tenant list"; header when t is NULL. */
void	 view_tenant_row(FILE *, const struct tenant *);
/* The same fitted to a terminal of columns (0: no limit): a name that
 * would wrap is cut, ending in "…" (never to fewer than 8 columns). */
void	 view_tenant_row_fit(FILE *, const struct tenant *, size_t columns);
void	 view_plan_row(FILE *, const struct plan *);

/*
 * A console account (`user list`): name, role, must_change_password,
 * totp_enrolled, created_at; never a hash or a secret.  The row is the
 * text form, its header when u is NULL.
 */
json_t	*view_user_json(const struct console_user *);
void	 view_user_row(FILE *, const struct console_user *);

#endif
