/*
 * snapshot - the memory cost of a fork()-based snapshot, as Redis makes
 * one for BGSAVE: fork a child that writes the data out while the parent
 * goes on changing it. Copy-on-write keeps the child's view frozen; every
 * page the parent writes meanwhile is copied, and that copy is what the
 * snapshot costs.
 *
 * The parent holds D pages of data and forks a saver. The save goes in
 * C chunks; after each chunk the parent writes U pages (lockstep, so the
 * numbers do not depend on speed). At each chunk both processes report
 * their RSS and Private_Dirty/Shared_Dirty (/proc/PID/smaps_rollup).
 *
 * What to expect:
 *   RSS (its anonymous  flat in both: every page stays mapped, copied or not
 *   part)
 *   child Private_Dirty grows by 4 KiB per page the parent wrote: the old
 *                       frame is the child's alone now (Redis reports this
 *                       as "memory used by copy-on-write")
 *   parent faults       one per page written, copies of 4 KiB also with --thp
 *
 * Usage: snapshot [-n PAGES] [-u PAGES] [-c CHUNKS] [--thp] [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <sys/wait.h>

static long pages = 16384, updates = 256, chunks = 8;
static int thp, batch;

/* One field of /proc/PID/smaps_rollup, in kB (-1 if unreadable). */
static long rollup_kb(pid_t pid, const char *field)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	return lab_proc_number(path, field);
}

static void memory_line(int chunk, pid_t parent, pid_t child, long written)
{
	/* Anonymous: the part of RSS that is the data (RSS also counts file
	 * pages, which a fresh child faults in as it runs its code). */
	printf("memory: chunk=%d parent_written=%ld parent_anon_kb=%ld child_anon_kb=%ld"
	       " parent_private_dirty_kb=%ld child_private_dirty_kb=%ld shared_dirty_kb=%ld\n",
	       chunk, written, rollup_kb(parent, "Anonymous"), rollup_kb(child, "Anonymous"),
	       rollup_kb(parent, "Private_Dirty"), rollup_kb(child, "Private_Dirty"),
	       rollup_kb(child, "Shared_Dirty"));
}

/* The saver: write its frozen view out, one chunk per go from the parent. */
LAB_NOT_SANITIZED
static void saver(struct lab_lockstep *ls, const char *data)
{
	const long page = lab_page_size(), per_chunk = (pages + chunks - 1) / chunks;
	FILE *out = fopen("/dev/null", "w");
	long changed = 0;

	/* Ready: what the saver allocates for itself (its stdio) is done
	 * before the parent's first memory: line, so it is not a copy. */
	lab_child_wait(ls);
	lab_child_done(ls);
	for (long c = 0; c < chunks; c++) {
		lab_child_wait(ls);
		for (long i = c * per_chunk; i < (c + 1) * per_chunk && i < pages; i++) {
			fwrite(data + i * page, 1, (size_t)page, out);
			changed += data[i * page] != 'd';	/* a frozen view: 0 */
		}
		lab_child_done(ls);
	}
	lab_child_wait(ls);
	/* Redis's child reports its Private_Dirty as the snapshot's cost. */
	printf("RDB: %ld MB of memory used by copy-on-write\n", rollup_kb(getpid(), "Private_Dirty") / 1024);
	printf("saver: pages_changed_in_view=%ld\n", changed);
	lab_child_done(ls);
	fclose(out);
	_exit(0);
}

int main(int argc, char **argv)
{
	static const struct lab_option options[] = {
		LAB_OPTION_PAGES(pages),
		{ 'u', "updates", LAB_COUNT, &updates, 0, LAB_MAX_PAGES, NULL, "U",
		  "pages the parent writes after each chunk of the save" },
		{ 'c', "chunks", LAB_COUNT, &chunks, 1, 1000, NULL, "C", "chunks of the save" },
		LAB_OPTION_THP(thp), LAB_OPTION_BATCH(batch), { 0 }
	};
	static const struct lab_usage usage = {
		"[-n N] [-u U] [-c C] [--thp] [--batch]",
		"A fork()-based snapshot (Redis BGSAVE): the child saves while the parent\n"
		"writes; what the copies cost, where RSS cannot show it.\n",
		"Lines for scripts:\n"
		"  memory: chunk=I parent_written=W parent_anon_kb=... child_anon_kb=...\n"
		"          parent_private_dirty_kb=... child_private_dirty_kb=... shared_dirty_kb=...\n"
		"  result: phase=loaded|forked|parent-updated role=parent pid=N minor=N major=N\n",
		0, 0
	};
	const long page = lab_page_size();
	struct lab_lockstep ls;
	struct lab_faults before;
	long written = 0, next = 0;
	char *data;
	pid_t pid;

	lab_parse_options(argc, argv, &usage, options);
	if (updates * chunks > pages)
		lab_usage_error("-u", "U x C must not exceed N (each update writes a new page)");

	lab_step(1, 4, "the parent loads its data");
	lab_why(thp ? "huge pages: one fault per 2 MiB" : "4 KiB pages: one fault per page");
	data = lab_map_buffer(pages, thp);
	before = lab_faults_now();
	lab_write_pages(data, pages, 'd');
	lab_step_end("loaded", "parent", before);

	lab_pause(lab_interactive(batch), "fork the saver");
	lab_step(2, 4, "fork() the saver");
	lab_why("no page is copied: the child maps the parent's frames, write-protected");
	lab_lockstep_open(&ls);
	before = lab_faults_now();
	pid = fork();
	if (pid < 0)
		lab_die("fork");
	if (pid == 0) {
		lab_lockstep_child(&ls);
		saver(&ls, data);
	}
	lab_lockstep_parent(&ls);
	lab_step_end("forked", "parent", before);
	lab_let_child(&ls);	/* the saver gets ready */
	memory_line(0, getpid(), pid, 0);

	lab_step(3, 4, "the save runs; the parent writes U pages after each chunk");
	lab_why("each page the parent writes is copied; the old frame stays the child's");
	/* The step's faults are the writes' alone: reading smaps_rollup for
	 * the memory: lines between them is the program's business. */
	struct lab_faults none = { 0, 0 }, updated = { 0, 0 };
	for (int c = 1; c <= chunks; c++) {
		lab_let_child(&ls);
		before = lab_faults_now();
		lab_write_pages(data + next * page, updates, 'u');
		updated.minor += lab_faults_now().minor - before.minor;
		updated.major += lab_faults_now().major - before.major;
		next += updates;
		written += updates;
		memory_line(c, getpid(), pid, written);
	}
	lab_mark("parent-updated");
	lab_result("parent-updated", "parent", none, updated);

	lab_step(4, 4, "the saver reports what the snapshot cost");
	lab_why("the child's Private_Dirty: frames that only its frozen view still maps");
	lab_let_child(&ls);
	lab_release_child(&ls);
	if (waitpid(pid, NULL, 0) != pid)
		lab_die("waitpid");
	return 0;
}
