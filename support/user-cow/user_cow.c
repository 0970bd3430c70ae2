/*
 * user_cow - the story of fork_faults, told by a memory manager of our own.
 *
 * uvm.c keeps physical memory (a memfd of frames with reference counts)
 * and a page table per process, and does copy-on-write itself from a
 * SIGSEGV handler. This program runs the copy-on-write lab on it and
 * prints, at each step, the frames in use: the count a kernel keeps.
 *
 * What to expect (N pages, K written by the child):
 *   parent touches N    frames=N       lazy allocation: a frame per page
 *   cfork               frames=N       no page copied, every frame shared
 *   child reads N       frames=N       shared frames are readable
 *   child writes K      frames=N+K     copy-on-write: a new frame per page
 *   child exits         frames=N       its copies are freed, shares dropped
 *   parent writes N     frames=N       reuse: the frames are ours alone again
 *
 * Usage: user_cow [-n PAGES] [-w PAGES] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "uvm.h"

#include <getopt.h>
#include <sys/mman.h>
#include <sys/wait.h>

static long page;

static void die(const char *what)
{
	fprintf(stderr, "user_cow: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The result line of a step: the kernel's faults, as in every lab, and the
 * lab memory's own counts: frames in use and the handler's SIGSEGVs. */
static void step_end(const char *phase, const char *role, struct lab_faults before,
		     struct uvm_stats stats_before)
{
	struct lab_faults after = lab_faults_now();

	lab_mark(phase);
	printf("result: phase=%s role=%s pid=%d minor=%ld major=%ld frames=%ld segv=%ld"
	       " zero_fills=%ld cow_copies=%ld reuses=%ld\n",
	       phase, role, (int)getpid(), after.minor - before.minor, after.major - before.major,
	       uvm_frames_in_use(), uvm_stats().faults - stats_before.faults,
	       uvm_stats().zero_fills - stats_before.zero_fills,
	       uvm_stats().cow_copies - stats_before.cow_copies,
	       uvm_stats().reuses - stats_before.reuses);
	fflush(stdout);
}

LAB_NOT_SANITIZED
static void write_pages(char *buf, long pages, char value)
{
	for (long i = 0; i < pages; i++)
		buf[i * page] = value;
}

LAB_NOT_SANITIZED
static long read_pages(const char *buf, long pages)
{
	const volatile char *p = buf;
	long sum = 0;

	for (long i = 0; i < pages; i++)
		sum += p[i * page];
	return sum;
}

/* The child: read everything, write K pages, exit (dropping its frames). */
static void child(char *buf, long n, long k, long parent_frame)
{
	struct lab_faults t = lab_faults_now();
	struct uvm_stats s = uvm_stats();

	printf("child %d: reading all %ld pages (shared frames are mapped readable)\n",
	       (int)getpid(), n);
	if (read_pages(buf, n) != n * 'p')
		fprintf(stderr, "user_cow: the child read wrong data\n");
	step_end("child-read", "child", t, s);

	t = lab_faults_now();
	s = uvm_stats();
	printf("child %d: writing %ld pages (each write to a shared frame copies it)\n",
	       (int)getpid(), k);
	write_pages(buf, k, 'c');
	step_end("child-wrote", "child", t, s);
	if (k > 0)
		printf("child %d: page 0 is frame %ld now, the parent's is frame %ld (uvm_vatopa)\n",
		       (int)getpid(), uvm_vatopa(buf), parent_frame);
	uvm_exit(0);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long n = 256, k = -1;
	int batch = 0, c, status;
	struct lab_faults t;
	struct uvm_stats s;
	char *buf, *end;
	pid_t pid;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:w:bh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'w':
			errno = 0;
			*(c == 'n' ? &n : &k) = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || (c == 'n' ? n < 1 || n > 65536 : k < 0)) {
				fprintf(stderr, "user_cow: -%c: '%s' is not a number of pages%s (try --help)\n",
					c, optarg, c == 'n' ? " from 1 to 65536" : "");
				exit(2);
			}
			break;
		case 'b':
			batch = 1;
			break;
		case 'h':
			printf("Usage: user_cow [-n PAGES] [-w PAGES] [--batch]\n"
			       "The copy-on-write lab on a memory manager of our own (uvm.c): frames with\n"
			       "reference counts, copy-on-write and lazy allocation from a SIGSEGV handler.\n\n"
			       "  -n, --pages=N   pages the parent touches (default 256, at most 65536)\n"
			       "  -w, --write=K   pages the child writes (default N/2, 0..N)\n"
			       "  -b, --batch     do not wait for Enter between steps\n"
			       "  -h, --help      this help\n\n"
			       "Each step prints: result: phase=P role=R pid=N minor=N major=N frames=N\n"
			       "segv=N zero_fills=N cow_copies=N reuses=N\n");
			return 0;
		default:
			fprintf(stderr, "user_cow: %s: unknown option or missing value (try --help)\n",
				argv[optind - 1]);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "user_cow: %s: unexpected argument (try --help)\n", argv[optind]);
		exit(2);
	}
	if (k < 0)
		k = n / 2;
	if (k > n) {
		fprintf(stderr, "user_cow: -w: %ld is more than the %ld pages (try --help)\n", k, n);
		exit(2);
	}
	batch = batch || !isatty(STDIN_FILENO);
	page = sysconf(_SC_PAGESIZE);

	/* Physical memory for the parent's N pages and the child's K copies. */
	if (uvm_init(n + k, n) != 0)
		die("uvm_init");
	printf("user_cow: pid %d, %ld frames of physical memory, %ld pages, the child writes %ld\n",
	       (int)getpid(), n + k, n, k);
	buf = uvm_mmap(NULL, (size_t)n * page, PROT_READ | PROT_WRITE);
	if (buf == NULL)
		die("uvm_mmap");
	lab_mark("allocated");

	lab_pause(!batch, "touch every page");
	t = lab_faults_now();
	s = uvm_stats();
	printf("parent: writing all %ld pages (lazy allocation: the first touch takes a frame)\n", n);
	write_pages(buf, n, 'p');
	step_end("parent-touched", "parent", t, s);

	lab_pause(!batch, "cfork");
	t = lab_faults_now();
	s = uvm_stats();
	printf("parent: cfork (every frame gets a second reference; pages become read-only)\n");
	fflush(stdout);
	pid = uvm_cfork();
	if (pid < 0)
		die("uvm_cfork");
	if (pid == 0)
		child(buf, n, k, uvm_vatopa(buf));
	step_end("forked", "parent", t, s);

	t = lab_faults_now();
	s = uvm_stats();
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "user_cow: the child failed (status %#x)\n", status);
	printf("parent: the child has exited (its copies are free; the shared frames are ours alone)\n");
	step_end("child-exited", "parent", t, s);

	lab_pause(!batch, "write every page again");
	t = lab_faults_now();
	s = uvm_stats();
	printf("parent: writing all %ld pages again (COW pages, but no longer shared: reuse)\n", n);
	write_pages(buf, n, 'P');
	step_end("parent-rewrote", "parent", t, s);
	uvm_exit(0);
}
