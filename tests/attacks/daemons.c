
/* ---- attack: stall grading with a daemon per run: double fork, setsid,
 * ignore SIGTERM, SIGHUP and SIGINT, keep stdout, stderr and every other
 * descriptor open, live 300 s. Grading must not wait for it, and it must
 * not outlive its run. */
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((constructor)) static void attack_daemon(void)
{
	pid_t pid;

	if (getenv("ATTACK_DAEMON") != NULL)
		return;
	setenv("ATTACK_DAEMON", "1", 1);
	pid = fork();
	if (pid != 0)
		return;		/* the program goes on (or fork failed) */
	setsid();
	if (fork() != 0)
		_exit(0);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	prctl(PR_SET_NAME, "cowlab-daemon");
	for (int i = 0; i < 300; i++)
		sleep(1);
	_exit(0);
}
