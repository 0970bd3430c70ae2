/*
 * cowtest_vm.c - cowtest's scenarios in the manner of the gemOS assignment:
 * lazy allocation, areas (merged, split, at most 128), munmap and mprotect
 * on shared frames, protection, vfork and vatopa. main is in cowtest.c.
 */
#define _GNU_SOURCE 1
#include "cowtest.h"

void lazy(void)
{
	long pages = 100;
	char *p;

	uvm_init(pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	expect_frames("after uvm_mmap", 0);
	check(count(p, 10, 0) == 10, "fresh pages read zero", count(p, 10, 0), 10);
	expect_frames("after reading 10 pages", 10);
	check(uvm_stats().zero_fills == 10, "zero fills", uvm_stats().zero_fills, 10);
	expect_that(uvm_munmap(p, pages * page) == 0, "uvm_munmap() returns 0");
	expect_frames("after uvm_munmap", 0);
	p = uvm_mmap(NULL, page, RW);
	check(count(p, 1, 0) == 1, "a freed frame comes back zeroed", count(p, 1, 0), 1);
}

/* gemOS: neighbours with the same protection merge; partial ranges split;
 * a 129th area is refused. */
void areas(void)
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
void shared_frames(void)
{
	long pages = 8;
	int ready[2], go[2];
	char *p, byte;
	pid_t pid;

	uvm_init(2 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	if (pipe(ready) != 0 || pipe(go) != 0)
		expect_that(0, "pipe() makes a pipe");
	pid = uvm_cfork();
	if (pid == 0) {
		/* Only the parent writes go: should it die, read() sees the end. */
		close(go[1]);
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)	/* the parent waits for our start */
			expect_that(0, "the child tells the parent it started");
		if (read(go[0], &byte, 1) != 1)	/* until the parent is done */
			expect_that(0, "the parent tells the child to go on");
		check(count(p, pages, 'p') == pages, "the child's data after the parent's munmap and writes",
		      count(p, pages, 'p'), pages);
		child_done();
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1)
		expect_that(0, "the child tells the parent it started");
	expect_that(uvm_munmap(p, 2 * page) == 0, "uvm_munmap() of shared pages returns 0");
	uvm_mprotect(p + 2 * page, 2 * page, RW);	/* COW pages stay read-only */
	fill(p + 2 * page, 2, 'q');
	check(uvm_stats().cow_copies == 2, "copies after mprotect(RW) of COW pages",
	      uvm_stats().cow_copies, 2);
	expect_frames("while the child still maps all 8", pages + 2);
	if (write(go[1], "g", 1) != 1)
		expect_that(0, "the parent tells the child to go on");
	expect_that(child_ok(pid), "the child's checks pass");
	expect_frames("after the child exited", pages - 2);
}

/* A page that is read-only at cfork is shared too: when the parent makes
 * it writable again, its first write must still copy, or the child would
 * see it (the frame has two references). */
void read_only_shared(void)
{
	long pages = 2;
	int go[2];
	char *p, byte;
	pid_t pid;

	uvm_init(2 * pages, pages);
	p = uvm_mmap(NULL, pages * page, RW);
	fill(p, pages, 'p');
	expect_that(uvm_mprotect(p, pages * page, PROT_READ) == 0, "uvm_mprotect(PROT_READ) before cfork returns 0");
	if (pipe(go) != 0)
		expect_that(0, "pipe() makes a pipe");
	pid = uvm_cfork();
	if (pid == 0) {
		close(go[1]);	/* should the parent die, read() sees the end */
		if (read(go[0], &byte, 1) != 1)	/* until the parent has written */
			expect_that(0, "the parent tells the child to go on");
		check(count(p, pages, 'p') == pages, "the child's data after the parent's writes",
		      count(p, pages, 'p'), pages);
		child_done();
	}
	close(go[0]);
	expect_that(uvm_mprotect(p, pages * page, RW) == 0, "uvm_mprotect(PROT_READ | PROT_WRITE) after cfork returns 0");
	fill(p, pages, 'q');
	check(uvm_stats().cow_copies == pages, "copies of the pages made writable again",
	      uvm_stats().cow_copies, pages);
	if (write(go[1], "g", 1) != 1)
		expect_that(0, "the parent tells the child to go on");
	expect_that(child_ok(pid), "the child's checks pass");
}

/* A write to a read-only area is a real segmentation fault. */
void protection(void)
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
void vfork_borrows(void)
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
	expect_that(child_ok(pid), "the vfork child exits with status 0");
	check(p[0] == 'v', "the parent sees the vfork child's write", p[0], 'v');
	expect_frames("after the vfork child", pages);
}

/* vatopa: same frame in parent and child after cfork; its own after a write. */
void vatopa(void)
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
	expect_that(child_ok(pid), "the child's checks pass");
	check(uvm_vatopa(p) == frame, "the parent keeps its frame", uvm_vatopa(p), frame);
}

