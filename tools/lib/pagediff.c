/*
 * pagediff.c - compare parent and child page by page. See pagediff.h.
 */
#include "pagediff.h"

#include <errno.h>
#include <stdint.h>
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

struct range {
	uint64_t start, end;
};

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Appends the areas named by the rows of pages (each once per run of
 * rows). 0 or -ENOMEM. */
static int add_areas(const struct pm_pages *pages, struct range **v, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; i < pages->n; i++) {
		const struct pm_page *p = &pages->v[i];

		if (i > 0 && p->area_start == pages->v[i - 1].area_start &&
		    p->area_end == pages->v[i - 1].area_end)
			continue;
		if (*n == *cap) {
			struct range *grown;
			size_t new_cap = *cap ? 2 * *cap : 16;

			grown = realloc(*v, new_cap * sizeof *grown);
			if (grown == NULL)
				return -ENOMEM;
			*v = grown;
			*cap = new_cap;
		}
		(*v)[*n].start = p->area_start;
		(*v)[*n].end = p->area_end;
		(*n)++;
	}
	return 0;
}

/*
 * The mapped ranges of two snapshots: the areas their rows name, sorted,
 * overlapping ones joined (a heap that grew between the two pictures), cut
 * to [lo, hi). Only these are compared: the gaps between mappings (between
 * the heap and the stack: terabytes) hold no pages.
 */
static int mapped_ranges(const struct pm_pages *a, const struct pm_pages *b,
			 uint64_t lo, uint64_t hi, struct range **out, size_t *count)
{
	struct range *v = NULL;
	size_t n = 0, cap = 0, i, m = 0;

	*out = NULL;
	*count = 0;
	if (add_areas(a, &v, &n, &cap) != 0 || add_areas(b, &v, &n, &cap) != 0) {
		free(v);
		return -ENOMEM;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	qsort(v, n, sizeof *v, by_start);
	for (i = 0; i < n; i++) {
		if (m > 0 && v[i].start <= v[m - 1].end) {
			if (v[i].end > v[m - 1].end)
				v[m - 1].end = v[i].end;
		} else {
			v[m++] = v[i];
		}
	}
	for (i = n = 0; i < m; i++) {
		uint64_t start = v[i].start > lo ? v[i].start : lo;
		uint64_t end = v[i].end < hi ? v[i].end : hi;

		if (start < end)
			v[n++] = (struct range){ start, end };
	}
	*out = v;
	*count = n;
	return 0;
}

/* The pages of a sorted list that lie in [start, end), from *from on. */
static struct pm_pages pages_in(const struct pm_pages *all, size_t *from, uint64_t start, uint64_t end)
{
	struct pm_pages part = { 0 };
	size_t i = *from, first;

	while (i < all->n && all->v[i].vaddr < start)
		i++;
	first = i;
	while (i < all->n && all->v[i].vaddr < end)
		i++;
	/* (an empty list has no array: NULL + 0 is undefined, found by fuzz_diff) */
	part.v = i > first ? all->v + first : NULL;
	part.n = i - first;
	*from = i;
	return part;
}

int pd_compare_snapshots(const struct pm_pages *parent, const struct pm_pages *child,
			 int have_areas, int have_range, uint64_t lo, uint64_t hi,
			 int frames_visible, struct pd_diff *diff, size_t *nranges)
{
	struct range *ranges = NULL, whole;
	uint64_t page = pm_page_size();
	size_t n, i, pi = 0, ci = 0;
	int err = 0;

	if (have_areas) {
		err = mapped_ranges(parent, child, have_range ? lo : 0, have_range ? hi : UINT64_MAX,
				    &ranges, &n);
	} else {
		/* No mapped ranges in the files: over the range given, or over
		 * the pages listed, with the absent pages not known. */
		whole.start = UINT64_MAX;
		whole.end = 0;
		if (have_range) {
			whole.start = lo;
			whole.end = hi;
		} else {
			diff->absent_unknown = 1;
			if (parent->n > 0) {
				whole.start = parent->v[0].vaddr;
				whole.end = parent->v[parent->n - 1].vaddr + page;
			}
			if (child->n > 0 && child->v[0].vaddr < whole.start)
				whole.start = child->v[0].vaddr;
			if (child->n > 0 && child->v[child->n - 1].vaddr + page > whole.end)
				whole.end = child->v[child->n - 1].vaddr + page;
		}
		n = whole.start < whole.end;
		ranges = &whole;
	}
	for (i = 0; err == 0 && i < n; i++) {
		struct pm_pages p = pages_in(parent, &pi, ranges[i].start, ranges[i].end);
		struct pm_pages c = pages_in(child, &ci, ranges[i].start, ranges[i].end);

		err = pd_compare(&p, &c, ranges[i].start, ranges[i].end, frames_visible, diff);
	}
	diff->frames_compared = frames_visible;
	if (ranges != &whole)
		free(ranges);
	*nranges = n;
	return err;
}

void pd_free(struct pd_diff *diff)
{
	free(diff->v);
	memset(diff, 0, sizeof *diff);
}
