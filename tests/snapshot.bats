#!/usr/bin/env bats
# The snapshot lab (labs/snapshot.md): a fork()-based snapshot costs one
# page per page the parent writes during the save; RSS does not show it,
# the child's Private_Dirty does.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	SNAPSHOT=$(lab_bin snapshot)
	PAGE_KB=$(($(getconf PAGESIZE) / 1024))
}

# memory CHUNK FIELD: FIELD= of the "memory: chunk=CHUNK" line of $output.
memory() {
	printf '%s\n' "$output" | sed -n "s/^memory: chunk=$1 .* $2=\([0-9]*\).*/\1/p"
}
minor() {
	printf '%s\n' "$output" | sed -n "s/^result: phase=$1 role=parent .* minor=\([0-9]*\) .*/\1/p"
}

# Faults and kB beyond the pages written: the processes' stacks, libc
# pages written after fork (copy-on-write too), stdio buffers.
SLACK=16

# between VALUE LOW HIGH WHAT
between() {
	[[ $1 =~ ^[0-9]+$ ]] && (($1 >= $2 && $1 <= $3)) || fail "$4: $1, expected $2..$3"
}

run_snapshot() {
	local n=$1 u=$2 c=$3
	shift 3
	run "$SNAPSHOT" --batch -n "$n" -u "$u" -c "$c" "$@"
	assert_success
	local written=$((u * c))
	between "$(minor parent-updated)" $written $((written + SLACK)) "the parent's faults while writing $written pages"
	local grew=$(($(memory $c child_private_dirty_kb) - $(memory 0 child_private_dirty_kb)))
	between $grew $((written * PAGE_KB)) $(((written + SLACK) * PAGE_KB)) "growth of the child's Private_Dirty (kB)"
	# RSS does not move with the copies (a page is a page, copied or not):
	# its anonymous part, the data, stays (file pages the child faults in
	# as it runs its code are another matter).
	between "$(memory $c parent_anon_kb)" "$(memory 0 parent_anon_kb)" $(($(memory 0 parent_anon_kb) + SLACK * PAGE_KB)) "the parent's anonymous RSS"
	between "$(memory $c child_anon_kb)" "$(memory 0 child_anon_kb)" $(($(memory 0 child_anon_kb) + SLACK * PAGE_KB)) "the child's anonymous RSS"
	assert_line "RDB: $(($(memory $c child_private_dirty_kb) / 1024)) MB of memory used by copy-on-write"
	assert_line "saver: pages_changed_in_view=0"
}

@test "snapshot: the child's Private_Dirty grows by a page per page the parent writes; RSS stays" {
	run_snapshot 4096 128 8
}

@test "snapshot: the cost follows the pages written, not the data's size" {
	run_snapshot 16384 64 4
}

@test "snapshot --thp: first touch about N/512 faults, copies still one 4 KiB page each" {
	grep -q '\[\(always\|madvise\)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
		skip "transparent huge pages are not available here"
	run_snapshot 4096 128 4 --thp
	between "$(minor loaded)" 1 $((4096 / 512 + SLACK)) "first touch of 4096 pages on huge pages"
}

@test "snapshot: option errors in one line" {
	assert_usage_error "$SNAPSHOT" -n 10 -u 6 -c 2
	assert_usage_error "$SNAPSHOT" -c 0
}
