/*
 * ksm - Kernel Samepage Merging: pages of identical content, in any
 * processes that allow it, are merged into one write-protected frame; a
 * write to a merged page is then a copy-on-write fault, like a write after
 * fork(). Needs root: KSM's scanner (ksmd) is switched on for the whole
 * machine through /sys/kernel/mm/ksm, and this program puts every setting
 * back as it was when it ends, also on Ctrl-C and on errors.
 *
 * What to expect (N identical pages, K written after the merge):
 *   merged       pages_sharing + pages_shared grows to about N: N pages of
 *                ours, one frame (ksm_merging_pages N in /proc/PID)
 *   wrote        K faults and cow_ksm +K (/proc/vmstat): each write copied
 *                the merged frame into a page of our own
 *
 * Usage: ksm [-n PAGES] [-w PAGES] [--batch]      (as root)
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <sys/file.h>
#include <time.h>

#define KSM "/sys/kernel/mm/ksm/"
#define STEPS 3

/* KSM's settings this program changes, and their values before. */
static const char *const settings[] = { "run", "pages_to_scan", "sleep_millisecs" };
static char saved[3][32];
static int changed;

static int write_setting(const char *name, const char *value)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof path, KSM "%s", name);
	fd = open(path, O_WRONLY);
	ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Put KSM back as we found it: at exit, and from the signal handler (only
 * open/write/close: async-signal-safe). */
static void restore_ksm(void)
{
	for (int i = 0; changed && i < 3; i++)
		write_setting(settings[i], saved[i]);
	changed = 0;
}

static void on_signal(int sig)
{
	restore_ksm();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void start_ksm(void)
{
	int lock = open("/run/cowlab-ksm.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);

	/* One KSM lab at a time: two would restore each other's settings. */
	if (lock < 0 || flock(lock, LOCK_EX) != 0)
		lab_die("/run/cowlab-ksm.lock");
	for (int i = 0; i < 3; i++) {
		char path[128];
		FILE *f;

		snprintf(path, sizeof path, KSM "%s", settings[i]);
		f = fopen(path, "r");
		if (f == NULL || fgets(saved[i], sizeof saved[i], f) == NULL)
			lab_die(path);
		fclose(f);
		saved[i][strcspn(saved[i], "\n")] = '\0';
	}
	changed = 1;
	atexit(restore_ksm);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* Scan fast, so that the merge takes a fraction of a second. */
	if (write_setting("pages_to_scan", "10000") != 0 || write_setting("sleep_millisecs", "10") != 0 ||
	    write_setting("run", "1") != 0)
		lab_die("writing " KSM);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Write one byte into each of `pages` pages; ns per page. */
LAB_NOT_SANITIZED
static double timed_writes(char *buf, long pages)
{
	double start = now_ns();

	lab_write_pages(buf, pages, 'w');
	return (now_ns() - start) / pages;
}

static void ksm_line(const char *when)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/ksm_merging_pages", (int)getpid());
	printf("ksm: when=%s pages_shared=%ld pages_sharing=%ld merging_pages=%ld cow_ksm=%ld\n",
	       when, lab_proc_number(KSM "pages_shared", NULL),
	       lab_proc_number(KSM "pages_sharing", NULL), lab_proc_number(path, NULL),
	       lab_proc_number("/proc/vmstat", "cow_ksm"));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static long n = 4096, k = -1;
	static int batch;
	static const struct lab_option options[] = {
		LAB_OPTION_PAGES(n),
		LAB_OPTION_WRITE(k, n, "merged pages written afterwards (default N/4)"),
		LAB_OPTION_BATCH(batch), { 0 }
	};
	static const struct lab_usage usage = {
		"[-n N] [-w K] [--batch]   (as root)",
		"N identical pages merged by KSM into one frame; writes to them are\n"
		"copy-on-write faults (cow_ksm). KSM's settings are put back at the end.\n",
		"Lines for scripts:\n"
		"  ksm: when=before|merged|wrote pages_shared=N pages_sharing=N merging_pages=N cow_ksm=N\n"
		"  result: phase=merged|wrote role=self pid=N minor=N major=N\n"
		"  cost: merged_ns=N private_ns=N (one run's times: see the lab text)\n",
		0, 0
	};
	char path[64], *buf, *private_buf;
	struct lab_faults before;
	double merged_ns, private_ns;
	long page = lab_page_size(), merging = 0;
	int interactive;

	lab_parse_options(argc, argv, &usage, options);
	if (k < 0)
		k = n / 4;
	interactive = lab_interactive(batch);
	if (access(KSM "run", W_OK) != 0) {
		printf("ksm: skipped: %s\n", access(KSM "run", F_OK) != 0
		       ? "this kernel has no KSM (CONFIG_KSM)" : "switching KSM on needs root");
		return 0;
	}

	lab_step(1, STEPS, "N pages of identical content, offered to KSM");
	lab_why("MADV_MERGEABLE lets ksmd compare our pages with each other");
	buf = lab_map_buffer(n, 0);
	private_buf = lab_map_buffer(k > 0 ? k : 1, 0);
	for (long i = 0; i < n; i++)
		memset(buf + i * page, 0x5a, (size_t)page);
	lab_write_pages(private_buf, k > 0 ? k : 1, 'p');
	if (madvise(buf, (size_t)n * page, MADV_MERGEABLE) != 0)
		lab_die("madvise(MADV_MERGEABLE)");
	ksm_line("before");

	lab_pause(interactive, "switch ksmd on and wait for the merge");
	lab_step(2, STEPS, "ksmd merges them");
	lab_why("identical pages become one write-protected frame");
	start_ksm();
	before = lab_faults_now();	/* the step is the wait for ksmd */
	snprintf(path, sizeof path, "/proc/%d/ksm_merging_pages", (int)getpid());
	/* ksmd works in the background: wait until it merged all our pages
	 * (or stopped making progress for 10 s). lab_proc_number never
	 * allocates: in the sanitizer build an allocation would fault pages of
	 * its own into the step this wait is. */
	for (long last = -1, stalled = 0; stalled < 1000; stalled++) {
		merging = lab_proc_number(path, NULL);
		if (merging >= n)
			break;
		if (merging != last)
			stalled = 0;
		last = merging;
		usleep(10000);
	}
	lab_step_end("merged", "self", before);
	ksm_line("merged");

	lab_pause(interactive, "write K merged pages");
	lab_step(3, STEPS, "write K of the merged pages");
	lab_why("a merged frame is shared: each write copies it first (cow_ksm)");
	before = lab_faults_now();
	merged_ns = timed_writes(buf, k);
	lab_step_end("wrote", "self", before);
	ksm_line("wrote");
	private_ns = timed_writes(private_buf, k > 0 ? k : 1);
	printf("cost: merged_ns=%.0f private_ns=%.0f\n", merged_ns, private_ns);
	restore_ksm();
	return 0;
}
