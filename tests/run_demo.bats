#!/usr/bin/env bats
# tools/run-demo, what `make demo` runs: a lab in batch mode under
# cowsample --summary, named by its id in the lab registry.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	DEMO="$SRCDIR/tools/run-demo"
}

@test "run-demo --help" {
	run sh "$DEMO" --help
	assert_success
	assert_output --partial "Usage: run-demo"
	assert_output --partial "make demo"
}

@test "run-demo: copy-on-write under cowsample: the per-phase table and a complete TSV" {
	# The base scenario of the lab's table, whose rows bound the counts.
	local tsv=$BATS_TEST_TMPDIR/demo.tsv
	local -a args
	mapfile -t args < <("$SRCDIR/tools/cowlab-expect" scenario copy-on-write base)
	run $(traced_env) sh "$DEMO" --builddir "$BUILDDIR" -o "$tsv" copy-on-write "${args[@]}"
	assert_success
	# The lab ran in batch mode with the extra arguments...
	assert_output --partial "mode: batch"
	assert_between "$(lab_field result child-read minor child)" $(row_bounds copy-on-write/child-reads) "child-read"
	# ...and cowsample printed one row per process and phase.
	local phase
	for phase in parent-touched forked child-read child-wrote child-exited parent-rewrote; do
		assert_line --regexp "^(parent|child) +[0-9]+ +fork_faults +$phase +[0-9]+ +[0-9]+"
	done
	# cowsample's row of the child's writes: the same row's bounds.
	assert_between "$(awk '$4 == "child-wrote" { print $5 }' <<<"$output")" \
		$(row_bounds copy-on-write/child-writes) "cowsample's child-wrote row"
	head -n 1 "$tsv" | grep -q "^time_s	pid	ppid	comm	event	min_flt	maj_flt	rss_kb	phase"
	[ "$(grep -c '	mark	' "$tsv")" -ge 7 ]
}

@test "run-demo: an unknown lab or option: exit 2, one line, no TSV" {
	local args
	for args in "nope" "../copy-on-write" "fork_faults" "shared_vs_private" "bench-copy" "--bogus" "-o"; do
		# shellcheck disable=SC2086
		run --separate-stderr sh "$DEMO" --builddir "$BUILDDIR" -o "$BATS_TEST_TMPDIR/none.tsv" $args
		[ "$status" -eq 2 ] || fail "'$args': exit status $status"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "'$args': stderr: $stderr"
		[[ "$stderr" == "run-demo: "* ]] || fail "'$args': stderr: $stderr"
		[ ! -e "$BATS_TEST_TMPDIR/none.tsv" ]
	done
	run --separate-stderr sh "$DEMO" --builddir "$BUILDDIR" nope
	assert_equal "$stderr" "run-demo: nope: no such lab (the labs: $(grep -v '^#' "$SRCDIR/labs/registry.tsv" | cut -f1 | paste -sd ' ' -)) (try --help)"
}

@test "run-demo: every lab of the registry by its id, and the default copy-on-write" {
	local id
	for id in $(grep -v '^#' "$SRCDIR/labs/registry.tsv" | cut -f1); do
		[ "$id" = mmap-copy ] && continue	# its own test below
		[ "$id" = fork-cost ] && set -- -n 256 --repeat 1 || set --
		run $(traced_env) sh "$DEMO" --builddir "$BUILDDIR" -o "$BATS_TEST_TMPDIR/s.tsv" "$id" "$@"
		assert_success
		# A lab that needs root as a whole (the registry's root column)
		# says, without root, that it skipped, and why.
		if [ "$(id -u)" -ne 0 ] && [[ $(awk -F '\t' -v id="$id" '!/^#/ && $1 == id { print $4 }' \
			"$SRCDIR/labs/registry.tsv") == *"(the whole lab)" ]]; then
			assert_output --regexp ": skipped: .*needs root"
		else
			assert_output --partial "result: phase="
		fi
		assert_output --partial "every sample is in $BATS_TEST_TMPDIR/s.tsv"
	done
	run $(traced_env) sh "$DEMO" --builddir "$BUILDDIR" -o "$BATS_TEST_TMPDIR/d.tsv"
	assert_success
	assert_output --partial "result: phase=parent-rewrote role=parent"
}

@test "run-demo mmap-copy with no arguments: copies a temporary 64 MiB file with -v, then removes it" {
	local tmp=$BATS_TEST_TMPDIR/tmp tsv=$BATS_TEST_TMPDIR/copy.tsv dir
	mkdir "$tmp"
	TMPDIR=$tmp run $(traced_env) sh "$DEMO" --builddir "$BUILDDIR" -o "$tsv" mmap-copy
	assert_success
	assert_output --partial "64 MiB of random data"
	# -v: each step of the copy, and cowsample's row for the copying phase.
	assert_line --regexp '^result: phase=copied role=[a-z]+ pid=[0-9]+ minor=[0-9]+ major=[0-9]+$'
	assert_line --regexp '^parent +[0-9]+ +mmap_copy +copied +[0-9]+ +[0-9]+'
	assert_output --partial "the copy is identical to the source"
	dir=$(sed -n 's|^run-demo: \(.*\)/source to .*|\1|p' <<<"$output")
	[ -n "$dir" ] || fail "the demo did not say where the file was"
	[[ $dir == "$tmp"/* ]] || fail "temporary directory $dir is not under TMPDIR"
	[ ! -e "$dir" ] || fail "$dir was left behind"
	[ -z "$(ls -A "$tmp")" ] || fail "left in TMPDIR: $(ls -A "$tmp")"
	[ "$(grep -c '	mark	' "$tsv")" -ge 3 ]
}

@test "run-demo: each phase row shows the lab's own count (its result: line) beside cowsample's, and says why they differ" {
	local tsv=$BATS_TEST_TMPDIR/demo.tsv n=256 k=64
	run $(traced_env) sh "$DEMO" --builddir "$BUILDDIR" -o "$tsv" copy-on-write -n $n -w $k
	assert_success
	assert_line --regexp '^role +pid +comm +phase +min_flt +maj_flt +time_s +result$'
	# every phase with a result: line has that line's count in the last column
	local phase role pid minor rows=0
	while read -r phase role pid minor; do
		assert_line --regexp "^$role +$pid +fork_faults +$phase +[0-9]+ +[0-9]+ +[0-9.]+ +$minor( +\\*)?\$"
		rows=$((rows + 1))
	done < <(sed -n 's/^result: phase=\([^ ]*\) role=\([^ ]*\) pid=\([0-9]*\) minor=\([0-9]*\) .*/\1 \2 \3 \4/p' <<<"$output")
	# one per step of the lab: the steps its expectation table measures
	local steps
	steps=$("$SRCDIR/tools/cowlab-expect" --srcdir "$SRCDIR" --bindir "$BUILDDIR" rows copy-on-write |
		awk -F '\t' '$2 == "base" && ($5 == "minor" || $5 == "major") { print $3 }' | sort -u | wc -l)
	[ $rows -eq "$steps" ] || fail "$rows result: lines, $steps steps"
	# cowsample's own marks have none
	assert_line --regexp '^parent +[0-9]+ +fork_faults +started +[0-9]+ +[0-9]+ +[0-9.]+ +-$'
	# and the note under the table says what each column counts
	assert_output --partial "min_flt counts every minor fault of the process from its previous mark"
	assert_output --partial "result is the lab's own count"
}

@test "run-demo: the lab's exit status is kept through the table's filter" {
	run sh "$DEMO" --builddir "$BUILDDIR" -o "$BATS_TEST_TMPDIR/demo.tsv" copy-on-write -n 0
	assert_failure
}
