/*
 * trace.c - start or attach to processes under ptrace (see trace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
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

/* The child: wait for the go byte, set up, exec. The byte: '1' traced,
 * '2' not traced but its marks are answered (netlink events), '0' neither. */
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
		if (go == '1' || go == '2')
			setenv("COWLAB_MARK_SYNC", "1", 1);
		else
			unsetenv("COWLAB_MARK_SYNC");
	}
	/* '2' too: what the command sees is the same on both paths of the
	 * sampler (an --events ptrace run and a netlink one). */
	if (go == '1' || go == '2')
		no_leak_check_when_traced();
	/* '2': not traced, so no PTRACE_O_EXITKILL: should the sampler die
	 * (SIGKILL), the command dies too rather than wait at a mark stop
	 * that nobody will end. */
	if (go == '2')
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* '2': stopped here, ready to exec, the sampler reads the counters the
	 * command starts with (as ptrace does at the exec stop). */
	if (go == '2')
		raise(SIGSTOP);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof err) < 0)
		_exit(127);
	_exit(127);
}

int trace_spawn(char *const argv[], int seize, int mark_fd, int stdout_fd,
		const sigset_t *child_sigmask, void (*at_exec)(void *arg, pid_t pid),
		void *arg, struct trace_spawn_result *out)
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
	if (!seize) {
		go_byte = '2';
	} else if (ptrace(PTRACE_SEIZE, pid, NULL,
			  (void *)(long)(TRACE_OPTIONS | PTRACE_O_EXITKILL)) == 0) {
		out->traced = 1;
		go_byte = '1';
	} else {
		out->seize_errno = errno;
		go_byte = '0';
	}
	if (write(go[1], &go_byte, 1) != 1) {
		/* Cannot happen while the child lives; treat as exec failure. */
		exec_errno = errno;
	}
	close(go[1]);
	if (go_byte == '2') {
		/* Its stop just before exec (or its end, when its setup failed). */
		pid_t got;

		do
			got = waitpid(pid, &status, WUNTRACED);
		while (got < 0 && errno == EINTR);
		if (got == pid && WIFSTOPPED(status)) {
			if (at_exec != NULL)
				at_exec(arg, pid);
			kill(pid, SIGCONT);
		}
	}

	/* The error pipe is close-on-exec: EOF means the exec worked (the
	 * close happens before the exec event stop, so this cannot block on
	 * a stopped tracee). */
	do
		n = read(err_pipe[0], &exec_errno, sizeof exec_errno);
	while (n < 0 && errno == EINTR);
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
