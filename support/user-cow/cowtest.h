/*
 * cowtest.h - the harness of cowtest's scenarios (cowtest.c: xv6's and
 * ECE344's; cowtest_vm.c: gemOS's areas, lazy allocation and protection):
 * checks that print a TAP diagnostic, frame counts, page fills and counts,
 * and a child's verdict. page and failed are cowtest.c's.
 */
#ifndef COWTEST_H
#define COWTEST_H

#include "cowlab.h"
#include "uvm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

extern long page;
extern int failed;		/* in the scenario's process */

#define RW (PROT_READ | PROT_WRITE)

/* check(cond, ...): a failed condition is printed as a TAP diagnostic. */
static inline void check(int ok, const char *what, long got, long want)
{
	if (!ok) {
		printf("# %s: got %ld, expected %ld\n", what, got, want);
		failed = 1;
	}
}

/* expect_that(cond, what): the same for a condition with no count to show;
 * WHAT says what should have been so. */
static inline void expect_that(int ok, const char *what)
{
	if (!ok) {
		printf("# expected that %s\n", what);
		failed = 1;
	}
}

static inline void expect_frames(const char *when, long want)
{
	char what[96];

	snprintf(what, sizeof what, "frames in use %s", when);
	check(uvm_frames_in_use() == want, what, uvm_frames_in_use(), want);
}

LAB_NOT_SANITIZED
static inline void fill(char *p, long pages, char value)
{
	for (long i = 0; i < pages; i++)
		p[i * page] = value;
}

LAB_NOT_SANITIZED
static inline long count(const char *p, long pages, char value)
{
	const volatile char *v = p;
	long n = 0;

	for (long i = 0; i < pages; i++)
		n += v[i * page] == value;
	return n;
}

/* Wait for a child; 1 when it exited with status 0. */
static inline int child_ok(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* A child's verdict: exit 0 when all its checks held. */
static inline void child_done(void)
{
	fflush(stdout);
	uvm_exit(failed);
}


/* The scenarios of cowtest_vm.c. */
void lazy(void);
void areas(void);
void shared_frames(void);
void read_only_shared(void);
void protection(void);
void vfork_borrows(void);
void vatopa(void);

#endif
