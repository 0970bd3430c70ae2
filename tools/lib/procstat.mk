# tools/lib: /proc readers (stat fast path, libproc2, smaps_rollup), the
# process table, ptrace tracing, netlink process events, output files (complete or not at all),
# per-page TSV files read back (pagesnap), and the sampler behind cowsample.
tools_lib_libcowlab_a_SOURCES += \
	tools/lib/procstat.c tools/lib/procstat.h \
	tools/lib/procstat_libproc2.c tools/lib/procstat_libproc2.h \
	tools/lib/smaps.c tools/lib/smaps.h \
	tools/lib/proctable.c tools/lib/proctable.h \
	tools/lib/trace.c tools/lib/trace.h \
	tools/lib/procevents.c tools/lib/procevents.h \
	tools/lib/outfile.c tools/lib/outfile.h \
	tools/lib/outstream.c tools/lib/outstream.h \
	tools/lib/pagesnap.c tools/lib/pagesnap.h \
	tools/lib/sampler.c tools/lib/sampler.h tools/lib/sampler_internal.h \
	tools/lib/sampler_output.c tools/lib/sampler_smaps.c tools/lib/sampler_pagemap.c \
	tools/lib/sampler_faults.c tools/lib/faulttrace.c tools/lib/faulttrace.h
tools_lib_libcowlab_a_CFLAGS = $(AM_CFLAGS) $(LIBPROC2_CFLAGS)

check_PROGRAMS += tests/unit/procstat_test
tests_unit_procstat_test_SOURCES = tests/unit/procstat_test.c
tests_unit_procstat_test_LDADD = $(COWLAB_LIBS)
TESTS += tests/unit/procstat_test

check_PROGRAMS += tests/unit/sampler_lib_test
tests_unit_sampler_lib_test_SOURCES = tests/unit/sampler_lib_test.c
tests_unit_sampler_lib_test_LDADD = $(COWLAB_LIBS) -lpthread
TESTS += tests/unit/sampler_lib_test
