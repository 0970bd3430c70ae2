/*
 * pagesnap.h - per-page TSV files read back: what `cowmap --tsv` and
 * `cowsample --snapshot-dir` write (pm_write_pages_tsv):
 *   vaddr present exclusive pfn mapcount thp area
 * one row per present or swapped page, in strictly increasing address
 * order, "-" where a value could not be read; area (0xSTART-0xEND) is the
 * mapped range the page lies in (files written before it have 6 columns:
 * their mapped ranges are not known). A snapshot taken at a phase mark can so be compared
 * (pagediff.h) and drawn (cowsvg.h) after the processes have gone on.
 */
#ifndef COWLAB_PAGESNAP_H
#define COWLAB_PAGESNAP_H

#include <stdio.h>
#include <sys/types.h>

#include "pagemap.h"

/* The longest line read: far more than a row (about 80 bytes). */
#define PAGESNAP_LINE_MAX 4096

struct pagesnap_info {
	int frames;	/* every present page has its PFN: written as root */
	int areas;	/* rows say which mapped range they lie in */
	pid_t pid;	/* from a cowsample snapshot's name "PHASE-PID.tsv", else 0 */
	long bad_line;	/* -EINVAL: the first line that does not parse */
	int unsorted;	/* -EINVAL because bad_line repeats or goes back */
};

/*
 * Appends the pages of the file at path to *pages (free them with
 * pm_pages_free). Returns 0, -errno, or -EINVAL for a file that is not
 * such a table (info->bad_line says where).
 */
int pagesnap_read(const char *path, struct pm_pages *pages, struct pagesnap_info *info);

/* The same from an open stream (info->pid stays 0); -EINVAL also for a
 * line over PAGESNAP_LINE_MAX bytes or with a NUL byte. */
int pagesnap_read_stream(FILE *f, struct pm_pages *pages, struct pagesnap_info *info);

#endif
