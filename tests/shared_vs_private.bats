#!/usr/bin/env bats
# tests/shared_vs_private.bats - every claim of labs/shared-vs-private.md,
# measured on the running kernel. Bounds come from N (pages per buffer) and
# K (pages the child writes in each):
#   SLACK  faults a step may take beyond its pages: libc and stack pages
#          touched for the first time (0-3 seen; 8 leaves room).
# The measured loops are not sanitized (LAB_NOT_SANITIZED in cowlab.h), so
# the bounds are the same in the sanitizer build.
load test_helper
bats_require_minimum_version 1.5.0

N=256
K=100
SLACK=8

setup() {
	# The program keeps its own name in the folder shared-vs-private.
	SVP=$BUILDDIR/support/shared-vs-private/shared_vs_private
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

run_lab() {
	run --separate-stderr "$SVP" --batch -n "$N" -w "$K" "$@"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

# in_range VALUE LOW HIGH WHAT
in_range() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || fail "$4: $1 not in [$2, $3]"
}

@test "shared_vs_private: --help documents the options and exits 0" {
	run "$SVP" --help
	assert_success
	assert_output --partial "--pages"
	assert_output --partial "--write"
	assert_output --partial "--file"
}

@test "shared_vs_private: usage errors exit 2 with one line; -f never overwrites" {
	for args in "-n 0" "-w x" "-n 4 -w 5" "-n" "--bogus" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$SVP" $args
	done
	echo "precious" >"$BATS_TEST_TMPDIR/precious"
	run --separate-stderr "$SVP" --batch -f "$BATS_TEST_TMPDIR/precious"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ $stderr == "shared_vs_private: "*"precious: exists already"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/precious")" = precious ]
}

@test "shared_vs_private: the parent's first touch faults once per page of each buffer" {
	run_lab
	in_range "$(lab_field result parent-wrote minor)" $((2 * N)) $((2 * N + SLACK)) parent-wrote
}

@test "shared_vs_private: the child's private writes are copy-on-write: K faults, K copies" {
	run_lab
	in_range "$(lab_field result child-wrote-private minor)" "$K" $((K + SLACK)) child-wrote-private
	[ "$(lab_field copied child-wrote-private pages)" -eq "$K" ]
}

@test "shared_vs_private: the child's shared writes fault once per page but copy nothing" {
	run_lab
	in_range "$(lab_field result child-wrote-shared minor)" "$K" $((K + SLACK)) child-wrote-shared
	[ "$(lab_field copied child-wrote-shared pages)" -eq 0 ]
}

@test "shared_vs_private: the parent sees the child's writes only in the shared buffer" {
	run_lab
	assert_line "seen: mapping=shared changed=$K pages=$N"
	assert_line "seen: mapping=private changed=0 pages=$N"
}

@test "shared_vs_private: the parent rewrites shared pages with no fault, private ones with one each" {
	run_lab
	in_range "$(lab_field result parent-rewrote-shared minor)" 0 "$SLACK" parent-rewrote-shared
	in_range "$(lab_field result parent-rewrote-private minor)" "$N" $((N + SLACK)) parent-rewrote-private
}

@test "shared_vs_private: only the MAP_SHARED write reaches the file" {
	file=$BATS_TEST_TMPDIR/mapped-file
	run_lab -f "$file"
	assert_line "file: after=private-write file=ORIGINAL private_map=PRIVATE shared_map=ORIGINAL"
	assert_line "file: after=shared-write file=SHARED private_map=PRIVATE shared_map=SHARED"
	assert_line "file: mapping=private reached=no"
	assert_line "file: mapping=shared reached=yes"
	in_range "$(lab_field result file-wrote-private minor)" 1 "$SLACK" file-wrote-private
	in_range "$(lab_field result file-wrote-shared minor)" 1 "$SLACK" file-wrote-shared
	# What is on the file, read by someone else after the program is gone.
	[ "$(head -n 1 "$file")" = SHARED ]
	run grep -c PRIVATE "$file"
	assert_output 0
}

@test "shared_vs_private: without -f the temporary file is gone; no terminal: runs through" {
	run --separate-stderr "$SVP" -n 16 -w 4 </dev/null
	assert_success
	[ -z "$(ls -A "$TMPDIR")" ] || fail "left behind: $(ls -A "$TMPDIR")"
}
