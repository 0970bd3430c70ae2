/*
 * fuzz_diff.c - libFuzzer target: two snapshots read back, compared
 * (pd_compare_snapshots, what cowmap --diff FILE FILE runs) and drawn
 * (cowsvg_write). The input is PARENT, a blank line, CHILD, and
 * optionally a blank line and the --when text (any bytes).
 * Checked besides the sanitizers: the states add up to the pages of the
 * ranges compared (no wrap-around), and the SVG is UTF-8 without control
 * characters other than newlines (so valid XML whatever --when holds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cowsvg.h"
#include "pagediff.h"
#include "pagesnap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_part(const char *data, size_t size, struct pm_pages *pages,
		     struct pagesnap_info *info)
{
	FILE *f;
	int err;

	if (size == 0)
		return -1;
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return -1;
	err = pagesnap_read_stream(f, pages, info);
	fclose(f);
	return err;
}

/* Is s (len bytes) UTF-8 with no control character but '\n'? */
static int clean_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, k, n;
	unsigned cp;

	while (i < len) {
		n = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 :
		    (s[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len)
			return 0;
		cp = n == 1 ? s[i] : n == 2 ? s[i] & 0x1fu : n == 3 ? s[i] & 0x0fu : s[i] & 0x07u;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) || (cp < 0x20 && cp != '\n') ||
		    (cp >= 0x7f && cp < 0xa0) || cp == 0xfffe || cp == 0xffff)
			return 0;
		i += n;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size, *sep, *child, *when_at;
	struct pm_pages p = { 0 }, c = { 0 };
	struct pagesnap_info pi, ci;
	struct pd_diff diff = { 0 };
	struct cowsvg_info info = { 1, 2, NULL };
	uint64_t total = 0, span = 0;
	size_t nranges, i, svg_len = 0;
	char *svg = NULL, *when = NULL;
	FILE *out;
	int s, have_range;

	sep = memmem(text, size, "\n\n", 2);
	if (sep == NULL)
		return 0;
	child = sep + 2;
	when_at = memmem(child, (size_t)(end - child), "\n\n", 2);
	if (when_at != NULL) {
		when = strndup(when_at + 2, (size_t)(end - when_at - 2));
		info.when = when;
	}
	if (read_part(text, (size_t)(sep - text) + 1, &p, &pi) == 0 &&
	    read_part(child, (size_t)((when_at ? when_at + 1 : end) - child), &c, &ci) == 0) {
		/* a --range from the first bytes, sometimes */
		uint64_t lo = size > 0 ? (uint64_t)data[0] << 12 : 0, hi = lo + ((uint64_t)size << 12);

		have_range = size > 1 && (data[1] & 1);
		if (pd_compare_snapshots(&p, &c, pi.areas && ci.areas, have_range, lo, hi,
					 pi.frames && ci.frames, &diff, &nranges) == 0) {
			for (s = 0; s < PD_NSTATES; s++)
				total += diff.count[s];
			if (!diff.absent_unknown) {
				/* every page of the ranges in exactly one state */
				for (i = 0; i < diff.n; i++)
					if (i > 0 && diff.v[i].vaddr <= diff.v[i - 1].vaddr)
						abort();
				span = diff.count[PD_ABSENT] + diff.n;
				if (total != span || (nranges == 0 && total != 0))
					abort();
			}
			out = open_memstream(&svg, &svg_len);
			if (out == NULL)
				abort();
			cowsvg_write(out, &diff, &info);
			fclose(out);
			if (!clean_utf8((const unsigned char *)svg, svg_len))
				abort();
			free(svg);
		}
	}
	pd_free(&diff);
	pm_pages_free(&p);
	pm_pages_free(&c);
	free(when);
	return 0;
}
