/*
 * filefaults.c - a test helper for cowsample --faults: file pages read
 * from disk (major faults) and first writes to a MAP_SHARED file mapping
 * (dirty tracking), N pages each, in steps that cowsample sees as marks.
 *
 *   filefaults -n N -d DIR
 *
 * It creates a file of N pages in DIR (unlinked at once: nothing is left
 * behind), writes it with write(), fsync()s it and asks the kernel to drop
 * its clean pages from the page cache (posix_fadvise POSIX_FADV_DONTNEED:
 * this file's pages only, no global setting). Then it maps the file
 * MAP_SHARED, readable and writable, and:
 *   mark "cold"        prints "resident: before=R pages=N": how many of the
 *                      file's pages mincore() still finds in the page cache
 *                      (0: every read below must go to disk; on tmpfs all)
 *   mark "read-cold"   after reading one byte of each page (MADV_RANDOM: no
 *                      readahead, so each read is its own fault and read)
 *   mark "wrote-shared" after writing one byte of each page: the pages are
 *                      in the page cache and mapped read-only (the kernel
 *                      write-protects clean shared file pages to see them
 *                      dirtied), so each first write faults once
 * The page counts come from the command line: tests derive their bounds
 * from them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cowlab.h"

#include <fcntl.h>
#include <sys/mman.h>

static long page_size;

/* One byte of each page. Not instrumented in the sanitizer build: one
 * fault per page, none for the sanitizer's shadow memory. */
LAB_NOT_SANITIZED static long read_pages(const volatile char *map, long n)
{
	long i, sum = 0;

	for (i = 0; i < n; i++)
		sum += map[i * page_size];
	return sum;
}

LAB_NOT_SANITIZED static void write_pages(volatile char *map, long n)
{
	long i;

	for (i = 0; i < n; i++)
		map[i * page_size] = 'W';
}

/* Pages of the mapping the page cache holds (mincore: no fault). */
static long resident_pages(void *map, long n)
{
	unsigned char *vec = calloc((size_t)n, 1);
	long i, resident = 0;

	if (vec == NULL)
		lab_die("calloc");
	if (mincore(map, (size_t)(n * page_size), vec) != 0)
		lab_die("mincore");
	for (i = 0; i < n; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident;
}

/* A new file of n pages in dir, written, on disk and out of the cache. */
static int cold_file(const char *dir, long n)
{
	char path[4096];
	char *page = malloc((size_t)page_size);
	int fd;
	long i;

	if (page == NULL)
		lab_die("malloc");
	if (snprintf(path, sizeof path, "%s/filefaults.XXXXXX", dir) >= (int)sizeof path) {
		fprintf(stderr, "filefaults: directory name too long\n");
		exit(2);
	}
	fd = mkstemp(path);
	if (fd < 0)
		lab_die("mkstemp");
	if (unlink(path) != 0)
		lab_die("unlink");
	memset(page, 'F', (size_t)page_size);
	for (i = 0; i < n; i++)
		if (write(fd, page, (size_t)page_size) != (ssize_t)page_size)
			lab_die("write");
	free(page);
	/* Only clean pages can be dropped: on disk first. */
	if (fsync(fd) != 0)
		lab_die("fsync");
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (errno != 0)
		lab_die("posix_fadvise");
	return fd;
}

int main(int argc, char *argv[])
{
	const char *dir = NULL;
	long pages = 0;
	char *map;
	int fd, opt;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		switch (opt) {
		case 'n': pages = atol(optarg); break;
		case 'd': dir = optarg; break;
		default: pages = 0; dir = NULL; optind = argc; break;
		}
	}
	if (pages <= 0 || dir == NULL || optind != argc) {
		fprintf(stderr, "usage: filefaults -n PAGES -d DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = cold_file(dir, pages);
	map = mmap(NULL, (size_t)(pages * page_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		lab_die("mmap");
	/* No readahead: each read below is one fault that reads one page. */
	if (madvise(map, (size_t)(pages * page_size), MADV_RANDOM) != 0)
		lab_die("madvise");
	printf("resident: before=%ld pages=%ld\n", resident_pages(map, pages), pages);
	lab_mark("cold");
	read_pages(map, pages);
	lab_mark("read-cold");
	write_pages(map, pages);
	lab_mark("wrote-shared");
	if (munmap(map, (size_t)(pages * page_size)) != 0)
		lab_die("munmap");
	close(fd);
	return 0;
}
