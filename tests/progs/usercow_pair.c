/*
 * usercow_pair N K - for tests/user_cow.bats: uvm.c's parent touches N
 * pages and cforks; the child writes K of them. Then both stay alive while
 * the test compares their real frames with cowmap. Prints one line,
 *   pair: parent=PID child=PID addr=0xADDR frames=F shared=S
 * (F frames in use, S of the parent's pages whose frame the child maps too,
 * by uvm_vatopa), and waits for a line on stdin before both exit.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "user-cow/uvm.h"

#include <sys/mman.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[1]) : 0, k = argc > 2 ? atol(argv[2]) : -1;
	long page = sysconf(_SC_PAGESIZE), i, shared = 0;
	int report[2], c;
	long child_frames[4096];
	char *buf;
	pid_t pid;

	if (n < 1 || n > 4096 || k < 0 || k > n || uvm_init(n + k, n) != 0 || pipe(report) != 0)
		return 2;
	buf = uvm_mmap(NULL, (size_t)n * page, PROT_READ | PROT_WRITE);
	for (i = 0; i < n; i++)
		buf[i * page] = 'p';
	pid = uvm_cfork();
	if (pid == 0) {
		for (i = 0; i < k; i++)
			buf[i * page] = 'c';
		for (i = 0; i < n; i++)	/* a read maps every page in Linux's page table too */
			child_frames[i] = uvm_vatopa(buf + i * page) + 0 * *(volatile char *)(buf + i * page);
		if (write(report[1], child_frames, n * sizeof *child_frames) < 0)
			return 1;
		while ((c = getchar()) != EOF && c != '\n')
			;
		uvm_exit(0);
	}
	if (read(report[0], child_frames, n * sizeof *child_frames) != (ssize_t)(n * sizeof *child_frames))
		return 1;
	for (i = 0; i < n; i++)
		shared += child_frames[i] == uvm_vatopa(buf + i * page) + 0 * *(volatile char *)(buf + i * page);
	printf("pair: parent=%d child=%d addr=%p frames=%ld shared=%ld\n", (int)getpid(), (int)pid,
	       (void *)buf, uvm_frames_in_use(), shared);
	fflush(stdout);
	waitpid(pid, NULL, 0);
	uvm_exit(0);
}
