#!/usr/bin/env bats
# Graded: shared_vs_private (labs/shared-vs-private.md), 6 points. One run
# under cowsample; the file of step 5 is read by the grader itself.
load grade_helper

N=256	# pages per buffer
K=100	# pages the child writes in each

setup_file() {
	sample_once shared-vs-private/shared_vs_private --batch -n $N -w $K -f file
	export RUN_FILE=$RUN_DIR/file	# written by step 5
}

setup() {
	require_sampled shared-vs-private/shared_vs_private
}

@test "shared_vs_private: runs every step to the end in batch mode (1 point)" {
	assert_ran_to_end forked child-wrote-private child-wrote-shared parent-looked \
		parent-rewrote-shared parent-rewrote-private file-wrote-private file-wrote-shared
}

@test "shared_vs_private: MAP_PRIVATE: the child's writes are copy-on-write, the parent does not see them (2 points)" {
	assert_faults_between "$(step_faults "$RUN_TSV" child-wrote-private)" $K $((K + SLACK)) \
		"the child writing $K private pages"
	assert_faults_between "$(step_faults "$RUN_TSV" parent-rewrote-private)" $N $((N + SLACK)) \
		"the parent rewriting $N private pages (write-protected since fork)"
	grep -qx "seen: mapping=private changed=0 pages=$N" "$RUN_OUT" ||
		fail "the parent saw the child's private writes"
}

@test "shared_vs_private: MAP_SHARED: the parent sees every write of the child, and rewrites without a fault (2 points)" {
	grep -qx "seen: mapping=shared changed=$K pages=$N" "$RUN_OUT" ||
		fail "the parent does not see the child's $K shared writes"
	assert_faults_between "$(step_faults "$RUN_TSV" parent-rewrote-shared)" 0 $SLACK \
		"the parent rewriting $N shared pages"
}

@test "shared_vs_private: only the write through MAP_SHARED reaches the file (1 point)" {
	[ -f "$RUN_FILE" ] || fail "the file of step 5 was not created"
	[ "$(first_line_of "$RUN_FILE")" = SHARED ] || fail "the file says '$(first_line_of "$RUN_FILE")', expected SHARED"
}
