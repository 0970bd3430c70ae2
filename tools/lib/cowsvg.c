/*
 * cowsvg.c - draw the copy-on-write figure from a measured diff.
 * See cowsvg.h.
 *
 * Layout, top to bottom: title, column headings, one row per group of
 * pages, legend. A group is one run of pages in the same state, or, when
 * there are too many runs to read, a slice of the range whose runs are
 * gathered per state ("bands"). Heights grow with the number of pages but
 * never fall below what a projector can show.
 */
#include "cowsvg.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH		1200
#define MAX_GROUPS	12
#define CONTENT_H	560	/* height shared by all groups, before minimums */
#define BAND_MIN	26
#define GROUP_GAP	22

/* Page column and frame column geometry. */
#define PARENT_X	40
#define CHILD_X		900
#define PAGE_W		260
#define SHARED_X	470
#define SHARED_W	260
#define LEFT_FRAME_X	395
#define RIGHT_FRAME_X	615
#define HALF_W		190

#define FONT "DejaVu Sans, Helvetica, Arial, sans-serif"

enum band { BAND_SHARED, BAND_COPIED, BAND_ONLY_PARENT, BAND_ONLY_CHILD, NBANDS };

static const char *const band_colour[NBANDS] = {
	"#3b7dd8", "#e8743b", "#9e9e9e", "#9e9e9e",
};
#define PARENT_ORIGINAL_COLOUR "#f6c39f"

struct band_data {
	uint64_t pages;
	uint64_t ppfn_lo, ppfn_hi, cpfn_lo, cpfn_hi;
};

struct group {
	uint64_t first, last;	/* first and last page address */
	uint64_t pages;
	size_t runs;
	struct band_data band[NBANDS];
};

static int band_of(enum pd_state state)
{
	switch (state) {
	case PD_SHARED: return BAND_SHARED;
	case PD_COPIED: return BAND_COPIED;
	case PD_ONLY_PARENT: return BAND_ONLY_PARENT;
	case PD_ONLY_CHILD: return BAND_ONLY_CHILD;
	default: return -1;
	}
}

static void widen(uint64_t *lo, uint64_t *hi, uint64_t pfn)
{
	if (pfn == 0)
		return;
	if (*lo == 0 || pfn < *lo)
		*lo = pfn;
	if (pfn > *hi)
		*hi = pfn;
}

/* Number of runs: consecutive pages, same state. */
static size_t count_runs(const struct pd_diff *d)
{
	size_t i, runs = 0;
	uint64_t page = pm_page_size();

	for (i = 0; i < d->n; i++)
		if (i == 0 || d->v[i].state != d->v[i - 1].state ||
		    d->v[i].vaddr != d->v[i - 1].vaddr + page)
			runs++;
	return runs;
}

/*
 * Groups: one per run when there are few runs; else MAX_GROUPS slices of
 * about equal page counts, cut at run boundaries.
 */
static size_t make_groups(const struct pd_diff *d, struct group *g)
{
	uint64_t page = pm_page_size(), target;
	size_t i, n = 0, runs = count_runs(d);
	int per_run = runs <= MAX_GROUPS, b, new_run;
	const struct pd_page *p;

	target = (d->n + MAX_GROUPS - 1) / MAX_GROUPS;
	for (i = 0; i < d->n; i++) {
		p = &d->v[i];
		b = band_of(p->state);
		if (b < 0)
			continue;
		new_run = i == 0 || p->state != d->v[i - 1].state ||
			  p->vaddr != d->v[i - 1].vaddr + page;
		if (n == 0 || (new_run && (per_run || (g[n - 1].pages >= target && n < MAX_GROUPS)))) {
			memset(&g[n], 0, sizeof g[n]);
			g[n].first = p->vaddr;
			n++;
		}
		g[n - 1].last = p->vaddr;
		g[n - 1].pages++;
		g[n - 1].runs += new_run;
		g[n - 1].band[b].pages++;
		widen(&g[n - 1].band[b].ppfn_lo, &g[n - 1].band[b].ppfn_hi, p->parent_pfn);
		widen(&g[n - 1].band[b].cpfn_lo, &g[n - 1].band[b].cpfn_hi, p->child_pfn);
	}
	return n;
}

/*
 * Writes s as XML character data: markup characters escaped, and what XML
 * cannot hold or is not text (bytes that are not UTF-8, control
 * characters, U+FFFE and U+FFFF) as U+FFFD, the replacement character.
 * The --when text comes from the command line, so the file is valid XML
 * (xmllint --noout) whatever it holds.
 */
static void xml_text(FILE *out, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t len, k;
	unsigned cp;

	while (*p) {
		len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		      (*p & 0xf8) == 0xf0 ? 4 : 0;
		cp = len == 1 ? *p : len == 2 ? *p & 0x1fu : len == 3 ? *p & 0x0fu : *p & 0x07u;
		for (k = 1; k < len; k++) {
			if ((p[k] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[k] & 0x3fu);
		}
		if (len == 0 || k < len || (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp < 0xe000) ||
		    cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xfffe || cp == 0xffff) {
			fputs("\xef\xbf\xbd", out);	/* U+FFFD */
			p += len == 0 || k < len ? (k > 1 ? k : 1) : len;
			continue;
		}
		switch (cp) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fwrite(p, 1, len, out);
		}
		p += len;
	}
}

static void text(FILE *out, int x, int y, int size, const char *anchor,
		 const char *weight, const char *s)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"%s\" font-weight=\"%s\">",
		x, y, size, anchor, weight);
	xml_text(out, s);
	fputs("</text>\n", out);
}

static void rect(FILE *out, const char *cls, uint64_t pages, int x, int y, int w, int h,
		 const char *fill)
{
	fprintf(out, "<rect class=\"%s\" data-pages=\"%" PRIu64 "\" x=\"%d\" y=\"%d\" "
		"width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#222\" stroke-width=\"2\"/>\n",
		cls, pages, x, y, w, h, fill);
}

static void arrow(FILE *out, int x1, int y1, int x2, int y2)
{
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" "
		"stroke-width=\"3\" marker-end=\"url(#arrow)\"/>\n", x1, y1, x2, y2);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* A frame block: coloured box, "N frames", and the PFN range when room. */
static void frame(FILE *out, const char *cls, uint64_t pages, int x, int y, int w, int h,
		  const char *fill, uint64_t lo, uint64_t hi, const char *what)
{
	char line[96];
	int mid = y + h / 2;

	rect(out, cls, pages, x, y, w, h, fill);
	snprintf(line, sizeof line, "%" PRIu64 " %s", pages, what);
	if (h >= 46) {
		text(out, x + w / 2, mid - 4, 18, "middle", "bold", line);
		if (lo == hi)
			snprintf(line, sizeof line, "PFN %" PRIx64, lo);
		else
			snprintf(line, sizeof line, "PFN %" PRIx64 "-%" PRIx64, lo, hi);
		text(out, x + w / 2, mid + 18, 16, "middle", "normal", line);
	} else if (h >= 22) {
		text(out, x + w / 2, mid + 6, 16, "middle", "bold", line);
	}
}

/* The virtual pages of one band in the parent's or the child's column. */
static void pages_box(FILE *out, int x, int y, int h, uint64_t pages)
{
	char line[64];

	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
		"stroke=\"#222\" stroke-width=\"1\"/>\n", x, y, PAGE_W, h);
	if (h >= 22) {
		snprintf(line, sizeof line, "%" PRIu64 " %s", pages, plural(pages, "page", "pages"));
		text(out, x + PAGE_W / 2, y + h / 2 + 6, 17, "middle", "normal", line);
	}
}

static void draw_band(FILE *out, int b, const struct band_data *d, int y, int h)
{
	int mid = y + h / 2, has_parent = b != BAND_ONLY_CHILD, has_child = b != BAND_ONLY_PARENT;

	if (has_parent)
		pages_box(out, PARENT_X, y, h, d->pages);
	if (has_child)
		pages_box(out, CHILD_X, y, h, d->pages);
	switch (b) {
	case BAND_SHARED:
		frame(out, "frame shared", d->pages, SHARED_X, y, SHARED_W, h, band_colour[b],
		      d->ppfn_lo, d->ppfn_hi, plural(d->pages, "shared frame", "shared frames"));
		arrow(out, PARENT_X + PAGE_W, mid, SHARED_X - 4, mid);
		arrow(out, CHILD_X, mid, SHARED_X + SHARED_W + 4, mid);
		break;
	case BAND_COPIED:
		frame(out, "frame copied parent", d->pages, LEFT_FRAME_X, y, HALF_W, h,
		      PARENT_ORIGINAL_COLOUR, d->ppfn_lo, d->ppfn_hi,
		      plural(d->pages, "original", "originals"));
		frame(out, "frame copied child", d->pages, RIGHT_FRAME_X, y, HALF_W, h,
		      band_colour[b], d->cpfn_lo, d->cpfn_hi, plural(d->pages, "copy", "copies"));
		arrow(out, PARENT_X + PAGE_W, mid, LEFT_FRAME_X - 4, mid);
		arrow(out, CHILD_X, mid, RIGHT_FRAME_X + HALF_W + 4, mid);
		break;
	case BAND_ONLY_PARENT:
		frame(out, "frame only-parent", d->pages, LEFT_FRAME_X, y, HALF_W, h,
		      band_colour[b], d->ppfn_lo, d->ppfn_hi, "frames");
		arrow(out, PARENT_X + PAGE_W, mid, LEFT_FRAME_X - 4, mid);
		break;
	case BAND_ONLY_CHILD:
		frame(out, "frame only-child", d->pages, RIGHT_FRAME_X, y, HALF_W, h,
		      band_colour[b], d->cpfn_lo, d->cpfn_hi, "frames");
		arrow(out, CHILD_X, mid, RIGHT_FRAME_X + HALF_W + 4, mid);
		break;
	}
}

/* Height of each band of a group: proportional to pages, with a minimum. */
static int band_heights(const struct group *g, uint64_t total, int h[NBANDS])
{
	int b, sum = 0;

	for (b = 0; b < NBANDS; b++) {
		h[b] = 0;
		if (g->band[b].pages == 0)
			continue;
		h[b] = (int)((uint64_t)CONTENT_H * g->band[b].pages / (total ? total : 1));
		if (h[b] < BAND_MIN)
			h[b] = BAND_MIN;
		sum += h[b];
	}
	return sum;
}

static void draw_group(FILE *out, const struct group *g, uint64_t start, uint64_t total, int y)
{
	uint64_t page = pm_page_size();
	char line[128];
	int h[NBANDS], b, sum, yb = y;

	sum = band_heights(g, total, h);
	/* Where the group is: its first address, and page numbers counted
	 * from the start of the compared range. */
	snprintf(line, sizeof line, "0x%" PRIx64 "  pages %" PRIu64 "-%" PRIu64 "%s", g->first,
		 (g->first - start) / page, (g->last - start) / page,
		 g->runs > 1 ? " (interleaved runs)" : "");
	text(out, PARENT_X, y - 6, 17, "start", "normal", line);
	for (b = 0; b < NBANDS; b++) {
		if (h[b] == 0)
			continue;
		draw_band(out, b, &g->band[b], yb, h[b]);
		yb += h[b];
	}
	/* The group outline: one run of virtual addresses on each side. */
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#222\" stroke-width=\"3\"/>\n", PARENT_X, y, PAGE_W, sum);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#222\" stroke-width=\"3\"/>\n", CHILD_X, y, PAGE_W, sum);
}

static void legend_entry(FILE *out, int y, const char *fill, const char *what)
{
	rect(out, "legend", 0, PARENT_X, y, 28, 22, fill);
	text(out, PARENT_X + 40, y + 18, 18, "start", "normal", what);
}

/* The legend explains the colours that the figure uses. */
static void legend(FILE *out, int y, const struct pd_diff *d)
{
	char line[160];

	snprintf(line, sizeof line, "shared: one frame, mapped by parent and child (%" PRIu64 " pages)",
		 d->count[PD_SHARED]);
	legend_entry(out, y, band_colour[BAND_SHARED], line);
	y += 34;
	snprintf(line, sizeof line, "copied: the child wrote, the kernel gave it a new frame (%" PRIu64
		 " pages)", d->count[PD_COPIED]);
	legend_entry(out, y, band_colour[BAND_COPIED], line);
	y += 34;
	if (d->count[PD_COPIED] > 0) {
		legend_entry(out, y, PARENT_ORIGINAL_COLOUR,
			     "original: the frame the parent kept, now mapped by the parent alone");
		y += 34;
	}
	if (d->count[PD_ONLY_PARENT] + d->count[PD_ONLY_CHILD] > 0) {
		snprintf(line, sizeof line, "present on one side only (parent %" PRIu64 ", child %"
			 PRIu64 " pages)", d->count[PD_ONLY_PARENT], d->count[PD_ONLY_CHILD]);
		legend_entry(out, y, band_colour[BAND_ONLY_PARENT], line);
		y += 34;
	}
	y += 14;
	text(out, PARENT_X, y, 17, "start", "normal",
	     "Measured with cowmap --diff from /proc/PID/pagemap, frames compared by PFN.");
	if (d->count[PD_ABSENT] > 0) {
		snprintf(line, sizeof line, "%" PRIu64 " %s of the range present in neither %s not drawn.",
			 d->count[PD_ABSENT], plural(d->count[PD_ABSENT], "page", "pages"),
			 plural(d->count[PD_ABSENT], "is", "are"));
		text(out, PARENT_X, y + 26, 17, "start", "normal", line);
	}
}

void cowsvg_write(FILE *out, const struct pd_diff *d, const struct cowsvg_info *info)
{
	struct group *g = calloc(MAX_GROUPS + count_runs(d) + 1, sizeof *g);
	size_t n, i;
	uint64_t drawn = 0;
	int y, h[NBANDS], height;
	char line[256];

	if (g == NULL)
		return;
	n = make_groups(d, g);
	for (i = 0; i < n; i++)
		drawn += g[i].pages;
	height = info->when != NULL ? 214 : 184;
	for (i = 0; i < n; i++)
		height += band_heights(&g[i], drawn, h) + GROUP_GAP + 6;
	height += 130 + 34 * (d->count[PD_COPIED] > 0) +
		  34 * (d->count[PD_ONLY_PARENT] + d->count[PD_ONLY_CHILD] > 0) +
		  26 * (d->count[PD_ABSENT] > 0);

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"%s\">\n", WIDTH, height, WIDTH, height, FONT);
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\">"
	      "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#222\"/></marker></defs>\n", out);
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", WIDTH, height);
	snprintf(line, sizeof line, "Copy-on-write: parent %d and child %d",
		 (int)info->parent, (int)info->child);
	text(out, WIDTH / 2, 40, 30, "middle", "bold", line);
	y = 74;
	if (info->when != NULL) {
		text(out, WIDTH / 2, y, 22, "middle", "normal", info->when);
		y += 30;
	}
	snprintf(line, sizeof line, "%" PRIu64 " pages present at 0x%" PRIx64 "-0x%" PRIx64
		 ": %" PRIu64 " shared, %" PRIu64 " copied", drawn, d->start, d->end,
		 d->count[PD_SHARED], d->count[PD_COPIED]);
	text(out, WIDTH / 2, y, 19, "middle", "normal", line);
	y += 50;
	text(out, PARENT_X + PAGE_W / 2, y, 20, "middle", "bold", "parent's virtual pages");
	text(out, WIDTH / 2, y, 20, "middle", "bold", "physical frames (RAM)");
	text(out, CHILD_X + PAGE_W / 2, y, 20, "middle", "bold", "child's virtual pages");

	y += 40;
	for (i = 0; i < n; i++) {
		draw_group(out, &g[i], d->start, drawn, y);
		y += band_heights(&g[i], drawn, h) + GROUP_GAP + 6;
	}
	legend(out, y + 16, d);
	fputs("</svg>\n", out);
	free(g);
}
