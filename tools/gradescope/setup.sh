#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (from the zip that `make gradescope` made, unpacked in
# /autograder/source): install what cowlab needs, unpack the kit and build
# the one program grading runs, the sampler. See tools/gradescope/README.md.
#
# AUTOGRADER_ROOT (default /autograder) moves the whole layout (the kit's
# tests run this in a temporary directory); COWLAB_SKIP_DEPS=1 skips the
# packages (they are installed already).
set -euo pipefail

ROOT=${AUTOGRADER_ROOT:-/autograder}
SOURCE=$ROOT/source
KIT=$SOURCE/cowlab

cd "$SOURCE"
rm -rf "$KIT" "$SOURCE"/cowlab-unpack
mkdir "$SOURCE/cowlab-unpack"
tar -xzf "$SOURCE/cowlab.tar.gz" -C "$SOURCE/cowlab-unpack"
mv "$SOURCE"/cowlab-unpack/*/ "$KIT"
rmdir "$SOURCE/cowlab-unpack"
if [ -z "${COWLAB_SKIP_DEPS:-}" ]; then
	sh "$KIT/tools/install-deps"
fi
cd "$KIT"
./configure --quiet
make --no-print-directory -s tools/cowsample
# The kit is read by the grader only: nobody else may change it.
chmod -R go-w "$KIT"
