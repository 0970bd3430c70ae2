/*
 * sampler_faults.c - cowsample --faults FILE: one row per page fault of
 * every followed process (the events come from faulttrace.c), its kind,
 * the mapping it fell in, and the phase the process was in; and at the
 * end, per process and phase, the rows reconciled with the min_flt +
 * maj_flt change that /proc counted (--summary).
 *
 * Phases are exact for synchronous marks: the buffers are read while the
 * lab is held at its mark, before the new phase is recorded, and while a
 * process is held at its exit (its maps still readable).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faulttrace.h"
#include "outfile.h"
#include "pagemap.h"
#include "sampler_internal.h"

/* The kinds, in the order the summary lists them. */
enum kind {
	K_ZERO_FILL, K_ZERO_PAGE, K_COW_COPY, K_REUSE, K_FILE_MINOR, K_FILE_MAJOR,
	K_SHARED_WRITE, K_HUGE_ZERO_FILL, K_HUGE_COW_COPY, K_SPURIOUS, K_MAJOR,
	K_UNKNOWN, NKINDS,
};

static const char *const kind_names[NKINDS] = {
	"zero-fill", "zero-page", "cow-copy", "reuse", "file-minor", "file-major",
	"shared-write", "huge-zero-fill", "huge-cow-copy", "spurious", "major", "unknown",
};

static const char *const fault_headers[] = {
	"time_s", "pid", "kind", "access", "address", "mapping", "offset", "phase", "role",
};

/* What is known of one followed process. */
struct fproc {
	const struct proc_entry *p;
	unsigned long (*counts)[NKINDS];	/* per step index (p->nsteps then) */
	size_t ncounts;
	struct pm_map *maps;
	size_t nmaps;
	unsigned long maps_drain;	/* the drain that read them */
	int maps_tried;
	char *pending;			/* its rows of the step not yet ended, */
	size_t pending_len, pending_cap;	/* each but its phase and role */
};

struct sampler_faults {
	struct faulttrace *ft;
	enum ft_mode mode;
	struct outfile file;
	FILE *out;
	struct fproc *procs;
	size_t nprocs;
	size_t last;			/* cache of the latest lookup */
	unsigned long drain_no;
	unsigned long rows, unattributed;
	int follow_failed;
	long page;
};

static struct fproc *fproc_of(struct sampler_faults *sf, const struct proc_entry *p)
{
	size_t i;

	if (sf->last < sf->nprocs && sf->procs[sf->last].p == p)
		return &sf->procs[sf->last];
	for (i = 0; i < sf->nprocs; i++)
		if (sf->procs[i].p == p)
			return &sf->procs[sf->last = i];
	sf->procs = realloc(sf->procs, (sf->nprocs + 1) * sizeof *sf->procs);
	if (sf->procs == NULL)
		abort();
	memset(&sf->procs[sf->nprocs], 0, sizeof sf->procs[0]);
	sf->procs[sf->nprocs].p = p;
	sf->last = sf->nprocs;
	return &sf->procs[sf->nprocs++];
}

/* The latest entry with this pid (exited ones too: the buffer is read
 * after some exits), or NULL. */
static struct proc_entry *entry_of(struct sampler *s, pid_t pid)
{
	size_t i;

	for (i = s->table.n; i > 0; i--)
		if (s->table.procs[i - 1]->id.pid == pid)
			return s->table.procs[i - 1];
	return NULL;
}

static const struct pm_map *map_of(struct sampler_faults *sf, struct fproc *fp, pid_t pid,
				   uint64_t address)
{
	size_t i;
	int again;

	for (again = 0; again < 2; again++) {
		if (!fp->maps_tried || (again && fp->maps_drain != sf->drain_no)) {
			struct pm_map *maps = NULL;
			size_t n = 0;

			/* Gone (reaped): its last maps are the best there is. */
			if (pm_maps_read(pid, &maps, &n) == 0) {
				free(fp->maps);
				fp->maps = maps;
				fp->nmaps = n;
			}
			fp->maps_tried = 1;
			fp->maps_drain = sf->drain_no;
		}
		for (i = 0; i < fp->nmaps; i++)
			if (address >= fp->maps[i].start && address < fp->maps[i].end)
				return &fp->maps[i];
	}
	return NULL;
}

/*
 * The kind of a fault, from its entry (error code), what it allocated,
 * and the mapping. Without an entry (no tracepoints), only major faults
 * are told apart (file-major on a file, major otherwise: swap).
 */
static enum kind kind_of(const struct ft_fault *f, const struct pm_map *m)
{
	int file = m != NULL && m->inode != 0;
	int shared = m != NULL && m->perms[3] == 's';
	int present = (f->error_code & 1) != 0, write = (f->error_code & 2) != 0;
	int huge = f->allocated && f->alloc_order > 0;

	if (f->major)
		return file ? K_FILE_MAJOR : K_MAJOR;
	if (!f->have_entry)
		return K_UNKNOWN;
	if (shared)
		return write ? K_SHARED_WRITE : K_FILE_MINOR;
	if (file && !write)
		return K_FILE_MINOR;
	if (!write)
		return !present && !f->allocated ? K_ZERO_PAGE :
		       f->allocated ? (huge ? K_HUGE_ZERO_FILL : K_ZERO_FILL) : K_SPURIOUS;
	if (!f->allocated)
		return present ? K_REUSE : (file ? K_FILE_MINOR : K_SPURIOUS);
	/* A write that took a new frame: zeroed (a first touch, or a write
	 * replacing the zero page) or a copy of the page that was there. A
	 * first touch (nothing present) copies nothing. A huge page is never
	 * allocated with __GFP_ZERO (the kernel clears it after allocating:
	 * folio_zero_user), and since Linux 5.8 a write to a huge page shared
	 * after fork splits it and copies 4 KiB: an anonymous huge allocation
	 * in a write fault is a zero fill (a first touch, or a write to the
	 * huge zero page). */
	if (!file && (f->zeroed || !present || huge))
		return huge ? K_HUGE_ZERO_FILL : K_ZERO_FILL;
	return huge ? K_HUGE_COW_COPY : K_COW_COPY;
}

/* A text field of a row: no tab or newline can split it. */
static void put_field(FILE *out, const char *text)
{
	for (; *text; text++)
		putc(*text == '\t' || *text == '\n' || *text == '\r' ? ' ' : *text, out);
}

static void on_fault(void *ctx, const struct ft_fault *f)
{
	struct sampler *s = ctx;
	struct sampler_faults *sf = s->faults;
	struct proc_entry *p = entry_of(s, f->pid);
	struct fproc *fp = p != NULL ? fproc_of(sf, p) : NULL;
	const struct pm_map *m = NULL;
	double t = (double)((int64_t)f->time_ns - ((int64_t)s->t0.tv_sec * 1000000000 +
						   s->t0.tv_nsec)) / 1e9;
	enum kind k;
	size_t step;

	if (fp != NULL)
		m = map_of(sf, fp, f->pid, f->address);
	k = kind_of(f, m);
	if (fp != NULL) {
		step = p->nsteps;
		if (step >= fp->ncounts) {
			size_t n = step + 8;

			fp->counts = realloc(fp->counts, n * sizeof *fp->counts);
			if (fp->counts == NULL)
				abort();
			memset(fp->counts + fp->ncounts, 0, (n - fp->ncounts) * sizeof *fp->counts);
			fp->ncounts = n;
		}
		fp->counts[step][k]++;
	} else {
		sf->unattributed++;
	}
	sf->rows++;
	if (sf->out == NULL)
		return;
	{
		char row[640], addr[24], offset[24];
		char name[401];
		size_t len, i;
		int w;

		/* A file name is the process's choice: no tab or newline of it
		 * may split the row. */
		snprintf(name, sizeof name, "%s", m != NULL ? pm_map_label(m) : "?");
		for (i = 0; name[i]; i++)
			if (name[i] == '\t' || name[i] == '\n' || name[i] == '\r')
				name[i] = ' ';

		snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)f->address);
		if (m != NULL)
			snprintf(offset, sizeof offset, "%llu",
				 (unsigned long long)((f->address - m->start) / (uint64_t)sf->page));
		else
			snprintf(offset, sizeof offset, "-");
		w = snprintf(row, sizeof row, "%.6f\t%d\t%s\t%s\t%s\t%s\t%s\t", t < 0 ? 0.0 : t,
			     (int)f->pid, kind_names[k],
			     f->have_entry ? faulttrace_access(f->error_code) : "unknown", addr, name,
			     offset);
		len = w < 0 ? 0 : (size_t)w < sizeof row ? (size_t)w : sizeof row - 1;
		if (fp == NULL) {
			fwrite(row, 1, len, sf->out);
			fputs("-\t-\n", sf->out);
			return;
		}
		/* Its phase is the mark that ends this step (as in --summary and
		 * the labs' result: lines): kept until then. */
		if (fp->pending_len + len + 1 > fp->pending_cap) {
			fp->pending_cap = (fp->pending_len + len + 1) * 2;
			fp->pending = realloc(fp->pending, fp->pending_cap);
			if (fp->pending == NULL)
				abort();
		}
		memcpy(fp->pending + fp->pending_len, row, len);
		fp->pending_len += len;
		fp->pending[fp->pending_len++] = '\n';
	}
}

/* Write fp's kept rows with the phase that ended their step. */
static void flush_rows(struct sampler_faults *sf, struct fproc *fp, const char *phase)
{
	const char *line = fp->pending, *end = fp->pending + fp->pending_len, *nl;

	if (sf->out != NULL) {
		while (line < end && (nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
			fwrite(line, 1, (size_t)(nl - line), sf->out);
			put_field(sf->out, phase);
			fprintf(sf->out, "\t%s\n", proctable_role(fp->p->depth));
			line = nl + 1;
		}
	}
	fp->pending_len = 0;
}

/* p has just ended a step (proctable_phase_step: a mark, its exit). */
void sampler_faults_step(struct sampler *s, struct proc_entry *p)
{
	size_t i;

	if (s->faults == NULL || p->nsteps == 0)
		return;
	for (i = 0; i < s->faults->nprocs; i++)
		if (s->faults->procs[i].p == p)
			flush_rows(s->faults, &s->faults->procs[i], p->steps[p->nsteps - 1].phase);
}

int sampler_faults_open(struct sampler *s)
{
	struct sampler_faults *sf;
	char why[256];
	size_t i;
	int rc;

	if (s->o->faults_file == NULL)
		return 0;
	sf = calloc(1, sizeof *sf);
	if (sf == NULL)
		return -1;
	sf->page = sysconf(_SC_PAGESIZE);
	rc = outfile_open(&sf->file, s->o->faults_file);
	if (rc < 0) {
		fprintf(stderr, "%s: --faults: %s: %s\n", s->o->progname, s->o->faults_file,
			strerror(-rc));
		free(sf);
		return -1;
	}
	sf->out = sf->file.f;
	setvbuf(sf->out, NULL, _IOFBF, 1 << 16);
	for (i = 0; i < sizeof fault_headers / sizeof fault_headers[0]; i++)
		fprintf(sf->out, "%s%s", i ? "\t" : "", fault_headers[i]);
	putc('\n', sf->out);
	s->faults = sf;
	sf->ft = faulttrace_new(&sf->mode, why, sizeof why);
	if (sf->mode == FT_NONE)
		fprintf(stderr, "%s: --faults: page faults cannot be traced here (%s): %s gets no "
			"rows; sampling goes on\n", s->o->progname, why, s->o->faults_file);
	else if (sf->mode == FT_ADDRESSES)
		fprintf(stderr, "%s: --faults: addresses only, kind unknown for minor faults (%s); "
			"as root the exceptions and kmem tracepoints would tell zero-fill, zero-page, "
			"cow-copy, reuse, file and shared-write faults apart\n", s->o->progname, why);
	return 0;
}

void sampler_faults_follow(struct sampler *s, pid_t tid, int inherit)
{
	struct sampler_faults *sf = s->faults;
	int rc;

	if (sf == NULL || sf->ft == NULL)
		return;
	rc = faulttrace_follow(sf->ft, tid, inherit);
	if (rc < 0 && !sf->follow_failed) {
		fprintf(stderr, "%s: --faults: cannot follow process %d (%s): its faults have no "
			"rows; sampling goes on\n", s->o->progname, (int)tid, strerror(-rc));
		sf->follow_failed = 1;
	}
}

void sampler_faults_drain(struct sampler *s)
{
	struct sampler_faults *sf = s->faults;

	if (sf == NULL || sf->ft == NULL)
		return;
	sf->drain_no++;
	faulttrace_drain(sf->ft, on_fault, s);
}

void sampler_faults_release(struct sampler *s, pid_t tid)
{
	if (s->faults != NULL)
		faulttrace_release(s->faults->ft, tid);
}

/* p is at its exec: its rows so far belong to the old program's maps. */
void sampler_faults_exec(struct sampler *s, struct proc_entry *p)
{
	size_t i;

	if (s->faults == NULL)
		return;
	sampler_faults_drain(s);
	for (i = 0; i < s->faults->nprocs; i++)
		if (s->faults->procs[i].p == p)
			s->faults->procs[i].maps_tried = 0;
}

size_t sampler_faults_fds(struct sampler *s, struct pollfd *fds, size_t max)
{
	int ids[64];
	size_t n, i;

	if (s->faults == NULL || s->faults->ft == NULL)
		return 0;
	n = faulttrace_fds(s->faults->ft, ids, max < 64 ? max : 64);
	for (i = 0; i < n; i++) {
		fds[i].fd = ids[i];
		fds[i].events = POLLIN;
		fds[i].revents = 0;
	}
	return n;
}

int sampler_faults_close(struct sampler *s, int ok)
{
	struct sampler_faults *sf = s->faults;
	uint64_t lost;
	size_t i;
	int rc = 0, err;

	if (sf == NULL)
		return 0;
	sampler_faults_drain(s);
	for (i = 0; i < sf->nprocs; i++)	/* after its last step: none, normally */
		flush_rows(sf, &sf->procs[i], "-");
	lost = faulttrace_lost(sf->ft);
	if (lost > 0)
		fprintf(stderr, "%s: --faults: %llu events lost (a buffer was full): %s lacks their "
			"rows\n", s->o->progname, (unsigned long long)lost, s->o->faults_file);
	if (sf->out != NULL) {
		if (!ok) {
			outfile_discard(&sf->file);
		} else if ((err = outfile_commit(&sf->file)) != 0) {
			fprintf(stderr, "%s: --faults: %s: %s\n", s->o->progname, s->o->faults_file,
				strerror(-err));
			rc = -1;
		}
		sf->out = NULL;
	}
	return rc;
}

/* Per process and phase: the rows by kind against what /proc counted. */
void sampler_faults_summary(struct sampler *s, FILE *f)
{
	struct sampler_faults *sf = s->faults;
	size_t i, k, j;

	if (sf == NULL)
		return;
	fprintf(f, "\nFault kinds per phase (--faults %s, %s):\n\n", s->o->faults_file,
		sf->mode == FT_KINDS ? "kinds from the exceptions and kmem tracepoints" :
		sf->mode == FT_ADDRESSES ? "addresses only: software events, no kinds" :
		"nothing could be traced");
	fprintf(f, "%-10s %8s  %-22s %9s %9s %6s  %s\n", "role", "pid", "phase", "counted", "rows",
		"diff", "kinds");
	for (i = 0; i < s->table.n; i++) {
		const struct proc_entry *p = s->table.procs[i];
		struct fproc *fp = NULL;

		for (j = 0; j < sf->nprocs; j++)
			if (sf->procs[j].p == p)
				fp = &sf->procs[j];
		for (k = 0; k < p->nsteps; k++) {
			const struct phase_step *st = &p->steps[k];
			unsigned long counted = st->d_min_flt + st->d_maj_flt, rows = 0;
			char kinds[512] = "", phase[PROCTABLE_PHASE_MAX];
			size_t len = 0, c;

			for (c = 0; c < NKINDS && fp != NULL && k < fp->ncounts; c++) {
				if (fp->counts[k][c] == 0)
					continue;
				rows += fp->counts[k][c];
				if (len < sizeof kinds)
					len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s %lu",
								len ? ", " : "", kind_names[c],
								fp->counts[k][c]);
			}
			snprintf(phase, sizeof phase, "%s", st->phase);
			for (c = 0; phase[c]; c++)
				if ((unsigned char)phase[c] < ' ' || (unsigned char)phase[c] >= 0x7f)
					phase[c] = '?';
			fprintf(f, "%-10s %8d  %-22s %9lu %9lu %+6ld  %s\n", proctable_role(p->depth),
				(int)p->id.pid, phase, counted, rows, (long)rows - (long)counted,
				len ? kinds : "-");
		}
	}
	fprintf(f, "\ncounted: min_flt + maj_flt of the phase (/proc); rows: its rows in %s.\n",
		s->o->faults_file);
	fputs("A row is written where the kernel counts a fault; /proc also counts the faults\n"
	      "it takes for a system call on the process's memory (get_user_pages: execve's\n"
	      "arguments, /proc/PID/mem)", f);
	if (sf->mode == FT_ADDRESSES)
		fputs(" and, unprivileged, faults taken in kernel mode (a read() into an\n"
		      "untouched buffer)", f);
	fputs(", which have no event: diff is below 0 by those.\n", f);
	fprintf(f, "Lost events: %llu. Fault entries not counted by /proc (bad addresses): %llu.\n",
		(unsigned long long)faulttrace_lost(sf->ft),
		(unsigned long long)faulttrace_unaccounted(sf->ft));
	if (sf->unattributed > 0)
		fprintf(f, "Rows of processes cowsample did not follow: %lu.\n", sf->unattributed);
}

/* --live: per process, the kinds of the step that ended at its latest
 * mark (the step STEP_MIN counts). */
void sampler_faults_live(struct sampler *s, FILE *f)
{
	struct sampler_faults *sf = s->faults;
	size_t i, j, k, c;
	int any = 0;

	if (sf == NULL)
		return;
	for (i = 0; i < s->table.n; i++) {
		const struct proc_entry *p = s->table.procs[i];
		struct fproc *fp = NULL;
		char phase[PROCTABLE_PHASE_MAX];
		int first = 1;

		for (j = 0; j < sf->nprocs; j++)
			if (sf->procs[j].p == p)
				fp = &sf->procs[j];
		for (k = p->nsteps; k > 0; k--)
			if (strcmp(p->steps[k - 1].phase, "exit") != 0 &&
			    strcmp(p->steps[k - 1].phase, "running") != 0)
				break;
		if (fp == NULL || k == 0 || k - 1 >= fp->ncounts)
			continue;
		k--;
		if (!any)
			fprintf(f, "KINDS of each process's step to its PHASE (--faults):\033[K\n");
		any = 1;
		snprintf(phase, sizeof phase, "%s", p->steps[k].phase);
		for (c = 0; phase[c]; c++)
			if ((unsigned char)phase[c] < ' ' || (unsigned char)phase[c] >= 0x7f)
				phase[c] = '?';
		fprintf(f, "%7d %-16s", (int)p->id.pid, phase);
		for (c = 0; c < NKINDS; c++) {
			if (fp->counts[k][c] == 0)
				continue;
			fprintf(f, "%s%s %lu", first ? " " : ", ", kind_names[c], fp->counts[k][c]);
			first = 0;
		}
		fprintf(f, "%s\033[K\n", first ? " -" : "");
	}
}

void sampler_faults_free(struct sampler *s)
{
	struct sampler_faults *sf = s->faults;
	size_t i;

	if (sf == NULL)
		return;
	for (i = 0; i < sf->nprocs; i++) {
		free(sf->procs[i].counts);
		free(sf->procs[i].pending);
		free(sf->procs[i].maps);
	}
	free(sf->procs);
	faulttrace_free(sf->ft);
	free(sf);
	s->faults = NULL;
}
