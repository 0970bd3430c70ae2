#!/bin/sh
# tests/installcheck.sh BINDIR - the installed kit works on its own: with
# only BINDIR and the system on PATH, no build or source tree, from an empty
# directory, its commands list, run, open, quiz, draw and grade the labs.
# make installcheck runs it (make distcheck on its own install). One line
# per check; the first failure ends it with its reason and exit status 1.
set -u

bindir=${1:?usage: installcheck.sh BINDIR}
bindir=$(cd "$bindir" && pwd) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/cowlab-installcheck.XXXXXX") || exit 1
socket=$work/tmux.sock
cleanup() {
	tmux -S "$socket" kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work" || exit 1
# Nothing of a build tree: no COWLAB_* variables, the installed commands only.
unset COWLAB_SRCDIR COWLAB_BUILDDIR COWLAB_REGISTRY COWLAB_QUIZ_DIR COWPLOT_GPDIR
PATH=$bindir:/usr/local/bin:/usr/bin:/bin
export PATH

ok() { echo "installcheck: ok: $1"; }
fail() {
	echo "installcheck: FAILED: $1" >&2
	[ -s "$work/out" ] && sed 's/^/  | /' "$work/out" | tail -n 20 >&2
	exit 1
}

kit=$(cowlab where) || fail "cowlab where"
[ ! -f "$kit/Makefile" ] || fail "cowlab where: $kit is a build tree, not the installed kit"
registry=$kit/labs/registry.tsv
[ -f "$registry" ] || fail "no registry in the installed kit ($registry)"
ids=$(grep -v -e '^#' -e '^[[:space:]]*$' "$registry" | cut -f1)

cowlab list >"$work/out" 2>&1 || fail "cowlab list"
for id in $ids; do
	grep -q "^$id " "$work/out" || fail "cowlab list: no $id"
	cowlab run "$id" --help >/dev/null 2>&1 || fail "cowlab run $id --help"
	[ -f "$(cowlab text "$id")" ] || fail "cowlab text $id"
done
ok "cowlab list, run --help and text: every lab of the registry ($(echo $ids | wc -w))"

cowlab list extra >"$work/out" 2>&1 && fail "cowlab list extra: accepted"
cowlab run no-such-lab >"$work/out" 2>&1
[ $? -eq 2 ] || fail "cowlab run no-such-lab: not a usage error"
grep -q 'no such lab' "$work/out" || fail "cowlab run no-such-lab: no refusal line"
ok "cowlab refuses a wrong name with the list of labs"

cowlab demo copy-on-write -n 64 -w 16 >"$work/out" 2>&1 || fail "cowlab demo copy-on-write"
grep -q 'child-wrote' "$work/out" || fail "cowlab demo: no per-phase table"
[ -s demo.tsv ] || fail "cowlab demo: no demo.tsv"
ok "cowlab demo copy-on-write: the per-phase table and demo.tsv"

cowplot timeline demo.tsv -o demo.png >"$work/out" 2>&1 || fail "cowplot timeline"
[ "$(head -c 4 demo.png | od -An -c | tr -d ' ')" = '211PNG' ] || fail "cowplot: demo.png is not a PNG"
ok "cowplot draws the demo's samples"

if command -v tmux >/dev/null; then
	cowlab lab copy-on-write --socket "$socket" --tmux-conf /dev/null --detach --size 220x50 \
		--channel installcheck-done -- --batch -n 64 -w 16 >"$work/out" 2>&1 ||
		fail "cowlab lab copy-on-write (tmux)"
	timeout 120 tmux -S "$socket" wait-for installcheck-done || fail "cowlab lab: the lab did not end in tmux"
	ok "cowlab lab copy-on-write: the lab ran in tmux"
fi

cowlab-quiz --verify >"$work/out" 2>&1 || fail "cowlab-quiz --verify"
ok "cowlab-quiz --verify: every quiz checked on this kernel ($(grep -c '^ok' "$work/out") checks)"

cowlab-skel "$work/skeleton" >"$work/out" 2>&1 || fail "cowlab-skel"
cowlab-skel --reference "$work/reference" >"$work/out" 2>&1 || fail "cowlab-skel --reference"
ok "cowlab-skel: the skeleton and the reference"

if [ "$(id -u)" -eq 0 ]; then
	cowlab-grade -o "$work/reports" "$work/reference" >"$work/out" 2>&1 || fail "cowlab-grade the reference"
	score=$(sed -n 's/.*score: \([0-9]*\/[0-9]*\).*/\1/p' "$work/out" | tail -n 1)
	[ -n "$score" ] && [ "${score%/*}" = "${score#*/}" ] || fail "cowlab-grade: the reference scored ${score:-nothing}"
	ok "cowlab-grade: the reference scores $score"
else
	echo "installcheck: skipped: cowlab-grade needs root for its sandbox"
fi
