/*
 * vfork_demo - what vfork() really does, measured.
 *
 *   step  phase(s)             what it shows
 *   1     parent-touched       the parent writes its N pages: a fault each
 *   2     child-wrote          a vfork() child writes K of the parent's pages:
 *         vfork-child-exited   no fault, the parent sees the writes, and the
 *                              parent resumes only after the child's _exit()
 *   3     fork-child-wrote     (--compare-fork) the same from a fork() child:
 *         fork-child-exited    K copy-on-write faults, unseen by the parent,
 *                              which is not suspended
 *   4     vfork-exec-resumed   vfork() + execve(), what vfork is for: the
 *         exec-image-started   parent resumes once the child has a new image
 *   5     posix-spawned        posix_spawn(), vfork + exec done safely by libc
 *
 * Timestamps (CLOCK_MONOTONIC, one clock for all processes) prove the order.
 * WARNING: a vfork child that writes the parent's memory has UNDEFINED
 * BEHAVIOUR in POSIX; step 2 does it only to expose the shared address
 * space on Linux. Each step at length: labs/vfork.md, "What each step shows".
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <spawn.h>		/* and environ: unistd.h declares it (_GNU_SOURCE) */

static long pages = 1024, written = -1;	/* N, K */
static int thp, batch, compare_fork, interactive;
static int step, steps;			/* the step we are at, of 4 or 5 */
static const char *exec_via;		/* internal: we are the image a child exec'd */
static const char *self_path;		/* this program's file, for the children's exec */

static const struct lab_option options[] = {
	LAB_OPTION_PAGES(pages),
	LAB_OPTION_WRITE(written, pages, "pages the child writes (default N/2, 0..N)"),
	{ 0, "compare-fork", LAB_FLAG, &compare_fork, 0, 0, NULL, NULL,
	  "also do the same writes from a fork() child" },
	LAB_OPTION_THP(thp),
	LAB_OPTION_BATCH(batch),
	LAB_OPTION_EXEC_CHILD(exec_via),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-w PAGES] [--compare-fork] [--thp] [--batch]",
	"Show what vfork() does: the child borrows the parent's address space and\n"
	"the parent is suspended until the child's _exit() or execve().\n",
	"Lines for scripts: result:, timestamp:, shared:, exec-image:, spawned: (see\n"
	"labs/vfork.md). Writing the parent's memory from a vfork child is\n"
	"undefined behaviour in POSIX: this lab does it only to show the sharing.\n",
	0, 0
};

/* What a vfork child leaves for its parent, in the parent's memory, which
 * it shares (undefined behaviour in POSIX, like the writes). */
static struct {
	long long start_ns, end_ns;	/* first thing after vfork; just before _exit or execve */
	struct lab_faults before, after;	/* around its writes */
	int exec_errno;			/* why execve failed (0: it did not) */
} vfork_child;

/* Step 2. From vfork() until the child's _exit() the parent does not run:
 * the child runs on the parent's memory, stack included. So it must not
 * return from this function nor use stdio (the parent's buffers). */
static void vfork_step(char *buf)
{
	static const char prompt[] = "\nchild: I wrote the pages and have not exited yet. "
		"Look at ps now:\nthe parent is suspended inside vfork() (state D).\n"
		"[press Enter to let the child _exit()] ";
	long long called_ns, resumed_ns;
	pid_t pid;
	long seen;

	lab_begin_step(++step, steps, "vfork(): the child writes the parent's pages",
		       "A vfork() child writes one byte in each of the first K pages of the parent,\n"
		       "then _exit()s. (Undefined behaviour in POSIX: done here only to show the sharing.)",
		       interactive, "vfork");
	called_ns = lab_now_ns();
	/* TODO 1: vfork(); keep what it returns in pid. */
	pid = vfork();
	/* END TODO */
	if (pid == 0) {		/* the child: undefined behaviour from here on */
		vfork_child.start_ns = lab_now_ns();
		vfork_child.before = lab_faults_now();
		lab_write_pages(buf, written, 'v');
		vfork_child.after = lab_faults_now();
		lab_mark("child-wrote");
		lab_pause_raw(interactive, prompt);
		vfork_child.end_ns = lab_now_ns();
		_exit(0);	/* never exit(): it would flush the parent's stdio */
	}
	resumed_ns = lab_now_ns();	/* the parent runs again */
	if (pid < 0)
		lab_die("vfork");
	lab_wait_child(pid);
	lab_mark("vfork-child-exited");
	/* The child's result line, printed for it: it could not use stdio. */
	lab_result_of(pid, "child-wrote", "child", vfork_child.before, vfork_child.after);
	lab_timestamp("vfork", "vfork-called", getpid(), called_ns);
	lab_timestamp("vfork", "child-start", pid, vfork_child.start_ns);
	lab_timestamp("vfork", "child-exit", pid, vfork_child.end_ns);
	lab_timestamp("vfork", "parent-resumed", getpid(), resumed_ns);
	seen = lab_count_pages_holding(buf, written, 'v');
	printf("shared: mode=vfork parent_sees_child_writes=%s\n",
	       seen == written && written > 0 ? "yes" : "no");
	printf("The parent finds the child's byte in %ld of %ld pages. After vfork() (us):\n"
	       "child started +%.1f, _exit() +%.1f, parent resumed +%.1f.\n", seen, written,
	       (vfork_child.start_ns - called_ns) / 1e3, (vfork_child.end_ns - called_ns) / 1e3,
	       (resumed_ns - called_ns) / 1e3);
	lab_why("the child wrote the parent's own frames, in its address space, while the parent slept");
}

/* Step 3 (--compare-fork). The same writes from a fork() child, which
 * exits only once the parent has run on: a vfork child never could. */
static void fork_step(char *buf)
{
	struct lab_lockstep ls;
	long long called_ns, resumed_ns;
	pid_t child;

	lab_begin_step(++step, steps, "fork(): the same writes from a fork() child",
		       "Now a fork() child writes the same K pages.", interactive, "fork");
	lab_lockstep_open(&ls);
	called_ns = lab_now_ns();
	child = fork();
	if (child < 0)
		lab_die("fork");
	if (child == 0) {
		lab_lockstep_child(&ls);
		lab_write_step("fork-child-wrote", "child", buf, written, 'f');
		lab_pause(interactive, "let the fork child _exit()");
		lab_child_wait(&ls);	/* until the parent has run on */
		lab_timestamp("fork", "child-exit", getpid(), lab_now_ns());
		lab_child_done(&ls);
		_exit(0);
	}
	resumed_ns = lab_now_ns();
	lab_lockstep_parent(&ls);
	lab_let_child(&ls);		/* "I have run: you may exit" */
	lab_release_child(&ls);
	lab_wait_child(child);
	lab_mark("fork-child-exited");
	lab_timestamp("fork", "fork-called", getpid(), called_ns);
	lab_timestamp("fork", "parent-resumed", getpid(), resumed_ns);
	printf("shared: mode=fork parent_sees_child_writes=%s\n",
	       lab_count_pages_holding(buf, written, 'f') > 0 ? "yes" : "no");
	lab_why("a fork child has its own copy-on-write memory: a copy per written page; the parent runs on");
}

/* Step 4. vfork + execve: the child replaces the borrowed memory at once. */
static void vfork_exec_step(void)
{
	long long called_ns, resumed_ns;
	struct lab_faults before;
	pid_t pid;

	lab_begin_step(++step, steps, "vfork() + execve(): what vfork is for",
		       "The child calls execve() at once (this program again, in a mode that reports).",
		       interactive, "vfork and exec");
	before = lab_faults_now();
	called_ns = lab_now_ns();
	/* TODO 2: vfork(); in the child, note the time in vfork_child.end_ns
	 * and execve() self_path with lab_exec_argv("vfork-exec") and environ.
	 * If execve returns, it failed: keep errno in vfork_child.exec_errno
	 * and _exit(127). */
	pid = vfork();
	if (pid == 0) {
		vfork_child.exec_errno = 0;
		vfork_child.end_ns = lab_now_ns();
		execve(self_path, lab_exec_argv("vfork-exec"), environ);
		vfork_child.exec_errno = errno;	/* only if execve failed */
		_exit(127);
	}
	/* END TODO */
	resumed_ns = lab_now_ns();
	if (pid < 0)
		lab_die("vfork");
	lab_step_end("vfork-exec-resumed", "parent", before);
	lab_wait_child(pid);
	if ((errno = vfork_child.exec_errno) != 0)
		lab_die("execve");
	lab_timestamp("vfork-exec", "vfork-called", getpid(), called_ns);
	lab_timestamp("vfork-exec", "child-exec", pid, vfork_child.end_ns);
	lab_timestamp("vfork-exec", "parent-resumed", getpid(), resumed_ns);
	lab_why("execve() gave the child an address space of its own; only then did the parent run");
}

/* Step 5. posix_spawn: glibc does it with clone(CLONE_VM|CLONE_VFORK). */
static void posix_spawn_step(void)
{
	long long called_ns, returned_ns;
	struct lab_faults before;
	pid_t child;
	int err;

	lab_begin_step(++step, steps, "posix_spawn(): vfork + exec, the modern way",
		       "posix_spawn() starts this program again in a new process, in one call.",
		       interactive, "posix_spawn");
	before = lab_faults_now();
	called_ns = lab_now_ns();
	/* TODO 3: posix_spawn() self_path with lab_exec_argv("posix-spawn") and
	 * environ (no file actions, no attributes); the child's PID goes in
	 * child, the result in err. */
	err = posix_spawn(&child, self_path, NULL, NULL,
			  lab_exec_argv("posix-spawn"), environ);
	/* END TODO */
	returned_ns = lab_now_ns();
	if ((errno = err) != 0)
		lab_die("posix_spawn");
	lab_step_end("posix-spawned", "parent", before);
	lab_wait_child(child);
	printf("spawned: pid=%d\n", (int)child);
	lab_timestamp("posix-spawn", "spawn-called", getpid(), called_ns);
	lab_timestamp("posix-spawn", "spawn-returned", getpid(), returned_ns);
	lab_why("vfork's sharing and suspension, with the child's code written safely inside libc");
}

int main(int argc, char **argv)
{
	char *buf;

	lab_parse_options(argc, argv, &usage, options);
	if (exec_via != NULL)	/* a child's new image: a fresh address space, same pid */
		return lab_exec_image(exec_via);
	if (written < 0)
		written = pages / 2;
	interactive = lab_interactive(batch);
	steps = compare_fork ? 5 : 4;
	self_path = lab_self_exe();

	printf("vfork_demo: vfork() shares the parent's memory and suspends the parent\n"
	       "buffer: %ld pages; the child will write %ld of them\n", pages, written);
	lab_print_setup(thp, interactive);
	printf("WARNING: writing the parent's memory from a vfork child is undefined\n"
	       "behaviour in POSIX; this lab does it only to expose the shared address space.\n");

	lab_begin_step(++step, steps, "the parent maps and writes its buffer",
		       "The parent maps N private pages and writes one byte in each.",
		       interactive, "map and write");
	buf = lab_map_buffer(pages, thp);
	lab_parent_touches(buf, pages, thp);

	vfork_step(buf);
	if (compare_fork)
		fork_step(buf);
	vfork_exec_step();
	posix_spawn_step();
	munmap(buf, (size_t)pages * lab_page_size());
	printf("\nDone. labs/vfork.md, \"What each step shows\", tells each step at length.\n");
	return 0;
}
