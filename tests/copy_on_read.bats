#!/usr/bin/env bats
# The copy-on-read lab (labs/copy-on-read.md): readers that update counts
# inside objects copy every page of objects; counts kept apart, only theirs.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	COPY_ON_READ=$(lab_bin copy-on-read)
	PAGE=$(getconf PAGESIZE)
}

# minor PHASE: the minor faults of the result line of PHASE in $output.
minor() {
	printf '%s\n' "$output" | sed -n "s/^result: phase=$1 role=child .* minor=\([0-9]*\) .*/\1/p"
}

# Faults beyond the pages written: the reader's stack, libc (copy-on-write
# after fork) and the result line's buffer.
SLACK=16

@test "copy_on_read: the inline reader copies every page of objects, the separate one only the counts" {
	local m=20000 s=256
	run "$COPY_ON_READ" --batch -m $m -s $s
	assert_success
	local objects_pages=$(((m * s + PAGE - 1) / PAGE)) counts_pages=$(((m * 8 + PAGE - 1) / PAGE))
	assert_line "objects: count=$m size=$s pages=$objects_pages counts_pages=$counts_pages"
	local inline separate
	inline=$(minor read-inline)
	separate=$(minor read-separate)
	((inline >= objects_pages && inline <= objects_pages + SLACK)) ||
		fail "read-inline: $inline faults, expected $objects_pages..$((objects_pages + SLACK))"
	((separate >= counts_pages && separate <= counts_pages + SLACK)) ||
		fail "read-separate: $separate faults, expected $counts_pages..$((counts_pages + SLACK))"
}

@test "copy_on_read: with the default parameters read-inline faults at least ten times read-separate" {
	run "$COPY_ON_READ" --batch
	assert_success
	local inline separate
	inline=$(minor read-inline)
	separate=$(minor read-separate)
	((separate > 0 && inline >= 10 * separate)) || fail "inline $inline, separate $separate"
}

@test "copy_on_read: --help, and option errors in one line" {
	run "$COPY_ON_READ" --help
	assert_success
	assert_usage_error "$COPY_ON_READ" -s 8
	assert_usage_error "$COPY_ON_READ" -m x
}
