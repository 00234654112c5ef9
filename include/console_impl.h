/*
 * console_impl.h: what the console's own files share, and nobody else
 * sees.
 *
 * console.c routes a request: it finds the route, loads the session
 * (console_session.c), refuses a POST without the session's CSRF token
 * or from another origin, and a role below the route's, then calls the
 * route's handler.  The handlers live by subject: console_auth.c
 * (signing in and out, the account, the second factor, the users),
 * console_view.c (the pages that only show: the dashboard, tenants,
 * outbox, inbox, plans, audit, and their CSV), console_act.c (the
 * actions on tenants, one or in bulk) and console_import.c (the CSV
 * import: an upload previewed, then the confirmed preview imported).
 *
 * console.c also holds what every handler uses (below): the fields of
 * the request, read with their limits, the layout's variables, the
 * answers, the audit.  The actions on tenants are one table,
 * console_actions[], that console_act.c acts on and the tenant page
 * offers; a list and a bulk action on "all matching" select through the
 * same store call, so that what is acted on is what was listed.
 *
 * A handler returns 0 with c->res filled, or -1 with c->err, which
 * console.c turns into a 500 page.  Tests call the handlers directly,
 * with a call whose user they set.
 */
#ifndef MSCAGENT_CONSOLE_IMPL_H
#define MSCAGENT_CONSOLE_IMPL_H

#include "console.h"
#include "fsm.h"
#include "tmpl.h"
#include "user.h"

#define CONSOLE_HTML	"text/html; charset=utf-8"
#define CONSOLE_CSV	"text/csv; charset=utf-8"
#define CONSOLE_TEXT	"text/plain; charset=utf-8"

/* One request being answered. */
struct console_call {
	struct console			*con;
	struct store			*st;
	const struct console_request	*req;
	int64_t				 now;
	struct console_response		*res;
	struct console_user		 user;		/* signed in: id > 0 */
	int64_t				 session_id;	/* its row; 0: none */
	char				*csrf;		/* the session's token */
	int64_t				 ids[2];	/* the numbers in the
							   path, in order */
	struct err			 err;
};

/* ---- console.c: what every handler uses ---- */

/* The field name of the request (query or form); NULL: absent. */
const char *console_param(const struct console_call *, const char *name);
/* The field as a positive number; 0 when absent or not one. */
int64_t	 console_param_id(const struct console_call *, const char *name);
/* s as such a number (1 to 18 digits, no leading 0), else 0; NULL: 0. */
int64_t	 console_parse_id(const char *s);
/*
 * The tenant list's search, field "q", into *q (NULL: none): 0, or -1
 * past CONSOLE_SEARCH_MAX, which the list and a bulk action refuse (a
 * search is shown, audited and matched as a LIKE pattern).
 */
#define CONSOLE_SEARCH_MAX	1024	/* bytes: the form's 256
					   characters, in UTF-8 */
int	 console_param_search(const struct console_call *, const char **q);
/* 1 when the field is "yes" (a checkbox, confirm=yes), else 0. */
int	 console_param_yes(const struct console_call *, const char *name);
/* "console:NAME", the actor of c's user in the history; caller frees. */
char	*console_actor(const struct console_call *);
/*
 * New variables for a page, with what the layout shows: user, role,
 * csrf (for every form's hidden field), is_operator, is_admin.
 */
struct tmpl_vars *console_vars(const struct console_call *);
/* Sets name to the time t for a person ("2026-12-01 12:00 UTC"), or to
 * "" for 0 (never). */
void	 console_set_time(struct tmpl_vars *, const char *name, int64_t t);
/* Renders mailtemplates/NAME.html (laid out in console_layout) with v,
 * which it frees, as the answer; 0, or -1 with c->err. */
int	 console_page(struct console_call *, unsigned status, const char *name,
	    struct tmpl_vars *v);
/* A page with a title and one paragraph (403, 404, 409, ...). */
void	 console_message(struct console_call *, unsigned status,
	    const char *title, const char *text);
/* A 303 to the path made from fmt (a path of this console). */
void	 console_redirect(struct console_call *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The answer body, taken. */
void	 console_body(struct console_call *, unsigned status, const char *type,
	    char *body, size_t len);
/* Appends an audit row for what c's user did to target (NULL: none),
 * from c's client address; 0, or -1 with c->err. */
int	 console_audit(struct console_call *, const char *action,
	    const char *target, const char *outcome, const char *detail);
/* As console_audit, for an answer that stands whatever: a failure is
 * logged, and c->err left as it was. */
void	 console_audit_logged(struct console_call *, const char *action,
	    const char *target, const char *outcome, const char *detail);

/* ---- console_session.c ---- */

/*
 * Loads the session the request's cookie names, if it is alive (idle
 * and absolute limits of [console]), touching it: returns 1 with
 * c->user, c->session_id and c->csrf set, 0 when there is none, -1 with
 * c->err.
 */
int	 console_session_load(struct console_call *);
/* 1 when a POST carries the session's CSRF token (field "csrf",
 * compared in constant time) and comes from the console's own origin
 * (Sec-Fetch-Site, Origin); else 0. */
int	 console_post_allowed(const struct console_call *);
void	 console_call_clear(struct console_call *);

/* A sign-in whose second factor is still to come lives this long. */
#define CONSOLE_PENDING_SECONDS	300

/* As console_session_load, for a session that waits for its second
 * factor (which opens nothing but the sign-in's second step). */
int	 console_session_load_pending(struct console_call *);
/*
 * A new session for the account user_id (pending: its second factor
 * still to come), with a new id and CSRF token: sets c->session_id,
 * c->csrf and the cookie of the answer.  0, or -1 with c->err.
 */
int	 console_session_start(struct console_call *, int64_t user_id,
	    int pending);
/* Ends c's session (if any) and clears the cookie; 0, or -1 with
 * c->err. */
int	 console_session_end(struct console_call *);
/* 1 when a form's field "csrf" is the session's token (in constant
 * time); 1 when the request comes from the console's own origin
 * (Sec-Fetch-Site, Origin: what a browser says), else 0. */
int	 console_csrf_ok(const struct console_call *);
int	 console_same_origin(const struct console_call *);

/* ---- the handlers, by file ---- */

int	 console_login_get(struct console_call *);
int	 console_login_post(struct console_call *);
int	 console_logout_post(struct console_call *);
int	 console_account_get(struct console_call *);
int	 console_account_post(struct console_call *);
int	 console_users_get(struct console_call *);
int	 console_users_post(struct console_call *);

int	 console_dashboard_get(struct console_call *);
int	 console_tenants_get(struct console_call *);
int	 console_tenants_csv_get(struct console_call *);
int	 console_tenant_get(struct console_call *);
int	 console_mail_raw_get(struct console_call *);
int	 console_outbox_get(struct console_call *);
int	 console_inbox_get(struct console_call *);
int	 console_plans_get(struct console_call *);
int	 console_audit_get(struct console_call *);
int	 console_audit_csv_get(struct console_call *);

/*
 * The actions on a tenant (console_act.c): what console_act.c takes and
 * what the tenant page (console_view.c) offers, from one table.
 */
struct console_action {
	const char	*name;		/* ACTION of its path */
	enum fsm_event	 event;		/* resend: EVENT_COUNT */
	int		 bulk;		/* offered for many tenants at once */
	int		 danger;	/* its button says so */
	const char	*title;		/* its confirmation's: "Approve" */
	const char	*label;		/* its button on the tenant page;
					   NULL: none there (resend is
					   offered on a failed mail) */
	const char	*says;		/* what happens, after "This will " */
};

#define CONSOLE_ACTIONS	8
extern const struct console_action console_actions[CONSOLE_ACTIONS];

/* POST /tenants/ID/ACTION: ACTION is the handler's argument. */
int	 console_tenant_act_post(struct console_call *, const char *action);
int	 console_bulk_post(struct console_call *);

int	 console_import_get(struct console_call *);
int	 console_import_post(struct console_call *);

#endif
