# support/clone: what clone() flags share (see labs/clone.md).
# Lab programs are standalone: they include support/cowlab.h and link
# nothing of tools/lib.
noinst_PROGRAMS += support/clone/clone_demo
support_clone_clone_demo_SOURCES = support/clone/clone_demo.c

EXTRA_DIST += labs/clone.md
TESTS += tests/clone_demo.bats
EXTRA_DIST += tests/clone_demo.bats
