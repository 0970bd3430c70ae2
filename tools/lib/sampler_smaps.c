/*
 * sampler_smaps.c - the --smaps column provider: pss_kb, shared_dirty_kb
 * and private_dirty_kb from /proc/PID/smaps_rollup.
 *
 * smaps_rollup walks the page tables (cost grows with the mapped memory),
 * so it is read at events and marks, and on `sample` rows at most every
 * SMAPS_PERIOD_S; rows in between repeat the last value.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sampler.h"
#include "smaps.h"

#define SMAPS_PERIOD_S 0.1

struct smaps_ext {
	struct smaps_rollup r;
	double read_at;
	int have;
};

static const char *const smaps_headers[] = {
	"pss_kb", "shared_dirty_kb", "private_dirty_kb",
};

static void smaps_update(const struct sampler_columns *c, struct proc_entry *p,
			 int slot, enum sampler_event ev, double t)
{
	struct smaps_ext *x = p->ext[slot];
	struct smaps_rollup r;

	(void)c;
	if (x == NULL) {
		x = calloc(1, sizeof *x);
		if (x == NULL)
			return;
		p->ext[slot] = x;
	}
	if (ev == SAMPLER_SAMPLE && x->have && t - x->read_at < SMAPS_PERIOD_S)
		return;
	/* A zombie has no memory left to show: keep its last values. */
	if (smaps_rollup_read(p->id.pid, &r) == 0) {
		x->r = r;
		x->have = 1;
	}
	x->read_at = t;
}

static void smaps_format(const struct proc_entry *p, int slot, size_t column,
			 char *buf, size_t size)
{
	const struct smaps_ext *x = p->ext[slot];
	unsigned long v;

	if (x == NULL || !x->have) {
		snprintf(buf, size, "-");
		return;
	}
	v = column == 0 ? x->r.pss_kb : column == 1 ? x->r.shared_dirty_kb : x->r.private_dirty_kb;
	snprintf(buf, size, "%lu", v);
}

static const struct sampler_columns smaps_columns = {
	.name = "smaps",
	.headers = smaps_headers,
	.ncolumns = 3,
	.update = smaps_update,
	.format = smaps_format,
	.at_mark = NULL,	/* the mark row's update() reads it, while stopped */
	.free_ext = NULL,	/* ext is one block: the sampler frees it */
	.data = NULL,
};

const struct sampler_columns *sampler_smaps_columns(void)
{
	return &smaps_columns;
}
