# tools: cowmap, the page-map inspector (issue 4).
bin_PROGRAMS += tools/cowmap
tools_cowmap_SOURCES = tools/cowmap.c
tools_cowmap_LDADD = $(COWLAB_LIBS)
dist_man_MANS += tools/cowmap.1

# Test subjects: a process that maps, touches and forks on command, and one
# with a huge sparse reservation.
check_PROGRAMS += tests/progs/cowpages tests/progs/sparse_reserve
tests_progs_cowpages_SOURCES = tests/progs/cowpages.c
tests_progs_sparse_reserve_SOURCES = tests/progs/sparse_reserve.c

TESTS += tests/cowmap.bats tests/cowmap_svg.bats
EXTRA_DIST += tests/cowmap.bats tests/cowmap_svg.bats tests/cowmap_helper.bash
