#!/usr/bin/env bats
# Graded: fork_faults (labs/copy-on-write.md), 10 points. One run under
# cowsample; each check reads the kernel's counters at the lab's marks.
load grade_helper

N=512	# pages in the buffer
K=200	# pages the child writes

setup_file() {
	sample_once copy-on-write/fork_faults --batch -n $N -w $K
}

setup() {
	require_sampled copy-on-write/fork_faults
}

@test "fork_faults: runs every step to the end in batch mode (1 point)" {
	assert_ran_to_end allocated parent-touched forked child-read child-wrote child-exited parent-rewrote
}

@test "fork_faults: the parent's first touch takes one fault per page (2 points)" {
	assert_faults_between "$(step_faults "$RUN_TSV" parent-touched)" $N $((N + SLACK)) "first touch of $N pages"
}

@test "fork_faults: the child's reads copy nothing: no fault per page (2 points)" {
	assert_faults_between "$(step_faults "$RUN_TSV" child-read)" 0 $SLACK "the child reading $N pages"
}

@test "fork_faults: the child's writes take one copy-on-write fault per page, the parent none (3 points)" {
	assert_faults_between "$(step_faults "$RUN_TSV" child-wrote)" $K $((K + SLACK)) "the child writing $K pages"
	# The parent, from fork to the child's exit: its pages were not touched.
	assert_faults_between "$(step_faults "$RUN_TSV" child-exited)" 0 $SLACK "the parent while the child worked"
}

@test "fork_faults: the parent's rewrite after the child exited faults once per page (2 points)" {
	assert_faults_between "$(step_faults "$RUN_TSV" parent-rewrote)" $N $((N + SLACK)) "the parent rewriting $N pages"
}
