/*
 * proctable.h - the processes a sampler follows.
 *
 * One entry per process (thread group) ever seen, identified by (pid,
 * starttime): a PID that the kernel reuses is a new entry. Entries stay in
 * the table after the process exits, so summaries and the live view can
 * still show its final counts. Threads of followed processes are kept in a
 * second, smaller list (ptrace stops arrive per thread).
 */
#ifndef COWLAB_PROCTABLE_H
#define COWLAB_PROCTABLE_H

#include <stddef.h>
#include <sys/types.h>

#include "procstat.h"

#define PROCTABLE_PHASE_MAX 48

/* A phase boundary of one process: its counters at a mark (or at exit). */
struct phase_step {
	double time_s;
	char phase[PROCTABLE_PHASE_MAX];
	unsigned long min_flt, maj_flt;		/* counters at this boundary */
	unsigned long d_min_flt, d_maj_flt;	/* change since the previous one */
};

/* Slots for per-process data of column providers (see sampler.h). */
#define PROCTABLE_MAX_EXT 4

struct proc_entry {
	struct proc_id id;		/* pid and starttime */
	int depth;			/* 0 the followed process, 1 its child, ... */
	int stat_fd;			/* held /proc/PID/stat fd, or -1 */
	int sched_fd;			/* held /proc/PID/schedstat fd, or -1 */
	struct proc_sched quiet;	/* schedstat since it last changed... */
	double quiet_since;		/* ...read before this time (sampler's clock) */
	int have_quiet;
	double read_at;			/* time of the latest reading of stat */
	int exited;			/* its exit row is written */
	int traced;			/* under ptrace */
	int threads;			/* live traced threads, this one included */
	/* Netlink events (procevents.h): the final counters of its threads
	 * that have exited, from their taskstats records, and those of its
	 * threads that ended before we followed it (-p). */
	unsigned long exited_min_flt, exited_maj_flt;
	int counts_missing;		/* a thread's record was lost */
	int counts_final;		/* last holds its final counters */
	int read_error_reported;	/* EACCES or similar told once */
	int snapshot_error_told;	/* --snapshot-dir: its page map unreadable */
	struct proc_stat last;		/* latest reading */
	int have_last;
	unsigned long emitted_min_flt;	/* counters of its latest row (--changes) */
	unsigned long emitted_maj_flt;
	int have_emitted;
	int seen_mark;			/* it marked at least once */
	char phase[PROCTABLE_PHASE_MAX];	/* latest mark, or "-" */
	unsigned long phase_min_flt;	/* counters at the latest mark (or first sight) */
	unsigned long phase_maj_flt;
	struct phase_step *steps;	/* marks, then the exit */
	size_t nsteps, steps_cap;
	void *ext[PROCTABLE_MAX_EXT];	/* column providers' data */
};

struct proctable {
	struct proc_entry **procs;	/* in order of discovery */
	size_t n, cap;
	/* traced threads that are not a thread-group leader: tid -> tgid */
	struct { pid_t tid, tgid; } *threads;
	size_t nthreads, threads_cap;
};

void proctable_init(struct proctable *t);
void proctable_free(struct proctable *t, void (*free_ext)(struct proc_entry *));

/* The live (not yet exited) entry with this pid, or NULL. */
struct proc_entry *proctable_find(struct proctable *t, pid_t pid);

/* Add a process first seen now. Returns the entry (never NULL: aborts on OOM). */
struct proc_entry *proctable_add(struct proctable *t, pid_t pid, int depth);

/* Number of entries not yet exited. */
size_t proctable_live(const struct proctable *t);

/* Thread bookkeeping: a traced thread (tid != tgid) of a followed process. */
void proctable_add_thread(struct proctable *t, pid_t tid, pid_t tgid);
pid_t proctable_thread_tgid(const struct proctable *t, pid_t tid);	/* 0: unknown */
void proctable_remove_thread(struct proctable *t, pid_t tid);

/* Record a phase boundary (a mark, or "exit") with the counters now. */
void proctable_phase_step(struct proc_entry *p, double time_s, const char *phase);

/* "parent", "child", "grandchild" or "descendant" for a depth. */
const char *proctable_role(int depth);

/* ARRAY with room for at least NEED elements of ELEM bytes (*CAP grows by
 * doubling); out of memory aborts: the sampler cannot go on without it. */
void *proctable_grow(void *array, size_t *cap, size_t need, size_t elem);

#endif
