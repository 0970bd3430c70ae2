/*
 * pagemap_test.c - unit tests of the page-map library that need no
 * process: the selection of areas (pagemap.c), the per-page TSV reader
 * (pagesnap.c) and the comparison (pagediff.c). Prints TAP.
 *
 * Linked with -Wl,--wrap=realloc: the test counts the reallocations of a
 * growing array, so quadratic growth shows as a count, not as a time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagediff.h"
#include "pagemap.h"
#include "pagesnap.h"

static int test_number;
static int failures;

static void ok(int condition, const char *name)
{
	test_number++;
	if (!condition)
		failures++;
	printf("%sok %d - %s\n", condition ? "" : "not ", test_number, name);
}

void *__real_realloc(void *ptr, size_t size);
static size_t realloc_calls;

void *__wrap_realloc(void *ptr, size_t size)
{
	realloc_calls++;
	return __real_realloc(ptr, size);
}

/* 100,000 anonymous mappings (a process can have 65,530 by default, more
 * with vm.max_map_count): areas grow by doubling, a few dozen reallocs. */
static void check_many_areas(void)
{
	enum { MANY = 100000 };
	struct pm_map *maps = calloc(MANY, sizeof *maps);
	struct pm_area *areas = NULL;
	struct pm_select sel;
	size_t i, n = 0;
	uint64_t page = pm_page_size();

	if (maps == NULL)
		return;
	for (i = 0; i < MANY; i++) {
		maps[i].start = 0x10000000 + 2 * i * page;
		maps[i].end = maps[i].start + page;
		strcpy(maps[i].perms, "rw-p");
	}
	pm_select_parse(&sel, NULL, NULL);
	realloc_calls = 0;
	ok(pm_select_areas(maps, MANY, &sel, &areas, &n) == 0 && n == MANY,
	   "pm_select_areas: 100000 mappings selected");
	ok(realloc_calls <= 32, "pm_select_areas: the array grows geometrically (at most 32 reallocs, not one per mapping)");
	free(areas);
	free(maps);
}

static void check_range_parse(void)
{
	struct pm_select sel;
	uint64_t page = pm_page_size();

	ok(pm_select_parse(&sel, NULL, "1000-ffffffffffffffff") == 0 && sel.kind == PM_SEL_RANGE &&
	   sel.start == 0x1000 && sel.end == UINT64_MAX - (page - 1),
	   "--range X-ffffffffffffffff ends at the last page, does not wrap to 0");
	ok(pm_select_parse(&sel, NULL, "fffffffffffff800-ffffffffffffffff") == -1,
	   "--range inside the last page: nothing left, refused");
	ok(pm_select_parse(&sel, NULL, "1001-2001") == 0 && sel.start == 0x1000 && sel.end == 0x3000,
	   "--range: rounded out to whole pages");
}

static struct pm_page page_at(uint64_t vaddr, uint64_t pfn, uint64_t area_start, uint64_t area_end)
{
	struct pm_page p;

	memset(&p, 0, sizeof p);
	p.vaddr = vaddr;
	p.pfn = pfn;
	p.present = 1;
	p.mapcount = -1;
	p.area_start = area_start;
	p.area_end = area_end;
	return p;
}

/* Two snapshots, heap and stack terabytes apart: only the mapped ranges
 * count; an empty side (no array at all) is compared without undefined
 * behaviour (found by fuzz_diff: NULL + 0). */
static void check_snapshot_diff(void)
{
	uint64_t pg = pm_page_size(), stack = UINT64_C(0x7ff000000000);
	struct pm_page pv[2], cv[2];
	struct pm_pages p = { pv, 2, 2 }, c = { cv, 2, 2 }, none = { NULL, 0, 0 };
	struct pd_diff d = { 0 };
	size_t n;

	pv[0] = page_at(pg, 0x10, pg, 5 * pg);
	pv[1] = page_at(stack, 0x20, stack, stack + 4 * pg);
	cv[0] = page_at(pg, 0x10, pg, 5 * pg);
	cv[1] = page_at(stack + pg, 0x30, stack, stack + 4 * pg);
	ok(pd_compare_snapshots(&p, &c, 1, 0, 0, 0, 1, &d, &n) == 0 && n == 2 &&
	   d.count[PD_SHARED] == 1 && d.count[PD_ONLY_PARENT] == 1 && d.count[PD_ONLY_CHILD] == 1 &&
	   d.count[PD_ABSENT] == 5, "snapshots: 8 mapped pages compared, the gap between mappings not counted");
	pd_free(&d);
	ok(pd_compare_snapshots(&none, &c, 1, 0, 0, 0, 1, &d, &n) == 0 && d.count[PD_ONLY_CHILD] == 2 &&
	   d.count[PD_ABSENT] == 6, "snapshots: an empty parent is compared");
	pd_free(&d);
	ok(pd_compare_snapshots(&p, &c, 0, 0, 0, 0, 1, &d, &n) == 0 && d.absent_unknown &&
	   d.count[PD_ABSENT] == 0, "snapshots without areas: absent pages not known, not counted");
	pd_free(&d);
}

int main(void)
{
	printf("1..8\n");
	check_many_areas();
	check_range_parse();
	check_snapshot_diff();
	return failures == 0 ? 0 : 1;
}
