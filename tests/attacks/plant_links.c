
/* ---- attack: plant links in the run directory under every name the
 * grader creates, writes, chowns or reads there (or did in earlier
 * versions), pointing at files and directories outside the run directory
 * (@CANARY@, a file the test watches; @CANARY_NEW@, a path that must stay
 * absent; @CANARY_DIR@, a directory that must stay empty) and hard links
 * to files outside. A name this run was given (argv) is left alone, and
 * an existing file is never replaced: the program's honest work stays as
 * it is, and only a grader that follows links is hurt. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_plant_links(int argc, char **argv, char **envp)
{
	static const char *const names[] = {
		"src", "src-1", "src-4095", "src-4097", "src-1048577", "empty", "adir", "hardlink",
		"strace.log", "run.tsv", "run.out", "run.out.err", "status", "stdout", "stderr",
		"build.log", "tap", "records", "report.txt", "scratch",
	};
	static const char *const targets[] = { "@CANARY@", "@CANARY_NEW@", "@CANARY_DIR@" };
	char name[256];
	size_t i, t;
	int a, given;

	(void)envp;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		for (t = 0; t < 3; t++) {
			snprintf(name, sizeof name, t == 0 ? "%s" : "%s.%zu", names[i], t);
			for (a = 1, given = 0; a < argc; a++)
				given |= strcmp(argv[a], name) == 0;
			if (given)
				continue;
			if (symlink(targets[t], name) != 0) {
				/* name exists (the grader's or the program's own): keep it */
			}
			snprintf(name, sizeof name, "%s.hard%zu", names[i], t);
			if (link(t == 0 ? "@CANARY@" : "/etc/shadow", name) != 0) {
				/* the file is not visible here, or links are protected */
			}
		}
	}
}
