#!/usr/bin/env bats
# cowmap: which frames parent and child share, from /proc/PID/pagemap.
# Expected values come from the subject's parameters: N pages mapped and
# touched before fork(), K of them written by the child.

bats_require_minimum_version 1.5.0
load test_helper
load cowmap_helper

PROGS=$BUILDDIR/tests/progs
N=512
K=200

teardown() {
	stop_subject
}

@test "cowmap --diff: all shared after fork, K copied after the child writes, all exclusive at the end" {
	require_root
	start_cowpages "$PROGS/cowpages" $N $K

	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	assert_output --partial "frames compared by PFN"
	[ "$(diff_count shared)" -eq $N ]
	[ "$(diff_count copied)" -eq 0 ]
	[ "$(diff_count absent)" -eq 0 ]

	step
	assert_equal "$LINE" "child-wrote $K"
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[ "$(diff_count copied)" -eq $K ]
	[ "$(diff_count shared)" -eq $((N - K)) ]
	[ "$(diff_count only-parent)" -eq 0 ]
	[ "$(diff_count only-child)" -eq 0 ]
	# kpagecount: the K pages now have a frame each side to themselves.
	[ "$(map_column exclusive "$CHILD")" -eq $K ]
	[ "$(map_column shared "$CHILD")" -eq $((N - K)) ]
	[ "$(map_column exclusive "$PARENT")" -eq $K ]

	step
	assert_equal "$LINE" "parent-rewrote $N"
	run "$COWMAP" --map "$ADDR" "$PARENT"
	assert_success
	assert_output --partial "kpagecount"
	[ "$(map_column present "$PARENT")" -eq $N ]
	[ "$(map_column exclusive "$PARENT")" -eq $N ]
	[ "$(map_column shared "$PARENT")" -eq 0 ]
}

@test "cowmap --diff with transparent huge pages: still exactly K copied" {
	require_root
	start_cowpages "$PROGS/cowpages" --thp 1024 300
	[ "$(map_column thp "$PARENT")" -gt 0 ] || skip "no transparent huge pages on this machine"
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	[ "$(diff_count shared)" -eq 1024 ]

	step
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[ "$(diff_count copied)" -eq 300 ]
	[ "$(diff_count shared)" -eq 724 ]

	step
	[ "$(map_column present "$PARENT")" -eq 1024 ]
	[ "$(map_column exclusive "$PARENT")" -eq 1024 ]
}

@test "cowmap as nobody: frames are not compared, the exclusive bit still counts" {
	dir=$(copy_for_nobody "$COWMAP" "$PROGS/cowpages")
	start_cowpages as_nobody "$dir/cowpages" $N $K
	step
	run --separate-stderr as_nobody "$dir/cowmap" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[[ "$stderr" == *"frames cannot be compared without CAP_SYS_ADMIN"* ]]
	assert_output --partial "frames NOT compared"
	refute_output --regexp '^  (shared|copied) '
	[ "$(diff_count both-present)" -eq $N ]
	assert_output --regexp "exclusive in parent +$K, in child +$K +\(from pagemap bit 56"
	CM="as_nobody $dir/cowmap"
	[ "$(map_column exclusive "$CHILD")" -eq $K ]
	[ "$(map_column shared "$CHILD")" = "-" ]

	run --separate-stderr as_nobody "$dir/cowmap" --diff --map "$ADDR" --svg "$BATS_TEST_TMPDIR/x.svg" "$PARENT" "$CHILD"
	assert_failure 1
	assert_equal "$stderr" "cowmap: $BATS_TEST_TMPDIR/x.svg: the diagram needs the frame numbers, which only root can read"
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
}

@test "cowmap --map and --range select what they name" {
	start_cowpages "$PROGS/cowpages" $N 0
	run "$COWMAP" --tsv=maps --map heap "$PARENT"
	assert_success
	assert_line --regexp $'\t\\[heap\\]\t'
	run "$COWMAP" --tsv=maps --map stack "$PARENT"
	assert_line --regexp $'\t\\[stack\\]\t'
	# Pages 10..29 of the buffer, given by an address range.
	start=$(printf '0x%x' $((ADDR + 10 * 4096)))
	end=$(printf '0x%x' $((ADDR + 30 * 4096)))
	run "$COWMAP" --tsv=maps --range "$start-$end" "$PARENT"
	assert_success
	assert_equal "${lines[1]}" "$(printf '%s\t%s\t[anon]\t20\t20\t' "$start" "$end")$(cut -f6- <<<"${lines[1]}")"
	# --tsv: one row per present page, the columns of the spec.
	run "$COWMAP" --tsv --map "$ADDR" "$PARENT"
	assert_success
	assert_equal "${lines[0]}" $'vaddr\tpresent\texclusive\tpfn\tmapcount\tthp'
	[ "${#lines[@]}" -eq $((N + 1)) ]
}

@test "cowmap: a range that is not mapped, a missing process, bad usage" {
	start_cowpages "$PROGS/cowpages" 16 0
	run --separate-stderr "$COWMAP" --range 0x1000-0x3000 "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: range 0x1000-0x3000 is not mapped"
	run --separate-stderr "$COWMAP" --map no-such-mapping "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: no mapping matches no-such-mapping"

	stop_subject
	run --separate-stderr "$COWMAP" "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: no such process"

	for args in "" "12x" "--range 5-3 1" "--map heap --range 1-2 1" "--svg x.svg 1" "--diff 1" "--tsv=foo 1" "--bogus 1"; do
		run --separate-stderr "$COWMAP" $args
		echo "cowmap $args" >&2
		assert_failure 2
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == cowmap:* ]]
	done
}

@test "cowmap: a process that exits in the middle of the scan" {
	start_cowpages "$PROGS/cowpages" 64 0
	# The hook stops cowmap after it has read the maps and opened the
	# pagemap; the process then exits; cowmap goes on.
	COWMAP_STOP_AFTER_MAPS=1 "$COWMAP" --diff "$PARENT" "$CHILD" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- 5>&- 6<&- &
	cowmap_pid=$!
	for _ in $(seq 3000); do
		[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ] && break
		sleep 0.01
	done
	[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ]
	stop_subject
	kill -CONT $cowmap_pid
	status=0
	wait $cowmap_pid || status=$?
	[ "$status" -eq 1 ]
	grep -Eq "^cowmap: process ($PARENT|$CHILD): exited during the scan$" "$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
}

@test "cowmap: a 64 GiB PROT_NONE reservation with a few touched pages" {
	start_subject "$PROGS/sparse_reserve" 64 8
	next_line
	start=$(field addr)
	end=$(field end)
	for method in "" --pread; do
		run "$COWMAP" $method --tsv=maps --range "$start-$end" "$SUBJECT"
		assert_success
		[ "$(awk -F'\t' 'NR > 1 { p += $4; s += $5 } END { print p, s }' <<<"$output")" = "$((64 * 262144)) 8" ]
	done
	run "$COWMAP" --range "$start-$end" "$SUBJECT"
	assert_output --partial "present runs found by: PAGEMAP_SCAN"
}
