/*
 * config.h: the agent's configuration, read from an INI file (SPEC §6).
 *
 * Every key has a type, bounds and a default in one table in config.c;
 * an unknown section or key, a bad value or an unreadable file is an
 * error that names "file:line" and the key.  Relative paths (database,
 * key and password files, templates, log file, CA files and maildir:
 * URLs) are resolved against the folder of the config file, so the agent
 * runs from anywhere.  Secrets are never in the file itself: only the
 * paths of files that hold them.
 */
#ifndef MSCAGENT_CONFIG_H
#define MSCAGENT_CONFIG_H

#include "log.h"
#include "url.h"
#include "util.h"

enum starttls_mode {
	STARTTLS_REQUIRED,
	STARTTLS_OPTIONAL,
	STARTTLS_OFF,
};

/* How an [outbound] or [inbound] account signs in (SPEC §7). */
enum mail_auth {
	AUTH_PASSWORD,
	AUTH_OAUTH2,
};

enum oauth_provider {
	OAUTH_MICROSOFT,
	OAUTH_GOOGLE,
	OAUTH_CUSTOM,
};

enum oauth_grant {
	GRANT_REFRESH_TOKEN,
	GRANT_CLIENT_CREDENTIALS,
	GRANT_JWT_BEARER,
};

enum oauth_mechanism {
	MECH_XOAUTH2,
	MECH_OAUTHBEARER,
};

/*
 * An account's OAuth2 settings, with the provider's presets filled in
 * once the file is read: token_url and scope are always set when auth
 * is AUTH_OAUTH2, device_url when the provider has one.
 */
struct config_oauth {
	enum mail_auth		 auth;
	enum oauth_provider	 provider;
	char			*tenant;
	char			*token_url;	/* https://, or http:// to loopback */
	char			*device_url;	/* NULL: none known */
	char			*client_id;
	char			*client_secret_file; /* NULL: a public client */
	char			*scope;
	enum oauth_grant	 grant;
	char			*key_file;	/* jwt_bearer's PEM key */
	enum oauth_mechanism	 mechanism;
};

/* One verification-token key: its id (the JWT "kid") and its file. */
struct config_key {
	char	*kid;
	char	*path;		/* absolute */
};

/*
 * Limits on the file.  A line is measured before inih sees it: inih reads
 * into a fixed buffer of 200 bytes and silently splits a longer line in
 * two, which would cut a value short and read its tail as a key of its
 * own, so CONFIG_LINE_MAX (not counting the line end) stays below that.
 * 64 KiB is some fourteen times the shipped file, comments and all.
 */
#define CONFIG_LINE_MAX		192
#define CONFIG_FILE_MAX		(64 * 1024)

/*
 * Limits on values; a longer line is refused first, so these only hold
 * what one line cannot already stop.  Token keys: as many as a keyring
 * holds (TOKEN_KEYS_MAX), key ids as long as it takes (TOKEN_KID_MAX).
 * An address: RFC 5321's path less its brackets (longer than a line can
 * hold, so a backstop).  Support addresses: a team, not a mailing list.
 * A keyword: as long as the reader takes (REPLY_KEYWORD_MAX).
 */
#define CONFIG_KEYS_MAX		8
#define CONFIG_KID_MAX		64
#define CONFIG_ADDR_MAX		254
#define CONFIG_ADDRS_MAX	16
#define CONFIG_KEYWORDS_MAX	16	/* extra keywords of each kind */
#define CONFIG_KEYWORD_MAX	32
/* Proxies in front of the console: a few, not a network. */
#define CONFIG_PROXIES_MAX	16

/*
 * [agent] from's display name: what a mail client shows as the sender,
 * well within what the composer takes (MIME_NAME_MAX).  [branding]'s
 * company and support_contact are one short line each in every mail and
 * page; the logo goes inside every mail, so it stays small.
 */
#define CONFIG_NAME_MAX		128
#define CONFIG_BRAND_TEXT_MAX	120
#define CONFIG_LOGO_MAX		(64 * 1024)

struct config {
	char			*path;		/* the file read, absolute */
	char			*dir;		/* its folder, absolute */

	/* [agent] */
	char			*database;	/* absolute path */
	char			*base_url;	/* http(s)://..., no trailing '/' */
	char			*from;		/* addr-spec: the envelope sender
						   and From's address */
	char			*from_name;	/* From's display name, UTF-8;
						   NULL: none given */
	char			*reply_address;	/* addr-spec */
	char			*reply_key_file;
	struct strvec		 support_addresses; /* at least one */
	char			*templates;	/* folder, absolute */
	int			 approval_remind_days;
	enum log_level		 log_level;
	char			*log_file;	/* NULL: stderr */
	char			*language;	/* BCP 47, normalized (lang.h):
						   a tenant's when it has none */

	/* [outbound] */
	struct url		 outbound;	/* smtp://, smtps:// or maildir: */
	const char		*out_url;	/* outbound.text, for messages */
	enum starttls_mode	 out_starttls;
	char			*out_username;	/* NULL: no AUTH */
	char			*out_password_file;
	int			 out_retry_max;
	char			*out_tls_ca_file; /* NULL: system CAs */
	struct config_oauth	 out_oauth;

	/* [inbound] */
	struct url		 inbound;	/* imap://, imaps:// or maildir: */
	const char		*in_url;	/* inbound.text, for messages */
	enum starttls_mode	 in_starttls;
	char			*in_username;
	char			*in_password_file;
	char			*in_tls_ca_file;
	struct config_oauth	 in_oauth;
	char			*processed_folder;
	int			 idle;
	int			 poll_seconds;
	int			 require_auth_results;
	char			*trusted_authserv_id;
	struct strvec		 keywords_approve; /* extra keywords, may be empty */
	struct strvec		 keywords_reject;

	/* [listener] */
	char			*listen_address;
	int			 listen_port;
	int			 max_connections;
	struct strvec		 listen_trusted_proxies; /* proxy.h's normal
							    form */

	/* [console]: the operator console, a second listener (port 0: off) */
	char			*console_address;
	int			 console_port;
	char			*console_base_url; /* http(s)://..., no trailing
						      '/'; from address and
						      port when not given;
						      NULL when off */
	int			 console_idle_minutes;
	int			 console_max_hours;
	int			 console_require_totp;
	struct strvec		 console_trusted_proxies; /* proxy.h's normal
							    form */

	/* [branding]: each NULL (0) when not given, the neutral look */
	char			*company;	/* one line of UTF-8 */
	char			*support_contact; /* one line: an address, a URL
						     or text */
	char			*accent_color;	/* "#rrggbb", lower case */
	char			*logo_file;	/* absolute */
	unsigned char		*logo;		/* the PNG, read at load */
	size_t			 logo_len;

	/* [tokens] */
	struct config_key	 keys[CONFIG_KEYS_MAX]; /* the first signs */
	size_t			 nkeys;
	int			 ttl_days;
	int			 remind_days;
	char			*issuer;
};

/*
 * Reads and checks the file at path.  On success fills *cfg (free it with
 * config_free) and returns 0; on failure returns -1 with *cfg left empty
 * and every error in the message, one a line, nearest the top first:
 *
 *	conf/agent.conf:12: [outbound] retry_max: not a number between 0 and 100
 *	conf/agent.conf:15: [inbound] idle: must be yes or no
 *
 * As many lines as ERR_MSG_MAX holds; the rest are counted on a last
 * line, "conf/agent.conf: and 3 more errors".  The rules that tie keys
 * together are checked only in a section whose values all read well.
 */
int	 config_load(const char *path, struct config *cfg, struct err *);

/*
 * The same for a file's text already in memory (len bytes, NUL bytes
 * and all), read as if it were the file at path: messages name path,
 * and relative paths resolve against its folder, which must exist.
 */
int	 config_parse(const char *path, const char *text, size_t len,
	    struct config *cfg, struct err *);

/*
 * Picks the config file the CLI uses: the -c argument when given, else
 * conf/agent.conf when it exists, else $MSCAGENT_CONF.  Returns a borrowed
 * string, or NULL with an error when none applies.
 */
const char *config_locate(const char *arg, struct err *);

void	 config_free(struct config *);

const char *config_log_level_name(enum log_level);

/* "refresh_token", "client_credentials" or "jwt_bearer". */
const char *config_grant_name(enum oauth_grant);

#endif
