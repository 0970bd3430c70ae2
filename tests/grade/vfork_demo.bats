#!/usr/bin/env bats
# Graded: vfork_demo (labs/vfork.md), 10 points. Each check is a graded row of
# support/vfork/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). One run of its scenario base under
# cowsample (the fault counts) and one under strace (how each child was
# made). The counters that are not fault counts are measured here:
# shares-memory, suspended, vfork-exec and spawned-image (below).
load grade_helper

setup_file() {
	sample_scenario vfork base
	trace_scenario_processes vfork base
}

setup() {
	require_sampled vfork/vfork_demo
}

# trace_scenario_processes ID SCENARIO: trace_processes of the lab's program
# with the scenario's arguments (the same run as sample_scenario's).
trace_scenario_processes() {
	local program
	local -a args
	program=$(awk -F '\t' -v id="$1" '!/^#/ && $1 == id { print $2 }' "$KIT/labs/registry.tsv")
	mapfile -t args < <(scenario_args "$1" "$2")
	trace_processes "$1/$program" "${args[@]}"
}

# The counters below are facts of the kernel, from a traced run
# (process_facts.awk): which call made each child and with which clone
# flags, whether it exec'd the program, which marks it wrote. Never the
# timestamps or pids the program prints. Each prints 1 or 0 (and why, on
# stderr).

# child_of STEP WHAT: the fields of the child made in STEP, in
# call vm vfork execed marks; fails saying so when there is none.
child_of() {
	local line
	line=$(process_of "$1")
	[ -n "$line" ] || { echo "no child was made in the $2 step (traced run: $(status_text "$(cat "$PROCESS_STATUS")"))" >&2; return 1; }
	IFS=$'\t' read -r _ call vm vfork execed marks <<<"$line"
}

# made_by CALL VM VFORK: how the kernel was asked, in words.
made_by() {
	case $1 in
	vfork) echo "vfork()" ;;
	fork) echo "fork()" ;;
	*)
		if [ "$2" = 0 ] && [ "$3" = 0 ]; then
			echo "fork() ($1 without CLONE_VM and CLONE_VFORK)"
		else
			echo "$1() with$([ "$2" = 1 ] || echo "out") CLONE_VM and with$([ "$3" = 1 ] || echo "out") CLONE_VFORK"
		fi ;;
	esac
}

# suspended: the child of the vfork step was made with CLONE_VFORK (the
# kernel suspends the parent until the child's exec or exit), wrote its
# pages (its mark) and exited without an exec.
measure_suspended() {
	local call vm vfork execed marks
	child_of vfork-child-exited vfork || { echo 0; return; }
	[ "$vfork" = 1 ] ||
		{ echo "the child was made by $(made_by "$call" "$vm" "$vfork"): the parent was never suspended" >&2; echo 0; return; }
	[ "$execed" = 0 ] && [[ ,$marks, == *,child-wrote,* ]] ||
		{ echo "the vfork child did not write the pages (its mark child-wrote) and _exit()" >&2; echo 0; return; }
	echo 1
}

# shares-memory: the child that wrote the pages shares the parent's memory
# (CLONE_VM), and the parent found the writes (its shared: line; this line
# alone never earns the point).
measure_shares_memory() {
	local call vm vfork execed marks
	child_of vfork-child-exited vfork || { echo 0; return; }
	[ "$vm" = 1 ] && [[ ,$marks, == *,child-wrote,* ]] ||
		{ echo "the child that wrote the pages was made by $(made_by "$call" "$vm" "$vfork"): a memory of its own" >&2; echo 0; return; }
	[ "$(out_field shared vfork parent_sees_child_writes)" = 1 ] ||
		{ echo "the parent did not find the child's writes (its line shared: mode=vfork ...)" >&2; echo 0; return; }
	echo 1
}

# exec_child STEP WHAT: 1 when the child of STEP was made with CLONE_VM and
# CLONE_VFORK (vfork, or posix_spawn's clone), exec'd the program, and the
# new image ran (its mark exec-image-started, after the exec).
exec_child() {
	local call vm vfork execed marks
	child_of "$1" "$2" || { echo 0; return; }
	[ "$vm" = 1 ] && [ "$vfork" = 1 ] ||
		{ echo "the child was made by $(made_by "$call" "$vm" "$vfork"), not by $2: it copied the parent's page tables and the parent ran on at once" >&2; echo 0; return; }
	[ "$execed" = 1 ] || { echo "the child never exec'd the program" >&2; echo 0; return; }
	[[ ,$marks, == *,exec:exec-image-started,* ]] ||
		{ echo "the new image never ran (no mark exec-image-started after the exec)" >&2; echo 0; return; }
	echo 1
}

# vfork-exec: the vfork child runs a new image; the parent resumes after the exec.
measure_vfork_exec() {
	exec_child vfork-exec-resumed "vfork()"
}

# spawned-image: posix_spawn starts the program in a new process, with
# clone(CLONE_VM|CLONE_VFORK) as glibc does, not fork + exec.
measure_spawned_image() {
	exec_child posix-spawned "posix_spawn()"
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

@test "vfork/posix-spawn: posix_spawn starts the program in a new process that borrows the parent's memory until its exec (clone with CLONE_VM and CLONE_VFORK), not with fork + exec. (1 point)" {
	grade_row vfork/posix-spawn
}
