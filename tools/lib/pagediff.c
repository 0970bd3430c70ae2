/*
 * pagediff.c - compare parent and child page by page. See pagediff.h.
 */
#include "pagediff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[PD_NSTATES] = {
	"shared", "copied", "only-parent", "only-child", "both-present", "absent",
};

const char *pd_state_name(enum pd_state state)
{
	return state < PD_NSTATES ? state_names[state] : "?";
}

static enum pd_state classify(const struct pm_page *p, const struct pm_page *c,
			      int frames_visible)
{
	int in_parent = p != NULL && p->present;
	int in_child = c != NULL && c->present;

	if (in_parent && in_child) {
		if (!frames_visible)
			return PD_BOTH;
		return p->pfn == c->pfn ? PD_SHARED : PD_COPIED;
	}
	if (in_parent)
		return PD_ONLY_PARENT;
	if (in_child)
		return PD_ONLY_CHILD;
	return PD_ABSENT;
}

static int append(struct pd_diff *diff, const struct pm_page *p,
		  const struct pm_page *c, int frames_visible)
{
	struct pd_page *grown, *d;

	if (diff->n == diff->cap) {
		diff->cap = diff->cap ? 2 * diff->cap : 256;
		grown = realloc(diff->v, diff->cap * sizeof *grown);
		if (grown == NULL)
			return -ENOMEM;
		diff->v = grown;
	}
	d = &diff->v[diff->n++];
	d->vaddr = p != NULL ? p->vaddr : c->vaddr;
	d->state = classify(p, c, frames_visible);
	d->parent_pfn = p != NULL ? p->pfn : 0;
	d->child_pfn = c != NULL ? c->pfn : 0;
	d->parent_exclusive = p != NULL && pm_page_exclusive(p);
	d->child_exclusive = c != NULL && pm_page_exclusive(c);
	diff->count[d->state]++;
	diff->parent_exclusive += d->parent_exclusive;
	diff->child_exclusive += d->child_exclusive;
	return 0;
}

int pd_compare(const struct pm_pages *parent, const struct pm_pages *child,
	       uint64_t start, uint64_t end, int frames_visible, struct pd_diff *diff)
{
	size_t i = 0, j = 0, before = diff->n;
	const struct pm_page *p, *c;
	uint64_t page = pm_page_size();
	int err = 0;

	if (diff->n == 0 && diff->end == 0)
		diff->start = start;
	if (end > diff->end)
		diff->end = end;
	diff->frames_compared = frames_visible;
	while (err == 0 && (i < parent->n || j < child->n)) {
		p = i < parent->n ? &parent->v[i] : NULL;
		c = j < child->n ? &child->v[j] : NULL;
		if (p != NULL && (p->vaddr < start || p->vaddr >= end)) {
			i++;
			continue;
		}
		if (c != NULL && (c->vaddr < start || c->vaddr >= end)) {
			j++;
			continue;
		}
		if (p != NULL && c != NULL && p->vaddr == c->vaddr) {
			i++, j++;
		} else if (c == NULL || (p != NULL && p->vaddr < c->vaddr)) {
			c = NULL;
			i++;
		} else {
			p = NULL;
			j++;
		}
		err = append(diff, p, c, frames_visible);
	}
	/* Pages of the range present in neither. Only with both sides in
	 * strictly increasing order (pagesnap checks files) can no more
	 * pages be found than the range has; otherwise say so instead of
	 * wrapping round. */
	if (err == 0 && end > start && (end - start) / page < diff->n - before)
		err = -EINVAL;
	if (err == 0 && !diff->absent_unknown && end > start)
		diff->count[PD_ABSENT] += (end - start) / page - (diff->n - before);
	return err;
}

void pd_free(struct pd_diff *diff)
{
	free(diff->v);
	memset(diff, 0, sizeof *diff);
}
