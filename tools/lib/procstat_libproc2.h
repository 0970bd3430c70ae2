/*
 * procstat_libproc2.h - the same counters as procstat_read_fd(), read
 * through procps-ng's libproc2 (what ps and top use). It is the sampler's
 * second backend (`cowsample --backend=libproc2`), there to compare values
 * and costs with the fast path.
 */
#ifndef COWLAB_PROCSTAT_LIBPROC2_H
#define COWLAB_PROCSTAT_LIBPROC2_H

#include <sys/types.h>

#include "procstat.h"

struct procstat_libproc2;

/* 1 when cowlab was built with libproc2. */
int procstat_libproc2_available(void);

/* Make a reader. Returns 0, or -ENOSYS without libproc2, or -errno. */
int procstat_libproc2_new(struct procstat_libproc2 **out);

/* Read pid's counters. Returns 0, -ESRCH when there is no such process,
 * or -errno. rss_pages is derived from VmRSS. */
int procstat_libproc2_read(struct procstat_libproc2 *r, pid_t pid, struct proc_stat *out);

void procstat_libproc2_free(struct procstat_libproc2 *r);

#endif
