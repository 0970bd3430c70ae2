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

TESTS += tests/cowmap.bats tests/cowmap_svg.bats tests/cowmap_files.bats
EXTRA_DIST += tests/cowmap.bats tests/cowmap_svg.bats tests/cowmap_files.bats tests/cowmap_helper.bash

# make media: the two copy-on-write figures, from a real run of fork_faults
# (as root: frame numbers are visible to root only).
dist_noinst_SCRIPTS += tools/cowmap-media
COWMAP_MEDIA = media/copy-on-write-initial.svg media/copy-on-write-initial.png \
	media/copy-on-write-final.svg media/copy-on-write-final.png
EXTRA_DIST += $(COWMAP_MEDIA)
MEDIA_TARGETS += media-cowmap
media-cowmap: all
	$(SHELL) $(srcdir)/tools/cowmap-media --builddir . --outdir $(srcdir)/media
.PHONY: media-cowmap

# `make bench`: present-page census of a 1 GiB mapping and of a 64 GiB
# reservation (64 MiB touched in each), by PAGEMAP_SCAN and by pread, with
# the library code cowmap uses.
noinst_PROGRAMS += tools/pagemap_bench
tools_pagemap_bench_SOURCES = tools/pagemap_bench.c
tools_pagemap_bench_LDADD = $(COWLAB_LIBS)
BENCH_TARGETS += bench-pagemap
bench-pagemap: tools/pagemap_bench$(EXEEXT)
	tools/pagemap_bench$(EXEEXT)
