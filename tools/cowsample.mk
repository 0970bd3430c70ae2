# tools/cowsample: the page-fault sampler (logic in tools/lib/sampler.c).
bin_PROGRAMS += tools/cowsample
tools_cowsample_SOURCES = tools/cowsample.c
tools_cowsample_LDADD = $(COWLAB_LIBS)
dist_man_MANS += tools/cowsample.1

TESTS += tests/cowsample.bats tests/cowsample-attach.bats tests/cowsample-pagemap.bats \
	tests/cowsample-faults.bats tests/cowsample-events.bats
EXTRA_DIST += tests/cowsample.bats tests/cowsample-attach.bats tests/cowsample-pagemap.bats \
	tests/cowsample-faults.bats tests/cowsample-events.bats

# Test helper: known numbers of page faults in known processes.
check_PROGRAMS += tests/progs/faulter
tests_progs_faulter_SOURCES = tests/progs/faulter.c
# Test helper: file pages read from disk, first writes to a MAP_SHARED file.
check_PROGRAMS += tests/progs/filefaults
tests_progs_filefaults_SOURCES = tests/progs/filefaults.c
# A process with threads at rest (-p TID).
check_PROGRAMS += tests/progs/threads
tests_progs_threads_SOURCES = tests/progs/threads.c
tests_progs_threads_LDADD = -lpthread

# `make bench`: the cost of one reading (pread, libproc2, ps),
# cowsample's CPU use at 1 kHz on 100 sleeping processes, and the fork loop
# alone, under cowsample --events netlink and --events ptrace (ratios).
noinst_PROGRAMS += tools/sampler_bench
tools_sampler_bench_SOURCES = tools/sampler_bench.c
tools_sampler_bench_LDADD = $(COWLAB_LIBS)
BENCH_TARGETS += bench-sampler
bench-sampler: tools/sampler_bench$(EXEEXT) tools/cowsample$(EXEEXT)
	tools/sampler_bench$(EXEEXT) --cowsample tools/cowsample$(EXEEXT)

# `make bench`: what --faults costs, against cowsample without it and the
# lab alone in the same run (tools/cowsample-bench-faults).
dist_noinst_SCRIPTS += tools/cowsample-bench-faults
BENCH_TARGETS += bench-faults
bench-faults: tools/cowsample$(EXEEXT) support/copy-on-write/fork_faults$(EXEEXT)
	$(srcdir)/tools/cowsample-bench-faults --cowsample tools/cowsample$(EXEEXT) \
		--lab support/copy-on-write/fork_faults$(EXEEXT) $(BENCH_FAULTS_FLAGS)
