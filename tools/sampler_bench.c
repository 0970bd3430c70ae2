/*
 * sampler_bench - what one reading of a process's fault counters costs,
 * three ways, measured in one run on this machine:
 *   1. pread on a held /proc/PID/stat fd (cowsample's fast path)
 *   2. a libproc2 select (what ps/top use)
 *   3. one `ps -o min_flt,maj_flt -p PID` invocation
 * the CPU that cowsample itself uses sampling 100 sleeping processes at
 * 1 kHz, and its observer effect on a fork loop (fork + _exit + waitpid,
 * the worst case for a tracer: every iteration is a fork and an exit
 * event) alone, under cowsample with netlink events (nobody stopped) and
 * under cowsample with ptrace (stopped at every event): wall-time medians
 * of interleaved runs and their ratios. Run by `make bench`.
 *
 *   sampler_bench [--cowsample PATH] [--quick]
 *   sampler_bench --fork-loop N     (the loop itself, run by the above)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procstat.h"
#include "procstat_libproc2.h"

#define ROUNDS 5
#define SLEEPERS 100
/* The fork loop: iterations per run (a fork costs about 1-5 ms in this VM). */
#define FORK_LOOP_N 400
#define FORK_LOOP_N_QUICK 100

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this process: on a shared machine, time spent waiting for a
 * core does not count against the code measured. */
static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return v[n / 2];
}

static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Median over ROUNDS of the cost of one pread+parse, in microseconds. */
static double bench_pread(pid_t pid, int reads)
{
	double rounds[ROUNDS], t;
	struct proc_stat st;
	int fd = procstat_open(pid), r, i;

	if (fd < 0)
		return -1;
	for (r = 0; r < ROUNDS; r++) {
		t = cpu_s();
		for (i = 0; i < reads; i++)
			if (procstat_read_fd(fd, &st) != 0)
				return -1;
		rounds[r] = (cpu_s() - t) / reads * 1e6;
	}
	close(fd);
	return median(rounds, ROUNDS);
}

/* Median over ROUNDS of one pread+parse of /proc/PID/schedstat, in
 * microseconds: what cowsample pays to see that a process has not run. */
static double bench_schedstat(pid_t pid, int reads)
{
	double rounds[ROUNDS], t;
	struct proc_sched ps;
	int fd = procstat_sched_open(pid), r, i;

	if (fd < 0)
		return -1;
	for (r = 0; r < ROUNDS; r++) {
		t = cpu_s();
		for (i = 0; i < reads; i++)
			if (procstat_sched_read_fd(fd, &ps) != 0) {
				close(fd);
				return -1;
			}
		rounds[r] = (cpu_s() - t) / reads * 1e6;
	}
	close(fd);
	return median(rounds, ROUNDS);
}

/* The floor: one null system call on this machine (a VM may cost 10x). */
static double bench_syscall(int calls)
{
	double rounds[ROUNDS], t;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		t = cpu_s();
		for (i = 0; i < calls; i++)
			syscall(SYS_getppid);
		rounds[r] = (cpu_s() - t) / calls * 1e6;
	}
	return median(rounds, ROUNDS);
}

static double bench_libproc2(pid_t pid, int reads)
{
	struct procstat_libproc2 *lp;
	double rounds[ROUNDS], t;
	struct proc_stat st;
	int r, i;

	if (procstat_libproc2_new(&lp) != 0)
		return -1;
	for (r = 0; r < ROUNDS; r++) {
		t = cpu_s();
		for (i = 0; i < reads; i++)
			if (procstat_libproc2_read(lp, pid, &st) != 0)
				return -1;
		rounds[r] = (cpu_s() - t) / reads * 1e6;
	}
	procstat_libproc2_free(lp);
	return median(rounds, ROUNDS);
}

/* Run argv with output to /dev/null; returns its wall time in seconds,
 * and adds its CPU time (user+system) to *cpu when cpu is not NULL. */
static double run_timed(char *const argv[], double *cpu)
{
	struct rusage ru;
	double t = now_s();
	int status, devnull;
	pid_t pid = fork();

	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	if (cpu != NULL)
		*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return now_s() - t;
}

/* ps: its wall time, the same as its CPU time plus waiting for its I/O. */
static double bench_ps(pid_t pid, int runs)
{
	char pidtext[16], *argv[] = { "ps", "-o", "min_flt,maj_flt", "-p", pidtext, NULL };
	double v[32], t;
	int i;

	snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
	for (i = 0; i < runs && i < 32; i++) {
		t = run_timed(argv, NULL);
		if (t < 0)
			return -1;
		v[i] = t * 1e6;
	}
	return median(v, i);
}

/* A process with SLEEPERS-1 sleeping children: SLEEPERS processes in all. */
static pid_t start_sleeper_tree(void)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		setpgid(0, 0);		/* one group: killed together at the end */
		for (i = 1; i < SLEEPERS; i++)
			start_sleeper();
		for (;;)
			pause();
	}
	return pid;
}

/* cowsample's CPU use (fraction of one core) on the sleeper tree at 1 kHz. */
static double bench_cowsample(const char *cowsample, pid_t tree, double seconds,
			      const char *extra, const char *out)
{
	char pidtext[16], dtext[16];
	char *argv[12];
	double cpu = 0, wall;
	int n = 0;

	snprintf(pidtext, sizeof pidtext, "%d", (int)tree);
	snprintf(dtext, sizeof dtext, "%g", seconds);
	argv[n++] = (char *)cowsample;
	argv[n++] = "-i";
	argv[n++] = "1";
	argv[n++] = "-d";
	argv[n++] = dtext;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	if (extra != NULL)
		argv[n++] = (char *)extra;
	argv[n++] = "-p";
	argv[n++] = pidtext;
	argv[n] = NULL;
	wall = run_timed(argv, &cpu);
	return wall > 0 ? cpu / wall : -1;
}

/* Wait until the tree has all its children (each fork is quick). */
static void wait_for_tree(pid_t tree)
{
	pid_t kids[SLEEPERS];
	int i;

	for (i = 0; i < 5000; i++) {
		if (procstat_children(tree, kids, SLEEPERS) >= SLEEPERS - 1)
			return;
		usleep(1000);
	}
}

/* The loop itself: N times fork, the child _exits at once, waitpid. */
static int fork_loop(long n)
{
	int status;
	long i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			return 1;
	}
	return 0;
}

static double median_of(double *v, int n)
{
	return n > 0 ? median(v, n) : -1;
}

/*
 * The fork loop alone, under cowsample --events netlink and under
 * cowsample --events ptrace, ROUNDS times each, interleaved (the machine's
 * load then weighs on all three alike). Prints the medians and ratios.
 */
static void bench_fork_loop(const char *cowsample, const char *self, long n)
{
	char ntext[24];
	char *alone[] = { (char *)self, "--fork-loop", ntext, NULL };
	char *netlink[] = { (char *)cowsample, "--events", "netlink", "-o", "/dev/null", "--",
			    (char *)self, "--fork-loop", ntext, NULL };
	char *ptrace[] = { (char *)cowsample, "--events", "ptrace", "-o", "/dev/null", "--",
			   (char *)self, "--fork-loop", ntext, NULL };
	double a[ROUNDS], nl[ROUNDS], pt[ROUNDS], t, ma, mn, mp;
	int r, na = 0, nn = 0, np = 0;

	snprintf(ntext, sizeof ntext, "%ld", n);
	for (r = 0; r < ROUNDS; r++) {
		if ((t = run_timed(alone, NULL)) > 0)
			a[na++] = t;
		if ((t = run_timed(netlink, NULL)) > 0)
			nl[nn++] = t;
		if ((t = run_timed(ptrace, NULL)) > 0)
			pt[np++] = t;
	}
	ma = median_of(a, na);
	mn = median_of(nl, nn);
	mp = median_of(pt, np);
	printf("sampler: observer effect on a fork loop (%ld x fork + _exit + waitpid),\n"
	       "         wall time, median of %d interleaved runs\n", n, ROUNDS);
	if (ma <= 0) {
		printf("  the loop failed to run\n");
		return;
	}
	printf("  alone:                              %8.3f s\n", ma);
	if (mn > 0)
		printf("  cowsample --events netlink:         %8.3f s  %5.2fx alone  (target <= 1.2x)\n",
		       mn, mn / ma);
	else
		printf("  cowsample --events netlink:         not available here (needs root)\n");
	if (mp > 0)
		printf("  cowsample --events ptrace:          %8.3f s  %5.2fx alone\n", mp, mp / ma);
	else
		printf("  cowsample --events ptrace:          failed (ptrace not permitted?)\n");
}

int main(int argc, char *argv[])
{
	const char *cowsample = "tools/cowsample";
	int quick = 0, i, status;
	double null_us, pread_us, sched_us, lp2_us, ps_us, cpu_all, cpu_changes, seconds;
	char self[4096];
	ssize_t len;
	char out[] = "/tmp/sampler_bench.XXXXXX";
	pid_t sleeper, tree;
	int fd;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cowsample") == 0 && i + 1 < argc)
			cowsample = argv[++i];
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--fork-loop") == 0 && i + 1 < argc)
			return fork_loop(atol(argv[i + 1]));
		else {
			fprintf(stderr, "usage: sampler_bench [--cowsample PATH] [--quick] | --fork-loop N\n");
			return 2;
		}
	}
	seconds = quick ? 0.5 : 3;
	sleeper = start_sleeper();
	null_us = bench_syscall(quick ? 2000 : 20000);
	pread_us = bench_pread(sleeper, quick ? 2000 : 20000);
	sched_us = bench_schedstat(sleeper, quick ? 2000 : 20000);
	lp2_us = procstat_libproc2_available() ? bench_libproc2(sleeper, quick ? 200 : 2000) : -1;
	ps_us = bench_ps(sleeper, quick ? 3 : 11);

	printf("sampler: cost of reading one process's min_flt/maj_flt (median of %d runs;\n"
	       "         CPU time for pread and libproc2, wall time for ps)\n", ROUNDS);
	printf("  (floor: one null system call here:   %10.2f us)\n", null_us);
	printf("  pread on a held /proc/PID/stat fd: %10.2f us per sample\n", pread_us);
	if (sched_us > 0)
		printf("  (has it run? held schedstat fd:    %10.2f us: cowsample's check before a read)\n",
		       sched_us);
	if (lp2_us > 0)
		printf("  libproc2 select:                   %10.2f us per sample  (%.1fx the pread path)\n",
		       lp2_us, lp2_us / pread_us);
	else
		printf("  libproc2 select:                   not built in\n");
	printf("  one `ps -o min_flt,maj_flt -p PID`: %10.0f us per call    (%.0fx the pread path)\n",
	       ps_us, ps_us / pread_us);
	printf("  targets: pread <= 2 us on a quiet machine, >= 1000x cheaper than ps\n");

	fd = mkstemp(out);
	if (fd >= 0)
		close(fd);
	tree = start_sleeper_tree();
	wait_for_tree(tree);
	cpu_all = bench_cowsample(cowsample, tree, seconds, NULL, out);
	cpu_changes = bench_cowsample(cowsample, tree, seconds, "--changes", out);
	printf("sampler: cowsample at 1 kHz (-i 1) on %d sleeping processes, %.1f s each\n",
	       SLEEPERS, seconds);
	printf("  every sample written (100k rows/s):  %5.1f%% of one core\n", cpu_all * 100);
	printf("  --changes (reads only, no rows):     %5.1f%% of one core\n", cpu_changes * 100);
	printf("  target: < 20%% of one core\n");

	unlink(out);
	kill(-tree, SIGKILL);
	waitpid(tree, &status, 0);
	kill(sleeper, SIGKILL);
	waitpid(sleeper, &status, 0);

	len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len > 0) {
		self[len] = '\0';
		bench_fork_loop(cowsample, self, quick ? FORK_LOOP_N_QUICK : FORK_LOOP_N);
	}
	return 0;
}
