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
#include "cowtest.h"

long page;
int failed;		/* in the scenario's process */

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
		expect_that(child_ok(pid), "the child exits with status 0");
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
	expect_that(child_ok(pid), "the child's checks pass");
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
	expect_that(child_ok(pid[0]) && child_ok(pid[1]), "both children's checks pass");
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
		expect_that(0, "pipe() makes a pipe");
	pid = uvm_cfork();
	if (pid == 0) {
		ssize_t got = read(fds[0], p, 2);

		check(got == -1 && errno == EFAULT, "read() into a COW page fails with EFAULT", got, -1);
		expect_that(uvm_break_cow(p, 2) == 0, "uvm_break_cow() returns 0");
		got = read(fds[0], p, 2);
		check(got == 2 && p[0] == 'x', "read() after uvm_break_cow", got, 2);
		child_done();
	}
	expect_that(child_ok(pid), "the child's checks pass");
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
			expect_that(child_ok(grandchild), "the grandchild exits with status 0");
			child_done();
		}
	}
	for (int i = 0; i < children; i++)
		expect_that(child_ok(pid[i]), "each child's checks pass");
	expect_frames("after every child exited", pages);
	for (long i = 0; i < pages; i++)
		check(uvm_frame_refs(uvm_vatopa(p + i * page)) == 1, "references left on a frame",
		      uvm_frame_refs(uvm_vatopa(p + i * page)), 1);
}

/* gemOS: uvm_mmap reserves; frames come with the first touch, zeroed. */
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
	{ "read-only-shared", read_only_shared },
	{ "protection", protection },
	{ "vfork", vfork_borrows },
	{ "vatopa", vatopa },
};

/* A scenario's standard error (uvm.c's messages, a skeleton's "TODO N is
 * not written yet") as TAP comments, beside the result they explain. */
static void print_as_comments(FILE *errors)
{
	char line[512];

	rewind(errors);
	while (fgets(line, sizeof line, errors) != NULL)
		printf("# %s%s", line, strchr(line, '\n') != NULL ? "" : "\n");
	fclose(errors);
}

int main(int argc, char **argv)
{
	size_t n = sizeof scenarios / sizeof scenarios[0], i;
	int number = 0, all_ok = 1;

	page = sysconf(_SC_PAGESIZE);
	printf("1..%zu\n", argc > 1 ? (size_t)(argc - 1) : n);
	for (i = 0; i < n; i++) {
		int wanted = argc == 1, status = 0, a;
		FILE *errors;
		pid_t pid;

		for (a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], scenarios[i].name) == 0;
		if (!wanted)
			continue;
		fflush(stdout);
		errors = tmpfile();
		pid = fork();	/* each scenario in a fresh process and memory */
		if (pid == 0) {
			if (errors != NULL)
				dup2(fileno(errors), STDERR_FILENO);
			alarm(20);
			scenarios[i].run();
			fflush(stdout);
			_exit(failed);
		}
		waitpid(pid, &status, 0);
		if (errors != NULL)
			print_as_comments(errors);
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
