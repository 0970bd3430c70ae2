# tools/lib: /proc/PID/stat parsing (the sampler's fast path).
tools_lib_libcowlab_a_SOURCES += tools/lib/procstat.c tools/lib/procstat.h

check_PROGRAMS += tests/unit/procstat_test
tests_unit_procstat_test_SOURCES = tests/unit/procstat_test.c
tests_unit_procstat_test_LDADD = $(COWLAB_LIBS)
TESTS += tests/unit/procstat_test
