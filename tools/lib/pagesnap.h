/*
 * pagesnap.h - per-page TSV files read back: what `cowmap --tsv` and
 * `cowsample --snapshot-dir` write (pm_write_pages_tsv):
 *   vaddr present exclusive pfn mapcount thp
 * one row per present or swapped page, in address order, "-" where a value
 * could not be read. A snapshot taken at a phase mark can so be compared
 * (pagediff.h) and drawn (cowsvg.h) after the processes have gone on.
 */
#ifndef COWLAB_PAGESNAP_H
#define COWLAB_PAGESNAP_H

#include <sys/types.h>

#include "pagemap.h"

struct pagesnap_info {
	int frames;	/* every present page has its PFN: written as root */
	pid_t pid;	/* from a cowsample snapshot's name "PHASE-PID.tsv", else 0 */
	long bad_line;	/* -EINVAL: the first line that does not parse */
};

/*
 * Appends the pages of the file at path to *pages (free them with
 * pm_pages_free). Returns 0, -errno, or -EINVAL for a file that is not
 * such a table (info->bad_line says where).
 */
int pagesnap_read(const char *path, struct pm_pages *pages, struct pagesnap_info *info);

#endif
