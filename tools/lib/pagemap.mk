# tools/lib: /proc/PID/maps, /proc/PID/pagemap, PAGEMAP_SCAN, kpagecount,
# kpageflags (pagemap.c), parent/child comparison (pagediff.c) and the
# copy-on-write diagram (cowsvg.c).
tools_lib_libcowlab_a_SOURCES += \
	tools/lib/pagemap.c tools/lib/pagemap.h \
	tools/lib/pagediff.c tools/lib/pagediff.h \
	tools/lib/cowsvg.c tools/lib/cowsvg.h

# Unit tests of the selection, the per-page TSV reader and the comparison.
# realloc is wrapped so the test can count reallocations (growth policy).
check_PROGRAMS += tests/unit/pagemap_test
tests_unit_pagemap_test_SOURCES = tests/unit/pagemap_test.c
tests_unit_pagemap_test_LDADD = $(COWLAB_LIBS)
tests_unit_pagemap_test_LDFLAGS = -Wl,--wrap=realloc
TESTS += tests/unit/pagemap_test
