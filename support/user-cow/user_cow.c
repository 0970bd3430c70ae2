/*
 * user_cow - the story of fork_faults, told by a memory manager of our own.
 *
 * uvm.c keeps physical memory (a memfd of frames with reference counts)
 * and a page table per process, and does copy-on-write itself from a
 * SIGSEGV handler. This program runs the copy-on-write lab on it and
 * prints, at each step, the frames in use: the count a kernel keeps.
 *
 * What to expect (N pages, K written by the child):
 *   parent touches N    frames=N       lazy allocation: a frame per page
 *   cfork               frames=N       no page copied, every frame shared
 *   child reads N       frames=N       shared frames are readable
 *   child writes K      frames=N+K     copy-on-write: a new frame per page,
 *                                      with the parent's data in it
 *   child exits         frames=N       its copies are freed, shares dropped
 *   parent writes N     frames=N       reuse: the frames are ours alone again
 *
 * With -f R (xv6's forkfork), a last step: two processes at once cfork R
 * times each, every grandchild writes one page and exits. Each cfork adds
 * a reference to all N frames and each exit drops them, from two CPUs at
 * the same moment: frames=N at the end only if every update of a
 * reference count is atomic.
 *
 * Usage: user_cow [-n PAGES] [-w PAGES] [-f ROUNDS] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "uvm.h"

#include <sched.h>
#include <sys/wait.h>

#define STEPS 5
#define RACERS 2	/* processes that cfork at once: one per CPU of a small machine */

/* The result line of a step: the kernel's faults, as in every lab, and the
 * lab memory's own counts: frames in use, the handler's SIGSEGVs and what
 * it did for them. */
static void step_end(const char *phase, const char *role, struct lab_faults before,
		     struct uvm_stats was)
{
	struct lab_faults after = lab_faults_now();
	struct uvm_stats now = uvm_stats();

	lab_mark(phase);
	printf("result: phase=%s role=%s pid=%d minor=%ld major=%ld frames=%ld segv=%ld"
	       " zero_fills=%ld cow_copies=%ld reuses=%ld\n",
	       phase, role, (int)getpid(), after.minor - before.minor, after.major - before.major,
	       uvm_frames_in_use(), now.faults - was.faults, now.zero_fills - was.zero_fills,
	       now.cow_copies - was.cow_copies, now.reuses - was.reuses);
	fflush(stdout);
}

/* The child: read everything, write K pages, exit (dropping its frames).
 * It starts when the parent has said "forked", so the steps print in order. */
static void child(struct lab_lockstep *ls, char *buf, long n, long k, long parent_frame)
{
	struct lab_faults t;
	struct uvm_stats s;

	lab_lockstep_child(ls);
	lab_child_wait(ls);
	t = lab_faults_now();
	s = uvm_stats();
	lab_step(3, STEPS, "the child reads every page");
	lab_why("shared frames are mapped readable: reads need no fault of ours");
	if (lab_read_pages(buf, n) != n * 'p')
		fprintf(stderr, "user_cow: the child read wrong data\n");
	step_end("child-read", "child", t, s);

	t = lab_faults_now();
	s = uvm_stats();
	lab_step(4, STEPS, "the child writes K pages");
	lab_why("a write to a shared COW frame faults; handle_cow_fault copies it");
	/* the second byte: the first, the parent's, must come with the copy */
	lab_write_pages(buf + 1, k, 'c');
	step_end("child-wrote", "child", t, s);
	if (k > 0)
		printf("child %d: page 0 is frame %ld now, the parent's is frame %ld (uvm_vatopa)\n",
		       (int)getpid(), uvm_vatopa(buf), parent_frame);
	lab_child_done(ls);
	uvm_exit(0);
}

/* One racer of the forkfork step: ROUNDS times, cfork a grandchild that
 * writes one page (a copy: one reference dropped) and exits (N dropped).
 * The racers meet before each cfork, and their grandchildren before they
 * exit, so that the N counts are updated from both CPUs at the same
 * moment: a count that is not updated atomically loses some updates. */
static void racer(int which, char *buf, long n, long rounds, int *meetings)
{
	long page = lab_page_size(), r;
	int status, failed = 0, cpu, seen = 0;
	cpu_set_t allowed, one;
	pid_t g;

	/* Each racer (and its grandchildren) on a CPU of its own, where the
	 * machine lets us: else the scheduler may run both on one CPU, and
	 * their updates would take turns instead of colliding. */
	if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 1)
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &allowed) && seen++ == which % CPU_COUNT(&allowed)) {
				CPU_ZERO(&one);
				CPU_SET(cpu, &one);
				sched_setaffinity(0, sizeof one, &one);
				break;
			}

	for (r = 0; r < rounds && !failed; r++) {
		lab_meet(&meetings[0], RACERS * (r + 1));
		g = uvm_cfork();
		if (g < 0)
			break;
		if (g == 0) {
			buf[(r % n) * page] = 'g';
			lab_meet(&meetings[1], RACERS * (r + 1));
			uvm_exit(0);
		}
		if (waitpid(g, &status, 0) != g || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	if (failed || r < rounds) {
		fprintf(stderr, "user_cow: a racer's grandchild failed after %ld rounds\n", r);
		/* let the other racer and its grandchildren go on alone */
		__atomic_add_fetch(&meetings[0], (int)(RACERS * rounds), __ATOMIC_ACQ_REL);
		__atomic_add_fetch(&meetings[1], (int)(RACERS * rounds), __ATOMIC_ACQ_REL);
	}
	uvm_exit(failed || r < rounds);
}

/* The forkfork step: RACERS processes cfork ROUNDS times each, at once. */
static void forkfork(char *buf, long n, long rounds)
{
	int *meetings = mmap(NULL, 2 * sizeof *meetings, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t racers[RACERS];
	struct lab_faults t = lab_faults_now();
	struct uvm_stats s = uvm_stats();
	int i, status;

	if (meetings == MAP_FAILED)
		lab_die("mmap");
	lab_step(6, STEPS + 1, "two processes cfork and exit at once (xv6 forkfork)");
	lab_why("every cfork adds a reference to N frames, every exit drops N: from two CPUs\n"
		"at the same moment; frames=N at the end only if each update is atomic");
	for (i = 0; i < RACERS; i++) {
		racers[i] = uvm_cfork();
		if (racers[i] < 0)
			lab_die("uvm_cfork");
		if (racers[i] == 0)
			racer(i, buf, n, rounds, meetings);
	}
	for (i = 0; i < RACERS; i++)
		if (waitpid(racers[i], &status, 0) != racers[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			fprintf(stderr, "user_cow: racer %d failed (status %#x)\n", i, status);
	step_end("forkfork-done", "parent", t, s);
	/* (after the mark: a read of a freed frame would fill it again) */
	if (lab_count_pages_holding(buf, n, 'p') != n)
		fprintf(stderr, "user_cow: the parent's pages lost their data in the race\n");
}

int main(int argc, char **argv)
{
	static long n = 256, k = -1, rounds = 0;
	static int batch;
	static const struct lab_option options[] = {
		{ 'n', "pages", LAB_COUNT, &n, 1, 65536, NULL, "N", "pages the parent touches" },
		LAB_OPTION_WRITE(k, n, "pages the child writes (default N/2)"),
		{ 'f', "forkfork", LAB_COUNT, &rounds, 0, 1000000, NULL, "R",
		  "then R rounds of cfork and exit by two processes at once" },
		LAB_OPTION_BATCH(batch),
		{ 0 }
	};
	static const struct lab_usage usage = {
		"[-n N] [-w K] [-f R] [--batch]",
		"The copy-on-write lab on a memory manager of our own (uvm.c): frames with\n"
		"reference counts, copy-on-write and lazy allocation from a SIGSEGV handler.\n",
		"Each step prints: result: phase=P role=R pid=N minor=N major=N frames=N\n"
		"segv=N zero_fills=N cow_copies=N reuses=N\n",
		0, 0
	};
	struct lab_lockstep steps;
	struct lab_faults t;
	struct uvm_stats s;
	int interactive, status;
	char *buf;
	pid_t pid;

	lab_parse_options(argc, argv, &usage, options);
	if (k < 0)
		k = n / 2;
	interactive = lab_interactive(batch);

	/* Physical memory for the parent's N pages and the child's K copies. */
	if (uvm_init(n + k, n) != 0)
		lab_die("uvm_init");
	printf("user_cow: pid %d, %ld frames of physical memory, %ld pages, the child writes %ld\n",
	       (int)getpid(), n + k, n, k);
	buf = uvm_mmap(NULL, (size_t)n * lab_page_size(), PROT_READ | PROT_WRITE);
	if (buf == NULL)
		lab_die("uvm_mmap");
	lab_mark("allocated");

	lab_pause(interactive, "touch every page");
	t = lab_faults_now();
	s = uvm_stats();
	lab_step(1, STEPS, "the parent writes every page");
	lab_why("lazy allocation: the first touch of a page takes a zeroed frame");
	lab_write_pages(buf, n, 'p');
	step_end("parent-touched", "parent", t, s);

	lab_pause(interactive, "cfork");
	t = lab_faults_now();
	s = uvm_stats();
	lab_step(2, STEPS, "uvm_cfork()");
	lab_why("every frame gets a second reference; writable pages become read-only COW");
	lab_lockstep_open(&steps);
	pid = uvm_cfork();
	if (pid < 0)
		lab_die("uvm_cfork");
	if (pid == 0)
		child(&steps, buf, n, k, uvm_vatopa(buf));
	lab_lockstep_parent(&steps);
	step_end("forked", "parent", t, s);
	lab_let_child(&steps);

	t = lab_faults_now();
	s = uvm_stats();
	if (waitpid(pid, &status, 0) != pid)
		lab_die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "user_cow: the child failed (status %#x)\n", status);
	printf("\nparent: the child has exited\n");
	lab_why("uvm_exit() freed its copies and dropped its shares: N frames again");
	step_end("child-exited", "parent", t, s);

	lab_pause(interactive, "write every page again");
	t = lab_faults_now();
	s = uvm_stats();
	lab_step(5, STEPS, "the parent writes every page again");
	lab_why("still COW, but no longer shared: handle_cow_fault reuses the frame, no copy");
	lab_write_pages(buf + 1, n, 'P');	/* the second byte: the first stays 'p' */
	step_end("parent-rewrote", "parent", t, s);
	if (rounds > 0)
		forkfork(buf, n, rounds);
	uvm_exit(0);
}
