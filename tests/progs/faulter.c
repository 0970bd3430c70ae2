/*
 * faulter.c - a test helper for cowsample: makes a known number of page
 * faults in known processes, then waits or exits as told.
 *
 *   faulter [-n N] [-c K] [-m] [-a A] [-r] [-w] [-s NAME]
 *     -n N     write one byte in each of N fresh private pages (default 0)
 *     -c K     then fork a child that writes K fresh pages and _exits at once
 *     -W       the child writes K of the parent's N pages instead (the first
 *              K: one copy-on-write each); prints "buffer 0xADDR pages N"
 *     -m       announce phases with lab_mark: the parent "begin" (before its
 *              N pages), "touched", "done" (after the child exited); the
 *              child "child-begin" (before its K pages), "child-wrote"
 *     -a A     right after each mark but "begin"/"child-begin", write A more
 *              fresh pages: a mark measured late would count them
 *     -s NAME  set the process name (comm) to NAME first (prctl PR_SET_NAME)
 *     -r       at the end print "ready PID" and sleep until killed (at rest)
 *     -w       before touching, print "waiting PID" and wait for a line on stdin
 *
 * The numbers of pages come from the command line, so tests derive their
 * bounds from them, never from a previous run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cowlab.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static long page_size;

/* n fresh private pages, 4 KiB ones only (one fault per page). */
static char *map_pages(long n)
{
	char *buf = mmap(NULL, (size_t)(n * page_size), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED) {
		perror("faulter: mmap");
		exit(1);
	}
	madvise(buf, (size_t)(n * page_size), MADV_NOHUGEPAGE);
	return buf;
}

/* One byte in each of n pages. Not instrumented in the sanitizer build:
 * one fault per page, none for the sanitizer's shadow memory. */
LAB_NOT_SANITIZED static void write_pages(char *buf, long n)
{
	long i;

	for (i = 0; i < n; i++)
		buf[i * page_size] = 1;
}

/* Write n fresh pages; returns them (NULL for none). */
static char *touch_pages(long n)
{
	char *buf;

	if (n <= 0)
		return NULL;
	buf = map_pages(n);
	write_pages(buf, n);
	return buf;
}

/* A phase mark, then (-a) A more pages at once: still the same phase. */
static void mark_then_touch(int marks, const char *phase, long after)
{
	if (!marks)
		return;
	lab_mark(phase);
	touch_pages(after);
}

int main(int argc, char *argv[])
{
	long pages = 0, child_pages = -1, after = 0;
	int marks = 0, rest = 0, wait_line = 0, cow = 0, opt, status;
	char *buf;
	sigset_t usr1;
	pid_t child;
	int sig;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "n:c:ma:Ws:rw")) != -1) {
		switch (opt) {
		case 'n': pages = atol(optarg); break;
		case 'a': after = atol(optarg); break;
		case 'c': child_pages = atol(optarg); break;
		case 'm': marks = 1; break;
		case 'W': cow = 1; break;
		case 's': prctl(PR_SET_NAME, optarg); break;
		case 'r': rest = 1; break;
		case 'w': wait_line = 1; break;
		default:
			fprintf(stderr, "usage: faulter [-n N] [-c K] [-W] [-m] [-a A] [-s NAME] [-r] [-w]\n");
			return 2;
		}
	}
	if (wait_line) {
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		printf("waiting %d\n", (int)getpid());
		fflush(stdout);
		sigwait(&usr1, &sig);
	}
	mark_then_touch(marks, "begin", 0);
	buf = touch_pages(pages);
	if (cow) {
		printf("buffer %p pages %ld\n", (void *)buf, pages);
		fflush(stdout);
	}
	mark_then_touch(marks, "touched", after);
	if (child_pages >= 0) {
		fflush(stdout);
		child = fork();
		if (child < 0)
			return 1;
		if (child == 0) {
			mark_then_touch(marks, "child-begin", 0);
			if (cow)
				write_pages(buf, child_pages < pages ? child_pages : pages);
			else
				touch_pages(child_pages);
			mark_then_touch(marks, "child-wrote", after);
			_exit(0);	/* at once: only an exact exit row sees the faults */
		}
		waitpid(child, &status, 0);
	}
	mark_then_touch(marks, "done", after);
	if (rest) {
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	return 0;
}
