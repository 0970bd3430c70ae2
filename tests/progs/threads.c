/*
 * threads.c - a test helper for cowsample -p: a process with N threads
 * besides its main one, at rest. Prints "threads TGID TID..." and waits
 * until killed.
 *
 *   threads N
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
static pid_t *tids;
static int count;

static void *rest(void *arg)
{
	pthread_mutex_lock(&lock);
	tids[count++] = (pid_t)syscall(SYS_gettid);
	pthread_cond_signal(&started);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return arg;
}

int main(int argc, char *argv[])
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i;
	pthread_t thread;

	tids = calloc(n > 0 ? (size_t)n : 1, sizeof *tids);
	for (i = 0; i < n; i++)
		pthread_create(&thread, NULL, rest, NULL);
	pthread_mutex_lock(&lock);
	while (count < n)
		pthread_cond_wait(&started, &lock);
	printf("threads %d", (int)getpid());
	for (i = 0; i < n; i++)
		printf(" %d", (int)tids[i]);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
}
