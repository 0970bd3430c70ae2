/*
 * clone_demo - clone() flags decide what a child shares with its parent.
 *
 * fork() and vfork() are two settings of one system call, clone(). Its
 * flags say, one resource at a time, whether the child gets a copy or
 * shares the parent's own:
 *
 *   CLONE_VM      the address space (memory and page tables)
 *   CLONE_FILES   the table of open file descriptors
 *   CLONE_FS      current directory, root directory, umask
 *   CLONE_SIGHAND the table of signal handlers
 *   CLONE_THREAD  the thread group (same pid: a thread, not a process)
 *   CLONE_VFORK   suspend the parent until the child's exec or exit
 *
 *   fork()           = clone(SIGCHLD)                        copies all
 *   vfork()          = clone(CLONE_VM | CLONE_VFORK | SIGCHLD)
 *   pthread_create() = clone(CLONE_VM | CLONE_FS | CLONE_FILES |
 *                            CLONE_SIGHAND | CLONE_THREAD | ...)
 *
 * The lab:
 * 1. The parent maps N private pages and writes one byte to each.
 * 2. clone(CLONE_VM | SIGCHLD): the child writes K pages of the parent's
 *    memory: no fault at all, and the parent sees every write.
 * 3. clone(SIGCHLD): the child writes K pages: one copy-on-write fault per
 *    page, and the parent does not see the writes (this is fork()).
 * 4. clone(SIGCHLD): the child opens one file and closes another; the
 *    parent's descriptors do not change.
 * 5. clone(CLONE_FILES | SIGCHLD): the same, and the parent sees both.
 *
 * With --copy-first, steps 2 and 3 swap: after the copy child, the parent's
 * pages stay write-protected (as after any fork), so even the CLONE_VM
 * child's writes fault, once per page: reuse faults, no copy.
 *
 * Usage: clone_demo [-n PAGES] [-w PAGES] [--copy-first] [--thp] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define STEPS 5
#define CHILD_STACK_SIZE (256 * 1024)

static const char *prog = "clone_demo";
static long page_size;

struct options {
	long pages;		/* N: pages in the buffer */
	long written;		/* K: pages each child writes */
	int thp;		/* ask for transparent huge pages */
	int copy_first;		/* run the copy child before the CLONE_VM one */
	int interactive;	/* wait for Enter between steps */
};

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void print_help(void)
{
	printf("Usage: %s [-n PAGES] [-w PAGES] [--copy-first] [--thp] [--batch]\n"
	       "Show what clone() flags share: children created with and without\n"
	       "CLONE_VM write the parent's buffer (page faults counted by the kernel),\n"
	       "children created with and without CLONE_FILES open and close files.\n"
	       "\n"
	       "  -n, --pages=N    pages in the buffer (default 1024)\n"
	       "  -w, --write=K    pages each child writes (default N, 0..N)\n"
	       "      --copy-first run the child without CLONE_VM first (steps 2 and 3\n"
	       "                   swapped): see what it leaves behind in the parent\n"
	       "      --thp        ask for transparent huge pages (MADV_HUGEPAGE);\n"
	       "                   default: 4 KiB pages only (MADV_NOHUGEPAGE)\n"
	       "  -b, --batch      run through without waiting for Enter (the default\n"
	       "                   when stdin is not a terminal)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Lines for scripts:\n"
	       "  result: phase=P role=parent|child|child-vm|child-novm pid=N minor=N major=N\n"
	       "  memory: flags=F child_wrote_pages=K parent_sees_child_writes=yes|no\n"
	       "  files: flags=F child_opened_fd=N open_in_parent=yes|no\n"
	       "         child_closed_fd=N closed_in_parent=yes|no   (one line)\n"
	       "Phases: parent-touched child-wrote (roles child-vm, child-novm)\n"
	       "        vm-child-exited copy-child-exited files-copy-child files-copy-checked\n"
	       "        files-shared-child files-shared-checked\n", prog);
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

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{ "thp", no_argument, NULL, 'T' },
		{ "copy-first", no_argument, NULL, 'C' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const long max_pages = 1L << 22;	/* 16 GiB of 4 KiB pages */
	const char *write_text = NULL;
	int batch = 0;
	int c;

	opt->pages = 1024;
	opt->thp = 0;
	opt->copy_first = 0;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:w:bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt->pages = parse_count("-n", optarg, 1, max_pages);
			break;
		case 'w':
			write_text = optarg;	/* checked once N is known */
			break;
		case 'T':
			opt->thp = 1;
			break;
		case 'C':
			opt->copy_first = 1;
			break;
		case 'b':
			batch = 1;
			break;
		case 'h':
			print_help();
			exit(0);
		case ':':
			usage_error(argv[optind - 1], "needs a number of pages");
			break;
		default:
			usage_error(argv[optind - 1], "unknown option");
		}
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	opt->written = write_text ? parse_count("-w", write_text, 0, opt->pages)
				  : opt->pages;
	/* Waiting for Enter only makes sense when a person types it. */
	opt->interactive = !batch && isatty(STDIN_FILENO);
}

/* Report a failed system call and stop (not a usage error: exit 1). */
static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ */
/* Memory and printing                                                 */
/* ------------------------------------------------------------------ */

/* Map N private anonymous pages; THP is chosen here, not left to chance. */
static char *map_buffer(long pages, int thp)
{
	size_t size = (size_t)pages * page_size;
	char *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		die("mmap");
	if (madvise(buf, size, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
		fprintf(stderr, "%s: madvise: %s (THP left to the kernel)\n",
			prog, strerror(errno));
	return buf;
}

/* Write one byte in each of the first `pages` pages.
 * (LAB_NOT_SANITIZED: see cowlab.h.) */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, char value)
{
	long i;

	for (i = 0; i < pages; i++)
		buf[i * page_size] = value;
}

/* How many of the first `pages` pages hold `value` in their first byte. */
static long count_pages_holding(const char *buf, long pages, char value)
{
	const volatile char *p = buf;
	long i, n = 0;

	for (i = 0; i < pages; i++)
		n += p[i * page_size] == value;
	return n;
}

static void print_step(int step, const char *title)
{
	printf("\n== Step %d of %d: %s ==\n", step, STEPS, title);
}

/* The command to type in the other tmux pane: the parent and its children. */
static void print_ps(pid_t parent)
{
	printf("watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
	       (int)parent, (int)parent);
	fflush(stdout);
}

/* "CLONE_VM|CLONE_FILES|SIGCHLD": the flags this lab uses, by name. */
static const char *flags_text(int flags)
{
	static char text[64];

	snprintf(text, sizeof text, "%s%sSIGCHLD",
		 flags & CLONE_VM ? "CLONE_VM|" : "",
		 flags & CLONE_FILES ? "CLONE_FILES|" : "");
	return text;
}

/* End of a step: measure, tell cowsample, print the result line. */
static void end_step(const char *phase, const char *role, struct lab_faults before)
{
	struct lab_faults after = lab_faults_now();

	lab_mark(phase);
	lab_result(phase, role, before, after);
}

/* ------------------------------------------------------------------ */
/* Starting a child with clone()                                       */
/* ------------------------------------------------------------------ */

/*
 * clone() runs fn(arg) in the child, on a stack we must provide: with
 * CLONE_VM the child shares our memory, so it cannot use our stack. When
 * fn returns, the child exits with fn's return value as its status.
 * SIGCHLD is the signal the parent gets when the child ends, which lets
 * the parent wait for it with an ordinary waitpid(), as for fork().
 * Returns the child's exit status.
 */
static int run_clone(int (*fn)(void *), void *arg, int flags)
{
	char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int status;
	pid_t child;

	if (stack == MAP_FAILED)
		die("mmap (child stack)");
	fflush(stdout);		/* or a child with its own memory prints it again */
	/* Stacks grow down on x86-64: pass the top of the area. */
	child = clone(fn, stack + CHILD_STACK_SIZE, flags, arg);
	if (child < 0)
		die("clone");
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	munmap(stack, CHILD_STACK_SIZE);
	if (!WIFEXITED(status)) {
		fprintf(stderr, "%s: child %d was killed (status 0x%x)\n",
			prog, (int)child, status);
		exit(1);
	}
	return WEXITSTATUS(status);
}

/* ------------------------------------------------------------------ */
/* Steps 2 and 3: memory, without and with CLONE_VM                    */
/* ------------------------------------------------------------------ */

struct memory_job {
	char *buf;
	long pages;
	char value;		/* what the child writes */
	const char *role;	/* child-vm or child-novm, in its result line */
	int interactive;
};

/* The child: write the pages, report the faults it took. */
static int memory_child(void *arg)
{
	struct memory_job *job = arg;
	struct lab_faults before = lab_faults_now();

	write_pages(job->buf, job->pages, job->value);
	end_step("child-wrote", job->role, before);
	printf("child %d (parent %d) wrote %ld pages\n",
	       (int)getpid(), (int)getppid(), job->pages);
	fflush(stdout);
	lab_pause(job->interactive, "let the child exit");
	return 0;
}

static void memory_step(int step, char *buf, const struct options *opt,
			int flags, char value, const char *exited)
{
	struct memory_job job = { buf, opt->written, value,
				  flags & CLONE_VM ? "child-vm" : "child-novm", opt->interactive };
	long seen;

	print_step(step, flags & CLONE_VM ? "clone(CLONE_VM | SIGCHLD): shared memory"
					  : "clone(SIGCHLD): a copy of the memory, like fork()");
	printf("flags: %s\n", flags_text(flags));
	printf(flags & CLONE_VM
	       ? "With CLONE_VM the child runs in the parent's address space, like a\n"
		 "thread: same page tables, same frames. Its writes should take no\n"
		 "fault and the parent should see them. (While the child waits, ps\n"
		 "shows the same rss for both: it is one memory.)\n"
	       : "Without CLONE_VM the child gets its own address space whose pages are\n"
		 "shared copy-on-write with the parent, exactly as after fork(): its\n"
		 "first write to each page should fault and copy.\n");
	print_ps(getpid());
	lab_pause(opt->interactive, "clone the child");

	if (run_clone(memory_child, &job, flags) != 0) {
		fprintf(stderr, "%s: the clone child failed\n", prog);
		exit(1);
	}
	lab_mark(exited);
	seen = count_pages_holding(buf, opt->written, value);
	printf("memory: flags=%s child_wrote_pages=%ld parent_sees_child_writes=%s\n",
	       flags_text(flags), opt->written, seen > 0 ? "yes" : "no");
	printf("The parent finds the child's byte in %ld of the %ld pages.\n",
	       seen, opt->written);
	if (!(flags & CLONE_VM))
		printf("Two memories: each write made the kernel copy the page for the child\n"
		       "(one minor fault each); the parent's frames never changed.\n");
	else if (!opt->copy_first)
		printf("One memory: the child's writes went to the parent's own frames, which\n"
		       "were already mapped writable, so the kernel had nothing to do.\n");
	else
		printf("One memory, and yet the child's writes faulted, once per page. The\n"
		       "copy child before it was a fork: it left the parent's page table\n"
		       "entries write-protected. The CLONE_VM child uses those very entries;\n"
		       "its first write to each page traps, and the kernel, finding the page\n"
		       "no longer shared, reuses it: a fault, but no copy (a reuse fault).\n");
}

/* ------------------------------------------------------------------ */
/* Steps 4 and 5: file descriptors, without and with CLONE_FILES        */
/* ------------------------------------------------------------------ */

struct files_job {
	int close_fd;		/* a descriptor the parent opened */
	const char *phase;
	int interactive;
};

/* The child: open /dev/null, close the parent's descriptor. The exit
 * status carries the number of the new descriptor back to the parent
 * (a child without CLONE_VM cannot leave it in our memory). */
static int files_child(void *arg)
{
	struct files_job *job = arg;
	struct lab_faults before = lab_faults_now();
	int fd = open("/dev/null", O_RDONLY);

	close(job->close_fd);
	end_step(job->phase, "child", before);
	printf("child %d opened /dev/null as fd %d and closed fd %d\n",
	       (int)getpid(), fd, job->close_fd);
	fflush(stdout);
	lab_pause(job->interactive, "let the child exit");
	return fd < 0 || fd > 255 ? 255 : fd;
}

/* Is fd an open descriptor in this process? */
static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void files_step(int step, const struct options *opt, int flags,
		       const char *phase, const char *checked)
{
	struct files_job job;
	int opened;

	print_step(step, flags & CLONE_FILES ? "clone(CLONE_FILES | SIGCHLD): one fd table"
					     : "clone(SIGCHLD): a copy of the fd table");
	printf("flags: %s\n", flags_text(flags));
	job.close_fd = open("/dev/null", O_RDONLY);
	if (job.close_fd < 0)
		die("open /dev/null");
	job.phase = phase;
	job.interactive = opt->interactive;
	printf("The parent opened /dev/null as fd %d. The child will open /dev/null\n"
	       "once more and close fd %d. %s\n", job.close_fd, job.close_fd,
	       flags & CLONE_FILES
	       ? "With CLONE_FILES both share one table of\nopen files, so the parent should see both changes."
	       : "Without CLONE_FILES the child has its own copy\nof the table, so the parent should see neither.");
	printf("watch it: ls -l /proc/%d/fd\n", (int)getpid());
	print_ps(getpid());
	lab_pause(opt->interactive, "clone the child");

	opened = run_clone(files_child, &job, flags);
	if (opened == 255) {
		fprintf(stderr, "%s: the child could not open /dev/null\n", prog);
		exit(1);
	}
	lab_mark(checked);
	printf("files: flags=%s child_opened_fd=%d open_in_parent=%s child_closed_fd=%d closed_in_parent=%s\n",
	       flags_text(flags), opened, fd_is_open(opened) ? "yes" : "no",
	       job.close_fd, fd_is_open(job.close_fd) ? "no" : "yes");
	printf("%s\n", flags & CLONE_FILES
	       ? "The child's open and close happened in the parent's own table."
	       : "The child changed only its copy; the parent's table is as it was.");
	/* Tidy up whatever is still open in our table. */
	if (fd_is_open(job.close_fd))
		close(job.close_fd);
	if ((flags & CLONE_FILES) && fd_is_open(opened))
		close(opened);
}

/* ------------------------------------------------------------------ */
/* The lab                                                             */
/* ------------------------------------------------------------------ */

static void print_header(const struct options *opt)
{
	printf("clone_demo: what clone() flags share between parent and child\n");
	printf("buffer: %ld pages of %ld bytes (%ld KiB); each child will write %ld of them\n",
	       opt->pages, page_size, opt->pages * page_size / 1024, opt->written);
	printf("transparent huge pages: machine mode '%s'; this run: %s\n", lab_thp_mode(),
	       opt->thp ? "asks for them (--thp, MADV_HUGEPAGE)"
			: "4 KiB pages only (MADV_NOHUGEPAGE; --thp to ask for huge pages)");
	printf("mode: %s\n", opt->interactive ? "interactive (Enter goes on to the next step)"
					      : "batch (no waiting)");
	printf("flag          shared with the parent when set (copied when not)\n"
	       "CLONE_VM      address space: memory and page tables\n"
	       "CLONE_FILES   table of open file descriptors\n"
	       "CLONE_FS      current directory, root directory, umask\n"
	       "CLONE_SIGHAND table of signal handlers\n"
	       "CLONE_THREAD  thread group: the child is a thread (same pid)\n"
	       "CLONE_VFORK   not a resource: the parent waits for the child's exec/exit\n"
	       "fork() is clone(SIGCHLD); vfork() is clone(CLONE_VM|CLONE_VFORK|SIGCHLD)\n");
}

int main(int argc, char **argv)
{
	struct options opt;
	struct lab_faults before;
	pid_t parent = getpid();
	char *buf;

	page_size = sysconf(_SC_PAGESIZE);
	parse_options(argc, argv, &opt);
	print_header(&opt);

	print_step(1, "the parent maps and writes its buffer");
	buf = map_buffer(opt.pages, opt.thp);
	before = lab_faults_now();
	write_pages(buf, opt.pages, 'p');
	end_step("parent-touched", "parent", before);
	printf("Parent %d wrote one byte in each of its %ld pages: one demand-zero\n"
	       "fault per page (fewer with --thp).\n", (int)parent, opt.pages);
	print_ps(parent);

	/* CLONE_VM first: after a copy child, the parent's pages stay
	 * write-protected, and even a CLONE_VM child's writes fault
	 * (reuse faults, see labs/copy-on-write.md). --copy-first shows it. */
	if (opt.copy_first)
		memory_step(2, buf, &opt, SIGCHLD, 'c', "copy-child-exited");
	memory_step(opt.copy_first ? 3 : 2, buf, &opt, CLONE_VM | SIGCHLD, 'v', "vm-child-exited");
	if (!opt.copy_first)
		memory_step(3, buf, &opt, SIGCHLD, 'c', "copy-child-exited");
	files_step(4, &opt, SIGCHLD, "files-copy-child", "files-copy-checked");
	files_step(5, &opt, CLONE_FILES | SIGCHLD, "files-shared-child", "files-shared-checked");

	munmap(buf, (size_t)opt.pages * page_size);
	printf("\nDone. See labs/clone.md for what each step shows.\n");
	return 0;
}
