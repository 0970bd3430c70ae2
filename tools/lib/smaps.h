/*
 * smaps.h - read /proc/PID/smaps_rollup (the memory view `pmap -X` shows).
 *
 * Reading smaps_rollup walks the process's page tables, which costs far
 * more than a stat read: samplers read it at phase marks and events and at
 * a slow rate, never on the fast path.
 */
#ifndef COWLAB_SMAPS_H
#define COWLAB_SMAPS_H

#include <stddef.h>
#include <sys/types.h>

struct smaps_rollup {
	unsigned long rss_kb;
	unsigned long pss_kb;
	unsigned long shared_clean_kb;
	unsigned long shared_dirty_kb;
	unsigned long private_clean_kb;
	unsigned long private_dirty_kb;
	unsigned long anonymous_kb;
};

/* Parse the text of smaps_rollup. Returns 0 or -EINVAL (no Rss/Pss line). */
int smaps_rollup_parse(const char *text, size_t len, struct smaps_rollup *out);

/* Read /proc/PID/smaps_rollup. Returns 0 or -errno (-ENOENT: gone,
 * -EACCES: not ours, -ESRCH: no memory any more, as in a zombie). */
int smaps_rollup_read(pid_t pid, struct smaps_rollup *out);

#endif
