
/* ---- attack: 1 GiB of output: a child of the first process of each run
 * writes 512 MiB on stdout and 512 MiB on stderr while the program does
 * its work. The grader keeps a capped part in files, never in its memory,
 * and the writer ends with its run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_output(void)
{
	static char chunk[1 << 20];
	int i;

	if (getenv("ATTACK_OUTPUT") != NULL)
		return;
	setenv("ATTACK_OUTPUT", "1", 1);
	if (fork() != 0)
		return;		/* the program goes on */
	memset(chunk, 'x', sizeof chunk);
	chunk[sizeof chunk - 1] = '\n';
	for (i = 0; i < 512; i++) {
		if (write(STDOUT_FILENO, chunk, sizeof chunk) < 0)
			break;
		if (write(STDERR_FILENO, chunk, sizeof chunk) < 0)
			break;
	}
	_exit(0);
}
