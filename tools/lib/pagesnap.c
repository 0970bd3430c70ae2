/*
 * pagesnap.c - per-page TSV files read back (see pagesnap.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagesnap.h"

static const char header[] = "vaddr\tpresent\texclusive\tpfn\tmapcount\tthp";

/* A field that is "-" (unknown: -1) or a number; 0 or -1. */
static int field_number(char *text, int hex, long long *value)
{
	char *end;

	if (strcmp(text, "-") == 0) {
		*value = -1;
		return 0;
	}
	if (*text == '\0' || *text == '-')
		return -1;
	errno = 0;
	*value = (long long)strtoull(text, &end, hex ? 16 : 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* One row into *page; 0 or -1. */
static int parse_row(char *line, struct pm_page *page)
{
	char *field[6], *save = NULL;
	long long v[6];
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = strtok_r(i == 0 ? line : NULL, "\t", &save);
		if (field[i] == NULL)
			return -1;
	}
	if (strtok_r(NULL, "\t", &save) != NULL)
		return -1;
	/* vaddr and pfn are hexadecimal with 0x ("-": a pfn not known). */
	if (strncmp(field[0], "0x", 2) != 0)
		return -1;
	field[0] += 2;
	if (strncmp(field[3], "0x", 2) == 0)
		field[3] += 2;
	else if (strcmp(field[3], "-") != 0)
		return -1;
	for (i = 0; i < 6; i++)
		if (field_number(field[i], i == 0 || i == 3, &v[i]) != 0)
			return -1;
	if (v[0] < 0 || (v[1] != 0 && v[1] != 1) || (v[2] != 0 && v[2] != 1))
		return -1;
	memset(page, 0, sizeof *page);
	page->vaddr = (uint64_t)v[0];
	page->present = (int)v[1];
	page->swapped = !page->present;		/* only present or swapped pages are listed */
	page->exclusive_bit = (int)v[2];
	page->pfn = v[3] > 0 ? (uint64_t)v[3] : 0;
	page->mapcount = (int)v[4];
	page->thp = (int)v[5];
	page->anon_exclusive = -1;
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
	v = strtol(dash + 1, &end, 10);
	return end != dash + 1 && strcmp(end, ".tsv") == 0 && v > 0 ? (pid_t)v : 0;
}

int pagesnap_read(const char *path, struct pm_pages *pages, struct pagesnap_info *info)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long number = 0;
	int err = 0, frames = 1;
	FILE *f = fopen(path, "re");

	memset(info, 0, sizeof *info);
	if (f == NULL)
		return -errno;
	while (err == 0 && (len = getline(&line, &cap, f)) > 0) {
		number++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (number == 1) {
			if (strcmp(line, header) != 0)
				err = -EINVAL;
			continue;
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
		if (parse_row(line, &pages->v[pages->n]) != 0) {
			err = -EINVAL;
			break;
		}
		if (pages->v[pages->n].present && pages->v[pages->n].pfn == 0)
			frames = 0;
		pages->n++;
	}
	if (err == 0 && ferror(f))
		err = -EIO;
	if (err == 0 && number == 0)
		err = -EINVAL;		/* empty: not even the header */
	if (err == -EINVAL)
		info->bad_line = number ? number : 1;
	free(line);
	fclose(f);
	info->frames = frames;
	info->pid = pid_of_name(path);
	return err;
}
