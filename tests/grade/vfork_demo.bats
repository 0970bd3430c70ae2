#!/usr/bin/env bats
# Graded: vfork_demo (labs/vfork.md), 10 points. One run under cowsample.
load grade_helper

N=512	# pages in the buffer
K=256	# pages the vfork child writes

setup_file() {
	sample_once vfork/vfork_demo --batch -n $N -w $K
}

setup() {
	require_sampled vfork/vfork_demo
}

# assert_in_order NAME=NS...: every NS is a time, none before the one before.
assert_in_order() {
	local pair previous=0 previous_name=start
	for pair in "$@"; do
		[[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || fail "no time for ${pair%%=*}"
		((${pair#*=} >= previous)) || fail "${pair%%=*} came before $previous_name"
		previous=${pair#*=} previous_name=${pair%%=*}
	done
}

# assert_new_image PID: process PID exec'd (cowsample saw it) and the new
# image ran (its mark exec-image-started).
assert_new_image() {
	[ -n "$1" ] || fail "no child reported"
	exec_pids "$RUN_TSV" vfork_demo | grep -qx "$1" || fail "process $1 never exec'd (cowsample saw no exec)"
	marker_pids "$RUN_TSV" exec-image-started | grep -qx "$1" || fail "process $1 never ran the new image"
}

@test "vfork_demo: runs every step to the end in batch mode (1 point)" {
	assert_ran_to_end parent-touched child-wrote vfork-child-exited vfork-exec-resumed \
		exec-image-started posix-spawned
}

@test "vfork_demo: the vfork child writes the parent's own pages: no fault, and the parent sees them (3 points)" {
	assert_faults_between "$(exit_faults "$RUN_TSV" child-wrote)" 0 $SLACK \
		"the vfork child's faults in all (it wrote $K pages)"
	grep -qx 'shared: mode=vfork parent_sees_child_writes=yes' "$RUN_OUT" ||
		fail "the parent does not see the vfork child's writes"
}

@test "vfork_demo: the parent is suspended from vfork() until the child's _exit() (3 points)" {
	assert_in_order \
		"vfork-called=$(timestamp_of "$RUN_OUT" vfork vfork-called)" \
		"child-start=$(timestamp_of "$RUN_OUT" vfork child-start)" \
		"child-exit=$(timestamp_of "$RUN_OUT" vfork child-exit)" \
		"parent-resumed=$(timestamp_of "$RUN_OUT" vfork parent-resumed)"
}

@test "vfork_demo: vfork + execve: the child runs a new image, the parent resumes after the exec (2 points)" {
	assert_new_image "$(sed -n 's/^exec-image: via=vfork-exec pid=\([0-9]*\) .*/\1/p' "$RUN_OUT")"
	assert_in_order \
		"vfork-called=$(timestamp_of "$RUN_OUT" vfork-exec vfork-called)" \
		"child-exec=$(timestamp_of "$RUN_OUT" vfork-exec child-exec)" \
		"parent-resumed=$(timestamp_of "$RUN_OUT" vfork-exec parent-resumed)"
}

@test "vfork_demo: posix_spawn starts the program in a new process (1 point)" {
	assert_new_image "$(sed -n 's/^spawned: pid=\([0-9]*\)$/\1/p' "$RUN_OUT")"
}
