/*
 * sampler.h - follow a process tree and record its page-fault counters.
 *
 * This is all of cowsample except its command line. The sampler runs a
 * command (or attaches to PIDs), follows every descendant, and writes one
 * row per event:
 *   time_s pid ppid comm event min_flt maj_flt rss_kb phase role [extra...]
 * event is start, sample, fork, exec, exit or mark.
 *
 * Exactness comes from one of two sources of events:
 *   - netlink (root; procevents.h): the kernel reports every fork, exec
 *     and exit, and each exiting task's final counters, without stopping
 *     anything. Exit rows are exact, fork and exec rows are read when
 *     the event arrives (the process runs on meanwhile).
 *   - ptrace(PTRACE_SEIZE) event stops: fork, exec and exit rows are
 *     written while the process is stopped at that event. Unprivileged,
 *     and for --faults (its tracer must follow a process from its first
 *     instruction).
 * Either way a phase mark (support/cowlab.h: lab_mark) with
 * COWLAB_MARK_SYNC=1 stops the lab with SIGSTOP, and the sampler measures
 * it before letting it go on. Where neither is allowed, periodic sampling
 * is all there is.
 *
 * Extra columns come from column providers (struct sampler_columns): the
 * --smaps and --pagemap columns. With snapshot_dir, every phase mark also
 * writes a per-page picture of each process (sampler_pagemap.c).
 */
#ifndef COWLAB_SAMPLER_H
#define COWLAB_SAMPLER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "proctable.h"

enum sampler_event {
	SAMPLER_START, SAMPLER_SAMPLE, SAMPLER_FORK, SAMPLER_EXEC,
	SAMPLER_EXIT, SAMPLER_MARK,
};

/* "start", "sample", ... */
const char *sampler_event_name(enum sampler_event ev);

/*
 * A column provider: extra columns after the fixed ones, and an optional
 * action at each phase mark. The sampler calls, for every row of process
 * p, update() then format() once per column. `slot` indexes p->ext[] for
 * the provider's per-process data: one malloc'ed block, freed by the
 * sampler at the end (or by free_ext, when the provider sets it).
 * update() runs on every row, including the fast periodic `sample` rows:
 * refresh expensive data only at events (ev != SAMPLER_SAMPLE) or at a
 * slow rate, and repeat the last value in between.
 * at_mark(), when set, runs at every mark of p; `stopped` is 1 when p is
 * held stopped by the sampler (synchronous mark), so a snapshot taken then
 * is exactly at the phase boundary. Return 0, or -errno to report once.
 */
struct sampler_columns {
	const char *name;			/* e.g. "smaps", for messages */
	const char *const *headers;		/* column names */
	size_t ncolumns;
	void (*update)(const struct sampler_columns *c, struct proc_entry *p,
		       int slot, enum sampler_event ev, double time_s);
	void (*format)(const struct proc_entry *p, int slot, size_t column,
		       char *buf, size_t size);
	int (*at_mark)(const struct sampler_columns *c, struct proc_entry *p,
		       int slot, const char *phase, int stopped, double time_s);
	void (*free_ext)(struct proc_entry *p, int slot);
	void *data;				/* the provider's settings */
};

#define SAMPLER_MAX_COLUMNS PROCTABLE_MAX_EXT

enum sampler_backend { SAMPLER_PREAD, SAMPLER_LIBPROC2 };

/* --events: where fork, exec and exit events come from. AUTO: netlink
 * where allowed (root) and no option needs stops (--faults), else ptrace. */
enum sampler_events { SAMPLER_EVENTS_AUTO, SAMPLER_EVENTS_PTRACE, SAMPLER_EVENTS_NETLINK };

struct sampler_options {
	const char *progname;		/* for messages: "cowsample" */
	char *const *command;		/* COMMAND ARGS..., or NULL with pids */
	const pid_t *pids;		/* -p */
	size_t npids;
	double interval_ms;		/* -i, default 10 */
	double duration_s;		/* -d, 0: until every process has exited */
	int changes_only;		/* --changes */
	int csv;			/* --csv */
	int summary;			/* --summary */
	const char *output;		/* -o FILE, NULL: stdout */
	int live;			/* --live */
	const char *live_file;		/* --live=FILE, NULL: stdout */
	const char *snapshot_dir;	/* --snapshot-dir DIR, or NULL */
	const char *faults_file;	/* --faults FILE, or NULL */
	enum sampler_backend backend;
	enum sampler_events events;	/* --events */
	const struct sampler_columns *columns[SAMPLER_MAX_COLUMNS];
	size_t ncolumns;
};

/* -p: a process to follow does not exist or has exited (a zombie). */
#define SAMPLER_EXIT_NO_PROCESS 3

/*
 * Run the sampler. Returns the exit status cowsample should have: the
 * command's own (128+signal when it was killed), 0 after -p, 127 when the
 * command cannot be run, 1 when the output cannot be written,
 * SAMPLER_EXIT_NO_PROCESS when a -p process cannot be followed (one line
 * on stderr says why).
 */
int sampler_run(const struct sampler_options *o);

/* The --smaps provider: pss_kb shared_dirty_kb private_dirty_kb. */
const struct sampler_columns *sampler_smaps_columns(void);

/* The --pagemap provider: present exclusive shared (pages of the private
 * anonymous memory; shared "-" unless root). */
const struct sampler_columns *sampler_pagemap_columns(void);

#endif
