/*
 * fork_faults - copy-on-write after fork(), counted by the kernel.
 *
 * The parent maps N private anonymous pages and writes one byte to each;
 * then it forks. The child reads every page, writes some of them, and
 * exits; then the parent writes every page again. At each step the program
 * prints how many page faults the kernel counted for the process that did
 * the step, and the ps command that shows the same counters from outside.
 *
 * What to expect (N pages, K written by the child):
 *   parent first touch   N faults       demand paging: a frame per page
 *   fork                 a few          page tables are copied, pages are not
 *   child reads          0 per page     both processes map the same frames
 *   child writes K       K faults       copy-on-write: one copy per page
 *   parent writes again  N faults       write-protected since fork; the page
 *                                       is no longer shared, so it is reused
 *
 * Only one process reads the keyboard: the parent. It tells the child what
 * to do through a pipe and waits for its answer through another, so both
 * processes stay alive (and visible to ps) at every step.
 *
 * Usage: fork_faults [-n PAGES] [-w PAGES] [--thp] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define STEPS 7

static const char *prog = "fork_faults";
static long page_size;
static int zero_page;		/* does this kernel use the zero page? 1, 0, -1 */

struct options {
	long pages;		/* N: pages in the buffer */
	long written;		/* K: pages the child writes */
	int thp;		/* ask for transparent huge pages */
	int interactive;	/* wait for Enter between steps */
};

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void print_help(void)
{
	printf("Usage: %s [-n PAGES] [-w PAGES] [--thp] [--batch]\n"
	       "Make copy-on-write visible: a parent touches a buffer, forks, the child\n"
	       "reads and writes it, then the parent writes it again. Every step prints\n"
	       "the page faults the kernel counted and the ps command to watch them.\n"
	       "\n"
	       "  -n, --pages=N    pages in the buffer (default 1024)\n"
	       "  -w, --write=K    pages the child writes (default N/2, 0..N)\n"
	       "      --thp        ask for transparent huge pages (MADV_HUGEPAGE);\n"
	       "                   default: 4 KiB pages only (MADV_NOHUGEPAGE)\n"
	       "  -b, --batch      run through without waiting for Enter (the default\n"
	       "                   when stdin is not a terminal)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Each measured step prints one line for scripts:\n"
	       "  result: phase=P role=parent|child pid=N minor=N major=N\n"
	       "Phases: allocated parent-touched forked child-read child-wrote\n"
	       "        child-exited parent-rewrote (and, for cowsample only, the marks\n"
	       "        started and child-started)\n", prog);
}

/* A usage error: one line on stderr, exit status 2. */
static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s (try --help)\n", prog, what, why);
	exit(2);
}

/* getopt_long found an option it does not know (or --flag=value). */
static void bad_option(const char *arg)
{
	char name[3] = { '-', (char)optopt, '\0' };

	if (strncmp(arg, "--", 2) != 0)
		usage_error(name, "unknown option");
	/* A known long option that was given a value has optopt set. */
	usage_error(arg, optopt != 0 ? "takes no value" : "unknown option");
}

/* A whole decimal number in [min, max], or a usage error. */
static long parse_count(const char *option, const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
		char why[96];

		snprintf(why, sizeof why, "'%s' is not a number from %ld to %ld",
			 text, min, max);
		usage_error(option, why);
	}
	return value;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{ "thp", no_argument, NULL, 'T' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const long max_pages = 1L << 22;	/* 16 GiB of 4 KiB pages */
	const char *write_text = NULL;
	int batch = 0;
	int c;

	opt->pages = 1024;
	opt->thp = 0;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:w:bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt->pages = parse_count("-n", optarg, 1, max_pages);
			break;
		case 'w':
			write_text = optarg;	/* checked once N is known */
			break;
		case 'T':
			opt->thp = 1;
			break;
		case 'b':
			batch = 1;
			break;
		case 'h':
			print_help();
			exit(0);
		case ':':
			usage_error(argv[optind - 1], "needs a number of pages");
			break;
		default:
			bad_option(argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	opt->written = write_text ? parse_count("-w", write_text, 0, opt->pages)
				  : opt->pages / 2;
	/* Waiting for Enter only makes sense when a person types it. */
	opt->interactive = !batch && isatty(STDIN_FILENO);
}

/* Report a failed system call and stop (not a usage error: exit 1). */
static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ */
/* The machine                                                         */
/* ------------------------------------------------------------------ */

/* Size of a PMD-sized transparent huge page (2 MiB on x86-64). */
static long huge_page_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	long size = 2L << 20;

	if (f != NULL) {
		if (fscanf(f, "%ld", &size) != 1 || size <= 0)
			size = 2L << 20;
		fclose(f);
	}
	return size;
}

/* Rss in KiB of the mapping that starts at addr, from /proc/self/smaps. */
static long smaps_rss_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long start;
	long rss_kb = -1;
	int found = 0;

	if (f == NULL)
		return -1;
	while (rss_kb < 0 && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%lx-", &start) == 1 && strchr(line, '-') < strchr(line, ' '))
			found = (start == (uintptr_t)addr);
		else if (found)
			sscanf(line, "Rss: %ld kB", &rss_kb);
	}
	fclose(f);
	return rss_kb;
}

/*
 * Does reading untouched memory map the kernel's shared zero page?
 * Read 64 fresh pages and ask smaps how much real memory backs them: the
 * zero page is never counted in Rss. 1 yes, 0 no, -1 cannot tell.
 */
static int zero_page_in_use(void)
{
	const long pages = 64;
	volatile char *probe;
	long i, rss_kb;

	probe = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED)
		return -1;
	/* Also keeps the probe a mapping of its own in smaps. */
	madvise((void *)probe, pages * page_size, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		(void)probe[i * page_size];
	rss_kb = smaps_rss_kb((const void *)probe);
	munmap((void *)probe, pages * page_size);
	if (rss_kb < 0)
		return -1;
	return rss_kb < pages * page_size / 1024 / 2;
}

/* ------------------------------------------------------------------ */
/* The buffer and what the processes do with it                        */
/* ------------------------------------------------------------------ */

/*
 * Map N private anonymous pages. mmap only reserves addresses: no frame
 * is allocated and no fault happens until a page is touched.
 *
 * Huge pages are chosen here, never left to the machine: a 2 MiB huge
 * page is filled by one fault, so the counts would depend on the THP mode.
 */
static char *map_buffer(long pages, int thp)
{
	size_t size = (size_t)pages * page_size;
	size_t huge;
	char *area, *buf;

	if (!thp) {
		/* TODO 1: map `size` bytes of private anonymous memory,
		 * readable and writable, with mmap(); buf is its address. */
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* END TODO */
		if (buf == MAP_FAILED)
			die("mmap");
		if (madvise(buf, size, MADV_NOHUGEPAGE) != 0)
			perror("fork_faults: madvise(MADV_NOHUGEPAGE)");
		return buf;
	}
	/* A huge page must start on a 2 MiB boundary: map more than we
	 * need, keep an aligned piece, and give the rest back. */
	huge = (size_t)huge_page_size();
	area = mmap(NULL, size + huge, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	buf = (char *)(((uintptr_t)area + huge - 1) & ~(uintptr_t)(huge - 1));
	if (buf > area)
		munmap(area, buf - area);
	munmap(buf + size, area + huge - buf);
	if (madvise(buf, size, MADV_HUGEPAGE) != 0)
		perror("fork_faults: madvise(MADV_HUGEPAGE)");
	return buf;
}

/* Write one byte in each of the first `pages` pages.
 * (LAB_NOT_SANITIZED: see cowlab.h.) */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, char value)
{
	/* TODO 2: write `value` into one byte of each of the first `pages`
	 * pages of buf (pages are page_size bytes apart). */
	long i;

	for (i = 0; i < pages; i++)
		buf[i * page_size] = value;
	/* END TODO */
}

/* Read one byte of each page. volatile: the reads must really happen. */
LAB_NOT_SANITIZED
static long read_pages(const char *buf, long pages)
{
	/* TODO 3: read one byte of each of the first `pages` pages of buf and
	 * return the sum of the bytes. Read through a volatile pointer, or
	 * the compiler may leave out reads whose values seem unused. */
	const volatile char *p = buf;
	long i, sum = 0;

	for (i = 0; i < pages; i++)
		sum += p[i * page_size];
	return sum;
	/* END TODO */
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */
/* ------------------------------------------------------------------ */

static void print_step(int step, const char *title)
{
	printf("\n== Step %d of %d: %s ==\n", step, STEPS, title);
}

/* The command to type in the other tmux pane. */
static void print_ps(pid_t parent, pid_t child)
{
	if (child > 0)
		printf("watch it: ps -o pid,ppid,min_flt,maj_flt,cmd -p %d,%d\n",
		       (int)parent, (int)child);
	else
		printf("watch it: ps -o pid,ppid,min_flt,maj_flt,cmd -p %d\n",
		       (int)parent);
}

/* This process's totals, the numbers ps shows in min_flt and maj_flt. */
static void print_totals(const char *who)
{
	struct lab_faults now = lab_faults_now();

	printf("%s %d counters now: min_flt=%ld maj_flt=%ld\n",
	       who, (int)getpid(), now.minor, now.major);
	fflush(stdout);
}

/* End of a step: measure, tell cowsample, print the result line. */
static void end_step(const char *phase, const char *role, struct lab_faults before)
{
	struct lab_faults after = lab_faults_now();

	lab_mark(phase);
	lab_result(phase, role, before, after);
}

/* ------------------------------------------------------------------ */
/* The child: does what the parent asks, one step at a time             */
/* ------------------------------------------------------------------ */

struct channel {
	int to_child;		/* parent writes commands here */
	int to_parent;		/* child answers here when a step is done */
};

static void child_read_step(const char *buf, const struct options *opt)
{
	struct lab_faults before = lab_faults_now();
	long sum = read_pages(buf, opt->pages);

	end_step("child-read", "child", before);
	printf("The child read one byte of each of the %ld pages%s.\n"
	       "Reading needs no copy: fork() gave the child a copy of the parent's\n"
	       "page tables, so its reads hit the frames the parent filled, already\n"
	       "mapped (read-only): no fault at all, however many pages there are.\n",
	       opt->pages, sum == opt->pages * 'p' ? " and found the parent's data" : "");
	printf("These pages were written by the parent. A page nobody ever wrote is\n"
	       "different: reading it faults once and, on most kernels, maps the\n"
	       "shared zero page rather than a new frame.\n");
	if (zero_page == 0)
		printf("This kernel has no zero page: here such a read allocates a frame.\n");
	print_totals("child");
}

static void child_write_step(char *buf, const struct options *opt)
{
	struct lab_faults before = lab_faults_now();

	write_pages(buf, opt->written, 'c');
	end_step("child-wrote", "child", before);
	printf("The child wrote one byte in each of the first %ld pages: one fault per page.\n"
	       "Since fork() every shared page is write-protected in both processes.\n"
	       "The first write to one traps into the kernel, which copies the 4 KiB page\n"
	       "into a new frame for the child and maps the copy writable: copy-on-write.\n"
	       "The parent still maps the original frame; its counters did not move.\n",
	       opt->written);
	if (opt->thp)
		printf("With --thp the copies are still 4 KiB: the kernel splits the child's\n"
		       "mapping of the huge page rather than copy 2 MiB for a one-byte write.\n");
	print_totals("child");
}

/* The child's first words, printed when the parent has said its own. */
static void child_hello(void)
{
	printf("Child %d: running. Its counters started at zero; the few faults ps\n"
	       "already shows for it are its first writes to its own stack and to\n"
	       "libc's data (copy-on-write since fork, like the buffer). It now waits\n"
	       "for the parent's orders.\n", (int)getpid());
	print_totals("child");
	/* A mark with no result line: cowsample counts each phase from the
	 * previous mark, so the child's start-up faults stay out of child-read. */
	lab_mark("child-started");
}

/* Wait for the parent's next command; answer after each step. */
static void child_main(char *buf, const struct options *opt, struct channel ch)
{
	char command, done = 'd';

	while (read(ch.to_child, &command, 1) == 1) {
		if (command == 'h')
			child_hello();
		else if (command == 'r')
			child_read_step(buf, opt);
		else if (command == 'w')
			child_write_step(buf, opt);
		else
			break;	/* 'q': time to exit */
		fflush(stdout);
		if (write(ch.to_parent, &done, 1) != 1)
			break;
	}
	/* Also when the parent is gone (end of file): never outlive it. */
	fflush(stdout);
	_exit(0);
}

/* Parent side: ask the child for one step and wait until it is done. */
static void ask_child(struct channel ch, char command)
{
	char answer;

	fflush(stdout);		/* our text first, then the child's */
	if (write(ch.to_child, &command, 1) != 1)
		die("pipe to child");
	if (read(ch.to_parent, &answer, 1) != 1) {
		fprintf(stderr, "%s: the child stopped answering\n", prog);
		exit(1);
	}
}

/* Parent side: the child exits when it reads 'q' (or end of file). */
static void tell_child_to_exit(struct channel ch)
{
	char command = 'q';

	fflush(stdout);
	if (write(ch.to_child, &command, 1) != 1)
		die("pipe to child");
}

/* ------------------------------------------------------------------ */
/* The parent: runs the lab                                             */
/* ------------------------------------------------------------------ */

/* The child's writes went to its copies: the parent still reads its own
 * bytes. Reading a page that is mapped, even read-only, never faults. */
static void parent_check_data(const char *buf, long pages)
{
	struct lab_faults before = lab_faults_now(), after;
	int intact = read_pages(buf, pages) == pages * 'p';

	after = lab_faults_now();
	printf("The parent reads its %ld pages: %s.\n"
	       "Reading them cost the parent %ld faults: they are mapped (read-only).\n",
	       pages, intact ? "its own data, untouched by the child"
			     : "SURPRISE, the data changed", after.minor - before.minor);
}

static void print_header(const struct options *opt)
{
	const char *mode = lab_thp_mode();

	printf("fork_faults: copy-on-write after fork(), counted by the kernel\n");
	printf("buffer: %ld pages of %ld bytes (%ld KiB); the child will write %ld of them\n",
	       opt->pages, page_size, opt->pages * page_size / 1024, opt->written);
	printf("transparent huge pages: machine mode '%s'\n", mode);
	printf("  this run: %s\n",
	       opt->thp ? "asks for them (--thp: MADV_HUGEPAGE, 2 MiB-aligned buffer)"
			: "4 KiB pages only (MADV_NOHUGEPAGE; --thp asks for huge pages)");
	if (opt->thp && (strcmp(mode, "never") == 0 || strcmp(mode, "unknown") == 0))
		printf("  note: THP is '%s' here, so the kernel will use 4 KiB pages anyway\n",
		       mode);
	printf("zero page: %s\n",
	       zero_page == 1 ? "in use (reading untouched memory maps the shared zero page)" :
	       zero_page == 0 ? "NOT used by this kernel (reading untouched memory allocates)" :
			   "could not tell (no /proc/self/smaps)");
	printf("mode: %s\n", opt->interactive ? "interactive (Enter goes on to the next step)"
					      : "batch (no waiting)");
	printf("The 'counters now' lines show what ps shows; ps may show a few more,\n"
	       "because printing this text and waiting for Enter can fault too.\n");
}

/* What the parent knows while it runs the lab. */
struct lab {
	struct options opt;
	char *buf;		/* the N pages */
	pid_t parent, child;	/* child is 0 before fork */
	struct channel ch;	/* the pipes to and from the child */
};

/* The end of a step: the command for the other pane, the counters ps will
 * show, and (on a terminal) a wait until the student presses Enter. */
static void look_and_wait(const struct lab *lab, const char *next_step)
{
	print_ps(lab->parent, lab->child);
	print_totals("parent");
	lab_pause(lab->opt.interactive, next_step);
}

/* Step 1. mmap: addresses only. */
static void step_map(struct lab *lab)
{
	struct lab_faults before = lab_faults_now();

	lab->buf = map_buffer(lab->opt.pages, lab->opt.thp);
	end_step("allocated", "parent", before);
	printf("Parent %d mapped %ld private anonymous pages at %p.\n"
	       "mmap() only reserves addresses: no frame is allocated yet, so no page\n"
	       "faults. Memory is given on first touch (demand paging).\n",
	       (int)lab->parent, lab->opt.pages, (void *)lab->buf);
}

/* Step 2. First touch: one demand-zero fault per page (or per huge page). */
static void step_first_touch(struct lab *lab)
{
	struct lab_faults before = lab_faults_now();
	long pages = lab->opt.pages;

	write_pages(lab->buf, pages, 'p');
	end_step("parent-touched", "parent", before);
	printf("Each first write to a page faults: the kernel allocates a zeroed frame\n"
	       "and maps it.");
	if (!lab->opt.thp) {
		printf(" Expect %ld faults for %ld pages (one per page).\n", pages, pages);
		return;
	}
	{
		/* The buffer starts on a huge-page boundary: every whole 2 MiB
		 * can be one huge page; the pages after the last one cannot. */
		long per_huge = huge_page_size() / page_size;
		long huge = pages / per_huge, rest = pages % per_huge;

		printf(" With --thp one fault can fill a whole 2 MiB huge page:\n"
		       "expect about %ld faults (%ld huge pages + %ld pages of 4 KiB after the\n"
		       "last one) when the kernel can give huge pages; up to %ld if it cannot.\n",
		       huge + rest, huge, rest, pages);
		printf("See them: grep AnonHugePages /proc/%d/smaps_rollup\n", (int)lab->parent);
	}
}

/* Step 3. fork: copies the page tables, not the pages. The child goes to
 * child_main() and never comes back; the parent keeps the pipe ends. */
static void step_fork(struct lab *lab)
{
	struct lab_faults before;
	int to_child[2], to_parent[2];

	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		die("pipe");
	fflush(stdout);		/* or the child would print our buffered text again */
	before = lab_faults_now();
	/* TODO 4: fork(); keep what it returns (the child's PID in the
	 * parent, 0 in the child) in lab->child. */
	lab->child = fork();
	/* END TODO */
	if (lab->child < 0)
		die("fork");
	if (lab->child == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		child_main(lab->buf, &lab->opt,
			   (struct channel){ to_child[0], to_parent[1] });
	}
	end_step("forked", "parent", before);
	close(to_child[0]);
	close(to_parent[1]);
	lab->ch = (struct channel){ to_child[1], to_parent[0] };
	printf("Parent %d forked child %d. fork() copied the page tables, not the\n"
	       "pages: both processes now map the same %ld frames, and the kernel made\n"
	       "them read-only in BOTH processes, so that the first write to a page by\n"
	       "either one traps. The parent's few faults here are fork's own work\n"
	       "(its stack and libc data, written after fork, are now copy-on-write too).\n",
	       (int)lab->parent, (int)lab->child, lab->opt.pages);
	ask_child(lab->ch, 'h');
}

/* Step 6. The child exits; the kernel's final count comes back with wait4. */
static void step_child_exits(struct lab *lab)
{
	struct lab_faults before = lab_faults_now();
	struct rusage usage;
	int status;

	tell_child_to_exit(lab->ch);
	if (wait4(lab->child, &status, 0, &usage) != lab->child)
		die("wait4");
	end_step("child-exited", "parent", before);
	printf("Child %d exited. Its final counters, from wait4:\n"
	       "  min_flt=%ld maj_flt=%ld\n"
	       "Its copies are freed, and the frames it still shared with the parent\n"
	       "now belong to the parent alone. ps shows no row for the child any more.\n",
	       (int)lab->child, usage.ru_minflt, usage.ru_majflt);
	parent_check_data(lab->buf, lab->opt.pages);
}

/* Step 7. The reuse fault. */
static void step_rewrite(struct lab *lab)
{
	struct lab_faults before = lab_faults_now();

	write_pages(lab->buf, lab->opt.pages, 'P');
	end_step("parent-rewrote", "parent", before);
	if (!lab->opt.thp) {
		printf("The parent faulted again, once per page, although it owns all these\n"
		       "pages already and the child is gone. Why: fork() write-protected the\n"
		       "parent's page table entries, and nothing made them writable again.\n"
		       "On each first write the kernel sees that the page is no longer shared\n"
		       "(the child copied it, or exited), so it does not copy: it reuses the\n"
		       "page and just makes the entry writable again. A fault, but no copy.\n");
		return;
	}
	printf("The parent faulted again: fork() write-protected its entries too. The\n"
	       "child's writes split only the child's mappings, so the parent still maps\n"
	       "whole huge pages (AnonHugePages in smaps_rollup is what it was at step 2).\n"
	       "The first write to each 2 MiB huge page faults once, and the kernel,\n"
	       "finding it no longer shared, reuses the whole huge page: no copy.\n"
	       "The count may be higher than one per huge page, up to one per 4 KiB page,\n"
	       "and differ from run to run: the extra faults are spurious. Making an\n"
	       "entry writable, the kernel does not flush the TLB (the processor's cache\n"
	       "of page-table entries), since a fault drops the stale entry of the\n"
	       "faulting address. But a TLB may hold a huge page as many 4 KiB pieces\n"
	       "(in a virtual machine whose host maps guest memory with 4 KiB pages):\n"
	       "each piece still cached read-only faults once more, and the kernel finds\n"
	       "the entry writable already: nothing to do.\n"
	       "See for yourself: grep AnonHugePages /proc/%d/smaps_rollup\n",
	       (int)lab->parent);
}

int main(int argc, char **argv)
{
	struct lab lab = { .parent = getpid() };

	page_size = sysconf(_SC_PAGESIZE);
	parse_options(argc, argv, &lab.opt);
	zero_page = zero_page_in_use();
	print_header(&lab.opt);
	lab_mark("started");	/* under cowsample: start-up faults end here */

	print_step(1, "the parent maps the buffer (mmap)");
	step_map(&lab);
	look_and_wait(&lab, "let the parent write one byte per page");

	print_step(2, "the parent writes one byte in every page");
	step_first_touch(&lab);
	look_and_wait(&lab, "fork");

	print_step(3, "the parent forks");
	step_fork(&lab);
	look_and_wait(&lab, "let the child read every page");

	/* Steps 4 and 5: the child works; the parent waits, blocked on a pipe. */
	print_step(4, "the child reads every page");
	ask_child(lab.ch, 'r');
	print_ps(lab.parent, lab.child);
	lab_pause(lab.opt.interactive, "let the child write");

	print_step(5, "the child writes some pages");
	ask_child(lab.ch, 'w');
	print_ps(lab.parent, lab.child);
	lab_pause(lab.opt.interactive, "let the child exit");

	print_step(6, "the child exits");
	step_child_exits(&lab);
	look_and_wait(&lab, "let the parent write every page again");

	print_step(7, "the parent writes every page again");
	step_rewrite(&lab);
	lab.child = 0;		/* gone: ps needs only the parent's PID */
	look_and_wait(&lab, "finish");

	munmap(lab.buf, (size_t)lab.opt.pages * page_size);
	printf("\nDone. See labs/copy-on-write.md for what each step shows.\n");
	return 0;
}
