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
 * The thread group (process) a thread belongs to, from /proc/TID/status.
 * Returns the tgid, or -errno.
 */
pid_t procstat_tgid(pid_t tid);

/*
 * The children of process pid (of its main thread), from
 * /proc/PID/task/PID/children. Stores at most max pids in out and returns
 * how many there are (may exceed max), or -errno.
 */
int procstat_children(pid_t pid, pid_t *out, int max);

/*
 * The threads of process pid, from /proc/PID/task. Same convention as
 * procstat_children.
 */
int procstat_threads(pid_t pid, pid_t *out, int max);

#endif
