/*
 * cowsvg.h - the classic copy-on-write figure, drawn from a measured diff:
 * the parent's virtual pages on the left, physical frames in the middle,
 * the child's virtual pages on the right, arrows from pages to frames.
 *
 * Runs of pages in the same state are drawn as one block, so a buffer of
 * any size gives a handful of blocks. Every block carries its class
 * (shared, copied, only-parent, only-child) and data-pages="N", so a test
 * can check the picture against the diff. Output is deterministic: the same
 * diff gives the same bytes.
 */
#ifndef COWLAB_COWSVG_H
#define COWLAB_COWSVG_H

#include <stdio.h>
#include <sys/types.h>

#include "pagediff.h"

struct cowsvg_info {
	pid_t parent, child;
	const char *when;	/* e.g. "right after fork()"; may be NULL */
};

/* Writes the SVG document. The diff must have compared frames (root). */
void cowsvg_write(FILE *out, const struct pd_diff *diff, const struct cowsvg_info *info);

#endif
