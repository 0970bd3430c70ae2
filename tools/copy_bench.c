/*
 * copy_bench - the copy program of the benchmark (tools/bench-copy): the
 * lab's mmap_copy (support/mmap-copy/) with every way to copy and every
 * tuning knob that the benchmark compares. Not a lab: the lesson is
 * mmap_copy.c; this file keeps its eight steps and adds, for comparison:
 *
 *   --method M     read/write with a 128 KiB buffer, copy_file_range or
 *                  sendfile instead of the mappings (copy_methods.c): they
 *                  share steps 1, 2, 4, 5 and 8 and all the safety rules
 *                  (support/mmap-copy/copy_safety.c); only step 7 differs
 *   --window N     the mmap copy, a window at a time, each window mapped in
 *   --no-populate  one system call first (MADV_POPULATE_READ/WRITE) unless
 *                  --no-populate
 *   --no-thp       no MADV_HUGEPAGE on the mappings
 *   --plain        the lab's copy: one memcpy, no madvise
 * labs/mmap-copy.md ("Making the mmap copy fast") explains each.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap-copy/mmap_copy.h"
#include "copy_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

/* The benchmark's choices (the lab's mmap_copy has none of them). */
static struct {
	int method;		/* enum method */
	size_t window;		/* mmap method: bytes copied per window */
	int plain;		/* mmap method: one memcpy, no madvise */
	int populate;		/* mmap method: MADV_POPULATE_READ/WRITE */
	int thp;		/* mmap method: MADV_HUGEPAGE */
	int interactive;
} opt;

#ifndef MADV_POPULATE_READ		/* Linux 5.14; older headers lack them */
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

static const char usage_text[] =
	"usage: copy_bench [options] SRC DST\n"
	"mmap_copy (the lab) with the other ways to copy and the tuning knobs that\n"
	"tools/bench-copy compares; DST is replaced only by a complete copy.\n"
	"\n"
	"  -v, --verbose       print each step with its page faults and time\n"
	"  -m, --method M      mmap (default), read, copy_file_range, sendfile\n"
	"      --max-size N    refuse sources larger than N bytes (default 1G;\n"
	"                      suffixes K, M, G, T)\n"
	"      --window N      mmap method: copy N bytes at a time (default 256M,\n"
	"                      a multiple of 4096)\n"
	"      --plain         mmap method: the assignment as written, one memcpy,\n"
	"                      no madvise (for comparison)\n"
	"      --no-populate   mmap method: no MADV_POPULATE_READ/WRITE (fault\n"
	"                      each page in during memcpy instead)\n"
	"      --no-thp        mmap method: no MADV_HUGEPAGE\n"
	"      --no-reserve    check the space, then give the reserved blocks back\n"
	"                      (as if only ftruncate had been called; see below)\n"
	"      --no-sync       do not flush the copy to disk before the rename\n"
	"                      (faster; benchmarks use it, like cp, which does not\n"
	"                      flush either)\n"
	"  -i, --interactive   wait for Enter before each step (to watch ps)\n"
	"      --batch         never wait (the default)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Space: before copying, DST's blocks are reserved (posix_fallocate): with\n"
	"too little space, nothing is copied and DST is left as it was; then a\n"
	"disk that fills up during the copy cannot make it fail. If a write fails\n"
	"anyway (--no-reserve; a copy-on-write filesystem, where a reservation does\n"
	"not hold; an I/O error), the copy stops with an error, DST left as it was.\n"
	"Holes in SRC are not kept: DST takes SRC's full size on disk.\n"
	"\n"
	"Exit status: 0 copied, 1 refused or failed (DST unchanged), 2 usage.\n";

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "copy_bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

/* ---------------------------------------------------------------------- */
/* Reporting each step (-v): faults from the kernel, time from the clock. */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct lab_faults step_faults;
static double step_start;

static void step_begin(struct copy *c, int number, const char *what)
{
	lab_pause(opt.interactive, what);
	if (c->verbose)
		printf("step %d: %s\n", number, what);
	step_faults = lab_faults_now();
	step_start = now_seconds();
}

/* bytes > 0: also print the throughput of the step. */
static void step_end(struct copy *c, const char *phase, off_t bytes)
{
	double seconds = now_seconds() - step_start;
	struct lab_faults after = lab_faults_now();

	if (c->verbose) {
		printf("        faults: minor +%ld, major +%ld; time %.3f ms",
		       after.minor - step_faults.minor,
		       after.major - step_faults.major, seconds * 1e3);
		if (bytes > 0 && seconds > 0)
			printf("; %.0f MiB/s", bytes / seconds / (1 << 20));
		printf("\n");
		lab_result(phase, "copy", step_faults, after);
	}
	lab_mark(phase);
}

static void step_skipped(struct copy *c, int number, const char *phase,
			 const char *why)
{
	if (c->verbose)
		printf("step %d: skipped: %s\n", number, why);
	lab_mark(phase);
}

/* ---------------------------------------------------------------------- */
/* The eight steps.                                                        */

/*
 * Step 1: open SRC read-only. We never write it, so we never ask to.
 * O_NONBLOCK changes nothing for a regular file; it only keeps open()
 * from waiting forever when SRC is a FIFO with no writer (step 2 then
 * refuses it).
 */
static void step1_open_source(struct copy *c)
{
	step_begin(c, 1, "open SRC read-only");
	c->src_fd = open(c->src_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->src_fd < 0)
		copy_failed(c->src_path, "cannot open: %s", strerror(errno));
	step_end(c, "opened-src", 0);
}

/*
 * Step 2: fstat SRC, for its size. fstat asks about the file we opened,
 * not about a name that someone could change meanwhile. This is also where
 * we refuse what cannot be copied safely, before DST is touched at all.
 */
static void step2_stat_source(struct copy *c)
{
	struct stat st;

	step_begin(c, 2, "fstat SRC: size, mode, is it safe to copy?");
	if (fstat(c->src_fd, &st) < 0)
		copy_failed(c->src_path, "fstat: %s", strerror(errno));
	refuse_unsafe_source(c, &st);
	c->size = st.st_size;
	c->mode = st.st_mode & 07777;
	if (c->verbose)
		printf("        SRC is %lld bytes, mode %04o\n",
		       (long long)c->size, (unsigned)c->mode);
	step_end(c, "stat-src", 0);
}

/*
 * Advice for the mappings (not with --plain):
 *   MADV_HUGEPAGE    (both) let the kernel keep the file in 2 MiB pieces
 *                    (folios) where it can, and map each with ONE
 *                    page-table entry instead of 512: fewer entries to
 *                    fill in, fewer faults, fewer TLB misses in memcpy.
 *                    (Recent kernels start a file mapping of 2 MiB or more
 *                    at a 2 MiB boundary, so the pieces line up.)
 *   MADV_SEQUENTIAL  (SRC only) we read it once, front to back: the kernel
 *                    reads further ahead, and lets its pages go first when
 *                    memory runs short. We never read DST.
 * All are hints: a kernel or filesystem that cannot follow them ignores
 * them, and the copy is the same.
 */
static void advise(struct copy *c, void *map, int sequential)
{
	if (sequential)
		madvise(map, c->size, MADV_SEQUENTIAL);
	if (opt.thp)
		madvise(map, c->size, MADV_HUGEPAGE);
}

/*
 * Step 3: map SRC. PROT_READ is all we need. MAP_PRIVATE or MAP_SHARED
 * makes no difference for a mapping we never write. No page is read yet:
 * the first access to each page faults, and the kernel maps the page from
 * the page cache (a minor fault) or reads it from disk first (major).
 */
static void step3_map_source(struct copy *c)
{
	step_begin(c, 3, "mmap SRC (PROT_READ)");
	c->src = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, c->src_fd, 0);
	if (c->src == MAP_FAILED)
		copy_failed(c->src_path, "mmap: %s", strerror(errno));
	/* We read it once, front to back: the kernel may read further ahead
	 * and drop pages behind us. */
	if (!opt.plain)
		advise(c, c->src, 1);
	step_end(c, "mapped-src", 0);
}

/*
 * Step 4: create DST for reading and writing. Not DST itself: a temporary
 * file in DST's directory (the same filesystem, so step 8 can rename it
 * over DST in one atomic step). Until then, DST is untouched.
 */
static void step4_create_destination(struct copy *c)
{
	step_begin(c, 4, "create the copy (a temporary file beside DST), read-write");
	open_temporary(c);
	step_end(c, "opened-dst", 0);
}

/*
 * Step 5: ftruncate DST to SRC's size. A mapping can only reach pages that
 * lie inside the file: touching a page past the end of the file is SIGBUS.
 * A new file is 0 bytes long, so it must be made long enough first.
 *
 * ftruncate only changes the size: no block is allocated, so a full disk
 * would show up later, in the middle of the copy (as SIGBUS, for a
 * mapping). posix_fallocate reserves all the blocks now, so "no space" is
 * an error message before anything is copied, and the copy cannot run out
 * of space half-way. (Where a filesystem cannot fallocate, glibc writes
 * into every block instead.) Reserving costs no time in the copy: bench-copy
 * and the lab text compare it with --no-reserve.
 */
static void step5_size_destination(struct copy *c)
{
	step_begin(c, 5, "ftruncate the copy to SRC's size, reserve the space");
	if (ftruncate(c->dst_fd, c->size) < 0)
		copy_failed(c->dst_path, "ftruncate: %s", strerror(errno));
	if (c->size > 0) {
		int err = posix_fallocate(c->dst_fd, 0, c->size);

		if (err != 0)
			copy_failed(c->dst_path, "cannot reserve %lld bytes: %s",
			    (long long)c->size, strerror(err));
	}
	if (c->size > 0 && !c->reserve)
		give_back_reservation(c);
	step_end(c, "truncated-dst", 0);
}

/*
 * Step 6: map DST with MAP_SHARED, PROT_READ | PROT_WRITE. MAP_SHARED is
 * what makes our stores reach the file: the mapping shows the page cache
 * pages of the file itself. With MAP_PRIVATE the first store to each page
 * would copy it (copy-on-write) into private anonymous memory, and the
 * file would stay all zeros.
 */
static void step6_map_destination(struct copy *c)
{
	step_begin(c, 6, "mmap the copy MAP_SHARED, PROT_READ|PROT_WRITE");
	c->dst = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->dst_fd, 0);
	if (c->dst == MAP_FAILED)
		copy_failed(c->dst_path, "mmap: %s", strerror(errno));
	if (!opt.plain)
		advise(c, c->dst, 0);
	step_end(c, "mapped-dst", 0);
}

/*
 * Step 7: memcpy. The assignment's one line is memcpy(dst, src, size),
 * which is what --plain does. The first touch of each page is a page
 * fault, and how much one fault maps depends on the kernel:
 *   - at a read fault on a cached file (SRC), the kernel also maps the
 *     cached pages around it ("fault-around", 64 KiB by default);
 *   - a kernel that keeps the file in large folios (ext4 and xfs do on
 *     recent kernels) can map a whole folio at one fault, up to 2 MiB,
 *     and with MADV_HUGEPAGE a 2 MiB folio with one page-table entry;
 *   - at a write fault on DST, where the file has no data yet, the kernel
 *     first makes the page, full of zeros, then lets us write it.
 * So a copy of 1 GiB takes between 512 faults per mapping (2 MiB each)
 * and 262,144 (one per 4 KiB page): -v shows what this kernel does.
 *
 * The default copies a window at a time and, before copying it, asks the
 * kernel to map the whole window in one system call (MADV_POPULATE_READ
 * for SRC, MADV_POPULATE_WRITE for DST): no fault exception per piece,
 * although the kernel still counts each piece it maps as a fault.
 * The windows are large (256 MiB) because memcpy is faster on large
 * copies: above a size (glibc: a fraction of the CPU's cache) it stores
 * around the cache, without reading DST's old bytes into it first. Not
 * the whole file at once, so that a large copy keeps no more than one
 * window of zero-filled pages waiting for memcpy.
 *
 * If SRC shrinks while we copy, its pages past the new end no longer
 * exist: MADV_POPULATE_READ fails with EFAULT, or memcpy raises SIGBUS.
 * catch_sigbus and die_after_sigbus turn both into an error message.
 * So does a page of DST that cannot get a block (disk full, I/O error):
 * MADV_POPULATE_WRITE fails, or memcpy raises SIGBUS.
 */
static void copy_window(struct copy *c, off_t offset, size_t length)
{
	if (!opt.populate) {
		memcpy(c->dst + offset, c->src + offset, length);
		return;
	}
	if (madvise(c->src + offset, length, MADV_POPULATE_READ) < 0 &&
	    errno == EFAULT)
		copy_failed_after_sigbus(c);	/* SRC lost pages: it shrank */
	if (madvise(c->dst + offset, length, MADV_POPULATE_WRITE) < 0 &&
	    errno == EFAULT)
		copy_failed(c->dst_path, "cannot write the copy (disk full or I/O error); "
		    "DST left as it was");
	memcpy(c->dst + offset, c->src + offset, length);
}

/* The faster copy: window by window, each populated first. */
static void copy_in_windows(struct copy *c)
{
	off_t offset;
	size_t length;

	for (offset = 0; offset < c->size; offset += length) {
		length = opt.window;
		if ((off_t)length > c->size - offset)
			length = c->size - offset;
		copy_window(c, offset, length);
	}
}

static void step7_copy(struct copy *c)
{
	step_begin(c, 7, opt.plain ? "memcpy SRC's mapping to DST's (one memcpy)"
				      : "memcpy SRC's mapping to DST's, window by window");
	/* A SIGBUS during the copy comes back here (see copy_safety.c). */
	catch_sigbus();
	if (sigsetjmp(sigbus_jump, 1) != 0)
		copy_failed_after_sigbus(c);
	if (opt.plain)
		memcpy(c->dst, c->src, c->size);
	else
		copy_in_windows(c);
	release_sigbus();
	step_end(c, "copied", c->size);
}

/*
 * Step 8: close. munmap both mappings, then make the copy durable and put
 * it in place:
 *   msync(MS_SYNC)  writes DST's dirty pages to disk (munmap alone leaves
 *                   them in the page cache, to be written some time later);
 *   fsync           the file's size and blocks, too;
 *   rename          replaces DST by the complete copy, in one step;
 *   fsync the dir   makes the rename itself durable.
 */
static void step8_close(struct copy *c)
{
	step_begin(c, 8, "msync, munmap, close, rename the copy over DST");
	if (c->dst != NULL) {
		if (c->sync && msync(c->dst, c->size, MS_SYNC) < 0)
			copy_failed(c->dst_path, "msync: %s", strerror(errno));
		munmap(c->dst, c->size);
	}
	if (c->src != NULL)
		munmap(c->src, c->size);
	close(c->src_fd);
	install_temporary(c);
	step_end(c, "closed", 0);
}

/* ---------------------------------------------------------------------- */
/* Options and main.                                                       */

/* "64M" -> 67108864. Returns -1 when TEXT is not a size. */
static off_t parse_bytes(const char *text)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10; end++; break;
	}
	if (*end == 'i' && shift > 0)	/* also accept KiB, MiB, GiB */
		end++;
	if (*end == 'B' && shift > 0)
		end++;
	if (*end != '\0' || n > (unsigned long long)INT64_MAX >> shift)
		return -1;
	return (off_t)(n << shift);
}

/*
 * The options: a short one (-v) is a letter, a long one (--verbose) has a
 * value of its own (OPT_...) when it has no letter.
 */
enum { OPT_MAX_SIZE = 256, OPT_WINDOW, OPT_PLAIN, OPT_NO_SYNC, OPT_BATCH,
       OPT_NO_POPULATE, OPT_NO_THP, OPT_NO_RESERVE };
static const struct option longopts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "method", required_argument, NULL, 'm' },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	{ "no-sync", no_argument, NULL, OPT_NO_SYNC },
	{ "no-populate", no_argument, NULL, OPT_NO_POPULATE },
	{ "no-thp", no_argument, NULL, OPT_NO_THP },
	{ "no-reserve", no_argument, NULL, OPT_NO_RESERVE },
	{ "interactive", no_argument, NULL, 'i' },
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};
#define SHORT_OPTIONS "vm:ih"

/* "--name" (LONG) or "-x" for the option whose value is VAL, for messages. */
static const char *option_name(int val, int is_long)
{
	static char name[64];
	int i;

	for (i = 0; is_long && longopts[i].name != NULL; i++)
		if (longopts[i].val == val) {
			snprintf(name, sizeof name, "--%s", longopts[i].name);
			return name;
		}
	snprintf(name, sizeof name, "-%c", val);
	return name;
}

/*
 * getopt_long found something wrong: say what. With opterr = 0 and ':'
 * first in the short options it returns ':' for a missing argument (WORD,
 * the last word it read, is then the option itself), and '?' for the
 * rest: optopt is 0 for an unknown or ambiguous long option (WORD), the
 * option's value for a long option given an argument it does not take
 * (--plain=1), the letter for an unknown short option.
 */
static void bad_option(int opt, const char *word)
{
	if (opt == ':')
		usage_error("option '%s' needs an argument",
			    option_name(optopt, strncmp(word, "--", 2) == 0));
	if (optopt == 0)
		usage_error("unknown or ambiguous option '%s'", word);
	if (optopt >= OPT_MAX_SIZE ||
	    (optopt != ':' && strchr(SHORT_OPTIONS, optopt) != NULL))
		usage_error("option '%s' takes no argument", option_name(optopt, 1));
	usage_error("unknown option '%s'", option_name(optopt, 0));
}

static void parse_options(int argc, char **argv, struct copy *c)
{
	int o;
	off_t n;

	opt.method = METHOD_MMAP;
	c->max_size = (off_t)1 << 30;
	opt.window = (size_t)256 << 20;
	c->sync = 1;
	opt.populate = 1;
	opt.thp = 1;
	c->reserve = 1;
	opterr = 0;
	/* '+': options only before SRC; ':': tell a missing argument apart */
	while ((o = getopt_long(argc, argv, "+:" SHORT_OPTIONS, longopts,
				  NULL)) != -1) {
		switch (o) {
		case 'v': c->verbose = 1; break;
		case 'm':
			opt.method = method_by_name(optarg);
			if (opt.method < 0)
				usage_error("unknown method '%s': use mmap, read, copy_file_range or sendfile", optarg);
			break;
		case OPT_MAX_SIZE:
			if ((c->max_size = parse_bytes(optarg)) < 0)
				usage_error("--max-size: '%s' is not a size in bytes", optarg);
			break;
		case OPT_WINDOW:
			n = parse_bytes(optarg);
			if (n <= 0 || n % 4096 != 0 || n > ((off_t)1 << 40))
				usage_error("--window: '%s' is not a multiple of 4096 bytes between 4K and 1T", optarg);
			opt.window = (size_t)n;
			break;
		case OPT_PLAIN: opt.plain = 1; break;
		case OPT_NO_SYNC: c->sync = 0; break;
		case OPT_NO_POPULATE: opt.populate = 0; break;
		case OPT_NO_THP: opt.thp = 0; break;
		case OPT_NO_RESERVE: c->reserve = 0; break;
		case 'i': opt.interactive = isatty(STDIN_FILENO); break;
		case OPT_BATCH: opt.interactive = 0; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: bad_option(o, argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		usage_error("%s", argc - optind < 2 ? "missing SRC or DST" : "too many arguments");
	c->src_path = argv[optind];
	c->dst_path = argv[optind + 1];
}

int main(int argc, char **argv)
{
	struct copy c = { .src_fd = -1, .dst_fd = -1 };

	parse_options(argc, argv, &c);
	remove_temporary_on_signals();
	if (c.verbose)
		printf("copy_bench: pid %d, method %s; watch it from another pane:\n"
		       "  ps -o pid,min_flt,maj_flt,rss,cmd -p %d\n",
		       (int)getpid(), method_name(opt.method), (int)getpid());
	if (c.verbose && opt.method == METHOD_MMAP)
		printf("machine THP mode: %s; this copy: %s\n", lab_thp_mode(),
		       opt.plain ? "--plain: one memcpy, no madvise at all"
		       : opt.thp ? "MADV_HUGEPAGE on both mappings"
		       : "--no-thp: no MADV_HUGEPAGE");

	step1_open_source(&c);
	step2_stat_source(&c);
	if (c.size > 0 && opt.method == METHOD_MMAP)
		step3_map_source(&c);
	else
		step_skipped(&c, 3, "mapped-src", c.size == 0
			     ? "SRC is empty (mmap of length 0 is invalid)"
			     : "this method does not map SRC");
	step4_create_destination(&c);
	step5_size_destination(&c);
	if (c.size > 0 && opt.method == METHOD_MMAP) {
		step6_map_destination(&c);
		step7_copy(&c);
	} else {
		step_skipped(&c, 6, "mapped-dst", c.size == 0
			     ? "SRC is empty (mmap of length 0 is invalid)"
			     : "this method does not map DST");
		if (c.size > 0) {
			step_begin(&c, 7, method_name(opt.method));
			copy_by_method(&c, opt.method);
			step_end(&c, "copied", c.size);
		} else {
			step_skipped(&c, 7, "copied", "nothing to copy");
		}
	}
	step8_close(&c);
	return 0;
}
