/*
 * fuzz_snapshot.c - libFuzzer target: the per-page TSV reader
 * (tools/lib/pagesnap.c) on any bytes. A file it accepts is in strictly
 * increasing address order, and written back (pm_write_pages_tsv) it
 * reads back to the same pages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagesnap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_buffer(const void *data, size_t size, struct pm_pages *pages,
		       struct pagesnap_info *info)
{
	FILE *f;
	int err;

	if (size == 0)
		return -1;	/* fmemopen wants at least one byte */
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return -1;
	err = pagesnap_read_stream(f, pages, info);
	fclose(f);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_pages pages = { 0 }, again = { 0 };
	struct pagesnap_info info, info2;
	char *text = NULL;
	size_t len = 0, i;
	FILE *out;

	if (read_buffer(data, size, &pages, &info) == 0) {
		for (i = 1; i < pages.n; i++)
			if (pages.v[i].vaddr <= pages.v[i - 1].vaddr)
				abort();
		if (info.areas) {
			out = open_memstream(&text, &len);
			if (out == NULL)
				abort();
			pm_write_pages_tsv(out, &pages, 1);
			fclose(out);
			if (read_buffer(text, len, &again, &info2) != 0 || again.n != pages.n)
				abort();
			for (i = 0; i < pages.n; i++)
				if (again.v[i].vaddr != pages.v[i].vaddr || again.v[i].pfn != pages.v[i].pfn ||
				    again.v[i].area_start != pages.v[i].area_start ||
				    again.v[i].area_end != pages.v[i].area_end)
					abort();
			free(text);
		}
	}
	pm_pages_free(&pages);
	pm_pages_free(&again);
	return 0;
}
