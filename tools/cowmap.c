/*
 * cowmap - which physical frames a process uses, and which frames a parent
 * and its child still share after fork(). All page-map reading is in
 * tools/lib (pagemap.c, pagediff.c, cowsvg.c); this file parses options and
 * prints.
 */
#include "cowsvg.h"
#include "outfile.h"
#include "outstream.h"
#include "pagediff.h"
#include "pagemap.h"
#include "pagesnap.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *usage_text =
	"usage: cowmap [OPTIONS] PID\n"
	"       cowmap --diff [OPTIONS] PARENT CHILD\n"
	"       cowmap --diff [--range START-END] PARENT.tsv CHILD.tsv\n"
	"\n"
	"Shows which physical frames the pages of a process use, from\n"
	"/proc/PID/pagemap (and /proc/kpagecount as root). With --diff, compares\n"
	"a parent and its child page by page: shared frames and copied frames.\n"
	"\n"
	"  --map NAME|0xADDR    only mappings named NAME (heap, stack, anon, a path\n"
	"                       or its basename), or the mapping containing 0xADDR\n"
	"  --range START-END    only this address range (hexadecimal)\n"
	"                       default: every private anonymous mapping\n"
	"  --tsv[=pages|maps]   tab-separated output: one row per page (default)\n"
	"                       or one row per mapping\n"
	"  --diff               compare PARENT and CHILD (frames: needs root);\n"
	"                       or two per-page TSV files (--tsv, cowsample --snapshot-dir)\n"
	"  --svg FILE           with --diff: draw the copy-on-write diagram\n"
	"  --when TEXT          with --svg: say in the title when it was measured\n"
	"  --pread              read every pagemap entry (no PAGEMAP_SCAN)\n"
	"  --stats              on stderr: how the page map was read (PAGEMAP_SCAN\n"
	"                       calls and regions, pagemap entries read)\n"
	"  -h, --help           this help\n";

struct options {
	const char *map_arg, *range_arg, *svg_file, *when;
	int tsv;		/* 0 none, 1 pages, 2 maps */
	int diff, force_pread, stats;
	pid_t pid, child;
	const char *parent_file, *child_file;	/* --diff of two per-page files */
};

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cowmap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see cowmap --help)\n", stderr);
	exit(2);
}

/* No address space to read (-ESRCH): say why, from /proc/PID/stat. A
 * process that was there when the scan began simply exited meanwhile. */
static void fail_no_memory(pid_t pid, int during_scan)
{
	enum pm_process_state state = pm_process_state(pid);

	if (state == PM_PROCESS_KTHREAD)
		fprintf(stderr, "cowmap: process %d is a kernel thread: it has no user memory\n",
			(int)pid);
	else if (during_scan)
		fprintf(stderr, "cowmap: process %d: exited during the scan\n", (int)pid);
	else if (state == PM_PROCESS_ZOMBIE)
		fprintf(stderr, "cowmap: process %d has exited (a zombie): its memory is gone\n",
			(int)pid);
	else
		fprintf(stderr, "cowmap: process %d: no such process\n", (int)pid);
}

/* err is -errno; during_scan: the process was there when we started.
 * Without CAP_SYS_PTRACE a process with no memory left (a zombie, a kernel
 * thread) refuses its page map with EACCES, even to its own user: it is
 * still the process's state that explains it. */
static void fail(pid_t pid, int err, int during_scan)
{
	enum pm_process_state state = err == -EACCES ? pm_process_state(pid) : PM_PROCESS_ALIVE;

	if (err == -ESRCH || state == PM_PROCESS_ZOMBIE || state == PM_PROCESS_KTHREAD)
		fail_no_memory(pid, during_scan);
	else
		fprintf(stderr, "cowmap: process %d: cannot read its page map: %s\n",
			(int)pid, strerror(-err));
	exit(1);
}

/*
 * Everything printed went to stdout through a buffer: a full disk or a
 * closed file shows only now (with the reason the failed write had:
 * outstream.h). 0, or 1 after one line on stderr.
 */
static int finish_stdout(void)
{
	int err = outstream_close_stdout();

	if (err == 0)
		return 0;
	fprintf(stderr, "cowmap: writing standard output: %s\n", strerror(err));
	return 1;
}

/*
 * How the page map was read: "PAGEMAP_SCAN ioctl (1 call, 8 regions); 9
 * pagemap entries read". With PAGEMAP_SCAN only the entries of present
 * pages are read (and one per area, to see that the process is still
 * there); without it, every entry of every area.
 */
static void describe_stats(char *buf, size_t size, const struct pm_proc *proc)
{
	const struct pm_stats *st = &proc->stats;
	char method[128];

	if (proc->scan_state == 1)
		snprintf(method, sizeof method, "PAGEMAP_SCAN ioctl (%" PRIu64 " call%s, %" PRIu64
			 " region%s)", st->scan_calls, st->scan_calls == 1 ? "" : "s",
			 st->scan_regions, st->scan_regions == 1 ? "" : "s");
	else
		snprintf(method, sizeof method, "pread of every pagemap entry (%s)",
			 proc->force_pread ? "--pread" : proc->scan_state < 0 ?
			 "no PAGEMAP_SCAN in this kernel" : "nothing to scan");
	snprintf(buf, size, "%s; %" PRIu64 " pagemap entr%s read", method, st->entries_read,
		 st->entries_read == 1 ? "y" : "ies");
}

/* --stats: one line per process on stderr, so --tsv output stays clean. */
static void print_stats(const struct options *o, const struct pm_proc *proc)
{
	char line[256];

	if (!o->stats)
		return;
	describe_stats(line, sizeof line, proc);
	fprintf(stderr, "cowmap: process %d: present runs found by: %s\n", (int)proc->pid, line);
}

static pid_t parse_pid(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
		usage_error("%s: not a process id", text);
	return (pid_t)v;
}

/* Is this --diff argument a file? Not all digits, or a file (or
 * directory) of that name exists. */
static int names_file(const char *arg)
{
	struct stat st;

	if (*arg == '\0' || strspn(arg, "0123456789") != strlen(arg))
		return 1;
	return stat(arg, &st) == 0;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "range", required_argument, NULL, 'r' },
		{ "tsv", optional_argument, NULL, 't' },
		{ "diff", no_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ "when", required_argument, NULL, 'w' },
		{ "pread", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->map_arg = optarg; break;
		case 'r': o->range_arg = optarg; break;
		case 'd': o->diff = 1; break;
		case 's': o->svg_file = optarg; break;
		case 'w': o->when = optarg; break;
		case 'p': o->force_pread = 1; break;
		case 'S': o->stats = 1; break;
		case 't':
			if (optarg == NULL || strcmp(optarg, "pages") == 0)
				o->tsv = 1;
			else if (strcmp(optarg, "maps") == 0)
				o->tsv = 2;
			else
				usage_error("--tsv=%s: expected pages or maps", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(finish_stdout());
		default:
			usage_error("%s: unknown option or missing argument", argv[optind - 1]);
		}
	}
	if (o->map_arg && o->range_arg)
		usage_error("--map and --range: choose one");
	if (o->svg_file && !o->diff)
		usage_error("--svg needs --diff PARENT CHILD");
	if (o->when && !o->svg_file)
		usage_error("--when goes with --svg FILE");
	if (o->diff && o->tsv == 2)
		usage_error("--tsv=maps: not with --diff");
	if (argc - optind != (o->diff ? 2 : 1))
		usage_error(o->diff ? "--diff needs PARENT and CHILD" : "expected one PID");
	/* --diff FILE FILE: a per-page table each. An argument is a file when
	 * it is not a number, or when a file of that name is there (a
	 * snapshot named "1234" is not process 1234); two of each kind. */
	if (o->diff) {
		int file1 = names_file(argv[optind]), file2 = names_file(argv[optind + 1]);

		if (file1 != file2)
			usage_error("--diff: give two process ids or two per-page files "
				    "(%s is %s, %s is %s)", argv[optind], file1 ? "a file" : "a process id",
				    argv[optind + 1], file2 ? "a file" : "a process id");
	}
	if (o->diff && names_file(argv[optind])) {
		if (o->map_arg)
			usage_error("--map: not with files, which hold no mappings (use --range)");
		o->parent_file = argv[optind];
		o->child_file = argv[optind + 1];
		return;
	}
	o->pid = parse_pid(argv[optind]);
	if (o->diff)
		o->child = parse_pid(argv[optind + 1]);
}

/* The areas to look at in PID; exits with a message when none. */
static size_t select_areas(const struct options *o, const struct pm_select *sel,
			   pid_t pid, struct pm_area **areas)
{
	struct pm_map *maps;
	size_t count, n;
	int err;

	err = pm_maps_read(pid, &maps, &count);
	if (err != 0)
		fail(pid, err, 0);
	err = pm_select_areas(maps, count, sel, areas, &n);
	free(maps);
	if (err != 0)
		fail(pid, err, 0);
	if (n == 0 && sel->kind == PM_SEL_RANGE) {
		fprintf(stderr, "cowmap: process %d: range %s is not mapped\n", (int)pid, o->range_arg);
		exit(1);
	}
	if (n == 0 && sel->kind != PM_SEL_ANON) {
		fprintf(stderr, "cowmap: process %d: no mapping matches %s\n", (int)pid, o->map_arg);
		exit(1);
	}
	return n;
}

/* seen: the process's maps were read a moment ago, so if it is gone now,
 * it exited during the scan. */
static void open_proc(const struct options *o, struct pm_proc *proc, pid_t pid, int seen)
{
	int err = pm_open(proc, pid);

	if (err != 0)
		fail(pid, err, seen);
	proc->force_pread = o->force_pread;
}

static void print_area_row(const struct pm_area *a, const struct pm_census *c, int root, int tsv)
{
	if (tsv)
		printf("0x%" PRIx64 "\t0x%" PRIx64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t",
		       a->start, a->end, pm_map_label(&a->map), c->mapped, c->present, c->exclusive);
	else if (a == NULL)
		printf("%-25s %-16s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " ",
		       "", "total", c->mapped, c->present, c->exclusive);
	else
		printf("%12" PRIx64 "-%-12" PRIx64 " %-16.16s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " ",
		       a->start, a->end, pm_map_label(&a->map), c->mapped, c->present, c->exclusive);
	if (root)
		printf(tsv ? "%" PRIu64 "\t" : "%9" PRIu64 " ", c->multi);
	else
		printf(tsv ? "-\t" : "%9s ", "-");
	printf(tsv ? "%" PRIu64 "\t%" PRIu64 "\n" : "%9" PRIu64 " %9" PRIu64 "\n", c->thp, c->swapped);
}

static int show_process(const struct options *o, const struct pm_select *sel)
{
	struct pm_area *areas;
	struct pm_proc proc;
	struct pm_pages pages = { 0 };
	struct pm_census c, total = { 0 };
	size_t n, i, *from;
	int err, shown = 0, root;
	char line[256];

	n = select_areas(o, sel, o->pid, &areas);
	open_proc(o, &proc, o->pid, 1);
	pm_test_stop_point();
	root = proc.kpagecount_fd >= 0;
	/* Everything is read before anything is printed: a process that
	 * exits mid-scan gives one error line, not a header and then one. */
	from = calloc(n + 1, sizeof *from);
	if (from == NULL)
		fail(o->pid, -ENOMEM, 1);
	for (i = 0; i < n; i++) {
		from[i] = pages.n;
		err = pm_collect(&proc, areas[i].start, areas[i].end, &pages);
		if (err != 0)
			fail(o->pid, err, 1);
	}
	from[n] = pages.n;
	if (o->tsv == 1)
		fputs("vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea\n", stdout);
	else if (o->tsv == 2)
		fputs("start\tend\tname\tpages\tpresent\texclusive\tshared\tthp\tswapped\n", stdout);
	else
		printf("%-25s %-16s %9s %9s %9s %9s %9s %9s\n", "area", "name", "pages",
		       "present", "exclusive", "shared", "thp", "swapped");
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof c);
		c.mapped = (areas[i].end - areas[i].start) / pm_page_size();
		pm_census_add(&c, &pages, from[i], from[i + 1]);
		if (c.present + c.swapped == 0 && sel->kind == PM_SEL_ANON)
			continue;	/* default: only areas with something present */
		shown++;
		total.mapped += c.mapped;
		pm_census_add(&total, &pages, from[i], from[i + 1]);
		if (o->tsv == 1) {
			/* (no pages at all: no array, and NULL + 0 is undefined) */
			struct pm_pages part = { pages.n ? pages.v + from[i] : NULL,
						 from[i + 1] - from[i], 0 };

			pm_write_pages_tsv(stdout, &part, 0);
		} else {
			print_area_row(&areas[i], &c, root, o->tsv == 2);
		}
	}
	free(from);
	if (!o->tsv) {
		if (shown > 1)
			print_area_row(NULL, &total, root, 0);
		if (shown == 0)
			printf("(no private anonymous pages present)\n");
		printf("\nprocess %d; exclusive: from %s\n", (int)o->pid, pm_exclusive_source(&proc));
		printf("shared (mapped more than once): %s\n", root ?
		       "/proc/kpagecount > 1 (exact)" : "not known (/proc/kpagecount needs root)");
		printf("thp: %s\n", root ? "/proc/kpageflags THP bit" :
		       proc.scan_state == 1 ? "PAGEMAP_SCAN huge-page category (PMD-mapped only)" :
		       "not known without root or PAGEMAP_SCAN");
		describe_stats(line, sizeof line, &proc);
		printf("present runs found by: %s\n", line);
	}
	print_stats(o, &proc);
	pm_pages_free(&pages);
	pm_close(&proc);
	free(areas);
	return 0;
}

static void print_diff_tsv(const struct pd_diff *d)
{
	const struct pd_page *p;
	size_t i;

	fputs("vaddr\tstate\tparent_pfn\tchild_pfn\tparent_exclusive\tchild_exclusive\n", stdout);
	for (i = 0; i < d->n; i++) {
		p = &d->v[i];
		printf("0x%" PRIx64 "\t%s\t", p->vaddr, pd_state_name(p->state));
		printf(p->parent_pfn ? "0x%" PRIx64 "\t" : "-\t", p->parent_pfn);
		printf(p->child_pfn ? "0x%" PRIx64 "\t" : "-\t", p->child_pfn);
		printf("%d\t%d\n", p->parent_exclusive, p->child_exclusive);
	}
}

static void print_diff_summary(const struct options *o, const struct pd_diff *d,
			       const struct pm_proc *parent, size_t areas)
{
	static const char *const meaning[PD_NSTATES] = {
		"same frame in parent and child",
		"both present, different frames (copied on write)",
		"present in the parent only",
		"present in the child only",
		"present in both (frames not compared)",
		"present in neither",
	};
	uint64_t total = 0;
	int s;

	for (s = 0; s < PD_NSTATES; s++)
		total += d->count[s];
	if (d->absent_unknown)
		printf("parent %d, child %d: %" PRIu64 " pages present on either side (0x%" PRIx64
		       "-0x%" PRIx64 ")\n", (int)o->pid, (int)o->child, total, d->start, d->end);
	else
		printf("parent %d, child %d: %" PRIu64 " pages in %zu mapped range%s (0x%" PRIx64
		       "-0x%" PRIx64 ")\n", (int)o->pid, (int)o->child, total, areas,
		       areas == 1 ? "" : "s", d->start, d->end);
	if (d->frames_compared)
		printf("frames compared by PFN (exact; PFNs read as root)\n");
	else
		printf("frames NOT compared: PFNs read as 0 without CAP_SYS_ADMIN (run as root);\n"
		       "only presence and the exclusive bit are known\n");
	for (s = 0; s < PD_NSTATES; s++) {
		if (d->frames_compared ? s == PD_BOTH : (s == PD_SHARED || s == PD_COPIED))
			continue;
		if (s == PD_ABSENT && d->absent_unknown) {
			printf("  %-13s %9s  %s: not known (the files name no mapped ranges; give --range)\n",
			       pd_state_name(s), "-", meaning[s]);
			continue;
		}
		printf("  %-13s %9" PRIu64 "  %s\n", pd_state_name(s), d->count[s], meaning[s]);
	}
	printf("  exclusive in parent %9" PRIu64 ", in child %9" PRIu64 "  (from %s)\n",
	       d->parent_exclusive, d->child_exclusive, pm_exclusive_source(parent));
}

static void write_svg_file(const char *path, const struct pd_diff *d, const struct options *o)
{
	struct cowsvg_info info = { o->pid, o->child, o->when };
	struct outfile out;
	int err;

	/* A regular file is replaced only when complete (outfile.h): a reader
	 * never sees half a diagram, and an error leaves the old file. */
	err = outfile_open(&out, path);
	if (err == 0) {
		cowsvg_write(out.f, d, &info);
		err = outfile_commit(&out);
	}
	if (err != 0) {
		fprintf(stderr, "cowmap: %s: %s\n", path, strerror(-err));
		exit(1);
	}
}

static int show_diff(const struct options *o, const struct pm_select *sel)
{
	struct pm_area *areas;
	struct pm_proc parent, child;
	struct pm_pages ppages = { 0 }, cpages = { 0 };
	struct pd_diff diff = { 0 };
	size_t n, i, compared = 0;
	int err, frames;

	n = select_areas(o, sel, o->pid, &areas);
	open_proc(o, &parent, o->pid, 1);
	open_proc(o, &child, o->child, 0);
	pm_test_stop_point();
	frames = parent.pfns_visible && child.pfns_visible;
	if (o->svg_file && !frames) {
		fprintf(stderr, "cowmap: %s: the diagram needs the frame numbers, "
			"which only root can read\n", o->svg_file);
		exit(1);
	}
	if (!frames)
		fprintf(stderr, "cowmap: --diff: frames cannot be compared without CAP_SYS_ADMIN "
			"(PFNs read as 0): showing presence and the exclusive bit only\n");
	for (i = 0; i < n; i++) {
		ppages.n = cpages.n = 0;
		err = pm_collect(&parent, areas[i].start, areas[i].end, &ppages);
		if (err != 0)
			fail(o->pid, err, 1);
		err = pm_collect(&child, areas[i].start, areas[i].end, &cpages);
		if (err != 0)
			fail(o->child, err, 1);
		if (sel->kind == PM_SEL_ANON && ppages.n + cpages.n == 0)
			continue;
		compared++;
		if (pd_compare(&ppages, &cpages, areas[i].start, areas[i].end, frames, &diff) != 0)
			fail(o->pid, -ENOMEM, 1);
	}
	if (o->svg_file)
		write_svg_file(o->svg_file, &diff, o);
	if (o->tsv)
		print_diff_tsv(&diff);
	else
		print_diff_summary(o, &diff, &parent, compared);
	print_stats(o, &parent);
	print_stats(o, &child);
	pd_free(&diff);
	pm_pages_free(&ppages);
	pm_pages_free(&cpages);
	pm_close(&parent);
	pm_close(&child);
	free(areas);
	return 0;
}

static void read_snapshot(const char *path, struct pm_pages *pages, struct pagesnap_info *info)
{
	int err = pagesnap_read(path, pages, info);

	if (err == -EINVAL && info->unsorted) {
		fprintf(stderr, "cowmap: %s: line %ld: not after the row before it (the rows of a "
			"per-page table are in increasing address order, each page once)\n",
			path, info->bad_line);
		exit(1);
	}
	if (err == -EINVAL) {
		fprintf(stderr, "cowmap: %s: line %ld: not a per-page table (cowmap --tsv)\n",
			path, info->bad_line);
		exit(1);
	}
	if (err != 0) {
		fprintf(stderr, "cowmap: %s: %s\n", path, strerror(-err));
		exit(1);
	}
}

/* The same file? (--svg must not overwrite an input it has just read) */
static int same_file(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* --diff PARENT.tsv CHILD.tsv: two pictures taken earlier, e.g. by cowsample
 * --snapshot-dir at a phase mark; over the mapped ranges their rows name
 * (cut to --range), or over --range when the files name none. */
static int show_diff_files(const struct options *o, const struct pm_select *sel)
{
	struct pm_pages ppages = { 0 }, cpages = { 0 };
	struct pagesnap_info pinfo, cinfo;
	struct pd_diff diff = { 0 };
	struct options named = *o;
	struct pm_proc source = { .kpagecount_fd = -1 };
	size_t nranges;
	int frames, err;

	if (o->svg_file && (same_file(o->svg_file, o->parent_file) ||
			    same_file(o->svg_file, o->child_file)))
		usage_error("--svg %s: that is an input of --diff (it would be overwritten)",
			    o->svg_file);
	read_snapshot(o->parent_file, &ppages, &pinfo);
	read_snapshot(o->child_file, &cpages, &cinfo);
	frames = pinfo.frames && cinfo.frames;
	if (o->svg_file && !frames) {
		fprintf(stderr, "cowmap: %s: the diagram needs the frame numbers, which "
			"%s does not have (written without root)\n", o->svg_file,
			pinfo.frames ? o->child_file : o->parent_file);
		exit(1);
	}
	err = pd_compare_snapshots(&ppages, &cpages, pinfo.areas && cinfo.areas,
				   sel->kind == PM_SEL_RANGE, sel->start, sel->end, frames, &diff,
				   &nranges);
	if (err != 0)
		fail(0, err, 0);
	diff.frames_compared = frames;
	named.pid = pinfo.pid;		/* from the names PHASE-PID.tsv, else 0 */
	named.child = cinfo.pid;
	if (frames)
		source.kpagecount_fd = 0;	/* mapcounts were read as root */
	if (o->svg_file)
		write_svg_file(o->svg_file, &diff, &named);
	if (o->tsv)
		print_diff_tsv(&diff);
	else
		print_diff_summary(&named, &diff, &source, nranges);
	pd_free(&diff);
	pm_pages_free(&ppages);
	pm_pages_free(&cpages);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct pm_select sel;

	outstream_track_stdout();
	parse_options(argc, argv, &o);
	if (pm_select_parse(&sel, o.map_arg, o.range_arg) != 0)
		usage_error("%s: expected %s", o.range_arg ? o.range_arg : o.map_arg,
			    o.range_arg ? "START-END in hexadecimal" : "a mapping name or 0xADDR");
	if (o.parent_file != NULL)
		show_diff_files(&o, &sel);
	else if (o.diff)
		show_diff(&o, &sel);
	else
		show_process(&o, &sel);
	return finish_stdout();
}
