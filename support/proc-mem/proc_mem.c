/*
 * proc_mem - a write through /proc/self/mem into a read-only private file
 * mapping: the kernel's forced write (FOLL_FORCE, what debuggers use to
 * plant breakpoints in read-only code) copies the page, exactly as a
 * copy-on-write fault would. The file never changes; the process gets an
 * anonymous page of its own. On a read-only MAP_SHARED mapping there is
 * nothing to copy into: the kernel refuses.
 *
 * Dirty COW (CVE-2016-5195) was a race in this path: a forced write that
 * lost the copy and landed in the page cache, that is, in the file. The
 * copy is the safety property this lab shows; it does not race anything.
 *
 * What to expect:
 *   private, read-only   the write succeeds; 1 fault (the copy); the page
 *                        becomes anonymous (new frame); the file is unchanged
 *   shared, read-only    the write fails with EIO; nothing changes
 *
 * Usage: proc_mem [--batch]
 */
#define _GNU_SOURCE 1
#include "cowlab.h"

#define STEPS 3

static long page;

/* Is the page at addr backed by a file (pagemap bit 61), and which frame
 * (bits 0-54: zero without CAP_SYS_ADMIN)? */
static void page_facts(const void *addr, int *file_backed, unsigned long long *pfn)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, sizeof entry, (uintptr_t)addr / page * sizeof entry) != sizeof entry)
		lab_die("/proc/self/pagemap");
	close(fd);
	*file_backed = (int)(entry >> 61 & 1);
	*pfn = entry & ((1ULL << 55) - 1);
}

/* One "page:" line: what backs the mapping's page now (at=MAPPING-WHEN). */
static void show_page(const char *mapping, const char *when, const char *addr)
{
	char byte = *(volatile const char *)addr;	/* read first: maps the page */
	unsigned long long pfn;
	int file_backed;

	page_facts(addr, &file_backed, &pfn);
	printf("page: at=%s-%s file_backed=%s pfn=%s%llx byte=%c\n", mapping, when,
	       file_backed ? "yes" : "no", pfn ? "0x" : "", pfn, byte);
}

/* Write one byte at addr through /proc/self/mem; errno on failure. */
static int forced_write(char *addr, char byte)
{
	int fd = open("/proc/self/mem", O_RDWR);
	ssize_t n;

	if (fd < 0)
		lab_die("/proc/self/mem");
	n = pwrite(fd, &byte, 1, (off_t)(uintptr_t)addr);
	close(fd);
	return n == 1 ? 0 : errno;
}

/* The first byte of the file, read with read(2), not through a mapping. */
static char file_byte(int fd)
{
	char c = 0;

	if (pread(fd, &c, 1, 0) != 1)
		lab_die("pread");
	return c;
}

/* Map the file read-only (MAP_PRIVATE or MAP_SHARED), force a write into
 * it, and show what the kernel did. */
static void scenario(int fd, int flags, const char *mapping, int step, int interactive)
{
	char phase[32], *addr;
	struct lab_faults before;
	int error;

	addr = mmap(NULL, page, PROT_READ, flags, fd, 0);
	if (addr == MAP_FAILED)
		lab_die("mmap");
	show_page(mapping, "before", addr);	/* the read maps the page-cache page */
	lab_pause(interactive, "force a write");
	lab_step(step, STEPS, flags == MAP_PRIVATE ? "forced write, private mapping"
						    : "forced write, shared mapping");
	lab_why(flags == MAP_PRIVATE ? "a private mapping may get a copy of its own: the kernel copies the page"
				     : "a shared mapping is the file itself: a forced write is refused");
	before = lab_faults_now();
	error = forced_write(addr, 'B');
	snprintf(phase, sizeof phase, "forced-write-%s", mapping);
	lab_step_end(phase, "self", before);
	show_page(mapping, "after", addr);
	printf("write: mapping=%s refused=%s error=%s file_changed=%s\n", mapping,
	       error == 0 ? "no" : "yes", error == 0 ? "-" : strerrorname_np(error),
	       file_byte(fd) == 'A' ? "no" : "yes");
	if (flags == MAP_PRIVATE && error != 0)
		printf("note: this kernel refuses forced writes altogether (Linux 6.12+ can be\n"
		       "      built or booted so: proc_mem.force_override=never)\n");
	munmap(addr, page);
}

int main(int argc, char **argv)
{
	static int batch;
	static const struct lab_option options[] = { LAB_OPTION_BATCH(batch), { 0 } };
	static const struct lab_usage usage = {
		"[--batch]",
		"Write through /proc/self/mem into a read-only file mapping: private, the\n"
		"kernel copies the page (the file is unchanged); shared, it refuses.\n",
		"Lines for scripts:\n"
		"  result: phase=forced-write-private|forced-write-shared role=self pid=N minor=N major=N\n"
		"  page: at=private|shared-before|after file_backed=yes|no pfn=... byte=C\n"
		"  write: mapping=private|shared refused=yes|no error=-|EIO file_changed=yes|no\n",
		0, 0
	};
	char path[] = "/tmp/proc_mem.XXXXXX", *block;
	int interactive, fd;

	lab_parse_options(argc, argv, &usage, options);
	interactive = lab_interactive(batch);
	page = lab_page_size();

	lab_step(1, STEPS, "a one-page file of 'A's");
	lab_why("the file is what must never change: it is read back with read(2) after each write");
	fd = mkstemp(path);
	block = malloc(page);
	if (fd < 0 || block == NULL)
		lab_die("mkstemp");
	unlink(path);			/* gone when we exit, whatever happens */
	memset(block, 'A', page);
	if (write(fd, block, page) != page)
		lab_die("write");
	free(block);
	if (getuid() != 0)
		printf("note: frame numbers (pfn=) need root; file_backed= is exact anyway\n");

	scenario(fd, MAP_PRIVATE, "private", 2, interactive);
	lab_pause(interactive, "try the shared mapping");
	scenario(fd, MAP_SHARED, "shared", 3, interactive);
	close(fd);
	return 0;
}
