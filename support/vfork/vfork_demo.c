/*
 * vfork_demo - what vfork() really does, measured.
 *
 * 1. The parent maps N private pages and writes one byte to each.
 * 2. vfork(): the child runs in the PARENT'S address space, and the parent
 *    is suspended until the child calls _exit() (or execve()). The child
 *    writes K of the parent's pages: nothing is copied, so no fault.
 *    Monotonic timestamps taken in both processes prove the order:
 *    the parent resumes only after the child's _exit().
 * 3. (--compare-fork) The same K writes from a fork() child: one
 *    copy-on-write fault per page, the parent does not see the writes, and
 *    the parent is NOT suspended (it runs on while the child waits for it).
 * 4. vfork() + execve(), what vfork is for: the child replaces its image
 *    at once and the parent resumes as soon as the exec has happened.
 * 5. posix_spawn(), the modern form of vfork + exec (glibc implements it
 *    with clone(CLONE_VM|CLONE_VFORK)).
 *
 * WARNING: in POSIX, a vfork child that modifies any data other than the
 * pid_t holding vfork's return value, returns from the function that
 * called vfork(), or calls anything but _exit() or an exec function has
 * UNDEFINED BEHAVIOUR. Step 2 writes the parent's memory on purpose, only
 * to expose the shared address space on Linux; never do it in real code.
 *
 * Usage: vfork_demo [-n PAGES] [-w PAGES] [--compare-fork] [--thp] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static const char *prog = "vfork_demo";
static char self_path[4096];	/* this program's file, for the children's exec */
static long page_size;
static int steps = 4;		/* 5 with --compare-fork */

struct options {
	long pages;		/* N: pages in the buffer */
	long written;		/* K: pages the child writes */
	int thp;		/* ask for transparent huge pages */
	int compare_fork;	/* also run the same writes with fork() */
	int interactive;	/* wait for Enter between steps */
	const char *exec_child;	/* internal: we are the image a child exec'd */
};

/*
 * What a vfork child leaves for its parent. It is a global, so it lives in
 * the parent's memory, which the vfork child shares: the child fills it in,
 * the parent reads it after it resumes. (Undefined behaviour in POSIX, like
 * the buffer writes; it is how this lab shows that the memory is shared.)
 */
struct vfork_report {
	long long start_ns;		/* child: first thing after vfork */
	long long end_ns;		/* child: just before _exit or execve */
	struct lab_faults before;	/* child: counters around its writes */
	struct lab_faults after;
	int exec_errno;			/* child: why execve failed (0: it did not) */
};
static struct vfork_report vfork_child;

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void print_help(void)
{
	printf("Usage: %s [-n PAGES] [-w PAGES] [--compare-fork] [--thp] [--batch]\n"
	       "Show what vfork() does: the child borrows the parent's address space\n"
	       "and the parent is suspended until the child's _exit() or execve().\n"
	       "Every step prints the page faults the kernel counted, timestamps, and\n"
	       "the ps command to watch both processes.\n"
	       "\n"
	       "  -n, --pages=N      pages in the buffer (default 1024)\n"
	       "  -w, --write=K      pages the child writes (default N/2, 0..N)\n"
	       "      --compare-fork also do the same writes from a fork() child\n"
	       "      --thp          ask for transparent huge pages (MADV_HUGEPAGE);\n"
	       "                     default: 4 KiB pages only (MADV_NOHUGEPAGE)\n"
	       "  -b, --batch        run through without waiting for Enter (the default\n"
	       "                     when stdin is not a terminal)\n"
	       "  -h, --help         show this help\n"
	       "\n"
	       "Lines for scripts:\n"
	       "  result: phase=P role=parent|child pid=N minor=N major=N\n"
	       "  timestamp: mode=M event=E pid=N ns=CLOCK_MONOTONIC\n"
	       "  shared: mode=vfork|fork parent_sees_child_writes=yes|no\n"
	       "  exec-image: via=vfork-exec|posix-spawn pid=N ppid=N\n"
	       "Phases: parent-touched child-wrote (the vfork child) vfork-child-exited\n"
	       "        fork-child-wrote fork-child-exited vfork-exec-resumed\n"
	       "        exec-image-started posix-spawned\n"
	       "Writing the parent's memory from a vfork child is undefined behaviour\n"
	       "in POSIX: this lab does it only to show the shared address space.\n",
	       prog);
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
		{ "compare-fork", no_argument, NULL, 'C' },
		{ "thp", no_argument, NULL, 'T' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "exec-child", required_argument, NULL, 'X' },	/* internal */
		{ NULL, 0, NULL, 0 },
	};
	const long max_pages = 1L << 22;	/* 16 GiB of 4 KiB pages */
	const char *write_text = NULL;
	int batch = 0;
	int c;

	memset(opt, 0, sizeof *opt);
	opt->pages = 1024;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:w:bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt->pages = parse_count("-n", optarg, 1, max_pages);
			break;
		case 'w':
			write_text = optarg;	/* checked once N is known */
			break;
		case 'C':
			opt->compare_fork = 1;
			break;
		case 'T':
			opt->thp = 1;
			break;
		case 'b':
			batch = 1;
			break;
		case 'X':
			opt->exec_child = optarg;
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
	opt->written = write_text ? parse_count("-w", write_text, 0, opt->pages)
				  : opt->pages / 2;
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
/* Time, memory, printing                                              */
/* ------------------------------------------------------------------ */

/* CLOCK_MONOTONIC is one clock for all processes: times taken in the parent
 * and in the child can be compared. (It is read without a system call.) */
static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void print_time(const char *mode, const char *event, pid_t pid, long long ns)
{
	printf("timestamp: mode=%s event=%s pid=%d ns=%lld\n", mode, event, (int)pid, ns);
}

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
	printf("\n== Step %d of %d: %s ==\n", step, steps, title);
}

/* The command to type in the other tmux pane: the parent and its children. */
static void print_ps(pid_t parent)
{
	printf("watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p %d --ppid %d\n",
	       (int)parent, (int)parent);
	fflush(stdout);
}

/* A result line for the vfork child, printed by the parent on its behalf
 * (the child itself may not use stdio: see the warning at the top). */
static void print_child_result(const char *phase, pid_t child)
{
	printf("result: phase=%s role=child pid=%d minor=%ld major=%ld\n",
	       phase, (int)child, vfork_child.after.minor - vfork_child.before.minor,
	       vfork_child.after.major - vfork_child.before.major);
}

static void wait_child(pid_t child)
{
	int status;

	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: child %d did not exit cleanly (status 0x%x)\n",
			prog, (int)child, status);
		exit(1);
	}
}

/* ------------------------------------------------------------------ */
/* Step 2: vfork, the child writes the parent's pages                   */
/* ------------------------------------------------------------------ */

/*
 * In interactive mode the vfork child waits for Enter, so that the student
 * can look at ps while the parent is suspended. Plain read()/write(): the
 * child must not touch the parent's stdio buffers.
 */
static void child_wait_for_enter(void)
{
	static const char text[] =
		"\nchild: I wrote the pages and have not exited yet. Look at ps now:\n"
		"the parent is suspended inside vfork() (state D).\n"
		"[press Enter to let the child _exit()] ";
	char c;

	if (write(STDOUT_FILENO, text, sizeof text - 1) < 0)
		return;
	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

/*
 * The heart of the lab. From vfork() until the child's _exit(), the parent
 * does not run at all: the kernel suspends it (ps shows state D). The child
 * runs on the parent's memory, stack included, so it must never return
 * from this function: it ends with _exit() (never exit(), which would
 * flush and close the parent's stdio).
 * Returns the child's pid; *called_ns and *resumed_ns are the parent's
 * times just before vfork() and just after it returned.
 */
static pid_t vfork_child_writes(char *buf, long pages, int interactive,
				long long *called_ns, long long *resumed_ns)
{
	pid_t pid;

	*called_ns = now_ns();
	/* TODO 1: vfork(); keep what it returns in pid. */
	pid = vfork();
	/* END TODO */
	if (pid == 0) {
		/* The child. Undefined behaviour in POSIX from here on:
		 * it writes the parent's memory (see the top of the file). */
		vfork_child.start_ns = now_ns();
		vfork_child.before = lab_faults_now();
		write_pages(buf, pages, 'v');
		vfork_child.after = lab_faults_now();
		lab_mark("child-wrote");
		if (interactive)
			child_wait_for_enter();
		vfork_child.end_ns = now_ns();
		_exit(0);
	}
	*resumed_ns = now_ns();	/* the parent runs again */
	if (pid < 0)
		die("vfork");
	return pid;
}

static void vfork_step(int step, char *buf, const struct options *opt)
{
	long long called_ns, resumed_ns;
	pid_t parent = getpid(), child;
	long seen;

	print_step(step, "vfork(): the child writes the parent's pages");
	printf("The parent calls vfork(). The child shares the parent's address space\n"
	       "and writes one byte in each of the first %ld pages, then _exit()s.\n"
	       "(Undefined behaviour in POSIX: done here only to show the sharing.)\n",
	       opt->written);
	print_ps(parent);
	lab_pause(opt->interactive, "vfork");

	child = vfork_child_writes(buf, opt->written, opt->interactive,
				   &called_ns, &resumed_ns);
	wait_child(child);
	lab_mark("vfork-child-exited");
	print_child_result("child-wrote", child);
	print_time("vfork", "vfork-called", parent, called_ns);
	print_time("vfork", "child-start", child, vfork_child.start_ns);
	print_time("vfork", "child-exit", child, vfork_child.end_ns);
	print_time("vfork", "parent-resumed", parent, resumed_ns);
	seen = count_pages_holding(buf, opt->written, 'v');
	printf("shared: mode=vfork parent_sees_child_writes=%s\n",
	       seen == opt->written && opt->written > 0 ? "yes" : "no");
	printf("Child %d wrote %ld pages with %ld page faults: the pages were the\n"
	       "parent's own, already mapped writable, and nothing was copied.\n"
	       "The parent sees the child's writes in %ld of the %ld pages.\n"
	       "Timeline, in microseconds after vfork() was called: the child started\n"
	       "at +%.1f, called _exit() at +%.1f, and the parent resumed at +%.1f.\n"
	       "The parent came back from vfork() only after the child's _exit():\n"
	       "it was suspended all along.\n",
	       (int)child, opt->written,
	       vfork_child.after.minor - vfork_child.before.minor, seen, opt->written,
	       (vfork_child.start_ns - called_ns) / 1e3, (vfork_child.end_ns - called_ns) / 1e3,
	       (resumed_ns - called_ns) / 1e3);
}

/* ------------------------------------------------------------------ */
/* Step 3 (--compare-fork): the same with fork                          */
/* ------------------------------------------------------------------ */

/* The fork child: write, report, then wait until the parent has run on. */
static void fork_child(char *buf, long pages, int go_fd, int interactive)
{
	struct lab_faults before = lab_faults_now(), after;
	char c;

	write_pages(buf, pages, 'f');
	after = lab_faults_now();
	lab_mark("fork-child-wrote");
	lab_result("fork-child-wrote", "child", before, after);
	lab_pause(interactive, "let the fork child _exit()");
	/* A vfork child waiting for its parent would wait forever: the parent
	 * is suspended. A fork child can: the parent is running. */
	if (read(go_fd, &c, 1) != 1)
		_exit(1);
	print_time("fork", "child-exit", getpid(), now_ns());
	fflush(stdout);
	_exit(0);
}

static void fork_step(int step, char *buf, const struct options *opt)
{
	long long called_ns, resumed_ns;
	pid_t parent = getpid(), child;
	int go[2];
	long seen;

	print_step(step, "fork(): the same writes from a fork() child");
	printf("Now a fork() child writes the same %ld pages. fork() gives the child\n"
	       "its own copy-on-write address space: expect one fault per page, and\n"
	       "the parent does not see the writes. The parent is not suspended: the\n"
	       "child even waits until the parent has run on before it exits.\n",
	       opt->written);
	print_ps(parent);
	lab_pause(opt->interactive, "fork");

	if (pipe(go) != 0)
		die("pipe");
	fflush(stdout);		/* or the child would print our buffered text again */
	called_ns = now_ns();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(go[1]);
		fork_child(buf, opt->written, go[0], opt->interactive);
	}
	resumed_ns = now_ns();
	close(go[0]);
	if (write(go[1], "g", 1) != 1)	/* "I have run: you may exit" */
		die("pipe to child");
	close(go[1]);
	wait_child(child);
	lab_mark("fork-child-exited");
	print_time("fork", "fork-called", parent, called_ns);
	print_time("fork", "parent-resumed", parent, resumed_ns);
	seen = count_pages_holding(buf, opt->written, 'f');
	printf("shared: mode=fork parent_sees_child_writes=%s\n",
	       seen > 0 ? "yes" : "no");
	printf("The fork child took one copy-on-write fault per written page (its\n"
	       "result line above); the parent sees its writes in %ld of %ld pages.\n"
	       "The parent resumed from fork() before the child exited: it was not\n"
	       "suspended.\n", seen, opt->written);
}

/* ------------------------------------------------------------------ */
/* Steps 4 and 5: vfork + exec, posix_spawn                            */
/* ------------------------------------------------------------------ */

/* Where this program's file is: /proc/self/exe names it. (Exec'ing
 * /proc/self/exe itself would work too, but ps would then call the new
 * image "exe".) */
static void find_self(void)
{
	ssize_t len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);

	if (len < 0)
		die("readlink /proc/self/exe");
	self_path[len] = '\0';
}

/* What a child runs after exec: this same program, in its internal mode. */
static char *const *exec_argv(const char *via)
{
	static char *argv[4];

	argv[0] = (char *)prog;
	argv[1] = "--exec-child";
	argv[2] = (char *)via;
	argv[3] = NULL;
	return argv;
}

/* The new image that a child exec'd: a fresh address space, same pid. */
static int exec_child_main(const char *via)
{
	struct lab_faults zero = { 0, 0 };

	lab_mark("exec-image-started");
	print_time(via, "image-start", getpid(), now_ns());
	printf("exec-image: via=%s pid=%d ppid=%d\n", via, (int)getpid(), (int)getppid());
	printf("  I am a new program image in process %d: execve() replaced the\n"
	       "  borrowed address space with a fresh one of my own.\n", (int)getpid());
	/* Totals since the process was created, for comparison with ps. */
	lab_result("exec-image-started", "child", zero, lab_faults_now());
	return 0;
}

/* vfork + execve: what vfork is for. Again a small whole function. */
static pid_t vfork_and_exec(long long *called_ns, long long *resumed_ns)
{
	pid_t pid;

	*called_ns = now_ns();
	/* TODO 2: vfork(); in the child, note the time in vfork_child.end_ns
	 * and execve() self_path with exec_argv("vfork-exec") and environ.
	 * If execve returns, it failed: keep errno in vfork_child.exec_errno
	 * and _exit(127). */
	pid = vfork();
	if (pid == 0) {
		vfork_child.exec_errno = 0;
		vfork_child.end_ns = now_ns();
		execve(self_path, exec_argv("vfork-exec"), environ);
		vfork_child.exec_errno = errno;	/* only if execve failed */
		_exit(127);
	}
	/* END TODO */
	*resumed_ns = now_ns();
	if (pid < 0)
		die("vfork");
	return pid;
}

static void vfork_exec_step(int step, const struct options *opt)
{
	long long called_ns, resumed_ns;
	struct lab_faults before;
	pid_t parent = getpid(), child;

	print_step(step, "vfork() + execve(): what vfork is for");
	printf("The child calls execve() right away (this program again, in a mode\n"
	       "that just reports). The parent resumes as soon as the exec is done.\n");
	print_ps(parent);
	lab_pause(opt->interactive, "vfork and exec");

	fflush(stdout);
	before = lab_faults_now();
	child = vfork_and_exec(&called_ns, &resumed_ns);
	lab_mark("vfork-exec-resumed");
	lab_result("vfork-exec-resumed", "parent", before, lab_faults_now());
	wait_child(child);
	if (vfork_child.exec_errno != 0) {
		errno = vfork_child.exec_errno;
		die("execve");
	}
	print_time("vfork-exec", "vfork-called", parent, called_ns);
	print_time("vfork-exec", "child-exec", child, vfork_child.end_ns);
	print_time("vfork-exec", "parent-resumed", parent, resumed_ns);
	printf("Child %d called execve() at +%.1f us; the parent resumed at +%.1f us,\n"
	       "once the exec was done: from then on the child had an address space\n"
	       "of its own. No page table was copied, no page faulted for the parent.\n",
	       (int)child, (vfork_child.end_ns - called_ns) / 1e3, (resumed_ns - called_ns) / 1e3);
}

static void posix_spawn_step(int step, const struct options *opt)
{
	long long called_ns, returned_ns;
	struct lab_faults before;
	pid_t parent = getpid(), child;
	int err;

	print_step(step, "posix_spawn(): vfork + exec, the modern way");
	printf("posix_spawn() starts a program in a new process in one call. glibc\n"
	       "does it with clone(CLONE_VM|CLONE_VFORK): exactly vfork's sharing and\n"
	       "suspension, but with the child's code written safely inside libc.\n");
	print_ps(parent);
	lab_pause(opt->interactive, "posix_spawn");

	fflush(stdout);
	before = lab_faults_now();
	called_ns = now_ns();
	/* TODO 3: posix_spawn() self_path with exec_argv("posix-spawn") and
	 * environ (no file actions, no attributes); the child's PID goes in
	 * child, the result in err. */
	err = posix_spawn(&child, self_path, NULL, NULL,
			  exec_argv("posix-spawn"), environ);
	/* END TODO */
	returned_ns = now_ns();
	if (err != 0) {
		errno = err;
		die("posix_spawn");
	}
	lab_mark("posix-spawned");
	lab_result("posix-spawned", "parent", before, lab_faults_now());
	wait_child(child);
	printf("spawned: pid=%d\n", (int)child);
	print_time("posix-spawn", "spawn-called", parent, called_ns);
	print_time("posix-spawn", "spawn-returned", parent, returned_ns);
	printf("posix_spawn() returned after %.1f us, with child %d already past its\n"
	       "exec (the exec-image line above has the same pid).\n",
	       (returned_ns - called_ns) / 1e3, (int)child);
}

/* ------------------------------------------------------------------ */
/* The lab                                                             */
/* ------------------------------------------------------------------ */

static void print_header(const struct options *opt)
{
	printf("vfork_demo: vfork() shares the parent's memory and suspends the parent\n");
	printf("buffer: %ld pages of %ld bytes (%ld KiB); the child will write %ld of them\n",
	       opt->pages, page_size, opt->pages * page_size / 1024, opt->written);
	printf("transparent huge pages: machine mode '%s'; this run: %s\n", lab_thp_mode(),
	       opt->thp ? "asks for them (--thp, MADV_HUGEPAGE)"
			: "4 KiB pages only (MADV_NOHUGEPAGE; --thp to ask for huge pages)");
	printf("mode: %s\n", opt->interactive ? "interactive (Enter goes on to the next step)"
					      : "batch (no waiting)");
	printf("WARNING: writing the parent's memory from a vfork child is undefined\n"
	       "behaviour in POSIX; this lab does it only to expose the shared address space.\n");
}

int main(int argc, char **argv)
{
	struct options opt;
	struct lab_faults before;
	pid_t parent = getpid();
	char *buf;
	int step = 1;

	page_size = sysconf(_SC_PAGESIZE);
	parse_options(argc, argv, &opt);
	if (opt.exec_child != NULL)
		return exec_child_main(opt.exec_child);
	steps = opt.compare_fork ? 5 : 4;
	find_self();
	print_header(&opt);

	print_step(step++, "the parent maps and writes its buffer");
	buf = map_buffer(opt.pages, opt.thp);
	before = lab_faults_now();
	write_pages(buf, opt.pages, 'p');
	lab_mark("parent-touched");
	lab_result("parent-touched", "parent", before, lab_faults_now());
	printf("Parent %d wrote one byte in each of its %ld pages: one demand-zero\n"
	       "fault per page (fewer with --thp). These pages are now the parent's.\n",
	       (int)parent, opt.pages);
	print_ps(parent);

	vfork_step(step++, buf, &opt);
	if (opt.compare_fork)
		fork_step(step++, buf, &opt);
	vfork_exec_step(step++, &opt);
	posix_spawn_step(step++, &opt);

	munmap(buf, (size_t)opt.pages * page_size);
	printf("\nDone. See labs/vfork.md for what each step shows.\n");
	return 0;
}
