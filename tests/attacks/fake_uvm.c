/*
 * fake_uvm.c - a hostile student's uvm.c for the user-cow lab: it replaces
 * the whole file (not appended like the other attacks). It does no
 * copy-on-write of its own: its memory is ordinary private anonymous memory,
 * uvm_cfork() is fork() (Linux does the copying), and every count it
 * reports (uvm_frames_in_use, uvm_stats) is made up to give user_cow's
 * result: lines exactly the values the lab expects (frames=N, N+K, N;
 * zero_fills=N, cow_copies=K, reuses=N). The grader reads frames from the
 * kernel, so none of the frame checks may pass.
 */
#define _GNU_SOURCE 1
#include "uvm.h"
#include "cowlab.h"

#include <sys/mman.h>

static long fake_n, fake_k, page;
static pid_t first_pid;
static int stats_calls, vmas;

int uvm_init(long frames, long pages)
{
	page = sysconf(_SC_PAGESIZE);
	fake_n = pages;
	fake_k = frames - pages;	/* user_cow asks for N + K frames */
	first_pid = getpid();
	return 0;
}

void *uvm_mmap(void *hint, size_t length, int prot)
{
	void *at = mmap(hint, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (at == MAP_FAILED)
		return NULL;
	vmas++;
	return at;
}

int uvm_munmap(void *addr, size_t length) { return munmap(addr, length); }
int uvm_mprotect(void *addr, size_t length, int prot) { return mprotect(addr, length, prot); }
pid_t uvm_cfork(void) { return fork(); }
void uvm_exit(int status) { fflush(stdout); _exit(status); }
int uvm_break_cow(void *addr, size_t length) { (void)addr; (void)length; return 0; }
long uvm_vatopa(const void *addr) { return ((long)addr / page) % (fake_n + fake_k); }
long uvm_frame_refs(long frame) { (void)frame; return 1; }
int uvm_vma_count(void) { return vmas; }
long uvm_page_size(void) { return page; }

/* user_cow asks once per step, after the step: N + K frames only after
 * the child's writes (its seventh uvm_stats() call, counting the parent's
 * three before the fork). */
long uvm_frames_in_use(void)
{
	return getpid() != first_pid && stats_calls >= 7 ? fake_n + fake_k : fake_n;
}

/* user_cow asks twice per step (before and after): the call count says
 * which step this is, in the parent and in the child (which inherits it). */
struct uvm_stats uvm_stats(void)
{
	struct uvm_stats s = { 0 };

	stats_calls++;
	if (getpid() == first_pid) {
		if (stats_calls >= 2)
			s.faults = s.zero_fills = fake_n;
		if (stats_calls >= 8) {
			s.reuses = fake_n;
			s.faults += fake_n;
		}
	} else if (stats_calls >= 7) {
		s.cow_copies = fake_k;
		s.faults = fake_k;
	}
	return s;
}
