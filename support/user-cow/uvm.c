/*
 * uvm.c - the user-cow lab's memory manager (see uvm.h, labs/user-cow.md).
 *
 * Read it in this order: the frame table (kalloc, kfree, the reference
 * counts), the page table (map_page), the fault handler (lazy allocation
 * and handle_cow_fault), uvm_cfork, then the areas (uvm_mmap, uvm_munmap,
 * uvm_mprotect). The parts a student writes are marked by numbered TODO
 * comments.
 */
#define _GNU_SOURCE 1
#include "uvm.h"
#include "cowlab.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

/* ---------------------------------------------------------------- */
/* Physical memory: frames, shared by every process of the lab        */
/* ---------------------------------------------------------------- */

struct frame_table {
	int lock;		/* a spinlock over the free stack */
	long nframes;
	long nfree;		/* free[0 .. nfree-1] are the free frames */
	int refcount[];		/* then: int free[nframes] */
};

static int memfd = -1;			/* the frames: frame f at offset f * page */
static struct frame_table *frames;	/* MAP_SHARED: one table for all */
static int *free_stack;
static long page;			/* bytes per page */

static void lock_frames(void)
{
	while (__atomic_test_and_set(&frames->lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock_frames(void)
{
	__atomic_clear(&frames->lock, __ATOMIC_RELEASE);
}

/* A free frame with one reference, or -1 when memory is full. */
static int kalloc(void)
{
	int f = -1;

	lock_frames();
	if (frames->nfree > 0)
		f = free_stack[--frames->nfree];
	unlock_frames();
	if (f >= 0) {
		/* TODO 1: the new frame has one reference: its owner's. */
		__atomic_store_n(&frames->refcount[f], 1, __ATOMIC_RELEASE);
		/* END TODO */
	}
	return f;
}

/* One more process maps frame f (a cfork). */
static void frame_get(int f)
{
	/* TODO 2: take a reference on frame f. Several processes may do
	 * this at the same moment: the update must be atomic. */
	__atomic_add_fetch(&frames->refcount[f], 1, __ATOMIC_ACQ_REL);
	/* END TODO */
}

/* This process no longer maps frame f: drop its reference, and free the
 * frame with the last one. A freed frame is zeroed by punching a hole in
 * the memfd: its next user reads zeros, and the memory goes back to Linux. */
static void kfree(int f)
{
	int left;

	/* TODO 3: drop one reference (atomically); only when none is left,
	 * punch the frame's hole in memfd and push f on the free stack. */
	left = __atomic_sub_fetch(&frames->refcount[f], 1, __ATOMIC_ACQ_REL);
	if (left > 0)
		return;
	fallocate(memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)f * page, page);
	lock_frames();
	free_stack[frames->nfree++] = f;
	unlock_frames();
	/* END TODO */
}

long uvm_frames_in_use(void)
{
	return frames->nframes - __atomic_load_n(&frames->nfree, __ATOMIC_ACQUIRE);
}

long uvm_frame_refs(long f)
{
	return f >= 0 && f < frames->nframes ? __atomic_load_n(&frames->refcount[f], __ATOMIC_ACQUIRE) : -1;
}

/* ---------------------------------------------------------------- */
/* This process: its region, page table, areas and counters           */
/* ---------------------------------------------------------------- */

struct vma {
	char *start, *end;
	int prot;
};

static char *region;		/* virtual pages region[0 .. npages-1] */
static long npages;
static struct pte *ptes;	/* private memory: fork copies it, as a kernel copies page tables */
static struct vma vmas[UVM_MAX_VMAS];	/* sorted, never overlapping */
static int nvmas;
static struct uvm_stats stats;

static long page_index(const void *addr)
{
	return ((const char *)addr - region) / page;
}

static char *page_addr(long i)
{
	return region + i * page;
}

/* Make the hardware mapping of page i match its PTE: the frame, readable,
 * writable only with PTE_W; or no access at all when the PTE is not valid. */
static int map_page(long i)
{
	struct pte *p = &ptes[i];
	int prot = (p->flags & PTE_R ? PROT_READ : 0) | (p->flags & PTE_W ? PROT_WRITE : 0);
	void *at;

	if (!(p->flags & PTE_V))
		at = mmap(page_addr(i), page, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	else
		at = mmap(page_addr(i), page, prot, MAP_SHARED | MAP_FIXED, memfd,
			  (off_t)p->frame * page);
	return at == MAP_FAILED ? -1 : 0;
}

static struct vma *find_vma(const void *addr)
{
	int i;

	for (i = 0; i < nvmas; i++)
		if ((const char *)addr >= vmas[i].start && (const char *)addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Faults                                                             */
/* ---------------------------------------------------------------- */

/* A write to page i, which is COW. If its frame is still shared, copy it
 * into a new frame and map that one writable; if this process is the
 * frame's last user, no copy is needed: just make it writable (reuse).
 * 0 on success, -1 when there is no free frame. */
static int handle_cow_fault(long i)
{
	struct pte *p = &ptes[i];
	int old = p->frame, copy;

	/* TODO 4: the reuse case: if frame `old` has one reference left (ours),
	 * set PTE_W, clear PTE_COW, map_page(i), count stats.reuses, return 0. */
	if (uvm_frame_refs(old) == 1) {
		p->flags = (p->flags | PTE_W) & ~PTE_COW;
		stats.reuses++;
		return map_page(i);
	}
	/* END TODO */
	/* TODO 5: the copy: kalloc() a frame, copy the page into it (pwrite of
	 * the page's current contents into memfd at the new frame's offset),
	 * point the PTE at it with PTE_W set and PTE_COW cleared, map_page(i),
	 * then drop our reference on the old frame; count stats.cow_copies.
	 * Return -1 if kalloc() finds no frame or a step fails (free the new
	 * frame if the copy into it fails), 0 when done. */
	copy = kalloc();
	if (copy < 0)
		return -1;
	if (pwrite(memfd, page_addr(i), page, (off_t)copy * page) != page) {
		kfree(copy);
		return -1;
	}
	p->frame = copy;
	p->flags = (p->flags | PTE_W) & ~PTE_COW;
	if (map_page(i) != 0)
		return -1;
	kfree(old);
	stats.cow_copies++;
	/* END TODO */
	return 0;
}

/* The first touch of page i of area v: a new zeroed frame (lazy allocation). */
static int lazy_allocate(long i, const struct vma *v)
{
	struct pte *p = &ptes[i];
	int f;

	/* TODO 6: kalloc() a frame (it is zeroed already), fill in the PTE:
	 * the frame, PTE_V, and PTE_R / PTE_W from the area's protection;
	 * count stats.zero_fills and return map_page(i)'s result (-1 if
	 * kalloc() finds no frame). */
	f = kalloc();
	if (f < 0)
		return -1;
	p->frame = f;
	p->flags = PTE_V | (v->prot & PROT_READ ? PTE_R : 0) | (v->prot & PROT_WRITE ? PTE_W : 0);
	stats.zero_fills++;
	return map_page(i);
	/* END TODO */
}

/* A real segmentation fault: say so, and give SIGSEGV its default action
 * back; the access is retried when the handler returns, faults again, and
 * the process dies of SIGSEGV like any program. */
static void real_segv(void *addr, const char *why)
{
	char line[160];
	int len = snprintf(line, sizeof line, "user-cow: segmentation fault at %p: %s\n", addr, why);

	if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0)
		len = 0;
	signal(SIGSEGV, SIG_DFL);
}

/*
 * The page-fault handler. The error code is not needed: a page whose PTE
 * is not valid is a first touch; a valid COW page only faults on a write
 * (it is mapped readable); anything else broke the area's protection.
 */
static void on_segv(int sig, siginfo_t *info, void *context)
{
	char *addr = info->si_addr;
	const struct vma *v = find_vma(addr);
	long i;

	(void)sig;
	(void)context;
	stats.faults++;
	if (addr < region || addr >= region + npages * page || v == NULL) {
		real_segv(addr, "no area maps this address");
		return;
	}
	i = page_index(addr);
	if (!(ptes[i].flags & PTE_V)) {
		if (v->prot == PROT_NONE)
			real_segv(addr, "the area allows no access");
		else if (lazy_allocate(i, v) != 0)
			real_segv(addr, "out of frames");
	} else if (ptes[i].flags & PTE_COW) {
		if (!(v->prot & PROT_WRITE))
			real_segv(addr, "write to a read-only area");
		else if (handle_cow_fault(i) != 0)
			real_segv(addr, "out of frames for a copy");
	} else {
		real_segv(addr, "access not allowed by the area");
	}
}

/* ---------------------------------------------------------------- */
/* Processes                                                          */
/* ---------------------------------------------------------------- */

pid_t uvm_cfork(void)
{
	long i;
	pid_t pid;

	/* TODO 7: for every valid page: take a reference on its frame, set
	 * PTE_COW, and if it is writable clear PTE_W and map_page(i) (now
	 * read-only) so that the next write by either process faults. A
	 * read-only page is marked COW too: a later uvm_mprotect() to
	 * PROT_WRITE must not make a shared frame writable. Then fork(). */
	for (i = 0; i < npages; i++) {
		if (!(ptes[i].flags & PTE_V))
			continue;
		frame_get(ptes[i].frame);
		ptes[i].flags |= PTE_COW;
		if (ptes[i].flags & PTE_W) {
			ptes[i].flags &= ~PTE_W;
			map_page(i);
		}
	}
	pid = fork();
	/* END TODO */
	if (pid < 0)		/* no child: give the references back */
		for (i = 0; i < npages; i++)
			if (ptes[i].flags & PTE_V)
				kfree(ptes[i].frame);
	if (pid == 0)
		memset(&stats, 0, sizeof stats);
	return pid;
}

void uvm_exit(int status)
{
	long i;

	for (i = 0; i < npages; i++)
		if (ptes[i].flags & PTE_V)
			kfree(ptes[i].frame);
	fflush(stdout);
	_exit(status);
}

int uvm_break_cow(void *addr, size_t length)
{
	long i, first = page_index(addr), last = page_index((char *)addr + length - 1);

	/* TODO 8: what a write fault would do, for every page of the range
	 * before the kernel writes it: lazy allocation of a page not yet
	 * valid, handle_cow_fault() of a COW page of a writable area.
	 * Return -1 for a page in no writable area, or when either fails. */
	for (i = first; i <= last; i++) {
		const struct vma *v = find_vma(page_addr(i));

		if (v == NULL || !(v->prot & PROT_WRITE))
			return -1;
		if (!(ptes[i].flags & PTE_V) && lazy_allocate(i, v) != 0)
			return -1;
		if ((ptes[i].flags & PTE_COW) && handle_cow_fault(i) != 0)
			return -1;
	}
	/* END TODO */
	return 0;
}

/* ---------------------------------------------------------------- */
/* Areas (VMAs)                                                       */
/* ---------------------------------------------------------------- */

/* Merge neighbours that touch and have the same protection. */
static void merge_vmas(void)
{
	int i = 0, j;

	while (i + 1 < nvmas) {
		if (vmas[i].end == vmas[i + 1].start && vmas[i].prot == vmas[i + 1].prot) {
			vmas[i].end = vmas[i + 1].end;
			for (j = i + 1; j + 1 < nvmas; j++)
				vmas[j] = vmas[j + 1];
			nvmas--;
		} else {
			i++;
		}
	}
}

/* Cut the areas at addr, so that an area starts there; -1 if that would
 * make one area too many. */
static int split_at(char *addr)
{
	struct vma *v = find_vma(addr);
	int k, j;

	if (v == NULL || v->start == addr)
		return 0;
	if (nvmas == UVM_MAX_VMAS)
		return -1;
	k = (int)(v - vmas);
	for (j = nvmas; j > k + 1; j--)
		vmas[j] = vmas[j - 1];
	nvmas++;
	vmas[k + 1] = vmas[k];
	vmas[k].end = addr;
	vmas[k + 1].start = addr;
	return 0;
}

static int range_is_free(char *start, char *end)
{
	int i;

	if (start < region || end > region + npages * page || start >= end)
		return 0;
	for (i = 0; i < nvmas; i++)
		if (start < vmas[i].end && vmas[i].start < end)
			return 0;
	return 1;
}

void *uvm_mmap(void *hint, size_t length, int prot)
{
	size_t size = (length + page - 1) / page * page;
	char *start = NULL, *at;
	int i, k;

	if (size == 0 || (prot & ~(PROT_READ | PROT_WRITE)) != 0)
		return NULL;
	if (hint != NULL && ((uintptr_t)hint % page) == 0 && range_is_free(hint, (char *)hint + size))
		start = hint;
	for (at = region; start == NULL && at + size <= region + npages * page; at += page)
		if (range_is_free(at, at + size))
			start = at;
	if (start == NULL)
		return NULL;
	for (k = 0; k < nvmas && vmas[k].start < start; k++)
		;
	/* A neighbour with the same protection grows instead of a new area. */
	if (nvmas == UVM_MAX_VMAS &&
	    !(k > 0 && vmas[k - 1].end == start && vmas[k - 1].prot == prot) &&
	    !(k < nvmas && vmas[k].start == start + size && vmas[k].prot == prot))
		return NULL;
	for (i = nvmas; i > k; i--)
		vmas[i] = vmas[i - 1];
	vmas[k] = (struct vma){ start, start + size, prot };
	nvmas++;
	merge_vmas();
	return start;
}

int uvm_munmap(void *addr, size_t length)
{
	char *start = addr, *end = start + (length + page - 1) / page * page;
	long i;
	int k, j;

	if (start < region || end > region + npages * page || (uintptr_t)start % page != 0)
		return -1;
	if (split_at(start) != 0 || split_at(end) != 0)
		return -1;
	/* TODO 9: for every valid page of the range, drop this process's
	 * reference on its frame (kfree: the frame survives while another
	 * process maps it), clear the PTE and map_page(i) (no access). */
	for (i = page_index(start); i < page_index(end); i++) {
		if (ptes[i].flags & PTE_V)
			kfree(ptes[i].frame);
		ptes[i].flags = 0;
		map_page(i);
	}
	/* END TODO */
	for (k = 0; k < nvmas;) {
		if (vmas[k].start >= start && vmas[k].end <= end) {
			for (j = k; j + 1 < nvmas; j++)
				vmas[j] = vmas[j + 1];
			nvmas--;
		} else {
			k++;
		}
	}
	return 0;
}

int uvm_mprotect(void *addr, size_t length, int prot)
{
	char *start = addr, *end = start + (length + page - 1) / page * page, *at;
	long i;

	if ((uintptr_t)start % page != 0 || (prot & ~(PROT_READ | PROT_WRITE)) != 0)
		return -1;
	for (at = start; at < end; at += page)	/* every page must be in an area */
		if (find_vma(at) == NULL)
			return -1;
	if (split_at(start) != 0 || split_at(end) != 0)
		return -1;
	for (at = start; at < end; at += page)
		find_vma(at)->prot = prot;
	/* TODO 10: give every valid page of the range the new protection in
	 * its PTE (PTE_R, PTE_W), except that a COW page never gets PTE_W:
	 * writing it must still fault, to copy (or reuse) first. map_page(i). */
	for (i = page_index(start); i < page_index(end); i++) {
		if (!(ptes[i].flags & PTE_V))
			continue;
		ptes[i].flags &= ~(PTE_R | PTE_W);
		ptes[i].flags |= (prot & PROT_READ ? PTE_R : 0);
		if ((prot & PROT_WRITE) && !(ptes[i].flags & PTE_COW))
			ptes[i].flags |= PTE_W;
		map_page(i);
	}
	/* END TODO */
	merge_vmas();
	return 0;
}

/* ---------------------------------------------------------------- */
/* Set-up and questions                                               */
/* ---------------------------------------------------------------- */

int uvm_init(long nframes, long pages)
{
	size_t table = sizeof *frames + 2 * (size_t)nframes * sizeof(int);
	struct sigaction sa;
	long f;

	page = sysconf(_SC_PAGESIZE);
	memfd = memfd_create("user-cow-frames", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)nframes * page) != 0)
		return -1;
	frames = mmap(NULL, table, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (frames == MAP_FAILED)
		return -1;
	free_stack = frames->refcount + nframes;
	frames->nframes = nframes;
	for (f = 0; f < nframes; f++)		/* frame 0 is handed out first */
		free_stack[f] = (int)(nframes - 1 - f);
	frames->nfree = nframes;
	npages = pages;
	ptes = calloc((size_t)pages, sizeof *ptes);
	region = mmap(NULL, (size_t)pages * page, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ptes == NULL || region == MAP_FAILED)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	return sigaction(SIGSEGV, &sa, NULL);
}

long uvm_vatopa(const void *addr)
{
	long i = page_index(addr);

	if ((const char *)addr < region || i >= npages || !(ptes[i].flags & PTE_V))
		return -1;
	return ptes[i].frame;
}

int uvm_vma_count(void)
{
	return nvmas;
}

struct uvm_stats uvm_stats(void)
{
	return stats;
}

long uvm_page_size(void)
{
	return page;
}
