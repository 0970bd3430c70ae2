/*
 * pagemap.c - /proc/PID/maps, /proc/PID/pagemap, PAGEMAP_SCAN, and the
 * frame tables /proc/kpagecount and /proc/kpageflags. See pagemap.h.
 */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>

/*
 * PAGEMAP_SCAN arrived in Linux 6.7; the C library's kernel headers may be
 * older than the running kernel. This is the kernel's ABI (include/uapi/
 * linux/fs.h), copied so the tool can use the ioctl wherever the running
 * kernel has it. On an older kernel the ioctl fails with ENOTTY or EINVAL
 * and we read the entries one by one instead.
 */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_SWAPPED	(1 << 4)
#define PAGE_IS_HUGE	(1 << 6)
#endif

/* Bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK		((UINT64_C(1) << 55) - 1)
#define PM_EXCLUSIVE		(UINT64_C(1) << 56)
#define PM_SWAPPED		(UINT64_C(1) << 62)
#define PM_PRESENT		(UINT64_C(1) << 63)

/* Bits of /proc/kpageflags. */
#define KPF_THP			22

/* The kernel's walk_end can be stale with more than 512 regions per call. */
#define SCAN_VEC_LEN		512

/* Entries read per pread: 512 KiB of buffer. */
#define PREAD_CHUNK		65536

uint64_t pm_page_size(void)
{
	static uint64_t size;

	if (size == 0)
		size = (uint64_t)sysconf(_SC_PAGESIZE);
	return size;
}

/* ---- /proc/PID/maps ---- */

static int parse_maps_line(const char *line, struct pm_map *map)
{
	unsigned long long start, end, offset, inode;
	char perms[5];
	int name_at = 0;
	size_t len;

	if (sscanf(line, "%llx-%llx %4s %llx %*s %llu %n",
		   &start, &end, perms, &offset, &inode, &name_at) < 5)
		return -1;
	memset(map, 0, sizeof *map);
	map->start = start;
	map->end = end;
	map->offset = offset;
	map->inode = inode;
	snprintf(map->perms, sizeof map->perms, "%s", perms);
	if (name_at > 0) {
		snprintf(map->name, sizeof map->name, "%s", line + name_at);
		len = strlen(map->name);
		while (len > 0 && (map->name[len - 1] == '\n' || map->name[len - 1] == ' '))
			map->name[--len] = '\0';
	}
	return 0;
}

int pm_maps_read(pid_t pid, struct pm_map **maps, size_t *count)
{
	char path[64], *line = NULL;
	size_t line_cap = 0, n = 0, cap = 0;
	struct pm_map *v = NULL, *grown;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? -ESRCH : -errno;
	while (getline(&line, &line_cap, f) > 0) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(v, cap * sizeof *v);
			if (grown == NULL) {
				err = -ENOMEM;
				break;
			}
			v = grown;
		}
		if (parse_maps_line(line, &v[n]) == 0)
			n++;
	}
	if (err == 0 && ferror(f))
		err = errno == ENOENT ? -ESRCH : -errno;
	free(line);
	fclose(f);
	/* Every user process maps something (its stack at least). No maps at
	 * all: the process is gone, a zombie, or a kernel thread. */
	if (err == 0 && n == 0)
		err = -ESRCH;
	if (err != 0) {
		free(v);
		return err;
	}
	*maps = v;
	*count = n;
	return 0;
}

int pm_map_is_private_anon(const struct pm_map *map)
{
	if (map->perms[3] != 'p' || map->inode != 0)
		return 0;
	if (map->name[0] == '\0' || strcmp(map->name, "[heap]") == 0 ||
	    strcmp(map->name, "[stack]") == 0 ||
	    strncmp(map->name, "[anon:", 6) == 0)
		return 1;
	return 0;
}

const char *pm_map_label(const struct pm_map *map)
{
	return map->name[0] ? map->name : "[anon]";
}

int pm_map_matches_name(const struct pm_map *map, const char *name)
{
	const char *slash;
	size_t len = strlen(name);

	if (strcmp(map->name, name) == 0)
		return 1;
	/* "heap" matches "[heap]", "anon" the nameless mappings. */
	if (map->name[0] == '[' && strncmp(map->name + 1, name, len) == 0 &&
	    map->name[len + 1] == ']')
		return 1;
	if (strcmp(name, "anon") == 0 && map->name[0] == '\0')
		return 1;
	slash = strrchr(map->name, '/');
	return slash != NULL && strcmp(slash + 1, name) == 0;
}

/* ---- opening a process ---- */

/* The kernel's flag for kernel threads (include/linux/sched.h). */
#define PF_KTHREAD		0x00200000u

enum pm_process_state pm_process_state(pid_t pid)
{
	char path[64], buf[1024], state;
	const char *after_comm;
	unsigned int flags;
	ssize_t len;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PM_PROCESS_GONE;
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return PM_PROCESS_GONE;
	buf[len] = '\0';
	/* "PID (COMM) S PPID PGRP SESSION TTY TPGID FLAGS ...": COMM may hold
	 * spaces and parentheses, so start after the last ')'. */
	after_comm = strrchr(buf, ')');
	if (after_comm == NULL ||
	    sscanf(after_comm + 1, " %c %*d %*d %*d %*d %*d %u", &state, &flags) != 2)
		return PM_PROCESS_GONE;
	if (flags & PF_KTHREAD)
		return PM_PROCESS_KTHREAD;
	if (state == 'Z' || state == 'X')
		return PM_PROCESS_ZOMBIE;
	return PM_PROCESS_ALIVE;
}

/* CAP_SYS_ADMIN in our effective set: the kernel then shows PFNs. */
static int have_cap_sys_admin(void)
{
	char line[256];
	unsigned long long caps = 0;
	int found = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			found = 1;
			break;
		}
	fclose(f);
	return found && (caps & (1ULL << 21)) != 0;
}

int pm_open(struct pm_proc *proc, pid_t pid)
{
	char path[64];

	memset(proc, 0, sizeof *proc);
	proc->pid = pid;
	proc->kpagecount_fd = -1;
	proc->kpageflags_fd = -1;
	snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
	proc->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (proc->pagemap_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	proc->pfns_visible = have_cap_sys_admin();
	if (proc->pfns_visible) {
		proc->kpagecount_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
		proc->kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	}
	return 0;
}

void pm_close(struct pm_proc *proc)
{
	if (proc->pagemap_fd >= 0)
		close(proc->pagemap_fd);
	if (proc->kpagecount_fd >= 0)
		close(proc->kpagecount_fd);
	if (proc->kpageflags_fd >= 0)
		close(proc->kpageflags_fd);
	proc->pagemap_fd = proc->kpagecount_fd = proc->kpageflags_fd = -1;
}

/* ---- runs of present pages ---- */

static int runs_append(struct pm_runs *runs, uint64_t start, uint64_t end, int huge,
		       int swapped)
{
	struct pm_run *grown;
	struct pm_run *last = runs->n ? &runs->v[runs->n - 1] : NULL;

	if (last != NULL && last->end == start && last->huge == huge &&
	    last->swapped == swapped) {
		last->end = end;
		return 0;
	}
	if (runs->n == runs->cap) {
		runs->cap = runs->cap ? 2 * runs->cap : 64;
		grown = realloc(runs->v, runs->cap * sizeof *grown);
		if (grown == NULL)
			return -ENOMEM;
		runs->v = grown;
	}
	runs->v[runs->n++] = (struct pm_run){ start, end, huge, swapped };
	return 0;
}

void pm_runs_free(struct pm_runs *runs)
{
	free(runs->v);
	memset(runs, 0, sizeof *runs);
}

/* pread of pagemap entries. A read of 0 bytes means the address space is
 * gone: the process exited. */
static int read_entries(struct pm_proc *proc, uint64_t vaddr, uint64_t *buf, size_t count)
{
	size_t done = 0;
	ssize_t got;
	uint64_t page = pm_page_size();

	while (done < count) {
		got = pread(proc->pagemap_fd, (char *)buf + done * 8, (count - done) * 8,
			    (off_t)((vaddr / page + done) * 8));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOENT ? -ESRCH : -errno;
		}
		if (got == 0)
			return -ESRCH;
		done += (size_t)got / 8;
		proc->stats.entries_read += (uint64_t)got / 8;
	}
	return 0;
}

static int find_runs_by_pread(struct pm_proc *proc, uint64_t start, uint64_t end,
			      struct pm_runs *runs)
{
	uint64_t page = pm_page_size(), vaddr, *buf;
	size_t count, i;
	int err = 0;

	buf = malloc(PREAD_CHUNK * sizeof *buf);
	if (buf == NULL)
		return -ENOMEM;
	for (vaddr = start; vaddr < end && err == 0; vaddr += count * page) {
		count = (end - vaddr) / page;
		if (count > PREAD_CHUNK)
			count = PREAD_CHUNK;
		err = read_entries(proc, vaddr, buf, count);
		for (i = 0; i < count && err == 0; i++)
			if (buf[i] & (PM_PRESENT | PM_SWAPPED))
				err = runs_append(runs, vaddr + i * page,
						  vaddr + (i + 1) * page, -1,
						  !(buf[i] & PM_PRESENT));
	}
	free(buf);
	return err;
}

/* 1: done, 0: the kernel has no PAGEMAP_SCAN, <0: -errno. */
static int find_runs_by_scan(struct pm_proc *proc, uint64_t start, uint64_t end,
			     struct pm_runs *runs)
{
	struct page_region vec[SCAN_VEC_LEN];
	struct pm_scan_arg arg;
	uint64_t next;
	long n, i;
	int err;

	while (start < end) {
		memset(&arg, 0, sizeof arg);
		arg.size = sizeof arg;
		arg.start = start;
		arg.end = end;
		arg.vec = (uintptr_t)vec;
		arg.vec_len = SCAN_VEC_LEN;
		arg.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
		arg.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_HUGE;
		n = ioctl(proc->pagemap_fd, PAGEMAP_SCAN, &arg);
		if (n < 0) {
			if ((errno == ENOTTY || errno == EINVAL) && proc->scan_state == 0)
				return 0;
			return errno == ENOENT ? -ESRCH : -errno;
		}
		proc->scan_state = 1;
		proc->stats.scan_calls++;
		proc->stats.scan_regions += (uint64_t)n;
		for (i = 0; i < n; i++) {
			err = runs_append(runs, vec[i].start, vec[i].end,
					  (vec[i].categories & PAGE_IS_HUGE) != 0,
					  !(vec[i].categories & PAGE_IS_PRESENT));
			if (err != 0)
				return err;
		}
		/* Resume after what was covered: walk_end, or the end of the last
		 * region if walk_end is stale (a known kernel quirk). */
		next = arg.walk_end;
		if (n > 0 && vec[n - 1].end > next)
			next = vec[n - 1].end;
		if (next <= start)
			break;
		start = next;
	}
	return 1;
}

int pm_find_runs(struct pm_proc *proc, uint64_t start, uint64_t end,
		 struct pm_runs *runs, int *used_scan)
{
	uint64_t probe;
	int r;

	if (used_scan != NULL)
		*used_scan = 0;
	if (!proc->force_pread && proc->scan_state >= 0) {
		r = find_runs_by_scan(proc, start, end, runs);
		if (r < 0)
			return r;
		if (r == 1) {
			if (used_scan != NULL)
				*used_scan = 1;
			/* The ioctl finds nothing in an address space that is being
			 * torn down; a read of one entry says whether it is gone. */
			return read_entries(proc, start, &probe, 1);
		}
		proc->scan_state = -1;
	}
	return find_runs_by_pread(proc, start, end, runs);
}

int pm_count_present(struct pm_proc *proc, uint64_t start, uint64_t end,
		     uint64_t *present, int *used_scan)
{
	struct pm_runs runs = { 0 };
	uint64_t page = pm_page_size();
	size_t i;
	int err;

	*present = 0;
	err = pm_find_runs(proc, start, end, &runs, used_scan);
	for (i = 0; i < runs.n && err == 0; i++)
		if (!runs.v[i].swapped)
			*present += (runs.v[i].end - runs.v[i].start) / page;
	pm_runs_free(&runs);
	return err;
}

/* ---- per-page detail ---- */

static int pages_reserve(struct pm_pages *pages, size_t more)
{
	struct pm_page *grown;
	size_t cap = pages->cap ? pages->cap : 256;

	if (pages->n + more <= pages->cap)
		return 0;
	while (cap < pages->n + more)
		cap *= 2;
	grown = realloc(pages->v, cap * sizeof *grown);
	if (grown == NULL)
		return -ENOMEM;
	pages->v = grown;
	pages->cap = cap;
	return 0;
}

void pm_pages_free(struct pm_pages *pages)
{
	free(pages->v);
	memset(pages, 0, sizeof *pages);
}

/* Reads one u64 per frame from /proc/kpagecount or /proc/kpageflags for
 * pages [from, to), one pread per run of consecutive PFNs. */
static void read_frame_table(int fd, struct pm_page *v, size_t from, size_t to,
			     int want_flags)
{
	uint64_t buf[512];
	size_t i = from, run, k;

	while (i < to) {
		if (!v[i].present || v[i].pfn == 0) {
			i++;
			continue;
		}
		for (run = 1; i + run < to && run < 512 && v[i + run].present &&
		     v[i + run].pfn == v[i].pfn + run; run++)
			;
		if (pread(fd, buf, run * 8, (off_t)(v[i].pfn * 8)) == (ssize_t)(run * 8))
			for (k = 0; k < run; k++) {
				if (want_flags)
					v[i + k].thp = (int)((buf[k] >> KPF_THP) & 1);
				else
					v[i + k].mapcount = (int)buf[k];
			}
		i += run;
	}
}

static int collect_run(struct pm_proc *proc, const struct pm_run *run,
		       struct pm_pages *pages, uint64_t *buf, uint64_t area_start, uint64_t area_end)
{
	uint64_t page = pm_page_size(), vaddr, e;
	size_t count, i, first;
	int err;

	for (vaddr = run->start; vaddr < run->end; vaddr += count * page) {
		count = (run->end - vaddr) / page;
		if (count > PREAD_CHUNK)
			count = PREAD_CHUNK;
		err = read_entries(proc, vaddr, buf, count);
		if (err == 0)
			err = pages_reserve(pages, count);
		if (err != 0)
			return err;
		first = pages->n;
		for (i = 0; i < count; i++) {
			e = buf[i];
			if (!(e & (PM_PRESENT | PM_SWAPPED)))
				continue;	/* changed since the scan */
			pages->v[pages->n++] = (struct pm_page){
				.vaddr = vaddr + i * page,
				.present = (e & PM_PRESENT) != 0,
				.swapped = (e & PM_SWAPPED) != 0,
				.pfn = (e & PM_PRESENT) ? (e & PM_PFN_MASK) : 0,
				.exclusive_bit = (e & PM_EXCLUSIVE) != 0,
				.mapcount = -1,
				.thp = run->huge,
				.area_start = area_start,
				.area_end = area_end,
			};
		}
		if (proc->kpagecount_fd >= 0)
			read_frame_table(proc->kpagecount_fd, pages->v, first, pages->n, 0);
		if (proc->kpageflags_fd >= 0)
			read_frame_table(proc->kpageflags_fd, pages->v, first, pages->n, 1);
	}
	return 0;
}

int pm_collect(struct pm_proc *proc, uint64_t start, uint64_t end,
	       struct pm_pages *pages)
{
	struct pm_runs runs = { 0 };
	uint64_t *buf;
	size_t i;
	int err;

	err = pm_find_runs(proc, start, end, &runs, NULL);
	if (err != 0) {
		pm_runs_free(&runs);
		return err;
	}
	buf = malloc(PREAD_CHUNK * sizeof *buf);
	if (buf == NULL)
		err = -ENOMEM;
	for (i = 0; i < runs.n && err == 0; i++)
		err = collect_run(proc, &runs.v[i], pages, buf, start, end);
	free(buf);
	pm_runs_free(&runs);
	return err;
}

/* ---- summaries ---- */

int pm_page_exclusive(const struct pm_page *page)
{
	if (!page->present)
		return 0;
	if (page->mapcount >= 0)
		return page->mapcount == 1;
	return page->exclusive_bit;
}

void pm_census_add(struct pm_census *c, const struct pm_pages *pages,
		   size_t from, size_t to)
{
	const struct pm_page *p;
	size_t i;

	for (i = from; i < to; i++) {
		p = &pages->v[i];
		c->present += p->present;
		c->swapped += p->swapped;
		c->exclusive += pm_page_exclusive(p);
		c->multi += p->mapcount > 1;
		c->thp += p->present && p->thp == 1;
	}
}

const char *pm_exclusive_source(const struct pm_proc *proc)
{
	if (proc->kpagecount_fd >= 0)
		return "/proc/kpagecount (mapcount == 1, exact)";
	return "pagemap bit 56 (exact for 4 KiB pages, approximate for huge pages)";
}

static void put_num(FILE *out, int value, char sep)
{
	if (value < 0)
		fputc('-', out);
	else
		fprintf(out, "%d", value);
	fputc(sep, out);
}

void pm_write_pages_tsv(FILE *out, const struct pm_pages *pages, int with_header)
{
	const struct pm_page *p;
	size_t i;

	if (with_header)
		fputs("vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea\n", out);
	for (i = 0; i < pages->n; i++) {
		p = &pages->v[i];
		fprintf(out, "0x%" PRIx64 "\t%d\t%d\t", p->vaddr, p->present,
			pm_page_exclusive(p));
		if (p->pfn != 0)
			fprintf(out, "0x%" PRIx64 "\t", p->pfn);
		else
			fputs("-\t", out);
		put_num(out, p->mapcount, '\t');
		put_num(out, p->thp, '\t');
		fprintf(out, "0x%" PRIx64 "-0x%" PRIx64 "\n", p->area_start, p->area_end);
	}
}

int pm_parse_addr(const char *text, uint64_t *addr)
{
	char *end;
	unsigned long long v;

	if (text == NULL || *text == '\0' || *text == '-')
		return -1;
	/* Addresses are hexadecimal, as in /proc/PID/maps; 0x is optional. */
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		text += 2;
	if (*text == '\0')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 16);
	if (errno != 0 || *end != '\0')
		return -1;
	*addr = v;
	return 0;
}

/* ---- selection of areas ---- */

int pm_select_parse(struct pm_select *sel, const char *map_arg, const char *range_arg)
{
	char text[128], *dash;
	uint64_t page = pm_page_size();

	memset(sel, 0, sizeof *sel);
	sel->kind = PM_SEL_ANON;
	if (map_arg != NULL && range_arg != NULL)
		return -1;
	if (range_arg != NULL) {
		snprintf(text, sizeof text, "%s", range_arg);
		dash = strchr(text, '-');
		if (dash == NULL)
			return -1;
		*dash = '\0';
		if (pm_parse_addr(text, &sel->start) != 0 ||
		    pm_parse_addr(dash + 1, &sel->end) != 0 || sel->end <= sel->start)
			return -1;
		sel->start -= sel->start % page;
		/* Round the end up to a page; an end in the last page of the
		 * address space would wrap to 0: it stops at that page's start
		 * (no process maps the last page). */
		if (sel->end > UINT64_MAX - (page - 1))
			sel->end = UINT64_MAX - (page - 1);
		else
			sel->end += (page - sel->end % page) % page;
		if (sel->end <= sel->start)
			return -1;
		sel->kind = PM_SEL_RANGE;
	} else if (map_arg != NULL) {
		if (*map_arg == '\0')
			return -1;
		if (pm_parse_addr(map_arg, &sel->start) == 0 &&
		    strncmp(map_arg, "0x", 2) == 0) {
			sel->kind = PM_SEL_ADDR;
		} else {
			snprintf(sel->name, sizeof sel->name, "%s", map_arg);
			sel->kind = PM_SEL_NAME;
		}
	}
	return 0;
}

/* Appends an area; the array grows by doubling (*cap), so that a process
 * with tens of thousands of mappings costs a few reallocations, not one
 * per mapping (which copied the whole array each time: quadratic). */
static int areas_append(struct pm_area **v, size_t *n, size_t *cap, const struct pm_map *map,
			uint64_t start, uint64_t end)
{
	struct pm_area *grown;

	if (*n == *cap) {
		size_t new_cap = *cap ? 2 * *cap : 16;

		grown = realloc(*v, new_cap * sizeof *grown);
		if (grown == NULL)
			return -ENOMEM;
		*v = grown;
		*cap = new_cap;
	}
	(*v)[*n].start = start;
	(*v)[*n].end = end;
	(*v)[*n].map = *map;
	(*n)++;
	return 0;
}

int pm_select_areas(const struct pm_map *maps, size_t count,
		    const struct pm_select *sel, struct pm_area **areas, size_t *n)
{
	const struct pm_map *m;
	uint64_t start, end;
	size_t i, cap = 0;
	int err = 0;

	*areas = NULL;
	*n = 0;
	for (i = 0; i < count && err == 0; i++) {
		m = &maps[i];
		switch (sel->kind) {
		case PM_SEL_ANON:
			if (pm_map_is_private_anon(m))
				err = areas_append(areas, n, &cap, m, m->start, m->end);
			break;
		case PM_SEL_NAME:
			if (pm_map_matches_name(m, sel->name))
				err = areas_append(areas, n, &cap, m, m->start, m->end);
			break;
		case PM_SEL_ADDR:
			if (sel->start >= m->start && sel->start < m->end)
				err = areas_append(areas, n, &cap, m, m->start, m->end);
			break;
		case PM_SEL_RANGE:
			start = sel->start > m->start ? sel->start : m->start;
			end = sel->end < m->end ? sel->end : m->end;
			if (start < end)
				err = areas_append(areas, n, &cap, m, start, end);
			break;
		}
	}
	if (err != 0) {
		free(*areas);
		*areas = NULL;
		*n = 0;
	}
	return err;
}

void pm_test_stop_point(void)
{
	const char *stop = getenv("COWMAP_STOP_AFTER_MAPS");

	if (stop != NULL && strcmp(stop, "1") == 0)
		raise(SIGSTOP);
}
