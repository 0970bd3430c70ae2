/*
 * sparse_reserve - a huge PROT_NONE reservation with a few pages in use,
 * the way allocators and language runtimes reserve address space.
 *
 *   sparse_reserve [--rw] GIB K
 *
 * Reserves GIB GiB of address space (PROT_NONE: no memory committed), makes
 * K pages spread evenly over it readable and writable, and writes them:
 * K one-page mappings amid the reservation. With --rw the whole range is
 * one readable and writable mapping instead (MAP_NORESERVE: still nothing
 * committed), with K separate runs of present pages in it.
 * Prints "ready addr=0xA end=0xE touched=K" and waits until stdin closes.
 */
#define _GNU_SOURCE 1
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), k, i;
	int rw = 0;
	uint64_t size, step;
	char *base, *p, line[16];

	if (argc > 1 && strcmp(argv[1], "--rw") == 0) {
		rw = 1;
		argc--, argv++;
	}
	if (argc != 3 || atol(argv[1]) <= 0 || (k = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sparse_reserve [--rw] GIB K\n");
		return 2;
	}
	size = (uint64_t)atol(argv[1]) << 30;
	base = mmap(NULL, size, rw ? PROT_READ | PROT_WRITE : PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		perror("sparse_reserve: mmap");
		return 1;
	}
	/* 4 KiB pages only: a huge page would turn one touched page into 512. */
	madvise(base, size, MADV_NOHUGEPAGE);
	step = size / (uint64_t)k;
	step -= step % (uint64_t)page;
	if (step < 2 * (uint64_t)page) {
		fprintf(stderr, "sparse_reserve: %ld pages do not fit apart in %s GiB\n", k, argv[1]);
		return 2;
	}
	for (i = 0; i < k; i++) {
		p = base + (uint64_t)i * step;
		if (!rw && mprotect(p, (size_t)page, PROT_READ | PROT_WRITE) != 0) {
			perror("sparse_reserve: mprotect");
			return 1;
		}
		*p = 1;
	}
	printf("ready addr=%p end=%p touched=%ld\n", (void *)base, (void *)(base + size), k);
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL)
		;
	return 0;
}
