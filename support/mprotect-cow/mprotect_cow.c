/*
 * mprotect_cow - mprotect() and munmap() on copy-on-write pages.
 *
 * After fork(), parent and child share every page of a private buffer,
 * read-only in both page tables. What happens when the child changes the
 * protection of the buffer, or unmaps a part of it?
 *
 *   1. The child mprotect()s the middle half PROT_READ: its one VMA (the
 *      kernel's record of a mapped range, a line of /proc/PID/maps) is
 *      split into three. A write there is refused: SIGSEGV, which we catch
 *      (sigsetjmp/siglongjmp) and report. Nothing was copied.
 *   2. The child makes it PROT_READ|PROT_WRITE again (the three VMAs merge
 *      back) and writes K pages: one copy-on-write fault per page, as if
 *      mprotect had never happened. Making a VMA writable does not make a
 *      shared page writable; only a copy does.
 *   3. The child munmaps the second half of the buffer: its VMA shrinks,
 *      and reading there is a SIGSEGV too. The frames are still the
 *      parent's: munmap only drops the child's references to them.
 *   4. The parent reads its whole buffer: every page is still there and
 *      still holds what the parent wrote.
 *
 * Watch it from another tmux pane with
 *   ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p PARENT,CHILD
 * and look at the VMAs with  grep -A0 ... /proc/PID/maps  (printed below).
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define DEFAULT_PAGES 1024L
#define MAX_PAGES (1L << 20)

static long page_size;
static int interactive;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mprotect_cow [-n PAGES] [-w PAGES] [--batch] [--help]\n"
		"After fork(), the child mprotect()s and munmap()s parts of a shared\n"
		"copy-on-write buffer; the parent's memory is never affected.\n"
		"  -n, --pages=N  buffer size in pages, at least 4 (default %ld)\n"
		"  -w, --write=K  pages the child writes once the buffer is writable\n"
		"                 again (default N: all of them)\n"
		"  -b, --batch    do not wait for Enter between steps\n"
		"                 (automatic when stdin is not a terminal)\n"
		"  -h, --help     show this help\n"
		"Machine-readable lines: 'result: phase=P role=R pid=N minor=N major=N',\n"
		"'vmas: ...', 'signal: ...', 'copy: ...' and 'intact: ...'.\n",
		DEFAULT_PAGES);
}

static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "mprotect_cow: %s: %s (try --help)\n", what, why);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "mprotect_cow: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A whole decimal number of pages in [min, MAX_PAGES], or a usage error. */
static long parse_pages(const char *option, const char *text, long min)
{
	char *end;
	long pages;

	errno = 0;
	pages = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || pages < min || pages > MAX_PAGES) {
		char why[96];

		snprintf(why, sizeof why, "'%s' is not a number from %ld to %ld",
			 text, min, MAX_PAGES);
		usage_error(option, why);
	}
	return pages;
}

/*
 * Catching SIGSEGV. A write to a read-only or unmapped page makes the CPU
 * fault; the kernel finds no right to write (or no VMA at all) and sends
 * SIGSEGV. The handler notes where and why, and jumps back to the
 * sigsetjmp() in try_access(), skipping the access. (The mask is saved and
 * restored by sigsetjmp(..., 1), so SIGSEGV is not left blocked.)
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

static void catch_segv(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof action);
	action.sa_sigaction = on_segv;
	action.sa_flags = SA_SIGINFO;
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGSEGV, &action, NULL) != 0)
		die("sigaction");
}

/* Write (or only read) one byte at `where`; 0 if it worked, 1 on SIGSEGV. */
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

/* Print the /proc/self/maps lines of our buffer; return how many there are. */
static int show_maps(const char *phase, const char *buf, long pages)
{
	uintptr_t first = (uintptr_t)buf, end = first + (uintptr_t)pages * page_size;
	uintptr_t start, stop, lowest = UINTPTR_MAX, highest = 0;
	char line[512];
	int count = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		die("/proc/self/maps");
	printf("  /proc/%d/maps, lines of the buffer %#lx-%#lx:\n",
	       (int)getpid(), (unsigned long)first, (unsigned long)end);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%lx-%lx", &start, &stop) != 2)
			continue;
		if (stop <= first || start >= end)
			continue;	/* does not overlap the buffer */
		printf("    maps: %s", line);
		count++;
		lowest = start < lowest ? start : lowest;
		highest = stop > highest ? stop : highest;
	}
	fclose(f);
	printf("vmas: phase=%s pid=%d count=%d from=%lx to=%lx\n", phase,
	       (int)getpid(), count, (unsigned long)lowest, (unsigned long)highest);
	return count;
}

static void step(const char *who, int number, const char *title)
{
	printf("\n== %s, step %d: %s\n", who, number, title);
}

/* Print a measured step for people and for the tests, then mark it. */
static void report(const char *phase, const char *role,
		   struct lab_faults before, struct lab_faults after)
{
	lab_mark(phase);	/* first: under cowsample, measured right here */
	printf("  %s %d: page faults +%ld minor, +%ld major\n", role, (int)getpid(),
	       after.minor - before.minor, after.major - before.major);
	lab_result(phase, role, before, after);
}

/*
 * Has this process its own copy of the page at `where`? /proc/self/pagemap
 * holds one 64-bit entry per virtual page, and bit 56 is set when no other
 * process maps the page. Right after fork() every page is shared with the
 * parent (bit clear); the first write copies it (bit set). Exact for 4 KiB
 * pages, which our buffer uses. 1 or 0; -1 if pagemap cannot be read.
 */
static int own_copy(const char *where)
{
	uint64_t entry;
	off_t offset = (off_t)((uintptr_t)where / (uintptr_t)page_size) * (off_t)sizeof entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = pread(fd, &entry, sizeof entry, offset);
	close(fd);
	if (got != (ssize_t)sizeof entry)
		return -1;
	return (int)((entry >> 56) & 1);
}

/* Print whether page `page` of the buffer is still shared with the parent. */
static void show_copy(const char *phase, const char *buf, long page)
{
	int copied = own_copy(buf + page * page_size);

	if (copied == 1)
		printf("  page %ld: the child's own copy now (pagemap bit 56 is set)\n", page);
	else if (copied == 0)
		printf("  page %ld: still shared with the parent (pagemap bit 56 is clear)\n", page);
	else
		printf("  page %ld: unknown (/proc/self/pagemap unreadable)\n", page);
	printf("copy: phase=%s page=%ld own=%s\n", phase, page,
	       copied == 1 ? "yes" : copied == 0 ? "no" : "unknown");
}

/* One access that should be refused: report the SIGSEGV the kernel sent. */
static void refused_access(const char *phase, char *buf, long page, int write)
{
	struct lab_faults before = lab_faults_now();
	int refused = try_access(buf + page * page_size, write);
	struct lab_faults after = lab_faults_now();
	long at = ((char *)segv_address - buf) / page_size;

	if (refused)
		printf("  %s page %ld: SIGSEGV (%s) at %p, page %ld of the buffer; caught\n",
		       write ? "write to" : "read of", page,
		       segv_code == SEGV_ACCERR ? "SEGV_ACCERR: no permission"
		       : segv_code == SEGV_MAPERR ? "SEGV_MAPERR: nothing mapped there"
		       : "other", segv_address, at);
	else
		printf("  %s page %ld: it worked (it was expected to fail)\n",
		       write ? "write to" : "read of", page);
	printf("signal: phase=%s refused=%s code=%s page=%ld\n", phase,
	       refused ? "yes" : "no",
	       !refused ? "none" : segv_code == SEGV_ACCERR ? "SEGV_ACCERR"
	       : segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	       refused ? at : -1L);
	report(phase, "child", before, after);
}

/* Write `value` into the first byte of `count` pages from page `first`. */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long first, long count, char value)
{
	for (long i = first; i < first + count; i++)
		buf[i * page_size] = value;
}

/* The child's steps 1-3 on the shared copy-on-write buffer. */
static void child_steps(char *buf, long pages, long k)
{
	long quarter = pages / 4, half = pages / 2;
	struct lab_faults before, after;

	catch_segv();
	show_maps("child-forked", buf, pages);

	lab_pause(interactive, "mprotect the middle half read-only");
	step("child", 1, "mprotect(PROT_READ) the middle half, then try to write");
	before = lab_faults_now();
	if (mprotect(buf + quarter * page_size, (size_t)half * page_size, PROT_READ) != 0)
		die("mprotect");
	after = lab_faults_now();
	report("child-protected", "child", before, after);
	show_maps("child-protected", buf, pages);
	printf("  One VMA became three: a VMA has one protection, so the kernel split\n"
	       "  it at the edges of the read-only range.\n");
	refused_access("child-write-refused", buf, quarter, 1);
	show_copy("child-write-refused", buf, quarter);
	printf("  The write was refused before anything was copied. The kernel does\n"
	       "  not even count a refused access in min_flt; the few faults you may\n"
	       "  see here are the signal's own (its stack frame, the handler's code).\n");

	lab_pause(interactive, "make it writable again and write K pages");
	step("child", 2, "mprotect(PROT_READ|PROT_WRITE) again, write K pages");
	if (mprotect(buf + quarter * page_size, (size_t)half * page_size,
		     PROT_READ | PROT_WRITE) != 0)
		die("mprotect");
	lab_mark("child-unprotected");
	show_maps("child-unprotected", buf, pages);
	printf("  Same protection again on both sides: the kernel merged the VMAs.\n");
	before = lab_faults_now();
	write_pages(buf, 0, k, 'C');
	after = lab_faults_now();
	report("child-wrote", "child", before, after);
	show_copy("child-wrote", buf, quarter < k ? quarter : k - 1);
	printf("  One copy-on-write fault per page: PROT_WRITE on the VMA does not\n"
	       "  make a page that the parent still shares writable; only a copy does.\n");

	lab_pause(interactive, "munmap the second half");
	step("child", 3, "munmap the second half of the buffer");
	before = lab_faults_now();
	if (munmap(buf + half * page_size, (size_t)(pages - half) * page_size) != 0)
		die("munmap");
	after = lab_faults_now();
	report("child-unmapped", "child", before, after);
	show_maps("child-unmapped", buf, pages);
	refused_access("child-read-unmapped", buf, half, 0);
	printf("  The child's VMA ends at the half now. Its page-table entries there\n"
	       "  are gone, but the frames are not freed: the parent still maps them.\n");
	lab_pause(interactive, "let the child exit (look at its maps first)");
}

/* The parent's step 4: is all of its buffer still there, unchanged? */
LAB_NOT_SANITIZED
static void parent_checks(const char *buf, long pages)
{
	struct lab_faults before, after;
	long intact = 0;

	step("parent", 4, "read the whole buffer after the child is gone");
	before = lab_faults_now();
	for (long i = 0; i < pages; i++)
		if (buf[i * page_size] == 'P')
			intact++;
	after = lab_faults_now();
	report("parent-read", "parent", before, after);
	printf("intact: pages=%ld intact=%ld\n", pages, intact);
	printf("  %ld of %ld pages still hold the parent's 'P', with no fault: the\n"
	       "  child's mprotect, writes and munmap changed only the child.\n",
	       intact, pages);
	show_maps("parent-end", buf, pages);
}

struct options {
	long pages;		/* N: pages per buffer */
	long written;		/* K: pages the child writes */
};

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *write_text = NULL;
	int batch = 0, c;

	opt->pages = DEFAULT_PAGES;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:w:bh", longopts, NULL)) != -1) {
		if (c == 'n')
			opt->pages = parse_pages("-n", optarg, 4);
		else if (c == 'w')
			write_text = optarg;	/* checked once N is known */
		else if (c == 'b')
			batch = 1;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else if (c == ':')
			usage_error(argv[optind - 1], "needs a value");
		else if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) == 0)
			usage_error(argv[optind - 1], "takes no value");
		else
			usage_error(argv[optind - 1], "unknown option");
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	opt->written = write_text ? parse_pages("-w", write_text, 1) : opt->pages;
	if (opt->written < 1)
		opt->written = 1;
	if (opt->written > opt->pages)
		usage_error("-w", "the child cannot write more pages than -n");
	/* Waiting for Enter only makes sense when a person types it. */
	interactive = !batch && isatty(STDIN_FILENO);
}

int main(int argc, char **argv)
{
	struct options opt;
	long pages, k;
	struct lab_faults before, after;
	char *buf;
	pid_t child;
	int status;

	parse_options(argc, argv, &opt);
	pages = opt.pages;
	k = opt.written;
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("mprotect_cow: parent pid %d, a private buffer of %ld pages; 4 KiB pages\n"
	       "(MADV_NOHUGEPAGE; THP mode here: %s); the child writes K=%ld pages\n",
	       (int)getpid(), pages, lab_thp_mode(), k);
	printf("watch it from another pane: ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d\n"
	       "(after the fork, the child prints the command for both)\n", (int)getpid());
	buf = mmap(NULL, (size_t)pages * page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	madvise(buf, (size_t)pages * page_size, MADV_NOHUGEPAGE);

	lab_pause(interactive, "let the parent write every page");
	step("parent", 0, "write every page, then fork");
	before = lab_faults_now();
	write_pages(buf, 0, pages, 'P');
	after = lab_faults_now();
	report("parent-wrote", "parent", before, after);
	show_maps("parent-wrote", buf, pages);

	lab_pause(interactive, "fork");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		printf("  forked: parent %d, child %d. Watch both:\n"
		       "    ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d,%d\n"
		       "    cat /proc/%d/maps\n",
		       (int)getppid(), (int)getpid(), (int)getppid(), (int)getpid(),
		       (int)getpid());
		lab_mark("forked");
		child_steps(buf, pages, k);
		exit(0);
	}
	lab_mark("forked");
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "mprotect_cow: child: did not finish its steps (%s %d)\n",
			WIFSIGNALED(status) ? "killed by signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return 1;
	}
	parent_checks(buf, pages);
	lab_pause(interactive, "exit");
	munmap(buf, (size_t)pages * page_size);
	printf("\ndone: protections and mappings belong to each process; the shared\n"
	       "frames are copied only when someone writes to them.\n");
	return 0;
}
