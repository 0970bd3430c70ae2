#!/usr/bin/env bats
# tests/shared_vs_private.bats - shared_vs_private's options, formats and
# files. Every count it measures (faults, pages copied, pages the parent
# sees changed, writes that reach the file) is a row of
# support/shared-vs-private/expect.tsv, checked by tests/expect.sh.
load test_helper
bats_require_minimum_version 1.5.0

N=256
K=100

setup() {
	SVP=$(lab_bin shared-vs-private)
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

run_lab() {
	run --separate-stderr "$SVP" --batch -n "$N" -w "$K" "$@"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
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

@test "shared_vs_private: only the MAP_SHARED write reaches the file" {
	file=$BATS_TEST_TMPDIR/mapped-file
	run_lab -f "$file"
	assert_line "file: after=private-write file=ORIGINAL private_map=PRIVATE shared_map=ORIGINAL"
	assert_line "file: after=shared-write file=SHARED private_map=PRIVATE shared_map=SHARED"
	assert_line "file: mapping=private reached=no"
	assert_line "file: mapping=shared reached=yes"
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

@test "framewatch --anon (the grader's instrument): the child's and the parent's bytes at the child's marks, from the kernel" {
	require_root "framewatch reads other processes' memory through /proc/PID/mem"
	local dir=$BATS_TEST_TMPDIR/frames
	mkdir -p "$dir"
	run "$SRCDIR/tests/grade/framewatch" --anon child-wrote-private,child-wrote-shared "$dir" -- \
		"$SVP" --batch -n "$N" -w "$K" -f "$BATS_TEST_TMPDIR/file"
	assert_success
	assert_equal "$(cut -f2 "$dir/marks.tsv" | paste -sd ' ')" "child-wrote-private child-wrote-shared"
	# The child wrote 'C' (43) on K private pages, then on K shared ones;
	# the parent wrote its 'P' (50) on all of them. pairs SNAP: "vpage
	# child's-byte parent's-byte" for each page read in both at SNAP.
	pairs() {
		awk -F '\t' -v s="$1" '$1 == s { if ($4 == $3) c[$5] = $6; else p[$5] = $6 }
			END { for (v in c) if (v in p) print v, c[v], p[v] }' "$dir/bytes.tsv"
	}
	# after its private step: the parent reads its own 'P' where the child wrote
	assert_equal "$(pairs 1 | awk '$2 == 43 && $3 == 50' | wc -l)" "$K"
	# after its shared step: the pages new with 'C' (other pages may hold a
	# 43 in both: in the sanitizer build, one did) hold 'C' in the parent
	# too; the private ones still do not
	assert_equal "$(awk 'NR == FNR { if ($2 == 43) old[$1] = 1; next } $2 == 43 && !($1 in old) && $3 == 43' \
		<(pairs 1) <(pairs 2) | wc -l)" "$K"
	assert_equal "$(pairs 2 | awk '$2 == 43 && $3 == 50' | wc -l)" "$K"
	# a mark not listed is let go at once, unread; a bad usage is one line
	run "$SRCDIR/tests/grade/framewatch" --anon nothing "$dir" -- "$SVP" --batch -n 8 -w 2 </dev/null
	assert_success
	[ ! -s "$dir/marks.tsv" ] && [ ! -s "$dir/bytes.tsv" ]
	run --separate-stderr "$SRCDIR/tests/grade/framewatch" --bogus x "$dir" -- true
	[ "$status" -eq 2 ] && [ "$stderr" = "usage: framewatch --memfd NAME|--anon PHASES OUT_DIR -- COMMAND..." ]
}
