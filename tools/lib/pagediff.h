/*
 * pagediff.h - parent and child, page by page over the same virtual range:
 * which frames they still share after fork() and which were copied.
 *
 * With PFNs (root) the comparison is exact: same PFN = shared, both present
 * with different PFNs = copied. Without PFNs the frames cannot be compared;
 * the states then say only which side has the page and whether the
 * pagemap's exclusive bit is set.
 */
#ifndef COWLAB_PAGEDIFF_H
#define COWLAB_PAGEDIFF_H

#include "pagemap.h"

enum pd_state {
	PD_SHARED,		/* same frame in both */
	PD_COPIED,		/* both present, different frames */
	PD_ONLY_PARENT,		/* present in the parent only */
	PD_ONLY_CHILD,		/* present in the child only */
	PD_BOTH,		/* both present, frames not comparable (no PFNs) */
	PD_ABSENT,		/* present in neither */
	PD_NSTATES
};

/* "shared", "copied", "only-parent", "only-child", "both-present", "absent" */
const char *pd_state_name(enum pd_state state);

struct pd_page {
	uint64_t vaddr;
	enum pd_state state;
	uint64_t parent_pfn, child_pfn;	/* 0 when absent or not visible */
	int parent_exclusive, child_exclusive;
};

struct pd_diff {
	uint64_t start, end;		/* the compared range */
	struct pd_page *v;		/* pages present on either side, by address */
	size_t n, cap;
	uint64_t count[PD_NSTATES];	/* pages per state, absent included */
	uint64_t parent_exclusive, child_exclusive;
	int frames_compared;		/* 1 when PFNs were visible */
	int absent_unknown;		/* set by the caller: the mapped ranges are
					   not known, count[PD_ABSENT] stays 0 */
};

/*
 * Compares the pages of parent and child collected (pm_collect) over the
 * same range [start, end), each in strictly increasing address order.
 * Appends to *diff (so several areas can be compared into one diff, in
 * address order). 0, -ENOMEM, or -EINVAL when the pages are not in order
 * (more pages than the range holds).
 */
int pd_compare(const struct pm_pages *parent, const struct pm_pages *child,
	       uint64_t start, uint64_t end, int frames_visible, struct pd_diff *diff);

/*
 * Compares two snapshots read back (pagesnap.h), each in strictly
 * increasing address order: over the mapped ranges their rows name
 * (have_areas; sorted, overlaps joined, cut to [lo, hi) when have_range),
 * so the gaps between mappings are not counted; without areas, over
 * [lo, hi) when have_range, else over the pages listed with
 * diff->absent_unknown set. *nranges: ranges compared. 0, -ENOMEM, -EINVAL.
 */
int pd_compare_snapshots(const struct pm_pages *parent, const struct pm_pages *child,
			 int have_areas, int have_range, uint64_t lo, uint64_t hi,
			 int frames_visible, struct pd_diff *diff, size_t *nranges);

void pd_free(struct pd_diff *diff);

#endif
