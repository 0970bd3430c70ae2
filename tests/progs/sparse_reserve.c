/*
 * sparse_reserve - a huge PROT_NONE reservation with a few pages in use,
 * the way allocators and language runtimes reserve address space.
 *
 *   sparse_reserve GIB K
 *
 * Reserves GIB GiB of address space (PROT_NONE: no memory committed), makes
 * K pages spread evenly over it readable and writable, and writes them.
 * Prints "ready addr=0xA end=0xE touched=K" and waits until stdin closes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), k, i;
	uint64_t size, step;
	char *base, *p, line[16];

	if (argc != 3 || atol(argv[1]) <= 0 || (k = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sparse_reserve GIB K\n");
		return 2;
	}
	size = (uint64_t)atol(argv[1]) << 30;
	base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		perror("sparse_reserve: mmap");
		return 1;
	}
	step = size / (uint64_t)k;
	step -= step % (uint64_t)page;
	for (i = 0; i < k; i++) {
		p = base + (uint64_t)i * step;
		if (mprotect(p, (size_t)page, PROT_READ | PROT_WRITE) != 0) {
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
