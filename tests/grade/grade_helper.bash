# tests/grade/grade_helper.bash - what every graded check shares. Loaded by
# the graded bats files, which cowlab-grade runs against one student tree.
#
# cowlab-grade sets:
#   GRADE_TREE     the programs under test, copied out of the student's built
#                  tree by the grader (GRADE_TREE/copy-on-write/fork_faults, ...)
#   GRADE_WORK     the student's area: GRADE_WORK/scratch/NAME are the run
#                  directories that student code may write
#   GRADE_PRIVATE  the grader's own directory (mode 0700, never shown to
#                  student code): outputs, sampler rows, strace logs
#   GRADE_PLAN     the planned checks, "ID<TAB>POINTS<TAB>NAME" lines
#   GRADE_RECORDS  where each check leaves its record (file ID: pass, fail,
#                  or skip<TAB>reason); the score is computed from these
#   GRADE_UID      the user that student code runs as (empty: --unsafe as non-root)
#   GRADE_TIMEOUT  seconds a program may run
#   GRADE_NPROC, GRADE_AS, GRADE_FSIZE, GRADE_NOFILE, GRADE_TMP,
#   GRADE_OUTPUT_CAP, GRADE_UNSAFE       the sandbox (sandbox.bash)
#   GRADE_SEED     the student's seed (cowlab-grade --seed-from), or empty:
#                  the scenarios' parameters as drawn for it (cowlab-expect
#                  --seed), and the bounds derived from them
#   COWSAMPLE, STRACE                    the instruments
#
# Each check is a graded row of a lab's expectation table (support/ID/
# expect.tsv, listed by `tools/cowlab-expect graded`): its name is
# "ID/ROW: WHAT (P points)" and its body `grade_row ID/ROW`. Every number a
# check compares comes from the kernel (cowsample's rows at the programs'
# phase marks, the files themselves, strace); its bounds are the row's.
# Student code runs only through run_student, sample_once and
# trace_student, in the sandbox; the grader reads what it left in its run
# directory only with student_bytes and the helpers built on it (never
# through a link, never a FIFO), after every process of the run has died
# with the run's PID namespace.

bats_load_library bats-support
bats_load_library bats-assert
bats_require_minimum_version 1.5.0

: "${GRADE_TREE:?the graded checks are run by cowlab-grade}"
: "${GRADE_WORK:?the graded checks are run by cowlab-grade}"
: "${GRADE_PRIVATE:?the graded checks are run by cowlab-grade}"

# The kit: its expectation tables and their reader.
KIT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
EXPECT=$KIT/tools/cowlab-expect
EXPECT_SEED=()
[ -z "${GRADE_SEED:-}" ] || EXPECT_SEED=(--seed "$GRADE_SEED")

# The sandbox of every run of student code (sandbox.bash).
. "$BATS_TEST_DIRNAME/sandbox.bash"
export SANDBOX_UID=${GRADE_UID:-} SANDBOX_TIMEOUT=$GRADE_TIMEOUT SANDBOX_NPROC=$GRADE_NPROC
export SANDBOX_AS=$GRADE_AS SANDBOX_FSIZE=$GRADE_FSIZE SANDBOX_NOFILE=$GRADE_NOFILE
export SANDBOX_TMP=$GRADE_TMP SANDBOX_OUTPUT_CAP=$GRADE_OUTPUT_CAP SANDBOX_UNSAFE=${GRADE_UNSAFE:-0}
SANDBOX_RO=""
for program in "$GRADE_TREE"/*/*; do
	[ -f "$program" ] && SANDBOX_RO+=$program$'\n'
done
export SANDBOX_RO
unset program

# sandboxed FUNCTION ARGS...: a function of sandbox.bash, in a shell of its
# own (without bats' debug trap, which costs seconds per run). The wall
# time of a run of student code goes to GRADE_PRIVATE/runs.tsv (lab file,
# microseconds): where a student's time goes, for the instructor's log and
# tools/bench-grade.
sandboxed() {
	local start=${EPOCHREALTIME/./} status=0
	bash "$BATS_TEST_DIRNAME/sandbox.bash" "$@" || status=$?
	[ -z "${GRADE_PRIVATE:-}" ] || [ "$1" = sandbox_kill_user ] ||
		printf '%s\t%s\n' "$(basename "$BATS_TEST_FILENAME" .bats)" $((${EPOCHREALTIME/./} - start)) \
			>>"$GRADE_PRIVATE/runs.tsv"
	return $status
}

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

# grader_dir NAME: a fresh directory of the grader's own (outputs, rows,
# logs of one run), which student code cannot reach; prints it.
grader_dir() {
	local dir=$GRADE_PRIVATE/runs/$1
	rm -rf "$dir" && mkdir -p -m 0700 "$dir" || return 1
	echo "$dir"
}

# status_text STATUS: a run's exit status as a student reads it.
status_text() {
	if [ "$1" -eq 124 ]; then
		echo "stopped after the ${GRADE_TIMEOUT} s limit"
	elif [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "killed by signal SIG$(kill -l "$(($1 - 128))" 2>/dev/null || echo "$(($1 - 128))")"
	else
		echo "exit status $1"
	fi
}

# run_student CMD...: like bats' run, for student code in its sandbox, run
# in the current directory (a scratch directory), with the time limit:
# sets $status, $output (stdout), $stderr, $lines, each output capped at
# GRADE_OUTPUT_CAP bytes (kept in the grader's files, not in its memory).
run_student() {
	local out=$GRADE_PRIVATE/runs/run-${BATS_SUITE_TEST_NUMBER:-0}-$((++RUN_STUDENT_COUNT))
	status=0
	sandboxed sandbox_capture "$out/stdout" "$out/stderr" sandbox_run "$PWD" "" 0 "$@" || status=$?
	read_run_outputs "$out"
}
RUN_STUDENT_COUNT=0

# read_run_outputs DIR: $output, $stderr, $lines from a run's capped files
# (without a fork: each costs tens of ms under bats).
read_run_outputs() {
	output="" stderr=""
	IFS= read -r -d '' output <"$1/stdout" || true
	IFS= read -r -d '' stderr <"$1/stderr" || true
	output=${output%$'\n'} stderr=${stderr%$'\n'}
	mapfile -t lines <<<"$output"
	mapfile -t stderr_lines <<<"$stderr"
}

# sample_student DIR TSV OUT CMD...: run student code under cowsample,
# which records the kernel's fault counters of every process of it at each
# phase mark (the program stops at its marks while cowsample measures).
# cowsample runs in the sandbox as root (it sees the PIDs that the marks
# carry) and writes TSV, in the grader's directory DIR. Stdout goes to OUT,
# stderr to OUT.err (capped); returns the program's exit status (124 when
# stopped at the time limit). cowsample's own -d is only the safety net.
sample_student() {
	local dir=$1 tsv=$2 out=$3
	shift 3
	sandboxed sandbox_capture "$out" "$out.err" sandbox_run "$PWD" "$dir" 6 \
		"$COWSAMPLE" -d $((GRADE_TIMEOUT + 5)) -o "$tsv" -- "$@"
}

# sample_once PROGRAM ARGS...: in setup_file, the one run of PROGRAM (a path
# in the tree) under cowsample that the checks of a file read: in its own
# scratch directory RUN_DIR, stdin /dev/null. Exports RUN_DIR, and in a
# directory of the grader's: RUN_TSV (cowsample's rows), RUN_OUT (stdout;
# stderr in RUN_OUT.err) and RUN_STATUS (a file: the exit status, 127 when
# the program was not built).
sample_once() {
	local program=$GRADE_TREE/$1 status=0 private
	shift
	RUN_DIR=$(new_scratch "$(basename "$program")") || return 1
	private=$(grader_dir "$(basename "$program")") || return 1
	export RUN_DIR RUN_TSV=$private/run.tsv RUN_OUT=$private/run.out RUN_STATUS=$private/status
	if [ -x "$program" ]; then
		(cd "$RUN_DIR" && sample_student "$private" "$RUN_TSV" "$RUN_OUT" "$program" "$@") || status=$?
	else
		status=127
	fi
	echo "$status" >"$RUN_STATUS"
	kill_leftovers
}

# require_sampled PROGRAM: in setup, fail the check unless sample_once ran
# PROGRAM far enough to leave rows.
require_sampled() {
	require_built "$GRADE_TREE/$1"
	[ -s "$RUN_TSV" ] || fail "$(basename "$1") did not run ($(status_text "$(cat "$RUN_STATUS")"))"
}

# assert_ran_to_end PHASE...: the sampled run exited 0 and made every mark.
assert_ran_to_end() {
	[ "$(cat "$RUN_STATUS")" -eq 0 ] ||
		fail "$(status_text "$(cat "$RUN_STATUS")"): $(head -c 300 "$RUN_OUT.err")"
	require_marks "$RUN_TSV" "$@"
}

# trace_student LOG CMD...: like run_student, under strace, which writes to
# LOG (a file in a grader_dir) the system calls that open, size, map, sync,
# unmap and close files. strace runs in the sandbox as root, around the student's user.
trace_student() {
	local log=$1 out=$GRADE_PRIVATE/runs/run-${BATS_SUITE_TEST_NUMBER:-0}-$((++RUN_STUDENT_COUNT))
	shift
	status=0
	sandboxed sandbox_capture "$out/stdout" "$out/stderr" sandbox_run "$PWD" "${log%/*}" 8 \
		"$STRACE" -f -qq -o "$log" \
		-e trace=execve,open,openat,creat,close,ftruncate,fallocate,mmap,msync,munmap -- "$@" || status=$?
	read_run_outputs "$out"
}

# trace_processes PROGRAM ARGS...: in setup_file, a second run of PROGRAM
# (a path in the tree), under strace, for the facts of how it made its
# processes (process_facts.awk): the calls and their clone flags, who exec'd
# what and which process wrote which phase mark, all from the kernel. The
# marks go to a pipe (descriptor 9, as cowsample's would), so that the
# program marks its steps as under the sampler. Exports PROCESS_FACTS (a
# file of the grader: process_facts.awk's lines) and PROCESS_STATUS.
# strace's own log is capped (RLIMIT_FSIZE): a program that floods it loses
# its trace, not the grader's disk (soft limit only: the sandbox then sets
# the student's own).
trace_processes() {
	local program=$GRADE_TREE/$1 dir private status=0
	shift
	dir=$(new_scratch "$(basename "$program")-processes") || return 1
	private=$(grader_dir "$(basename "$program")-processes") || return 1
	export PROCESS_FACTS=$private/facts PROCESS_STATUS=$private/status
	if [ -x "$program" ]; then
		(cd "$dir" && sandboxed sandbox_capture "$private/out" "$private/out.err" \
			sandbox_run "$dir" "$private" 13 \
			"$(command -v prlimit)" --fsize=$((32 << 20)):unlimited -- \
			"$STRACE" -f -qq -s 128 -o "$private/strace.log" \
			-e trace=vfork,fork,clone,clone3,execve,write -- \
			/usr/bin/bash -c 'exec 9> >(exec cat >/dev/null); COWLAB_MARK_FD=9 exec "$0" "$@"' \
			"$program" "$@") || status=$?
	else
		status=127
	fi
	echo "$status" >"$PROCESS_STATUS"
	: >"$PROCESS_FACTS"
	[ ! -f "$private/strace.log" ] ||
		awk -v program="$program" -v mark_fd=9 -f "$BATS_TEST_DIRNAME/strace_lines.awk" \
			-f "$BATS_TEST_DIRNAME/process_facts.awk" \
			"$private/strace.log" >"$PROCESS_FACTS"
	kill_leftovers
}

# process_of STEP: the line of process_facts.awk for the process that main
# made in the step that ends at its mark STEP (empty: none).
process_of() {
	awk -F '\t' -v step="$1" '$1 == step { print; exit }' "$PROCESS_FACTS"
}

# --- Reading what student code left in its run directory (after the run:
# no process of it is alive). Never through a link, never a FIFO or device.

# student_bytes FILE: FILE's bytes on stdout when it is a regular file (not
# a link); else one line on stderr and status 1.
student_bytes() {
	if [ -L "$1" ] || { [ -e "$1" ] && [ ! -f "$1" ]; }; then
		echo "$(basename "$1") is not a regular file" >&2
		return 1
	fi
	[ -e "$1" ] || { echo "$(basename "$1") does not exist" >&2; return 1; }
	dd if="$1" iflag=nofollow,nonblock bs=64K status=none
}

# checksum_of FILE: a checksum of FILE's bytes, or why there is none.
checksum_of() {
	if student_bytes "$1" >/dev/null 2>&1; then
		student_bytes "$1" | cksum
	else
		echo "no regular file"
	fi
}

# same_bytes A B: A and B are two regular files (not links, not one file
# under two names) with the same bytes.
same_bytes() {
	[ -f "$1" ] && [ ! -L "$1" ] && [ -f "$2" ] && [ ! -L "$2" ] || return 1
	[ ! "$1" -ef "$2" ] || return 1
	cmp -s <(student_bytes "$1") <(student_bytes "$2")
}

# first_line_of FILE: the first line of a regular file (at most 200 bytes).
first_line_of() {
	student_bytes "$1" 2>/dev/null | head -n 1 | head -c 200
}

# strace_fact LOG PROGRAM SRC NAME: one fact of strace_facts.awk (0 or 1).
strace_fact() {
	awk -v program="$2" -v src="$3" -f "$BATS_TEST_DIRNAME/strace_lines.awk" \
		-f "$BATS_TEST_DIRNAME/strace_facts.awk" "$1" |
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

# record_check: the grader's record of this check, from bats itself (never
# from a stream student code can write): GRADE_RECORDS/ID holds pass, fail
# or skip<TAB>reason. Only a planned check (its name in GRADE_PLAN, in this
# file) has an ID; a record is written once (noclobber), never replaced.
record_check() {
	[ -n "${GRADE_RECORDS:-}" ] && [ -n "${GRADE_PLAN:-}" ] || return 0
	local - id="" points name result file=${BATS_TEST_FILENAME##*/}
	file=${file%.bats}
	while IFS=$'\t' read -r id points name; do
		[ "$name" = "$BATS_TEST_DESCRIPTION" ] && [[ $id == "$file".* ]] && break
		id=""
	done <"$GRADE_PLAN"
	[ -n "$id" ] || return 0
	if [ -n "${BATS_TEST_SKIPPED:-}" ]; then
		result="skip	${BATS_TEST_SKIPPED//[[:cntrl:]]/ }"
	elif [ "${BATS_TEST_COMPLETED:-}" = 1 ]; then
		result=pass
	else
		result=fail
	fi
	set -C
	{ echo "$result" >"$GRADE_RECORDS/$id"; } 2>/dev/null || true
}

# Each check ends by killing whatever student code left behind (nothing
# should be left: each run's PID namespace ended with it).
kill_leftovers() {
	[ -z "${GRADE_UID:-}" ] || sandboxed sandbox_kill_user "$GRADE_UID"
}
teardown() {
	record_check
	kill_leftovers
}
teardown_file() { kill_leftovers; }

# --- the rows of the expectation tables (cowlab-expect(1))

# expect_rows ID|ID/ROW: the rows of lab ID's table, or its row ROW
# (cowlab-expect rows: bounds evaluated on this machine); fails if none.
# The lab's rows are evaluated once per graded file, not once per check:
# every call of cowlab-expect evaluates every bound of the table, a few
# tenths of a second.
expect_rows() {
	local cache=$BATS_FILE_TMPDIR/expect-rows.${1%%/*}
	if [ ! -s "$cache" ]; then
		"$EXPECT" --srcdir "$KIT" --bindir "$KIT" "${EXPECT_SEED[@]}" rows "${1%%/*}" >"$cache.new" &&
			mv "$cache.new" "$cache" || return 1
	fi
	awk -F '\t' -v id="$1" 'id !~ /\// || $1 == id { print; found = 1 } END { exit !found }' "$cache"
}

# scenario_args ID SCENARIO: the scenario's arguments, one per line.
scenario_args() {
	"$EXPECT" --srcdir "$KIT" --bindir "$KIT" "${EXPECT_SEED[@]}" scenario "$1" "$2"
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
	local counter=$1 phase=$2 role=$3 scenario=$4 id=$5 fn value
	case $counter in
	minor)
		# cowsample's role column counts depth from the command it started,
		# and in the sandbox the lab runs a few processes below that: the
		# phase mark names the step, the role is only checked where it can be.
		value=$(step_faults "$RUN_TSV" "$phase" "$role")
		[ -n "$value" ] || value=$(step_faults "$RUN_TSV" "$phase")
		echo "$value" ;;
	finished)
		local -a phases
		mapfile -t phases < <(expect_rows "$id" |
			awk -F '\t' -v s="$scenario" '$2 == s && ($5 == "minor" || $5 == "major") { print $3 }' | sort -u)
		if [ "$(cat "$RUN_STATUS")" -eq 0 ] && require_marks "$RUN_TSV" "${phases[@]}" >&2; then
			echo 1
		else
			local err
			err=$(head -c 300 "$RUN_OUT.err")
			echo "$(status_text "$(cat "$RUN_STATUS")")${err:+: $err}" >&2
			echo 0
		fi ;;
	file.reached) measure_file_reached "$phase" ;;
	*.*) out_field "${counter%%.*}" "$phase" "${counter#*.}" ;;
	*)
		fn=measure_${counter//-/_}
		declare -F "$fn" >/dev/null || { echo "the grader has no measure of '$counter'" >&2; return 1; }
		"$fn" "$phase" "$role" "$scenario" ;;
	esac
}

# measure_file_reached MAPPING: 1 when the write through MAPPING reached the
# file the program wrote (-f file, in RUN_DIR): the file's first line says
# SHARED or PRIVATE; read by the grader, not taken from the program's word.
measure_file_reached() {
	local first
	[ -f "$RUN_DIR/file" ] && [ ! -L "$RUN_DIR/file" ] || { echo "the file was not created" >&2; echo 0; return; }
	first=$(first_line_of "$RUN_DIR/file")
	[ "$first" = "${1^^}" ] && echo 1 || { echo "the file says '$first'" >&2; echo 0; }
}

# grade_row ID/ROW: the check of one graded row: measure its counter,
# compare it with its bounds (evaluated on this machine). A failure says, in
# words a student can read, what was expected and what was measured (and
# why it is not what was expected: the measure's own lines); the row's WHAT
# (in the check's name) says why it matters.
grade_row() {
	local row gid scenario phase role counter low high requires value why expected
	row=$(expect_rows "$1") || fail "$1: no such row"
	IFS=$'\t' read -r gid scenario phase role counter low high requires _ <<<"$row"
	# A row that needs root (frame numbers, the kernel's view of another
	# process's memory) is skipped, with the reason, by a grader that is not.
	[[ ,$requires, != *,root,* ]] || [ "$(id -u)" -eq 0 ] ||
		skip "needs root: the kernel shows another user's mappings and files only to root"
	value=$(measure "$counter" "$phase" "$role" "$scenario" "${1%%/*}" 2>"$BATS_TEST_TMPDIR/why")
	why=$(head -c 2000 "$BATS_TEST_TMPDIR/why")
	why=${why//$'\n'/; }
	# A range, or its one value when both bounds are the same.
	local range="$low..$high"
	[ "$low" != "$high" ] || range=$low
	if [[ $counter == minor || $counter == major ]]; then
		expected="$range $counter faults in the step '$phase'$([ "$role" = - ] || echo " ($role)")"
	elif [ "$low" = 1 ] && [ "$high" = 1 ]; then
		expected="yes"
	else
		expected=$range
	fi
	if ! [[ $value =~ ^-?[0-9]+$ ]]; then
		fail "  expected: $expected"$'\n'"  measured: nothing: the step did not happen${why:+ ($why)}"
	fi
	((value >= low && value <= high)) && return 0
	if [ "$expected" = yes ]; then
		fail "  expected: yes"$'\n'"  measured: no${why:+: $why}"
	fi
	fail "  expected: $expected"$'\n'"  measured: $value${why:+ ($why)}"
}

# watch_scenario_frames ID SCENARIO MODE ARG: in setup_file, a run of the
# lab's program with the scenario's arguments, under framewatch MODE ARG
# (--memfd NAME or --anon PHASES), into the grader's directory
# FRAMES_DIR_SCENARIO (framewatch's files, and status), exported.
watch_scenario_frames() {
	local program dir private status=0 mode=$3 arg=$4
	local -a args
	program=$GRADE_TREE/$1/$(awk -F '\t' -v id="$1" '!/^#/ && $1 == id { print $2 }' "$KIT/labs/registry.tsv")
	mapfile -t args < <(scenario_args "$1" "$2")
	dir=$(new_scratch "$(basename "$program")-frames-$2") || return 1
	private=$(grader_dir "$(basename "$program")-frames-$2") || return 1
	export "FRAMES_DIR_$2=$private"
	local FRAMES_STATUS=$private/status
	cp "$BATS_TEST_DIRNAME/framewatch" "$private/framewatch" && chmod 0700 "$private/framewatch" || return 1
	if [ -x "$program" ]; then
		(cd "$dir" && sandboxed sandbox_capture "$private/out" "$private/out.err" \
			sandbox_run "$dir" "$private" 5 "$private/framewatch" "$mode" "$arg" "$private" -- \
			"$program" "${args[@]}") || status=$?
	else
		status=127
	fi
	echo "$status" >"$FRAMES_STATUS"
	kill_leftovers
}

# The counters of the labs measured under framewatch come from its files.
# Each prints a number (and why it is not the expected one, on stderr) or
# nothing when the step never happened. FRAMES_DIR is the run of the row's
# scenario (set by measure_scenario before the measure).

# A row's counter is measured in its scenario's run under framewatch.
measure_scenario() {
	local dir=FRAMES_DIR_$1
	FRAMES_DIR=${!dir:-}
}

# snapshot_of PHASE: "SNAP MARKER" of the first mark PHASE (empty: none).
snapshot_of() {
	awk -F '\t' -v phase="$1" '$2 == phase { print $1, $3; exit }' "$FRAMES_DIR/marks.tsv" 2>/dev/null
}

# at_mark PHASE SCENARIO: in a measure (which declares local snap and
# marker), the scenario's run (FRAMES_DIR) and its first snapshot at a mark
# PHASE: snap and marker; fails, saying why, when there is none.
at_mark() {
	measure_scenario "$2"
	read -r snap marker <<<"$(snapshot_of "$1")"
	[ -n "$snap" ] || { no_snapshot "$1"; return 1; }
}

# snapshot_before SNAP MARKER: the snapshot at MARKER's mark before SNAP (empty: none).
snapshot_before() {
	awk -F '\t' -v snap="$1" -v marker="$2" '$1 < snap && $3 == marker { s = $1 } END { print s }' "$FRAMES_DIR/marks.tsv"
}

# no_snapshot PHASE: say why there is no measure.
no_snapshot() {
	echo "no mark '$1' in the run under framewatch: $(status_text "$(cat "$FRAMES_DIR/status" 2>/dev/null)")" >&2
}
