/*
 * sampler_pagemap.c - what the sampler reads from the page map
 * (pagemap.h): the --pagemap columns and the --snapshot-dir files.
 *
 * --pagemap: present, exclusive and shared pages of the whole private
 * anonymous memory of a process (heap, stack, anonymous mmap: what fork()
 * shares copy-on-write). Reading it walks the page tables, so it is read
 * at events and marks, and on `sample` rows at most every PAGEMAP_PERIOD_S;
 * rows in between repeat the last values. exclusive comes from
 * /proc/kpagecount as root (mapcount 1, exact), else from the pagemap's
 * exclusive bit; shared (mapcount > 1) is known as root only ("-").
 *
 * --snapshot-dir DIR: at every phase mark, one cowmap-style per-page TSV
 * (cowmap --tsv: vaddr present exclusive pfn mapcount thp) of each live
 * process, DIR/PHASE-PID.tsv, taken while the marking process is held
 * stopped at its mark; and at the end DIR/snapshots.tsv, one row per file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "pagemap.h"
#include "sampler_internal.h"

#define PAGEMAP_PERIOD_S 0.5

/*
 * Every present or swapped page of pid's private anonymous mappings, in
 * address order. *root: PFNs and mapcounts could be read. 0 or -errno
 * (-ESRCH: the process has gone, or is a zombie without memory).
 */
static int collect_anon(pid_t pid, struct pm_pages *pages, int *root)
{
	struct pm_map *maps;
	struct pm_area *areas;
	struct pm_select sel;
	struct pm_proc proc;
	size_t nmaps, nareas, i;
	int err;

	err = pm_open(&proc, pid);
	if (err != 0)
		return err;
	*root = proc.kpagecount_fd >= 0;
	err = pm_maps_read(pid, &maps, &nmaps);
	if (err != 0) {
		pm_close(&proc);
		return err;
	}
	pm_select_parse(&sel, NULL, NULL);	/* every private anonymous mapping */
	err = pm_select_areas(maps, nmaps, &sel, &areas, &nareas);
	free(maps);
	for (i = 0; err == 0 && i < nareas; i++)
		err = pm_collect(&proc, areas[i].start, areas[i].end, pages);
	free(areas);			/* NULL after an error */
	pm_close(&proc);
	return err;
}

static int census_of(pid_t pid, struct pm_census *c, int *root)
{
	struct pm_pages pages = { 0 };
	int err = collect_anon(pid, &pages, root);

	memset(c, 0, sizeof *c);
	if (err == 0)
		pm_census_add(c, &pages, 0, pages.n);
	pm_pages_free(&pages);
	return err;
}

/* ---- the --pagemap columns ---- */

struct pagemap_ext {
	struct pm_census c;
	int root;
	double read_at;
	int have;
	int error_told;
};

static const char *const pagemap_headers[] = { "present", "exclusive", "shared" };

static void pagemap_update(const struct sampler_columns *c, struct proc_entry *p,
			   int slot, enum sampler_event ev, double t)
{
	struct pagemap_ext *x = p->ext[slot];
	struct pm_census census;
	int root, err;

	(void)c;
	if (x == NULL) {
		x = calloc(1, sizeof *x);
		if (x == NULL)
			return;
		p->ext[slot] = x;
	}
	if (ev == SAMPLER_SAMPLE && x->have && t - x->read_at < PAGEMAP_PERIOD_S)
		return;
	x->read_at = t;
	err = census_of(p->id.pid, &census, &root);
	if (err == 0) {
		x->c = census;
		x->root = root;
		x->have = 1;
	} else if (err != -ESRCH && !x->error_told) {
		/* e.g. another user's process as non-root: said once */
		fprintf(stderr, "cowsample: --pagemap: process %d: %s\n", (int)p->id.pid,
			strerror(-err));
		x->error_told = 1;
	}
	/* -ESRCH: a zombie has no memory left to show; keep the last values. */
}

static void pagemap_format(const struct proc_entry *p, int slot, size_t column,
			   char *buf, size_t size)
{
	const struct pagemap_ext *x = p->ext[slot];
	unsigned long long v;

	if (x == NULL || !x->have || (column == 2 && !x->root)) {
		snprintf(buf, size, "-");
		return;
	}
	v = column == 0 ? x->c.present : column == 1 ? x->c.exclusive : x->c.multi;
	snprintf(buf, size, "%llu", v);
}

static const struct sampler_columns pagemap_columns = {
	.name = "pagemap",
	.headers = pagemap_headers,
	.ncolumns = 3,
	.update = pagemap_update,
	.format = pagemap_format,
	.at_mark = NULL,	/* the mark row's update() reads it, while stopped */
	.free_ext = NULL,	/* ext is one block: the sampler frees it */
	.data = NULL,
};

const struct sampler_columns *sampler_pagemap_columns(void)
{
	return &pagemap_columns;
}

/* ---- --snapshot-dir ---- */

struct snapshot {
	double time_s;
	char phase[PROCTABLE_PHASE_MAX];
	pid_t marker, pid;
	int depth;
	int held;		/* the process was stopped by us while read */
	struct pm_census c;
	int root;
	char file[PROCTABLE_PHASE_MAX + 32];
};

struct phase_count {
	char phase[PROCTABLE_PHASE_MAX];
	int count;
};

struct snapshots {
	struct snapshot *v;
	size_t n, cap;
	struct phase_count *phases;
	size_t nphases, phases_cap;
};

int sampler_snapshots_open(struct sampler *s)
{
	const char *dir = s->o->snapshot_dir;
	struct stat st;
	int err = 0;

	if (dir == NULL)
		return 0;
	/* DIR is made if missing (its parent is not): checked now, before
	 * COMMAND runs, so a typo costs no run. */
	if (stat(dir, &st) != 0 && (errno != ENOENT || mkdir(dir, 0777) != 0 ||
				    stat(dir, &st) != 0))
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		err = ENOTDIR;
	else if (access(dir, W_OK | X_OK) != 0)
		err = errno;
	if (err != 0) {
		fprintf(stderr, "%s: --snapshot-dir: %s: %s\n", s->o->progname, dir, strerror(err));
		return -1;
	}
	s->snapshots = calloc(1, sizeof *s->snapshots);
	if (s->snapshots == NULL)
		abort();
	return 0;
}

/* "PHASE-PID.tsv", "PHASE.2-PID.tsv" for the second mark of that name...
 * with the phase made safe for a file name. */
static void snapshot_name(char *buf, size_t size, const char *phase, int nth, pid_t pid)
{
	char safe[PROCTABLE_PHASE_MAX];
	size_t i;

	snprintf(safe, sizeof safe, "%s", phase);
	for (i = 0; safe[i]; i++)
		if (safe[i] == '/' || (i == 0 && safe[i] == '.'))
			safe[i] = '_';
	if (nth > 1)
		snprintf(buf, size, "%s.%d-%d.tsv", safe, nth, (int)pid);
	else
		snprintf(buf, size, "%s-%d.tsv", safe, (int)pid);
}

/* How many times a mark named phase has come, this one included. */
static int phase_seen(struct snapshots *sn, const char *phase)
{
	size_t i;

	for (i = 0; i < sn->nphases; i++)
		if (strcmp(sn->phases[i].phase, phase) == 0)
			return ++sn->phases[i].count;
	sn->phases = proctable_grow(sn->phases, &sn->phases_cap, sn->nphases + 1, sizeof *sn->phases);
	snprintf(sn->phases[sn->nphases].phase, PROCTABLE_PHASE_MAX, "%s", phase);
	sn->phases[sn->nphases].count = 1;
	sn->nphases++;
	return 1;
}

static void snapshot_fail(struct sampler *s, const char *what, int err)
{
	fprintf(stderr, "%s: --snapshot-dir: %s: %s\n", s->o->progname, what, strerror(err));
	s->snapshot_failed = 1;
}

/*
 * One process's file. Returns 0, or -errno: -ESRCH when it has just gone
 * (no file, nothing said); a page map we may not read (another user's
 * process) is said once per process; a file that cannot be written fails
 * the run (exit status 1), as -o does.
 */
static int snapshot_one(struct sampler *s, struct proc_entry *p, struct snapshot *row)
{
	struct pm_pages pages = { 0 };
	struct outfile out;
	char path[4096];
	int err;

	err = collect_anon(p->id.pid, &pages, &row->root);
	if (err != 0) {
		pm_pages_free(&pages);
		if (err != -ESRCH && !p->snapshot_error_told) {
			fprintf(stderr, "%s: --snapshot-dir: process %d: cannot read its page map: %s\n",
				s->o->progname, (int)p->id.pid, strerror(-err));
			p->snapshot_error_told = 1;
		}
		return err;
	}
	memset(&row->c, 0, sizeof row->c);
	pm_census_add(&row->c, &pages, 0, pages.n);
	snprintf(path, sizeof path, "%s/%s", s->o->snapshot_dir, row->file);
	err = outfile_open(&out, path);
	if (err == 0) {
		pm_write_pages_tsv(out.f, &pages, 1);
		err = outfile_commit(&out);
	}
	pm_pages_free(&pages);
	if (err != 0)
		snapshot_fail(s, path, -err);
	return err;
}

void sampler_snapshot_mark(struct sampler *s, struct proc_entry *marker, const char *phase,
			   int stopped, double t)
{
	struct snapshots *sn = s->snapshots;
	struct snapshot row;
	size_t i;
	int nth;

	if (sn == NULL)
		return;
	nth = phase_seen(sn, phase);
	/* The marking process first, while it waits at its mark; then the
	 * others as they are now (in a lab they wait for the one that marks). */
	for (i = 0; i <= s->table.n; i++) {
		struct proc_entry *p = i == 0 ? marker : s->table.procs[i - 1];

		if (p->exited || (i > 0 && p == marker))
			continue;
		memset(&row, 0, sizeof row);
		row.time_s = t;
		snprintf(row.phase, sizeof row.phase, "%s", phase);
		row.marker = marker->id.pid;
		row.pid = p->id.pid;
		row.depth = p->depth;
		row.held = p == marker && stopped;
		snapshot_name(row.file, sizeof row.file, phase, nth, p->id.pid);
		if (snapshot_one(s, p, &row) != 0)
			continue;
		sn->v = proctable_grow(sn->v, &sn->cap, sn->n + 1, sizeof *sn->v);
		sn->v[sn->n++] = row;
	}
}

/* DIR/snapshots.tsv: which file holds which process at which mark. */
static int write_index(struct sampler *s)
{
	struct snapshots *sn = s->snapshots;
	struct outfile out;
	char path[4096];
	size_t i;
	int err;

	snprintf(path, sizeof path, "%s/snapshots.tsv", s->o->snapshot_dir);
	err = outfile_open(&out, path);
	if (err != 0) {
		snapshot_fail(s, path, -err);
		return -1;
	}
	fputs("time_s\tphase\tmarked_by\tpid\trole\theld\tpresent\texclusive\tshared\t"
	      "exclusive_from\tfile\n", out.f);
	for (i = 0; i < sn->n; i++) {
		const struct snapshot *r = &sn->v[i];

		fprintf(out.f, "%.6f\t%s\t%d\t%d\t%s\t%d\t%llu\t%llu\t", r->time_s, r->phase,
			(int)r->marker, (int)r->pid, proctable_role(r->depth), r->held,
			(unsigned long long)r->c.present, (unsigned long long)r->c.exclusive);
		if (r->root)
			fprintf(out.f, "%llu\tkpagecount", (unsigned long long)r->c.multi);
		else
			fputs("-\tpagemap-bit-56", out.f);
		fprintf(out.f, "\t%s\n", r->file);
	}
	err = outfile_commit(&out);
	if (err != 0) {
		snapshot_fail(s, path, -err);
		return -1;
	}
	return 0;
}

int sampler_snapshots_close(struct sampler *s, int ok)
{
	struct snapshots *sn = s->snapshots;
	int rc = 0;

	if (sn == NULL)
		return 0;
	if (ok && write_index(s) != 0)
		rc = -1;
	if (s->snapshot_failed)
		rc = -1;
	free(sn->v);
	free(sn->phases);
	free(sn);
	s->snapshots = NULL;
	return rc;
}
