/*
 * pagemap.h - which physical frames a process's pages use, from the kernel.
 *
 * Sources, and what each one can be trusted for:
 *   /proc/PID/maps       the mappings (address ranges, names)
 *   /proc/PID/pagemap    one 64-bit entry per virtual page: present, swapped,
 *                        exclusive (bit 56), PFN (bits 0-54, 0 unless the
 *                        reader has CAP_SYS_ADMIN)
 *   PAGEMAP_SCAN ioctl   on the pagemap fd (Linux 6.7+): the runs of present
 *                        or swapped pages, found without reading every entry
 *   /proc/kpagecount     how many page-table entries map each frame (root)
 *   /proc/kpageflags     flags of each frame, e.g. THP (root)
 *
 * Bit 56 is exact for 4 KiB pages; for a PMD-mapped huge page every subpage
 * reports the value of the whole folio. PFN equality and kpagecount are
 * exact: when they can be read (root), they are the truth and figures say so.
 */
#ifndef COWLAB_PAGEMAP_H
#define COWLAB_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* One line of /proc/PID/maps. */
struct pm_map {
	uint64_t start, end;	/* [start, end) */
	char perms[5];		/* "rw-p" */
	uint64_t offset;
	uint64_t inode;
	char name[256];		/* path, "[heap]", "[stack]", or "" (anonymous) */
};

/* Reads /proc/PID/maps. Returns 0, or -errno: -ESRCH when the process has
 * no address space (gone, a zombie, or a kernel thread: pm_process_state()
 * tells which). *maps is malloc'ed; free() it. */
int pm_maps_read(pid_t pid, struct pm_map **maps, size_t *count);

/* A private mapping that is not backed by a file: heap, stack, mmap'ed
 * MAP_PRIVATE|MAP_ANONYMOUS memory. These are the pages fork() shares
 * copy-on-write. */
int pm_map_is_private_anon(const struct pm_map *map);

/* "[anon]" for a nameless mapping, else the name. */
const char *pm_map_label(const struct pm_map *map);

/* Does the mapping match a --map word: "heap", "stack", "[heap]", a path,
 * or the basename of a path? */
int pm_map_matches_name(const struct pm_map *map, const char *name);

/*
 * Why a process has no memory to read. A zombie has exited but is not
 * reaped yet: its address space is gone, its PID still answers. A kernel
 * thread never had a user address space.
 */
enum pm_process_state {
	PM_PROCESS_GONE,	/* no such process */
	PM_PROCESS_ALIVE,	/* a user process */
	PM_PROCESS_ZOMBIE,	/* exited, not reaped */
	PM_PROCESS_KTHREAD,	/* a kernel thread */
};

/* From /proc/PID/stat: the state letter and the PF_KTHREAD flag. */
enum pm_process_state pm_process_state(pid_t pid);

/* How much work a scan took: what `cowmap --stats` prints, and what the
 * tests check to see that PAGEMAP_SCAN skipped the empty parts. */
struct pm_stats {
	uint64_t entries_read;	/* pagemap entries read with pread */
	uint64_t scan_calls;	/* PAGEMAP_SCAN ioctls that answered */
	uint64_t scan_regions;	/* regions they returned */
};

/* An open process: its pagemap, and the frame tables when readable. */
struct pm_proc {
	pid_t pid;
	int pagemap_fd;
	int kpagecount_fd;	/* -1 unless readable (root) */
	int kpageflags_fd;	/* -1 unless readable (root) */
	int pfns_visible;	/* PFNs can be read (CAP_SYS_ADMIN) */
	int scan_state;		/* PAGEMAP_SCAN: 1 works, 0 untried, -1 missing */
	int force_pread;	/* never use PAGEMAP_SCAN (benchmarks, tests) */
	struct pm_stats stats;	/* counted since pm_open() */
};

/* Opens /proc/PID/pagemap (and the frame tables when possible). 0 or -errno. */
int pm_open(struct pm_proc *proc, pid_t pid);
void pm_close(struct pm_proc *proc);

/* A run of pages with an entry (present or swapped). */
struct pm_run {
	uint64_t start, end;	/* [start, end), page aligned */
	int huge;		/* PMD-mapped huge page (PAGE_IS_HUGE), -1 unknown */
	int swapped;		/* 1: swapped out, 0: present */
};

struct pm_runs {
	struct pm_run *v;
	size_t n, cap;
};

/*
 * The runs of present or swapped pages in [start, end): by PAGEMAP_SCAN
 * where the kernel has it, else by reading every entry with pread.
 * Returns 0 or -errno (-ESRCH when the process exited meanwhile).
 * *used_scan (may be NULL) tells which method answered.
 */
int pm_find_runs(struct pm_proc *proc, uint64_t start, uint64_t end,
		 struct pm_runs *runs, int *used_scan);
void pm_runs_free(struct pm_runs *runs);

/*
 * Present-page census of [start, end) without per-page detail: the number
 * of present pages, from pm_find_runs() alone (no PFNs, no frame tables).
 * This is the cheap part of a scan, the one PAGEMAP_SCAN speeds up; `make
 * bench` times it both ways. 0 or -errno, as pm_find_runs().
 */
int pm_count_present(struct pm_proc *proc, uint64_t start, uint64_t end,
		     uint64_t *present, int *used_scan);

/* What is known about one virtual page. Unknown values are -1. */
struct pm_page {
	uint64_t vaddr;
	uint64_t pfn;		/* 0 when absent or not visible */
	int present;
	int swapped;
	int exclusive_bit;	/* pagemap bit 56 */
	int mapcount;		/* /proc/kpagecount, -1 unless root */
	int thp;		/* part of a transparent huge page, -1 unknown */
	int anon_exclusive;	/* kpageflags bit 34 on anon pages, -1 unknown */
	uint64_t area_start;	/* the mapped range it was collected in */
	uint64_t area_end;	/* (0, 0: not known, e.g. an older file) */
};

/* Exclusive to this process, from the best source available: kpagecount
 * when known (exact), else bit 56 (exact for 4 KiB pages only). */
int pm_page_exclusive(const struct pm_page *page);

struct pm_pages {
	struct pm_page *v;
	size_t n, cap;
};

/*
 * Appends every page of [start, end) that is present or swapped, in address
 * order, with its PFN, mapcount and THP flag where they can be read.
 * 0 or -errno (-ESRCH: the process exited during the scan).
 */
int pm_collect(struct pm_proc *proc, uint64_t start, uint64_t end,
	       struct pm_pages *pages);
void pm_pages_free(struct pm_pages *pages);

/* Per-mapping census of a collected range. */
struct pm_census {
	uint64_t mapped;	/* pages in the range */
	uint64_t present;
	uint64_t exclusive;	/* by pm_page_exclusive() */
	uint64_t multi;		/* kpagecount > 1 (root only, else 0) */
	uint64_t thp;		/* present pages that are part of a THP */
	uint64_t swapped;
};
void pm_census_add(struct pm_census *c, const struct pm_pages *pages,
		   size_t from, size_t to);

/* Where the figures came from, in words, for people and for TSV comments. */
const char *pm_exclusive_source(const struct pm_proc *proc);

/* Writes the per-page TSV (header, then one row per present or swapped
 * page): vaddr present exclusive pfn mapcount thp area, where area is the
 * mapped range the page lies in, "0xSTART-0xEND" (so that a comparison
 * of two such files counts the absent pages of mapped ranges only). */
void pm_write_pages_tsv(FILE *out, const struct pm_pages *pages, int with_header);

/* Parses a hex or decimal address ("0x7f00...", "4096"). 0 or -1. */
int pm_parse_addr(const char *text, uint64_t *addr);

/* Page size of the machine (4096 on x86-64). */
uint64_t pm_page_size(void);

/*
 * Which part of a process to look at: every private anonymous mapping
 * (default), mappings by name (--map heap), the mapping that contains an
 * address (--map 0xADDR), or an address range (--range START-END, clipped
 * to what is mapped).
 */
enum pm_select_kind { PM_SEL_ANON, PM_SEL_NAME, PM_SEL_ADDR, PM_SEL_RANGE };

struct pm_select {
	enum pm_select_kind kind;
	char name[256];
	uint64_t start, end;	/* ADDR: start; RANGE: [start, end) */
};

/* From the --map and --range arguments (either may be NULL, not both set).
 * 0, or -1 when an argument is malformed. */
int pm_select_parse(struct pm_select *sel, const char *map_arg, const char *range_arg);

/* A selected area: part or all of one mapping. */
struct pm_area {
	uint64_t start, end;
	struct pm_map map;
};

/* The areas of maps[] that the selection picks, in address order (*n may
 * be 0: nothing matched). *areas is malloc'ed. 0 or -ENOMEM. */
int pm_select_areas(const struct pm_map *maps, size_t count,
		    const struct pm_select *sel, struct pm_area **areas, size_t *n);

/* Debugging hook for the tests: with COWMAP_STOP_AFTER_MAPS=1 in the
 * environment, stop (SIGSTOP) after reading the maps, so a test can make
 * the scanned process exit in the middle of the scan. */
void pm_test_stop_point(void);

#endif
