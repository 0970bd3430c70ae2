
/* ---- attack: forge the grader's TAP stream and score through every
 * descriptor this process inherited (3..1023) and through /proc/PPID/fd
 * and /proc/1/fd (not in mmap_copy, whose refusals are graded on opening
 * nothing for writing: the attempts would cost those checks honestly).
 * If any descriptor but the sampler's mark pipe was
 * inherited, or a grader's descriptor can be opened through /proc, exit 1:
 * the checks then fail, so the score tells that the grader leaked one. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_forge(void)
{
	static const char forged[] = "ok 101 injected via a descriptor (100 points)\nscore: 36/36\n";
	const char *mark = getenv("COWLAB_MARK_FD");
	int mark_fd = mark != NULL ? atoi(mark) : -1, fd, leaked = 0;
	pid_t targets[2] = { getppid(), 1 };
	char path[64], self[4096];
	unsigned i;
	ssize_t n;

	if (getenv("ATTACK_FORGED") != NULL)
		return;
	setenv("ATTACK_FORGED", "1", 1);
	for (fd = 3; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		if (fd != mark_fd)
			leaked = 1;
		if (write(fd, forged, sizeof forged - 1) < 0)
			continue;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	for (i = 0; i < 2 && strstr(self, "mmap_copy") == NULL; i++) {
		for (fd = 0; fd < 1024; fd++) {
			int w;

			snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)targets[i], fd);
			w = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY);
			if (w < 0)
				continue;
			leaked = 1;
			if (write(w, forged, sizeof forged - 1) < 0)
				leaked = 1;
			close(w);
		}
	}
	if (leaked) {
		fprintf(stderr, "attack: a descriptor of the grader reached student code\n");
		exit(1);
	}
}
