
/* ---- attack: borrow a working program instead of writing one: execute
 * the kit's reference build, found through the environment (COWSAMPLE,
 * GRADE_TREE) or at guessed paths (the kit's build and source trees, the
 * grader's temporary directories, the other students' trees). */
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void attack_try(const char *pattern, char **argv, const struct stat *self)
{
	glob_t g;
	size_t i;
	struct stat st;

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		if (stat(g.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode) ||
		    (st.st_dev == self->st_dev && st.st_ino == self->st_ino))
			continue;
		execv(g.gl_pathv[i], argv);
	}
	globfree(&g);
}

__attribute__((constructor)) static void attack_borrow(int argc, char **argv, char **envp)
{
	static const char *const guesses[] = {
		"@KIT_BUILD@/support/*/%s", "@KIT_SRC@/support/*/%s",
		"/tmp/cowlab-grade.*/*/private/programs/*/%s", "/tmp/cowlab-grade.*/*/student/tree/*/%s",
		"/tmp/cowlab-grade.*/*/tree/*/%s", "@STUDENTS@/*/*/%s", "../../*/*/%s", "../../../*/*/*/%s",
	};
	char self_path[4096], pattern[8192], dir[4096];
	const char *base, *env;
	struct stat self;
	ssize_t n;
	size_t i;

	(void)argc;
	(void)envp;
	if (getenv("ATTACK_BORROWED") != NULL)
		return;
	setenv("ATTACK_BORROWED", "1", 1);
	n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
	if (n <= 0 || stat("/proc/self/exe", &self) != 0)
		return;
	self_path[n] = '\0';
	base = strrchr(self_path, '/') != NULL ? strrchr(self_path, '/') + 1 : self_path;
	if ((env = getenv("COWSAMPLE")) != NULL) {
		snprintf(dir, sizeof dir, "%s", env);
		snprintf(pattern, sizeof pattern, "%s/../support/*/%s", dirname(dir), base);
		attack_try(pattern, argv, &self);
	}
	if ((env = getenv("GRADE_TREE")) != NULL) {
		snprintf(pattern, sizeof pattern, "%s/*/%s", env, base);
		attack_try(pattern, argv, &self);
	}
	for (i = 0; i < sizeof guesses / sizeof guesses[0]; i++) {
		snprintf(pattern, sizeof pattern, guesses[i], base);
		attack_try(pattern, argv, &self);
	}
}
