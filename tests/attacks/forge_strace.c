
/* ---- attack (issue 19): a read/write copier that forges the strace log
 * the grader once read from the run directory: for a plain copy it copies
 * with read and write (no mmap, no ftruncate) and writes strace.log
 * claiming an ftruncate and a MAP_SHARED mapping of DST; refusals are
 * left to the program. The copy is honest work (its checks pass); the
 * mmap checks must fail. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_forge_strace(int argc, char **argv, char **envp)
{
	struct stat st, dst_st;
	char buf[65536], self[4096];
	ssize_t n;
	int in, out;
	FILE *log;

	(void)envp;
	if (argc != 3 || stat(argv[1], &st) != 0 || !S_ISREG(st.st_mode) ||
	    lstat(argv[2], &dst_st) == 0)
		return;		/* a refusal case: the program's own code decides */
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (in < 0 || out < 0)
		return;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			_exit(1);
	close(in);
	close(out);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	log = fopen("strace.log", "w");
	if (log != NULL) {
		fprintf(log, "2 execve(\"%s\", [\"%s\", \"%s\", \"%s\"], 0x7ffd /* 6 vars */) = 0\n",
			self, self, argv[1], argv[2]);
		fprintf(log, "2 openat(AT_FDCWD, \"%s\", O_RDONLY) = 3\n", argv[1]);
		fprintf(log, "2 openat(AT_FDCWD, \"%s\", O_RDWR|O_CREAT|O_EXCL, 0644) = 4\n", argv[2]);
		fprintf(log, "2 ftruncate(4, %lld) = 0\n", (long long)st.st_size);
		fprintf(log, "2 mmap(NULL, %lld, PROT_READ, MAP_SHARED, 3, 0) = 0x7f0000000000\n",
			(long long)st.st_size);
		fprintf(log, "2 mmap(NULL, %lld, PROT_READ|PROT_WRITE, MAP_SHARED, 4, 0) = 0x7f1000000000\n",
			(long long)st.st_size);
		fprintf(log, "2 close(4) = 0\n2 close(3) = 0\n");
		fclose(log);
	}
	_exit(0);
}
