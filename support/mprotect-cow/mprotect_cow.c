/*
 * mprotect_cow - mprotect() and munmap() on copy-on-write pages.
 *
 * After fork(), parent and child share every page of a private buffer,
 * read-only in both page tables. The child changes the protection of the
 * buffer and unmaps a part of it; the parent's memory never changes.
 *   1. The child mprotect()s the middle half PROT_READ: its one VMA (a
 *      line of /proc/PID/maps) splits in three, and a write there is a
 *      SIGSEGV, which we catch. Nothing is copied.
 *   2. PROT_READ|PROT_WRITE again (the VMAs merge back), then K writes:
 *      one copy-on-write fault per page, as if mprotect had never been.
 *   3. The child munmaps the second half: its VMA shrinks, a read there
 *      is a SIGSEGV; the frames stay, the parent still maps them.
 *   4. The parent reads its whole buffer: all there, unchanged.
 * Each step prints the faults the kernel counted (a "result:" line) and
 * one line on why; each step at length: labs/mprotect-cow.md.
 * The plumbing (options, marks, the parent-child lockstep) is cowlab.h.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <setjmp.h>

static long page_size;

static struct {
	long pages, written;	/* N pages in the buffer, K written by the child */
	int batch, interactive;
	char *buf;
	pid_t child;
	struct lab_lockstep steps;
} lab = { .pages = 1024, .written = -1 };

static const struct lab_option options[] = {
	{ 'n', "pages", LAB_COUNT, &lab.pages, 4, LAB_MAX_PAGES, NULL, "N",
	  "pages in the buffer, at least 4" },
	{ 'w', "write", LAB_COUNT, &lab.written, 1, 0, &lab.pages, "K",
	  "pages the child writes once the buffer is writable\nagain (default N: all of them)" },
	LAB_OPTION_BATCH(lab.batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-w PAGES] [--batch]",
	"After fork(), the child mprotect()s and munmap()s parts of a shared\n"
	"copy-on-write buffer; the parent's memory is never affected.\n",
	"Machine-readable lines: 'result: phase=P role=R pid=N minor=N major=N',\n"
	"'vmas: ...', 'signal: ...', 'copy: ...' and 'intact: ...'.\n",
	0, 0
};

/*
 * Catching SIGSEGV: the handler notes where and why, and jumps back to the
 * sigsetjmp() in try_access(), skipping the access. (sigsetjmp(..., 1)
 * saves the signal mask, so SIGSEGV is not left blocked.)
 */
static sigjmp_buf segv_return;
static void *volatile segv_address;
static volatile int segv_code;

LAB_NOT_SANITIZED
static void on_segv(int signo, siginfo_t *info, void *context)
{
	(void)signo;
	(void)context;
	segv_address = info->si_addr;
	segv_code = info->si_code;
	siglongjmp(segv_return, 1);
}

/* Write (or only read) one byte at `where`: 0 if it worked, 1 on SIGSEGV. */
LAB_NOT_SANITIZED
static int try_access(char *where, int write)
{
	if (sigsetjmp(segv_return, 1) != 0)
		return 1;
	if (write)
		*(volatile char *)where = 'X';
	else
		(void)*(volatile char *)where;
	return 0;
}

/* One access that should be refused, measured: what signal, where? */
static void refused_access(const char *phase, long page, int write)
{
	struct lab_faults before = lab_faults_now();
	int refused = try_access(lab.buf + page * page_size, write);
	const char *code = !refused ? "none" : segv_code == SEGV_ACCERR ? "SEGV_ACCERR"
			   : segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other";

	lab_step_end(phase, "child", before);
	printf("signal: phase=%s refused=%s code=%s page=%ld\n", phase, refused ? "yes" : "no",
	       code, refused ? ((char *)segv_address - lab.buf) / page_size : -1L);
}

/* The lines of /proc/self/maps that overlap the buffer, and a summary. */
static void show_maps(const char *phase)
{
	uintptr_t lowest, highest;
	int count = lab_print_maps(lab.buf, (size_t)lab.pages * page_size, &lowest, &highest);

	printf("vmas: phase=%s pid=%d count=%d from=%lx to=%lx\n", phase, (int)getpid(),
	       count, (unsigned long)lowest, (unsigned long)highest);
}

/*
 * Has this process its own copy of a page? Bit 56 of the page's entry in
 * /proc/self/pagemap is set when no other process maps it: clear right
 * after fork() (shared with the parent), set by the write that copies it.
 */
static void show_copy(const char *phase, long page)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t at = (off_t)(((uintptr_t)lab.buf / page_size) + page) * (off_t)sizeof entry;
	int ok = fd >= 0 && pread(fd, &entry, sizeof entry, at) == (ssize_t)sizeof entry;

	if (fd >= 0)
		close(fd);
	printf("copy: phase=%s page=%ld own=%s\n", phase, page,
	       !ok ? "unknown" : (entry >> 56) & 1 ? "yes" : "no");
}

/* The child's steps 1 to 3, one each time the parent lets it. */
static void child_steps(void)
{
	long quarter = lab.pages / 4, half = lab.pages / 2;
	char *middle = lab.buf + quarter * page_size, *second_half = lab.buf + half * page_size;
	struct sigaction action = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct lab_faults before;

	if (sigaction(SIGSEGV, &action, NULL) != 0)
		lab_die("sigaction");
	lab_mark("forked");

	lab_child_wait(&lab.steps);	/* step 1 */
	show_maps("child-forked");
	before = lab_faults_now();
	if (mprotect(middle, (size_t)half * page_size, PROT_READ) != 0)
		lab_die("mprotect");
	lab_step_end("child-protected", "child", before);
	show_maps("child-protected");
	lab_why("a VMA has one protection: the kernel split it at the edges of the range");
	refused_access("child-write-refused", quarter, 1);
	show_copy("child-write-refused", quarter);
	lab_why("the VMA forbids the write: SIGSEGV before any copy (the faults are the signal's own)");
	lab_child_done(&lab.steps);

	lab_child_wait(&lab.steps);	/* step 2 */
	before = lab_faults_now();
	if (mprotect(middle, (size_t)half * page_size, PROT_READ | PROT_WRITE) != 0)
		lab_die("mprotect");
	lab_step_end("child-unprotected", "child", before);
	show_maps("child-unprotected");
	lab_why("the same protection on both sides again: the kernel merged the VMAs");
	lab_write_step("child-wrote", "child", lab.buf, lab.written, 'C');
	show_copy("child-wrote", quarter < lab.written ? quarter : lab.written - 1);
	lab_why("PROT_WRITE on the VMA does not make a shared page writable: only a copy does");
	lab_child_done(&lab.steps);

	lab_child_wait(&lab.steps);	/* step 3 */
	before = lab_faults_now();
	if (munmap(second_half, (size_t)(lab.pages - half) * page_size) != 0)
		lab_die("munmap");
	lab_step_end("child-unmapped", "child", before);
	show_maps("child-unmapped");
	refused_access("child-read-unmapped", half, 0);
	lab_why("the child's VMA ends at the half; the frames stay: the parent still maps them");
	lab_child_done(&lab.steps);
	lab_child_wait(&lab.steps);	/* released: exits */
}

/* Step 4. Is all of the parent's buffer still there, unchanged? */
static void parent_reads(void)
{
	struct lab_faults before = lab_faults_now();
	long intact = lab_count_pages_holding(lab.buf, lab.pages, 'P');

	lab_step_end("parent-read", "parent", before);
	printf("intact: pages=%ld intact=%ld\n", lab.pages, intact);
	lab_why("the child's mprotect, copies and munmap changed only the child's address space");
	show_maps("parent-end");
}

static void step(int number, const char *title)
{
	lab_step(number, 4, title);
	lab_pause(lab.interactive, "go on");
}

int main(int argc, char **argv)
{
	lab_parse_options(argc, argv, &usage, options);
	if (lab.written < 0)
		lab.written = lab.pages;
	lab.interactive = lab_interactive(lab.batch);
	page_size = lab_page_size();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("mprotect_cow: parent pid %d, a private buffer of %ld pages; 4 KiB pages\n"
	       "(MADV_NOHUGEPAGE; THP mode here: %s); the child writes K=%ld pages\n"
	       "watch it from another pane: ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d\n",
	       (int)getpid(), lab.pages, lab_thp_mode(), lab.written, (int)getpid());
	lab.buf = lab_map_buffer(lab.pages, 0);

	step(0, "the parent writes every page, then forks");
	lab_write_step("parent-wrote", "parent", lab.buf, lab.pages, 'P');
	show_maps("parent-wrote");
	lab.child = lab_fork_lockstep(&lab.steps, child_steps);
	lab_mark("forked");
	printf("forked: parent %d, child %d. Watch both, and the child's VMAs:\n"
	       "  ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d,%d\n  cat /proc/%d/maps\n",
	       (int)getpid(), (int)lab.child, (int)getpid(), (int)lab.child, (int)lab.child);

	step(1, "the child mprotect()s the middle half PROT_READ, then tries to write");
	lab_let_child(&lab.steps);
	step(2, "the child makes it PROT_READ|PROT_WRITE again and writes K pages");
	lab_let_child(&lab.steps);
	step(3, "the child munmaps the second half, then tries to read it");
	lab_let_child(&lab.steps);
	lab_pause(lab.interactive, "let the child exit (look at its maps first)");
	lab_release_child(&lab.steps);
	lab_wait_child(lab.child);
	step(4, "the child has exited: the parent reads its whole buffer");
	parent_reads();
	munmap(lab.buf, (size_t)lab.pages * page_size);
	printf("\ndone: protections and mappings belong to each process; the shared\n"
	       "frames are copied only when someone writes to them.\n");
	return 0;
}
