/*
 * sampler_internal.h - the sampler's state, shared by sampler.c (events
 * and the main loop) and sampler_output.c (rows, summary, live view).
 * Not for tools: they use sampler.h.
 */
#ifndef COWLAB_SAMPLER_INTERNAL_H
#define COWLAB_SAMPLER_INTERNAL_H

#include <stdio.h>
#include <time.h>

#include "outfile.h"
#include "procstat_libproc2.h"
#include "proctable.h"
#include "sampler.h"

struct pending_mark {
	pid_t pid;
	char phase[PROCTABLE_PHASE_MAX];
};

struct sampler {
	const struct sampler_options *o;
	struct proctable table;
	struct timespec t0;

	FILE *out;			/* TSV/CSV rows, or NULL */
	int stdout_closed;		/* we were started with fd 1 closed (>&-) */
	unsigned closed_std_fds;	/* bit N: fd N (0..2) was closed at start */
	int header_written;
	struct outfile outfile;		/* -o */
	FILE *live;			/* --live table, or NULL */
	int live_is_stdout;
	double live_drawn_at;
	int live_dirty;
	int live_started;

	int mark_fd;			/* read end of the mark pipe, or -1 */
	char markbuf[4096];
	size_t marklen;
	int skip_to_newline;		/* dropping the rest of an absurd line */
	unsigned long unmatched_marks;	/* malformed lines whose stop is to come */
	struct pending_mark *pending;	/* sync marks waiting for their SIGSTOP */
	size_t npending, pending_cap;

	int traced;			/* ptrace in use */
	struct procevents *procevents;	/* netlink events in use (procevents.h) */
	unsigned long lost_seen;	/* lost netlink messages handled so far */
	int counts_lost_told;		/* "an exit row is its last sample" said */
	int sync_marks;			/* labs stop at marks (COWLAB_MARK_SYNC=1) */
	pid_t command_pid;		/* 0 with -p */
	int command_status;		/* its wait status */
	int command_done;
	int attach_warned;		/* -p: "cannot trace" told once */
	int untraced_live;		/* some live process is not traced */
	double children_scan_at;	/* untraced: last look for new children */

	int quiet_check;		/* may skip reading processes that have not run */
	struct snapshots *snapshots;	/* --snapshot-dir (sampler_pagemap.c) */
	struct sampler_faults *faults;	/* --faults (sampler_faults.c) */
	int snapshot_failed;		/* a snapshot file could not be written */
	struct procstat_libproc2 *libproc2;
	int sigfd;
	int child_events;		/* SIGCHLD came: stops or exits to collect */
	int stopping;			/* Ctrl-C, a signal or -d: ending */
	int stop_signal;		/* the latest signal sent to end them */
	double stop_deadline;		/* then the next one: SIGTERM, SIGKILL */
};

/* Which events a run used, in words, for the summary. */
const char *sampler_events_used(const struct sampler *s);

/* Seconds since the sampler started. */
double sampler_now(const struct sampler *s);

/* sampler_output.c */
int sampler_output_open(struct sampler *s);
int sampler_output_close(struct sampler *s, int ok);
void sampler_write_header(struct sampler *s);
void sampler_write_row(struct sampler *s, struct proc_entry *p, enum sampler_event ev, double t);
void sampler_live_draw(struct sampler *s, double t, int final);
int sampler_print_summary(struct sampler *s);

/* sampler_pagemap.c: --snapshot-dir. open: check (or make) DIR, before
 * COMMAND runs; mark: the files of every live process at a mark of
 * marker (stopped: it is held at its mark); close: the index file. */
int sampler_snapshots_open(struct sampler *s);
void sampler_snapshot_mark(struct sampler *s, struct proc_entry *marker, const char *phase,
			   int stopped, double t);
int sampler_snapshots_close(struct sampler *s, int ok);

/* sampler_faults.c: --faults FILE. open: the file and the tracer, before
 * COMMAND runs (one line says what cannot be traced); follow: a process
 * (with inherit, its children to come); drain: read the buffers (before
 * a phase changes, at exits and execs, and whenever they fill up); fds:
 * to wait for in poll; close: last rows, FILE complete; summary: the
 * kinds per phase against /proc's counts. */
struct pollfd;
int sampler_faults_open(struct sampler *s);
void sampler_faults_follow(struct sampler *s, pid_t tid, int inherit);
void sampler_faults_drain(struct sampler *s);
void sampler_faults_step(struct sampler *s, struct proc_entry *p);
void sampler_faults_release(struct sampler *s, pid_t tid);
void sampler_faults_exec(struct sampler *s, struct proc_entry *p);
size_t sampler_faults_fds(struct sampler *s, struct pollfd *fds, size_t max);
int sampler_faults_close(struct sampler *s, int ok);
void sampler_faults_summary(struct sampler *s, FILE *f);
void sampler_faults_live(struct sampler *s, FILE *f);
void sampler_faults_free(struct sampler *s);

#endif
