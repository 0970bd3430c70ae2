#!/usr/bin/env bash
# tests/expect.sh - the driver of the expectation tables (support/ID/expect.tsv):
# runs every scenario of every lab's table once on the running kernel and
# checks every row through the programs' result: lines, one TAP test per
# row; a row whose requirement (root, thp, zero page...) this machine lacks
# is reported as skipped, with the reason. See cowlab-expect(1).
: "${COWLAB_SRCDIR:?run the tests with make check}"
: "${COWLAB_BUILDDIR:?run the tests with make check}"
exec "$COWLAB_SRCDIR/tools/cowlab-expect" --srcdir "$COWLAB_SRCDIR" --bindir "$COWLAB_BUILDDIR" run
