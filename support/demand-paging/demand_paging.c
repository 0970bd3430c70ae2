/*
 * demand_paging - memory costs nothing until it is touched.
 *
 * Do not confuse demand paging with copy-on-write. There is no fork here,
 * no sharing and no copy: only a process asking for memory and the kernel
 * handing out page frames lazily, at the first touch of each page.
 *
 *   1. mmap N pages: the address space grows (VSZ), but there is no fault
 *      and the resident set (RSS) does not grow. Nothing is allocated yet.
 *   2. Write one byte per page: one page fault per page (or about one per
 *      2 MiB with --thp); RSS grows by N pages.
 *   3. Map N more pages and only READ them. Most kernels map the one shared
 *      zero page: a fault per page, but RSS does not grow. Some kernels
 *      (virtualised ones, like the VM this kit was written on) have no zero
 *      page and allocate a real frame on a read. The program measures RSS
 *      and says which of the two happened.
 *   4. Write the pages just read. With the zero page, each write faults
 *      again: the zero page is read-only and shared, so the kernel gives a
 *      private frame instead (a copy-on-write of the zero page). Without it,
 *      the frame from step 3 is already ours: no fault.
 *   5. munmap the first buffer: RSS falls, the frames go back to the kernel.
 *   6. Map the same addresses again and write: the old data are gone and
 *      every page faults again.
 *
 * Run it in one tmux pane and watch it from another with
 *   ps -o pid,min_flt,maj_flt,rss,vsz,cmd -p PID
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE_SIZE (2UL * 1024 * 1024)	/* an x86-64 PMD-sized THP */
#define DEFAULT_PAGES 16384L			/* 64 MiB with 4 KiB pages */
#define MAX_PAGES (1L << 20)			/* 4 GiB: plenty for a lab */

static long page_size;
static int interactive;
static int use_thp;

/* What the kernel says about us at one instant. */
struct snapshot {
	struct lab_faults faults;
	long rss_pages;		/* resident pages: frames really held */
	long vsz_pages;		/* pages of address space: what mmap promised */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: demand_paging [-n PAGES] [--thp] [--batch] [--help]\n"
		"Shows that mapped memory costs no page fault and no RSS until it is\n"
		"touched, and what a first read and a first write of a page cost.\n"
		"  -n, --pages=N  size of each buffer in pages (default %ld)\n"
		"      --thp      ask for transparent huge pages (MADV_HUGEPAGE)\n"
		"                 (default: MADV_NOHUGEPAGE, one fault per 4 KiB page)\n"
		"  -b, --batch    do not wait for Enter between steps\n"
		"                 (automatic when stdin is not a terminal)\n"
		"  -h, --help     show this help\n"
		"Each measured step prints machine-readable lines:\n"
		"  result: phase=P role=self pid=N minor=N major=N\n"
		"  memory: phase=P rss_kb=N rss_delta_kb=N vsz_delta_kb=N\n"
		"and step 3 prints 'zero_page: yes' or 'zero_page: no'.\n",
		DEFAULT_PAGES);
}

/* A usage error: one line on stderr, exit status 2. */
static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "demand_paging: %s: %s (try --help)\n", what, why);
	exit(2);
}

/* Fatal error of a system call: say which and why, then stop. */
static void die(const char *what)
{
	fprintf(stderr, "demand_paging: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Pages of address space: the first field of /proc/self/statm. */
static long read_vsz_pages(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long vsz_pages = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &vsz_pages) != 1)
		vsz_pages = -1;
	fclose(f);
	return vsz_pages;
}

/*
 * Resident pages, from the "Rss:" line of /proc/self/smaps_rollup. The
 * kernel computes it by walking our page tables, so it is exact. (The RSS
 * that ps and statm show comes from per-CPU counters that may lag by a
 * few dozen pages; fine for people, too rough for a test.) The zero page
 * is never counted: it belongs to no one.
 */
static long read_rss_pages(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long rss_kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Rss: %ld kB", &rss_kb) == 1)
			break;
	fclose(f);
	return rss_kb < 0 ? -1 : rss_kb / (page_size / 1024);
}

static void read_memory(long *vsz_pages, long *rss_pages)
{
	*vsz_pages = read_vsz_pages();
	*rss_pages = read_rss_pages();
}

/*
 * Reading /proc itself may fault (fopen allocates), so the "before"
 * snapshot reads /proc first and the fault counters last, and the "after"
 * snapshot the other way round: the step's fault count is only the step.
 */
static struct snapshot snapshot_before(void)
{
	struct snapshot s;

	read_memory(&s.vsz_pages, &s.rss_pages);
	s.faults = lab_faults_now();
	return s;
}

static struct snapshot snapshot_after(void)
{
	struct snapshot s;

	s.faults = lab_faults_now();
	read_memory(&s.vsz_pages, &s.rss_pages);
	return s;
}

/* Print the step's measurements: faults for people and for the tests. */
static long report(const char *phase, struct snapshot before, struct snapshot after)
{
	long page_kb = page_size / 1024;
	long rss_delta_kb = (after.rss_pages - before.rss_pages) * page_kb;
	long vsz_delta_kb = (after.vsz_pages - before.vsz_pages) * page_kb;

	lab_mark(phase);	/* first: under cowsample, measured right here */
	printf("  page faults: %ld minor, %ld major\n",
	       after.faults.minor - before.faults.minor,
	       after.faults.major - before.faults.major);
	printf("  RSS %+ld KiB (now %ld KiB), VSZ %+ld KiB\n",
	       rss_delta_kb, after.rss_pages * page_kb, vsz_delta_kb);
	lab_result(phase, "self", before.faults, after.faults);
	printf("memory: phase=%s rss_kb=%ld rss_delta_kb=%ld vsz_delta_kb=%ld\n",
	       phase, after.rss_pages * page_kb, rss_delta_kb, vsz_delta_kb);
	return rss_delta_kb;
}

/*
 * Map `bytes` of private anonymous memory on a 2 MiB boundary, so that
 * with --thp every whole 2 MiB of it can be one huge page: map 2 MiB more
 * than needed, keep an aligned piece, and give the rest back.
 */
static char *map_aligned(size_t bytes)
{
	char *area, *buf;

	area = mmap(NULL, bytes + HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	buf = (char *)(((uintptr_t)area + HUGE_PAGE_SIZE - 1) & ~(uintptr_t)(HUGE_PAGE_SIZE - 1));
	if (buf > area)
		munmap(area, buf - area);
	munmap(buf + bytes, area + HUGE_PAGE_SIZE - buf);
	return buf;
}

/*
 * Map a buffer of `pages` pages: anywhere (where == NULL), or exactly at
 * `where` when that range is free (MAP_FIXED_NOREPLACE never replaces a
 * mapping; if the range was taken meanwhile, we map anywhere). THP is
 * chosen explicitly, never left to the machine's default.
 */
static char *map_buffer(long pages, char *where)
{
	size_t bytes = (size_t)pages * page_size;
	char *buf = MAP_FAILED;

	if (where != NULL)
		buf = mmap(where, bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (buf == MAP_FAILED)
		buf = map_aligned(bytes);
	if (madvise(buf, bytes, use_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
		die("madvise");
	return buf;
}

/* Write one byte in every page: the first write of a page faults. */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, long offset, char value)
{
	for (long i = 0; i < pages; i++)
		buf[i * page_size + offset] = value;
}

/* Read one byte of every page; volatile so the compiler really reads. */
LAB_NOT_SANITIZED
static long read_pages(const char *buf, long pages)
{
	long sum = 0;

	for (long i = 0; i < pages; i++)
		sum += ((const volatile char *)buf)[i * page_size];
	return sum;
}

static void step(int number, const char *title)
{
	printf("\n== step %d: %s\n", number, title);
}

static void print_watch_hint(void)
{
	printf("watch me from another pane:\n"
	       "  ps -o pid,min_flt,maj_flt,rss,vsz,cmd -p %d\n"
	       "  watch -n 0.5 ps -o pid,min_flt,maj_flt,rss,vsz,cmd -p %d\n",
	       (int)getpid(), (int)getpid());
}

static void explain_thp(void)
{
	const char *mode = lab_thp_mode();

	printf("transparent huge pages on this machine: %s; this run: %s\n", mode,
	       use_thp ? "MADV_HUGEPAGE (asks for 2 MiB pages)"
		       : "MADV_NOHUGEPAGE (4 KiB pages, one fault each)");
	if (use_thp && strcmp(mode, "never") == 0)
		printf("  THP mode is 'never': MADV_HUGEPAGE cannot help, expect 4 KiB faults\n");
	if (use_thp && strcmp(mode, "unknown") == 0)
		printf("  this kernel has no THP: expect 4 KiB faults\n");
}

/*
 * Step 3's verdict, from the measured RSS growth: a read that allocated
 * a frame per page grew RSS by about the buffer's size; the zero page
 * does not count in RSS at all. Half the buffer separates the two cases.
 * Returns 1 when the zero page was used.
 */
static int judge_zero_page(long rss_delta_kb, long pages)
{
	long buffer_kb = pages * (page_size / 1024);
	int zero_page = rss_delta_kb < buffer_kb / 2;

	if (zero_page)
		printf("  => the kernel mapped the shared ZERO PAGE: every read faulted, but\n"
		       "     RSS grew by only %ld KiB for a %ld KiB buffer. No frame was\n"
		       "     allocated; all pages point at one read-only page of zeros.\n",
		       rss_delta_kb, buffer_kb);
	else
		printf("  => this kernel has NO zero page for us: RSS grew by %ld KiB for a\n"
		       "     %ld KiB buffer, so each read allocated a real zero-filled frame.\n"
		       "     (Some virtualised kernels disable the zero page, e.g. a kernel\n"
		       "     started with pvm_no_zero_page=1; most kernels do use it.)\n",
		       rss_delta_kb, buffer_kb);
	printf("zero_page: %s\n", zero_page ? "yes" : "no");
	return zero_page;
}

/* A whole decimal number of pages in [1, MAX_PAGES], or a usage error. */
static long parse_pages(const char *option, const char *text)
{
	char *end;
	long pages;

	errno = 0;
	pages = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || pages < 1 || pages > MAX_PAGES) {
		char why[96];

		snprintf(why, sizeof why, "'%s' is not a number from 1 to %ld", text, MAX_PAGES);
		usage_error(option, why);
	}
	return pages;
}

static long parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "thp", no_argument, NULL, 'T' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long pages = DEFAULT_PAGES;
	int batch = 0, c;

	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:bh", longopts, NULL)) != -1) {
		if (c == 'n')
			pages = parse_pages("-n", optarg);
		else if (c == 'T')
			use_thp = 1;
		else if (c == 'b')
			batch = 1;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else if (c == ':')
			usage_error(argv[optind - 1], "needs a number of pages");
		else if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) == 0)
			usage_error(argv[optind - 1], "takes no value");
		else
			usage_error(argv[optind - 1], "unknown option");
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	/* Waiting for Enter only makes sense when a person types it. */
	interactive = !batch && isatty(STDIN_FILENO);
	return pages;
}

int main(int argc, char **argv)
{
	long pages;
	struct snapshot before, after;
	char *first, *second, *old_first;
	int zero_page;

	pages = parse_options(argc, argv);
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("demand_paging: pid %d, %ld pages of %ld KiB per buffer (%ld KiB)\n",
	       (int)getpid(), pages, page_size / 1024, pages * page_size / 1024);
	explain_thp();
	print_watch_hint();

	lab_pause(interactive, "map the first buffer");
	step(1, "mmap the first buffer (nothing touched yet)");
	before = snapshot_before();
	first = map_buffer(pages, NULL);
	after = snapshot_after();
	report("mapped", before, after);
	printf("  VSZ grew by the whole buffer, RSS did not: the kernel only noted\n"
	       "  the promise (a VMA). No page frame exists yet, so there was no fault.\n");

	lab_pause(interactive, "write one byte in every page");
	step(2, "write one byte in every page of the first buffer");
	before = snapshot_before();
	write_pages(first, pages, 0, 'A');
	after = snapshot_after();
	report("wrote", before, after);
	printf("  Each first write of a page faulted; the kernel allocated a zeroed\n"
	       "  frame %s and mapped it. RSS grew by the buffer's size.\n",
	       use_thp ? "(2 MiB ones where it could: one fault per 2 MiB)" : "per 4 KiB page");

	lab_pause(interactive, "map a second buffer and only read it");
	step(3, "map a second buffer and READ every page (never written)");
	second = map_buffer(pages, NULL);
	before = snapshot_before();
	read_pages(second, pages);
	after = snapshot_after();
	zero_page = judge_zero_page(report("read-untouched", before, after), pages);

	lab_pause(interactive, "write the pages just read");
	step(4, "write every page of the second buffer (already read once)");
	before = snapshot_before();
	write_pages(second, pages, 0, 'B');
	after = snapshot_after();
	report("wrote-after-read", before, after);
	if (zero_page)
		printf("  Each write faulted again: the zero page is shared and read-only,\n"
		       "  so the kernel replaced it with a private frame - a copy-on-write\n"
		       "  of the zero page, the one COW in this lab.\n");
	else
		printf("  No fault per page: the read in step 3 already gave us private,\n"
		       "  writable frames (no zero page to copy from).\n");

	lab_pause(interactive, "munmap the first buffer");
	step(5, "munmap the first buffer");
	before = snapshot_before();
	if (munmap(first, (size_t)pages * page_size) != 0)
		die("munmap");
	after = snapshot_after();
	report("unmapped", before, after);
	printf("  RSS fell by the buffer's size: its frames went back to the kernel.\n");

	lab_pause(interactive, "map the same addresses again and write");
	step(6, "map the same addresses again and write every page");
	old_first = first;
	first = map_buffer(pages, old_first);
	before = snapshot_before();
	write_pages(first, pages, 1, 'C');
	after = snapshot_after();
	report("retouched", before, after);
	printf("  Same addresses, new memory: every page faulted again, and the 'A'\n"
	       "  written in step 2 is gone (byte 0 of page 0 now reads %d).\n",
	       first[0]);
	printf("old_data: %s same_address=%s\n", first[0] == 'A' ? "kept" : "gone",
	       first == old_first ? "yes" : "no");

	lab_pause(interactive, "exit");
	munmap(first, (size_t)pages * page_size);
	munmap(second, (size_t)pages * page_size);
	printf("\ndone: demand paging allocates at the first touch, never earlier.\n");
	return 0;
}
