/*
 * cowtest - tests of uvm.c in the manner of xv6's cowtest (simple, three,
 * file, forkfork) and of the gemOS assignment (lazy allocation, areas
 * merged and split, at most 128, munmap and mprotect on shared frames),
 * with the exact frame counts a memory manager must keep. TAP output.
 *
 * Every scenario is a function; main lists them. Each runs in a process of
 * its own with fresh physical memory, so one broken scenario cannot spoil
 * the next. Usage: cowtest [NAME...]   (default: all)
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "uvm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long page;
static int failed;		/* in the scenario's process */

#define RW (PROT_READ | PROT_WRITE)

/* check(cond, ...): a failed condition is printed as a TAP diagnostic. */
static void check(int ok, const char *what, long got, long want)
{
	if (!ok) {
		printf("# %s: got %ld, expected %ld\n", what, got, want);
		failed = 1;
	}
}

static void expect_frames(const char *when, long want)
{
	char what[96];

	snprintf(what, sizeof what, "frames in use %s", when);
	check(uvm_frames_in_use() == want, what, uvm_frames_in_use(), want);
}

LAB_NOT_SANITIZED
static void fill(char *p, long pages, char value)
{
	for (long i = 0; i < pages; i++)
		p[i * page] = value;
}

LAB_NOT_SANITIZED
static long count(const char *p, long pages, char value)
{
	const volatile char *v = p;
	long n = 0;

	for (long i = 0; i < pages; i++)
		n += v[i * page] == value;
	return n;
}

/* Wait for a child; 1 when it exited with status 0. */
static int child_ok(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* A child's verdict: exit 0 when all its checks held. */
static void child_done(void)
{
	fflush(stdout);
	uvm_exit(failed);
}

/* xv6 "simple": more than half of memory, cfork, twice: no copy at cfork. */
static void simple(void)
{
	long frames = 100, pages = 60;
	char *p;
	pid_t pid;

	uvm_init(frames, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'a');
	for (int round = 0; round < 2; round++) {
		pid = uvm_cfork();
		if (pid == 0) {
			expect_frames("in the child right after cfork", pages);
			child_done();
		}
		check(child_ok(pid), "the child's exit status was 0", 0, 1);
		expect_frames("after the child exited", pages);
	}
	check(count(p, pages, 'a') == pages, "pages that kept the parent's data", count(p, pages, 'a'), pages);
}

/* The fork_faults story, with ECE344's exact counts: N after cfork, N+1
 * after the child's first write, N+K after K, N after it exited, still N
 * after the parent rewrote everything (reuse). */
static void counts(void)
{
	long n = 8, k = 3;
	char *p;
	pid_t pid;

	uvm_init(n + k, n);
	p = uvm_mmap(NULL, n * page, RW);
	fill(p, n, 'p');
	expect_frames("after the first touch", n);
	pid = uvm_cfork();
	if (pid == 0) {
		expect_frames("after cfork", n);
		check(count(p, n, 'p') == n, "child reads the parent's data", count(p, n, 'p'), n);
		expect_frames("after the child read", n);
		fill(p, 1, 'c');
		expect_frames("after the child's first write", n + 1);
		fill(p, k, 'c');
		expect_frames("after the child wrote K pages", n + k);
		check(uvm_stats().cow_copies == k, "copies in the child", uvm_stats().cow_copies, k);
		child_done();
	}
	check(child_ok(pid), "the child's checks", 0, 1);
	expect_frames("after the child exited", n);
	check(count(p, n, 'p') == n, "parent's pages unchanged", count(p, n, 'p'), n);
	fill(p, n, 'P');
	expect_frames("after the parent rewrote every page", n);
	check(uvm_stats().reuses == n, "reuses (no copy) in the parent", uvm_stats().reuses, n);
	check(uvm_stats().cow_copies == 0, "copies in the parent", uvm_stats().cow_copies, 0);
}

/* xv6 "three": three processes write the same pages at once. */
static void three(void)
{
	long pages = 40;
	char *p;
	pid_t pid[2];

	/* Three processes' copies, and a fourth set: two processes that write
	 * a page at the same moment may both copy it (the frame is freed by
	 * the second one's reference drop), as in a kernel. */
	uvm_init(4 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	for (int i = 0; i < 2; i++) {
		pid[i] = uvm_cfork();
		if (pid[i] == 0) {
			fill(p, pages, (char)('x' + i));
			check(count(p, pages, (char)('x' + i)) == pages, "child sees its own writes",
			      count(p, pages, (char)('x' + i)), pages);
			child_done();
		}
	}
	fill(p, pages, 'q');
	check(child_ok(pid[0]) && child_ok(pid[1]), "both children's checks", 0, 1);
	check(count(p, pages, 'q') == pages, "parent sees its own writes", count(p, pages, 'q'), pages);
	expect_frames("after both children exited", pages);
}

/* xv6 "file": the kernel writing into a COW page (read(2)) does not run our
 * handler: EFAULT; after uvm_break_cow it works, and the parent is intact. */
static void file(void)
{
	long pages = 4;
	int fds[2];
	char *p;
	pid_t pid;

	uvm_init(2 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	if (pipe(fds) != 0 || write(fds[1], "xy", 2) != 2 || write(fds[1], "xy", 2) != 2)
		check(0, "pipe", 0, 1);
	pid = uvm_cfork();
	if (pid == 0) {
		ssize_t got = read(fds[0], p, 2);

		check(got == -1 && errno == EFAULT, "read() into a COW page fails with EFAULT", got, -1);
		check(uvm_break_cow(p, 2) == 0, "uvm_break_cow", 1, 0);
		got = read(fds[0], p, 2);
		check(got == 2 && p[0] == 'x', "read() after uvm_break_cow", got, 2);
		child_done();
	}
	check(child_ok(pid), "the child's checks", 0, 1);
	check(count(p, pages, 'p') == pages, "parent's pages unchanged", count(p, pages, 'p'), pages);
	expect_frames("after the child exited", pages);
}

/* xv6 "forkfork": many cforks at once, each child forking again and all
 * writing: reference counts under races must come back exact. */
static void forkfork(void)
{
	long pages = 16, children = 6;
	char *p;
	pid_t pid[6];

	uvm_init(pages * (2 * children + 1), pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	for (int i = 0; i < children; i++) {
		pid[i] = uvm_cfork();
		if (pid[i] == 0) {
			pid_t grandchild = uvm_cfork();

			fill(p, pages / 2, 'c');
			if (grandchild == 0)
				child_done();
			check(child_ok(grandchild), "the grandchild's exit", 0, 1);
			child_done();
		}
	}
	for (int i = 0; i < children; i++)
		check(child_ok(pid[i]), "a child's checks", 0, 1);
	expect_frames("after every child exited", pages);
	for (long i = 0; i < pages; i++)
		check(uvm_frame_refs(uvm_vatopa(p + i * page)) == 1, "references left on a frame",
		      uvm_frame_refs(uvm_vatopa(p + i * page)), 1);
}

/* gemOS: uvm_mmap reserves; frames come with the first touch, zeroed. */
static void lazy(void)
{
	long pages = 100;
	char *p;

	uvm_init(pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	expect_frames("after uvm_mmap", 0);
	check(count(p, 10, 0) == 10, "fresh pages read zero", count(p, 10, 0), 10);
	expect_frames("after reading 10 pages", 10);
	check(uvm_stats().zero_fills == 10, "zero fills", uvm_stats().zero_fills, 10);
	check(uvm_munmap(p, pages * page) == 0, "uvm_munmap", 1, 0);
	expect_frames("after uvm_munmap", 0);
	p = uvm_mmap(NULL, page, RW);
	check(count(p, 1, 0) == 1, "a freed frame comes back zeroed", count(p, 1, 0), 1);
}

/* gemOS: neighbours with the same protection merge; partial ranges split;
 * a 129th area is refused. */
static void areas(void)
{
	long pages = 2 * UVM_MAX_VMAS + 8;
	char *a, *b;

	uvm_init(8, pages);
	a = uvm_mmap(NULL, 4 * page, RW);
	b = uvm_mmap(a + 4 * page, 4 * page, RW);
	check(b == a + 4 * page, "the hint is taken when the range is free", b - a, 4 * page);
	check(uvm_vma_count() == 1, "areas after two neighbours merged", uvm_vma_count(), 1);
	uvm_mprotect(a + 2 * page, 2 * page, PROT_READ);
	check(uvm_vma_count() == 3, "areas after mprotect of a middle part", uvm_vma_count(), 3);
	uvm_mprotect(a + 2 * page, 2 * page, RW);
	check(uvm_vma_count() == 1, "areas after mprotect back", uvm_vma_count(), 1);
	uvm_munmap(a + 2 * page, 2 * page);
	check(uvm_vma_count() == 2, "areas after munmap of a middle part", uvm_vma_count(), 2);
	uvm_munmap(a, 8 * page);
	for (long i = 0; i < UVM_MAX_VMAS; i++)	/* alternate: nothing merges */
		uvm_mmap(a + 2 * i * page, page, i % 2 ? PROT_READ : RW);
	check(uvm_vma_count() == UVM_MAX_VMAS, "areas", uvm_vma_count(), UVM_MAX_VMAS);
	/* page 2*128+2 touches no area: it would need a new one */
	check(uvm_mmap(a + (2 * UVM_MAX_VMAS + 2) * page, page, RW) == NULL, "a 129th area is refused",
	      uvm_vma_count(), UVM_MAX_VMAS);
}

/* munmap and mprotect on frames another process shares: the child's data
 * stays whatever the parent does to its own mappings. */
static void shared_frames(void)
{
	long pages = 8;
	int ready[2], go[2];
	char *p, byte;
	pid_t pid;

	uvm_init(2 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	if (pipe(ready) != 0 || pipe(go) != 0)
		check(0, "pipe", 0, 1);
	pid = uvm_cfork();
	if (pid == 0) {
		if (write(ready[1], "r", 1) != 1)	/* the parent waits for our start */
			check(0, "ready", 0, 1);
		if (read(go[0], &byte, 1) != 1)	/* until the parent is done */
			check(0, "the parent's go", 0, 1);
		check(count(p, pages, 'p') == pages, "the child's data after the parent's munmap and writes",
		      count(p, pages, 'p'), pages);
		child_done();
	}
	if (read(ready[0], &byte, 1) != 1)
		check(0, "the child's start", 0, 1);
	check(uvm_munmap(p, 2 * page) == 0, "munmap of shared pages", 1, 0);
	uvm_mprotect(p + 2 * page, 2 * page, RW);	/* COW pages stay read-only */
	fill(p + 2 * page, 2, 'q');
	check(uvm_stats().cow_copies == 2, "copies after mprotect(RW) of COW pages",
	      uvm_stats().cow_copies, 2);
	expect_frames("while the child still maps all 8", pages + 2);
	if (write(go[1], "g", 1) != 1)
		check(0, "go", 0, 1);
	check(child_ok(pid), "the child's checks", 0, 1);
	expect_frames("after the child exited", pages - 2);
}

/* A write to a read-only area is a real segmentation fault. */
static void protection(void)
{
	char *p;
	pid_t pid;
	int status = 0;

	uvm_init(4, 4);
	p = uvm_mmap(NULL, page, PROT_READ);
	check(count(p, 1, 0) == 1, "a read-only area reads zeros", count(p, 1, 0), 1);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDERR_FILENO);	/* the handler's message is expected */
		p[0] = 'x';
		_exit(0);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a write to a read-only area dies of SIGSEGV",
	      status, SIGSEGV);
}

/* vfork: the child borrows the parent's memory: no COW, no new frame. */
static void vfork_borrows(void)
{
	long pages = 4;
	char *p;
	pid_t pid;

	uvm_init(2 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	pid = vfork();
	if (pid == 0) {
		p[0] = 'v';		/* the parent's own page, writable */
		_exit(0);
	}
	check(child_ok(pid), "the vfork child's exit", 0, 1);
	check(p[0] == 'v', "the parent sees the vfork child's write", p[0], 'v');
	expect_frames("after the vfork child", pages);
}

/* vatopa: same frame in parent and child after cfork; its own after a write. */
static void vatopa(void)
{
	char *p;
	long frame;
	pid_t pid;

	uvm_init(4, 2);
	p = uvm_mmap(NULL, 2 * page, RW);
	fill(p, 2, 'p');
	frame = uvm_vatopa(p);
	pid = uvm_cfork();
	if (pid == 0) {
		check(uvm_vatopa(p) == frame, "child's frame after cfork", uvm_vatopa(p), frame);
		p[0] = 'c';
		check(uvm_vatopa(p) != frame, "child's frame after its write differs", uvm_vatopa(p), -1);
		child_done();
	}
	check(child_ok(pid), "the child's checks", 0, 1);
	check(uvm_vatopa(p) == frame, "the parent keeps its frame", uvm_vatopa(p), frame);
}

static const struct scenario {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "simple", simple },
	{ "counts", counts },
	{ "three", three },
	{ "file", file },
	{ "forkfork", forkfork },
	{ "lazy", lazy },
	{ "areas", areas },
	{ "shared-frames", shared_frames },
	{ "protection", protection },
	{ "vfork", vfork_borrows },
	{ "vatopa", vatopa },
};

int main(int argc, char **argv)
{
	size_t n = sizeof scenarios / sizeof scenarios[0], i;
	int number = 0, all_ok = 1;

	page = sysconf(_SC_PAGESIZE);
	printf("1..%zu\n", argc > 1 ? (size_t)(argc - 1) : n);
	for (i = 0; i < n; i++) {
		int wanted = argc == 1, status = 0, a;
		pid_t pid;

		for (a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], scenarios[i].name) == 0;
		if (!wanted)
			continue;
		fflush(stdout);
		pid = fork();	/* each scenario in a fresh process and memory */
		if (pid == 0) {
			alarm(20);
			scenarios[i].run();
			fflush(stdout);
			_exit(failed);
		}
		waitpid(pid, &status, 0);
		number++;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d - %s\n", number, scenarios[i].name);
		} else {
			printf("not ok %d - %s%s\n", number, scenarios[i].name,
			       WIFSIGNALED(status) ? " (killed by a signal)" : "");
			all_ok = 0;
		}
	}
	return all_ok ? 0 : 1;
}
