/*
 * cli_auth.c: the auth commands, login and status, for the mail
 * accounts with auth = oauth2 (mailauth.h keeps their tokens), and the
 * token and time helpers check's sign-in lines share with them.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli_impl.h"
#include "date.h"
#include "mailauth.h"
#include "oauth.h"
#include "view.h"

#define SLOW_DOWN_STEP	5	/* seconds more per slow_down, RFC 8628 */

/* "inbound" or "outbound" into *a; -1 with err for anything else. */
static int
account_from_name(const char *name, enum mailauth_account *a,
    struct err *err)
{
	if (strcmp(name, "inbound") == 0)
		*a = MAILAUTH_INBOUND;
	else if (strcmp(name, "outbound") == 0)
		*a = MAILAUTH_OUTBOUND;
	else {
		err_set(err, ERR_INPUT, "'%.40s' is not an account: inbound or "
		    "outbound", name);
		return -1;
	}
	return 0;
}

void
cli_auth_time(int64_t t, char out[CLI_AUTH_TIME_LEN])
{
	char stamp[TIMESTAMP_STR_LEN];

	if (t == 0) {
		snprintf(out, CLI_AUTH_TIME_LEN, "-");
		return;
	}
	timestamp_format((time_t)t, stamp);
	snprintf(out, CLI_AUTH_TIME_LEN, "%.10s %.5s UTC", stamp,
	    stamp + 11);
}

int
cli_auth_token(const struct config *cfg, enum mailauth_account a,
    int64_t *expires_at, struct err *err)
{
	struct mailauth *ma;
	const char *token;
	int rc;

	if ((ma = mailauth_new(cfg, a, err)) == NULL)
		return -1;
	rc = mailauth_token(ma, 0, &token, expires_at, err);
	mailauth_free(ma);
	return rc;
}

/* The device flow: say where to go, then ask until signed in. */
static int
device_login(const struct config_oauth *o, const char *user,
    const char *name, FILE *out, struct oauth_token *tok, struct err *err)
{
	struct oauth_device dev;
	enum oauth_status status;
	int64_t end, interval;

	if (oauth_device_start(o, &dev, err) != OAUTH_OK)
		return -1;
	fprintf(out, "To sign in [%s] as %s, open %s and enter the code %s\n",
	    name, user, dev.verification_uri, dev.user_code);
	if (dev.message != NULL)
		fprintf(out, "(%s)\n", dev.message);
	fprintf(out, "Waiting for the sign-in (the code expires in %lld "
	    "minutes)...\n", (long long)(dev.expires_in + 59) / 60);
	(void)fflush(out);
	end = (int64_t)time(NULL) + dev.expires_in;
	interval = dev.interval;
	do {
		poll(NULL, 0, (int)(interval * 1000));
		status = oauth_device_poll(o, dev.device_code, tok, err);
		if (status == OAUTH_SLOW_DOWN)
			interval += SLOW_DOWN_STEP;
	} while ((status == OAUTH_PENDING || status == OAUTH_SLOW_DOWN ||
	    status == OAUTH_TEMPORARY) && (int64_t)time(NULL) < end);
	oauth_device_clear(&dev);
	if (status == OAUTH_OK && tok->refresh_token == NULL) {
		oauth_token_clear(tok);
		err_set(err, ERR_RUNTIME, "the provider sent no refresh token "
		    "(is offline_access in oauth2_scope?)");
		return -1;
	}
	if (status == OAUTH_OK)
		return 0;
	if (status == OAUTH_PENDING || status == OAUTH_SLOW_DOWN)
		err_set(err, ERR_RUNTIME, "the code expired before the "
		    "sign-in; run 'mscagent auth login %s' again", name);
	return -1;
}

/* One refresh token from in: the first line, without blanks around. */
static int
read_refresh_token(FILE *in, struct oauth_token *tok, struct err *err)
{
	char line[OAUTH_TOKEN_MAX + 3], *s, *end;
	size_t i;

	memset(tok, 0, sizeof *tok);
	if (fgets(line, sizeof line, in) == NULL) {
		err_set(err, ERR_INPUT, "no refresh token on standard input");
		return -1;
	}
	for (s = line; *s == ' ' || *s == '\t'; s++)
		continue;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (i = 0; s[i] > ' ' && s[i] <= '~'; i++)
		continue;
	if (s[i] != '\0' || i == 0 || i > OAUTH_TOKEN_MAX) {
		err_set(err, ERR_INPUT, "standard input does not hold one "
		    "refresh token (visible ASCII, at most %d bytes, on one "
		    "line)", OAUTH_TOKEN_MAX);
		explicit_bzero(line, sizeof line);
		return -1;
	}
	tok->refresh_token = xstrdup(s);
	explicit_bzero(line, sizeof line);
	return 0;
}

/*
 * The first sign-in of account a.  With a refresh_token grant, the
 * device flow when a device URL is known (the URL and code go to out,
 * and it waits for the person), else one refresh token read from in;
 * then an access token is obtained with what was stored, so a token
 * that does not work is found now.  Other grants only obtain an access
 * token.
 */
static int
login(struct store *st, const struct config *cfg,
    enum mailauth_account a, FILE *in, FILE *out, struct err *err)
{
	const struct config_oauth *o = mailauth_settings(cfg, a);
	const char *name = mailauth_account_name(a);
	const char *user = mailauth_username(cfg, a);
	struct oauth_token tok;
	char until[CLI_AUTH_TIME_LEN];
	int64_t expires_at;
	int rc;

	memset(&tok, 0, sizeof tok);
	if (o->auth != AUTH_OAUTH2) {
		err_set(err, ERR_INPUT, "[%s] signs in with a password "
		    "(auth = oauth2 to use OAuth2)", name);
		return -1;
	}
	if (o->grant == GRANT_REFRESH_TOKEN) {
		rc = o->device_url != NULL ?
		    device_login(o, user, name, out, &tok, err) :
		    read_refresh_token(in, &tok, err);
		if (rc == 0)
			rc = mailauth_save_login(st, cfg, a, &tok,
			    (int64_t)time(NULL), err);
		oauth_token_clear(&tok);
		if (rc == -1)
			return -1;
	}
	if (cli_auth_token(cfg, a, &expires_at, err) == -1)
		return -1;
	cli_auth_time(expires_at, until);
	fprintf(out, "signed in: [%s] %s (%s), access token valid until %s\n",
	    name, user, config_grant_name(o->grant), until);
	return 0;
}

static json_t *
status_json(const struct config *cfg, enum mailauth_account a,
    const struct mail_auth_row *row)
{
	const struct config_oauth *o = mailauth_settings(cfg, a);
	char stamp[TIMESTAMP_STR_LEN];
	json_t *obj;

	obj = json_object();
	json_object_set_new(obj, "account",
	    json_string(mailauth_account_name(a)));
	json_object_set_new(obj, "auth", json_string(o->auth == AUTH_OAUTH2 ?
	    "oauth2" : "password"));
	if (o->auth != AUTH_OAUTH2)
		return obj;
	json_object_set_new(obj, "user", json_string(mailauth_username(cfg,
	    a)));
	json_object_set_new(obj, "grant", json_string(config_grant_name(
	    o->grant)));
	json_object_set_new(obj, "state", json_string(row->state));
	timestamp_format((time_t)row->expires_at, stamp);
	json_object_set_new(obj, "expires_at", row->expires_at ?
	    json_string(stamp) : json_null());
	timestamp_format((time_t)row->refreshed_at, stamp);
	json_object_set_new(obj, "refreshed_at", row->refreshed_at ?
	    json_string(stamp) : json_null());
	json_object_set_new(obj, "last_error", row->last_error ?
	    json_string(row->last_error) : json_null());
	return obj;
}

static void
status_line(FILE *out, const struct config *cfg, enum mailauth_account a,
    const struct mail_auth_row *row)
{
	const struct config_oauth *o = mailauth_settings(cfg, a);
	char expires[CLI_AUTH_TIME_LEN], refreshed[CLI_AUTH_TIME_LEN];

	if (o->auth != AUTH_OAUTH2) {
		fprintf(out, "%-9s %-9s\n", mailauth_account_name(a),
		    "password");
		return;
	}
	cli_auth_time(row->expires_at, expires);
	cli_auth_time(row->refreshed_at, refreshed);
	fprintf(out, "%-9s %-9s %-19s %-13s %-21s %-21s %s\n",
	    mailauth_account_name(a), "oauth2", config_grant_name(o->grant),
	    row->state, expires, refreshed, row->last_error ?
	    row->last_error : "-");
}

/* One line (or JSON object) per account. */
static int
status(struct store *st, const struct config *cfg, int json,
    FILE *out, struct err *err)
{
	static const enum mailauth_account accounts[] = {
		MAILAUTH_INBOUND, MAILAUTH_OUTBOUND,
	};
	struct mail_auth_row row;
	json_t *list = json_array();
	size_t i;
	int rc = 0;

	if (!json)
		fprintf(out, "%-9s %-9s %-19s %-13s %-21s %-21s %s\n",
		    "ACCOUNT", "AUTH", "GRANT", "STATE", "EXPIRES",
		    "REFRESHED", "LAST ERROR");
	for (i = 0; i < 2 && rc == 0; i++) {
		memset(&row, 0, sizeof row);
		if (mailauth_settings(cfg, accounts[i])->auth == AUTH_OAUTH2 &&
		    mailauth_status(st, cfg, accounts[i], &row, err) == -1) {
			rc = -1;
			break;
		}
		if (json)
			json_array_append_new(list, status_json(cfg,
			    accounts[i], &row));
		else
			status_line(out, cfg, accounts[i], &row);
		store_auth_clear(&row);
	}
	if (rc == 0 && json)
		view_print_json(out, list);
	json_decref(list);
	return rc;
}

int
cmd_auth_login(struct cli *cli, int argc, char **argv)
{
	enum mailauth_account a;

	if (argc != 2)
		return cli_usage_error(cli, "auth login takes one account");
	if (account_from_name(argv[1], &a, &cli->err) == -1)
		return cli_usage_error(cli, "%s", cli->err.msg);
	return login(cli->st, &cli->cfg, a, stdin, stdout, &cli->err);
}

int
cmd_auth_status(struct cli *cli, int argc, char **argv)
{
	int json;

	if (cli_json_flag(cli, argc, argv, &json, NULL) == -1)
		return -1;
	if (cli_no_arguments(cli, argc, optind) == -1)
		return -1;
	return status(cli->st, &cli->cfg, json, stdout, &cli->err);
}
