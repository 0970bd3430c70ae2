/*
 * shared_vs_private - MAP_SHARED and MAP_PRIVATE across fork().
 *
 * The parent maps two buffers of N pages each, one MAP_PRIVATE and one
 * MAP_SHARED (both anonymous), writes every page of both, and forks.
 *
 *   1. The child writes K pages of the PRIVATE buffer: one copy-on-write
 *      fault per page, and K pages are copied (the child's own copies).
 *   2. The child writes K pages of the SHARED buffer: it faults too (fork
 *      does not copy page-table entries of shared mappings; the child maps
 *      the existing pages on first touch), but NOTHING is copied: parent
 *      and child use the same frames.
 *   3. The parent looks: it sees the child's writes in the shared buffer,
 *      and not one of them in the private one.
 *   4. The parent rewrites both: no fault in the shared buffer (fork left
 *      its entries writable), one per page in the private one (fork
 *      write-protected them to make copy-on-write possible).
 *   5. The same with a small file: what a write through a MAP_SHARED and
 *      through a MAP_PRIVATE mapping of it does to the file.
 *
 * Watch it from another tmux pane with
 *   ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p PARENT,CHILD
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define DEFAULT_PAGES 1024L
#define MAX_PAGES (1L << 20)
#define FILE_SIZE 4096		/* the small file of step 5: one page */

static long page_size;
static int interactive;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: shared_vs_private [-n PAGES] [-w PAGES] [-f NEWFILE] [--batch] [--help]\n"
		"Maps the same amount of memory MAP_PRIVATE and MAP_SHARED, forks, and\n"
		"shows who sees whose writes and which writes are copied.\n"
		"  -n, --pages=N  pages per buffer (default %ld)\n"
		"  -w, --write=K  pages the child writes in each buffer (default N/2)\n"
		"  -f, --file=F   the file of the last step: a NEW file, kept afterwards\n"
		"                 (default: a temporary file, removed at the end)\n"
		"  -b, --batch    do not wait for Enter between steps\n"
		"                 (automatic when stdin is not a terminal)\n"
		"  -h, --help     show this help\n"
		"Machine-readable lines: 'result: phase=P role=R pid=N minor=N major=N',\n"
		"'copied: ...', 'seen: ...' and 'file: ...'.\n",
		DEFAULT_PAGES);
}

static void usage_error(const char *what, const char *why)
{
	fprintf(stderr, "shared_vs_private: %s: %s (try --help)\n", what, why);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "shared_vs_private: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A whole decimal number of pages in [min, MAX_PAGES], or a usage error. */
static long parse_pages(const char *option, const char *text, long min)
{
	char *end;
	long pages;

	errno = 0;
	pages = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || pages < min || pages > MAX_PAGES) {
		char why[96];

		snprintf(why, sizeof why, "'%s' is not a number from %ld to %ld",
			 text, min, MAX_PAGES);
		usage_error(option, why);
	}
	return pages;
}

/* Anonymous memory, private or shared (`sharing` is MAP_PRIVATE or
 * MAP_SHARED); 4 KiB pages, so that counts are per page. */
static char *map_anonymous(int sharing, long pages)
{
	size_t bytes = (size_t)pages * page_size;
	char *buf;

	/* TODO 1: map `bytes` bytes of anonymous memory, readable and
	 * writable, private or shared as `sharing` says; buf is its address. */
	buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, sharing | MAP_ANONYMOUS, -1, 0);
	/* END TODO */
	if (buf == MAP_FAILED)
		die("mmap");
	madvise(buf, bytes, MADV_NOHUGEPAGE);
	return buf;
}

/* Write `value` into the first byte of each of the first `count` pages. */
LAB_NOT_SANITIZED
static void write_pages(char *buf, long count, char value)
{
	for (long i = 0; i < count; i++)
		buf[i * page_size] = value;
}

/* How many of the first `count` pages hold `value` in their first byte. */
LAB_NOT_SANITIZED
static long count_pages_holding(const char *buf, long count, char value)
{
	long found = 0;

	for (long i = 0; i < count; i++)
		if (buf[i * page_size] == value)
			found++;
	return found;
}

/*
 * Pages of the mapping at `buf` that only this process maps and has
 * written: the "Private_Dirty:" line of its entry in /proc/self/smaps.
 * After fork, a page is private again only once it was copied, so in the
 * child this counts the copies that copy-on-write made.
 */
static long copied_pages(const char *buf)
{
	char line[256], want[32];
	long kb = -1;
	int in_mapping = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (f == NULL)
		return -1;
	snprintf(want, sizeof want, "%lx-", (unsigned long)buf);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, want, strlen(want)) == 0)
			in_mapping = 1;	/* the mapping's header line */
		else if (in_mapping && sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb / (page_size / 1024);
}

static void step(const char *who, int number, const char *title)
{
	printf("\n== %s, step %d: %s\n", who, number, title);
}

/* Print a measured step for people and for the tests, then mark it. */
static void report(const char *phase, const char *role,
		   struct lab_faults before, struct lab_faults after)
{
	lab_mark(phase);	/* first: under cowsample, measured right here */
	printf("  %s %d: page faults +%ld minor, +%ld major\n", role, (int)getpid(),
	       after.minor - before.minor, after.major - before.major);
	lab_result(phase, role, before, after);
}

/* Write `count` pages of `buf` and report the faults that took. */
static void measured_write(const char *phase, const char *role, char *buf,
			   long count, char value)
{
	struct lab_faults before = lab_faults_now();

	write_pages(buf, count, value);
	report(phase, role, before, lab_faults_now());
}

/* Child, step 1 or 2: write K pages of one buffer ("private" or "shared"),
 * then count the pages that were copied for it. */
static void child_write_step(int number, const char *mapping, char *buf, long k)
{
	char phase[32], title[64];

	snprintf(phase, sizeof phase, "child-wrote-%s", mapping);
	snprintf(title, sizeof title, "write K pages of the %s buffer", mapping);
	step("child", number, title);
	measured_write(phase, "child", buf, k, 'C');
	printf("copied: phase=%s mapping=%s pages=%ld\n", phase, mapping,
	       copied_pages(buf));
}

/* The child's part: steps 1 and 2, then it exits. */
static void child_steps(char *private_buf, char *shared_buf, long k)
{
	lab_pause(interactive, "let the child write the private buffer");
	child_write_step(1, "private", private_buf, k);
	printf("  One copy-on-write fault per page: the child got its own copies\n"
	       "  (Private_Dirty of this mapping in /proc/%d/smaps).\n", (int)getpid());

	lab_pause(interactive, "let the child write the shared buffer");
	child_write_step(2, "shared", shared_buf, k);
	printf("  These faults copy nothing. fork() did not copy the page-table\n"
	       "  entries of the shared mapping (the pages are found again in the\n"
	       "  shared object), so the child's first touch of each page faults\n"
	       "  only to map the frame that the parent uses too.\n");
	lab_pause(interactive, "let the child exit (look at its smaps first)");
}

/* Parent, step 3: which of the child's writes can the parent see? */
static void parent_looks(const char *private_buf, const char *shared_buf,
			 long pages, long k)
{
	long in_private = count_pages_holding(private_buf, pages, 'C');
	long in_shared = count_pages_holding(shared_buf, pages, 'C');

	step("parent", 3, "look for the child's writes");
	printf("seen: mapping=private changed=%ld pages=%ld\n", in_private, pages);
	printf("seen: mapping=shared changed=%ld pages=%ld\n", in_shared, pages);
	printf("  The child wrote %ld pages of each. The parent sees %ld of them in\n"
	       "  the shared buffer (same frames) and %ld in the private one (the\n"
	       "  child wrote its own copies).\n", k, in_shared, in_private);
	lab_mark("parent-looked");
}

/* Parent, step 4: rewrite both buffers and count the faults. */
static void parent_rewrites(char *private_buf, char *shared_buf, long pages)
{
	lab_pause(interactive, "let the parent rewrite both buffers");
	step("parent", 4, "rewrite every page of both buffers");
	measured_write("parent-rewrote-shared", "parent", shared_buf, pages, 'P');
	measured_write("parent-rewrote-private", "parent", private_buf, pages, 'P');
	printf("  Shared: no fault, fork() left the parent's entries writable.\n"
	       "  Private: one fault per page, fork() write-protected them all; now\n"
	       "  that the child is gone each page is the parent's alone and the\n"
	       "  kernel just makes it writable again (no copy, still a fault).\n");
}

/* The first line of `text` (at most size - 1 bytes) as a word. */
static void first_word(const char *text, size_t length, char *word, size_t size)
{
	size_t n = 0;

	while (n < length && n < size - 1 && text[n] != '\n')
		n++;
	memcpy(word, text, n);
	word[n] = '\0';
}

/* The file's first line, read with pread (not through a mapping). */
static void read_file_word(int fd, char *word, size_t size)
{
	char text[16];
	ssize_t got = pread(fd, text, sizeof text, 0);

	first_word(text, got > 0 ? (size_t)got : 0, word, size);
}

/* What the file says and what each mapping shows. */
static void show_file(int fd, const char *after, const char *private_map,
		      const char *shared_map)
{
	char file[16], private_word[16], shared_word[16];

	read_file_word(fd, file, sizeof file);
	first_word(private_map, sizeof file, private_word, sizeof private_word);
	first_word(shared_map, sizeof file, shared_word, sizeof shared_word);
	printf("file: after=%s file=%s private_map=%s shared_map=%s\n",
	       after, file, private_word, shared_word);
}

/* The summary of step 5: which mapping's write is in the file now? */
static void show_what_reached(int fd)
{
	char file[16];

	read_file_word(fd, file, sizeof file);
	printf("file: mapping=private reached=%s\n", strcmp(file, "PRIVATE") == 0 ? "yes" : "no");
	printf("file: mapping=shared reached=%s\n", strcmp(file, "SHARED") == 0 ? "yes" : "no");
}

#define LINE_SIZE 9	/* the file's first line: "ORIGINAL\n" */

/* Replace the first line of a mapping by `word`, measure, report. */
static void write_word(char *map, const char *word, const char *phase)
{
	struct lab_faults before = lab_faults_now();

	memset(map, '\n', LINE_SIZE);
	memcpy(map, word, strlen(word));
	report(phase, "parent", before, lab_faults_now());
}

/* Fill a new file with one page: the line ORIGINAL, then empty lines. */
static void write_original(int fd)
{
	char page[FILE_SIZE];

	memset(page, '\n', sizeof page);
	memcpy(page, "ORIGINAL", 8);
	if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
		die("write");
}

/*
 * The file of step 5: the one named with -f (a new file; never overwrite
 * someone's file), or a temporary one whose name goes at once (the file
 * itself goes when we close it). It is complete from the start: ORIGINAL.
 */
static int open_new_file(const char *path)
{
	char temp[4096];
	const char *dir = getenv("TMPDIR");
	int fd;

	if (path != NULL) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0 && errno == EEXIST)
			usage_error(path, "exists already; -f wants a new name (nothing is overwritten)");
		if (fd < 0)
			die(path);
	} else {
		snprintf(temp, sizeof temp, "%s/shared_vs_private.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(temp);
		if (fd < 0)
			die(temp);
		unlink(temp);
	}
	write_original(fd);
	return fd;
}

/* Step 5: one file (fd, named `path` or temporary), mapped twice; what
 * reaches the file? */
static void file_mappings(int fd, const char *path)
{
	char *private_map, *shared_map;

	/* TODO 2: map the first FILE_SIZE bytes of the file fd twice,
	 * readable and writable: private_map with MAP_PRIVATE, shared_map
	 * with MAP_SHARED. */
	private_map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shared_map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* END TODO */
	if (private_map == MAP_FAILED || shared_map == MAP_FAILED)
		die("mmap");

	lab_pause(interactive, "write through the private file mapping");
	step("parent", 5, "write through MAP_PRIVATE, then MAP_SHARED, of one file");
	printf("  %s holds ORIGINAL; both mappings show it at first.\n",
	       path ? path : "a temporary file");
	write_word(private_map, "PRIVATE", "file-wrote-private");
	show_file(fd, "private-write", private_map, shared_map);
	write_word(shared_map, "SHARED", "file-wrote-shared");
	if (msync(shared_map, FILE_SIZE, MS_SYNC) != 0)
		die("msync");
	show_file(fd, "shared-write", private_map, shared_map);
	show_what_reached(fd);
	printf("  The private write faulted and copied the page: the file (read with\n"
	       "  pread) still says ORIGINAL. The shared write went into the page\n"
	       "  cache itself: the file says SHARED at once (msync only pushes it\n"
	       "  to the disk). The private mapping keeps its copy, PRIVATE.\n");
	lab_pause(interactive, "exit");
	munmap(private_map, FILE_SIZE);
	munmap(shared_map, FILE_SIZE);
	close(fd);
}

struct options {
	long pages;		/* N: pages per buffer */
	long written;		/* K: pages the child writes */
	const char *file;	/* -f: the file of step 5, or NULL */
};

static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{ "file", required_argument, NULL, 'f' },
		{ "batch", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *write_text = NULL;
	int batch = 0, c;

	opt->pages = DEFAULT_PAGES;
	opt->file = NULL;
	opterr = 0;		/* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, ":n:w:f:bh", longopts, NULL)) != -1) {
		if (c == 'n')
			opt->pages = parse_pages("-n", optarg, 1);
		else if (c == 'w')
			write_text = optarg;	/* checked once N is known */
		else if (c == 'f')
			opt->file = optarg;
		else if (c == 'b')
			batch = 1;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else if (c == ':')
			usage_error(argv[optind - 1], "needs a value");
		else if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) == 0)
			usage_error(argv[optind - 1], "takes no value");
		else
			usage_error(argv[optind - 1], "unknown option");
	}
	if (optind < argc)
		usage_error(argv[optind], "unexpected argument");
	opt->written = write_text ? parse_pages("-w", write_text, 1) : opt->pages / 2;
	if (opt->written < 1)
		opt->written = 1;
	if (opt->written > opt->pages)
		usage_error("-w", "the child cannot write more pages than -n");
	/* Waiting for Enter only makes sense when a person types it. */
	interactive = !batch && isatty(STDIN_FILENO);
}

int main(int argc, char **argv)
{
	struct options opt;
	long pages, k;
	int fd;
	char *private_buf, *shared_buf;
	struct lab_faults before, after;
	pid_t child;
	int status;

	parse_options(argc, argv, &opt);
	pages = opt.pages;
	k = opt.written;
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open_new_file(opt.file);	/* now: a bad -f must not cost a whole run */

	printf("shared_vs_private: parent pid %d, two buffers of %ld pages, the child\n"
	       "writes K=%ld pages of each; 4 KiB pages (MADV_NOHUGEPAGE, THP mode here: %s)\n",
	       (int)getpid(), pages, k, lab_thp_mode());
	printf("watch it from another pane: ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d\n"
	       "(after the fork, the child prints the command for both)\n", (int)getpid());

	private_buf = map_anonymous(MAP_PRIVATE, pages);
	shared_buf = map_anonymous(MAP_SHARED, pages);
	lab_pause(interactive, "let the parent write every page");
	step("parent", 0, "write every page of both buffers, then fork");
	before = lab_faults_now();
	write_pages(private_buf, pages, 'P');
	write_pages(shared_buf, pages, 'P');
	after = lab_faults_now();
	report("parent-wrote", "parent", before, after);

	lab_pause(interactive, "fork");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		printf("  forked: parent %d, child %d. Watch both:\n"
		       "    ps -o pid,ppid,min_flt,maj_flt,rss,cmd -p %d,%d\n",
		       (int)getppid(), (int)getpid(), (int)getppid(), (int)getpid());
		lab_mark("forked");
		child_steps(private_buf, shared_buf, k);
		exit(0);
	}
	lab_mark("forked");
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "shared_vs_private: child: did not finish its steps (%s %d)\n",
			WIFSIGNALED(status) ? "killed by signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return 1;
	}

	parent_looks(private_buf, shared_buf, pages, k);
	parent_rewrites(private_buf, shared_buf, pages);
	munmap(private_buf, (size_t)pages * page_size);
	munmap(shared_buf, (size_t)pages * page_size);

	file_mappings(fd, opt.file);
	printf("\ndone: MAP_SHARED shares the frames (and the file); MAP_PRIVATE\n"
	       "shares them only until someone writes: then copy-on-write.\n");
	return 0;
}
