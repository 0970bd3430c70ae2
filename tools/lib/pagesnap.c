/*
 * pagesnap.c - per-page TSV files read back (see pagesnap.h).
 *
 * The files may come from anyone (a student sends two snapshots): every
 * row is checked, a line is at most PAGESNAP_LINE_MAX bytes (a device or
 * a binary file is refused at its first line, not read whole), and the
 * rows must be in strictly increasing address order (the comparison walks
 * both files side by side: a reversed or repeated row would be miscounted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagesnap.h"

static const char header6[] = "vaddr\tpresent\texclusive\tpfn\tmapcount\tthp";
static const char header7[] = "vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea";

/* A hexadecimal number with 0x; 0 or -1. */
static int hex_number(const char *text, uint64_t *value)
{
	char *end;

	if (strncmp(text, "0x", 2) != 0 || text[2] == '\0' || text[2] == '-' || text[2] == '+' ||
	    text[2] == ' ')
		return -1;
	errno = 0;
	*value = (uint64_t)strtoull(text + 2, &end, 16);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* A small decimal field that is "-" (unknown: -1) or 0..INT_MAX; 0 or -1. */
static int small_number(const char *text, int *value)
{
	char *end;
	long v;

	if (strcmp(text, "-") == 0) {
		*value = -1;
		return 0;
	}
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > 0x7fffffff)
		return -1;
	*value = (int)v;
	return 0;
}

/* One row of ncols fields into *page; 0 or -1. */
static int parse_row(char *line, int ncols, struct pm_page *page)
{
	char *field[7], *p = line;
	uint64_t pfn = 0, vpage = pm_page_size();
	int i, present, exclusive;
	char *dash;

	for (i = 0; i < ncols; i++) {
		field[i] = p;
		p = strchr(p, '\t');
		if ((p == NULL) != (i == ncols - 1))
			return -1;	/* too few or too many fields */
		if (p != NULL)
			*p++ = '\0';
	}
	memset(page, 0, sizeof *page);
	/* (not the last page of the address space: no one maps it, and its
	 * end would wrap to 0) */
	if (hex_number(field[0], &page->vaddr) != 0 || page->vaddr % vpage != 0 ||
	    page->vaddr > UINT64_MAX - 2 * vpage + 1)
		return -1;
	if (strcmp(field[3], "-") != 0 && (hex_number(field[3], &pfn) != 0 || pfn == 0))
		return -1;
	if (small_number(field[1], &present) != 0 || small_number(field[2], &exclusive) != 0 ||
	    (present != 0 && present != 1) || (exclusive != 0 && exclusive != 1) ||
	    small_number(field[4], &page->mapcount) != 0 || small_number(field[5], &page->thp) != 0 ||
	    page->thp > 1)
		return -1;
	if (!present && pfn != 0)
		return -1;	/* a swapped page has no frame */
	page->present = present;
	page->swapped = !present;	/* only present or swapped pages are listed */
	page->exclusive_bit = exclusive;
	page->pfn = pfn;
	page->anon_exclusive = -1;
	if (ncols == 7) {
		dash = strchr(field[6], '-');
		if (dash == NULL)
			return -1;
		*dash = '\0';
		if (hex_number(field[6], &page->area_start) != 0 ||
		    hex_number(dash + 1, &page->area_end) != 0 ||
		    page->area_start % vpage != 0 || page->area_end % vpage != 0 ||
		    page->vaddr < page->area_start || page->vaddr >= page->area_end)
			return -1;
	}
	return 0;
}

/* The PID of "DIR/PHASE-PID.tsv", or 0. */
static pid_t pid_of_name(const char *path)
{
	const char *dash = strrchr(path, '-'), *slash = strrchr(path, '/');
	char *end;
	long v;

	if (dash == NULL || (slash != NULL && dash < slash))
		return 0;
	if (dash[1] < '0' || dash[1] > '9')
		return 0;
	errno = 0;
	v = strtol(dash + 1, &end, 10);
	return errno == 0 && strcmp(end, ".tsv") == 0 && v > 0 && v <= 0x7fffffff ? (pid_t)v : 0;
}

/*
 * Reads one line of at most PAGESNAP_LINE_MAX bytes into line (without
 * its newline). 1: a line, 0: end of file, -1: too long or a NUL byte.
 */
static int read_line(FILE *f, char *line, size_t size)
{
	size_t len = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0' || len + 1 >= size)
			return -1;
		line[len++] = (char)c;
	}
	line[len] = '\0';
	return c == EOF && len == 0 ? 0 : 1;
}

int pagesnap_read_stream(FILE *f, struct pm_pages *pages, struct pagesnap_info *info)
{
	char line[PAGESNAP_LINE_MAX + 1];
	long number = 0;
	int err = 0, frames = 1, ncols = 0, r;
	struct pm_page page;
	size_t first = pages->n;

	memset(info, 0, sizeof *info);
	while (err == 0 && (r = read_line(f, line, sizeof line)) != 0) {
		number++;
		if (r < 0) {
			err = -EINVAL;
			break;
		}
		if (number == 1) {
			ncols = strcmp(line, header7) == 0 ? 7 : strcmp(line, header6) == 0 ? 6 : 0;
			if (ncols == 0)
				err = -EINVAL;
			continue;
		}
		if (parse_row(line, ncols, &page) != 0) {
			err = -EINVAL;
			break;
		}
		/* Strictly increasing: not reversed, no page twice. */
		if (pages->n > first && page.vaddr <= pages->v[pages->n - 1].vaddr) {
			err = -EINVAL;
			info->unsorted = 1;
			break;
		}
		if (pages->n == pages->cap) {
			struct pm_page *grown;
			size_t new_cap = pages->cap ? 2 * pages->cap : 256;

			grown = realloc(pages->v, new_cap * sizeof *grown);
			if (grown == NULL) {
				err = -ENOMEM;
				break;
			}
			pages->v = grown;
			pages->cap = new_cap;
		}
		if (page.present && page.pfn == 0)
			frames = 0;
		pages->v[pages->n++] = page;
	}
	if (err == 0 && ferror(f))
		err = -EIO;
	if (err == 0 && number == 0)
		err = -EINVAL;		/* empty: not even the header */
	if (err == -EINVAL)
		info->bad_line = number ? number : 1;
	info->frames = frames;
	info->areas = ncols == 7;
	return err;
}

int pagesnap_read(const char *path, struct pm_pages *pages, struct pagesnap_info *info)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	int err;

	memset(info, 0, sizeof *info);
	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return -EISDIR;
	}
	err = pagesnap_read_stream(f, pages, info);
	fclose(f);
	info->pid = pid_of_name(path);
	return err;
}
