/*
 * fork_faults - copy-on-write after fork(), counted by the kernel.
 *
 * Each step prints the faults the kernel counted for the process that did
 * it (a "result:" line), one line on why, and the ps command that shows the
 * same counters from outside.
 *
 *   step  phase           who     faults    because
 *   1     allocated       parent  0         mmap reserves addresses only
 *   2     parent-touched  parent  N         demand paging: one frame per page
 *   3     forked          parent  a few     page tables are copied, not pages
 *   4     child-read      child   0         the child maps the parent's frames
 *   5     child-wrote     child   K         copy-on-write: one copy per page
 *   6     child-exited    parent  0         the child's copies are freed
 *         parent-read     parent  0         the parent's own data, untouched
 *   7     parent-rewrote  parent  N         write-protected since fork: reuse
 *
 * Each step at length: labs/copy-on-write.md, "What each step shows".
 * The plumbing (options, marks, the parent-child lockstep) is cowlab.h.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

static long page_size;

static struct {
	long pages, written;	/* N pages in the buffer, K written by the child */
	int thp, batch, interactive;
	char *buf;
	pid_t parent, child;	/* child is 0 before fork and after its exit */
	struct lab_lockstep steps;	/* the parent lets the child do one step at a time */
} lab = { .pages = 1024, .written = -1 };

static const struct lab_option options[] = {
	LAB_OPTION_PAGES(lab.pages),
	LAB_OPTION_WRITE(lab.written, lab.pages, "pages the child writes (default N/2, 0..N)"),
	LAB_OPTION_THP(lab.thp),
	LAB_OPTION_BATCH(lab.batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-w PAGES] [--thp] [--batch]",
	"Copy-on-write after fork(): every step prints the page faults the kernel\n"
	"counted for it and the ps command that shows them from outside.\n",
	"Each measured step prints one line for scripts:\n"
	"  result: phase=P role=parent|child pid=N minor=N major=N\n"
	"Phases: allocated parent-touched forked child-read child-wrote\n"
	"        child-exited parent-read parent-rewrote (and, for cowsample only,\n"
	"        the marks started and child-started)\n",
	0, 0
};

/* Step 1. The parent maps N private anonymous pages. */
static void parent_maps(void)
{
	size_t size = (size_t)lab.pages * page_size;
	struct lab_faults before = lab_faults_now();
	char *buf;

	/* TODO 1: map `size` bytes of private anonymous memory, readable and
	 * writable, with mmap(); buf is its address. */
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* END TODO */
	if (buf == MAP_FAILED)
		lab_die("mmap");
	lab.buf = lab_use_page_size(buf, size, lab.thp);	/* 4 KiB or huge: never by chance */
	lab_step_end("allocated", "parent", before);
	printf("Parent %d mapped %ld private anonymous pages at %p.\n",
	       (int)lab.parent, lab.pages, (void *)lab.buf);
	lab_why("mmap() only reserves addresses: a frame comes at each page's first touch");
}

LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, char value)
{
	/* TODO 2: write `value` into one byte of each of the first `pages`
	 * pages of buf (pages are page_size bytes apart). */
	for (long i = 0; i < pages; i++)
		buf[i * page_size] = value;
	/* END TODO */
}

LAB_NOT_SANITIZED
static long read_pages(const char *buf, long pages)
{
	/* TODO 3: read one byte of each of the first `pages` pages of buf and
	 * return the sum of the bytes read (volatile: the reads must happen). */
	const volatile char *p = buf;
	long sum = 0;

	for (long i = 0; i < pages; i++)
		sum += p[i * page_size];
	return sum;
	/* END TODO */
}

/* Steps 3 to 6 as the child lives them: one step each time the parent
 * lets it (lab_let_child), and nothing in between. */
static void child_steps(void)
{
	struct lab_faults before;
	long sum;

	lab_child_wait(&lab.steps);		/* step 3: just born */
	printf("Child %d: running, its counters started at zero.\n", (int)getpid());
	lab_print_counters("child");
	lab_mark("child-started");	/* cowsample: our start-up faults end here */
	lab_child_done(&lab.steps);
	lab_child_wait(&lab.steps);		/* step 4 */
	before = lab_faults_now();
	sum = read_pages(lab.buf, lab.pages);
	lab_step_end("child-read", "child", before);
	printf("The child read one byte of each of the %ld pages%s.\n", lab.pages,
	       sum == lab.pages * 'p' ? " and found the parent's data" : "");
	lab_why("the child maps the parent's frames (read-only): a read needs no copy, no fault");
	lab_print_counters("child");
	lab_child_done(&lab.steps);
	lab_child_wait(&lab.steps);		/* step 5 */
	before = lab_faults_now();
	write_pages(lab.buf, lab.written, 'c');
	lab_step_end("child-wrote", "child", before);
	printf("The child wrote one byte in each of the first %ld pages.\n", lab.written);
	lab_why(lab.thp ? "a first write to a shared page faults; the kernel copies 4 KiB, not 2 MiB"
			: "a first write to a shared page faults; the kernel copies it for the child");
	lab_print_counters("child");
	lab_child_done(&lab.steps);
	lab_child_wait(&lab.steps);		/* step 6: the parent releases us: exit */
	_exit(0);
}

/* Step 2. The first touch: one demand-zero fault per page (or per huge page). */
static void parent_touches(void)
{
	struct lab_faults before = lab_faults_now();

	write_pages(lab.buf, lab.pages, 'p');
	lab_step_end("parent-touched", "parent", before);
	lab_why(lab.thp ? "with --thp one fault fills a whole 2 MiB huge page with zeros"
			: "each first write to a page faults: the kernel maps a zeroed frame");
	if (lab.thp)
		lab_print_thp_expectation(lab.pages);
}

/* Step 3. fork() copies the page tables, not the pages. */
static void parent_forks(void)
{
	struct lab_faults before;

	lab_lockstep_open(&lab.steps);
	before = lab_faults_now();
	/* TODO 4: fork(); keep what it returns (the child's PID in the
	 * parent, 0 in the child) in lab.child. */
	lab.child = fork();
	/* END TODO */
	if (lab.child < 0)
		lab_die("fork");
	if (lab.child == 0) {
		lab_lockstep_child(&lab.steps);
		child_steps();		/* never returns */
	}
	lab_lockstep_parent(&lab.steps);
	lab_step_end("forked", "parent", before);
	printf("Parent %d forked child %d.\n", (int)lab.parent, (int)lab.child);
	lab_why("fork() copied the page tables and made every page read-only in BOTH processes");
	lab_let_child(&lab.steps);	/* the child says hello */
}

/* Step 6. The child exits; the parent reads its own pages back. */
static void child_exits(void)
{
	struct lab_faults before = lab_faults_now();
	struct rusage child_usage;
	int intact;

	lab_release_child(&lab.steps);
	lab_wait_child_usage(lab.child, &child_usage);
	lab_step_end("child-exited", "parent", before);
	printf("Child %d exited. Its final counters, from wait4:\n"
	       "  min_flt=%ld maj_flt=%ld\n",
	       (int)lab.child, child_usage.ru_minflt, child_usage.ru_majflt);
	lab_why("its copies are freed; the frames it still shared are the parent's alone");
	lab.child = 0;

	before = lab_faults_now();
	intact = read_pages(lab.buf, lab.pages) == lab.pages * 'p';
	lab_step_end("parent-read", "parent", before);
	printf("The parent reads its %ld pages back: %s.\n", lab.pages,
	       intact ? "its own data, untouched by the child" : "SURPRISE, the data changed");
	lab_why("the child wrote its own copies; reading a mapped page never faults");
}

/* Step 7. The parent writes every page again: the reuse fault. */
static void parent_rewrites(void)
{
	struct lab_faults before = lab_faults_now();

	write_pages(lab.buf, lab.pages, 'P');
	lab_step_end("parent-rewrote", "parent", before);
	lab_why(lab.thp ? "a reuse fault per huge page, plus spurious ones from stale TLB entries"
			: "fork() left every entry read-only: a fault per page, but a reuse, not a copy");
	if (lab.thp)
		printf("See them: grep AnonHugePages /proc/%d/smaps_rollup\n", (int)lab.parent);
}

/* The lab: each step (NULL: the child's, which the parent lets it do and
 * waits for), then what to type in the other pane, then Enter. */
static const struct step { const char *title; void (*run)(void); const char *next; } steps[] = {
	{ "the parent maps the buffer (mmap)", parent_maps, "let the parent write every page" },
	{ "the parent writes one byte in every page", parent_touches, "fork" },
	{ "the parent forks", parent_forks, "let the child read every page" },
	{ "the child reads every page", NULL, "let the child write" },
	{ "the child writes some pages", NULL, "let the child exit" },
	{ "the child exits, the parent reads its pages", child_exits, "let the parent write again" },
	{ "the parent writes every page again", parent_rewrites, "finish" },
};

int main(int argc, char **argv)
{
	const int total = sizeof steps / sizeof steps[0];

	lab_parse_options(argc, argv, &usage, options);
	if (lab.written < 0)
		lab.written = lab.pages / 2;
	lab.interactive = lab_interactive(lab.batch);
	lab.parent = getpid();
	page_size = lab_page_size();

	printf("fork_faults: copy-on-write after fork(), counted by the kernel\n"
	       "buffer: %ld pages of %ld bytes (%ld KiB); the child will write %ld of them\n",
	       lab.pages, page_size, lab.pages * page_size / 1024, lab.written);
	lab_print_setup(lab.thp, lab.interactive);
	lab_print_zero_page();
	lab_mark("started");	/* cowsample: the start-up faults end here */

	for (int i = 0; i < total; i++) {
		lab_step(i + 1, total, steps[i].title);
		if (steps[i].run != NULL)
			steps[i].run();
		else
			lab_let_child(&lab.steps);
		printf("watch it: ps -o pid,ppid,min_flt,maj_flt,cmd -p %d", (int)lab.parent);
		printf(lab.child > 0 ? ",%d\n" : "\n", (int)lab.child);
		lab_print_counters("parent");
		lab_pause(lab.interactive, steps[i].next);
	}
	munmap(lab.buf, (size_t)lab.pages * page_size);
	printf("\nDone. labs/copy-on-write.md, \"What each step shows\", tells each step at length.\n");
	return 0;
}
