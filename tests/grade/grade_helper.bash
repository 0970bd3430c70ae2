# tests/grade/grade_helper.bash - what every graded check shares. Loaded by
# the graded bats files, which cowlab-grade runs against one student tree.
#
# cowlab-grade sets:
#   GRADE_TREE     the student tree, built (GRADE_TREE/copy-on-write/fork_faults, ...)
#   GRADE_WORK     a directory for this student's scratch files
#   GRADE_UID      the user that student code runs as (empty: as the grader)
#   GRADE_TIMEOUT  seconds a program may run
#   GRADE_NPROC, GRADE_AS, GRADE_FSIZE   the limits of student code
#   COWSAMPLE, STRACE                    the instruments
#
# Each check is a graded row of a lab's expectation table (support/ID/
# expect.tsv, listed by `tools/cowlab-expect graded`): its name is
# "ID/ROW: WHAT (P points)" and its body `grade_row ID/ROW`. Every number a
# check compares comes from the kernel (cowsample's rows at the programs'
# phase marks, the files themselves, strace); its bounds are the row's.

bats_load_library bats-support
bats_load_library bats-assert
bats_require_minimum_version 1.5.0

: "${GRADE_TREE:?the graded checks are run by cowlab-grade}"
: "${GRADE_WORK:?the graded checks are run by cowlab-grade}"

# The kit: its expectation tables and their reader.
KIT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
EXPECT=$KIT/tools/cowlab-expect

# The sandbox of every run of student code (sandbox.bash).
. "$BATS_TEST_DIRNAME/sandbox.bash"
make_sandbox "$GRADE_NPROC" "$GRADE_AS" "$GRADE_FSIZE" "${GRADE_UID:-}"

# require_built PATH: fail the check when the program was not built.
require_built() {
	[ -x "$1" ] || fail "${1#"$GRADE_TREE"/} was not built (see the build log above)"
}

# new_scratch NAME: a fresh directory that student code may write; prints it.
new_scratch() {
	local dir=$GRADE_WORK/scratch/$1
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	[ -z "${GRADE_UID:-}" ] || chown "$GRADE_UID:$GRADE_UID" "$dir"
	echo "$dir"
}

# run_student CMD...: bats' run, of student code in its sandbox, with the
# time limit; $status, $output (stdout), $stderr.
run_student() {
	run --separate-stderr timeout -k 2 "$GRADE_TIMEOUT" "${SANDBOX[@]}" "$@"
}

# sample_student TSV OUT CMD...: run student code under cowsample, which
# records the kernel's fault counters of every process of it at each phase
# mark (the program stops at its marks while cowsample measures). Stdout
# goes to OUT; returns the program's exit status. cowsample itself stops
# the program after GRADE_TIMEOUT seconds; timeout is only the safety net.
sample_student() {
	local tsv=$1 out=$2
	shift 2
	timeout -k 2 $((GRADE_TIMEOUT + 10)) "$COWSAMPLE" -d "$GRADE_TIMEOUT" -o "$tsv" -- \
		"${SANDBOX[@]}" "$@" >"$out" 2>"$out.err"
}

# sample_once PROGRAM ARGS...: in setup_file, the one run of PROGRAM (a path
# in the tree) under cowsample that the checks of a file read: in its own
# scratch directory RUN_DIR, stdin /dev/null. Exports RUN_DIR, RUN_TSV
# (cowsample's rows), RUN_OUT (stdout; stderr in RUN_OUT.err) and
# RUN_STATUS (a file: the exit status, 127 when the program was not built).
sample_once() {
	local program=$GRADE_TREE/$1 status=0
	shift
	RUN_DIR=$(new_scratch "$(basename "$program")") || return 1
	export RUN_DIR RUN_TSV=$RUN_DIR/run.tsv RUN_OUT=$RUN_DIR/run.out RUN_STATUS=$RUN_DIR/status
	if [ -x "$program" ]; then
		(cd "$RUN_DIR" && sample_student "$RUN_TSV" "$RUN_OUT" "$program" "$@" </dev/null) || status=$?
	else
		status=127
	fi
	echo "$status" >"$RUN_STATUS"
}

# require_sampled PROGRAM: in setup, fail the check unless sample_once ran
# PROGRAM far enough to leave rows.
require_sampled() {
	require_built "$GRADE_TREE/$1"
	[ -s "$RUN_TSV" ] || fail "$(basename "$1") did not run (status $(cat "$RUN_STATUS"))"
}

# trace_student LOG CMD...: bats' run of student code under strace, which
# writes to LOG the system calls that open, size, map and close files.
trace_student() {
	local log=$1
	shift
	run --separate-stderr timeout -k 2 "$GRADE_TIMEOUT" "$STRACE" -f -qq -o "$log" \
		-e trace=execve,open,openat,creat,close,ftruncate,fallocate,mmap -- \
		"${SANDBOX[@]}" "$@"
}

# strace_fact LOG PROGRAM SRC NAME: one fact of strace_facts.awk (0 or 1).
strace_fact() {
	awk -v program="$2" -v src="$3" -f "$BATS_TEST_DIRNAME/strace_facts.awk" "$1" |
		sed -n "s/^$4=//p"
}

# --- cowsample's rows: time_s pid ppid comm event min_flt maj_flt rss_kb phase role

# step_faults TSV PHASE [ROLE]: the minor faults of the step that ended at
# mark PHASE: the process's min_flt at that mark less its min_flt at its
# mark before (or at its first row). ROLE parent or child: only a process of
# that role (cowsample's last column). Empty when no process made the mark.
step_faults() {
	awk -F '\t' -v phase="$2" -v role="${3:-}" '
		NR == 1 { next }
		!($2 in last) { last[$2] = $6 }
		$5 == "mark" && $9 == phase && (role == "" || role == "-" || $10 == role) { print $6 - last[$2]; exit }
		$5 == "mark" { last[$2] = $6 }' "$1"
}

# exit_faults TSV PHASE: the final min_flt (exit row) of the process that
# made the mark PHASE.
exit_faults() {
	awk -F '\t' -v phase="$2" '
		NR == 1 { next }
		$5 == "mark" && $9 == phase && pid == "" { pid = $2 }
		$5 == "exit" && $2 == pid { print $6; exit }' "$1"
}

# marker_pids TSV PHASE: the PIDs that made the mark PHASE, one per line.
marker_pids() {
	awk -F '\t' -v phase="$2" 'NR > 1 && $5 == "mark" && $9 == phase { print $2 }' "$1"
}

# exec_pids TSV COMM: the PIDs whose exec row shows the program COMM (the
# sandbox's own prlimit and setpriv exec too), one per line.
exec_pids() {
	awk -F '\t' -v comm="$2" 'NR > 1 && $5 == "exec" && $4 == comm { print $2 }' "$1"
}

# require_marks TSV PHASE...: every PHASE was marked.
require_marks() {
	local tsv=$1 phase
	shift
	for phase in "$@"; do
		[ -n "$(marker_pids "$tsv" "$phase")" ] || fail "the step '$phase' never happened (no mark)"
	done
}

# timestamp_of FILE MODE EVENT: the ns of the line
# "timestamp: mode=MODE event=EVENT pid=P ns=NS" in a program's stdout.
timestamp_of() {
	sed -n "s/^timestamp: mode=$2 event=$3 pid=[0-9]* ns=\([0-9]*\)$/\1/p" "$1" | head -n 1
}

# --- the rows of the expectation tables (cowlab-expect(1))

# scenario_args ID SCENARIO: the scenario's arguments, one per line.
scenario_args() {
	"$EXPECT" --srcdir "$KIT" --bindir "$KIT" scenario "$1" "$2"
}

# sample_scenario ID SCENARIO: in setup_file, sample_once of the lab's program
# (the registry's) with the scenario's arguments.
sample_scenario() {
	local program
	local -a args
	program=$(awk -F '\t' -v id="$1" '!/^#/ && $1 == id { print $2 }' "$KIT/labs/registry.tsv")
	mapfile -t args < <(scenario_args "$1" "$2")
	[ ${#args[@]} -gt 0 ] || return 1
	sample_once "$1/$program" "${args[@]}"
}

# out_field KIND STEP FIELD: FIELD of the first line "KIND: key=STEP ..." of
# the sampled run's stdout (yes 1, no 0).
out_field() {
	awk -v kind="$1:" -v step="$2" -v field="$3=" '
		$1 == kind && substr($2, index($2, "=") + 1) == step {
			for (i = 3; i <= NF; i++)
				if (index($i, field) == 1) {
					v = substr($i, length(field) + 1)
					print v == "yes" ? 1 : v == "no" ? 0 : v
					exit
				}
		}' "$RUN_OUT"
}

# measure COUNTER PHASE ROLE SCENARIO ID: the row's counter, measured by
# the grader: step faults from cowsample's marks; finished from the exit
# status and the marks of every step the scenario's fault rows name;
# file.reached from the file itself; other KIND.FIELD counters from the
# program's stdout; any other name by the function measure_NAME (- as _) of
# the lab's graded bats file.
measure() {
	local counter=$1 phase=$2 role=$3 scenario=$4 id=$5 fn
	case $counter in
	minor) step_faults "$RUN_TSV" "$phase" "$role" ;;
	finished)
		local -a phases
		mapfile -t phases < <("$EXPECT" --srcdir "$KIT" --bindir "$KIT" rows "$id" |
			awk -F '\t' -v s="$scenario" '$2 == s && ($5 == "minor" || $5 == "major") { print $3 }' | sort -u)
		if [ "$(cat "$RUN_STATUS")" -eq 0 ] && require_marks "$RUN_TSV" "${phases[@]}" >&2; then
			echo 1
		else
			echo "exit status $(cat "$RUN_STATUS"): $(head -c 300 "$RUN_OUT.err")" >&2
			echo 0
		fi ;;
	file.reached) measure_file_reached "$phase" ;;
	*.*) out_field "${counter%%.*}" "$phase" "${counter#*.}" ;;
	*)
		fn=measure_${counter//-/_}
		declare -F "$fn" >/dev/null || { echo "the grader has no measure of '$counter'" >&2; return 1; }
		"$fn" "$phase" "$role" ;;
	esac
}

# measure_file_reached MAPPING: 1 when the write through MAPPING reached the
# file the program wrote (-f file, in RUN_DIR): the file's first line says
# SHARED or PRIVATE; read by the grader, not taken from the program's word.
measure_file_reached() {
	local first
	[ -f "$RUN_DIR/file" ] && [ ! -L "$RUN_DIR/file" ] || { echo "the file was not created" >&2; echo 0; return; }
	first=$(head -n 1 "$RUN_DIR/file")
	[ "$first" = "${1^^}" ] && echo 1 || { echo "the file says '$first'" >&2; echo 0; }
}

# grade_row ID/ROW: the check of one graded row: measure its counter,
# compare it with its bounds (evaluated on this machine).
grade_row() {
	local row gid scenario phase role counter low high value
	row=$("$EXPECT" --srcdir "$KIT" --bindir "$KIT" rows "$1") || fail "$1: no such row"
	IFS=$'\t' read -r gid scenario phase role counter low high _ <<<"$row"
	value=$(measure "$counter" "$phase" "$role" "$scenario" "${1%%/*}")
	[[ $value =~ ^-?[0-9]+$ ]] || fail "$1: no measurement of $counter (the step did not happen)"
	((value >= low && value <= high)) ||
		fail "$1: $counter $([ "$phase" != - ] && echo "at $phase ")is $value, expected $low..$high"
}

# Each check ends by killing whatever student code left behind: with a user
# of its own, every process of that user; without, timeout has killed the
# run's process group already.
kill_leftovers() {
	[ -z "${GRADE_UID:-}" ] || kill_user "$GRADE_UID"
}
teardown() { kill_leftovers; }
teardown_file() { kill_leftovers; }
