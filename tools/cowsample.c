/*
 * cowsample - record the page faults of a process and all its descendants.
 *
 *   cowsample [options] -- COMMAND [ARGS...]
 *   cowsample [options] -p PID[,PID...]
 *
 * This file is only the command line; the sampler is tools/lib/sampler.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procstat_libproc2.h"
#include "sampler.h"

#define PROG "cowsample"
#define MAX_PIDS 64

static void usage_error(const char *what)
{
	fprintf(stderr, "%s: %s (see %s --help)\n", PROG, what, PROG);
	exit(2);
}

/* --help on stdout; 1 with one line if stdout cannot take it (>/dev/full). */
static int help(void)
{
	printf("usage: %s [options] -- COMMAND [ARGS...]\n"
	       "       %s [options] -p PID[,PID...]\n"
	       "\n"
	       "Run COMMAND (or watch running PIDs) and record the page-fault counters of\n"
	       "it and all its descendants, from /proc/PID/stat. One row per event:\n"
	       "  time_s pid ppid comm event min_flt maj_flt rss_kb phase role\n"
	       "event: start, sample (every -i ms), fork, exec, exit (final counters), mark\n"
	       "(a phase mark of a cowlab lab program; phase is the latest one).\n"
	       "Rows go to stdout, header first; COMMAND's own stdout then goes to stderr.\n"
	       "\n"
	       "options:\n"
	       "  -i MS            sampling interval in milliseconds (default 10, >= 0.1)\n"
	       "  -d SECONDS       stop after SECONDS (a COMMAND is then sent SIGTERM)\n"
	       "  -o FILE          write the rows to FILE: a regular file is complete or not\n"
	       "                   there at all (written to FILE.cowlab-partial.XXXXXX,\n"
	       "                   renamed at the end; a symlink's target is replaced), a\n"
	       "                   device, FIFO or open file (/dev/stdout, /dev/fd/N) is\n"
	       "                   written directly; COMMAND's stdout stays as it is\n"
	       "  -p PID[,PID...]  follow running processes and their descendants (repeatable)\n"
	       "  --csv            comma-separated instead of tab-separated\n"
	       "  --changes        write a sample row only when a fault counter changed\n"
	       "  --summary        at the end, print faults per process and phase\n"
	       "  --live[=FILE]    show a table refreshed in place (on FILE, e.g. another\n"
	       "                   tmux pane's tty) instead of rows (rows still go to -o)\n"
	       "  --smaps          add pss_kb shared_dirty_kb private_dirty_kb columns\n"
	       "                   (/proc/PID/smaps_rollup, read at events and every 100 ms)\n"
	       "  --pagemap        add present exclusive shared columns: pages of the private\n"
	       "                   anonymous memory (/proc/PID/pagemap; shared as root only;\n"
	       "                   read at events and marks and every 0.5 s)\n"
	       "  --snapshot-dir DIR\n"
	       "                   at every phase mark, write DIR/PHASE-PID.tsv for each\n"
	       "                   process (cowmap --tsv pages, taken while the lab waits at\n"
	       "                   its mark) and at the end DIR/snapshots.tsv, their index\n"
	       "  --faults FILE    write one row per page fault of every followed process to\n"
	       "                   FILE (TSV, complete or not at all, as -o): time_s pid\n"
	       "                   kind access address mapping offset phase role. kind:\n"
	       "                   zero-fill zero-page cow-copy reuse file-minor file-major\n"
	       "                   shared-write huge-zero-fill huge-cow-copy spurious major\n"
	       "                   unknown. As root, from per-task perf events on the\n"
	       "                   exceptions and kmem tracepoints; unprivileged, addresses\n"
	       "                   only (kind unknown, one line says so); --summary then\n"
	       "                   adds the kinds per phase, reconciled with /proc's counts,\n"
	       "                   --live those of each process's latest step\n"
	       "  --events=auto|netlink|ptrace\n"
	       "                   where fork, exec and exit events come from. netlink\n"
	       "                   (root): the kernel's proc connector and taskstats report\n"
	       "                   them, nobody is stopped; exit rows are exact (taskstats),\n"
	       "                   fork and exec rows are read as the event arrives. ptrace:\n"
	       "                   each event stops the process until it is read (a fork\n"
	       "                   loop runs slower). auto (default): netlink as root\n"
	       "                   unless --faults is given (it needs ptrace), else ptrace.\n"
	       "                   Marks are exact on both; --summary says which was used\n"
	       "  --backend=pread|libproc2\n"
	       "                   read counters with pread on a held fd (default) or\n"
	       "                   through procps-ng's libproc2%s\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: COMMAND's own (128+N when killed by signal N); 2 for bad usage;\n"
	       "1 when the output cannot be written; 3 when a -p process does not exist or\n"
	       "has exited. See cowsample(1).\n",
	       PROG, PROG, procstat_libproc2_available() ? "" : " (not built in)");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cowsample: writing standard output: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

static double parse_positive(const char *text, const char *option, double min)
{
	char *end, msg[160];
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !(v >= min) || v > 1e9) {
		snprintf(msg, sizeof msg, "%s: '%s' is not a number >= %g", option, text, min);
		usage_error(msg);
	}
	return v;
}

/*
 * "PID[,PID...]" appended to pids[*n] (-p may be given more than once).
 * Every item must be a process id: "1,,2", ",1" and "1," are errors, not
 * silently shortened lists.
 */
static void parse_pids(const char *text, pid_t *pids, size_t *n)
{
	const char *item = text, *comma;
	char *end, msg[160];
	size_t len;
	long v;

	for (;;) {
		comma = strchr(item, ',');
		len = comma != NULL ? (size_t)(comma - item) : strlen(item);
		if (len == 0) {
			snprintf(msg, sizeof msg, "-p: '%s' has an empty process id", text);
			usage_error(msg);
		}
		errno = 0;
		v = strtol(item, &end, 10);
		if (errno != 0 || end != item + len || v <= 0 || v > INT_MAX ||
		    *item < '0' || *item > '9') {
			snprintf(msg, sizeof msg, "-p: '%.*s' is not a process id", (int)len, item);
			usage_error(msg);
		}
		if (*n == MAX_PIDS)
			usage_error("-p: too many process ids");
		pids[(*n)++] = (pid_t)v;
		if (comma == NULL)
			break;
		item = comma + 1;
	}
}

enum {
	OPT_CSV = 256, OPT_CHANGES, OPT_SUMMARY, OPT_LIVE, OPT_SMAPS, OPT_PAGEMAP,
	OPT_SNAPSHOT_DIR, OPT_BACKEND, OPT_FAULTS, OPT_EVENTS,
};

static const struct option long_options[] = {
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "changes", no_argument, NULL, OPT_CHANGES },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "live", optional_argument, NULL, OPT_LIVE },
	{ "smaps", no_argument, NULL, OPT_SMAPS },
	{ "pagemap", no_argument, NULL, OPT_PAGEMAP },
	{ "snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "faults", required_argument, NULL, OPT_FAULTS },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A column provider, once however often its option is given. */
static void add_columns(struct sampler_options *o, const struct sampler_columns *c)
{
	size_t i;

	for (i = 0; i < o->ncolumns; i++)
		if (o->columns[i] == c)
			return;
	o->columns[o->ncolumns++] = c;	/* one option per provider: room enough */
}

/* The long option whose getopt value is val, or NULL. */
static const struct option *long_option_of(int val)
{
	const struct option *opt;

	for (opt = long_options; opt->name != NULL; opt++)
		if (opt->val == val)
			return opt;
	return NULL;
}

/*
 * What getopt_long refused, in one line. getopt returns ':' for a missing
 * value and '?' for the rest; optopt then holds the option's value: a
 * character for a short option, our own number (>= 256) or 'h' for a long
 * one, 0 for a long option it does not know (or a prefix of several).
 */
static void option_error(int c, const char *arg)
{
	const struct option *opt = long_option_of(optopt);
	const char *matches[8];
	char msg[200];
	size_t len, n = 0, i;
	int is_long = strncmp(arg, "--", 2) == 0;

	if (c == ':' && optopt >= 256 && opt != NULL) {
		snprintf(msg, sizeof msg, "--%s needs a value", opt->name);
	} else if (c == ':') {
		snprintf(msg, sizeof msg, "-%c needs a value", optopt);
	} else if (optopt != 0 && is_long && opt != NULL) {
		snprintf(msg, sizeof msg, "--%s takes no value", opt->name);
	} else if (optopt == 0 && is_long) {
		len = strcspn(arg + 2, "=");
		for (opt = long_options; opt->name != NULL && n < 8; opt++)
			if (strncmp(opt->name, arg + 2, len) == 0)
				matches[n++] = opt->name;
		if (n > 1) {
			snprintf(msg, sizeof msg, "'%.*s' is ambiguous:", (int)len + 2, arg);
			for (i = 0; i < n; i++)
				snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " --%s", matches[i]);
		} else {
			snprintf(msg, sizeof msg, "unknown option '%.*s'", (int)len + 2, arg);
		}
	} else if (optopt > ' ' && optopt < 127) {
		snprintf(msg, sizeof msg, "unknown option '-%c'", optopt);
	} else {
		snprintf(msg, sizeof msg, "unknown option '%s'", arg);
	}
	usage_error(msg);
}

int main(int argc, char *argv[])
{
	struct sampler_options o;
	static pid_t pids[MAX_PIDS];
	char msg[160];
	int c;

	memset(&o, 0, sizeof o);
	o.progname = PROG;
	o.interval_ms = 10;
	opterr = 0;
	/* '+': options end at COMMAND, whose own options are its business;
	 * ':': a missing value is told apart from an unknown option. */
	while ((c = getopt_long(argc, argv, "+:i:d:o:p:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'i': o.interval_ms = parse_positive(optarg, "-i", 0.1); break;
		case 'd': o.duration_s = parse_positive(optarg, "-d", 0.001); break;
		case 'o':
			if (optarg[0] == '\0')
				usage_error("-o: empty file name");
			o.output = optarg;
			break;
		case 'p': parse_pids(optarg, pids, &o.npids); o.pids = pids; break;
		case OPT_CSV: o.csv = 1; break;
		case OPT_CHANGES: o.changes_only = 1; break;
		case OPT_SUMMARY: o.summary = 1; break;
		case OPT_LIVE: o.live = 1; o.live_file = optarg; break;
		case OPT_SMAPS: add_columns(&o, sampler_smaps_columns()); break;
		case OPT_PAGEMAP: add_columns(&o, sampler_pagemap_columns()); break;
		case OPT_SNAPSHOT_DIR:
			if (optarg[0] == '\0')
				usage_error("--snapshot-dir: empty directory name");
			o.snapshot_dir = optarg;
			break;
		case OPT_FAULTS:
			if (optarg[0] == '\0')
				usage_error("--faults: empty file name");
			o.faults_file = optarg;
			break;
		case OPT_EVENTS:
			if (strcmp(optarg, "auto") == 0) {
				o.events = SAMPLER_EVENTS_AUTO;
			} else if (strcmp(optarg, "netlink") == 0) {
				o.events = SAMPLER_EVENTS_NETLINK;
			} else if (strcmp(optarg, "ptrace") == 0) {
				o.events = SAMPLER_EVENTS_PTRACE;
			} else {
				snprintf(msg, sizeof msg, "--events: '%s' is not auto, netlink or ptrace",
					 optarg);
				usage_error(msg);
			}
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "pread") == 0) {
				o.backend = SAMPLER_PREAD;
			} else if (strcmp(optarg, "libproc2") == 0) {
				if (!procstat_libproc2_available())
					usage_error("--backend=libproc2: this cowsample was built without libproc2");
				o.backend = SAMPLER_LIBPROC2;
			} else {
				snprintf(msg, sizeof msg, "--backend: '%s' is not pread or libproc2", optarg);
				usage_error(msg);
			}
			break;
		case 'h': return help();
		default:
			option_error(c, argv[optind - 1]);
		}
	}
	if (optind < argc)
		o.command = argv + optind;
	if (o.command != NULL && o.npids > 0)
		usage_error("give either a COMMAND or -p PID, not both");
	if (o.command == NULL && o.npids == 0)
		usage_error("no COMMAND to run and no -p PID to follow");
	if (o.events == SAMPLER_EVENTS_NETLINK && o.faults_file != NULL)
		usage_error("--faults needs ptrace: not with --events netlink");
	if (o.live && o.live_file != NULL && o.live_file[0] == '\0')
		usage_error("--live=: empty file name");
	return sampler_run(&o);
}
