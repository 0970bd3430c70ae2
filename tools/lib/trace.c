/*
 * trace.c - start or attach to processes under ptrace (see trace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

/*
 * LeakSanitizer cannot run in a traced process (it ptraces its own threads
 * at exit, and a process has one tracer only): a program built with
 * -fsanitize=address would fail when it exits. So a traced command is told
 * not to check for leaks; the last detect_leaks in ASAN_OPTIONS wins, and
 * programs built without the sanitizer ignore the variable.
 */
static void no_leak_check_when_traced(void)
{
	const char *old = getenv("ASAN_OPTIONS");
	const char *add = "detect_leaks=0";
	size_t size = (old ? strlen(old) + 1 : 0) + strlen(add) + 1;
	char *text = malloc(size);

	if (text == NULL)
		return;
	snprintf(text, size, "%s%s%s", old ? old : "", old && *old ? ":" : "", add);
	setenv("ASAN_OPTIONS", text, 1);
	free(text);
}

/* The child: wait for the go byte ('1' traced, '0' not), set up, exec. */
static void run_child(char *const argv[], int mark_fd, int stdout_fd,
		      const sigset_t *mask, int go_fd, int err_fd)
{
	char go = '0', text[16];
	int err;

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (read(go_fd, &go, 1) != 1)
		_exit(127);	/* the sampler died before letting us go */
	close(go_fd);
	if (stdout_fd >= 0 && stdout_fd != STDOUT_FILENO &&
	    dup2(stdout_fd, STDOUT_FILENO) < 0) {
		err = errno;
		if (write(err_fd, &err, sizeof err) < 0)
			_exit(127);
		_exit(127);
	}
	if (mark_fd >= 0) {
		/* Not close-on-exec: a lab started through `sh -c` still gets it. */
		fcntl(mark_fd, F_SETFD, 0);
		snprintf(text, sizeof text, "%d", mark_fd);
		setenv("COWLAB_MARK_FD", text, 1);
		if (go == '1')
			setenv("COWLAB_MARK_SYNC", "1", 1);
		else
			unsetenv("COWLAB_MARK_SYNC");
	}
	if (go == '1')
		no_leak_check_when_traced();
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof err) < 0)
		_exit(127);
	_exit(127);
}

/*
 * A tracee that gets a signal before its exec (SIGWINCH from a resized
 * tmux pane, Ctrl-C, Ctrl-Z) stops for us even when it ignores that
 * signal: we must answer that stop, or the child never reaches its exec
 * and we wait on its error pipe forever. Answer it as the sampler would:
 * deliver the signal; keep a real group-stop (Ctrl-Z) stopped.
 */
static void answer_stop_before_exec(pid_t pid)
{
	int status, event, sig;

	if (waitpid(pid, &status, __WALL | WNOHANG) != pid || !WIFSTOPPED(status))
		return;
	event = status >> 16;
	sig = WSTOPSIG(status);
	if (event == PTRACE_EVENT_STOP && (sig == SIGSTOP || sig == SIGTSTP ||
					   sig == SIGTTIN || sig == SIGTTOU))
		trace_listen(pid);
	else
		trace_resume(pid, event == 0 ? sig : 0);
}

/*
 * Wait until the exec worked (EOF on the close-on-exec error pipe) or
 * failed (its errno arrives). The close happens before the exec event
 * stop, and a failed exec writes its errno before the child's exit stop,
 * so the pipe is ready before either of those stops, which are left for
 * the caller. Any other stop on the way is answered here, as soon as its
 * SIGCHLD arrives (blocked here and read from a signalfd: a caller that
 * reads SIGCHLD itself must look for stops once we return). Returns what
 * read() returned.
 */
static ssize_t wait_for_exec(pid_t pid, int traced, int err_fd, int *exec_errno)
{
	struct pollfd fds[2] = { { .fd = err_fd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	struct signalfd_siginfo chld_info;
	sigset_t chld, old_mask;
	siginfo_t si;
	int rc, event;
	ssize_t n;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (traced) {
		sigprocmask(SIG_BLOCK, &chld, &old_mask);
		fds[1].fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	}
	for (;;) {
		/* Without a signalfd (none left?), look every 10 ms. */
		rc = poll(fds, 2, traced && fds[1].fd < 0 ? 10 : -1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			break;
		while (fds[1].fd >= 0 && read(fds[1].fd, &chld_info, sizeof chld_info) > 0)
			;
		/* Look without collecting: the exec and exit stops are the caller's. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, pid, &si, WSTOPPED | WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 ||
		    si.si_pid != pid)
			continue;
		event = si.si_status >> 8;
		if (si.si_code != CLD_TRAPPED || event == PTRACE_EVENT_EXEC ||
		    event == PTRACE_EVENT_EXIT)
			break;	/* the pipe is ready, or the child is gone */
		answer_stop_before_exec(pid);
	}
	if (traced) {
		if (fds[1].fd >= 0)
			close(fds[1].fd);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	}
	if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    fcntl(err_fd, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	do
		n = read(err_fd, exec_errno, sizeof *exec_errno);
	while (n < 0 && errno == EINTR);
	return n;
}

int trace_spawn(char *const argv[], int mark_fd, int stdout_fd,
		const sigset_t *child_sigmask, struct trace_spawn_result *out)
{
	int go[2], err_pipe[2], exec_errno = 0, status;
	char go_byte;
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof *out);
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(go[0]); close(go[1]); close(err_pipe[0]); close(err_pipe[1]);
		return -e;
	}
	if (pid == 0) {
		close(go[1]);
		close(err_pipe[0]);
		run_child(argv, mark_fd, stdout_fd, child_sigmask, go[0], err_pipe[1]);
	}
	close(go[0]);
	close(err_pipe[1]);

	/* PTRACE_O_EXITKILL: should we die (SIGKILL), the command we started
	 * and every descendant traced with it die too, instead of staying
	 * stopped forever at a mark we can no longer answer. */
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)(TRACE_OPTIONS | PTRACE_O_EXITKILL)) == 0) {
		out->traced = 1;
	} else {
		out->seize_errno = errno;
	}
	go_byte = out->traced ? '1' : '0';
	if (write(go[1], &go_byte, 1) != 1) {
		/* Cannot happen while the child lives; treat as exec failure. */
		exec_errno = errno;
	}
	close(go[1]);

	n = wait_for_exec(pid, out->traced, err_pipe[0], &exec_errno);
	close(err_pipe[0]);
	if (n == (ssize_t)sizeof exec_errno || exec_errno != 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, __WALL) == pid && !WIFEXITED(status) &&
		       !WIFSIGNALED(status))
			trace_resume(pid, 0);
		return -(exec_errno ? exec_errno : ENOEXEC);
	}
	out->pid = pid;
	return 0;
}

int trace_attach(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)TRACE_OPTIONS) < 0)
		return -errno;
	return 0;
}

void trace_resume(pid_t tid, int sig)
{
	ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}

void trace_listen(pid_t tid)
{
	ptrace(PTRACE_LISTEN, tid, NULL, NULL);
}
