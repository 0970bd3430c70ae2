/*
 * proctable.c - the processes a sampler follows (see proctable.h).
 *
 * The table is small (a lab has a handful of processes, a benchmark a few
 * hundred), so lookups are linear scans from the newest entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proctable.h"

void *proctable_grow(void *array, size_t *cap, size_t need, size_t elem)
{
	size_t new_cap = *cap ? *cap : 16;

	if (need <= *cap)
		return array;
	while (new_cap < need)
		new_cap *= 2;
	array = realloc(array, new_cap * elem);
	if (array == NULL) {
		fputs("cowlab: out of memory\n", stderr);
		abort();
	}
	*cap = new_cap;
	return array;
}

void proctable_init(struct proctable *t)
{
	memset(t, 0, sizeof *t);
}

void proctable_free(struct proctable *t, void (*free_ext)(struct proc_entry *))
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct proc_entry *p = t->procs[i];

		if (p->stat_fd >= 0)
			close(p->stat_fd);
		if (p->sched_fd >= 0)
			close(p->sched_fd);
		if (free_ext != NULL)
			free_ext(p);
		free(p->steps);
		free(p);
	}
	free(t->procs);
	free(t->threads);
	memset(t, 0, sizeof *t);
}

struct proc_entry *proctable_find(struct proctable *t, pid_t pid)
{
	size_t i;

	for (i = t->n; i > 0; i--) {
		struct proc_entry *p = t->procs[i - 1];

		if (p->id.pid == pid && !p->exited)
			return p;
	}
	return NULL;
}

struct proc_entry *proctable_add(struct proctable *t, pid_t pid, int depth)
{
	struct proc_entry *p = calloc(1, sizeof *p);

	if (p == NULL) {
		fputs("cowlab: out of memory\n", stderr);
		abort();
	}
	p->id.pid = pid;
	p->depth = depth;
	p->stat_fd = -1;
	p->sched_fd = -1;
	p->threads = 1;
	strcpy(p->phase, "-");
	t->procs = proctable_grow(t->procs, &t->cap, t->n + 1, sizeof *t->procs);
	t->procs[t->n++] = p;
	return p;
}

size_t proctable_live(const struct proctable *t)
{
	size_t i, live = 0;

	for (i = 0; i < t->n; i++)
		live += !t->procs[i]->exited;
	return live;
}

void proctable_add_thread(struct proctable *t, pid_t tid, pid_t tgid)
{
	t->threads = proctable_grow(t->threads, &t->threads_cap, t->nthreads + 1, sizeof *t->threads);
	t->threads[t->nthreads].tid = tid;
	t->threads[t->nthreads].tgid = tgid;
	t->nthreads++;
}

pid_t proctable_thread_tgid(const struct proctable *t, pid_t tid)
{
	size_t i;

	for (i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid)
			return t->threads[i].tgid;
	return 0;
}

void proctable_remove_thread(struct proctable *t, pid_t tid)
{
	size_t i;

	for (i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid) {
			t->threads[i] = t->threads[--t->nthreads];
			return;
		}
}

void proctable_phase_step(struct proc_entry *p, double time_s, const char *phase)
{
	struct phase_step *s;

	p->steps = proctable_grow(p->steps, &p->steps_cap, p->nsteps + 1, sizeof *p->steps);
	s = &p->steps[p->nsteps++];
	s->time_s = time_s;
	snprintf(s->phase, sizeof s->phase, "%s", phase);
	s->min_flt = p->last.min_flt;
	s->maj_flt = p->last.maj_flt;
	s->d_min_flt = p->last.min_flt - p->phase_min_flt;
	s->d_maj_flt = p->last.maj_flt - p->phase_maj_flt;
	p->phase_min_flt = p->last.min_flt;
	p->phase_maj_flt = p->last.maj_flt;
}

const char *proctable_role(int depth)
{
	switch (depth) {
	case 0:	return "parent";
	case 1:	return "child";
	case 2:	return "grandchild";
	default: return "descendant";
	}
}
