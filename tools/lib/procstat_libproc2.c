/*
 * procstat_libproc2.c - read process counters through libproc2 (see
 * procstat_libproc2.h). Without libproc2 the functions report ENOSYS.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat_libproc2.h"

#ifdef HAVE_LIBPROC2
#include <libproc2/pids.h>

/* The items we ask for; the enum below indexes the result stack. */
static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_CMD, PIDS_STATE, PIDS_ID_PPID,
	PIDS_FLT_MIN, PIDS_FLT_MIN_C, PIDS_FLT_MAJ, PIDS_FLT_MAJ_C,
	PIDS_TICS_BEGAN, PIDS_VM_RSS,
};
enum {
	I_PID, I_CMD, I_STATE, I_PPID, I_MIN, I_MIN_C, I_MAJ, I_MAJ_C,
	I_BEGAN, I_RSS,
};

struct procstat_libproc2 {
	struct pids_info *info;
	long page_kb;
};

int procstat_libproc2_available(void)
{
	return 1;
}

int procstat_libproc2_new(struct procstat_libproc2 **out)
{
	struct procstat_libproc2 *r = calloc(1, sizeof *r);
	int rc;

	if (r == NULL)
		return -ENOMEM;
	rc = procps_pids_new(&r->info, items, (int)(sizeof items / sizeof items[0]));
	if (rc < 0) {
		free(r);
		return rc;
	}
	r->page_kb = sysconf(_SC_PAGESIZE) / 1024;
	*out = r;
	return 0;
}

int procstat_libproc2_read(struct procstat_libproc2 *r, pid_t pid, struct proc_stat *out)
{
	unsigned these = (unsigned)pid;
	struct pids_fetch *fetch;
	struct pids_stack *s;

	memset(out, 0, sizeof *out);
	fetch = procps_pids_select(r->info, &these, 1, PIDS_SELECT_PID);
	if (fetch == NULL)
		return errno ? -errno : -EIO;
	if (fetch->counts->total < 1)
		return -ESRCH;
	s = fetch->stacks[0];
	out->pid = PIDS_VAL(I_PID, s_int, s, r->info);
	strncpy(out->comm, PIDS_VAL(I_CMD, str, s, r->info), PROCSTAT_COMM_MAX - 1);
	out->state = PIDS_VAL(I_STATE, s_ch, s, r->info);
	out->ppid = PIDS_VAL(I_PPID, s_int, s, r->info);
	out->min_flt = PIDS_VAL(I_MIN, ul_int, s, r->info);
	out->cmin_flt = PIDS_VAL(I_MIN_C, ul_int, s, r->info) - out->min_flt;
	out->maj_flt = PIDS_VAL(I_MAJ, ul_int, s, r->info);
	out->cmaj_flt = PIDS_VAL(I_MAJ_C, ul_int, s, r->info) - out->maj_flt;
	out->starttime = PIDS_VAL(I_BEGAN, ull_int, s, r->info);
	out->rss_pages = (long)(PIDS_VAL(I_RSS, ul_int, s, r->info) / (unsigned long)r->page_kb);
	return 0;
}

void procstat_libproc2_free(struct procstat_libproc2 *r)
{
	if (r == NULL)
		return;
	procps_pids_unref(&r->info);
	free(r);
}

#else /* !HAVE_LIBPROC2 */

int procstat_libproc2_available(void)
{
	return 0;
}

int procstat_libproc2_new(struct procstat_libproc2 **out)
{
	*out = NULL;
	return -ENOSYS;
}

int procstat_libproc2_read(struct procstat_libproc2 *r, pid_t pid, struct proc_stat *out)
{
	(void)r;
	(void)pid;
	memset(out, 0, sizeof *out);
	return -ENOSYS;
}

void procstat_libproc2_free(struct procstat_libproc2 *r)
{
	(void)r;
}

#endif
