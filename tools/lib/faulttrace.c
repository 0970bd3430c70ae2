/*
 * faulttrace.c - every page fault of some tasks, through per-task perf
 * events (see faulttrace.h for the mechanism and why).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faulttrace.h"

/* Ring buffer data pages (a power of two). Root is not held to
 * perf_event_mlock_kb; a user is (516 KiB by default, for all buffers). */
#define ROOT_PAGES 512
#define USER_PAGES 32

/* The kernel's MIGRATE_MOVABLE, as kmem:mm_page_alloc's migratetype shows
 * it: user pages (anonymous or page cache) are movable, page tables and
 * the kernel's own allocations are not. */
#define MIGRATE_MOVABLE_TYPE 1

/* x86 page fault error code bits. */
#define PF_PRESENT 0x1
#define PF_WRITE 0x2
#define PF_INSTR 0x10

/* The kernel's __GFP_ZERO: the allocation is a zeroed page (a first touch,
 * or a write to the zero page), not one about to be copied into. */
#define GFP_ZERO 0x100

enum role { R_MINOR, R_MAJOR, R_ENTRY_USER, R_ENTRY_KERNEL, R_ALLOC, R_NROLES };

/* Where a tracepoint's fields are in its raw record (from tracefs). */
struct tp_layout {
	long long id;
	int off[3], size[3];	/* fault: address, error_code; alloc: order, migratetype, gfp_flags */
};

struct tp_info {
	int ok;
	struct tp_layout user, kernel, alloc;
};

struct ring {
	pid_t tid;		/* the task it follows */
	uint64_t id;		/* its event's id in the samples */
	int fd;			/* the leader: its buffer gets every event */
	void *base;
	size_t data_size;	/* bytes of data (a power of two) */
	uint64_t sample_type;
};

struct id_role {
	uint64_t id;
	enum role role;
};

/* A fault entry waiting for its accounting event, per task. */
struct open_fault {
	pid_t tid;		/* 0: free slot */
	int open;
	struct ft_fault f;
};

struct faulttrace {
	enum ft_mode mode;
	struct tp_info tp;
	int exclude_kernel;
	size_t pages;
	struct ring *rings;
	size_t nrings;
	struct id_role *ids;
	size_t nids;
	struct open_fault *open;	/* open addressing on tid */
	size_t open_cap, open_used;
	uint64_t lost, unaccounted;
	unsigned char *copy;		/* a record that wraps the buffer's end */
};

/* ---- tracefs: ids and layouts, read only ---- */

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

/* "field:TYPE NAME;\toffset:N;\tsize:N;" -> offset and size of NAME. */
static int field_of(const char *format, const char *name, int *off, int *size)
{
	const char *line = format;
	size_t len = strlen(name);

	while ((line = strstr(line, "field:")) != NULL) {
		const char *semi = strchr(line, ';'), *o;

		if (semi == NULL)
			return -1;
		if ((size_t)(semi - line) > len && semi[-(long)len - 1] == ' ' &&
		    memcmp(semi - len, name, len) == 0 &&
		    (o = strstr(semi, "offset:")) != NULL &&
		    sscanf(o, "offset:%d;\tsize:%d;", off, size) == 2)
			return 0;
		line = semi;
	}
	return -1;
}

static int read_layout(const char *events, const char *event, const char *a, const char *b,
		       const char *c, struct tp_layout *t)
{
	char path[256], buf[8192];

	snprintf(path, sizeof path, "%s/%s/id", events, event);
	if (read_small(path, buf, sizeof buf) <= 0 || sscanf(buf, "%lld", &t->id) != 1)
		return -1;
	snprintf(path, sizeof path, "%s/%s/format", events, event);
	if (read_small(path, buf, sizeof buf) <= 0 ||
	    field_of(buf, a, &t->off[0], &t->size[0]) != 0 ||
	    field_of(buf, b, &t->off[1], &t->size[1]) != 0 ||
	    (c != NULL && field_of(buf, c, &t->off[2], &t->size[2]) != 0))
		return -1;
	return 0;
}

static void read_tp_info(const char *events, struct tp_info *info)
{
	memset(info, 0, sizeof *info);
	info->ok = read_layout(events, "exceptions/page_fault_user", "address", "error_code",
			       NULL, &info->user) == 0 &&
		   read_layout(events, "exceptions/page_fault_kernel", "address", "error_code",
			       NULL, &info->kernel) == 0 &&
		   read_layout(events, "kmem/mm_page_alloc", "order", "migratetype",
			       "gfp_flags", &info->alloc) == 0;
}

/*
 * The layouts from a mounted tracefs, or else from one that a child mounts
 * in a mount namespace of its own (gone with the child: nothing is left
 * mounted, nothing global is changed). 0, or -1 with why set.
 */
static int tracepoints(struct tp_info *info, char *why, size_t why_size)
{
	static const char *const mounted[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	struct stat st;
	int pipefd[2], status;
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof mounted / sizeof mounted[0]; i++) {
		if (stat(mounted[i], &st) == 0) {
			read_tp_info(mounted[i], info);
			if (info->ok)
				return 0;
			snprintf(why, why_size, "no exceptions:page_fault_user or kmem:mm_page_alloc "
				 "tracepoint (x86 only)");
			return -1;
		}
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, why_size, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		struct tp_info mine;
		int err = 0;

		memset(&mine, 0, sizeof mine);
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0)
			err = errno;
		else
			read_tp_info("/sys/kernel/tracing/events", &mine);
		mine.user.id = mine.ok ? mine.user.id : -err;
		if (write(pipefd[1], &mine, sizeof mine) != (ssize_t)sizeof mine)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	memset(info, 0, sizeof *info);
	if (read(pipefd[0], info, sizeof *info) != (ssize_t)sizeof *info)
		info->ok = 0;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (info->ok)
		return 0;
	if (info->user.id < 0)
		snprintf(why, why_size, "tracefs is not mounted and cannot be mounted in a private "
			 "namespace: %s", strerror((int)-info->user.id));
	else
		snprintf(why, why_size, "no exceptions:page_fault_user or kmem:mm_page_alloc "
			 "tracepoint (x86 only)");
	return -1;
}

/* ---- perf events ---- */

static int perf_open(struct perf_event_attr *attr, pid_t tid)
{
	return (int)syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void attr_for(const struct faulttrace *ft, enum role role, int inherit,
		     struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof *attr);
	attr->size = sizeof *attr;
	if (role == R_MINOR || role == R_MAJOR) {
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = role == R_MINOR ? PERF_COUNT_SW_PAGE_FAULTS_MIN :
			       PERF_COUNT_SW_PAGE_FAULTS_MAJ;
	} else {
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = (uint64_t)(role == R_ENTRY_USER ? ft->tp.user.id :
					  role == R_ENTRY_KERNEL ? ft->tp.kernel.id :
					  ft->tp.alloc.id);
	}
	/* Every event, not a statistical sample of them (the kernel does
	 * not throttle a period of 1 on software events and tracepoints). */
	attr->sample_period = 1;
	attr->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			    PERF_SAMPLE_ADDR | (ft->mode == FT_KINDS ? PERF_SAMPLE_RAW : 0);
	attr->inherit = inherit ? 1 : 0;
	attr->exclude_kernel = ft->exclude_kernel;
	attr->exclude_hv = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	attr->watermark = 1;
	attr->wakeup_watermark = (uint32_t)(ft->pages * (size_t)sysconf(_SC_PAGESIZE) / 2);
}

/* Open the events of one task; fds[R_MINOR] owns the buffer. */
static int open_set(struct faulttrace *ft, pid_t tid, int inherit, int fds[R_NROLES])
{
	struct perf_event_attr attr;
	int r, nroles = ft->mode == FT_KINDS ? R_NROLES : R_ENTRY_USER, err;

	for (r = 0; r < R_NROLES; r++)
		fds[r] = -1;
	for (r = 0; r < nroles; r++) {
		attr_for(ft, (enum role)r, inherit, &attr);
		fds[r] = perf_open(&attr, tid);
		if (fds[r] < 0)
			goto fail;
	}
	return nroles;
fail:
	err = errno;
	for (r = 0; r < R_NROLES; r++)
		if (fds[r] >= 0)
			close(fds[r]);
	return -err;
}

struct faulttrace *faulttrace_new(enum ft_mode *mode, char *why, size_t why_size)
{
	struct faulttrace *ft = calloc(1, sizeof *ft);
	char tp_why[200] = "";
	int fds[R_NROLES], n, r;

	*mode = FT_NONE;
	if (ft == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	why[0] = '\0';
	/* Kinds: root's tracepoints, when there are any. */
	if (geteuid() == 0 && tracepoints(&ft->tp, tp_why, sizeof tp_why) == 0) {
		ft->mode = FT_KINDS;
		ft->pages = ROOT_PAGES;
		n = open_set(ft, getpid(), 0, fds);	/* a trial on ourselves */
		if (n > 0) {
			for (r = 0; r < n; r++)
				close(fds[r]);
			*mode = FT_KINDS;
			return ft;
		}
		snprintf(tp_why, sizeof tp_why, "tracepoint events: %s", strerror(-n));
	} else if (geteuid() != 0) {
		snprintf(tp_why, sizeof tp_why, "not root");
	}
	/* Addresses only: the software events, kernel mode too if allowed. */
	ft->mode = FT_ADDRESSES;
	ft->pages = geteuid() == 0 ? ROOT_PAGES : USER_PAGES;
	for (ft->exclude_kernel = 0; ft->exclude_kernel <= 1; ft->exclude_kernel++) {
		n = open_set(ft, getpid(), 0, fds);
		if (n > 0) {
			for (r = 0; r < n; r++)
				close(fds[r]);
			*mode = FT_ADDRESSES;
			snprintf(why, why_size, "%s", tp_why);
			return ft;
		}
	}
	snprintf(why, why_size, "perf_event_open: %s", strerror(-n));
	free(ft);
	return NULL;
}

static uint64_t add_id(struct faulttrace *ft, int fd, enum role role)
{
	uint64_t id;

	if (ioctl(fd, PERF_EVENT_IOC_ID, &id) != 0)
		return 0;
	ft->ids = realloc(ft->ids, (ft->nids + 1) * sizeof *ft->ids);
	if (ft->ids == NULL)
		abort();
	ft->ids[ft->nids].id = id;
	ft->ids[ft->nids++].role = role;
	return id;
}

int faulttrace_follow(struct faulttrace *ft, pid_t tid, int inherit)
{
	/* The leader (with the buffer) first, each other event sent to its
	 * buffer as soon as it is open, and the accounting events last: a
	 * task that runs meanwhile (an untraced one) has no fault row
	 * without its entry. */
	static const enum role kinds_order[] = {
		R_ENTRY_USER, R_ENTRY_KERNEL, R_ALLOC, R_MINOR, R_MAJOR,
	};
	static const enum role addresses_order[] = { R_MINOR, R_MAJOR };
	const enum role *order = ft->mode == FT_KINDS ? kinds_order : addresses_order;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = ft->pages, i, k;
	size_t n = ft->mode == FT_KINDS ? 5 : 2;
	struct perf_event_attr attr;
	int fds[R_NROLES], err;
	void *base = MAP_FAILED;

	for (i = 0; i < R_NROLES; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		attr_for(ft, order[i], inherit, &attr);
		fds[i] = perf_open(&attr, tid);
		if (fds[i] < 0)
			goto fail;
		if (i == 0) {
			/* A user's buffers share perf_event_mlock_kb: smaller
			 * ones if need be. */
			for (; pages >= 2; pages /= 2) {
				base = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE,
					    MAP_SHARED, fds[0], 0);
				if (base != MAP_FAILED)
					break;
			}
			if (base == MAP_FAILED)
				goto fail;
		} else if (ioctl(fds[i], PERF_EVENT_IOC_SET_OUTPUT, fds[0]) != 0) {
			goto fail;
		}
	}
	if (ft->copy == NULL && (ft->copy = malloc(65536)) == NULL)
		abort();
	ft->rings = realloc(ft->rings, (ft->nrings + n) * sizeof *ft->rings);
	if (ft->rings == NULL)
		abort();
	/* Each fd is its event: the others stay open too (no buffer of their
	 * own), until the task is released. */
	for (i = 0; i < n; i++) {
		struct ring *r = &ft->rings[ft->nrings++];

		r->tid = tid;
		r->fd = fds[i];
		r->base = i == 0 ? base : NULL;
		r->data_size = i == 0 ? pages * page : 0;
		r->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				 PERF_SAMPLE_ADDR | (ft->mode == FT_KINDS ? PERF_SAMPLE_RAW : 0);
		r->id = add_id(ft, fds[i], order[i]);
	}
	return 0;
fail:
	err = errno;
	if (base != MAP_FAILED)
		munmap(base, (pages + 1) * page);
	for (k = 0; k < R_NROLES; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return -err;
}

/* ---- reading ---- */

static struct open_fault *slot_of(struct faulttrace *ft, pid_t tid)
{
	size_t i, mask;

	if (ft->open_used * 2 >= ft->open_cap) {
		struct open_fault *old = ft->open;
		size_t oldcap = ft->open_cap, k;

		ft->open_cap = oldcap ? oldcap * 2 : 256;
		ft->open = calloc(ft->open_cap, sizeof *ft->open);
		if (ft->open == NULL)
			abort();
		ft->open_used = 0;
		for (k = 0; k < oldcap; k++)
			if (old[k].tid != 0)
				*slot_of(ft, old[k].tid) = old[k];
		free(old);
	}
	mask = ft->open_cap - 1;
	for (i = (size_t)tid * 2654435761u & mask;; i = (i + 1) & mask) {
		if (ft->open[i].tid == tid)
			return &ft->open[i];
		if (ft->open[i].tid == 0) {
			ft->open[i].tid = tid;
			ft->open_used++;
			return &ft->open[i];
		}
	}
}

static enum role role_of(const struct faulttrace *ft, uint64_t id, int *known)
{
	size_t i;

	for (i = 0; i < ft->nids; i++)
		if (ft->ids[i].id == id) {
			*known = 1;
			return ft->ids[i].role;
		}
	*known = 0;
	return R_MINOR;
}

static uint64_t raw_field(const unsigned char *raw, uint32_t raw_size, int off, int size)
{
	uint64_t v = 0;

	if (off < 0 || size <= 0 || size > 8 || (uint32_t)(off + size) > raw_size)
		return 0;
	if (size == 8) {
		memcpy(&v, raw + off, 8);
	} else if (size == 4) {
		uint32_t w;

		memcpy(&w, raw + off, 4);
		v = w;
	} else {
		memcpy(&v, raw + off, (size_t)size);	/* little endian (x86) */
	}
	return v;
}

static void handle_sample(struct faulttrace *ft, const struct ring *ring,
			  const unsigned char *rec, size_t size,
			  void (*fault)(void *ctx, const struct ft_fault *f), void *ctx)
{
	const unsigned char *p = rec + sizeof(struct perf_event_header), *end = rec + size;
	uint64_t id = 0, time_ns = 0, addr = 0;
	uint32_t pid = 0, tid = 0, raw_size = 0;
	const unsigned char *raw = NULL;
	struct open_fault *o;
	struct ft_fault f;
	enum role role;
	int known;

	if (p + 8 * 4 > end)
		return;
	memcpy(&id, p, 8); p += 8;
	memcpy(&pid, p, 4); memcpy(&tid, p + 4, 4); p += 8;
	memcpy(&time_ns, p, 8); p += 8;
	memcpy(&addr, p, 8); p += 8;
	if (ring->sample_type & PERF_SAMPLE_RAW) {
		if (p + 4 > end)
			return;
		memcpy(&raw_size, p, 4);
		raw = p + 4;
		if (raw + raw_size > end)
			return;
	}
	role = role_of(ft, id, &known);
	if (!known)
		return;
	switch (role) {
	case R_ENTRY_USER:
	case R_ENTRY_KERNEL: {
		const struct tp_layout *t = role == R_ENTRY_USER ? &ft->tp.user : &ft->tp.kernel;

		o = slot_of(ft, (pid_t)tid);
		if (o->open)
			ft->unaccounted++;	/* the previous one was not counted */
		memset(&o->f, 0, sizeof o->f);
		o->open = 1;
		o->f.have_entry = 1;
		o->f.user = role == R_ENTRY_USER;
		o->f.address = raw_field(raw, raw_size, t->off[0], t->size[0]);
		o->f.error_code = raw_field(raw, raw_size, t->off[1], t->size[1]);
		return;
	}
	case R_ALLOC:
		o = slot_of(ft, (pid_t)tid);
		if (o->open && raw_field(raw, raw_size, ft->tp.alloc.off[1], ft->tp.alloc.size[1]) ==
		    MIGRATE_MOVABLE_TYPE) {
			unsigned order = (unsigned)raw_field(raw, raw_size, ft->tp.alloc.off[0],
							     ft->tp.alloc.size[0]);

			if (!o->f.allocated || order > o->f.alloc_order)
				o->f.alloc_order = order;
			o->f.allocated = 1;
			if (raw_field(raw, raw_size, ft->tp.alloc.off[2], ft->tp.alloc.size[2]) & GFP_ZERO)
				o->f.zeroed = 1;
		}
		return;
	case R_MINOR:
	case R_MAJOR:
		memset(&f, 0, sizeof f);
		if (ft->mode == FT_KINDS) {
			o = slot_of(ft, (pid_t)tid);
			if (o->open && (o->f.address ^ addr) < 4096 && (o->f.address & ~4095ull) ==
			    (addr & ~4095ull))
				f = o->f;
			o->open = 0;
		}
		f.time_ns = time_ns;
		f.pid = (pid_t)pid;
		f.tid = (pid_t)tid;
		f.address = addr;
		f.major = role == R_MAJOR;
		fault(ctx, &f);
		return;
	default:
		return;
	}
}

unsigned long faulttrace_drain(struct faulttrace *ft,
			       void (*fault)(void *ctx, const struct ft_fault *f), void *ctx)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	unsigned long n = 0;

	if (ft == NULL)
		return 0;
	for (i = 0; i < ft->nrings; i++) {
		struct ring *ring = &ft->rings[i];
		struct perf_event_mmap_page *meta = ring->base;
		const unsigned char *data;
		uint64_t head, tail;

		if (ring->base == NULL)
			continue;
		data = (const unsigned char *)ring->base + page;
		head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
		tail = meta->data_tail;
		while (tail + sizeof(struct perf_event_header) <= head) {
			struct perf_event_header hdr;
			size_t at = (size_t)(tail & (ring->data_size - 1));
			const unsigned char *rec;

			if (at + sizeof hdr <= ring->data_size) {
				memcpy(&hdr, data + at, sizeof hdr);
			} else {
				size_t first = ring->data_size - at;

				memcpy(&hdr, data + at, first);
				memcpy((char *)&hdr + first, data, sizeof hdr - first);
			}
			if (hdr.size < sizeof hdr || tail + hdr.size > head)
				break;
			if (at + hdr.size <= ring->data_size) {
				rec = data + at;
			} else {
				size_t first = ring->data_size - at;

				memcpy(ft->copy, data + at, first);
				memcpy(ft->copy + first, data, hdr.size - first);
				rec = ft->copy;
			}
			if (hdr.type == PERF_RECORD_SAMPLE) {
				handle_sample(ft, ring, rec, hdr.size, fault, ctx);
				n++;
			} else if (hdr.type == PERF_RECORD_LOST && hdr.size >= sizeof hdr + 16) {
				uint64_t lost;

				memcpy(&lost, rec + sizeof hdr + 8, 8);
				ft->lost += lost;
			}
			tail += hdr.size;
		}
		__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	}
	return n;
}

size_t faulttrace_fds(const struct faulttrace *ft, int *fds, size_t max)
{
	size_t i, n = 0;

	if (ft == NULL)
		return 0;
	for (i = 0; i < ft->nrings && n < max; i++)
		if (ft->rings[i].base != NULL)
			fds[n++] = ft->rings[i].fd;
	return n;
}

uint64_t faulttrace_lost(const struct faulttrace *ft)
{
	return ft != NULL ? ft->lost : 0;
}

uint64_t faulttrace_unaccounted(const struct faulttrace *ft)
{
	return ft != NULL ? ft->unaccounted : 0;
}

void faulttrace_release(struct faulttrace *ft, pid_t tid)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i, k, kept = 0;

	if (ft == NULL)
		return;
	for (i = 0; i < ft->nrings; i++) {
		if (ft->rings[i].tid != tid) {
			ft->rings[kept++] = ft->rings[i];
			continue;
		}
		if (ft->rings[i].base != NULL)
			munmap(ft->rings[i].base, ft->rings[i].data_size + page);
		close(ft->rings[i].fd);
		for (k = 0; k < ft->nids; k++)
			if (ft->ids[k].id == ft->rings[i].id)
				ft->ids[k] = ft->ids[--ft->nids];
	}
	ft->nrings = kept;
}

void faulttrace_free(struct faulttrace *ft)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;

	if (ft == NULL)
		return;
	for (i = 0; i < ft->nrings; i++) {
		if (ft->rings[i].base != NULL)
			munmap(ft->rings[i].base, ft->rings[i].data_size + page);
		close(ft->rings[i].fd);
	}
	free(ft->rings);
	free(ft->ids);
	free(ft->open);
	free(ft->copy);
	free(ft);
}

const char *faulttrace_access(uint64_t error_code)
{
	if (error_code & PF_INSTR)
		return "exec";
	return error_code & PF_WRITE ? "write" : "read";
}
