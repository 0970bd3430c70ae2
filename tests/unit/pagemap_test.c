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

int main(void)
{
	printf("1..5\n");
	check_many_areas();
	check_range_parse();
	return failures == 0 ? 0 : 1;
}
