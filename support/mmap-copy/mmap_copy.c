/*
 * mmap_copy - copy a file through memory mappings, the way the assignment
 * asks, and safely enough to use on real files.
 *
 *   mmap_copy [-v] [-i] SRC DST
 *
 * The assignment, in eight steps (one function each, main calls them in
 * order):
 *   1. open SRC read-only
 *   2. fstat it, to learn its size
 *   3. mmap SRC
 *   4. create DST for reading and writing
 *   5. ftruncate DST to the same size
 *   6. mmap DST with MAP_SHARED
 *   7. memcpy from one mapping to the other
 *   8. close (msync, munmap, close)
 *
 * What a real copy program adds lives in copy_safety.c, and each step says
 * where it calls it: the refusals of step 2 (the same file twice, a file
 * whose size the kernel does not report), the temporary file of step 4
 * that step 8 renames over DST, and the SIGBUS of step 7 when SRC shrinks.
 * labs/mmap-copy.md explains both files.
 *
 * -v prints every step with the page faults the kernel counted for it; a
 * "result:" line per step is what tests and graders read.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

static int interactive;
static struct lab_faults step_faults;
static double step_start;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -v: "step N: what", then the step's faults, from the kernel. */
static void step_begin(struct copy *c, int number, const char *what)
{
	lab_pause(interactive, what);
	if (c->verbose)
		printf("step %d: %s\n", number, what);
	step_faults = lab_faults_now();
	step_start = now_seconds();
}

static void step_end(struct copy *c, const char *phase)
{
	double seconds = now_seconds() - step_start;
	struct lab_faults after = lab_faults_now();

	lab_mark(phase);
	if (!c->verbose)
		return;
	printf("        faults: minor +%ld, major +%ld; time %.3f ms",
	       after.minor - step_faults.minor, after.major - step_faults.major,
	       seconds * 1e3);
	if (strcmp(phase, "copied") == 0 && seconds > 0)
		printf("; %.0f MiB/s", c->size / seconds / (1 << 20));
	printf("\n");
	lab_result(phase, "copy", step_faults, after);
}

static void step_skipped(struct copy *c, int number, const char *phase)
{
	if (c->verbose)
		printf("step %d: skipped: SRC is empty (mmap of length 0 is invalid)\n", number);
	lab_mark(phase);
}

/*
 * Step 1: open SRC read-only. We never write it, so we never ask to.
 * (O_NONBLOCK only keeps open() from waiting forever when SRC is a FIFO
 * with no writer; step 2 then refuses it.)
 */
static void step1_open_source(struct copy *c)
{
	step_begin(c, 1, "open SRC read-only");
	/* TODO 1: open c->src_path read-only into c->src_fd; if that fails,
	 * copy_failed(c->src_path, "cannot open: %s", strerror(errno)). */
	c->src_fd = open(c->src_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->src_fd < 0)
		copy_failed(c->src_path, "cannot open: %s", strerror(errno));
	/* END TODO */
	step_end(c, "opened-src");
}

/*
 * Step 2: fstat SRC, for its size. fstat asks about the file we opened,
 * not about a name that someone could change meanwhile. Here, before DST
 * is touched at all, we refuse what cannot be copied safely.
 */
static void step2_stat_source(struct copy *c)
{
	struct stat st;

	step_begin(c, 2, "fstat SRC: size, mode, is it safe to copy?");
	/* TODO 2: fstat c->src_fd into st; if that fails, copy_failed() as in
	 * step 1. */
	if (fstat(c->src_fd, &st) < 0)
		copy_failed(c->src_path, "fstat: %s", strerror(errno));
	/* END TODO */
	refuse_unsafe_source(c, &st);	/* copy_safety.c */
	c->size = st.st_size;
	c->mode = st.st_mode & 07777;
	if (c->verbose)
		printf("        SRC is %lld bytes, mode %04o\n",
		       (long long)c->size, (unsigned)c->mode);
	step_end(c, "stat-src");
}

/*
 * Step 3: map SRC. PROT_READ is all we need; MAP_PRIVATE or MAP_SHARED
 * makes no difference for a mapping we never write. No page is read yet:
 * the first access to each page faults, and the kernel maps the page from
 * the page cache (a minor fault) or reads it from disk first (major).
 */
static void step3_map_source(struct copy *c)
{
	step_begin(c, 3, "mmap SRC (PROT_READ)");
	/* TODO 3: map all c->size bytes of c->src_fd, for reading only, at
	 * c->src; if that fails, copy_failed(c->src_path, "mmap: %s", ...). */
	c->src = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, c->src_fd, 0);
	if (c->src == MAP_FAILED)
		copy_failed(c->src_path, "mmap: %s", strerror(errno));
	/* END TODO */
	step_end(c, "mapped-src");
}

/*
 * Step 4: create DST for reading and writing. Not DST itself: a temporary
 * file in DST's directory (the same filesystem, so step 8 can rename it
 * over DST in one atomic step). Until then, DST is untouched.
 */
static void step4_create_destination(struct copy *c)
{
	step_begin(c, 4, "create the copy (a temporary file beside DST), read-write");
	open_temporary(c);	/* copy_safety.c */
	step_end(c, "opened-dst");
}

/*
 * Step 5: ftruncate DST to SRC's size. A mapping can only reach pages that
 * lie inside the file: touching a page past its end is SIGBUS, and a new
 * file is 0 bytes long. ftruncate only changes the size; posix_fallocate
 * also reserves the blocks, so that a full disk is an error message now,
 * not a SIGBUS in the middle of memcpy.
 */
static void step5_size_destination(struct copy *c)
{
	step_begin(c, 5, "ftruncate the copy to SRC's size, reserve the space");
	/* TODO 5: make c->dst_fd c->size bytes long (ftruncate), then reserve
	 * its blocks (posix_fallocate, which returns an error number);
	 * copy_failed() with the reason if either fails. */
	if (ftruncate(c->dst_fd, c->size) < 0)
		copy_failed(c->dst_path, "ftruncate: %s", strerror(errno));
	if (c->size > 0) {
		int err = posix_fallocate(c->dst_fd, 0, c->size);

		if (err != 0)
			copy_failed(c->dst_path, "cannot reserve %lld bytes: %s",
				    (long long)c->size, strerror(err));
	}
	/* END TODO */
	if (c->size > 0 && !c->reserve)
		give_back_reservation(c);	/* --no-reserve: copy_safety.c */
	step_end(c, "truncated-dst");
}

/*
 * Step 6: map DST with MAP_SHARED, PROT_READ | PROT_WRITE. MAP_SHARED is
 * what makes our stores reach the file: the mapping shows the page cache
 * pages of the file itself. With MAP_PRIVATE the first store to each page
 * would copy it (copy-on-write) into private memory, and the file would
 * stay all zeros.
 */
static void step6_map_destination(struct copy *c)
{
	step_begin(c, 6, "mmap the copy MAP_SHARED, PROT_READ|PROT_WRITE");
	/* TODO 6: map all c->size bytes of c->dst_fd at c->dst, so that
	 * stores into the mapping reach the file; copy_failed() if that fails. */
	c->dst = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->dst_fd, 0);
	if (c->dst == MAP_FAILED)
		copy_failed(c->dst_path, "mmap: %s", strerror(errno));
	/* END TODO */
	step_end(c, "mapped-dst");
}

/*
 * Step 7: memcpy. The first touch of each page is a page fault: a read
 * fault maps SRC's page from the page cache (with its cached neighbours:
 * "fault-around"), a write fault on DST first makes a page of zeros. How
 * many pages one fault maps depends on the kernel: -v shows what yours
 * does. If SRC shrinks meanwhile, or DST's disk fails, memcpy raises
 * SIGBUS, which copy_safety.c turns into an error message.
 */
static void step7_copy(struct copy *c)
{
	step_begin(c, 7, "memcpy SRC's mapping to DST's");
	catch_sigbus();
	if (sigsetjmp(sigbus_jump, 1) != 0)
		copy_failed_after_sigbus(c);	/* a SIGBUS comes back here */
	/* TODO 7: copy c->size bytes from c->src to c->dst. */
	memcpy(c->dst, c->src, c->size);
	/* END TODO */
	release_sigbus();
	step_end(c, "copied");
}

/*
 * Step 8: close. msync(MS_SYNC) writes DST's dirty pages to disk (munmap
 * alone leaves them in the page cache, to be written some time later);
 * then munmap both mappings, and put the copy in place (copy_safety.c:
 * fsync, rename over DST, fsync the directory).
 */
static void step8_close(struct copy *c)
{
	step_begin(c, 8, "msync, munmap, close, rename the copy over DST");
	/* TODO 8: if there are mappings (not NULL): msync DST's with MS_SYNC
	 * (when c->sync; copy_failed() if it fails), then munmap both. */
	if (c->dst != NULL) {
		if (c->sync && msync(c->dst, c->size, MS_SYNC) < 0)
			copy_failed(c->dst_path, "msync: %s", strerror(errno));
		munmap(c->dst, c->size);
	}
	if (c->src != NULL)
		munmap(c->src, c->size);
	/* END TODO */
	close(c->src_fd);
	install_temporary(c);
	step_end(c, "closed");
}

/* ---------------------------------------------------------------------- */
/* Options and main.                                                       */

static const char usage_text[] =
	"usage: mmap_copy [options] SRC DST\n"
	"Copy SRC to DST through mmap (open, fstat, mmap, create, ftruncate,\n"
	"mmap MAP_SHARED, memcpy, close), safely: DST is replaced only by a\n"
	"complete copy.\n"
	"\n"
	"  -v, --verbose       print each step with its page faults\n"
	"  -i, --interactive   wait for Enter before each step (to watch ps)\n"
	"      --batch         never wait (the default)\n"
	"      --max-size N    refuse sources larger than N bytes (default 1G;\n"
	"                      suffixes K, M, G, T)\n"
	"      --no-reserve    check the space, then give the reserved blocks back\n"
	"                      (as if only ftruncate had been called)\n"
	"      --no-sync       do not flush the copy to disk before the rename\n"
	"  -h, --help          show this help\n"
	"\n"
	"Refused: a SRC that is not a regular file, or whose size the kernel does\n"
	"not report (proc and sysfs files: copy them with cat or cp), or that is\n"
	"DST itself. Space: DST's blocks are reserved before copying, so a full\n"
	"disk leaves DST as it was. Holes in SRC are not kept.\n"
	"The benchmark of other ways to copy is tools/bench-copy (make bench).\n"
	"\n"
	"Exit status: 0 copied, 1 refused or failed (DST unchanged), 2 usage.\n";

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "mmap_copy: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

/* "64M" -> 67108864; -1 when TEXT is not a size. */
static off_t parse_size(const char *text)
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
	if (*end != '\0' || n > (unsigned long long)INT64_MAX >> shift)
		return -1;
	return (off_t)(n << shift);
}

static void parse_options(int argc, char **argv, struct copy *c)
{
	enum { MAX_SIZE = 256, NO_RESERVE, NO_SYNC, BATCH };
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "batch", no_argument, NULL, BATCH },
		{ "max-size", required_argument, NULL, MAX_SIZE },
		{ "no-reserve", no_argument, NULL, NO_RESERVE },
		{ "no-sync", no_argument, NULL, NO_SYNC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	c->max_size = (off_t)1 << 30;
	c->reserve = c->sync = 1;
	opterr = 0;	/* one-line errors of our own */
	while ((opt = getopt_long(argc, argv, "+:vih", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v': c->verbose = 1; break;
		case 'i': interactive = isatty(STDIN_FILENO); break;
		case BATCH: interactive = 0; break;
		case MAX_SIZE:
			if ((c->max_size = parse_size(optarg)) < 0)
				usage_error("--max-size: '%s' is not a size in bytes", optarg);
			break;
		case NO_RESERVE: c->reserve = 0; break;
		case NO_SYNC: c->sync = 0; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: usage_error("unknown option, or a value it does not take: '%s'",
				     argv[optind - 1]);
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
	remove_temporary_on_signals();	/* copy_safety.c */
	if (c.verbose)
		printf("mmap_copy: pid %d; watch it from another pane:\n"
		       "  ps -o pid,min_flt,maj_flt,rss,cmd -p %d\n",
		       (int)getpid(), (int)getpid());

	step1_open_source(&c);
	step2_stat_source(&c);
	if (c.size > 0)
		step3_map_source(&c);
	else
		step_skipped(&c, 3, "mapped-src");
	step4_create_destination(&c);
	step5_size_destination(&c);
	if (c.size > 0) {
		step6_map_destination(&c);
		step7_copy(&c);
	} else {
		step_skipped(&c, 6, "mapped-dst");
		step_skipped(&c, 7, "copied");
	}
	step8_close(&c);
	return 0;
}
