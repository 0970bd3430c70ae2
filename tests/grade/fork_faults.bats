#!/usr/bin/env bats
# Graded: fork_faults (labs/copy-on-write.md), 10 points. Each check is a graded row of
# support/copy-on-write/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). One run of its scenario base under
# cowsample; each check reads the kernel's counters at the lab's marks.
load grade_helper

setup_file() {
	sample_scenario copy-on-write base
}

setup() {
	require_sampled copy-on-write/fork_faults
}

@test "copy-on-write/finished: fork_faults runs every step to the end in batch mode. (1 point)" {
	grade_row copy-on-write/finished
}

@test "copy-on-write/first-touch: The parent's first touch takes one fault per page. (2 points)" {
	grade_row copy-on-write/first-touch
}

@test "copy-on-write/child-reads: The child's reads copy nothing: no fault per page. (2 points)" {
	grade_row copy-on-write/child-reads
}

@test "copy-on-write/child-writes: The child's writes take one copy-on-write fault per page written. (2 points)" {
	grade_row copy-on-write/child-writes
}

@test "copy-on-write/parent-idle: The parent takes no fault while the child writes and exits: its pages were not touched. (1 point)" {
	grade_row copy-on-write/parent-idle
}

@test "copy-on-write/parent-rewrites: After the child exited, the parent's rewrite faults once per page (every entry is still write-protected from the fork). (2 points)" {
	grade_row copy-on-write/parent-rewrites
}
