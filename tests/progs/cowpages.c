/*
 * cowpages - a test subject for cowmap: maps N pages, touches them, forks,
 * and lets the test act between the steps.
 *
 *   cowpages [--thp] N K [STRIDE]
 *
 * The child writes K pages: pages 0..K-1, or with STRIDE every STRIDE-th
 * page (0, STRIDE, 2*STRIDE, ...), which makes many short runs.
 * Protocol (no sleeps anywhere): after each step the parent prints one line
 * on stdout and waits for a line on stdin before the next step.
 *   ready parent=P child=C addr=0xA pages=N   both touched/forked, waiting
 *   child-wrote K                             the child wrote K pages
 *   child-exited C                            the child exited; it is a
 *                                             zombie (not reaped yet)
 *   parent-rewrote N                          child reaped, parent rewrote all
 * EOF on stdin at any point ends both processes.
 */
#define _GNU_SOURCE 1
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define HUGE_SIZE (2UL << 20)

static long page;

static void write_pages(char *buf, long from, long to, long stride)
{
	for (long i = from; i < to; i++)
		buf[i * stride * page] = (char)(i + 1);
}

static int wait_line(void)
{
	char line[64];

	return fgets(line, sizeof line, stdin) != NULL;
}

static void child_loop(char *buf, long k, long stride, int cmd, int reply)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		if (c == 'w') {
			write_pages(buf, 0, k, stride);
			if (write(reply, "d", 1) != 1)
				_exit(1);
		} else {
			break;
		}
	}
	_exit(0);
}

/* The last two steps: the child exits (and stays a zombie until the next
 * line), then the parent reaps it and writes every page again. A zombie
 * left at EOF is reaped by init when we exit. */
static void end_child_then_rewrite(char *buf, long n, pid_t child, int cmd)
{
	siginfo_t info;

	/* EOF on its pipe ends the child. WNOWAIT: wait until it has exited,
	 * but leave it a zombie for the test to look at. */
	close(cmd);
	if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) != 0)
		exit(1);
	printf("child-exited %d\n", (int)child);
	if (!wait_line())
		return;
	waitpid(child, NULL, 0);
	write_pages(buf, 0, n, 1);
	printf("parent-rewrote %ld\n", n);
	wait_line();
}

int main(int argc, char **argv)
{
	int thp = 0, cmd[2], reply[2];
	long n, k, stride = 1;
	char *raw, *buf, *heap, c;
	pid_t child;

	page = sysconf(_SC_PAGESIZE);
	/* A [heap] of our own for `cowmap --map heap` to find: malloc may not
	 * use brk at all (the sanitizer build's does not). */
	heap = sbrk(page);
	if (heap == (void *)-1) {
		perror("cowpages: sbrk");
		return 1;
	}
	*heap = 1;
	if (argc > 1 && strcmp(argv[1], "--thp") == 0) {
		thp = 1;
		argc--, argv++;
	}
	if (argc == 4)
		stride = atol(argv[3]);
	if (argc < 3 || argc > 4 || (n = atol(argv[1])) <= 0 || (k = atol(argv[2])) < 0 ||
	    stride <= 0 || (k - 1) * stride >= n) {
		fprintf(stderr, "usage: cowpages [--thp] N K [STRIDE] (K pages within N)\n");
		return 2;
	}
	/* Align to 2 MiB so that --thp can get whole huge pages. */
	raw = mmap(NULL, n * page + HUGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("cowpages: mmap");
		return 1;
	}
	buf = (char *)(((uintptr_t)raw + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	madvise(buf, n * page, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	write_pages(buf, 0, n, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(cmd) != 0 || pipe(reply) != 0) {
		perror("cowpages: pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("cowpages: fork");
		return 1;
	}
	if (child == 0) {
		close(cmd[1]);
		close(reply[0]);
		child_loop(buf, k, stride, cmd[0], reply[1]);
	}
	close(cmd[0]);
	close(reply[1]);
	printf("ready parent=%d child=%d addr=%p pages=%ld\n", (int)getpid(),
	       (int)child, (void *)buf, n);
	if (wait_line()) {
		if (write(cmd[1], "w", 1) != 1 || read(reply[0], &c, 1) != 1)
			return 1;
		printf("child-wrote %ld\n", k);
		if (wait_line()) {
			end_child_then_rewrite(buf, n, child, cmd[1]);
			return 0;	/* the child is gone or a zombie: no kill */
		}
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
