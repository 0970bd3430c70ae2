# support/clone-demo: what clone() flags share (see labs/clone.md).
# Lab programs are standalone: they include support/cowlab.h and link
# nothing of tools/lib.
noinst_PROGRAMS += support/clone-demo/clone_demo
support_clone_demo_clone_demo_SOURCES = support/clone-demo/clone_demo.c

EXTRA_DIST += labs/clone.md
TESTS += tests/clone_demo.bats
EXTRA_DIST += tests/clone_demo.bats
