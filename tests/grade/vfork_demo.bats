#!/usr/bin/env bats
# Graded: vfork_demo (labs/vfork.md), 10 points. Each check is a graded row of
# support/vfork/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). One run of its scenario base under
# cowsample. The counters that are not fault counts are measured here:
# suspended, vfork-exec and spawned-image (below).
load grade_helper

setup_file() {
	sample_scenario vfork base
}

setup() {
	require_sampled vfork/vfork_demo
}

# in_order NAME=NS...: 1 when every NS is a time, none before the one
# before; else 0, saying which on stderr.
in_order() {
	local pair previous=0 previous_name=start
	for pair in "$@"; do
		[[ ${pair#*=} =~ ^[1-9][0-9]*$ ]] || { echo "no time for ${pair%%=*}" >&2; echo 0; return; }
		((${pair#*=} >= previous)) || { echo "${pair%%=*} came before $previous_name" >&2; echo 0; return; }
		previous=${pair#*=} previous_name=${pair%%=*}
	done
	echo 1
}

# new_image PID: 1 when process PID exec'd (cowsample saw it) and the new
# image ran (its mark exec-image-started).
new_image() {
	[ -n "$1" ] || { echo "no child reported" >&2; echo 0; return; }
	exec_pids "$RUN_TSV" vfork_demo | grep -qx "$1" || { echo "process $1 never exec'd (cowsample saw no exec)" >&2; echo 0; return; }
	marker_pids "$RUN_TSV" exec-image-started | grep -qx "$1" || { echo "process $1 never ran the new image" >&2; echo 0; return; }
	echo 1
}

# suspended: the parent is suspended from vfork() until the child's _exit():
# the timestamps of mode vfork in that order.
measure_suspended() {
	in_order \
		"vfork-called=$(timestamp_of "$RUN_OUT" vfork vfork-called)" \
		"child-start=$(timestamp_of "$RUN_OUT" vfork child-start)" \
		"child-exit=$(timestamp_of "$RUN_OUT" vfork child-exit)" \
		"parent-resumed=$(timestamp_of "$RUN_OUT" vfork parent-resumed)"
}

# vfork-exec: the vfork child runs a new image, and the parent resumes after
# the exec.
measure_vfork_exec() {
	[ "$(new_image "$(sed -n 's/^exec-image: via=vfork-exec pid=\([0-9]*\) .*/\1/p' "$RUN_OUT")")" = 1 ] || { echo 0; return; }
	in_order \
		"vfork-called=$(timestamp_of "$RUN_OUT" vfork-exec vfork-called)" \
		"child-exec=$(timestamp_of "$RUN_OUT" vfork-exec child-exec)" \
		"parent-resumed=$(timestamp_of "$RUN_OUT" vfork-exec parent-resumed)"
}

# spawned-image: the process posix_spawn started runs the new image.
measure_spawned_image() {
	new_image "$(sed -n 's/^spawned: pid=\([0-9]*\)$/\1/p' "$RUN_OUT")"
}

@test "vfork/finished: vfork_demo runs every step to the end in batch mode. (1 point)" {
	grade_row vfork/finished
}

@test "vfork/child-no-fault: The vfork child writes the parent's own pages: no fault (nothing is copied). (2 points)" {
	grade_row vfork/child-no-fault
}

@test "vfork/parent-sees: The parent sees the vfork child's writes: one address space. (1 point)" {
	grade_row vfork/parent-sees
}

@test "vfork/suspended: The parent is suspended from vfork() until the child's _exit(). (3 points)" {
	grade_row vfork/suspended
}

@test "vfork/vfork-exec: vfork + execve: the child runs a new image, the parent resumes after the exec. (2 points)" {
	grade_row vfork/vfork-exec
}

@test "vfork/posix-spawn: posix_spawn starts the program in a new process. (1 point)" {
	grade_row vfork/posix-spawn
}
