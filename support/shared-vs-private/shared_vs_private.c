/*
 * shared_vs_private - MAP_SHARED and MAP_PRIVATE across fork().
 *
 * The parent maps two buffers of N pages, one MAP_PRIVATE and one
 * MAP_SHARED (both anonymous), writes every page of both, and forks (1).
 * The child writes K pages of the private buffer (2), then of the shared
 * one (3), and exits. The parent looks for the child's writes (4),
 * rewrites both buffers (5), and writes through a MAP_PRIVATE and a
 * MAP_SHARED mapping of one file (6). Each step prints the faults the
 * kernel counted (a "result:" line) and one line on why; the table of
 * steps and what each shows: labs/shared-vs-private.md.
 * The plumbing (options, marks, the parent-child lockstep) is cowlab.h.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#define FILE_SIZE 4096		/* the file of step 6: one page */

static struct {
	long pages, written;	/* N pages per buffer, K written by the child */
	const char *file;	/* -f: the file of step 6, or NULL */
	int batch, interactive;
	int fd;			/* the file of step 6 */
	char *private_buf, *shared_buf;
	pid_t child;
	struct lab_lockstep steps;
} lab = { .pages = 1024, .written = -1 };

static const struct lab_option options[] = {
	LAB_OPTION_PAGES(lab.pages),
	LAB_OPTION_WRITE(lab.written, lab.pages, "pages the child writes in each buffer (default N/2)"),
	{ 'f', "file", LAB_TEXT, &lab.file, 0, 0, NULL, "F",
	  "the file of the last step: a NEW file, kept afterwards\n"
	  "(default: a temporary file, removed at the end)" },
	LAB_OPTION_BATCH(lab.batch),
	{ 0 }
};

static const struct lab_usage usage = {
	"[-n PAGES] [-w PAGES] [-f NEWFILE] [--batch]",
	"Maps the same amount of memory MAP_PRIVATE and MAP_SHARED, forks, and\n"
	"shows who sees whose writes and which writes are copied.\n",
	"Machine-readable lines: 'result: phase=P role=R pid=N minor=N major=N',\n"
	"'copied: ...', 'seen: ...' and 'file: ...'.\n",
	0, 0
};

/* Anonymous memory, MAP_PRIVATE or MAP_SHARED (`sharing`), 4 KiB pages. */
static char *map_anonymous(int sharing)
{
	size_t bytes = (size_t)lab.pages * lab_page_size();
	char *buf;

	/* TODO 1: map `bytes` bytes of anonymous memory, readable and
	 * writable, private or shared as `sharing` says; buf is its address. */
	buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, sharing | MAP_ANONYMOUS, -1, 0);
	/* END TODO */
	if (buf == MAP_FAILED)
		lab_die("mmap");
	return lab_use_page_size(buf, bytes, 0);
}

/*
 * Pages of the mapping at `buf` that only this process maps and has
 * written: its "Private_Dirty:" in /proc/self/smaps. After fork() a page
 * is private again only once it was copied: this counts the copies.
 */
static long copied_pages(const char *buf)
{
	long kb = lab_smaps_kb(buf, "Private_Dirty");

	return kb < 0 ? -1 : kb / (lab_page_size() / 1024);
}

/* When the parent lets it, the child writes K pages of one buffer; then:
 * how many were copied? */
static void child_writes(char *buf, const char *mapping, const char *why)
{
	char phase[32];

	lab_child_wait(&lab.steps);
	snprintf(phase, sizeof phase, "child-wrote-%s", mapping);
	lab_write_step(phase, "child", buf, lab.written, 'C');
	printf("copied: phase=%s mapping=%s pages=%ld\n", phase, mapping, copied_pages(buf));
	lab_why(why);
	lab_child_done(&lab.steps);
}

/* Steps 2 and 3 as the child lives them, one each time the parent lets it. */
static void child_steps(void)
{
	lab_mark("forked");
	child_writes(lab.private_buf, "private",
		     "copy-on-write: each first write copies the page (see copied:)");
	child_writes(lab.shared_buf, "shared",
		     "each fault only maps the frame the parent uses too: nothing is copied");
	lab_child_wait(&lab.steps);	/* released: exits */
}

/* Step 1: the parent writes both buffers, then forks. */
static void parent_writes_and_forks(void)
{
	struct lab_faults before = lab_faults_now();

	lab_write_pages(lab.private_buf, lab.pages, 'P');
	lab_write_pages(lab.shared_buf, lab.pages, 'P');
	lab_step_end("parent-wrote", "parent", before);
	lab_why("one demand-zero fault per page of each buffer, private or shared");
	lab.child = lab_fork_lockstep(&lab.steps, child_steps);
	lab_mark("forked");
	printf("forked: parent %d, child %d. Watch both:\n"
	       "  ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d,%d\n",
	       (int)getpid(), (int)lab.child, (int)getpid(), (int)lab.child);
}

/* Step 4. Which of the child's writes can the parent see? */
static void parent_looks(void)
{
	struct lab_faults before = lab_faults_now();
	long in_private = lab_count_pages_holding(lab.private_buf, lab.pages, 'C');
	long in_shared = lab_count_pages_holding(lab.shared_buf, lab.pages, 'C');

	lab_step_end("parent-looked", "parent", before);
	printf("seen: mapping=private changed=%ld pages=%ld\n", in_private, lab.pages);
	printf("seen: mapping=shared changed=%ld pages=%ld\n", in_shared, lab.pages);
	lab_why("shared: the child wrote the parent's frames; private: it wrote its own copies");
}

/* Step 5. */
static void parent_rewrites(void)
{
	lab_write_step("parent-rewrote-shared", "parent", lab.shared_buf, lab.pages, 'P');
	lab_why("fork() left the parent's shared entries writable: no fault");
	lab_write_step("parent-rewrote-private", "parent", lab.private_buf, lab.pages, 'P');
	lab_why("fork() write-protected every private entry: a fault per page, a reuse, no copy");
}

/* The file of step 6: a new one (-f; never someone's file) or one with no
 * name at all (O_TMPFILE), gone when closed. It starts as ORIGINAL. */
static int open_new_file(void)
{
	char page[FILE_SIZE];
	int fd = lab_new_file(lab.file);

	memset(page, '\n', sizeof page);
	memcpy(page, "ORIGINAL", 8);
	if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
		lab_die("write");
	return fd;
}

/* What the file says (its first line, read with pread, not through a
 * mapping) and what each mapping shows. */
static void show_file(int fd, const char *after, const char *private_map, const char *shared_map)
{
	char word[16] = "";

	if (pread(fd, word, sizeof word - 1, 0) < 0)
		lab_die("pread");
	word[strcspn(word, "\n")] = '\0';
	printf("file: after=%s file=%s private_map=%.*s shared_map=%.*s\n", after, word,
	       (int)strcspn(private_map, "\n"), private_map, (int)strcspn(shared_map, "\n"), shared_map);
	if (strcmp(after, "shared-write") == 0)
		printf("file: mapping=private reached=%s\nfile: mapping=shared reached=%s\n",
		       strcmp(word, "PRIVATE") ? "no" : "yes", strcmp(word, "SHARED") ? "no" : "yes");
}

/* Write WORD as the first line of MAP, and measure it. */
static void write_word(char *map, const char *word, const char *phase)
{
	struct lab_faults before = lab_faults_now();

	memset(map, '\n', 9);		/* the first line, "ORIGINAL\n" */
	memcpy(map, word, strlen(word));
	lab_step_end(phase, "parent", before);
}

/* Step 6. One file mapped twice: what reaches the file? */
static void file_mappings(void)
{
	char *private_map, *shared_map;
	int fd = lab.fd;

	/* TODO 2: map the first FILE_SIZE bytes of the file fd twice,
	 * readable and writable: private_map with MAP_PRIVATE, shared_map
	 * with MAP_SHARED. */
	private_map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shared_map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* END TODO */
	if (private_map == MAP_FAILED || shared_map == MAP_FAILED)
		lab_die("mmap");

	write_word(private_map, "PRIVATE", "file-wrote-private");
	show_file(fd, "private-write", private_map, shared_map);
	lab_why("a private write copies the file's page: the file still says ORIGINAL");
	write_word(shared_map, "SHARED", "file-wrote-shared");
	if (msync(shared_map, FILE_SIZE, MS_SYNC) != 0)
		lab_die("msync");
	show_file(fd, "shared-write", private_map, shared_map);
	lab_why("a shared write goes into the page cache, the file itself; msync only writes it to disk");
	munmap(private_map, FILE_SIZE);
	munmap(shared_map, FILE_SIZE);
}

/* The lab, in order: each step's title, then Enter (interactively). */
static void step(int number, const char *title, const char *next)
{
	lab_step(number, 6, title);
	lab_pause(lab.interactive, next);
}

int main(int argc, char **argv)
{
	lab_parse_options(argc, argv, &usage, options);
	if (lab.written < 0)
		lab.written = lab.pages / 2 > 0 ? lab.pages / 2 : 1;
	lab.interactive = lab_interactive(lab.batch);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lab.fd = open_new_file();	/* first: a bad -f must not cost a whole run */
	printf("shared_vs_private: parent pid %d, two buffers of %ld pages, the child\n"
	       "writes K=%ld pages of each; 4 KiB pages (MADV_NOHUGEPAGE, THP mode here: %s)\n"
	       "watch it from another pane: ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d\n",
	       (int)getpid(), lab.pages, lab.written, lab_thp_mode(), (int)getpid());
	lab.private_buf = map_anonymous(MAP_PRIVATE);
	lab.shared_buf = map_anonymous(MAP_SHARED);

	step(1, "the parent writes every page of both buffers, then forks", "write and fork");
	parent_writes_and_forks();
	step(2, "the child writes K pages of the private buffer", "let the child write");
	lab_let_child(&lab.steps);
	step(3, "the child writes K pages of the shared buffer", "let the child write");
	lab_let_child(&lab.steps);
	lab_pause(lab.interactive, "let the child exit (look at its smaps first)");
	lab_release_child(&lab.steps);
	lab_wait_child(lab.child);
	step(4, "the child has exited: the parent looks for its writes", "look");
	parent_looks();
	step(5, "the parent rewrites every page of both buffers", "rewrite both buffers");
	parent_rewrites();
	step(6, "write through MAP_PRIVATE, then MAP_SHARED, of one file", "write the file");
	file_mappings();
	close(lab.fd);
	printf("\ndone: MAP_SHARED shares the frames (and the file); MAP_PRIVATE\n"
	       "shares them only until someone writes: then copy-on-write.\n");
	return 0;
}
