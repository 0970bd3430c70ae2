/*
 * usercow_bench - what one copy-on-write fault costs when the kernel does
 * it, against the user-cow lab's memory manager (support/user-cow/uvm.c),
 * which takes a SIGSEGV, copies with pwrite and remaps with mmap.
 *
 * Both run the same experiment in the same run: a parent touches N pages
 * and forks (fork() or uvm_cfork()); the child writes one byte per page and
 * times it. A third row, the reuse of the parent's own pages after the
 * child exited, shows the cost of a fault that copies nothing. Each figure
 * is the median of R rounds, in ns per page; the ratio is the claim, the
 * absolute numbers are this machine's (faults in a VM cost more).
 *
 * Usage: usercow_bench [-n PAGES] [-r ROUNDS]     TSV on stdout:
 *   manager fault kind pages runs ns_per_fault ratio
 * kind names the bar of the figure (cowplot faultcost); ratio is the median
 * over the rounds of user-cow's time over the kernel's in the same round
 * (1 for the kernel's rows).
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "user-cow/uvm.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long page;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

LAB_NOT_SANITIZED
static double timed_write(char *buf, long pages, char value)
{
	double start = now_ns();

	for (long i = 0; i < pages; i++)
		buf[i * page] = value;
	return (now_ns() - start) / pages;
}

/* The child writes every page and sends its ns per page through fd. */
static void child_writes(char *buf, long pages, int fd, int user)
{
	double ns = timed_write(buf, pages, 'c');

	if (write(fd, &ns, sizeof ns) != sizeof ns)
		_exit(1);
	if (user)
		uvm_exit(0);
	_exit(0);
}

/* One round: ns per page of the child's copy-on-write writes (*cow) and of
 * the parent's rewrite after the child exited (*reuse). */
static void round_of(int user, long pages, double *cow, double *reuse)
{
	int fds[2];
	char *buf;
	pid_t pid;

	if (pipe(fds) != 0)
		exit(1);
	if (user) {
		buf = uvm_mmap(NULL, (size_t)pages * page, PROT_READ | PROT_WRITE);
	} else {
		buf = mmap(NULL, (size_t)pages * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		madvise(buf, (size_t)pages * page, MADV_NOHUGEPAGE);
	}
	if (buf == NULL || buf == MAP_FAILED) {
		fprintf(stderr, "usercow_bench: cannot map %ld pages\n", pages);
		exit(1);
	}
	timed_write(buf, pages, 'p');
	pid = user ? uvm_cfork() : fork();
	if (pid == 0)
		child_writes(buf, pages, fds[1], user);
	if (pid < 0 || read(fds[0], cow, sizeof *cow) != sizeof *cow || waitpid(pid, NULL, 0) != pid)
		exit(1);
	*reuse = timed_write(buf, pages, 'P');
	close(fds[0]);
	close(fds[1]);
	if (user)
		uvm_munmap(buf, (size_t)pages * page);
	else
		munmap(buf, (size_t)pages * page);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	long pages = 4096;
	int rounds = 7, c, r, user;
	double cow[2][64], reuse[2][64];

	while ((c = getopt(argc, argv, "n:r:h")) != -1) {
		if (c == 'n')
			pages = atol(optarg);
		else if (c == 'r')
			rounds = atoi(optarg);
		else {
			fprintf(stderr, "Usage: usercow_bench [-n PAGES] [-r ROUNDS (1..64)]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (pages < 1 || pages > 1L << 20 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usercow_bench: -n 1..1048576 and -r 1..64 (try -h)\n");
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	if (uvm_init(2 * pages, pages) != 0) {
		perror("usercow_bench: uvm_init");
		return 1;
	}
	/* Rounds alternate between the two, so a change of load hits both. */
	for (r = 0; r < rounds; r++)
		for (user = 0; user < 2; user++)
			round_of(user, pages, &cow[user][r], &reuse[user][r]);
	printf("manager\tfault\tkind\tpages\truns\tns_per_fault\tratio\n");
	for (int fault = 0; fault < 2; fault++) {
		double (*ns)[64] = fault ? reuse : cow, ratio[64];
		const char *name = fault ? "reuse" : "cow-copy";

		for (r = 0; r < rounds; r++)
			ratio[r] = ns[1][r] / ns[0][r];
		printf("kernel\t%s\tkernel: %s\t%ld\t%d\t%.0f\t1\n", name, name, pages, rounds,
		       median(ns[0], rounds));
		printf("user-cow\t%s\tuvm.c: %s\t%ld\t%d\t%.0f\t%.2f\n", name, name, pages, rounds,
		       median(ns[1], rounds), median(ratio, rounds));
	}
	return 0;
}
