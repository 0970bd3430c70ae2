/*
 * procevents.h - fork, exec and exit events of every process, with each
 * exiting task's final fault counters, taken from the kernel without
 * stopping anybody (root only).
 *
 * ptrace gives the sampler exact events, but at a price: every fork, exec
 * and exit stops the process until the sampler has answered (a fork-and-
 * wait loop ran 1.9x slower under cowsample). The kernel can also tell a
 * listener about these events after the fact, over netlink:
 *   - the proc connector (NETLINK_CONNECTOR, CN_IDX_PROC) sends one message
 *     per fork (also a new thread), exec and exit of any task;
 *   - taskstats (generic netlink family "TASKSTATS"), registered for every
 *     CPU, sends the accounting record of every task that exits, taken in
 *     do_exit() before its memory is released: ac_minflt and ac_majflt are
 *     that task's final fault counters, the same numbers /proc/PID/stat
 *     shows for it (a process's are the sum over its threads).
 * A task's taskstats record is queued before its exit message (do_exit
 * sends the first before it releases its memory, the second after), so
 * when the exit message is read the record is there to be matched: the
 * exit event carries the counters even when the process was reaped by its
 * parent long before the sampler could read /proc.
 *
 * Both need CAP_NET_ADMIN (binding to the connector's group, registering
 * a taskstats listener): unprivileged, procevents_open() fails with
 * -EPERM and the sampler uses ptrace. Nothing global is changed: each
 * listener is a socket of its own, any number of samplers may listen at
 * once, and closing the sockets removes them.
 *
 * Messages a socket had no room for are lost (ENOBUFS): they are counted,
 * never ignored; the sampler then says so and checks its processes in
 * /proc.
 */
#ifndef COWLAB_PROCEVENTS_H
#define COWLAB_PROCEVENTS_H

#include <stddef.h>
#include <sys/types.h>

enum procevent_kind { PROCEVENT_FORK, PROCEVENT_EXEC, PROCEVENT_EXIT };

struct procevent {
	enum procevent_kind kind;
	pid_t pid, tgid;		/* the task (fork: the new one) */
	pid_t parent_tgid;		/* fork: the process that forked */
	int have_counts;		/* exit: its taskstats record was read */
	unsigned long min_flt, maj_flt;	/* exit: the task's final counters */
	char comm[16];			/* exit: its name then (with have_counts) */
};

struct procevents;

/*
 * Start listening. Returns 0, or -errno with one line in why (for
 * "cannot use the proc connector: ..."): -EPERM unprivileged, -EXDEV in a
 * PID namespace (the kernel's PIDs are not ours), others when the kernel
 * lacks CONFIG_PROC_EVENTS or CONFIG_TASKSTATS.
 */
int procevents_open(struct procevents **out, char *why, size_t why_size);

/* The descriptors to poll for input (2). */
size_t procevents_fds(const struct procevents *pe, int *fds, size_t max);

/* The next fork, exec or exit event, without blocking: 1, or 0 when there
 * is none now. Every other kind of message is skipped. */
int procevents_next(struct procevents *pe, struct procevent *ev);

/* Overflows so far (each ENOBUFS: one message lost, or more; the kernel
 * does not say how many): the connector's (events) and taskstats' (exit
 * counters). */
unsigned long procevents_lost_events(const struct procevents *pe);
unsigned long procevents_lost_counts(const struct procevents *pe);

/* Stop listening and free (NULL is fine). */
void procevents_close(struct procevents *pe);

#endif
