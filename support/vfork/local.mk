# support/vfork: what vfork() shares and suspends (see labs/vfork.md).
# Lab programs are standalone: they include support/cowlab.h and link
# nothing of tools/lib.
noinst_PROGRAMS += support/vfork/vfork_demo
support_vfork_vfork_demo_SOURCES = support/vfork/vfork_demo.c

EXTRA_DIST += labs/vfork.md
# The index of all labs (kept by this part).
EXTRA_DIST += labs/README.md
TESTS += tests/vfork_demo.bats
EXTRA_DIST += tests/vfork_demo.bats tests/lab_helper.bash
