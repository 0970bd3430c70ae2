/*
 * cowlab.h - the plumbing every cowlab lab program shares, so that the
 * programs themselves can be the lesson.
 *
 * Measuring
 *   lab_faults_now()            this process's page-fault counters, from the kernel
 *   lab_step_end(phase, role, before)
 *                               end of a measured step: the phase mark, then
 *                               the result line (always in that order)
 *   lab_result(...), lab_result_of(pid, ...)
 *                               a result line alone (lab_result_of: for a process
 *                               that cannot print, a vfork child)
 *   lab_mark("phase")           tell cowsample (if it runs us) that a step ended
 *   lab_now_ns(), lab_timestamp(mode, event, pid, ns)
 *                               CLOCK_MONOTONIC, comparable across processes
 *   lab_wait_child(pid), lab_wait_child_usage(pid, &rusage)
 *                               reap a child that must exit 0 (and its counters)
 *   lab_self_exe()              this program's file, to exec it again
 *   lab_exec_argv(via), LAB_OPTION_EXEC_CHILD(var), lab_exec_image(via)
 *                               the new image of a child that exec'd this program
 *   lab_new_file(path)          a new file (never overwriting one), or a nameless one
 * Reading /proc (one reader each)
 *   lab_proc_number(path, field)  a number of a /proc or /sys file, never allocating
 *   lab_smaps_field(addr, field, text, size), lab_smaps_kb(addr, field)
 *                               one line of one mapping in /proc/self/smaps
 *   lab_print_maps(addr, bytes, &lowest, &highest)
 *                               the /proc/self/maps lines (VMAs) over a range
 * Memory
 *   lab_map_buffer(pages, thp)  N private anonymous pages, huge pages chosen explicitly
 *   lab_use_page_size(buf, bytes, thp)   the same choice for a mapping of your own
 *   lab_write_pages / lab_read_pages / lab_count_pages_holding
 *                               one byte per page (LAB_NOT_SANITIZED)
 *   lab_write_step(phase, role, buf, pages, value)   a measured step of writes
 *   lab_page_size(), lab_huge_page_size(), lab_thp_mode(), lab_thp_possible(),
 *   lab_zero_page_in_use()      (1, 0, or -1: cannot tell)
 * Parent and child in lockstep
 *   lab_lockstep_open/_parent/_child, lab_child_wait/_done, lab_let_child, lab_release_child
 *   lab_fork_lockstep(&ls, child_steps)   all of it, where fork() is not the lesson
 * Command line and the student
 *   lab_parse_options(argc, argv, &usage, options)   a table of options
 *                               (LAB_OPTION_PAGES/WRITE/THP/BATCH, LAB_FLAG, LAB_COUNT,
 *                               LAB_TEXT): the same -n, -w, --thp, --batch, --help
 *                               everywhere; lab_interactive(batch), lab_parse_count()
 *   lab_usage_error(), lab_die()  one-line errors (exit 2, exit 1)
 *   lab_print_setup(thp, interactive)   the THP and mode lines every lab starts with
 *   lab_print_zero_page(), lab_print_counters(who)
 *   lab_step(n, total, title), lab_why(text), lab_pause(interactive, "next")
 *   lab_pause_raw(interactive, prompt)   the same without stdio (a vfork child)
 *   lab_begin_step(n, total, title, what, interactive, "next")   with the ps command
 *   lab_parent_touches(buf, pages, thp)   the measured first touch (parent-touched)
 *   lab_print_thp_expectation(pages)      what that first touch takes with --thp
 *   lab_todo(N)                 in a student skeleton only: where TODO N is missing
 *
 * Lab programs define _GNU_SOURCE before including any header. Every helper
 * is static inline: the header is the whole library. It also runs one
 * constructor before main(), lab_mark_setup(), which checks the mark pipe.
 */
#ifndef COWLAB_H
#define COWLAB_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * LAB_NOT_SANITIZED, written before a function that touches the lab's
 * buffer: the kit's sanitizer build (-fsanitize=address) checks every
 * access against a "shadow" map of memory, and the first touch of that
 * shadow faults too (one shadow page per 8 pages). Such functions are left
 * unchecked, so the faults a lab counts are its buffer's own in every
 * build. In a normal build the attribute changes nothing.
 */
#define LAB_NOT_SANITIZED __attribute__((no_sanitize_address))

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* A failed system call: "PROG: WHAT: strerror(errno)", exit status 1. */
__attribute__((noreturn)) static inline void lab_die(const char *what)
{
	int saved = errno;

	fflush(stdout);
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(saved));
	exit(1);
}

/* A usage error: "PROG: WHAT: WHY (try --help)", one line, exit status 2. */
__attribute__((noreturn)) static inline void lab_usage_error(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s (try --help)\n", program_invocation_short_name, what, why);
	exit(2);
}

/* ------------------------------------------------------------------ */
/* Measuring                                                           */
/* ------------------------------------------------------------------ */

/* Page faults counted by the kernel for this process so far. */
struct lab_faults {
	long minor;	/* no I/O needed: zero-fill, copy-on-write, page-cache hit */
	long major;	/* I/O needed: the page had to be read from a file or swap */
};

static inline struct lab_faults lab_faults_now(void)
{
	struct rusage usage;
	struct lab_faults faults = { 0, 0 };

	/* ru_minflt/ru_majflt are the same counters as min_flt/maj_flt in
	 * /proc/self/stat, which is what ps and cowsample show. */
	if (getrusage(RUSAGE_SELF, &usage) == 0) {
		faults.minor = usage.ru_minflt;
		faults.major = usage.ru_majflt;
	}
	return faults;
}

/*
 * One line per measured step, in a fixed form that tests, quizzes and the
 * grader read (the sentences around it are for people):
 *   result: phase=child-wrote role=child pid=1234 minor=512 major=0
 */
static inline void lab_result_of(pid_t pid, const char *phase, const char *role,
				 struct lab_faults before, struct lab_faults after)
{
	printf("result: phase=%s role=%s pid=%d minor=%ld major=%ld\n",
	       phase, role, (int)pid, after.minor - before.minor, after.major - before.major);
	fflush(stdout);
}

/* The result line of this process's own step. */
static inline void lab_result(const char *phase, const char *role,
			      struct lab_faults before, struct lab_faults after)
{
	lab_result_of(getpid(), phase, role, before, after);
}

/*
 * Phase marks. When cowsample runs a lab, it passes the write end of a
 * pipe in the environment variable COWLAB_MARK_FD; a mark is one line
 * "PID PHASE". With COWLAB_MARK_SYNC=1 cowsample is also tracing us
 * (ptrace): we stop ourselves with SIGSTOP, cowsample takes its
 * measurement while we are stopped and lets us go on, so its numbers are
 * taken exactly at the end of the step.
 *
 * The descriptor is checked once, before main() opens any file of its own:
 * it must be open for writing and be a pipe (or FIFO). Anything else (no
 * variable, a closed descriptor, a regular file, a terminal) and lab_mark()
 * does nothing at all, so that a stray COWLAB_MARK_FD can never make a
 * lab write its marks into a file the lab opened itself (issue 14).
 */
static int lab_mark_fd = -1;	/* the checked pipe, or -1: marks off */
static int lab_mark_sync;	/* stop at each mark (cowsample traces us) */

__attribute__((constructor)) static void lab_mark_setup(void)
{
	const char *fd_text = getenv("COWLAB_MARK_FD");
	const char *sync = getenv("COWLAB_MARK_SYNC");
	struct stat st;
	char *end;
	long fd;
	int flags;

	if (fd_text == NULL || *fd_text == '\0')
		return;
	errno = 0;
	fd = strtol(fd_text, &end, 10);
	if (errno != 0 || *end != '\0' || fd < 0 || fd > 65535)
		return;
	flags = fcntl((int)fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
		return;
	if (fstat((int)fd, &st) != 0 || !S_ISFIFO(st.st_mode))
		return;
	lab_mark_fd = (int)fd;
	lab_mark_sync = sync != NULL && strcmp(sync, "1") == 0;
}

static inline void lab_mark(const char *phase)
{
	char line[128];
	int len;

	if (lab_mark_fd < 0)
		return;
	len = snprintf(line, sizeof line, "%d %s\n", (int)getpid(), phase);
	if (len <= 0 || len >= (int)sizeof line)
		return;
	/* One short write to a pipe is atomic: marks of parent and child
	 * never mix. If the sampler has gone, we simply carry on. */
	if (write(lab_mark_fd, line, (size_t)len) != len)
		return;
	if (lab_mark_sync)
		raise(SIGSTOP);
}

/*
 * The end of a measured step: read the counters, mark the phase, print
 * the result line. Always this order, in every lab: the counters first
 * (printing can fault), then the mark (cowsample measures right there),
 * then the line for people and scripts.
 */
static inline void lab_step_end(const char *phase, const char *role, struct lab_faults before)
{
	struct lab_faults after = lab_faults_now();

	lab_mark(phase);
	lab_result(phase, role, before, after);
}

/* CLOCK_MONOTONIC in ns: one clock for all processes, so times taken in a
 * parent and in its child can be compared (read without a system call). */
static inline long long lab_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One line per event whose time matters, for scripts (ns: lab_now_ns()):
 *   timestamp: mode=vfork event=child-exit pid=1234 ns=1160281327039 */
static inline void lab_timestamp(const char *mode, const char *event, pid_t pid, long long ns)
{
	printf("timestamp: mode=%s event=%s pid=%d ns=%lld\n", mode, event, (int)pid, ns);
}

/* Reap a child that must have exited with status 0, or stop (exit 1);
 * its final counters (ru_minflt, ru_majflt, ...) go in *usage. */
static inline void lab_wait_child_usage(pid_t child, struct rusage *usage)
{
	int status;

	if (wait4(child, &status, 0, usage) != child)
		lab_die("wait4");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child %d did not exit cleanly (status 0x%x)\n",
			program_invocation_short_name, (int)child, status);
		exit(1);
	}
}

static inline void lab_wait_child(pid_t child)
{
	struct rusage usage;

	lab_wait_child_usage(child, &usage);
}

/* This program's own file (/proc/self/exe), to run it again with exec. */
static inline const char *lab_self_exe(void)
{
	static char path[4096];
	ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);

	if (len < 0)
		lab_die("readlink /proc/self/exe");
	path[len] = '\0';
	return path;
}

/*
 * A lab that shows exec runs itself again as the child's new image:
 * lab_exec_argv(VIA) is the argv for that ("PROG --exec-child VIA"), the
 * lab's option table has LAB_OPTION_EXEC_CHILD(var) (internal, not in
 * --help), and when var is set, main() returns lab_exec_image(var): the
 * new image marks its start (phase exec-image-started), prints its
 * timestamp, an "exec-image: via=VIA pid=N ppid=N" line and, as its result
 * line, its totals since the process was created (for comparison with ps).
 */
static inline char *const *lab_exec_argv(const char *via)
{
	static char *argv[] = { NULL, "--exec-child", NULL, NULL };

	argv[0] = program_invocation_short_name;
	argv[2] = (char *)via;
	return argv;
}

#define LAB_OPTION_EXEC_CHILD(var) { 0, "exec-child", LAB_TEXT, &(var), 0, 0, NULL, "VIA", NULL }

static inline int lab_exec_image(const char *via)
{
	struct lab_faults zero = { 0, 0 };

	lab_mark("exec-image-started");
	lab_timestamp(via, "image-start", getpid(), lab_now_ns());
	printf("exec-image: via=%s pid=%d ppid=%d\n", via, (int)getpid(), (int)getppid());
	lab_result("exec-image-started", "child", zero, lab_faults_now());
	return 0;
}

/*
 * A file for a lab to write in: a NEW file at `path` (O_EXCL: an existing
 * file is refused with a usage error, never overwritten), or, when path is
 * NULL, a file with no name at all in $TMPDIR or /tmp (O_TMPFILE), gone
 * when it is closed.
 */
static inline int lab_new_file(const char *path)
{
	const char *dir = getenv("TMPDIR") != NULL && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd = path != NULL ? open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644)
			      : open(dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);

	if (fd < 0 && path != NULL && errno == EEXIST)
		lab_usage_error(path, "exists already; give a new name (nothing is overwritten)");
	if (fd < 0)
		lab_die(path != NULL ? path : dir);
	return fd;
}

/* ------------------------------------------------------------------ */
/* Reading /proc                                                       */
/* ------------------------------------------------------------------ */

/*
 * A number from a /proc or /sys file: the first one in it (field NULL), or
 * the one after "FIELD:" or "FIELD " at the start of a line (smaps_rollup's
 * "Private_Dirty:  12 kB", vmstat's "cow_ksm 3", meminfo's "Committed_AS:").
 * -1 when the file or the field is missing. It reads with open/read into a
 * static buffer and never allocates, so a lab may call it inside a step it
 * measures (in the sanitizer build an allocation faults pages of its own).
 */
static inline long lab_proc_number(const char *path, const char *field)
{
	static char text[16384];
	size_t used = 0, len = field != NULL ? strlen(field) : 0;
	const char *at;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (used < sizeof text - 1 && (n = read(fd, text + used, sizeof text - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	if (used == 0)
		return -1;
	text[used] = '\0';
	if (field == NULL)
		return atol(text);
	for (at = text; at != NULL; at = strchr(at, '\n'), at = at != NULL ? at + 1 : NULL)
		if (strncmp(at, field, len) == 0 && (at[len] == ':' || at[len] == ' '))
			return atol(at + len + 1);
	return -1;
}

/*
 * The value of the line "FIELD: value" of the mapping that starts at addr,
 * from /proc/self/smaps ("Rss", "Private_Dirty", "VmFlags", ...), copied
 * into text without the newline. 0, or -1 (text "") when the mapping or
 * the field is not there.
 */
static inline int lab_smaps_field(const void *addr, const char *field, char *text, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[1024];
	unsigned long start, end;
	size_t len = strlen(field);
	int in_mapping = 0, found = -1;

	if (size > 0)
		text[0] = '\0';
	while (found < 0 && f != NULL && fgets(line, sizeof line, f) != NULL) {
		/* A mapping's first line is "START-END PERMS ..."; the fields
		 * ("Rss:", "AnonHugePages:") never read as START-END. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in_mapping = start == (uintptr_t)addr;
		else if (in_mapping && strncmp(line, field, len) == 0 && line[len] == ':') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(text, size, "%s", line + len + 1 + strspn(line + len + 1, " \t"));
			found = 0;
		}
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/* A "FIELD: N kB" line of that mapping, in KiB (-1: not there). */
static inline long lab_smaps_kb(const void *addr, const char *field)
{
	char text[64];

	return lab_smaps_field(addr, field, text, sizeof text) == 0 ? atol(text) : -1;
}

/*
 * The lines of /proc/self/maps that overlap [addr, addr + bytes): each is
 * printed as "    maps: LINE"; returns how many (the VMAs), with the start
 * of the lowest and the end of the highest in *lowest and *highest.
 */
static inline int lab_print_maps(const void *addr, size_t bytes, uintptr_t *lowest,
				 uintptr_t *highest)
{
	uintptr_t first = (uintptr_t)addr, last = first + bytes;
	unsigned long start, stop;
	char line[1024];
	int count = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		lab_die("/proc/self/maps");
	*lowest = UINTPTR_MAX;
	*highest = 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%lx-%lx", &start, &stop) == 2 && stop > first && start < last) {
			printf("    maps: %s", line);
			count++;
			*lowest = start < *lowest ? start : *lowest;
			*highest = stop > *highest ? stop : *highest;
		}
	fclose(f);
	return count;
}

/* ------------------------------------------------------------------ */
/* The machine                                                         */
/* ------------------------------------------------------------------ */

static inline long lab_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Size of a PMD-sized transparent huge page (2 MiB on x86-64). */
static inline long lab_huge_page_size(void)
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
 * The machine's transparent-huge-page mode: "always", "madvise", "never",
 * or "unknown" (no THP support). It is the word in [brackets] in
 * /sys/kernel/mm/transparent_hugepage/enabled.
 */
static inline const char *lab_thp_mode(void)
{
	static char mode[16] = "unknown";
	char text[128];
	char *open_bracket, *close_bracket;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f == NULL)
		return mode;
	if (fgets(text, sizeof text, f) != NULL) {
		open_bracket = strchr(text, '[');
		close_bracket = open_bracket ? strchr(open_bracket, ']') : NULL;
		if (close_bracket != NULL && close_bracket - open_bracket - 1 < (long)sizeof mode) {
			*close_bracket = '\0';
			strcpy(mode, open_bracket + 1);
		}
	}
	fclose(f);
	return mode;
}

/* Can a buffer that asks for huge pages get them here? */
static inline int lab_thp_possible(void)
{
	const char *mode = lab_thp_mode();

	return strcmp(mode, "always") == 0 || strcmp(mode, "madvise") == 0;
}

/*
 * Does reading untouched memory map the kernel's shared zero page? Most
 * kernels do; some virtualised ones are built or started without it. Read
 * 64 fresh pages and ask smaps how much real memory backs them: the zero
 * page is never counted in Rss. 1 yes, 0 no, -1 cannot tell.
 */
static inline int lab_zero_page_in_use(void)
{
	const long pages = 64, page = lab_page_size();
	volatile char *probe;
	long i, rss_kb;

	probe = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED)
		return -1;
	/* 4 KiB pages; also keeps the probe a mapping of its own in smaps. */
	madvise((void *)probe, pages * page, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		(void)probe[i * page];
	rss_kb = lab_smaps_kb((const void *)probe, "Rss");
	munmap((void *)probe, pages * page);
	if (rss_kb < 0)
		return -1;
	return rss_kb < pages * page / 1024 / 2;
}

/* ------------------------------------------------------------------ */
/* The buffer                                                          */
/* ------------------------------------------------------------------ */

/*
 * The page size of a fresh anonymous mapping, chosen here and never left
 * to the machine: a 2 MiB huge page is filled by one fault, so a lab's
 * counts would otherwise depend on the THP mode.
 *   thp == 0: madvise(MADV_NOHUGEPAGE), 4 KiB pages only.
 *   thp == 1: madvise(MADV_HUGEPAGE), after moving the (still untouched)
 *             mapping to a huge-page boundary with mremap, so that every
 *             whole 2 MiB of it can be one huge page.
 * Returns the buffer's address, which moves only in the second case.
 */
static inline char *lab_use_page_size(char *buf, size_t bytes, int thp)
{
	size_t huge;
	char *area, *aligned;

	if (!thp) {
		/* Fails only without THP support: 4 KiB pages anyway. */
		madvise(buf, bytes, MADV_NOHUGEPAGE);
		return buf;
	}
	huge = (size_t)lab_huge_page_size();
	if ((uintptr_t)buf % huge != 0) {
		/* Reserve room for an aligned copy of the range, move the
		 * mapping there, give back what is left of the room. */
		area = mmap(NULL, bytes + huge, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (area == MAP_FAILED)
			lab_die("mmap");
		aligned = (char *)(((uintptr_t)area + huge - 1) & ~(uintptr_t)(huge - 1));
		if (mremap(buf, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, aligned) == MAP_FAILED)
			lab_die("mremap");
		if (aligned > area)
			munmap(area, (size_t)(aligned - area));
		munmap(aligned + bytes, (size_t)(area + huge - aligned));
		buf = aligned;
	}
	if (madvise(buf, bytes, MADV_HUGEPAGE) != 0)
		fprintf(stderr, "%s: madvise(MADV_HUGEPAGE): %s (4 KiB pages)\n",
			program_invocation_short_name, strerror(errno));
	return buf;
}

/*
 * Map N private anonymous pages, readable and writable, with the page
 * size chosen as above. mmap only reserves addresses: no frame is
 * allocated and no fault happens until a page is touched.
 */
static inline char *lab_map_buffer(long pages, int thp)
{
	size_t bytes = (size_t)pages * (size_t)lab_page_size();
	char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		lab_die("mmap");
	return lab_use_page_size(buf, bytes, thp);
}

/* Write `value` into the first byte of each of the first `pages` pages. */
LAB_NOT_SANITIZED
static inline void lab_write_pages(char *buf, long pages, char value)
{
	const long page = lab_page_size();

	for (long i = 0; i < pages; i++)
		buf[i * page] = value;
}

/* Read the first byte of each page (volatile: the reads must happen);
 * returns their sum, so a caller can check what it read. */
LAB_NOT_SANITIZED
static inline long lab_read_pages(const char *buf, long pages)
{
	const volatile char *p = buf;
	const long page = lab_page_size();
	long sum = 0;

	for (long i = 0; i < pages; i++)
		sum += p[i * page];
	return sum;
}

/* How many of the first `pages` pages hold `value` in their first byte. */
LAB_NOT_SANITIZED
static inline long lab_count_pages_holding(const char *buf, long pages, char value)
{
	const volatile char *p = buf;
	const long page = lab_page_size();
	long n = 0;

	for (long i = 0; i < pages; i++)
		n += p[i * page] == value;
	return n;
}

/* A measured step that only writes: one byte (`value`) in each of the
 * first `pages` pages, then lab_step_end(phase, role). */
static inline void lab_write_step(const char *phase, const char *role, char *buf, long pages,
				  char value)
{
	struct lab_faults before = lab_faults_now();

	lab_write_pages(buf, pages, value);
	lab_step_end(phase, role, before);
}

/* ------------------------------------------------------------------ */
/* Parent and child in lockstep                                        */
/* ------------------------------------------------------------------ */

/*
 * After fork() the parent runs the lab (it alone reads the keyboard) and
 * lets the child do one step at a time; both stay alive, and visible to
 * ps, between steps. Two pipes, as the comm pipes of the kernel's
 * tools/testing/selftests/mm/cow.c:
 *
 *   parent                          child
 *   lab_lockstep_open(&ls)
 *   fork() ------------------------ lab_lockstep_child(&ls)
 *   lab_lockstep_parent(&ls)        lab_child_wait(&ls)   blocks...
 *   lab_let_child(&ls) -- go ---->  ...returns: do step 1
 *        blocks...      <- done --  lab_child_done(&ls)
 *   lab_let_child(&ls) -- go ---->  lab_child_wait(&ls): do step 2 ...
 *   lab_release_child(&ls) ------>  lab_child_wait(&ls) exits the child
 *
 * So the child's code is one straight function: wait, step, done, wait,
 * step, done... When the parent closes its end (the lab is over, or the
 * parent died), the child's next lab_child_wait() exits: a child never
 * outlives its parent.
 */
struct lab_lockstep {
	int go[2];		/* parent -> child: "your next step" */
	int done[2];		/* child -> parent: "that step is done" */
};

static inline void lab_lockstep_open(struct lab_lockstep *ls)
{
	if (pipe(ls->go) != 0 || pipe(ls->done) != 0)
		lab_die("pipe");
	fflush(stdout);		/* or the child would print our buffered text again */
}

/* After fork(), each side closes the ends it does not use. */
static inline void lab_lockstep_parent(struct lab_lockstep *ls)
{
	close(ls->go[0]);
	close(ls->done[1]);
}

static inline void lab_lockstep_child(struct lab_lockstep *ls)
{
	close(ls->go[1]);
	close(ls->done[0]);
}

/* Child: wait for the parent's go; exit when the parent has let us go. */
static inline void lab_child_wait(struct lab_lockstep *ls)
{
	char c;

	if (read(ls->go[0], &c, 1) != 1) {
		fflush(stdout);
		_exit(0);
	}
}

/* Child: the step is done (our text is out first). */
static inline void lab_child_done(struct lab_lockstep *ls)
{
	fflush(stdout);
	if (write(ls->done[1], "d", 1) != 1)
		_exit(1);
}

/* Parent: let the child do its next step, and wait until it is done. */
static inline void lab_let_child(struct lab_lockstep *ls)
{
	char c;

	fflush(stdout);		/* our text first, then the child's */
	if (write(ls->go[1], "g", 1) != 1)
		lab_die("pipe to the child");
	if (read(ls->done[0], &c, 1) != 1) {	/* end of file: no child holds the pipe */
		fprintf(stderr, "%s: the child ended before its step was done (it died, or exited: see above)\n",
			program_invocation_short_name);
		exit(1);
	}
}

/* Parent: no more steps; the child's next lab_child_wait() exits. */
static inline void lab_release_child(struct lab_lockstep *ls)
{
	fflush(stdout);
	close(ls->go[1]);
	close(ls->done[0]);
}

/*
 * All of the above for a lab whose fork() is not the lesson: open the
 * pipes, fork, and run child_steps() in the child (it exits when that
 * returns, or at its lab_child_wait() once released). Returns the child's
 * PID, in the parent.
 */
static inline pid_t lab_fork_lockstep(struct lab_lockstep *ls, void (*child_steps)(void))
{
	pid_t child;

	lab_lockstep_open(ls);
	child = fork();
	if (child < 0)
		lab_die("fork");
	if (child == 0) {
		lab_lockstep_child(ls);
		child_steps();
		fflush(stdout);
		_exit(0);
	}
	lab_lockstep_parent(ls);
	return child;
}

/* ------------------------------------------------------------------ */
/* The command line                                                    */
/* ------------------------------------------------------------------ */

/*
 * Every lab describes its options in a table, and lab_parse_options() does
 * the rest: getopt_long, numbers checked against their range, one-line
 * usage errors, and --help generated from the same table. -h/--help is
 * always there. An option's help text may have several lines ('\n').
 *
 *   static long pages = 1024, written = -1;   (-1: not given)
 *   static int thp, batch;
 *   static const struct lab_option options[] = {
 *           LAB_OPTION_PAGES(pages),
 *           LAB_OPTION_WRITE(written, pages, "pages the child writes (default N/2)"),
 *           LAB_OPTION_THP(thp),
 *           LAB_OPTION_BATCH(batch),
 *           { 0 }
 *   };
 */
enum lab_option_kind {
	LAB_FLAG = 1,		/* no value: sets an int to 1 */
	LAB_COUNT,		/* a whole number in [min, max] into a long */
	LAB_TEXT,		/* any text into a const char * */
};

struct lab_option {
	char short_name;		/* 'n', or 0: long name only */
	const char *long_name;		/* "pages" */
	enum lab_option_kind kind;
	void *value;			/* int *, long * or const char ** */
	long min, max;			/* LAB_COUNT: the accepted range... */
	const long *max_is;		/* ...or, when set, max is this option's value */
	const char *value_name;		/* in --help: "N" */
	const char *help;		/* NULL: an internal option, not in --help */
};

#define LAB_MAX_PAGES (1L << 22)	/* 16 GiB of 4 KiB pages */
#define LAB_OPTION_PAGES(var) \
	{ 'n', "pages", LAB_COUNT, &(var), 1, LAB_MAX_PAGES, NULL, "N", "pages in the buffer" }
#define LAB_OPTION_WRITE(var, pages_var, help) \
	{ 'w', "write", LAB_COUNT, &(var), 0, 0, &(pages_var), "K", help }
#define LAB_OPTION_THP(var) \
	{ 0, "thp", LAB_FLAG, &(var), 0, 0, NULL, NULL, \
	  "ask for transparent huge pages (MADV_HUGEPAGE);\n" \
	  "default: 4 KiB pages only (MADV_NOHUGEPAGE)" }
#define LAB_OPTION_BATCH(var) \
	{ 'b', "batch", LAB_FLAG, &(var), 0, 0, NULL, NULL, \
	  "run through without waiting for Enter (the default\n" \
	  "when stdin is not a terminal)" }

/* What --help says around the option list. */
struct lab_usage {
	const char *synopsis;	/* after "Usage: PROG " */
	const char *summary;	/* what the lab shows, a few lines */
	const char *notes;	/* after the options: lines for scripts, phases */
	int min_args, max_args;	/* operands after the options */
};

static inline void lab_print_help(const struct lab_usage *usage, const struct lab_option *options)
{
	const struct lab_option *o;
	char left[64];
	const char *line, *next;

	printf("Usage: %s %s\n%s\n", program_invocation_short_name, usage->synopsis,
	       usage->summary);
	for (o = options; o->kind != 0; o++) {
		if (o->help == NULL)
			continue;
		snprintf(left, sizeof left, "%s%c%s--%s%s%s",
			 o->short_name ? "-" : " ", o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->long_name,
			 o->value_name ? "=" : "", o->value_name ? o->value_name : "");
		for (line = o->help; line != NULL; line = next) {
			next = strchr(line, '\n');
			printf("  %-18s %.*s", line == o->help ? left : "",
			       (int)(next ? next - line : (long)strlen(line)), line);
			if (next != NULL)
				next++;
			else if (o->kind == LAB_COUNT && *(long *)o->value >= 0)
				printf(" (default %ld)", *(long *)o->value);
			printf("\n");
		}
	}
	printf("  %-18s show this help\n", "-h, --help");
	if (usage->notes != NULL)
		printf("\n%s", usage->notes);
}

/* A whole decimal number in [min, max], or a usage error. */
static inline long lab_parse_count(const char *option, const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
		char why[128];

		snprintf(why, sizeof why, "'%s' is not a number from %ld to %ld", text, min, max);
		lab_usage_error(option, why);
	}
	return value;
}

/*
 * Parse argv by the table; on a usage error print one line and exit 2, on
 * --help print the help and exit 0. Returns the index in argv of the first
 * operand (getopt_long moves operands after the options).
 */
static inline int lab_parse_options(int argc, char **argv, const struct lab_usage *usage,
				    const struct lab_option *options)
{
	struct option longopts[32];
	char shortopts[80] = ":h", name[4];
	const char *counts[32] = { 0 };	/* LAB_COUNT texts, checked at the end */
	int n = 0, c, i;

	for (i = 0; options[i].kind != 0 && i < 30; i++, n++) {
		longopts[n] = (struct option){ options[i].long_name,
			options[i].kind == LAB_FLAG ? no_argument : required_argument,
			NULL, 256 + i };
		if (options[i].short_name) {
			size_t len = strlen(shortopts);

			shortopts[len] = options[i].short_name;
			shortopts[len + 1] = options[i].kind == LAB_FLAG ? '\0' : ':';
			shortopts[len + 2] = '\0';
		}
	}
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const char *arg = argv[optind - 1];

		if (c == 'h') {
			lab_print_help(usage, options);
			exit(0);
		}
		if (c == ':')
			lab_usage_error(arg, "needs a value");
		if (c == '?') {
			snprintf(name, sizeof name, "-%c", optopt);
			if (strncmp(arg, "--", 2) != 0)
				lab_usage_error(name, "unknown option");
			/* A known long option that was given a value has optopt set. */
			lab_usage_error(arg, optopt != 0 ? "takes no value" : "unknown option");
		}
		for (i = 0; c < 256 && options[i].kind != 0; i++)
			if (options[i].short_name == c)
				break;
		if (c >= 256)
			i = c - 256;
		if (options[i].kind == LAB_FLAG)
			*(int *)options[i].value = 1;
		else if (options[i].kind == LAB_TEXT)
			*(const char **)options[i].value = optarg;
		else
			counts[i] = optarg;
	}
	/* Numbers last: a maximum may be another option's value (-w by -n). */
	for (i = 0; options[i].kind != 0; i++) {
		const struct lab_option *o = &options[i];

		if (o->kind != LAB_COUNT || counts[i] == NULL)
			continue;
		snprintf(name, sizeof name, "-%c", o->short_name);
		{
			char long_name[64];

			snprintf(long_name, sizeof long_name, "--%s", o->long_name);
			*(long *)o->value = lab_parse_count(o->short_name ? name : long_name,
							    counts[i], o->min,
							    o->max_is ? *o->max_is : o->max);
		}
	}
	if (argc - optind > usage->max_args)
		lab_usage_error(argv[optind + usage->max_args], "unexpected argument");
	if (argc - optind < usage->min_args)
		lab_usage_error("missing operand", usage->synopsis);
	return optind;
}

/* Waiting for Enter only makes sense when a person types it. */
static inline int lab_interactive(int batch)
{
	return !batch && isatty(STDIN_FILENO);
}

/* ------------------------------------------------------------------ */
/* Talking to the student                                              */
/* ------------------------------------------------------------------ */

/* The lines every lab prints first about its pages and its mode. */
static inline void lab_print_setup(int thp, int interactive)
{
	const char *mode = lab_thp_mode();

	printf("transparent huge pages: machine mode '%s'; this run: %s\n", mode,
	       thp ? "asks for them (--thp: MADV_HUGEPAGE, huge-page-aligned buffer)"
		   : "4 KiB pages only (MADV_NOHUGEPAGE; --thp asks for huge pages)");
	if (thp && !lab_thp_possible())
		printf("  note: THP is '%s' here, so the kernel will use 4 KiB pages anyway\n", mode);
	printf("mode: %s\n", interactive ? "interactive (Enter goes on to the next step)"
					  : "batch (no waiting)");
}

/* What the kernel knows about the zero page here (lab_zero_page_in_use). */
static inline void lab_print_zero_page(void)
{
	int zero_page = lab_zero_page_in_use();

	printf("zero page: %s\n",
	       zero_page == 1 ? "in use (reading untouched memory maps the shared zero page)" :
	       zero_page == 0 ? "NOT used by this kernel (reading untouched memory allocates)" :
				"could not tell (no /proc/self/smaps)");
}

/* This process's totals: the numbers ps shows as min_flt and maj_flt. */
static inline void lab_print_counters(const char *who)
{
	struct lab_faults now = lab_faults_now();

	printf("%s %d counters now: min_flt=%ld maj_flt=%ld\n",
	       who, (int)getpid(), now.minor, now.major);
}

/* "== Step 2 of 7: TITLE ==" */
static inline void lab_step(int number, int total, const char *title)
{
	printf("\n== Step %d of %d: %s ==\n", number, total, title);
}

/* One line per step that says why the counts are what they are; the
 * long story is in the lab's text, under the step's phase name. */
static inline void lab_why(const char *text)
{
	printf("why: %s\n", text);
}

/* Interactive mode: wait for Enter, so a student can look at ps first. */
static inline void lab_pause(int interactive, const char *next_step)
{
	int c;

	if (!interactive)
		return;
	printf("\n[press Enter to %s] ", next_step);
	fflush(stdout);
	while ((c = getchar()) != EOF && c != '\n')
		;
}

/* Wait for Enter with read/write only, no stdio: for a vfork child, which
 * shares the parent's stdio buffers. */
static inline void lab_pause_raw(int interactive, const char *prompt)
{
	char c;

	if (interactive && write(STDOUT_FILENO, prompt, strlen(prompt)) > 0)
		while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
			;
}

/*
 * A step that makes children: its title, what it does, the ps command that
 * shows this process and its children (stat: a parent waiting in vfork()
 * is in state D), then Enter. stdout is flushed: a child that has a copy
 * of our memory must not print our text again.
 */
static inline void lab_begin_step(int number, int total, const char *title, const char *what,
				  int interactive, const char *next_step)
{
	lab_step(number, total, title);
	printf("%s\n", what);
	printf("watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
	       (int)getpid(), (int)getpid());
	lab_pause(interactive, next_step);
	fflush(stdout);
}

/* With --thp, after the first touch of N pages: how many faults to expect,
 * and where to see the huge pages. */
static inline void lab_print_thp_expectation(long pages)
{
	long per_huge = lab_huge_page_size() / lab_page_size();

	printf("Expect about %ld faults: %ld huge pages + %ld pages of 4 KiB after the last\n"
	       "one (up to %ld if the kernel has no huge page to give).\n",
	       pages / per_huge + pages % per_huge, pages / per_huge, pages % per_huge, pages);
	printf("See them: grep AnonHugePages /proc/%d/smaps_rollup\n", (int)getpid());
}

/* The step several labs start with: the parent writes one byte in each
 * page of its fresh buffer (phase parent-touched), a demand-zero fault
 * per page, or per huge page with --thp. */
static inline void lab_parent_touches(char *buf, long pages, int thp)
{
	lab_write_step("parent-touched", "parent", buf, pages, 'p');
	lab_why(thp ? "with --thp one fault fills a whole 2 MiB huge page with zeros"
		    : "each first write to a page faults: the kernel maps a zeroed frame");
}

/*
 * Student skeletons (make skels) have lab_todo(N) where the reference has
 * the code between "TODO N" and "END TODO" comments. It says which part is
 * missing and stops, so a skeleton compiles, runs up to the first missing
 * part, and never goes on with nonsense. The reference never calls it.
 */
__attribute__((noreturn)) static inline void lab_todo(int number)
{
	fflush(stdout);
	fprintf(stderr, "%s: TODO %d is not written yet (see its comment in the source)\n",
		program_invocation_short_name, number);
	exit(1);
}

/* Wait until COUNT processes have arrived at *MEETING, a counter in shared
 * memory (spinning, so that they leave together; yielding the CPU now and
 * then, while one of them is not running). user-cow's racers use it. */
static inline void lab_meet(int *meeting, long count)
{
	long spins = 0;

	__atomic_add_fetch(meeting, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(meeting, __ATOMIC_ACQUIRE) < count)
		if (++spins % 4096 == 0)
			sched_yield();
}

#endif
