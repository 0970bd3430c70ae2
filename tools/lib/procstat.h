/*
 * procstat.h - read a process's counters from /proc/PID/stat.
 *
 * The one place in cowlab that parses /proc/PID/stat. Tools call these
 * functions; nothing else reads that file.
 */
#ifndef COWLAB_PROCSTAT_H
#define COWLAB_PROCSTAT_H

#include <stddef.h>
#include <sys/types.h>

/* comm is at most 15 characters (TASK_COMM_LEN - 1) plus the terminator. */
#define PROCSTAT_COMM_MAX 16

struct proc_stat {
	pid_t pid;
	char comm[PROCSTAT_COMM_MAX];
	char state;			/* R, S, D, Z, T, t, X, ... */
	pid_t ppid;
	unsigned long min_flt;		/* field 10 */
	unsigned long cmin_flt;		/* field 11: waited-for children */
	unsigned long maj_flt;		/* field 12 */
	unsigned long cmaj_flt;		/* field 13 */
	long num_threads;		/* field 20 */
	unsigned long long starttime;	/* field 22, clock ticks after boot */
	long rss_pages;			/* field 24 */
};

/*
 * A process is identified by (pid, starttime): a PID that the kernel reuses
 * for a new process has a different starttime.
 */
struct proc_id {
	pid_t pid;
	unsigned long long starttime;
};

/*
 * Parse the text of /proc/PID/stat (len bytes, need not be terminated).
 * comm may hold spaces, digits, '(' and ')', so the fields after it are
 * read after the *last* ')'. Returns 0, or -EINVAL for a malformed or
 * truncated line (then *out is unspecified).
 */
int procstat_parse(const char *text, size_t len, struct proc_stat *out);

/* Open /proc/PID/stat for repeated reads. Returns an fd or -errno. */
int procstat_open(pid_t pid);

/*
 * Read and parse a held stat fd with pread at offset 0 (the fast path: no
 * open, no path lookup). Returns 0 or -errno: -ESRCH when the process has
 * gone (reaped), -EINVAL when the text does not parse.
 */
int procstat_read_fd(int fd, struct proc_stat *out);

/* Open, read and close in one go. Returns 0 or -errno (-ENOENT: no such PID). */
int procstat_read_pid(pid_t pid, struct proc_stat *out);

/*
 * /proc/PID/schedstat: how long the thread PID (for a process: its main
 * thread) has run, and how many times it was switched onto a CPU. The
 * run time is brought up to date only at scheduler events (a tick, a
 * switch), so it can lag while the thread is on a CPU; see sampler.c for
 * how the sampler uses it to tell that a process has not run.
 */
struct proc_sched {
	unsigned long long run_ns;	/* se.sum_exec_runtime */
	unsigned long long switched_in;	/* sched_info.pcount */
};

/* Parse its text "run_ns run_delay_ns switched_in\n". 0, -EINVAL for
 * malformed text, -ENOTSUP when switched_in is 0 (see below). */
int procstat_sched_parse(const char *text, size_t len, struct proc_sched *out);

/* Open /proc/PID/schedstat for repeated reads. Returns an fd or -errno. */
int procstat_sched_open(pid_t pid);

/*
 * Read a held schedstat fd (one pread). Returns 0 or -errno: -ESRCH when
 * the process has gone, -ENOTSUP when the thread was never switched in:
 * a new child that has not run yet, or a kernel that keeps no such
 * statistics (it then shows "0 0 0" for every thread).
 */
int procstat_sched_read_fd(int fd, struct proc_sched *out);

/*
 * 1 when every CPU that runs a task takes the periodic scheduler tick
 * (at least HZ=100 times a second), i.e. no CPU is "nohz_full"
 * (/sys/devices/system/cpu/nohz_full lists none); 0 otherwise.
 */
int procstat_cpus_tick_when_busy(void);

/*
 * The thread group (process) a thread belongs to, from /proc/TID/status.
 * Returns the tgid, or -errno.
 */
pid_t procstat_tgid(pid_t tid);

/* A list of PIDs of any length (free with procstat_pid_list_free). */
struct pid_list {
	pid_t *v;
	size_t n, cap;
};
void procstat_pid_list_free(struct pid_list *list);

/*
 * The children of process pid, forked by any of its threads (from
 * /proc/PID/task/TID/children), however many: *list is filled (its old
 * content dropped, its memory reused). 0 or -errno.
 */
int procstat_children_list(pid_t pid, struct pid_list *list);

/* The threads of process pid (from /proc/PID/task), however many. 0 or -errno. */
int procstat_threads_list(pid_t pid, struct pid_list *list);

/*
 * The same into a fixed array: stores at most max pids in out and returns
 * how many there are (may exceed max), or -errno.
 */
int procstat_children(pid_t pid, pid_t *out, int max);
int procstat_threads(pid_t pid, pid_t *out, int max);

#endif
