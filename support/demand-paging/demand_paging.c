/*
 * demand_paging - memory costs nothing until it is touched.
 *
 * No fork here, no sharing and no copy: only a process asking for memory
 * and the kernel handing out page frames lazily, at each page's first touch.
 *
 *   step  phase             faults (N pages)  RSS          because
 *   1     mapped            0                 +0           mmap only notes a promise (a VMA)
 *   2     wrote             N                 +N pages     a zeroed frame per first write
 *   3     read-untouched    N                 +0 or +N     a read maps the shared zero
 *                                                          page, where the kernel has one
 *   4     wrote-after-read  N or 0            +N or +0     copy-on-write of the zero page
 *   5     unmapped          0                 -N pages     the frames go back at once
 *   6     retouched         N                 +N pages     same addresses, new memory
 *
 * With --thp, one fault per 2 MiB huge page instead of one per 4 KiB page.
 * Each step at length: labs/demand-paging.md, "What each step shows".
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#define STEPS 6

static long pages = 16384, page_size;	/* N pages (64 MiB of 4 KiB pages) per buffer */
static int thp, batch, interactive;

static const struct lab_option options[] = {
	{ 'n', "pages", LAB_COUNT, &pages, 1, LAB_MAX_PAGES, NULL, "N",
	  "size of each buffer in pages" },
	LAB_OPTION_THP(thp),
	LAB_OPTION_BATCH(batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [--thp] [--batch]",
	"Shows that mapped memory costs no page fault and no RSS until it is\n"
	"touched, and what a first read and a first write of a page cost.\n",
	"Each measured step prints machine-readable lines:\n"
	"  result: phase=P role=self pid=N minor=N major=N\n"
	"  memory: phase=P rss_kb=N rss_delta_kb=N vsz_delta_kb=N\n"
	"and step 3 prints 'zero_page: yes' or 'zero_page: no'.\n",
	0, 0
};

/* What the kernel says about us at one instant. */
struct snapshot {
	struct lab_faults faults;
	long rss_kb;		/* resident: frames really held */
	long vsz_kb;		/* address space: what mmap promised */
};

/*
 * VSZ from /proc/self/statm; RSS from the "Rss:" line of smaps_rollup,
 * which the kernel computes by walking our page tables: exact. (The RSS
 * of ps and statm comes from per-CPU counters that may lag by a few dozen
 * pages.) The zero page is never counted in RSS: it belongs to no one.
 */
static void read_memory(struct snapshot *s)
{
	FILE *statm = fopen("/proc/self/statm", "r");
	FILE *rollup = fopen("/proc/self/smaps_rollup", "r");
	char line[256];

	s->vsz_kb = s->rss_kb = -1;
	if (statm != NULL && fscanf(statm, "%ld", &s->vsz_kb) == 1)
		s->vsz_kb *= page_size / 1024;
	while (rollup != NULL && fgets(line, sizeof line, rollup) != NULL)
		if (sscanf(line, "Rss: %ld kB", &s->rss_kb) == 1)
			break;
	if (statm != NULL)
		fclose(statm);
	if (rollup != NULL)
		fclose(rollup);
}

/* Enter (on a terminal), then the step's title. */
static void begin_step(const char *next, int step, const char *title)
{
	lab_pause(interactive, next);
	lab_step(step, STEPS, title);
}

/* Reading /proc may fault itself (fopen allocates): before a step, read it
 * first and the counters last; after it, the counters first (end_step). */
static struct snapshot measure(void)
{
	struct snapshot s;

	read_memory(&s);
	s.faults = lab_faults_now();
	return s;
}

/* The end of a step: counters, mark and result line, then RSS and VSZ.
 * Returns how much RSS grew (KiB). */
static long end_step(const char *phase, struct snapshot before)
{
	struct snapshot after;

	lab_step_end(phase, "self", before.faults);
	read_memory(&after);
	printf("  RSS %+ld KiB (now %ld KiB), VSZ %+ld KiB\n", after.rss_kb - before.rss_kb,
	       after.rss_kb, after.vsz_kb - before.vsz_kb);
	printf("memory: phase=%s rss_kb=%ld rss_delta_kb=%ld vsz_delta_kb=%ld\n", phase,
	       after.rss_kb, after.rss_kb - before.rss_kb, after.vsz_kb - before.vsz_kb);
	return after.rss_kb - before.rss_kb;
}

/* Map N pages again exactly at `where` if that range is free
 * (MAP_FIXED_NOREPLACE never replaces a mapping), else anywhere. */
static char *map_again_at(char *where)
{
	size_t bytes = (size_t)pages * page_size;
	char *buf = mmap(where, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (buf == MAP_FAILED)
		return lab_map_buffer(pages, thp);
	return lab_use_page_size(buf, bytes, thp);
}

/* Step 3's verdict, from the RSS it measured: a frame per read grows RSS
 * by about the buffer's size, the zero page not at all. Half the buffer
 * tells the two apart. */
static int judge_zero_page(long rss_delta_kb)
{
	long buffer_kb = pages * (page_size / 1024);
	int zero_page = rss_delta_kb < buffer_kb / 2;

	printf("  => %s: RSS grew by %ld KiB for a %ld KiB buffer\n",
	       zero_page ? (thp ? "the kernel mapped the shared huge ZERO PAGE"
				: "the kernel mapped the shared ZERO PAGE")
			 : "NO zero page here: each read allocated a frame",
	       rss_delta_kb, buffer_kb);
	printf("zero_page: %s\n", zero_page ? "yes" : "no");
	return zero_page;
}

int main(int argc, char **argv)
{
	struct snapshot before;
	char *first, *second, *old_first;
	int zero_page;

	lab_parse_options(argc, argv, &usage, options);
	interactive = lab_interactive(batch);
	page_size = lab_page_size();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("demand_paging: pid %d, %ld pages of %ld KiB per buffer (%ld KiB)\n",
	       (int)getpid(), pages, page_size / 1024, pages * page_size / 1024);
	lab_print_setup(thp, interactive);
	printf("watch me from another pane:\n"
	       "  watch -n 0.5 ps -o pid,min_flt,maj_flt,rss,vsz,cmd -p %d\n", (int)getpid());

	begin_step("map the first buffer", 1, "mmap the first buffer (nothing touched yet)");
	before = measure();
	first = lab_map_buffer(pages, thp);
	end_step("mapped", before);
	lab_why("mmap only notes a promise (a VMA): no frame, no fault, VSZ grows, RSS does not");

	begin_step("write one byte in every page", 2, "write one byte in every page of the first buffer");
	before = measure();
	lab_write_pages(first, pages, 'A');
	end_step("wrote", before);
	lab_why(thp ? "one fault per 2 MiB: each fills a whole zeroed huge page; RSS grows the same"
		    : "one fault per page: each first write gets a zeroed 4 KiB frame");

	begin_step("map a second buffer and only read it", 3,
		   "map a second buffer and READ every page (never written)");
	second = lab_map_buffer(pages, thp);
	before = measure();
	lab_read_pages(second, pages);
	zero_page = judge_zero_page(end_step("read-untouched", before));
	lab_why(thp ? "a read faults once per 2 MiB and maps the huge zero page, where there is one"
		    : zero_page ? "every read faulted, and mapped the one shared, read-only zero page"
				: "every read faulted, and got a private zeroed frame: no zero page");

	begin_step("write the pages just read", 4, "write every page of the second buffer (already read once)");
	before = measure();
	lab_write_pages(second, pages, 'B');
	end_step("wrote-after-read", before);
	lab_why(thp ? "the huge zero page is read-only: a fresh huge page, or 4 KiB pages, per write"
		    : zero_page ? "the zero page is read-only: each write faulted for a private frame (COW)"
				: "no fault per page: the read already gave us private, writable frames");

	begin_step("munmap the first buffer", 5, "munmap the first buffer");
	before = measure();
	if (munmap(first, (size_t)pages * page_size) != 0)
		lab_die("munmap");
	end_step("unmapped", before);
	lab_why("the frames went back to the kernel at once: RSS fell by the buffer's size");

	begin_step("map the same addresses again and write", 6,
		   "map the same addresses again and write every page");
	old_first = first;
	first = map_again_at(old_first);
	before = measure();
	lab_write_pages(first + 1, pages, 'C');	/* byte 1 of each page: byte 0 shows the old data */
	end_step("retouched", before);
	printf("old_data: %s same_address=%s\n", first[0] == 'A' ? "kept" : "gone",
	       first == old_first ? "yes" : "no");
	lab_why(thp ? "new memory at the same addresses: one fault per 2 MiB again, the 'A's are gone"
		    : "new memory at the same addresses: one fault per page again, the 'A's are gone");

	lab_pause(interactive, "exit");
	munmap(first, (size_t)pages * page_size);
	munmap(second, (size_t)pages * page_size);
	printf("\nDone. labs/demand-paging.md, \"What each step shows\", tells each step at length.\n");
	return 0;
}
