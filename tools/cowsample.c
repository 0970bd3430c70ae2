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

static void help(void)
{
	printf("usage: %s [options] -- COMMAND [ARGS...]\n"
	       "       %s [options] -p PID[,PID...]\n"
	       "\n"
	       "Run COMMAND (or watch running PIDs) and record the page-fault counters of\n"
	       "it and all its descendants, from /proc/PID/stat. One row per event:\n"
	       "  time_s pid ppid comm event min_flt maj_flt rss_kb phase role\n"
	       "event: start, sample (every -i ms), fork, exec, exit (final counters), mark\n"
	       "(a phase mark of a cowlab lab program; phase is the latest one).\n"
	       "\n"
	       "options:\n"
	       "  -i MS            sampling interval in milliseconds (default 10, >= 0.1)\n"
	       "  -d SECONDS       stop after SECONDS (a COMMAND is then sent SIGTERM)\n"
	       "  -o FILE          write the rows to FILE (complete or not at all)\n"
	       "  -p PID[,PID...]  follow running processes and their descendants\n"
	       "  --csv            comma-separated instead of tab-separated\n"
	       "  --changes        write a sample row only when a fault counter changed\n"
	       "  --summary        at the end, print faults per process and phase\n"
	       "  --live[=FILE]    show a table refreshed in place (on FILE, e.g. another\n"
	       "                   tmux pane's tty) instead of rows (rows still go to -o)\n"
	       "  --smaps          add pss_kb shared_dirty_kb private_dirty_kb columns\n"
	       "                   (/proc/PID/smaps_rollup, read at events and every 100 ms)\n"
	       "  --backend=pread|libproc2\n"
	       "                   read counters with pread on a held fd (default) or\n"
	       "                   through procps-ng's libproc2%s\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: COMMAND's own (128+N when killed by signal N); 2 for bad usage.\n"
	       "See cowsample(1).\n",
	       PROG, PROG, procstat_libproc2_available() ? "" : " (not built in)");
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

static size_t parse_pids(char *text, pid_t *pids)
{
	char *item, *save = NULL, *end, msg[160];
	size_t n = 0;
	long v;

	for (item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtol(item, &end, 10);
		if (errno != 0 || end == item || *end != '\0' || v <= 0 || v > INT_MAX) {
			snprintf(msg, sizeof msg, "-p: '%s' is not a process id", item);
			usage_error(msg);
		}
		if (n == MAX_PIDS)
			usage_error("-p: too many process ids");
		pids[n++] = (pid_t)v;
	}
	if (n == 0)
		usage_error("-p: no process id given");
	return n;
}

enum { OPT_CSV = 256, OPT_CHANGES, OPT_SUMMARY, OPT_LIVE, OPT_SMAPS, OPT_BACKEND };

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "changes", no_argument, NULL, OPT_CHANGES },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "live", optional_argument, NULL, OPT_LIVE },
		{ "smaps", no_argument, NULL, OPT_SMAPS },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sampler_options o;
	static pid_t pids[MAX_PIDS];
	char msg[160];
	int c;

	memset(&o, 0, sizeof o);
	o.progname = PROG;
	o.interval_ms = 10;
	opterr = 0;
	/* '+': options end at COMMAND, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+i:d:o:p:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'i': o.interval_ms = parse_positive(optarg, "-i", 0.1); break;
		case 'd': o.duration_s = parse_positive(optarg, "-d", 0.001); break;
		case 'o': o.output = optarg; break;
		case 'p': o.npids = parse_pids(optarg, pids); o.pids = pids; break;
		case OPT_CSV: o.csv = 1; break;
		case OPT_CHANGES: o.changes_only = 1; break;
		case OPT_SUMMARY: o.summary = 1; break;
		case OPT_LIVE: o.live = 1; o.live_file = optarg; break;
		case OPT_SMAPS:
			if (o.ncolumns < SAMPLER_MAX_COLUMNS)
				o.columns[o.ncolumns++] = sampler_smaps_columns();
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
		case 'h': help(); return 0;
		default:
			if (optopt != 0 && strchr("idop", optopt) != NULL)
				snprintf(msg, sizeof msg, "-%c needs a value", optopt);
			else
				snprintf(msg, sizeof msg, "unknown option '%s'", argv[optind - 1]);
			usage_error(msg);
		}
	}
	if (optind < argc)
		o.command = argv + optind;
	if (o.command != NULL && o.npids > 0)
		usage_error("give either a COMMAND or -p PID, not both");
	if (o.command == NULL && o.npids == 0)
		usage_error("no COMMAND to run and no -p PID to follow");
	if (o.live && o.live_file != NULL && o.live_file[0] == '\0')
		usage_error("--live=: empty file name");
	return sampler_run(&o);
}
