/*
 * fuzz_stat.c - libFuzzer target: the /proc/PID/stat and schedstat
 * parsers (tools/lib/procstat.c) on any bytes. Besides the sanitizers'
 * checks: a parsed line has a terminated comm of at most 15 characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	struct proc_sched sched;
	/* A copy of exactly size bytes: a read past it is caught by ASan. */
	char *text = malloc(size ? size : 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (procstat_parse(text, size, &st) == 0 &&
	    (memchr(st.comm, '\0', sizeof st.comm) == NULL || st.pid < 0 || st.ppid < 0))
		abort();
	procstat_sched_parse(text, size, &sched);
	free(text);
	return 0;
}
