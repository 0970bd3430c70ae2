# tools/cowsample: the page-fault sampler (logic in tools/lib/sampler.c).
bin_PROGRAMS += tools/cowsample
tools_cowsample_SOURCES = tools/cowsample.c
tools_cowsample_LDADD = $(COWLAB_LIBS)
dist_man_MANS += tools/cowsample.1

TESTS += tests/cowsample.bats
EXTRA_DIST += tests/cowsample.bats

# Test helper: known numbers of page faults in known processes.
check_PROGRAMS += tests/progs/faulter
tests_progs_faulter_SOURCES = tests/progs/faulter.c
