/*
 * fork_cost - what fork() costs for a process of N touched pages, against
 * vfork() and posix_spawn(), and what one page fault of each kind costs.
 *
 * fork() copies no page, but it copies the page tables: one entry per
 * touched 4 KiB page, each also write-protected. So fork gets slower as
 * the touched memory grows; vfork() and posix_spawn() share the page
 * tables and do not. With huge pages one entry maps 2 MiB.
 *
 *   step  phase         what is measured (faults, and time)
 *   1     demand-zero   the parent's first write to each of N pages
 *   2     fork          fork() + the child's _exit() + waitpid(), R times
 *   3     vfork         the same with vfork()
 *   4     posix_spawn   posix_spawn() of /bin/true + waitpid(), R times
 *   5     cow           a write to each page while a child shares them
 *   6     reuse         a write to each page after that child has exited
 *   7     touched-thp   the first write to N pages in huge pages,
 *         fork-thp      then fork() timed on them
 *
 * Run it with a small and a large -n and compare: labs/fork-cost.md says
 * what each step shows. The sweep over sizes, with many runs and medians
 * (tables and figures), is the benchmark tools/fork_bench (make bench).
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <spawn.h>

extern char **environ;

static struct {
	long pages, repeat;	/* N pages; R runs per timing, the median counts */
	int batch, interactive;
	char *buf;
} lab = { .pages = 16384, .repeat = 5 };

static const struct lab_option options[] = {
	LAB_OPTION_PAGES(lab.pages),
	{ 'r', "repeat", LAB_COUNT, &lab.repeat, 1, 99, NULL, "R",
	  "runs of each timing; the median is printed" },
	LAB_OPTION_BATCH(lab.batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-r RUNS] [--batch]",
	"What fork() costs for a process of N touched pages, against vfork() and\n"
	"posix_spawn(), with 4 KiB and with huge pages; and what one demand-zero,\n"
	"copy-on-write and reuse fault costs.\n",
	"Machine-readable lines: 'result: phase=P role=parent pid=N minor=N major=N',\n"
	"'time: method=M pages=N latency_us=T runs=R', and\n"
	"'cost: kind=K pages=N faults=F ns_per_fault=T'.\n"
	"Sizes swept, tables and figures: tools/fork_bench (make bench).\n",
	0, 0
};

/* The three ways to start a process, each timed as the parent sees it. */
static void run_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);	/* the child's copy of the page tables is torn down */
	if (pid < 0)
		lab_die("fork");
	lab_wait_child(pid);
}

static void run_vfork(void)
{
	pid_t pid = vfork();	/* no copy: the parent waits until _exit() */

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		lab_die("vfork");
	lab_wait_child(pid);
}

static void run_posix_spawn(void)
{
	char *argv[] = { "/bin/true", NULL };
	pid_t pid;
	int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);

	if (err != 0) {
		errno = err;
		lab_die("posix_spawn /bin/true");
	}
	lab_wait_child(pid);
}

static int compare_ll(const void *a, const void *b)
{
	return (*(const long long *)a > *(const long long *)b) -
	       (*(const long long *)a < *(const long long *)b);
}

/* Time R runs (after one warm-up run) and print the median. */
static void time_method(const char *method, const char *phase, void (*run)(void), const char *why)
{
	long long ns[99];
	struct lab_faults before;

	run();
	before = lab_faults_now();
	for (int i = 0; i < lab.repeat; i++) {
		long long start = lab_now_ns();

		run();
		ns[i] = lab_now_ns() - start;
	}
	lab_step_end(phase, "parent", before);
	qsort(ns, lab.repeat, sizeof ns[0], compare_ll);
	printf("time: method=%s pages=%ld latency_us=%.1f runs=%ld\n", method, lab.pages,
	       ns[lab.repeat / 2] / 1000.0, lab.repeat);
	lab_why(why);
}

/* Write every page once, timed: the faults are counted by the kernel. */
static void time_writes(const char *kind, char value, const char *why)
{
	struct lab_faults before = lab_faults_now(), after;
	long long start = lab_now_ns(), ns;
	long faults;

	lab_write_pages(lab.buf, lab.pages, value);
	ns = lab_now_ns() - start;
	after = lab_faults_now();
	faults = after.minor - before.minor + after.major - before.major;
	lab_step_end(kind, "parent", before);
	printf("cost: kind=%s pages=%ld faults=%ld ns_per_fault=%.1f\n", kind, lab.pages,
	       faults, faults > 0 ? (double)ns / faults : 0.0);
	lab_why(why);
}

/* Steps 5 and 6: a child that holds the pages shared, then one that exits. */
static void cow_and_reuse(void)
{
	int hold[2];
	pid_t child;
	char c;

	if (pipe(hold) != 0)
		lab_die("pipe");
	fflush(stdout);
	child = fork();
	if (child < 0)
		lab_die("fork");
	if (child == 0) {
		close(hold[1]);
		_exit(read(hold[0], &c, 1) < 0);	/* until the parent closes */
	}
	close(hold[0]);
	lab_step(5, 7, "write every page while a child shares them");
	lab_pause(lab.interactive, "write");
	time_writes("cow", 2, "each write copies a shared page into a new frame: the dearest fault");
	close(hold[1]);
	lab_wait_child(child);

	lab_step(6, 7, "write every page again, the child gone");
	lab_pause(lab.interactive, "write");
	run_fork();	/* a fork of its own write-protects every page once more */
	time_writes("reuse", 3, "no copy, nobody else maps the page: only make it writable");
}

/* Step 7: the same buffer size in huge pages; the touch, then fork. */
static void huge_pages(void)
{
	struct lab_faults before;

	lab_step(7, 7, "the same in huge pages: touch, then fork");
	lab_pause(lab.interactive, "touch and fork");
	munmap(lab.buf, (size_t)lab.pages * lab_page_size());
	lab.buf = lab_map_buffer(lab.pages, 1);
	before = lab_faults_now();
	lab_write_pages(lab.buf, lab.pages, 1);
	lab_step_end("touched-thp", "parent", before);
	lab_why(lab_thp_possible() ? "one fault fills a 2 MiB huge page (below 2 MiB: 4 KiB pages)"
				   : "THP is off here: 4 KiB pages, one fault each");
	time_method("fork-thp", "fork-thp", run_fork,
		    "one page-table entry per 2 MiB: up to 512 times fewer to copy");
}

int main(int argc, char **argv)
{
	lab_parse_options(argc, argv, &usage, options);
	lab.interactive = lab_interactive(lab.batch);
	printf("fork_cost: parent pid %d; %ld pages (%ld MiB); each timing is the median\n"
	       "of %ld runs; watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
	       (int)getpid(), lab.pages, lab.pages * lab_page_size() >> 20, lab.repeat,
	       (int)getpid(), (int)getpid());
	printf("transparent huge pages: machine mode '%s'; steps 1-6 use 4 KiB pages\n"
	       "(MADV_NOHUGEPAGE), step 7 asks for huge pages (MADV_HUGEPAGE)\n", lab_thp_mode());
	lab.buf = lab_map_buffer(lab.pages, 0);

	lab_step(1, 7, "the parent writes every page (4 KiB pages)");
	lab_pause(lab.interactive, "write");
	time_writes("demand-zero", 1, "each first write allocates and zeroes a frame");
	lab_step(2, 7, "fork() and the child's _exit()");
	lab_pause(lab.interactive, "fork");
	time_method("fork", "fork", run_fork,
		    "fork copies and write-protects one page-table entry per touched page");
	lab_step(3, 7, "vfork() and the child's _exit()");
	lab_pause(lab.interactive, "vfork");
	time_method("vfork", "vfork", run_vfork, "vfork shares the page tables: nothing to copy");
	lab_step(4, 7, "posix_spawn() of /bin/true");
	lab_pause(lab.interactive, "spawn");
	time_method("posix_spawn", "posix_spawn", run_posix_spawn,
		    "no copy of the page tables either, but it loads and runs a program");
	cow_and_reuse();
	huge_pages();
	munmap(lab.buf, (size_t)lab.pages * lab_page_size());
	printf("\nDone. labs/fork-cost.md says what each step shows; run again with\n"
	       "another -n and compare.\n");
	return 0;
}
