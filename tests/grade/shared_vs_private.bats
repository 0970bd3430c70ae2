#!/usr/bin/env bats
# Graded: shared_vs_private (labs/shared-vs-private.md), 6 points. Each check is a graded row of
# support/shared-vs-private/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). One run of its scenario base under
# cowsample; the file it writes (-f file) is read by the grader itself.
load grade_helper

setup_file() {
	sample_scenario shared-vs-private base
}

setup() {
	require_sampled shared-vs-private/shared_vs_private
}

@test "shared-vs-private/finished: shared_vs_private runs every step to the end in batch mode. (1 point)" {
	grade_row shared-vs-private/finished
}

@test "shared-vs-private/private-child-writes: MAP_PRIVATE: the child's writes are copy-on-write, one fault per page. (1 point)" {
	grade_row shared-vs-private/private-child-writes
}

@test "shared-vs-private/private-unseen: MAP_PRIVATE: the parent does not see the child's writes. (1 point)" {
	grade_row shared-vs-private/private-unseen
}

@test "shared-vs-private/shared-seen: MAP_SHARED: the parent sees every write of the child. (1 point)" {
	grade_row shared-vs-private/shared-seen
}

@test "shared-vs-private/shared-parent-rewrites: MAP_SHARED: the parent rewrites its pages without a fault. (1 point)" {
	grade_row shared-vs-private/shared-parent-rewrites
}

@test "shared-vs-private/file-shared-reached: Only the write through MAP_SHARED reaches the file. (1 point)" {
	grade_row shared-vs-private/file-shared-reached
}
