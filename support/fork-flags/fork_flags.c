/*
 * fork_flags - what a child gets of each kind of memory, and what fork()
 * charges for it.
 *
 * The parent maps four areas of N pages and writes 'p' into every page:
 *   private      MAP_PRIVATE: the child sees the data; copy-on-write
 *   dontfork     MADV_DONTFORK: the area is not in the child at all
 *   wipeonfork   MADV_WIPEONFORK: in the child, but empty: it reads zeros
 *   shared       MAP_SHARED: one memory for both; a write is seen by both
 * Then it forks; the child reports what it sees in each area (a missing
 * area is a caught SIGSEGV) and its smaps VmFlags ("dc", "wf").
 *
 * fork() also charges commit: each private writable area is memory the
 * child may write, and under strict overcommit the kernel must promise it.
 * Committed_AS (/proc/meminfo) grows at fork by the parent's private
 * writable memory, with no page copied; not for dontfork and shared areas.
 *
 * Usage: fork_flags [-n PAGES] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <setjmp.h>
#include <sys/wait.h>

#define STEPS 4

enum { PRIVATE, DONTFORK, WIPEONFORK, SHARED, AREAS };
static const char *const area_name[AREAS] = { "private", "dontfork", "wipeonfork", "shared" };
static char *area[AREAS];
static long pages, page;
static sigjmp_buf missing;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(missing, 1);
}

/* What the first byte of an area holds in this process: the byte, or -1
 * when reading it is a segmentation fault (the area is not mapped). */
static int first_byte(const char *p)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	int byte = -1;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(missing, 1) == 0)
		byte = *(volatile const char *)p;
	sigaction(SIGSEGV, &old, NULL);
	return byte;
}

/* The VmFlags line of the mapping that starts at p, from /proc/self/smaps. */
static void vmflags_of(const void *p, char *flags, size_t size)
{
	if (lab_smaps_field(p, "VmFlags", flags, size) != 0) {
		snprintf(flags, size, "-");
		return;
	}
	/* "rd wr mr " -> "rd,wr,mr": one word in a key=value line */
	for (size_t len = strlen(flags); len > 0 && flags[len - 1] == ' '; len--)
		flags[len - 1] = '\0';
	for (char *c = flags; *c; c++)
		if (*c == ' ')
			*c = ',';
}

/* Committed_AS of /proc/meminfo, in KiB: memory the kernel has promised. */
static long committed_kb(void)
{
	return lab_proc_number("/proc/meminfo", "Committed_AS");
}

/* The child's report: one "area:" line per area. */
static void report(const char *role)
{
	char flags[256], seen[8];
	int byte;

	for (int a = 0; a < AREAS; a++) {
		byte = first_byte(area[a]);
		vmflags_of(area[a], flags, sizeof flags);
		snprintf(seen, sizeof seen, "%c", byte);
		printf("area: name=%s role=%s mapped=%s byte=%s data=%s zeros=%s vmflags=%s\n",
		       area_name[a], role, byte < 0 ? "no" : "yes",
		       byte < 0 ? "none" : byte == 0 ? "zero" : seen, byte == 'p' ? "yes" : "no",
		       byte == 0 ? "yes" : "no", byte < 0 ? "-" : flags);
	}
	fflush(stdout);
}

/* fork() a child that sits still until we close the pipe; returns it and
 * how much Committed_AS grew meanwhile (KiB). */
static pid_t fork_idle_child(int *hold, long *charged_kb)
{
	int fds[2];
	long before;
	char c;
	pid_t pid;

	if (pipe(fds) != 0)
		lab_die("pipe");
	fflush(stdout);
	before = committed_kb();
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	*charged_kb = committed_kb() - before;
	close(fds[0]);
	*hold = fds[1];
	return pid;
}

int main(int argc, char **argv)
{
	static long n = 16384;
	static int batch;
	static const struct lab_option options[] = {
		{ 'n', "pages", LAB_COUNT, &n, 1, LAB_MAX_PAGES, NULL, "N", "pages in each of the four areas" },
		LAB_OPTION_BATCH(batch), { 0 }
	};
	static const struct lab_usage usage = {
		"[-n N] [--batch]",
		"What a fork()ed child gets of private, MADV_DONTFORK, MADV_WIPEONFORK and\n"
		"shared memory, and what fork() charges to Committed_AS for it.\n",
		"Lines for scripts:\n"
		"  area: name=AREA role=child|parent mapped=yes|no byte=C|zero|none data=yes|no\n"
		"        zeros=yes|no vmflags=...\n"
		"  result: phase=forked role=parent pid=N minor=N major=N\n"
		"  commit: areas=all|without-private kb=N private_kb=N\n"
		"  (kb: the growth of Committed_AS across fork(); private_kb: the private\n"
		"  writable areas the child gets, private and wipeonfork)\n",
		0, 0
	};
	struct lab_faults before;
	int interactive, hold;
	long charged_kb;
	pid_t pid;

	lab_parse_options(argc, argv, &usage, options);
	interactive = lab_interactive(batch);
	pages = n;
	page = lab_page_size();

	lab_step(1, STEPS, "four areas of N pages, every page written");
	lab_why("the same data everywhere; only what fork() does with each area differs");
	for (int a = 0; a < AREAS; a++) {
		area[a] = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
			       (a == SHARED ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		if (area[a] == MAP_FAILED)
			lab_die("mmap");
		lab_use_page_size(area[a], n * page, 0);
		if (a == DONTFORK && madvise(area[a], n * page, MADV_DONTFORK) != 0)
			lab_die("madvise(MADV_DONTFORK)");
		if (a == WIPEONFORK && madvise(area[a], n * page, MADV_WIPEONFORK) != 0)
			lab_die("madvise(MADV_WIPEONFORK)");
		lab_write_pages(area[a], n, 'p');
	}
	report("parent");

	lab_pause(interactive, "fork");
	lab_step(2, STEPS, "fork(): the child reports what it sees");
	lab_why("dontfork is absent (SIGSEGV), wipeonfork reads zeros, the others read 'p'");
	fflush(stdout);		/* or the child prints our buffered text again */
	before = lab_faults_now();
	pid = fork();
	if (pid < 0)
		lab_die("fork");
	if (pid > 0)		/* a few faults: page tables are copied, pages are not */
		lab_step_end("forked", "parent", before);
	if (pid == 0) {
		report("child");
		area[SHARED][0] = 's';	/* seen by the parent: shared memory */
		area[PRIVATE][0] = 'c';	/* not seen: the child's copy */
		_exit(0);
	}
	if (waitpid(pid, NULL, 0) != pid)
		lab_die("waitpid");
	printf("parent: after the child wrote: shared=%c private=%c\n", area[SHARED][0], area[PRIVATE][0]);

	lab_pause(interactive, "measure the commit charge of fork");
	lab_step(3, STEPS, "Committed_AS across fork(), all four areas");
	lab_why("the child may write every private page: the kernel promises that memory");
	pid = fork_idle_child(&hold, &charged_kb);
	printf("commit: areas=all kb=%ld private_kb=%ld\n", charged_kb, 2 * n * page / 1024);
	close(hold);
	waitpid(pid, NULL, 0);

	lab_step(4, STEPS, "the same without the private and wipeonfork areas");
	lab_why("without them, fork() charges only the rest of the process (stack, heap, libc)");
	munmap(area[PRIVATE], n * page);
	munmap(area[WIPEONFORK], n * page);
	pid = fork_idle_child(&hold, &charged_kb);
	printf("commit: areas=without-private kb=%ld private_kb=0\n", charged_kb);
	close(hold);
	waitpid(pid, NULL, 0);
	return 0;
}
