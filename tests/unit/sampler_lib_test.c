/*
 * sampler_lib_test.c - unit tests of the sampler's library parts: the
 * smaps_rollup parser, the process table, the /proc helpers for threads,
 * children and tgid, output files (outfile.h) and per-page TSV files read
 * back (pagesnap.h). Prints TAP.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "pagesnap.h"
#include "procstat.h"
#include "proctable.h"
#include "smaps.h"

static int test_number;
static int failures;

static void ok(int condition, const char *name)
{
	test_number++;
	if (!condition)
		failures++;
	printf("%sok %d - %s\n", condition ? "" : "not ", test_number, name);
}

static void check_smaps_parse(void)
{
	static const char text[] =
		"55d0c0000000-7ffd1e5fe000 ---p 00000000 00:00 0                          [rollup]\n"
		"Rss:                5120 kB\n"
		"Pss:                3100 kB\n"
		"Pss_Dirty:          2000 kB\n"
		"Shared_Clean:        900 kB\n"
		"Shared_Dirty:       2048 kB\n"
		"Private_Clean:       124 kB\n"
		"Private_Dirty:      2048 kB\n"
		"Referenced:         5120 kB\n"
		"Anonymous:          4096 kB\n";
	struct smaps_rollup r;

	ok(smaps_rollup_parse(text, sizeof text - 1, &r) == 0, "smaps_rollup text parses");
	ok(r.rss_kb == 5120 && r.pss_kb == 3100, "Rss and Pss read (Pss_Dirty not taken for Pss)");
	ok(r.shared_dirty_kb == 2048 && r.private_dirty_kb == 2048 &&
	   r.shared_clean_kb == 900 && r.private_clean_kb == 124 && r.anonymous_kb == 4096,
	   "clean, dirty and anonymous counters read");
	ok(smaps_rollup_parse("Rss: 1 kB\n", 10, &r) == -EINVAL, "text without Pss is rejected");
	ok(smaps_rollup_parse("", 0, &r) == -EINVAL, "empty text is rejected");
	ok(smaps_rollup_read(getpid(), &r) == 0 && r.rss_kb > 0 && r.pss_kb > 0,
	   "reads its own smaps_rollup");
}

static void check_table(void)
{
	struct proctable t;
	struct proc_entry *a, *b, *c;

	proctable_init(&t);
	a = proctable_add(&t, 100, 0);
	b = proctable_add(&t, 101, 1);
	ok(proctable_find(&t, 100) == a && proctable_find(&t, 101) == b &&
	   proctable_find(&t, 102) == NULL, "find by pid");
	a->exited = 1;
	ok(proctable_find(&t, 100) == NULL && proctable_live(&t) == 1,
	   "an exited process is kept but not found as live");
	c = proctable_add(&t, 100, 2);		/* the pid reused */
	ok(proctable_find(&t, 100) == c && t.n == 3, "a reused pid is a new entry");
	ok(strcmp(proctable_role(0), "parent") == 0 && strcmp(proctable_role(1), "child") == 0 &&
	   strcmp(proctable_role(2), "grandchild") == 0 && strcmp(proctable_role(5), "descendant") == 0,
	   "roles by depth");

	b->last.min_flt = 10;
	b->phase_min_flt = 4;
	proctable_phase_step(b, 1.0, "one");
	b->last.min_flt = 25;
	b->last.maj_flt = 2;
	proctable_phase_step(b, 2.0, "two");
	ok(b->nsteps == 2 && b->steps[0].d_min_flt == 6 && b->steps[1].d_min_flt == 15 &&
	   b->steps[1].d_maj_flt == 2 && strcmp(b->steps[1].phase, "two") == 0,
	   "phase steps count from the previous mark");

	proctable_add_thread(&t, 555, 101);
	ok(proctable_thread_tgid(&t, 555) == 101 && proctable_thread_tgid(&t, 556) == 0, "thread lookup");
	proctable_remove_thread(&t, 555);
	ok(proctable_thread_tgid(&t, 555) == 0, "thread removed");
	proctable_free(&t, NULL);
}

static void *idle_thread(void *arg)
{
	pause();
	return arg;
}

static void check_proc_helpers(void)
{
	pid_t ids[16], child;
	pthread_t thread;
	int n, i, found = 0, status;

	pthread_create(&thread, NULL, idle_thread, NULL);
	n = procstat_threads(getpid(), ids, 16);
	ok(n == 2, "procstat_threads sees both threads");
	for (i = 0; i < n && i < 16; i++)
		if (ids[i] != getpid())
			ok(procstat_tgid(ids[i]) == getpid(), "procstat_tgid of a thread is the process");
	ok(procstat_tgid(getpid()) == getpid(), "procstat_tgid of the process is itself");
	pthread_cancel(thread);
	pthread_join(thread, NULL);

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	n = procstat_children(getpid(), ids, 16);
	for (i = 0; i < n && i < 16; i++)
		found |= ids[i] == child;
	ok(n >= 1 && found, "procstat_children lists a new child");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ok(procstat_children(0x3fffffff, ids, 16) == -ENOENT, "children of no process: -ENOENT");
}

/* A child forked by a second thread, which stays alive: the child is
 * listed under that thread's task only. */
static int forked_pipe[2];
static void *fork_from_thread(void *arg)
{
	pid_t *child = arg;

	*child = fork();
	if (*child == 0) {
		pause();
		_exit(0);
	}
	if (write(forked_pipe[1], "x", 1) != 1)
		return NULL;
	for (;;)
		pause();
	return NULL;
}

/* More children than any fixed buffer the sampler once had (256 PIDs,
 * 4 KiB of /proc text), one of them forked by a thread. */
static void check_many_children(void)
{
	enum { MANY = 700 };
	static pid_t kids[MANY + 1];
	struct pid_list list = { 0 };
	pthread_t thread;
	size_t i, k, found = 0;
	int status;
	char byte;

	for (i = 0; i < MANY; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	if (pipe(forked_pipe) != 0)
		return;
	pthread_create(&thread, NULL, fork_from_thread, &kids[MANY]);
	if (read(forked_pipe[0], &byte, 1) != 1)
		return;
	ok(procstat_children_list(getpid(), &list) == 0, "procstat_children_list reads 701 children");
	for (i = 0; i <= MANY; i++)
		for (k = 0; k < list.n; k++)
			if (list.v[k] == kids[i]) {
				found++;
				break;
			}
	ok(list.n == MANY + 1 && found == MANY + 1,
	   "every child is listed, the one a thread forked too (no limit)");
	pthread_cancel(thread);
	pthread_join(thread, NULL);
	for (i = 0; i <= MANY; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], &status, 0);
	}
	procstat_pid_list_free(&list);
}

/* The first line of a file, or "" */
static const char *first_line(const char *path)
{
	static char line[256];
	FILE *f = fopen(path, "r");

	line[0] = '\0';
	if (f != NULL) {
		if (fgets(line, sizeof line, f) == NULL)
			line[0] = '\0';
		fclose(f);
	}
	return line;
}

/* How many entries a directory has (besides . and ..). */
static int entries(const char *dir)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void check_outfile(const char *dir)
{
	char path[512], link[512], sub[512];
	struct outfile out;
	struct stat st;

	snprintf(path, sizeof path, "%s/a.tsv", dir);
	ok(outfile_open(&out, path) == 0 && out.tmp != NULL && access(path, F_OK) != 0,
	   "outfile: a new file is written to a temporary file first");
	fputs("one\n", out.f);
	ok(outfile_commit(&out) == 0 && strcmp(first_line(path), "one\n") == 0 && entries(dir) == 1,
	   "outfile: commit renames it into place, nothing else is left");
	ok(outfile_open(&out, path) == 0, "outfile: an existing file is opened");
	fputs("two\n", out.f);
	outfile_discard(&out);
	ok(strcmp(first_line(path), "one\n") == 0 && entries(dir) == 1,
	   "outfile: discard leaves the old file as it was");

	snprintf(link, sizeof link, "%s/link", dir);
	ok(symlink("a.tsv", link) == 0 && outfile_open(&out, link) == 0, "outfile: a symlink is opened");
	fputs("three\n", out.f);
	ok(outfile_commit(&out) == 0 && lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
	   strcmp(first_line(path), "three\n") == 0, "outfile: the file a symlink points to is replaced");

	ok(outfile_open(&out, "/dev/null") == 0 && out.tmp == NULL && outfile_commit(&out) == 0 &&
	   stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "outfile: a device is written directly");
	ok(outfile_open(&out, dir) == -EISDIR, "outfile: a directory is refused");
	snprintf(sub, sizeof sub, "%s/no/such.tsv", dir);
	ok(outfile_open(&out, sub) == -ENOENT, "outfile: a missing parent is refused");
	unlink(link);
	unlink(path);
}

static void check_pagesnap(const char *dir)
{
	struct pm_page v[3] = {
		{ .vaddr = 0x7f0000000000, .pfn = 0x1234, .present = 1, .exclusive_bit = 0,
		  .mapcount = 2, .thp = 0, .area_start = 0x7f0000000000, .area_end = 0x7f0000008000 },
		{ .vaddr = 0x7f0000001000, .pfn = 0x99, .present = 1, .exclusive_bit = 1,
		  .mapcount = 1, .thp = 1, .area_start = 0x7f0000000000, .area_end = 0x7f0000008000 },
		{ .vaddr = 0x7f0000005000, .pfn = 0, .present = 0, .swapped = 1, .exclusive_bit = 0,
		  .mapcount = -1, .thp = -1, .area_start = 0x7f0000000000, .area_end = 0x7f0000008000 },
	};
	struct pm_pages written = { v, 3, 3 }, back = { 0 };
	struct pagesnap_info info;
	char path[512];
	FILE *f;
	int same = 1;
	size_t i;

	snprintf(path, sizeof path, "%s/child-wrote-4321.tsv", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		pm_write_pages_tsv(f, &written, 1);
		fclose(f);
	}
	ok(pagesnap_read(path, &back, &info) == 0 && back.n == 3 && info.pid == 4321 && info.frames,
	   "pagesnap: a per-page TSV reads back, with the PID of its name");
	for (i = 0; i < 3 && back.n == 3; i++)
		same &= back.v[i].vaddr == v[i].vaddr && back.v[i].pfn == v[i].pfn &&
			back.v[i].present == v[i].present && back.v[i].swapped == v[i].swapped &&
			back.v[i].mapcount == v[i].mapcount && back.v[i].thp == v[i].thp &&
			back.v[i].area_start == v[i].area_start && back.v[i].area_end == v[i].area_end &&
			pm_page_exclusive(&back.v[i]) == pm_page_exclusive(&v[i]);
	ok(back.n == 3 && same, "pagesnap: every field as written");
	pm_pages_free(&back);

	f = fopen(path, "a");
	if (f != NULL) {
		fputs("0x7f0000006000\t1\tyes\t-\t-\t-\t0x7f0000000000-0x7f0000008000\n", f);
		fclose(f);
	}
	ok(pagesnap_read(path, &back, &info) == -EINVAL && info.bad_line == 5,
	   "pagesnap: a malformed row is refused with its line number");
	pm_pages_free(&back);
	unlink(path);
	ok(pagesnap_read(path, &back, &info) == -ENOENT, "pagesnap: a missing file");
}

int main(void)
{
	char dir[] = "/tmp/sampler_lib_test.XXXXXX";

	printf("1..33\n");
	check_smaps_parse();
	check_table();
	check_proc_helpers();
	check_many_children();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	check_outfile(dir);
	check_pagesnap(dir);
	rmdir(dir);
	return failures == 0 ? 0 : 1;
}
