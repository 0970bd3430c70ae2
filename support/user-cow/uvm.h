/*
 * uvm.h - a tiny virtual-memory manager in user space, on the real MMU:
 * the "kernel" of the user-cow lab (labs/user-cow.md).
 *
 * Physical memory is a memfd of F page frames that every process of the
 * lab shares (children inherit it). A frame table in shared memory keeps a
 * reference count per frame and the free frames (kalloc/kfree). A process's
 * memory is one region of its address space whose pages are mapped, page
 * by page, onto frames with mmap(MAP_SHARED | MAP_FIXED) of the memfd, with
 * the protection its software page-table entry allows. Because the frames
 * are MAP_SHARED, Linux itself never copies them: copy-on-write is this
 * code's job, done from a SIGSEGV handler.
 *
 * What maps to what, in the assignments this lab follows:
 *   kalloc()/kfree()        xv6 kalloc.c, with a reference count per frame
 *   struct pte, PTE_V/R/W   xv6 PTE flags; PTE_COW one of the RSW bits
 *   uvm_cfork()             gemOS cfork(), xv6 uvmcopy() without the copy
 *   handle_cow_fault()      gemOS handle_cow_fault(), xv6 usertrap's case 15
 *   uvm_mmap/munmap/mprotect   gemOS vm_area list (sorted, merged, <= 128)
 *   lazy allocation         gemOS vm_area_pagefault()
 *   uvm_break_cow()         xv6 copyout(): the kernel writing a COW page
 *   uvm_vatopa()            gemOS/xv6 "vatopa": the frame behind an address
 */
#ifndef UVM_H
#define UVM_H

#include <stddef.h>
#include <sys/types.h>

#define UVM_MAX_VMAS 128	/* as in gemOS: a 129th area is refused */

/* Flags of a software page-table entry. */
enum {
	PTE_V = 1,		/* valid: the page is mapped onto pte.frame */
	PTE_R = 2,		/* readable */
	PTE_W = 4,		/* writable */
	PTE_COW = 8,		/* shared after cfork: copy before the first write */
};

struct pte {
	int frame;		/* frame number in physical memory, if PTE_V */
	int flags;
};

/* What the fault handler did so far in this process. */
struct uvm_stats {
	long faults;		/* SIGSEGVs the handler took */
	long zero_fills;	/* lazy allocation: a new zeroed frame */
	long cow_copies;	/* write to a shared COW page: copied */
	long reuses;		/* write to a COW page no longer shared: no copy */
};

/* Set up physical memory (FRAMES frames) and a region of PAGES virtual
 * pages for this process; installs the fault handler. Once per lab, before
 * any fork: children inherit all of it. 0, or -1 with errno. */
int uvm_init(long frames, long pages);

/* Reserve LENGTH bytes (rounded up to pages) at HINT if that range is free
 * in the region, else the lowest free range; PROT_READ and/or PROT_WRITE.
 * No frame is allocated: the first touch of each page is a fault. Returns
 * the address, or NULL (no room, or a 129th area). */
void *uvm_mmap(void *hint, size_t length, int prot);
/* Unmap a range: frames lose a reference (a frame is freed with its last). */
int uvm_munmap(void *addr, size_t length);
/* Change the protection of a range; a COW page never becomes writable in
 * place (its next write still copies, or reuses). */
int uvm_mprotect(void *addr, size_t length, int prot);

/* fork() with copy-on-write: every writable page becomes read-only and
 * COW in the parent, every mapped frame gets one more reference, then
 * fork(). Returns what fork() returns. */
pid_t uvm_cfork(void);
/* Drop every frame this process maps, then _exit(status). */
void uvm_exit(int status) __attribute__((noreturn));

/* Make every COW page of a range private and writable before the kernel
 * writes into it (read(2) into a COW page fails with EFAULT otherwise:
 * the kernel's copy to user memory does not run our SIGSEGV handler).
 * Returns 0, or -1 when a page of the range is in no writable area or no
 * frame is left for it. */
int uvm_break_cow(void *addr, size_t length);

long uvm_vatopa(const void *addr);	/* frame behind addr, or -1 */
long uvm_frames_in_use(void);		/* in the whole lab, all processes */
long uvm_frame_refs(long frame);	/* the frame's reference count */
int uvm_vma_count(void);
struct uvm_stats uvm_stats(void);
long uvm_page_size(void);

#endif
