/*
 * trace.h - start or attach to processes under ptrace(PTRACE_SEIZE).
 *
 * Tracing gives the sampler exact events: a stop at every fork, vfork,
 * clone and exec, and a stop at exit *before* the process releases its
 * memory, where /proc/PID/stat holds its final counters.
 */
#ifndef COWLAB_TRACE_H
#define COWLAB_TRACE_H

#include <signal.h>
#include <sys/types.h>

/* The event stops a sampler asks for. */
#define TRACE_OPTIONS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT)

struct trace_spawn_result {
	pid_t pid;		/* the command's pid (our child) */
	int traced;		/* 1 when PTRACE_SEIZE worked */
	int seize_errno;	/* why not, when traced == 0 */
};

/*
 * Fork and exec argv[0] (searched in PATH) with the signal mask
 * child_sigmask. The child is seized before it execs, so its exec is the
 * first event. mark_fd >= 0 is passed to the command, not close-on-exec,
 * in COWLAB_MARK_FD, with COWLAB_MARK_SYNC=1 when the child is traced.
 * stdout_fd >= 0 becomes the command's standard output (the sampler passes
 * its stderr when its own stdout carries the rows); -1 leaves it alone.
 * Returns 0, or -errno when the command cannot be run (then nothing is
 * left running and out->pid is 0). Signal stops before the exec are
 * answered here; the exec stop is left for the caller, whose SIGCHLD may
 * have been read here: look for stops after this returns.
 */
int trace_spawn(char *const argv[], int mark_fd, int stdout_fd,
		const sigset_t *child_sigmask, struct trace_spawn_result *out);

/* Seize a running process (thread). Returns 0 or -errno. */
int trace_attach(pid_t tid);

/* Let a stopped tracee go on, delivering sig (0: none). ESRCH is ignored. */
void trace_resume(pid_t tid, int sig);

/* Keep a tracee in its group-stop (a real SIGSTOP from a user) until SIGCONT. */
void trace_listen(pid_t tid);

#endif
