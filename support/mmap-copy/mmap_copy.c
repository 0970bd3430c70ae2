/*
 * mmap_copy - copy a file through memory mappings, the way the assignment
 * asks, and safely enough to use on real files.
 *
 * The assignment, in eight steps, one function each, in order in main():
 *   1. open SRC read-only            5. ftruncate DST to the same size
 *   2. fstat it, to learn its size   6. mmap DST with MAP_SHARED
 *   3. mmap SRC                      7. memcpy from one mapping to the other
 *   4. create DST, read-write        8. close (msync, munmap, close)
 *
 * What a real copy program adds is in copy_safety.c, called where it is
 * needed: the refusals of step 2 (the same file twice, a file whose size
 * the kernel does not report), the temporary file of step 4 that step 8
 * renames over DST, the SIGBUS of step 7 when SRC shrinks. With -v each
 * step prints its page faults (a "result:" line) and one line on why;
 * labs/mmap-copy.md tells each step at length. The options and --help are
 * in copy_safety.c too (parse_command_line).
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap_copy.h"

static struct lab_faults step_faults;
static long long step_start_ns;

/* -v: "step N: what", and at its end the faults, why, and the time. */
static void step_begin(struct copy *c, int number, const char *what)
{
	lab_pause(c->interactive, what);
	if (c->verbose)
		printf("step %d: %s\n", number, what);
	step_faults = lab_faults_now();
	step_start_ns = lab_now_ns();
}

static void step_end(struct copy *c, const char *phase, const char *why)
{
	struct lab_faults after = lab_faults_now();
	double ms = (lab_now_ns() - step_start_ns) / 1e6;

	lab_mark(phase);
	if (!c->verbose)
		return;
	lab_result(phase, "copy", step_faults, after);
	lab_why(why);
	printf("time: %.3f ms", ms);
	if (strcmp(phase, "copied") == 0 && ms > 0)
		printf(", %.0f MiB/s", c->size / ms * 1e3 / (1 << 20));
	printf("\n");
}

static void step_skipped(struct copy *c, int number, const char *phase)
{
	if (c->verbose)
		printf("step %d: skipped: SRC is empty (mmap of length 0 is invalid)\n", number);
	lab_mark(phase);
}

/* Step 1. (O_NONBLOCK: a FIFO with no writer must not make open() wait
 * forever; step 2 refuses it.) */
static void step1_open_source(struct copy *c)
{
	step_begin(c, 1, "open SRC read-only");
	/* TODO 1: open c->src_path read-only into c->src_fd; if that fails,
	 * copy_failed(c->src_path, "cannot open: %s", strerror(errno)). */
	c->src_fd = open(c->src_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->src_fd < 0)
		copy_failed(c->src_path, "cannot open: %s", strerror(errno));
	/* END TODO */
	step_end(c, "opened-src", "we only read SRC, so we never ask to write it");
}

/* Step 2. fstat asks about the file we opened, not about a name that
 * someone could change meanwhile. */
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
		printf("SRC is %lld bytes, mode %04o\n", (long long)c->size, (unsigned)c->mode);
	step_end(c, "stat-src", "the size says how much to map; refusals come now, before DST is touched");
}

/* Step 3. PROT_READ is all we need; MAP_PRIVATE or MAP_SHARED makes no
 * difference for a mapping we never write. */
static void step3_map_source(struct copy *c)
{
	step_begin(c, 3, "mmap SRC (PROT_READ)");
	/* TODO 3: map all c->size bytes of c->src_fd, for reading only, at
	 * c->src; if that fails, copy_failed(c->src_path, "mmap: %s", ...). */
	c->src = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, c->src_fd, 0);
	if (c->src == MAP_FAILED)
		copy_failed(c->src_path, "mmap: %s", strerror(errno));
	/* END TODO */
	step_end(c, "mapped-src", "mmap only reserves addresses: each page is read at its first touch");
}

/* Step 4. Not DST itself: a temporary file in DST's directory (the same
 * filesystem, so that step 8 can rename it over DST in one step). */
static void step4_create_destination(struct copy *c)
{
	step_begin(c, 4, "create the copy (a temporary file beside DST), read-write");
	open_temporary(c);	/* copy_safety.c */
	step_end(c, "opened-dst", "a temporary file beside DST: DST itself changes only in step 8");
}

/* Step 5. ftruncate only changes the size; posix_fallocate also reserves
 * the blocks, so that a full disk is an error message now, not a SIGBUS in
 * the middle of memcpy. */
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
	step_end(c, "truncated-dst", "a mapping reaches only pages inside the file: a new file has none");
}

/* Step 6. MAP_SHARED: the mapping shows the page-cache pages of the file
 * itself. With MAP_PRIVATE each first store would copy its page
 * (copy-on-write) into private memory, and the file would stay zeros. */
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
	step_end(c, "mapped-dst", "MAP_SHARED: stores go to the file's own pages (MAP_PRIVATE would copy them)");
}

/* Step 7. How many pages one fault maps depends on the kernel: -v shows
 * what yours does. If SRC shrinks meanwhile, or DST's disk fails, memcpy
 * raises SIGBUS, which copy_safety.c turns into an error message. */
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
	step_end(c, "copied", "each first touch faults: SRC's maps a cached page, DST's makes a zeroed one");
}

/* Step 8. munmap alone would leave DST's pages in the page cache, to be
 * written some time later; install_temporary fsyncs and renames. */
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
	step_end(c, "closed", "msync writes DST's pages to disk; rename puts the whole copy in place at once");
}

static struct copy c = { .src_fd = -1, .dst_fd = -1, .reserve = 1, .sync = 1 };

int main(int argc, char **argv)
{
	parse_command_line(&c, argc, argv);	/* copy_safety.c: options, --help */
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
