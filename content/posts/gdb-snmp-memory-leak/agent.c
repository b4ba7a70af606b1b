/*
 * agent.c: a tiny SNMP-like agent, a model for the post.
 *
 * It answers "get OID" and "getnext OID" requests against a small,
 * sorted MIB. Requests come from a file instead of UDP port 161 so
 * that every run is repeatable; the file is replayed -n times.
 *
 *   agent [-n rounds] [-s every] [-v] [-D pidfile] requests
 *
 * -v prints every reply, -s prints heap statistics every N rounds,
 * -D detaches like a daemon: serve -n rounds, write the pid file,
 * then idle until SIGHUP (serve another -n rounds) or SIGTERM.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <mcheck.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OID_MAXLEN	128	/* sub-identifiers, as in SNMP */
#define REPLY_MAX	256

struct oid {
	size_t		 o_n;
	uint32_t	 o_id[OID_MAXLEN];
};

struct mib_entry {
	const char	*m_name;
	const char	*m_oid;
	const char	*m_value;
	struct oid	 m_parsed;
};

static struct mib_entry mib[] = {
	{ "sysDescr",	 "1.3.6.1.2.1.1.1.0", "model agent 1.0" },
	{ "sysUpTime",	 "1.3.6.1.2.1.1.3.0", "4242" },
	{ "sysContact",	 "1.3.6.1.2.1.1.4.0", "root@localhost" },
	{ "sysName",	 "1.3.6.1.2.1.1.5.0", "gw1" },
	{ "sysLocation", "1.3.6.1.2.1.1.6.0", "rack 3" },
	{ "sysServices", "1.3.6.1.2.1.1.7.0", "72" },
	{ "ifNumber",	 "1.3.6.1.2.1.2.1.0", "2" },
};
#define MIB_SIZE	(sizeof(mib) / sizeof(mib[0]))

/* Counters a debugger can read from the live process. */
struct agent_stats {
	unsigned long	 requests;
	unsigned long	 gets;
	unsigned long	 getnexts;
	unsigned long	 nosuchobject;
	unsigned long	 endofmibview;
	unsigned long	 badvalue;
} stats;

static volatile sig_atomic_t got_hup, got_term;

/* ANCHOR: oid_parse */
/* Parse "1.3.6.1..." into a freshly allocated struct oid. */
static struct oid *
oid_parse(const char *s)
{
	struct oid	*o;
	char		*end;
	unsigned long	 v;

	if ((o = malloc(sizeof(*o))) == NULL)
		err(1, "malloc");
	o->o_n = 0;
	while (*s != '\0') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (end == s || errno != 0 || v > UINT32_MAX ||
		    o->o_n == OID_MAXLEN || (*end != '.' && *end != '\0')) {
			free(o);
			return (NULL);
		}
		o->o_id[o->o_n++] = v;
		s = *end == '.' ? end + 1 : end;
	}
	return (o);
}
/* ANCHOR_END: oid_parse */

static int
oid_cmp(const struct oid *a, const struct oid *b)
{
	size_t	i;

	for (i = 0; i < a->o_n && i < b->o_n; i++) {
		if (a->o_id[i] != b->o_id[i])
			return (a->o_id[i] < b->o_id[i] ? -1 : 1);
	}
	return (a->o_n < b->o_n ? -1 : a->o_n > b->o_n);
}

static void
mib_init(void)
{
	struct oid	*o;
	size_t		 i;

	for (i = 0; i < MIB_SIZE; i++) {
		if ((o = oid_parse(mib[i].m_oid)) == NULL)
			errx(1, "bad MIB entry %s", mib[i].m_name);
		mib[i].m_parsed = *o;
		free(o);
	}
}

/* First entry strictly after o in lexicographic order, or NULL. */
static const struct mib_entry *
mib_next(const struct oid *o)
{
	size_t	i;

	for (i = 0; i < MIB_SIZE; i++)
		if (oid_cmp(&mib[i].m_parsed, o) > 0)
			return (&mib[i]);
	return (NULL);
}

static const struct mib_entry *
mib_get(const struct oid *o)
{
	size_t	i;

	for (i = 0; i < MIB_SIZE; i++)
		if (oid_cmp(&mib[i].m_parsed, o) == 0)
			return (&mib[i]);
	return (NULL);
}

/* ANCHOR: handle_get */
static int
handle_get(const char *arg, char *reply, size_t len)
{
	const struct mib_entry	*e;
	struct oid		*o;
	int			 n;

	stats.gets++;
	if ((o = oid_parse(arg)) == NULL) {
		stats.badvalue++;
		return (snprintf(reply, len, "%s = badValue", arg));
	}
	if ((e = mib_get(o)) == NULL) {
		stats.nosuchobject++;
		n = snprintf(reply, len, "%s = noSuchObject", arg);
	} else
		n = snprintf(reply, len, "%s (%s) = %s", e->m_oid,
		    e->m_name, e->m_value);
	free(o);
	return (n);
}
/* ANCHOR_END: handle_get */

/* ANCHOR: handle_getnext */
static int
handle_getnext(const char *arg, char *reply, size_t len)
{
	const struct mib_entry	*e;
	struct oid		*o;
	int			 n;

	stats.getnexts++;
	if ((o = oid_parse(arg)) == NULL) {
		stats.badvalue++;
		return (snprintf(reply, len, "%s = badValue", arg));
	}
	if ((e = mib_next(o)) == NULL) {
		/* The walk ran off the end of the MIB. */
		stats.endofmibview++;
		return (snprintf(reply, len, "%s = endOfMibView", arg));
	}
	n = snprintf(reply, len, "%s (%s) = %s", e->m_oid, e->m_name,
	    e->m_value);
	free(o);
	return (n);
}
/* ANCHOR_END: handle_getnext */

/* ANCHOR: handle_request */
static void
handle_request(const char *line, char *reply, size_t len)
{
	char	 buf[REPLY_MAX], *verb, *arg;

	stats.requests++;
	snprintf(buf, sizeof(buf), "%s", line);
	verb = strtok(buf, " \t");
	arg = strtok(NULL, " \t");
	if (verb == NULL || arg == NULL)
		snprintf(reply, len, "malformed request");
	else if (strcmp(verb, "get") == 0)
		handle_get(arg, reply, len);
	else if (strcmp(verb, "getnext") == 0)
		handle_getnext(arg, reply, len);
	else
		snprintf(reply, len, "%s: unknown verb", verb);
}
/* ANCHOR_END: handle_request */

/* Bytes malloc has handed out and not taken back; gdb calls this too. */
size_t
heap_in_use(void)
{
	return (mallinfo2().uordblks);
}

static long
rss_kib(void)
{
	FILE	*f;
	char	 line[128];
	long	 kib = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return (kib);
}

/* ANCHOR: serve */
static void
serve(const char *path, long rounds, long every, int verbose)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 linesize = 0;
	char	 reply[REPLY_MAX];
	long	 r;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	if (every > 0)
		printf("replaying %s %ld times\n", path, rounds);
	for (r = 1; r <= rounds; r++) {
		rewind(f);
		while (getline(&line, &linesize, f) != -1) {
			line[strcspn(line, "\n")] = '\0';
			handle_request(line, reply, sizeof(reply));
			if (verbose)
				printf("%s\n", reply);
		}
		if (every > 0 && r % every == 0)
			printf("round %5ld: %6lu requests, heap in use %8zu "
			    "bytes, rss %6ld KiB\n", r, stats.requests,
			    heap_in_use(), rss_kib());
	}
	free(line);
	fclose(f);
	fflush(stdout);
}
/* ANCHOR_END: serve */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

/* Fork, detach, serve, then report readiness to the waiting parent. */
static void
daemonize(const char *path, long rounds, const char *pidfile)
{
	struct sigaction	 sa;
	sigset_t		 block, old;
	FILE			*pf;
	pid_t			 pid;
	int			 ready[2], fd;
	char			 c;

	if (pipe(ready) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid > 0) {
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			errx(1, "daemon died during startup");
		printf("agent running as pid %ld\n", (long)pid);
		exit(0);
	}
	close(ready[0]);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);

	serve(path, rounds, 0, 0);
	if ((pf = fopen(pidfile, "w")) == NULL)
		err(1, "%s", pidfile);
	fprintf(pf, "%ld\n", (long)getpid());
	fclose(pf);
	write(ready[1], "", 1);
	close(ready[1]);

	/* Idle like a daemon between polls; signals arrive only here. */
	while (!got_term) {
		sigsuspend(&old);
		if (got_hup) {
			got_hup = 0;
			serve(path, rounds, 0, 0);
		}
	}
	unlink(pidfile);
	exit(0);
}

int
main(int argc, char *argv[])
{
	const char	*pidfile = NULL;
	long		 rounds = 1, every = 0;
	int		 ch, verbose = 0;

	/* A no-op unless MALLOC_TRACE is set and the mtrace hooks are loaded. */
	mtrace();

	while ((ch = getopt(argc, argv, "D:n:s:v")) != -1) {
		switch (ch) {
		case 'D':
			pidfile = optarg;
			break;
		case 'n':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 's':
			every = strtol(optarg, NULL, 10);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;

	mib_init();
	if (pidfile != NULL)
		daemonize(argv[optind], rounds, pidfile);
	serve(argv[optind], rounds, every, verbose);
	return (0);

usage:
	fprintf(stderr, "usage: agent [-v] [-n rounds] [-s every] "
	    "[-D pidfile] requests\n");
	return (1);
}
