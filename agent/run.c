/* run.c: the agent's threads and signals. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console_listener.h"
#include "inbox_pass.h"
#include "listener.h"
#include "log.h"
#include "outbox.h"
#include "run.h"
#include "sweep.h"
#include "transport.h"
#include "web.h"

struct agent {
	const struct compose_ctx *mail;
	struct web		  web;
	struct listener		 *listener;
	struct console		  console;
	struct console_listener	 *console_listener; /* NULL: port 0 */
	pthread_mutex_t		  lock;
	pthread_cond_t		  wake;		/* deliverer: work or stop */
	int			  queued;	/* a transition queued mail */
	volatile sig_atomic_t	  stop;
	pthread_t		  deliverer, reader;
};

/* ---- lines of the batch commands, as log lines ---- */

struct log_sink {
	const char	*component;
	struct buf	 line;
};

static ssize_t
sink_write(void *cookie, const char *data, size_t size)
{
	struct log_sink *s = cookie;
	const char *nl;
	size_t left = size;

	while (left > 0) {
		nl = memchr(data, '\n', left);
		buf_append(&s->line, data, nl ? (size_t)(nl - data) : left);
		if (nl == NULL)
			break;
		log_info(s->component, "%s", s->line.data ? s->line.data : "");
		buf_clear(&s->line);
		left -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
	return (ssize_t)size;
}

static int
sink_close(void *cookie)
{
	struct log_sink *s = cookie;

	if (s->line.len > 0)
		log_info(s->component, "%s", s->line.data);
	buf_clear(&s->line);
	free(s);
	return 0;
}

/* A stream whose lines become log lines of component. */
static FILE *
log_stream(const char *component)
{
	static const cookie_io_functions_t io = { .write = sink_write,
	    .close = sink_close };
	struct log_sink *s;
	FILE *fp;

	s = xcalloc(1, sizeof *s);
	s->component = component;
	if ((fp = fopencookie(s, "w", io)) == NULL) {
		free(s);
		return NULL;
	}
	(void)setvbuf(fp, NULL, _IOLBF, 0);	/* no buffer: cannot fail */
	return fp;
}

/* ---- outages ---- */

/* A server's state, so an outage is logged once and retried with
 * growing pauses. */
struct outage {
	const char	*component;
	int		 down;
	int		 backoff;	/* seconds before the next try */
};

static int
outage_failed(struct outage *o, const char *why)
{
	if (!o->down)
		log_warn(o->component, "server unavailable, retrying with "
		    "backoff: %s", why);
	o->down = 1;
	o->backoff = o->backoff == 0 ? RUN_BACKOFF_FIRST :
	    o->backoff * 2 > RUN_BACKOFF_MAX ? RUN_BACKOFF_MAX :
	    o->backoff * 2;
	return o->backoff;
}

static void
outage_ok(struct outage *o)
{
	if (o->down)
		log_info(o->component, "server reachable again");
	o->down = 0;
	o->backoff = 0;
}

/* ---- waking ---- */

static void
wake_deliverer(void *arg)
{
	struct agent *a = arg;

	pthread_mutex_lock(&a->lock);
	a->queued = 1;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

/* Sleeps up to seconds, or until woken or stopped; 1 when woken. */
static int
deliverer_sleep(struct agent *a, int seconds)
{
	struct timespec until;
	int woken;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&a->lock);
	while (!a->queued && !a->stop)
		if (pthread_cond_timedwait(&a->wake, &a->lock, &until) ==
		    ETIMEDOUT)
			break;
	woken = a->queued;
	a->queued = 0;
	pthread_mutex_unlock(&a->lock);
	return woken;
}

/* ---- the deliverer ---- */

/*
 * Delivers after a transition of this process (woken), one of another
 * process such as the CLI (the database changed), when a retry may be
 * due (RUN_DELIVER_SECONDS) or after an outage's pause.
 */
static void *
deliverer_main(void *arg)
{
	struct agent *a = arg;
	struct outage o = { .component = "outbox" };
	struct outbox_report rep;
	struct store *st = NULL;
	struct err err;
	int64_t seen = -1, version;
	int waited = 0, pause = 0;
	FILE *log;

	log = log_stream("outbox");
	if (store_open(a->mail->cfg->database, &st, &err) == -1) {
		log_error("outbox", "%s", err.msg);
		goto out;
	}
	while (!a->stop) {
		version = store_data_version(st);
		if (waited >= pause || (version != seen && !o.down)) {
			pause = RUN_DELIVER_SECONDS;
			if (outbox_flush(st, a->mail, 0, (int64_t)time(NULL),
			    &a->stop, log, &rep, &err) == -1)
				log_error("outbox", "%s", err.msg);
			else if (rep.down)
				pause = outage_failed(&o, rep.down_reason);
			else
				outage_ok(&o);
			/* What this flush committed is not news. */
			seen = store_data_version(st);
			waited = 0;
		}
		/* Woken by a transition: go now, unless the server is down;
		 * then only the backoff decides, however busy the agent. */
		if (deliverer_sleep(a, 1) && !o.down)
			waited = pause;
		else
			waited++;
	}
out:
	store_close(st);
	if (log != NULL)
		(void)fclose(log);	/* into the log: nowhere to report */
	return NULL;
}

/* ---- the inbox reader ---- */

/* Waits up to seconds for the stop flag, a second at a time. */
static void
reader_sleep(struct agent *a, int seconds)
{
	struct timespec second = { 1, 0 };

	while (seconds-- > 0 && !a->stop)
		nanosleep(&second, NULL);
}

/*
 * One reader per mailbox among the agents on one database: the lock is
 * the reader's connection's, so it ends with its agent, and the next
 * agent to look takes over (store_lock).  Logs each change of turn.
 */
static int
reader_turn(struct agent *a, struct store *st, int *standing_by)
{
	const char *box = a->mail->cfg->in_url;
	struct err err;
	char *name;
	int held = 0;

	name = xasprintf("inbox %s", box);
	if (store_lock(st, name, &held, &err) == -1)
		log_error("inbox", "%s", err.msg);
	free(name);
	if (held && *standing_by)
		log_info("inbox", "reading %s now", box);
	else if (!held && !*standing_by)
		log_info("inbox", "another agent reads %s; standing by", box);
	*standing_by = !held;
	return held;
}

static void *
reader_main(void *arg)
{
	struct agent *a = arg;
	const struct config *cfg = a->mail->cfg;
	struct outage o = { .component = "inbox" };
	struct inbox_pass_report rep;
	struct inbox_pass *pass = NULL;
	struct reader *in = NULL;
	struct store *st = NULL;
	struct err err;
	int standing_by = 0;
	FILE *log;

	log = log_stream("inbox");
	if (store_open(cfg->database, &st, &err) == -1) {
		log_error("inbox", "%s", err.msg);
		goto out;
	}
	/* Its threads live as long as this one; each pass hands them work. */
	pass = inbox_pass_new(st);
	while (!a->stop) {
		if (!reader_turn(a, st, &standing_by)) {
			reader_sleep(a, RUN_STANDBY_SECONDS);
			continue;
		}
		if (in == NULL && (in = reader_new(cfg, &err)) == NULL) {
			reader_sleep(a, outage_failed(&o, err.msg));
			continue;
		}
		if (inbox_pass_run(pass, a->mail, in, (int64_t)time(NULL), log,
		    &rep, &err) == -1) {
			/* Start afresh: the next pass reconnects. */
			in->close(in);
			in = NULL;
			reader_sleep(a, outage_failed(&o, err.msg));
			continue;
		}
		outage_ok(&o);
		if (rep.acted > 0)
			wake_deliverer(a);
		/* IDLE, or a look at new/, until mail may be there; a dropped
		 * connection is made again by the next fetch. */
		if (in->wait(in, cfg->poll_seconds, &a->stop, &err) == -1)
			log_info("inbox", "%s; reconnecting", err.msg);
	}
out:
	if (in != NULL)
		in->close(in);
	inbox_pass_free(pass);	/* before the store its workers use */
	store_close(st);
	if (log != NULL)
		(void)fclose(log);	/* into the log: nowhere to report */
	return NULL;
}

/* ---- the main thread ---- */

/* Its transitions log themselves (workflow.c); the notices are told here. */
static void
sweep_once(struct agent *a, struct store *st)
{
	struct sweep_report rep;
	struct err err;
	int held, rc;

	/* One agent sweeps at a time; any of them does, every minute. */
	if (store_lock(st, "sweep", &held, &err) == -1 || !held)
		return;
	rc = sweep_run(st, a->mail, (int64_t)time(NULL), NULL, &rep, &err);
	store_unlock(st, "sweep");
	if (rc == -1) {
		log_error("timer", "%s", err.msg);
		return;
	}
	if (rep.auth_notices > 0)
		log_info("timer", "support told that %zu mail account%s "
		    "need%s a new sign-in", rep.auth_notices,
		    rep.auth_notices == 1 ? "" : "s",
		    rep.auth_notices == 1 ? "s" : "");
	if (rep.expired + rep.verification_reminders +
	    rep.approval_reminders > 0)
		wake_deliverer(a);
}

/* A quiet minute: give back what bursts of work left in malloc's
 * free lists, so the idle agent stays small. */
static void
tidy(void)
{
	malloc_trim(0);
}

static void
reload(struct agent *a)
{
	struct err err;

	tmpl_set_reload(a->mail->templates);
	web_forget(&a->web);	/* pages kept from the old templates */
	if (log_reopen(&err) == -1)
		log_error("agent", "%s", err.msg);
	log_info("agent", "reloaded templates, reopened the log");
}

/* Waits for signals, sweeping on time, until told to stop. */
static void
serve(struct agent *a, const sigset_t *signals, struct store *st)
{
	struct timespec tick = { RUN_SWEEP_SECONDS, 0 };
	int sig;

	sweep_once(a, st);
	for (;;) {
		sig = sigtimedwait(signals, NULL, &tick);
		if (sig == SIGHUP)
			reload(a);
		else if (sig == SIGTERM || sig == SIGINT) {
			log_info("agent", "stopping on signal %d", sig);
			break;
		} else if (sig == -1 && errno == EAGAIN) {
			sweep_once(a, st);
			tidy();
		}
	}
}

static int
start_threads(struct agent *a, struct err *err)
{
	if (pthread_create(&a->deliverer, NULL, deliverer_main, a) != 0) {
		err_set(err, ERR_RUNTIME, "cannot start a thread");
		return -1;
	}
	if (pthread_create(&a->reader, NULL, reader_main, a) != 0) {
		err_set(err, ERR_RUNTIME, "cannot start a thread");
		a->stop = 1;
		wake_deliverer(a);
		pthread_join(a->deliverer, NULL);
		return -1;
	}
	return 0;
}

static void
stop_threads(struct agent *a)
{
	a->stop = 1;
	wake_deliverer(a);
	listener_stop(a->listener);
	a->listener = NULL;
	console_listener_stop(a->console_listener);
	a->console_listener = NULL;
	pthread_join(a->reader, NULL);
	pthread_join(a->deliverer, NULL);
}

/*
 * Starts the console when [console] port is not 0, and says where it
 * is; with no account yet, also how to make the first one (only the
 * command line can).
 */
static int
start_console(struct agent *a, struct store *st, struct err *err)
{
	const struct config *cfg = a->mail->cfg;
	struct console_user *users = NULL;
	size_t n = 0;

	if (cfg->console_port == 0)
		return 0;
	a->console.mail = a->mail;
	a->console.queued = wake_deliverer;
	a->console.queued_arg = a;
	if ((a->console_listener = console_listener_start(cfg, &a->console,
	    err)) == NULL)
		return -1;
	if (store_user_list(st, &users, &n, err) == -1)
		return -1;
	store_users_free(users, n);
	if (n > 0)
		log_info("agent", "console on http://%s:%u/ base_url=%s",
		    cfg->console_address,
		    console_listener_port(a->console_listener),
		    cfg->console_base_url);
	else
		log_info("agent", "console on %s: no accounts yet, make the "
		    "first with: mscagent -c %s user add NAME --role admin",
		    cfg->console_base_url, cfg->path);
	return 0;
}

int
run_agent(const struct compose_ctx *mail, run_ready_fn *ready,
    void *ready_arg, struct err *err)
{
	struct agent a;
	struct store *st = NULL;
	sigset_t signals;
	int rc = -1;

	/* Each thread would get its own malloc arena, and keep it. */
	mallopt(M_ARENA_MAX, 2);
	memset(&a, 0, sizeof a);
	a.mail = mail;
	a.web.mail = mail;
	a.web.queued = wake_deliverer;
	a.web.queued_arg = &a;
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.wake, NULL);
	/* Blocked before any thread starts, so every thread inherits the
	 * mask and only sigtimedwait in serve() sees them. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	if (store_open(mail->cfg->database, &st, err) == -1)
		goto out;
	if ((a.listener = listener_start(mail->cfg, &a.web, err)) == NULL)
		goto out;
	if (start_console(&a, st, err) == -1) {
		console_listener_stop(a.console_listener);
		listener_stop(a.listener);
		goto out;
	}
	if (start_threads(&a, err) == -1) {
		console_listener_stop(a.console_listener);
		listener_stop(a.listener);
		goto out;
	}
	log_info("agent", "listening on http://%s:%u/ base_url=%s inbound=%s "
	    "outbound=%s", mail->cfg->listen_address,
	    listener_port(a.listener), mail->cfg->base_url, mail->cfg->in_url,
	    mail->cfg->out_url);
	if (ready != NULL)
		ready(listener_port(a.listener), ready_arg);
	serve(&a, &signals, st);
	stop_threads(&a);
	log_info("agent", "stopped");
	rc = 0;
out:
	store_close(st);
	pthread_cond_destroy(&a.wake);
	pthread_mutex_destroy(&a.lock);
	return rc;
}
