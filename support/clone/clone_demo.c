/*
 * clone_demo - clone() flags decide what a child shares with its parent.
 *
 * fork() and vfork() are two settings of one system call, clone(), whose
 * flags say, one resource at a time, whether the child shares the parent's
 * own or gets a copy:
 *   fork()           = clone(SIGCHLD)                          copies all
 *   vfork()          = clone(CLONE_VM | CLONE_VFORK | SIGCHLD)
 *   pthread_create() = clone(CLONE_VM | CLONE_FS | CLONE_FILES |
 *                            CLONE_SIGHAND | CLONE_THREAD | ...)
 *
 *   step  phase (role)                what it shows
 *   1     parent-touched (parent)     the parent writes its N pages
 *   2     child-wrote (child-vm)      CLONE_VM: K writes to the parent's own
 *         vm-child-exited             frames, no fault; the parent sees them
 *   3     child-wrote (child-novm)    no CLONE_VM: K copy-on-write faults,
 *         copy-child-exited           unseen by the parent (this is fork)
 *   4     files-copy-child            no CLONE_FILES: the child's open and
 *         files-copy-checked          close change only its copy of the table
 *   5     files-shared-child          CLONE_FILES: the parent sees both
 *         files-shared-checked
 * --copy-first swaps steps 2 and 3: after the copy child, the parent's
 * entries stay write-protected, and even the CLONE_VM child faults (reuse).
 * Each step at length: labs/clone.md, "What each step shows".
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <sched.h>

#define STEPS 5
#define CHILD_STACK_SIZE (256 * 1024)

static long pages = 1024, written = -1;	/* N, K */
static int thp, batch, copy_first, interactive;

static const struct lab_option options[] = {
	LAB_OPTION_PAGES(pages),
	LAB_OPTION_WRITE(written, pages, "pages each child writes (default N, 0..N)"),
	{ 0, "copy-first", LAB_FLAG, &copy_first, 0, 0, NULL, NULL,
	  "run the child without CLONE_VM first (steps 2 and 3\n"
	  "swapped): see what it leaves behind in the parent" },
	LAB_OPTION_THP(thp),
	LAB_OPTION_BATCH(batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-w PAGES] [--copy-first] [--thp] [--batch]",
	"Show what clone() flags share: children with and without CLONE_VM write the\n"
	"parent's buffer, children with and without CLONE_FILES open and close files.\n",
	"Lines for scripts:\n"
	"  result: phase=P role=parent|child|child-vm|child-novm pid=N minor=N major=N\n"
	"  memory: flags=F child_wrote_pages=K parent_sees_child_writes=yes|no\n"
	"  files: flags=F child_opened_fd=N open_in_parent=yes|no\n"
	"         child_closed_fd=N closed_in_parent=yes|no   (one line)\n",
	0, 0
};

/* "CLONE_VM|CLONE_FILES|SIGCHLD": the flags this lab uses, by name. */
static const char *flags_text(int flags)
{
	static char text[64];

	snprintf(text, sizeof text, "%s%sSIGCHLD", flags & CLONE_VM ? "CLONE_VM|" : "",
		 flags & CLONE_FILES ? "CLONE_FILES|" : "");
	return text;
}

/* A step's title, its flags, what it does, what to watch, and Enter. */
static void begin_step(int step, const char *title, int flags, const char *what)
{
	char text[512];

	snprintf(text, sizeof text, "flags: %s\n%s", flags_text(flags), what);
	lab_begin_step(step, STEPS, title, text, interactive, "clone the child");
}

/*
 * clone() runs fn(arg) in the child, on a stack we must give it: with
 * CLONE_VM the child shares our memory and cannot use our stack. The child
 * exits with fn's return value. SIGCHLD is the signal the parent gets when
 * the child ends, so that waitpid() works as after fork(). Returns the
 * child's exit status.
 */
static int run_clone(int (*fn)(void *), void *arg, int flags)
{
	char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int status;
	pid_t child;

	if (stack == MAP_FAILED)
		lab_die("mmap (child stack)");
	fflush(stdout);		/* or a child with its own memory prints it again */
	child = clone(fn, stack + CHILD_STACK_SIZE, flags, arg);	/* stacks grow down */
	if (child < 0)
		lab_die("clone");
	if (waitpid(child, &status, 0) != child)
		lab_die("waitpid");
	munmap(stack, CHILD_STACK_SIZE);
	if (!WIFEXITED(status)) {
		fprintf(stderr, "clone_demo: child %d was killed (status 0x%x)\n", (int)child, status);
		exit(1);
	}
	return WEXITSTATUS(status);
}

/* Steps 2 and 3: the child writes K pages, then reports its faults. */
struct memory_job {
	char *buf;
	char value;		/* what the child writes */
	const char *role;	/* child-vm or child-novm, in its result line */
};

static int memory_child(void *arg)
{
	struct memory_job *job = arg;
	lab_write_step("child-wrote", job->role, job->buf, written, job->value);
	printf("child %d (parent %d) wrote %ld pages\n", (int)getpid(), (int)getppid(), written);
	fflush(stdout);		/* a clone child's return does not flush stdio */
	lab_pause(interactive, "let the child exit");
	return 0;
}

static void memory_step(int step, char *buf, int flags, char value, const char *exited)
{
	struct memory_job job = { buf, value, flags & CLONE_VM ? "child-vm" : "child-novm" };
	long seen;

	begin_step(step, flags & CLONE_VM ? "clone(CLONE_VM | SIGCHLD): shared memory"
					  : "clone(SIGCHLD): a copy of the memory, like fork()",
		   flags, flags & CLONE_VM
		   ? "The child runs in the parent's address space, like a thread, and writes K pages."
		   : "The child gets its own copy-on-write address space and writes K pages.");
	if (run_clone(memory_child, &job, flags) != 0)
		exit(1);
	lab_mark(exited);
	seen = lab_count_pages_holding(buf, written, value);
	printf("memory: flags=%s child_wrote_pages=%ld parent_sees_child_writes=%s\n",
	       flags_text(flags), written, seen > 0 ? "yes" : "no");
	printf("The parent finds the child's byte in %ld of the %ld pages.\n", seen, written);
	if (!(flags & CLONE_VM))
		lab_why("two memories: each first write faulted and the kernel copied the page");
	else if (!copy_first)
		lab_why("one memory: the writes hit the parent's writable frames, nothing to copy");
	else
		lab_why("one memory, but the copy child left the entries read-only: a reuse fault per page");
}

/* Steps 4 and 5: the child opens /dev/null and closes the parent's fd. The
 * exit status carries the new fd number back (it cannot leave it in our
 * memory without CLONE_VM). */
struct files_job {
	int close_fd;		/* a descriptor the parent opened */
	const char *phase;
};

static int files_child(void *arg)
{
	struct files_job *job = arg;
	struct lab_faults before = lab_faults_now();
	int fd = open("/dev/null", O_RDONLY);

	close(job->close_fd);
	lab_step_end(job->phase, "child", before);
	printf("child %d opened /dev/null as fd %d and closed fd %d\n",
	       (int)getpid(), fd, job->close_fd);
	fflush(stdout);
	lab_pause(interactive, "let the child exit");
	return fd < 0 || fd > 255 ? 255 : fd;
}

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void files_step(int step, int flags, const char *phase, const char *checked)
{
	struct files_job job = { open("/dev/null", O_RDONLY), phase };
	char what[256];
	int opened;

	if (job.close_fd < 0)
		lab_die("open /dev/null");
	snprintf(what, sizeof what, "The parent opened /dev/null as fd %d; the child opens it "
		 "once more and closes fd %d.\nwatch it: ls -l /proc/%d/fd", job.close_fd,
		 job.close_fd, (int)getpid());
	begin_step(step, flags & CLONE_FILES ? "clone(CLONE_FILES | SIGCHLD): one fd table"
					     : "clone(SIGCHLD): a copy of the fd table", flags, what);
	opened = run_clone(files_child, &job, flags);
	if (opened == 255) {
		fprintf(stderr, "clone_demo: the child could not open /dev/null\n");
		exit(1);
	}
	lab_mark(checked);
	printf("files: flags=%s child_opened_fd=%d open_in_parent=%s child_closed_fd=%d closed_in_parent=%s\n",
	       flags_text(flags), opened, fd_is_open(opened) ? "yes" : "no",
	       job.close_fd, fd_is_open(job.close_fd) ? "no" : "yes");
	lab_why(flags & CLONE_FILES ? "one table of open files: the child changed the parent's own"
				    : "the child changed only its copy of the table of open files");
	if (fd_is_open(job.close_fd))	/* tidy up our own table */
		close(job.close_fd);
	if ((flags & CLONE_FILES) && fd_is_open(opened))
		close(opened);
}

int main(int argc, char **argv)
{
	char *buf;

	lab_parse_options(argc, argv, &usage, options);
	if (written < 0)
		written = pages;
	interactive = lab_interactive(batch);
	printf("clone_demo: what clone() flags share between parent and child\n"
	       "buffer: %ld pages; each child will write %ld of them\n", pages, written);
	lab_print_setup(thp, interactive);
	printf("flag          shared with the parent when set (copied when not)\n"
	       "CLONE_VM      address space: memory and page tables\n"
	       "CLONE_FILES   table of open file descriptors\n"
	       "CLONE_FS      current directory, root directory, umask\n"
	       "CLONE_SIGHAND table of signal handlers\n"
	       "CLONE_THREAD  thread group: the child is a thread (same pid)\n"
	       "CLONE_VFORK   not a resource: the parent waits for the child's exec/exit\n"
	       "fork() is clone(SIGCHLD); vfork() is clone(CLONE_VM|CLONE_VFORK|SIGCHLD)\n");

	lab_step(1, STEPS, "the parent maps and writes its buffer");
	buf = lab_map_buffer(pages, thp);
	lab_parent_touches(buf, pages, thp);

	if (copy_first)
		memory_step(2, buf, SIGCHLD, 'c', "copy-child-exited");
	memory_step(copy_first ? 3 : 2, buf, CLONE_VM | SIGCHLD, 'v', "vm-child-exited");
	if (!copy_first)
		memory_step(3, buf, SIGCHLD, 'c', "copy-child-exited");
	files_step(4, SIGCHLD, "files-copy-child", "files-copy-checked");
	files_step(5, CLONE_FILES | SIGCHLD, "files-shared-child", "files-shared-checked");

	munmap(buf, (size_t)pages * lab_page_size());
	printf("\nDone. labs/clone.md, \"What each step shows\", tells each step at length.\n");
	return 0;
}
