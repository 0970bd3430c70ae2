/*
 * at_phase - run a lab program and act on a file at one of its phase
 * marks, deterministically (no sleeps): a test helper.
 *
 *   at_phase PHASE truncate FILE SIZE -- COMMAND [ARGS...]
 *   at_phase PHASE fill FILE SIZE -- COMMAND [ARGS...]
 *   at_phase PHASE kill SIGNAL -- COMMAND [ARGS...]
 *
 * COMMAND runs with COWLAB_MARK_FD (a pipe to us) and COWLAB_MARK_SYNC=1,
 * so it stops itself (SIGSTOP) after each lab_mark(). At every mark we
 * wait for that stop; at PHASE we truncate FILE to SIZE bytes (or send
 * write SIZE bytes of data into a new FILE, to fill a small filesystem,
 * or send SIGNAL), then let COMMAND go on with SIGCONT.
 *
 * Exit status: COMMAND's own (128+signal if killed); 3 if COMMAND ended
 * without reaching PHASE; 2 for usage errors, 1 for other errors.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "at_phase: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: at_phase PHASE truncate FILE SIZE -- COMMAND...\n"
			"       at_phase PHASE fill FILE SIZE -- COMMAND...\n"
			"       at_phase PHASE kill SIGNAL -- COMMAND...\n");
	exit(2);
}

/* Write SIZE bytes into a new FILE (as much as fits: ENOSPC is the point). */
static void fill(const char *file, long long size)
{
	static char block[65536];
	FILE *f = fopen(file, "w");

	if (f == NULL)
		fail(file);
	memset(block, 'x', sizeof block);
	while (size > 0 && fwrite(block, 1, size < (long long)sizeof block ?
				  (size_t)size : sizeof block, f) > 0)
		size -= sizeof block;
	fclose(f);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	const char *phase, *action;
	char **command = NULL;
	int i, fds[2], status, reached = 0;
	char fd_text[16], line[256], want[256];
	FILE *marks;
	pid_t pid;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			command = argv + i + 1;
			break;
		}
	if (command == NULL || command[0] == NULL || i < 4)
		usage();
	phase = argv[1];
	action = argv[2];
	if (!((strcmp(action, "truncate") == 0 && i == 5) ||
	      (strcmp(action, "fill") == 0 && i == 5) ||
	      (strcmp(action, "kill") == 0 && i == 4)))
		usage();

	if (pipe(fds) < 0)
		fail("pipe");
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		close(fds[0]);
		snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
		setenv("COWLAB_MARK_FD", fd_text, 1);
		setenv("COWLAB_MARK_SYNC", "1", 1);
		execvp(command[0], command);
		fprintf(stderr, "at_phase: %s: %s\n", command[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	marks = fdopen(fds[0], "r");
	if (marks == NULL)
		fail("fdopen");
	snprintf(want, sizeof want, "%d %s\n", (int)pid, phase);
	while (fgets(line, sizeof line, marks) != NULL) {
		/* The program stops itself right after writing the mark. */
		if (waitpid(pid, &status, WUNTRACED) < 0)
			fail("waitpid");
		if (!WIFSTOPPED(status))
			return exit_code(status);
		if (!reached && strcmp(line, want) == 0) {
			reached = 1;
			if (strcmp(action, "truncate") == 0) {
				if (truncate(argv[3], atoll(argv[4])) < 0)
					fail(argv[3]);
			} else if (strcmp(action, "fill") == 0) {
				fill(argv[3], atoll(argv[4]));
			} else {
				kill(pid, atoi(argv[3]));
			}
		}
		kill(pid, SIGCONT);
	}
	if (waitpid(pid, &status, 0) < 0)
		fail("waitpid");
	if (!reached) {
		fprintf(stderr, "at_phase: %s never reached phase %s\n", command[0], phase);
		return 3;
	}
	return exit_code(status);
}
