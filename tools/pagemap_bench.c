/*
 * pagemap_bench - what the PAGEMAP_SCAN ioctl buys cowmap: a present-page
 * census of two sparse mappings, found by the ioctl and by pread of every
 * pagemap entry, measured in one run with the library code cowmap uses
 * (pm_count_present, on the areas pm_select_areas picks for --range):
 *
 *   (a) a 1 GiB mapping with 64 MiB of it touched
 *   (b) a 64 GiB PROT_NONE reservation with 64 MiB inside it made readable
 *       and writable (mprotect) and touched
 *
 * Targets (issue 4): (a) <= 2 ms by PAGEMAP_SCAN and >= 5x faster than
 * pread; (b) >= 50x faster. Run by `make bench`.
 *
 *   pagemap_bench [--runs N]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pagemap.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TOUCHED (64 * MIB)

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return v[n / 2];
}

static void die(const char *what)
{
	fprintf(stderr, "pagemap_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A mapping of SIZE bytes (PROT_NONE when reserve), with TOUCHED bytes in
 * its middle made writable and written: 4 KiB pages only, so that the
 * census counts the same pages whatever the machine's THP setting. */
static char *make_mapping(uint64_t size, int reserve)
{
	char *base, *middle;
	uint64_t i, page = pm_page_size();

	base = mmap(NULL, size, reserve ? PROT_NONE : PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap");
	middle = base + size / 2;
	if (reserve && mprotect(middle, TOUCHED, PROT_READ | PROT_WRITE) != 0)
		die("mprotect");
	madvise(base, size, MADV_NOHUGEPAGE);
	for (i = 0; i < TOUCHED; i += page)
		middle[i] = 1;
	return base;
}

/*
 * One census of [start, end) the way cowmap does it: over the areas of the
 * range (maps read once, beforehand), pm_count_present on each.
 */
static uint64_t census(struct pm_proc *proc, const struct pm_area *areas, size_t n,
		       int *used_scan)
{
	uint64_t total = 0, present;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pm_count_present(proc, areas[i].start, areas[i].end, &present, used_scan) != 0)
			die("census");
		total += present;
	}
	return total;
}

/* Median time of RUNS censuses by each method, alternating; checks that
 * both methods count the same pages. Returns 0 if the targets are met. */
static int bench(const char *title, uint64_t size, int reserve, int runs,
		 double max_scan_ms, double min_ratio)
{
	double scan_ms[runs], pread_ms[runs], t, scan, pread_m, ratio;
	struct pm_map *maps;
	struct pm_area *areas;
	struct pm_select sel = { .kind = PM_SEL_RANGE };
	struct pm_proc proc;
	uint64_t by_scan = 0, by_pread = 0;
	size_t count, n;
	int r, used_scan = 0, ok;
	char *base = make_mapping(size, reserve);

	sel.start = (uintptr_t)base;
	sel.end = (uintptr_t)base + size;
	if (pm_maps_read(getpid(), &maps, &count) != 0 ||
	    pm_select_areas(maps, count, &sel, &areas, &n) != 0)
		die("/proc/self/maps");
	if (pm_open(&proc, getpid()) != 0)
		die("/proc/self/pagemap");
	for (r = -1; r < runs; r++) {	/* run -1 warms up */
		proc.force_pread = 0;
		t = now_ms();
		by_scan = census(&proc, areas, n, &used_scan);
		if (r >= 0)
			scan_ms[r] = now_ms() - t;
		proc.force_pread = 1;
		t = now_ms();
		by_pread = census(&proc, areas, n, NULL);
		if (r >= 0)
			pread_ms[r] = now_ms() - t;
	}
	scan = median(scan_ms, runs);
	pread_m = median(pread_ms, runs);
	ratio = pread_m / scan;
	printf("%s: %" PRIu64 " of %" PRIu64 " pages present, in %zu mapping%s\n", title,
	       by_scan, size / pm_page_size(), n, n == 1 ? "" : "s");
	if (!used_scan) {
		printf("  PAGEMAP_SCAN: not in this kernel (Linux 6.7+); pread only: %.3f ms\n",
		       pread_m);
		ok = 0;
	} else {
		ok = (max_scan_ms <= 0 || scan <= max_scan_ms) && ratio >= min_ratio && by_scan == by_pread;
		printf("  PAGEMAP_SCAN ioctl:          %9.3f ms\n", scan);
		printf("  pread of every entry:        %9.3f ms\n", pread_m);
		printf("  ratio pread / PAGEMAP_SCAN:  %9.1fx\n", ratio);
		if (max_scan_ms > 0)
			printf("  target: PAGEMAP_SCAN <= %.0f ms and >= %.0fx faster: %s\n",
			       max_scan_ms, min_ratio, ok ? "met" : "NOT MET");
		else
			printf("  target: PAGEMAP_SCAN >= %.0fx faster: %s\n", min_ratio,
			       ok ? "met" : "NOT MET");
	}
	if (by_scan != by_pread)
		printf("  ERROR: PAGEMAP_SCAN counted %" PRIu64 " pages, pread %" PRIu64 "\n",
		       by_scan, by_pread);
	pm_close(&proc);
	free(areas);
	free(maps);
	munmap(base, size);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	int runs = 11;

	if (argc == 3 && strcmp(argv[1], "--runs") == 0 && atoi(argv[2]) > 0) {
		runs = atoi(argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: pagemap_bench [--runs N]\n");
		return 2;
	}
	printf("pagemap: present-page census with cowmap's code (pm_count_present), "
	       "by PAGEMAP_SCAN and by pread;\nmedian of %d runs each, alternating\n", runs);
	bench("(a) 1 GiB mapping, 64 MiB touched", GIB, 0, runs, 2.0, 5.0);
	bench("(b) 64 GiB PROT_NONE reservation, 64 MiB of it touched", 64 * GIB, 1, runs, 0, 50.0);
	return 0;
}
