
/* ---- attack: read what no student may read during grading: the kit's
 * sources and build (the reference), the other students' trees, the
 * grader's temporary directories and reports, the environment's paths.
 * If a regular file of it can be opened, exit 1: the score then tells.
 * (Its own program and run directory, under the grader's temporary
 * directory /tmp/cowlab-grade.X/N/, are its own: not counted.) */
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_snoop(void)
{
	static const char *const secrets[] = {
		"@KIT_SRC@/support/*/*.c", "@KIT_BUILD@/support/*/*", "@STUDENTS@/*/*/*.c",
		"@STUDENTS@/reports/*", "/tmp/cowlab-grade.*/*", "/tmp/cowlab-grade.*/*/*/*",
		"/tmp/cowlab-grade.*/*/*/*/*/*", "/run/cowlab-grade/*", "/etc/shadow", "/root/*",
	};
	static const char *const env_names[] = { "COWSAMPLE", "GRADE_TREE", "GRADE_WORK", "STRACE" };
	char own[4096] = "", *slash;
	glob_t g;
	size_t i, j;
	int seen = 0, k;
	ssize_t n;

	if (getenv("ATTACK_SNOOPED") != NULL)
		return;
	setenv("ATTACK_SNOOPED", "1", 1);
	/* own = /tmp/cowlab-grade.X/N/ from this program's path */
	n = readlink("/proc/self/exe", own, sizeof own - 2);
	own[n > 0 ? n : 0] = '\0';
	for (k = 0, slash = own; slash != NULL && k < 3; k++)
		slash = strchr(slash + 1, '/');
	if (slash != NULL)
		slash[1] = '\0';
	for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
		if (getenv(env_names[i]) != NULL) {
			fprintf(stderr, "attack: %s is in the environment\n", env_names[i]);
			seen = 1;
		}
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		if (glob(secrets[i], 0, NULL, &g) != 0)
			continue;
		for (j = 0; j < g.gl_pathc; j++) {
			int fd;
			struct stat st;

			if (own[0] != '\0' && strncmp(g.gl_pathv[j], own, strlen(own)) == 0)
				continue;
			fd = open(g.gl_pathv[j], O_RDONLY | O_NONBLOCK);
			if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
				fprintf(stderr, "attack: could read %s\n", g.gl_pathv[j]);
				seen = 1;
			}
			if (fd >= 0)
				close(fd);
		}
		globfree(&g);
	}
	if (seen)
		exit(1);
}
