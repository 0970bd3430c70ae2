/*
 * fork_bench - the benchmark of the fork-cost lab (make bench, make media):
 * how the cost of fork() grows with the memory a process uses, and what one
 * page fault costs, as tables for cowplot. The lab itself,
 * support/fork-cost/fork_cost.c, measures one size at a time and explains;
 * this tool sweeps the sizes, repeats every measurement and keeps medians.
 *
 * fork() does not copy pages, but it copies the page tables: one entry per
 * touched 4 KiB page, which it also write-protects. So fork gets slower as
 * the parent's touched memory grows, while vfork() (which shares the page
 * tables) and posix_spawn() (vfork + exec inside libc) do not. With
 * transparent huge pages one entry covers 2 MiB: fork has 512 times fewer
 * entries to copy.
 *
 * For each size (MiB) the parent maps and touches a buffer, then measures
 * the median, over --repeat runs, of the time the PARENT sees for:
 *   fork         fork() + the child's _exit() + waitpid(), 4 KiB pages
 *   fork-thp     the same with the buffer in huge pages (MADV_HUGEPAGE)
 *   vfork        vfork() + the child's _exit() + waitpid()
 *   posix_spawn  posix_spawn() of /bin/true + waitpid()
 * and writes a table (TSV):   size_kib  method  pages  latency_us
 * (pages: the buffer's size in 4 KiB pages, the same for every method).
 *
 * --fault-cost measures the time of one fault of each kind, on P pages, in
 * --repeat runs (each on a fresh buffer):
 *   demand-zero  first write to a fresh page: allocate and zero a frame
 *   cow          write to a page shared with a child: copy it
 *   reuse        write to a write-protected page that is no longer shared
 *                (the child exited): no copy, just make it writable
 * and writes a table (TSV):   kind  pages  faults  ns_per_fault  runs
 * where faults is what the kernel counted (getrusage) during the writes of
 * one run (the median run), ns_per_fault the median over the runs of the
 * time of the writes divided by their faults.
 *
 * The tables go to stdout (then the explanations go to stderr) or to -o
 * FILE, written to a temporary file and renamed, so FILE is never half
 * written. Usage: see --help.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_SIZES 32
#define MAX_SIZE_MIB 16384	/* 16 GiB */
#define SPAWNED "/bin/true"

extern char **environ;

static const char *prog = "fork_bench";
static long page_size;

struct options {
	long sizes_mib[MAX_SIZES];	/* buffer sizes to measure, MiB */
	int nsizes;
	int repeat;			/* runs per measurement; the median counts */
	long fault_pages;		/* pages for --fault-cost */
	int latency;			/* measure the latency table */
	int fault_cost;			/* measure the fault-cost table */
	const char *out_path;		/* -o: first table, NULL: stdout */
	const char *fault_out_path;	/* --fault-cost-o: the second table */
	int interactive;		/* wait for Enter between steps */
};

/* An output table being written: to stdout, or to a temporary file that
 * is renamed to its real name only when it is complete. */
struct table {
	FILE *f;
	const char *path;		/* NULL: stdout */
	char tmp[4096];
};

/* The temporary files not yet renamed: removed if we are interrupted. */
static char *pending_tmp[2];

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void print_help(void)
{
	printf("Usage: %s [--sizes MIB,...] [--repeat N] [-o FILE]\n"
	       "                 [--fault-cost | --fault-cost-o FILE] [--fault-pages P] [--batch]\n"
	       "Measure how fork() gets slower as the parent's touched memory grows,\n"
	       "against vfork() and posix_spawn(), with 4 KiB pages and with huge pages;\n"
	       "and what one demand-zero, copy-on-write and reuse fault costs.\n"
	       "\n"
	       "  -s, --sizes=LIST       buffer sizes in MiB, comma-separated\n"
	       "                         (default 1,4,16,64,256,1024; each 1..%d)\n"
	       "  -r, --repeat=N         runs per measurement, the median is kept (default 9;\n"
	       "                         for --fault-cost: runs of the three kinds)\n"
	       "  -o, --output=FILE      write the table to FILE instead of stdout\n"
	       "      --fault-cost       measure the cost per fault INSTEAD of the latency table\n"
	       "      --fault-cost-o=FILE  measure both; write the fault-cost table to FILE\n"
	       "      --fault-pages=P    pages for the fault-cost measurement (default 16384)\n"
	       "  -b, --batch            run through without waiting for Enter (the default\n"
	       "                         when stdin is not a terminal)\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "Tables (TSV, header first):\n"
	       "  size_kib  method  pages  latency_us    method: fork fork-thp vfork posix_spawn\n"
	       "  kind  pages  faults  ns_per_fault  runs   kind: demand-zero cow reuse\n"
	       "When a table goes to stdout, the explanations go to stderr.\n"
	       "Latencies are medians as seen by the parent: fork()+child _exit()+waitpid().\n",
	       prog, MAX_SIZE_MIB);
}

/* A usage error: one line on stderr, exit status 2. */
static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s (try --help)\n", prog, what, why);
	exit(2);
}

/* A whole decimal number in [min, max], or a usage error. */
static long parse_count(const char *option, const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
		char why[96];

		snprintf(why, sizeof why, "'%s' is not a number from %ld to %ld",
			 text, min, max);
		usage_error(option, why);
	}
	return value;
}

/* "1,4,16" -> {1, 4, 16}. */
static void parse_sizes(const char *text, struct options *opt)
{
	char copy[512], *item, *rest;

	if (strlen(text) >= sizeof copy)
		usage_error("--sizes", "list too long");
	strcpy(copy, text);
	opt->nsizes = 0;
	for (item = copy; item != NULL; item = rest) {
		rest = strchr(item, ',');
		if (rest != NULL)
			*rest++ = '\0';
		if (opt->nsizes == MAX_SIZES)
			usage_error("--sizes", "more than 32 sizes");
		opt->sizes_mib[opt->nsizes++] = parse_count("--sizes", item, 1, MAX_SIZE_MIB);
	}
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "fault-cost", no_argument, NULL, 'F' },
		{ "fault-cost-o", required_argument, NULL, 'O' },
		{ "fault-pages", required_argument, NULL, 'P' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const long default_sizes[] = { 1, 4, 16, 64, 256, 1024 };
	int batch = 0, only_fault_cost = 0;
	int c, i;

	memset(opt, 0, sizeof *opt);
	for (i = 0; i < 6; i++)
		opt->sizes_mib[i] = default_sizes[i];
	opt->nsizes = 6;
	opt->repeat = 9;
	opt->fault_pages = 16384;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":s:r:o:bh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			parse_sizes(optarg, opt);
			break;
		case 'r':
			opt->repeat = (int)parse_count("--repeat", optarg, 1, 1000);
			break;
		case 'o':
			opt->out_path = optarg;
			break;
		case 'F':
			only_fault_cost = 1;
			break;
		case 'O':
			opt->fault_out_path = optarg;
			break;
		case 'P':
			opt->fault_pages = parse_count("--fault-pages", optarg, 1, 1L << 22);
			break;
		case 'b':
			batch = 1;
			break;
		case 'h':
			print_help();
			exit(0);
		case ':':
			usage_error(argv[optind - 1], "needs a value");
			break;
		default:
			usage_error(argv[optind - 1], "unknown option");
		}
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	if (only_fault_cost && opt->fault_out_path != NULL)
		usage_error("--fault-cost", "use either --fault-cost or --fault-cost-o FILE");
	if (opt->out_path != NULL && opt->fault_out_path != NULL &&
	    strcmp(opt->out_path, opt->fault_out_path) == 0)
		usage_error("--fault-cost-o", "must name another file than -o");
	opt->latency = !only_fault_cost;
	opt->fault_cost = only_fault_cost || opt->fault_out_path != NULL;
	/* Waiting for Enter only makes sense when a person types it. */
	opt->interactive = !batch && isatty(STDIN_FILENO);
}

/* Report a failed system call and stop (not a usage error: exit 1). */
static void die(const char *what)
{
	int i;

	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	for (i = 0; i < 2; i++)
		if (pending_tmp[i] != NULL)
			unlink(pending_tmp[i]);
	exit(1);
}

/* ------------------------------------------------------------------ */
/* Output tables, written atomically                                   */
/* ------------------------------------------------------------------ */

/* Interrupted (Ctrl-C): leave no temporary file behind. */
static void on_signal(int sig)
{
	int i;

	for (i = 0; i < 2; i++)
		if (pending_tmp[i] != NULL)
			unlink(pending_tmp[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Open a table: a temporary file next to `path` (so that rename() is
 * atomic), or stdout when path is NULL. Done before measuring anything,
 * so that a bad path fails at once. */
static void table_open(struct table *t, const char *path, int slot)
{
	mode_t mask;
	int fd;

	t->path = path;
	if (path == NULL) {
		/* The table gets the real stdout; from now on everything
		 * else we print (printf) goes to stderr. */
		fd = dup(STDOUT_FILENO);
		if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
		    (t->f = fdopen(fd, "w")) == NULL)
			die("stdout");
		return;
	}
	if (snprintf(t->tmp, sizeof t->tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof t->tmp) {
		errno = ENAMETOOLONG;
		die(path);
	}
	fd = mkstemp(t->tmp);
	if (fd < 0)
		die(path);
	pending_tmp[slot] = t->tmp;
	mask = umask(0);	/* mkstemp makes it 0600: give it the usual mode */
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		die(path);
	t->f = fdopen(fd, "w");
	if (t->f == NULL)
		die(path);
}

/* Finish a table: everything written, or an error and no file at all. */
static void table_close(struct table *t, int slot)
{
	int failed = fflush(t->f) != 0 || ferror(t->f);

	failed |= fclose(t->f) != 0;
	if (t->path == NULL) {
		if (failed)
			die("stdout");
		return;
	}
	if (failed || rename(t->tmp, t->path) != 0)
		die(t->path);
	pending_tmp[slot] = NULL;
}

/* ------------------------------------------------------------------ */
/* Memory and time                                                     */
/* ------------------------------------------------------------------ */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Size of a PMD-sized transparent huge page (2 MiB on x86-64). */
static long huge_page_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	long size = 2L << 20;

	if (f != NULL) {
		if (fscanf(f, "%ld", &size) != 1 || size <= 0)
			size = 2L << 20;
		fclose(f);
	}
	return size;
}

/*
 * Map `size` bytes of private anonymous memory. THP is chosen, never left
 * to the machine: MADV_NOHUGEPAGE, or MADV_HUGEPAGE on a buffer aligned to
 * a huge page (a huge page must start on a 2 MiB boundary).
 */
static char *map_buffer(size_t size, int thp)
{
	size_t huge = (size_t)huge_page_size();
	size_t extra = thp ? huge : 0;
	char *area, *buf;

	area = mmap(NULL, size + extra, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	buf = area;
	if (thp) {
		buf = (char *)(((uintptr_t)area + huge - 1) & ~(uintptr_t)(huge - 1));
		if (buf > area)
			munmap(area, buf - area);
		munmap(buf + size, area + extra - buf);
	}
	if (madvise(buf, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
		fprintf(stderr, "%s: madvise: %s (THP left to the kernel)\n",
			prog, strerror(errno));
	return buf;
}

/* Write one byte in each page of the buffer.
 * (LAB_NOT_SANITIZED: see cowlab.h.) */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, char value)
{
	long i;

	for (i = 0; i < pages; i++)
		buf[i * page_size] = value;
}

static void wait_child(pid_t child)
{
	int status;

	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child %d failed (status 0x%x)\n",
			prog, (int)child, status);
		exit(1);
	}
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The median of n times, in microseconds. */
static double median_us(long long *ns, int n)
{
	qsort(ns, n, sizeof *ns, compare_ll);
	if (n % 2)
		return ns[n / 2] / 1000.0;
	return (ns[n / 2 - 1] + ns[n / 2]) / 2000.0;
}

/* ------------------------------------------------------------------ */
/* The three ways to start a process, each timed as the parent sees it  */
/* ------------------------------------------------------------------ */

/* fork(): copies the page tables (and write-protects them) for every
 * touched page; the child's _exit() tears its copy down again. */
static long long time_fork(void)
{
	long long start = now_ns();
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		die("fork");
	wait_child(pid);
	return now_ns() - start;
}

/* vfork(): no copy at all; the parent is suspended until the _exit(). */
static long long time_vfork(void)
{
	long long start = now_ns();
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		die("vfork");
	wait_child(pid);
	return now_ns() - start;
}

/* posix_spawn(): glibc's clone(CLONE_VM|CLONE_VFORK) + exec of a program. */
static long long time_posix_spawn(void)
{
	char *argv[] = { SPAWNED, NULL };
	long long start = now_ns();
	pid_t pid;
	int err = posix_spawn(&pid, SPAWNED, NULL, NULL, argv, environ);

	if (err != 0) {
		errno = err;
		die("posix_spawn " SPAWNED);
	}
	wait_child(pid);
	return now_ns() - start;
}

/*
 * Median latency of one method, one table row. The runs of one method come
 * one after the other: a fork leaves work behind (its child's page tables
 * are freed later, in the background), and another method timed just after
 * it would pay for some of it. The warm-up run absorbs what the previous
 * method left.
 */
static void measure(struct table *t, long size_mib, const char *method,
		    long long (*run)(void), int repeat)
{
	long long ns[1000];
	long pages = size_mib * (1024 * 1024 / page_size);
	int i;

	run();			/* a warm-up run, not counted: caches, lazy binding */
	for (i = 0; i < repeat; i++)
		ns[i] = run();
	fprintf(t->f, "%ld\t%s\t%ld\t%.1f\n", size_mib * 1024, method, pages,
		median_us(ns, repeat));
	printf("  %-12s %10.1f us (median of %d)\n", method, median_us(ns, repeat), repeat);
	fflush(stdout);
}

/* Map and touch a buffer, saying how many faults the touch took. */
static char *touched_buffer(long size_mib, int thp)
{
	size_t size = (size_t)size_mib << 20;
	long pages = (long)(size / page_size);
	char phase[48];
	struct lab_faults before;
	char *buf = map_buffer(size, thp);

	before = lab_faults_now();
	write_pages(buf, pages, 1);
	snprintf(phase, sizeof phase, "touched-%s-%ldMiB", thp ? "thp" : "4k", size_mib);
	lab_mark(phase);
	lab_result(phase, "parent", before, lab_faults_now());
	return buf;
}

static void latency_table(struct table *t, const struct options *opt)
{
	pid_t self = getpid();
	int i;

	fprintf(t->f, "size_kib\tmethod\tpages\tlatency_us\n");
	for (i = 0; i < opt->nsizes; i++) {
		long mib = opt->sizes_mib[i];
		size_t size = (size_t)mib << 20;
		char *buf;

		printf("\n== Size %d of %d: %ld MiB (%ld pages of 4 KiB) ==\n",
		       i + 1, opt->nsizes, mib, (long)(size / page_size));
		printf("watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
		       (int)self, (int)self);
		lab_pause(opt->interactive, "touch the buffer and time fork, vfork, posix_spawn");

		/* The three ways to start a process on the buffer of 4 KiB
		 * pages; then fork again on huge pages (a buffer of its own,
		 * mapped when the first one is gone, or fork would copy the
		 * page tables of both). */
		buf = touched_buffer(mib, 0);
		measure(t, mib, "fork", time_fork, opt->repeat);
		measure(t, mib, "vfork", time_vfork, opt->repeat);
		measure(t, mib, "posix_spawn", time_posix_spawn, opt->repeat);
		lab_mark("measured-4k");
		munmap(buf, size);

		buf = touched_buffer(mib, 1);
		measure(t, mib, "fork-thp", time_fork, opt->repeat);
		lab_mark("measured-thp");
		munmap(buf, size);
	}
	printf("\nfork's latency grows with the touched size: one page-table entry per\n"
	       "4 KiB page to copy and write-protect (and to tear down at the child's\n"
	       "exit). With huge pages one entry maps 2 MiB: far less work. vfork and\n"
	       "posix_spawn share the page tables: flat, whatever the size.\n");
}

/* ------------------------------------------------------------------ */
/* --fault-cost: what one fault of each kind costs                      */
/* ------------------------------------------------------------------ */

/* The kinds of fault, in the order they are measured. */
enum { DEMAND_ZERO, COW, REUSE, NKINDS };
static const char *const kind_name[NKINDS] = { "demand-zero", "cow", "reuse" };

/* What one kind of fault cost in each run. */
struct fault_runs {
	long long ns[1000];	/* time of the writes to all pages, per run */
	long faults[1000];	/* faults the kernel counted, per run */
};

/* Write every page and time it into r (the runs of this kind); the kernel
 * counts the faults. The first run (the one a student watches) marks its
 * phase and prints its result line; the others only add to the median. */
static void time_writes(struct fault_runs *r, int run, int kind, char *buf,
			long pages, char value)
{
	struct lab_faults before, after;
	long long start;

	before = lab_faults_now();
	start = now_ns();
	write_pages(buf, pages, value);
	r->ns[run] = now_ns() - start;
	after = lab_faults_now();
	r->faults[run] = after.minor - before.minor + after.major - before.major;
	if (run == 0) {
		lab_mark(kind_name[kind]);
		lab_result(kind_name[kind], "parent", before, after);
	}
}

/* One run: a fresh buffer, then one fault of each kind per page. */
static void fault_cost_run(struct fault_runs r[NKINDS], int run, const struct options *opt)
{
	long pages = opt->fault_pages;
	int watched = run == 0 && opt->interactive;
	char *buf = map_buffer((size_t)pages * page_size, 0);
	int hold[2];
	pid_t child;

	lab_pause(watched, "write every page of a fresh buffer");
	time_writes(&r[DEMAND_ZERO], run, DEMAND_ZERO, buf, pages, 1);

	/* A child holds the pages shared while the parent writes them. */
	lab_pause(watched, "fork a child that keeps the pages shared, and write them");
	if (pipe(hold) != 0)
		die("pipe");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char c;

		close(hold[1]);
		_exit(read(hold[0], &c, 1) < 0);	/* until the parent closes */
	}
	close(hold[0]);
	time_writes(&r[COW], run, COW, buf, pages, 2);
	close(hold[1]);
	wait_child(child);

	/* A child that exits at once: the pages stay write-protected in the
	 * parent, but nobody shares them any more. */
	lab_pause(watched, "fork a child that exits at once, and write again");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		_exit(0);
	wait_child(child);
	time_writes(&r[REUSE], run, REUSE, buf, pages, 3);

	munmap(buf, (size_t)pages * page_size);
}

/* The median of n fault counts (the lower middle one when n is even). */
static long median_faults(long *faults, int n)
{
	long sorted[1000];
	int i, j;

	for (i = 0; i < n; i++) {
		long v = faults[i];

		for (j = i; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	return sorted[(n - 1) / 2];
}

static void fault_cost_table(struct table *t, const struct options *opt)
{
	static struct fault_runs r[NKINDS];
	long pages = opt->fault_pages;
	long long per_fault[1000];
	int kind, run;

	printf("\n== The cost of one page fault, on %ld pages of 4 KiB, %d run%s ==\n",
	       pages, opt->repeat, opt->repeat == 1 ? "" : "s");
	printf("watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
	       (int)getpid(), (int)getpid());
	for (run = 0; run < opt->repeat; run++)
		fault_cost_run(r, run, opt);

	/* Per kind: the median over the runs of (time of the writes / faults). */
	fprintf(t->f, "kind\tpages\tfaults\tns_per_fault\truns\n");
	for (kind = 0; kind < NKINDS; kind++) {
		long faults = median_faults(r[kind].faults, opt->repeat);
		double ns;

		for (run = 0; run < opt->repeat; run++)
			per_fault[run] = r[kind].faults[run] > 0 ?
				r[kind].ns[run] * 1000 / r[kind].faults[run] : 0;
		/* (per_fault holds picoseconds: median_us gives nanoseconds) */
		ns = median_us(per_fault, opt->repeat);
		fprintf(t->f, "%s\t%ld\t%ld\t%.1f\t%d\n", kind_name[kind], pages, faults,
			ns, opt->repeat);
		printf("  %-12s %ld faults for %ld pages, %.1f ns per fault (median of %d run%s)\n",
		       kind_name[kind], faults, pages, ns, opt->repeat,
		       opt->repeat == 1 ? "" : "s");
	}
	fflush(stdout);
	printf("\ndemand-zero allocates and zeroes a frame; cow allocates and copies one;\n"
	       "reuse only makes the entry writable again. All three pay for the trap\n"
	       "into the kernel, which costs far more in some virtual machines than on\n"
	       "bare metal.\n");
}

/* ------------------------------------------------------------------ */
/* The lab                                                             */
/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct options opt;
	struct table latency, faults;
	struct table *first;

	page_size = sysconf(_SC_PAGESIZE);
	parse_options(argc, argv, &opt);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	/* Open every output before measuring: a bad path fails at once. */
	first = opt.latency ? &latency : &faults;
	table_open(first, opt.out_path, 0);
	if (opt.latency && opt.fault_cost)
		table_open(&faults, opt.fault_out_path, 1);

	printf("fork_bench: the cost of fork() against the memory it must map\n");
	printf("transparent huge pages: machine mode '%s'; 4 KiB runs use MADV_NOHUGEPAGE,\n"
	       "fork-thp runs MADV_HUGEPAGE on a 2 MiB-aligned buffer\n", lab_thp_mode());
	printf("mode: %s\n", opt.interactive ? "interactive (Enter goes on to the next step)"
					     : "batch (no waiting)");
	if (opt.latency)
		latency_table(&latency, &opt);
	if (opt.fault_cost)
		fault_cost_table(&faults, &opt);

	table_close(first, 0);
	if (opt.latency && opt.fault_cost)
		table_close(&faults, 1);
	printf("\nDone. labs/fork-cost.md says what these numbers show; cowplot forkcost\nand cowplot faultcost draw the tables.\n");
	return 0;
}
