/*
 * tools/zero_page - does this kernel map the shared zero page when a
 * process reads anonymous memory it never wrote? Prints "yes" (reads map
 * the one zero page: RSS does not grow) or "no" (each read allocates a
 * frame of its own: RSS grows by the pages read), and exits 0; exits 1
 * when it cannot tell. tools/cowlab-expect uses it for the requirements
 * zero-page and no-zero-page of the expectation tables: some kernels are
 * built or started without the zero page, and the labs must say which.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Resident pages of this process, from /proc/self/statm. */
static long resident_pages(void)
{
	long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident;
}

int main(void)
{
	const long pages = 256;
	long page = sysconf(_SC_PAGESIZE), before, after, i;
	volatile unsigned long sum = 0;
	char *buf = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return 1;
	/* 4 KiB pages: the huge zero page is another question. */
	madvise(buf, pages * page, MADV_NOHUGEPAGE);
	before = resident_pages();
	for (i = 0; i < pages; i++)
		sum += ((volatile char *)buf)[i * page];
	after = resident_pages();
	if (before < 0 || after < 0)
		return 1;
	/* Half the pages as the line between the two answers: a few pages of
	 * the program's own may come and go meanwhile. */
	puts(after - before < pages / 2 ? "yes" : "no");
	return 0;
}
