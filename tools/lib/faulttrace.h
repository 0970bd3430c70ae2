/*
 * faulttrace.h - every page fault of some processes, one by one, with its
 * address and (as root) its kind, through per-task perf events.
 *
 * Why perf events opened on the traced tasks (and not the global trace
 * buffer of tracefs): each sampler gets ring buffers of its own, so two
 * samplers at once never see or disturb each other's events, and no
 * global tracing setting (set_event_pid, options/event-fork, tracing_on,
 * buffer sizes) is ever touched. Tracefs is only read, for the ids and
 * record layouts of three tracepoints; where it is not mounted, a child
 * mounts it in a private mount namespace of its own, reads them and
 * exits, so no mount is left behind either.
 *
 * The events, all opened on each followed task (thread) while it is held
 * by ptrace at its start, so from its first instruction; each task has a
 * buffer of its own, so its records are in the order it took them:
 *   - software events PERF_COUNT_SW_PAGE_FAULTS_MIN and _MAJ (sample
 *     period 1, with address, tid and time). The kernel raises them in
 *     mm_account_fault() right where it adds one to the task's min_flt or
 *     maj_flt, so one row per such event reconciles exactly with
 *     /proc/PID/stat. What they miss is counted there but has no event:
 *     faults the kernel takes for a system call through get_user_pages
 *     (/proc/PID/mem, process_vm_writev, execve's arguments) and, without
 *     privileges, faults taken in kernel mode (exclude_kernel). These need
 *     no privilege for one's own processes (perf_event_paranoid 2).
 *   - as root, three tracepoints that bracket each fault and tell its kind:
 *     exceptions:page_fault_user and exceptions:page_fault_kernel at the
 *     fault's entry (error_code: present, write, instruction fetch), and
 *     kmem:mm_page_alloc in between: a movable allocation (a user page,
 *     not a page table) between a fault's entry and its accounting event
 *     means the fault took a new frame (zero-fill, a copy-on-write copy),
 *     none means it mapped what was there (the zero page, a reuse, a page
 *     cache page). A task's records are in its own order in the buffer,
 *     so the bracket is exact without any timing.
 * The exceptions tracepoints are x86 only; where they (or tracefs, or
 * root) are missing, the rows come from the software events alone, with
 * kind unknown for minor faults.
 */
#ifndef COWLAB_FAULTTRACE_H
#define COWLAB_FAULTTRACE_H

#include <stdint.h>
#include <sys/types.h>

enum ft_mode {
	FT_NONE,	/* nothing can be traced */
	FT_ADDRESSES,	/* software events: addresses, minor or major */
	FT_KINDS,	/* tracepoints as well: access and kind */
};

/* The entry of a fault as the tracepoint saw it (FT_KINDS only). */
struct ft_fault {
	uint64_t time_ns;	/* CLOCK_MONOTONIC */
	pid_t pid, tid;
	uint64_t address;
	int major;		/* counted in maj_flt (else min_flt) */
	int have_entry;		/* the fields below are known */
	int user;		/* taken in user mode (else in the kernel) */
	uint64_t error_code;	/* x86: bit 0 present, 1 write, 4 fetch */
	int allocated;		/* a movable page was allocated meanwhile */
	unsigned alloc_order;	/* the largest such allocation's order */
	int zeroed;		/* it was a zeroed page (__GFP_ZERO) */
};

struct faulttrace;

/*
 * Decide what can be traced here and prepare it (no task is followed yet).
 * Returns the tracer, or NULL with *mode FT_NONE and a reason in why.
 */
struct faulttrace *faulttrace_new(enum ft_mode *mode, char *why, size_t why_size);

/*
 * Follow task tid (one thread), with a buffer of its own: opened while
 * the task is held (ptrace) before it runs, it misses nothing. (inherit
 * cannot be used: the kernel refuses to map the buffer of an inherited
 * per-task event, and per-CPU buffers would split a fault's records
 * between CPUs.) Returns 0 or -errno.
 */
int faulttrace_follow(struct faulttrace *ft, pid_t tid, int inherit);

/* tid has exited (and its buffer was drained): free its buffer. */
void faulttrace_release(struct faulttrace *ft, pid_t tid);

/*
 * Read every record now in the buffers and call fault() for each fault
 * that /proc counts, in each task's order. Returns the number read.
 */
unsigned long faulttrace_drain(struct faulttrace *ft,
			       void (*fault)(void *ctx, const struct ft_fault *f), void *ctx);

/* The buffers' descriptors, to wait for with poll() (POLLIN: half full). */

size_t faulttrace_fds(const struct faulttrace *ft, int *fds, size_t max);

/* Events the kernel dropped because a buffer was full. */
uint64_t faulttrace_lost(const struct faulttrace *ft);

/* Fault entries seen that /proc does not count (bad addresses, retries). */
uint64_t faulttrace_unaccounted(const struct faulttrace *ft);

void faulttrace_free(struct faulttrace *ft);

/* "read", "write", "exec" for an x86 error code. */
const char *faulttrace_access(uint64_t error_code);

#endif
