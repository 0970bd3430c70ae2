/*
 * cowlab.h - the few helpers every cowlab lab program shares.
 *
 * A lab program uses only these things:
 *   lab_faults_now()        this process's page-fault counters, from the kernel
 *   lab_result(...)         print one "result:" line with the faults of a step
 *   lab_mark("phase")       tell cowsample (if it runs us) which step just ended
 *   lab_pause(on, "next")   in interactive mode, wait for Enter before a step
 *   lab_thp_mode()          the machine's transparent-huge-page mode
 *   LAB_NOT_SANITIZED       before a function whose memory accesses are counted
 *   lab_todo(N)             in a student skeleton only: where TODO N is missing
 *
 * Lab programs define _GNU_SOURCE before including any header.
 */
#ifndef COWLAB_H
#define COWLAB_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/*
 * LAB_NOT_SANITIZED, written before a function that touches the lab's
 * buffer: the kit's sanitizer build (-fsanitize=address) checks every
 * access against a "shadow" map of memory, and the first touch of that
 * shadow faults too (one shadow page per 8 pages). Such functions are left
 * unchecked, so the faults a lab counts are its buffer's own in every
 * build. In a normal build the attribute changes nothing.
 */
#define LAB_NOT_SANITIZED __attribute__((no_sanitize_address))

/* Page faults counted by the kernel for this process so far. */
struct lab_faults {
	long minor;	/* no I/O needed: zero-fill, copy-on-write, page-cache hit */
	long major;	/* I/O needed: the page had to be read from a file or swap */
};

static inline struct lab_faults lab_faults_now(void)
{
	struct rusage usage;
	struct lab_faults faults = { 0, 0 };

	/* ru_minflt/ru_majflt are the same counters as min_flt/maj_flt in
	 * /proc/self/stat, which is what ps and cowsample show. */
	if (getrusage(RUSAGE_SELF, &usage) == 0) {
		faults.minor = usage.ru_minflt;
		faults.major = usage.ru_majflt;
	}
	return faults;
}

/*
 * One line per measured step, in a fixed form that tests, quizzes and the
 * grader read (the sentences around it are for people):
 *   result: phase=child-wrote role=child pid=1234 minor=512 major=0
 */
static inline void lab_result(const char *phase, const char *role,
			      struct lab_faults before, struct lab_faults after)
{
	printf("result: phase=%s role=%s pid=%d minor=%ld major=%ld\n",
	       phase, role, (int)getpid(),
	       after.minor - before.minor, after.major - before.major);
	fflush(stdout);
}

/*
 * Phase marks. When cowsample runs a lab, it passes a pipe in the
 * environment variable COWLAB_MARK_FD; a mark is one line "PID PHASE".
 * cowsample then shows the phase in its output.
 *
 * With COWLAB_MARK_SYNC=1 cowsample is tracing us (ptrace). We stop
 * ourselves with SIGSTOP; cowsample takes its measurement while we are
 * stopped and then lets us go on, so its numbers are taken exactly at the
 * end of the step. Without cowsample, lab_mark() does nothing at all.
 */
static inline void lab_mark(const char *phase)
{
	const char *fd_text = getenv("COWLAB_MARK_FD");
	const char *sync = getenv("COWLAB_MARK_SYNC");
	char line[128];
	int len;

	if (fd_text == NULL)
		return;
	len = snprintf(line, sizeof line, "%d %s\n", (int)getpid(), phase);
	if (len <= 0 || len >= (int)sizeof line)
		return;
	/* One short write to a pipe is atomic: marks of parent and child
	 * never mix. If the sampler has gone, we simply carry on. */
	if (write(atoi(fd_text), line, (size_t)len) != len)
		return;
	if (sync != NULL && strcmp(sync, "1") == 0)
		raise(SIGSTOP);
}

/* Interactive mode: wait for Enter, so a student can look at ps first. */
static inline void lab_pause(int interactive, const char *next_step)
{
	int c;

	if (!interactive)
		return;
	printf("\n[press Enter to %s] ", next_step);
	fflush(stdout);
	while ((c = getchar()) != EOF && c != '\n')
		;
}

/*
 * The machine's transparent-huge-page mode: "always", "madvise", "never",
 * or "unknown" (no THP support). It is the word in [brackets] in
 * /sys/kernel/mm/transparent_hugepage/enabled.
 */
static inline const char *lab_thp_mode(void)
{
	static char mode[16] = "unknown";
	char text[128];
	char *open_bracket, *close_bracket;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f == NULL)
		return mode;
	if (fgets(text, sizeof text, f) != NULL) {
		open_bracket = strchr(text, '[');
		close_bracket = open_bracket ? strchr(open_bracket, ']') : NULL;
		if (close_bracket != NULL && close_bracket - open_bracket - 1 < (long)sizeof mode) {
			*close_bracket = '\0';
			strcpy(mode, open_bracket + 1);
		}
	}
	fclose(f);
	return mode;
}

/*
 * Student skeletons (make skels) have lab_todo(N) where the reference has
 * the code between "TODO N" and "END TODO" comments. It says which part is
 * missing and stops, so a skeleton compiles, runs up to the first missing
 * part, and never goes on with nonsense. The reference never calls it.
 */
__attribute__((noreturn)) static inline void lab_todo(int number)
{
	fflush(stdout);
	fprintf(stderr, "%s: TODO %d is not written yet (see its comment in the source)\n",
		program_invocation_short_name, number);
	exit(1);
}

#endif
