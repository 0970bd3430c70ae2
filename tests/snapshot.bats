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

# What is not a row of support/snapshot/expect.tsv: the RSS that does not
# move (two lines of the output compared), the Redis line agreeing with
# the child's Private_Dirty, the frozen view.

run_snapshot() {
	local n=$1 u=$2 c=$3
	shift 3
	run "$SNAPSHOT" --batch -n "$n" -u "$u" -c "$c" "$@"
	assert_success
	local written=$((u * c)) stray gap
	stray=$(slack STRAY)
	gap=$(slack SAMPLER_GAP)
	# Measured from chunk 0, the growth is the copies, and what the saver
	# itself wrote between the two readings (its stdio, its stack).
	local grew=$(($(memory $c child_private_dirty_kb) - $(memory 0 child_private_dirty_kb)))
	assert_between $grew $((written * PAGE_KB)) $(((written + gap) * PAGE_KB)) "growth of the child's Private_Dirty (kB)"
	# RSS does not move with the copies (a page is a page, copied or not):
	# its anonymous part, the data, stays (file pages the child faults in
	# as it runs its code are another matter). In the sanitizer build every
	# allocation also grows AddressSanitizer's shadow memory: not checked there.
	is_sanitized "$SNAPSHOT" && return 0
	assert_between "$(memory $c parent_anon_kb)" "$(memory 0 parent_anon_kb)" $(($(memory 0 parent_anon_kb) + stray * PAGE_KB)) "the parent's anonymous RSS"
	assert_between "$(memory $c child_anon_kb)" "$(memory 0 child_anon_kb)" $(($(memory 0 child_anon_kb) + stray * PAGE_KB)) "the child's anonymous RSS"
	assert_line "RDB: $(($(memory $c child_private_dirty_kb) / 1024)) MB of memory used by copy-on-write"
	assert_line "saver: pages_changed_in_view=0"
}

@test "snapshot: the child's Private_Dirty grows by a page per page the parent writes; RSS stays" {
	run_snapshot 4096 128 8
}

@test "snapshot: the cost follows the pages written, not the data's size" {
	run_snapshot 16384 64 4
}

@test "snapshot --thp: the same on huge pages" {
	grep -q '\[\(always\|madvise\)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
		skip "transparent huge pages are not available here"
	run_snapshot 4096 128 4 --thp
}

@test "snapshot: option errors in one line" {
	assert_usage_error "$SNAPSHOT" -n 10 -u 6 -c 2
	assert_usage_error "$SNAPSHOT" -c 0
}
