#!/usr/bin/env bats
# cowsample: rows, exact exit rows, phase marks, exit status, output files.
# Bounds come from the helper's parameters (tests/progs/faulter.c): a step
# that writes P pages takes P..P+PROCESS faults (the slack of labs/slack.tsv).

load test_helper
bats_require_minimum_version 1.5.0

FAULTER=$BUILDDIR/tests/progs/faulter

# Faults of a step beyond its pages (the program's own stack, libc data and
# code): $(slack PROCESS), the reason in labs/slack.tsv.
# faulter -a: pages written right after a mark. More than that slack, so a
# mark read late (after them) is out of its bounds.
AFTER=$((4 * $(slack PROCESS)))


# the value of COL in the mark row of PHASE (of whichever process marked it)
mark_of() {
	awk -F'\t' -v phase="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == "mark" && $h["phase"] == phase { print $h[col] }' "$1"
}

# skip the test when cowsample could not trace: marks are then
# read when they arrive, not while the program waits at them
require_traced() {
	if [[ $1 == *"ptrace not permitted"* ]]; then
		skip "ptrace not permitted here: marks are not synchronous"
	fi
}

# column VALUE of the rows whose event is EVENT and role is ROLE (one per line)
column_of() {
	local file=$1 event=$2 role=$3 col=$4
	awk -F'\t' -v ev="$event" -v role="$role" -v col="$col" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == ev && $h["role"] == role { print $h[col] }' "$file"
}

@test "cowsample: --help describes the command line" {
	run "$COWSAMPLE" --help
	assert_success
	assert_output --partial "usage: cowsample"
	assert_output --partial "--summary"
}

@test "cowsample: a traced command is told not to check for leaks (ASAN_OPTIONS), the rest kept" {
	run --separate-stderr env ASAN_OPTIONS=abort_on_error=0 "$COWSAMPLE" -o /dev/null -- sh -c 'echo "$ASAN_OPTIONS" >&2'
	assert_success
	assert_equal "$stderr" "abort_on_error=0:detect_leaks=0"
	run --separate-stderr env -u ASAN_OPTIONS "$COWSAMPLE" -o /dev/null -- sh -c 'echo "$ASAN_OPTIONS" >&2'
	assert_equal "$stderr" "detect_leaks=0"
}

@test "cowsample: --help on a full stdout fails in one line" {
	run --separate-stderr bash -c "'$COWSAMPLE' --help >/dev/full"
	assert_failure 1
	assert_equal "$stderr" "cowsample: writing standard output: No space left on device"
}

@test "cowsample: --help and the man page list the same options" {
	local opt
	run "$COWSAMPLE" --help
	assert_success
	local help=$output
	# every option of --help is in the man page (as \-\-name there)...
	for opt in $(grep -oE -- '(^|[ ,[])--?[a-z][a-z-]*' <<<"$help" | grep -oE -- '--?[a-z][a-z-]*' | sort -u); do
		grep -qF -- "${opt//-/\\-}" "$SRCDIR/tools/cowsample.1" || fail "$opt: not in cowsample.1"
	done
	# ...and every option the man page describes (.TP, then the option) is in --help
	for opt in $(awk '/^\.TP/ { getline; print }' "$SRCDIR/tools/cowsample.1" |
			grep -oE '^\.B[IR]* *\\-(\\-)?[a-z][a-z\\-]*' | sed 's/^\.B[IR]* *//; s/\\-/-/g'); do
		[[ $help == *"$opt"* ]] || fail "$opt: in cowsample.1, not in --help"
	done
}

@test "cowsample: bad usage exits 2 with one line" {
	run "$COWSAMPLE"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" -i abc -- true
	assert_failure 2
	assert_output --partial "-i"
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" --frobnicate -- true
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" -p 1 -- true
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" -i 0.05 -- true
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" --backend=nosuch -- true
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWSAMPLE" -p 12x
	assert_failure 2
	assert_equal "${#lines[@]}" 1
}

@test "cowsample: every kind of bad option says what is wrong, in one line" {
	# PIDs above pid_max (at most 2^22): should a list ever be accepted,
	# the run fails on "no such process" instead of following anything.
	local big=2147483647
	assert_usage_error "$COWSAMPLE" --csv=3 -- true
	assert_equal "$stderr" "cowsample: --csv takes no value (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" --help=x
	assert_equal "$stderr" "cowsample: --help takes no value (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" --backend
	assert_equal "$stderr" "cowsample: --backend needs a value (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" -o
	assert_equal "$stderr" "cowsample: -o needs a value (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" -x -- true
	assert_equal "$stderr" "cowsample: unknown option '-x' (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" --nosuch=1 -- true
	assert_equal "$stderr" "cowsample: unknown option '--nosuch' (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" --c -- true
	[[ $stderr == *"'--c' is ambiguous: --csv --changes"* ]]
	assert_usage_error "$COWSAMPLE" -o "" -- true
	assert_usage_error "$COWSAMPLE" --live= -- true
	local list
	for list in "$big,,$((big - 1))" ",$big" "$big," "" "$big,x" "+$big"; do
		assert_usage_error "$COWSAMPLE" -p "$list"
		[[ $stderr == "cowsample: -p: '"* ]] || fail "-p '$list': $stderr"
	done
	# no message carries a control character (a NUL once came out as "-")
	run -2 "$COWSAMPLE" --summary=1 -- true
	refute_output --regexp '[[:cntrl:]]'
}

@test "cowsample: TSV header has the fixed columns first" {
	run "$COWSAMPLE" -o "$BATS_TEST_TMPDIR/out.tsv" -- $(traced_env) true
	assert_success
	run head -n 1 "$BATS_TEST_TMPDIR/out.tsv"
	assert_output --regexp $'^time_s\tpid\tppid\tcomm\tevent\tmin_flt\tmaj_flt\trss_kb\tphase(\t|$)'
}

@test "cowsample: a child that writes K pages and _exits at once: its exit row has all K" {
	local k=1000 out=$BATS_TEST_TMPDIR/out.tsv
	# The child marks child-wrote, then writes K pages and _exits at once:
	# only its exit row can see them. -i 1000: no periodic sample either.
	run --separate-stderr "$COWSAMPLE" -i 1000 -o "$out" -- $(traced_env) "$FAULTER" -c 0 -m -a "$k"
	assert_success
	require_traced "$stderr"
	run column_of "$out" exit child min_flt
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_between $((lines[0] - $(mark_of "$out" child-wrote min_flt))) "$k" $((k + $(slack PROCESS))) \
		"the child's exit row, from its last mark"
	# and a fork row for it, and an exit row for the parent
	run column_of "$out" fork child pid
	assert_equal "${#lines[@]}" 1
	run column_of "$out" exit parent pid
	assert_equal "${#lines[@]}" 1
}

# R short-lived processes in a row, each forking a child that exits at once:
# the child often runs its whole life (and is waited for by the sampler)
# before its parent's fork event is collected. Each process must still get
# exactly one fork row and one exit row, and the run must end. Two samplers
# at once make that order common; before the fix this hung every time.
run_fork_loop() {
	local r=$1 out=$2
	timeout -k 5 120 "$COWSAMPLE" -o "$out" -- $(traced_env) sh -c \
		'i=0; while [ $i -lt "$1" ]; do "$2" -c 0 || exit 1; i=$((i + 1)); done' \
		sh "$r" "$FAULTER" 2>"$out.err"
	echo "$?" >"$out.status"
}

@test "cowsample: children that end before their parent's fork event: one fork and one exit row each, and the run ends" {
	local r=150 a=$BATS_TEST_TMPDIR/a.tsv b=$BATS_TEST_TMPDIR/b.tsv out
	run_fork_loop "$r" "$a" &
	run_fork_loop "$r" "$b" &
	wait
	for out in "$a" "$b"; do
		run cat "$out.status"
		assert_output 0
		run grep -c "without an exit event" "$out.err"
		assert_output 0
		# sh forks R faulters, each faulter one child
		run awk -F'\t' '$5 == "fork"' "$out"
		assert_equal "${#lines[@]}" $((2 * r))
		run awk -F'\t' '$5 == "exit"' "$out"
		assert_equal "${#lines[@]}" $((2 * r + 1))
	done
}

@test "cowsample: phase marks are measured at the boundary, not later, and set the phase column" {
	local n=600 k=300 out=$BATS_TEST_TMPDIR/out.tsv
	# faulter -a: right after each mark AFTER more pages, so a mark row
	# taken late would count them and be out of its bounds.
	run --separate-stderr "$COWSAMPLE" -i 1000 -o "$out" -- $(traced_env) \
		"$FAULTER" -n "$n" -c "$k" -m -a "$AFTER"
	assert_success
	require_traced "$stderr"
	run column_of "$out" mark parent phase
	assert_output $'begin\ntouched\ndone'
	run column_of "$out" mark child phase
	assert_output $'child-begin\nchild-wrote'
	local begin touched done cbegin cwrote cexit pexit
	begin=$(mark_of "$out" begin min_flt)
	touched=$(mark_of "$out" touched min_flt)
	done=$(mark_of "$out" done min_flt)
	cbegin=$(mark_of "$out" child-begin min_flt)
	cwrote=$(mark_of "$out" child-wrote min_flt)
	cexit=$(column_of "$out" exit child min_flt)
	pexit=$(column_of "$out" exit parent min_flt)
	assert_between $((touched - begin)) "$n" $((n + $(slack PROCESS))) "parent: begin..touched"
	assert_between $((cwrote - cbegin)) "$k" $((k + $(slack PROCESS))) "child: child-begin..child-wrote"
	# the pages after each mark fall in the next step, all of them
	assert_between $((done - touched)) "$AFTER" $((AFTER + $(slack PROCESS))) "parent: touched..done"
	assert_between $((cexit - cwrote)) "$AFTER" $((AFTER + $(slack PROCESS))) "child: child-wrote..exit"
	assert_between $((pexit - done)) "$AFTER" $((AFTER + $(slack PROCESS))) "parent: done..exit"
	# rows after a mark carry that phase
	run column_of "$out" exit child phase
	assert_output "child-wrote"
}

@test "cowsample: --summary prints the faults of each process and phase" {
	local n=400 k=200
	run --separate-stderr "$COWSAMPLE" --summary -o "$BATS_TEST_TMPDIR/out.tsv" -- \
		$(traced_env) "$FAULTER" -n "$n" -c "$k" -m -a "$AFTER"
	assert_success
	require_traced "$stderr"
	# summary_of ROLE PHASE: its min_flt column
	summary_of() {
		printf '%s\n' "${lines[@]}" | awk -v role="$1" -v phase="$2" \
			'$1 == role && $4 == phase { print $5 }'
	}
	assert_between "$(summary_of parent touched)" "$n" $((n + $(slack PROCESS))) "parent touched"
	assert_between "$(summary_of child child-wrote)" "$k" $((k + $(slack PROCESS))) "child child-wrote"
	assert_between "$(summary_of parent done)" "$AFTER" $((AFTER + $(slack PROCESS))) "parent done"
	assert_between "$(summary_of child exit)" "$AFTER" $((AFTER + $(slack PROCESS))) "child exit"
	assert_between "$(summary_of parent exit)" "$AFTER" $((AFTER + $(slack PROCESS))) "parent exit"
}

@test "cowsample: exit status is the command's, 128+N when killed" {
	run "$COWSAMPLE" -o "$BATS_TEST_TMPDIR/a.tsv" -- $(traced_env) sh -c 'exit 3'
	assert_failure 3
	run "$COWSAMPLE" -o "$BATS_TEST_TMPDIR/b.tsv" -- $(traced_env) sh -c 'kill -TERM $$'
	assert_failure 143
}

@test "cowsample: a command that cannot run fails in one line and leaves no file" {
	run -127 "$COWSAMPLE" -o "$BATS_TEST_TMPDIR/none.tsv" -- "$BATS_TEST_TMPDIR/no-such-program"
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no-such-program"
	[ ! -e "$BATS_TEST_TMPDIR/none.tsv" ]
	run ls "$BATS_TEST_TMPDIR"
	refute_output --partial "none.tsv"
}

# refused_output PATH WHY: -o PATH fails in one line naming PATH and WHY,
# before the command is started (it would create a file "ran").
refused_output() {
	run --separate-stderr "$COWSAMPLE" -o "$1" -- touch "$BATS_TEST_TMPDIR/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: $1: $2"
	[ -z "$output" ] || fail "stdout: $output"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "-o $1: the command was run"
}

@test "cowsample: an -o that cannot be created fails in one line before running anything" {
	refused_output "$BATS_TEST_TMPDIR/no/such/dir/out.tsv" "No such file or directory"
	mkdir "$BATS_TEST_TMPDIR/dir"
	refused_output "$BATS_TEST_TMPDIR/dir" "Is a directory"
	: >"$BATS_TEST_TMPDIR/file"
	refused_output "$BATS_TEST_TMPDIR/file/out.tsv" "Not a directory"
	# and nothing was left behind: no temporary file either
	run ls -A "$BATS_TEST_TMPDIR/dir"
	assert_output ""
}

@test "cowsample: an -o in a directory that is not ours fails before running anything" {
	require_root
	local dir
	dir=$(copy_for_nobody "$COWSAMPLE")
	mkdir "$dir/closed"		# root's, mode 755: nobody may not create files
	run --separate-stderr as_nobody "$dir/cowsample" -o "$dir/closed/out.tsv" -- touch "$dir/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: $dir/closed/out.tsv: Permission denied"
	[ ! -e "$dir/ran" ]
	rm -rf "$dir"
}

@test "cowsample -o: a symbolic link is followed, the file it points to is replaced" {
	local t=$BATS_TEST_TMPDIR
	mkdir "$t/data"
	echo old >"$t/data/real.tsv"
	ln -s data/real.tsv "$t/link.tsv"
	run "$COWSAMPLE" -o "$t/link.tsv" -- $(traced_env) true
	assert_success
	[ -L "$t/link.tsv" ] || fail "the link was replaced"
	assert_equal "$(readlink "$t/link.tsv")" data/real.tsv
	run head -n 1 "$t/data/real.tsv"
	assert_output --regexp '^time_s'
	# a dangling link: the file it names is created (as the shell's > does)
	ln -s data/new.tsv "$t/dangling"
	run "$COWSAMPLE" -o "$t/dangling" -- $(traced_env) true
	assert_success
	[ -L "$t/dangling" ] && [ -f "$t/data/new.tsv" ]
	run ls -A "$t/data"
	assert_output $'new.tsv\nreal.tsv'
}

@test "cowsample -o: a FIFO is written to, not replaced" {
	local fifo=$BATS_TEST_TMPDIR/rows
	mkfifo "$fifo"
	cat "$fifo" >"$BATS_TEST_TMPDIR/got" &
	local reader=$!
	run "$COWSAMPLE" -o "$fifo" -- $(traced_env) true
	# (a replaced FIFO would never get a writer: do not wait for its reader)
	[ -p "$fifo" ] || { kill "$reader"; fail "the FIFO was replaced"; }
	assert_success
	wait "$reader"
	run head -n 1 "$BATS_TEST_TMPDIR/got"
	assert_output --regexp '^time_s'
	run grep -c $'\texit\t' "$BATS_TEST_TMPDIR/got"
	assert_output 1
}

# A character device node of our own (as root: the machine's /dev/null and
# /dev/full stay out of harm's way should this ever regress), else /dev's.
device_node() {
	local name=$1 minor=$2
	if [ "$(id -u)" -eq 0 ] && mknod "$BATS_TEST_TMPDIR/$name" c 1 "$minor" 2>/dev/null; then
		echo "$BATS_TEST_TMPDIR/$name"
	else
		echo "/dev/$name"
	fi
}

@test "cowsample -o: a device is written to, not replaced (/dev/null, /dev/full)" {
	local null full
	null=$(device_node null 3)
	run "$COWSAMPLE" -o "$null" -- $(traced_env) true
	assert_success
	[ -c "$null" ] || fail "$null is no longer a device"
	full=$(device_node full 7)
	run --separate-stderr "$COWSAMPLE" -o "$full" -- $(traced_env) true
	assert_failure 1
	assert_equal "$stderr" "cowsample: $full: No space left on device"
	[ -c "$full" ] || fail "$full is no longer a device"
}

@test "cowsample: rows on stdout are TSV only; the command's stdout goes to stderr" {
	run --separate-stderr "$COWSAMPLE" -- $(traced_env) sh -c \
		'echo before; "$1" -n 50 -c 20 -m; echo after' sh "$FAULTER"
	assert_success
	# header first, then only rows with as many fields as the header
	assert_regex "${lines[0]}" $'^time_s\tpid\t'
	run awk -F'\t' 'NR == 1 { n = NF } NF != n { bad++ } END { print NR, bad + 0 }' <<<"$output"
	[[ $output == *" 0" ]] || fail "rows with a different number of fields: $output"
	[[ $stderr == $'before\nafter' ]] || fail "the command's output is not on stderr: $stderr"
}

@test "cowsample: a comm containing ') (' is read correctly" {
	local n=300 out=$BATS_TEST_TMPDIR/out.tsv
	run "$COWSAMPLE" -o "$out" -- $(traced_env) "$FAULTER" -s 'a) (b 1 2' -n "$n"
	assert_success
	run column_of "$out" exit parent comm
	assert_output 'a) (b 1 2'
	run column_of "$out" exit parent min_flt
	[ "$output" -ge "$n" ]
	# every row has the same number of fields as the header
	run awk -F'\t' 'NR == 1 { n = NF } NF != n { bad++ } END { print bad + 0 }' "$out"
	assert_output 0
}

@test "cowsample: -p on a nonexistent PID fails with a clear message" {
	local pid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
	while kill -0 "$pid" 2>/dev/null; do pid=$((pid - 1)); done
	# 3, not 1: the man page keeps 1 for output errors
	run "$COWSAMPLE" -p "$pid"
	assert_failure 3
	assert_equal "${#lines[@]}" 1
	assert_output "cowsample: process $pid: No such process"
}

@test "cowsample: -p on a zombie says it has exited, exit 3" {
	local zombie
	# a child that exits while its parent (exec'ed into sleep) never waits
	sh -c 'true & exec sleep 1000' 3>&- &
	BG_PID=$!
	for _ in $(seq 1000); do
		zombie=$(cat /proc/$BG_PID/task/$BG_PID/children 2>/dev/null)
		[ -n "$zombie" ] && [ "$(awk '{ print $3 }' /proc/${zombie% }/stat 2>/dev/null)" = Z ] && break
		sleep 0.01
	done
	zombie=${zombie% }
	run --separate-stderr "$COWSAMPLE" -p "$zombie" -o "$BATS_TEST_TMPDIR/o.tsv"
	kill "$BG_PID"
	assert_failure 3
	assert_equal "$stderr" "cowsample: process $zombie has exited (a zombie): nothing to follow"
	[ ! -e "$BATS_TEST_TMPDIR/o.tsv" ]
}

@test "cowsample: -p TID of a thread stands for its process, followed once beside its PID" {
	"$BUILDDIR/tests/progs/threads" 2 >"$BATS_TEST_TMPDIR/t.out" 3>&- &
	BG_PID=$!
	for _ in $(seq 1000); do
		[ -s "$BATS_TEST_TMPDIR/t.out" ] && break
		sleep 0.01
	done
	read -r _ tgid tid1 tid2 <"$BATS_TEST_TMPDIR/t.out"
	assert_equal "$tgid" "$BG_PID"
	run "$COWSAMPLE" -p "$tgid,$tid1" -p "$tid2" -d 0.05 -o "$BATS_TEST_TMPDIR/o.tsv"
	kill "$BG_PID"
	assert_success
	run awk -F'\t' 'NR > 1 && $5 == "start" { print $2 }' "$BATS_TEST_TMPDIR/o.tsv"
	assert_output "$tgid"
}

@test "cowsample: escape sequences in a process name do not reach the terminal (--summary, --live)" {
	local t=$BATS_TEST_TMPDIR
	run --separate-stderr "$COWSAMPLE" --summary --live="$t/live" -o "$t/o.tsv" -- $(traced_env) \
		"$FAULTER" -s $'\e[2J\e]0;x\a' -m
	assert_success
	[[ $output != *$'\e'* && $output != *$'\a'* ]] || fail "--summary wrote a control character"
	assert_output --partial '?[2J?]0;x?'
	run tr -d '\n' <"$t/live"
	# (the view's own sequences: ESC [ H, ESC [ 2J, ESC [ K, ESC [ J)
	[[ $(sed -e $'s/\e\\[[HJK]//g' -e $'s/\e\\[2J//g' <<<"$output") != *$'\e'* ]] ||
		fail "--live wrote an escape of the process name"
	[[ $output == *'?[2J?]0;x?'* ]]
}

@test "cowsample: --csv writes comma-separated rows" {
	run "$COWSAMPLE" --csv -o "$BATS_TEST_TMPDIR/out.csv" -- $(traced_env) "$FAULTER" -s 'x,y'
	assert_success
	run head -n 1 "$BATS_TEST_TMPDIR/out.csv"
	assert_output --regexp '^time_s,pid,ppid,comm,event,min_flt,maj_flt,rss_kb,phase'
	run grep -c '"x,y"' "$BATS_TEST_TMPDIR/out.csv"
	[ "$output" -ge 1 ]
}

@test "cowsample -o /dev/stdout: a file appended to (>>) keeps what it had, rows follow" {
	local t=$BATS_TEST_TMPDIR
	echo keep >"$t/log"
	"$COWSAMPLE" -o /dev/stdout -- $(traced_env) true >>"$t/log"
	run head -n 2 "$t/log"
	assert_line -n 0 keep
	assert_line -n 1 --regexp $'^time_s\tpid\t'
	# /proc/self/fd/1 and /dev/fd/1 are the same descriptor
	for name in /proc/self/fd/1 /dev/fd/1; do
		"$COWSAMPLE" -o "$name" -- $(traced_env) true >>"$t/log"
	done
	run grep -c '^time_s' "$t/log"
	assert_output 3
	assert_equal "$(head -n 1 "$t/log")" keep
	run ls -A "$t"
	assert_output log
}

@test "cowsample -o /dev/stdout into a pipe writes the rows into the pipe" {
	run --separate-stderr sh -c '"$@" | cat' sh "$COWSAMPLE" -o /dev/stdout -- $(traced_env) true
	assert_success
	assert_equal "$stderr" ""
	assert_line -n 0 --regexp $'^time_s\tpid\t'
	run grep -c $'\texit\t' <<<"$output"
	assert_output 1
}

@test "cowsample -o /proc/self/fd/N on a deleted file writes that file, creates nothing" {
	local t=$BATS_TEST_TMPDIR
	mkdir "$t/d"
	exec 7>"$t/d/x" 8<"$t/d/x"
	rm "$t/d/x"
	run "$COWSAMPLE" -o /proc/self/fd/7 -- $(traced_env) true
	local rows
	rows=$(cat <&8)
	exec 7>&- 8<&-
	assert_success
	run ls -A "$t/d"
	assert_output ""
	assert_regex "$rows" $'^time_s\tpid\t'
}

@test "cowsample: a closed standard output (>&-) is said before running anything" {
	local t=$BATS_TEST_TMPDIR
	run --separate-stderr sh -c '"$@" >&-' sh "$COWSAMPLE" -- touch "$t/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: standard output: Bad file descriptor"
	run --separate-stderr sh -c '"$@" >&-' sh "$COWSAMPLE" -o /dev/stdout -- touch "$t/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: /dev/stdout: Bad file descriptor"
	run --separate-stderr sh -c '"$@" >&-' sh "$COWSAMPLE" --summary -o "$t/o.tsv" -- touch "$t/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: --summary: standard output: Bad file descriptor"
	[ ! -e "$t/ran" ] && [ ! -e "$t/o.tsv" ]
	# with -o FILE and no summary, a closed stdout is the command's business
	run sh -c '"$@" >&-' sh "$COWSAMPLE" -o "$t/o.tsv" -- $(traced_env) sh -c 'echo x || echo "stdout closed" >&2'
	assert_success
	assert_line "stdout closed"
	run grep -c $'\texit\t' "$t/o.tsv"
	assert_output 1
}

@test "cowsample --summary on a full standard output is an error" {
	run --separate-stderr sh -c '"$@" >/dev/full' sh "$COWSAMPLE" --summary -o "$BATS_TEST_TMPDIR/o.tsv" -- $(traced_env) true
	assert_failure 1
	assert_equal "$stderr" "cowsample: --summary: writing standard output: No space left on device"
}

@test "cowsample -o: a 250-character file name works (the temporary name fits)" {
	local t=$BATS_TEST_TMPDIR name
	name=$(printf 'n%.0s' $(seq 250))
	run "$COWSAMPLE" -o "$t/$name" -- $(traced_env) true
	assert_success
	run ls -A "$t"
	assert_output "$name"
}

@test "cowsample -o: a symbolic link another user planted in a sticky directory is not followed by root (fs.protected_symlinks)" {
	require_root
	local dir saved
	saved=$(cat /proc/sys/fs/protected_symlinks)
	echo 1 >/proc/sys/fs/protected_symlinks || skip "cannot set fs.protected_symlinks"
	dir=$(copy_for_nobody "$COWSAMPLE")
	mkdir "$dir/sticky" && chmod 1777 "$dir/sticky"
	echo precious >"$dir/precious"
	as_nobody ln -s "$dir/precious" "$dir/sticky/out.tsv"
	run --separate-stderr "$COWSAMPLE" -o "$dir/sticky/out.tsv" -- touch "$dir/ran"
	echo "$saved" >/proc/sys/fs/protected_symlinks
	assert_failure 1
	assert_equal "$stderr" "cowsample: $dir/sticky/out.tsv: Permission denied"
	assert_equal "$(cat "$dir/precious")" precious
	[ ! -e "$dir/ran" ]
	run ls -A "$dir/sticky"
	assert_output out.tsv
}

@test "cowsample -o: a run killed with SIGKILL leaves one temporary file, named NAME.cowlab-partial.XXXXXX" {
	local t=$BATS_TEST_TMPDIR
	mkdir "$t/d"
	mkfifo "$t/go"
	"$COWSAMPLE" -o "$t/d/o.tsv" -- sh -c 'read x <"$1"' sh "$t/go" 3>&- &
	local sampler=$!
	for _ in $(seq 1000); do
		[ -n "$(ls -A "$t/d")" ] && break
		sleep 0.01
	done
	kill -KILL "$sampler"
	wait "$sampler" || true
	# (the command died with its sampler; should it not have, this lets it
	# go: opened read-write, the FIFO never blocks the test)
	exec 9<>"$t/go"
	echo >&9
	exec 9>&-
	run ls -A "$t/d"
	assert_output --regexp '^o\.tsv\.cowlab-partial\.[A-Za-z0-9]{6}$'
}

@test "cowsample: a malformed phase mark is answered (the lab resumed) and reported, never a hang" {
	local t=$BATS_TEST_TMPDIR line
	# (timeout: only so that a regression fails instead of hanging the suite)
	for line in '$$ ' 'garbage' '' '$$' '99999999999 phase' "\$\$ $(printf '%5000s' x)"; do
		run --separate-stderr timeout 60 "$COWSAMPLE" -o "$t/o.tsv" -- $(traced_env) sh -c \
			'eval "printf \"%s\\n\" \"$1\"" >&$COWLAB_MARK_FD; kill -STOP $$; echo resumed' sh "$line"
		require_traced "$stderr"
		[ "$status" -eq 0 ] || fail "mark line '${line:0:20}': status $status (124: it hung)"
		assert_equal "$output" resumed
		[[ $stderr == "cowsample: a malformed phase mark "*": ignored, the process is resumed" ]] ||
			fail "mark line '${line:0:20}': stderr '$stderr'"
		run grep -c $'\tmark\t' "$t/o.tsv"
		assert_output 0
	done
	# escape sequences of a hostile line do not reach the terminal
	run --separate-stderr timeout 60 "$COWSAMPLE" -o "$t/o.tsv" -- $(traced_env) sh -c \
		'printf "\033[2J\n" >&$COWLAB_MARK_FD; kill -STOP $$'
	assert_success
	[[ $stderr != *$'\033'* ]] || fail "an escape byte reached stderr"
	# a stop that no mark line announced is a real stop: cowsample keeps it
	# (here ended by the SIGKILL that -d escalates to)
}

@test "cowsample killed with SIGKILL while its lab waits at a mark: the lab does not stay stopped" {
	local t=$BATS_TEST_TMPDIR lab state i
	mkfifo "$t/go"
	"$COWSAMPLE" -o "$t/o.tsv" -- $(traced_env) sh -c \
		'echo $$ >"$1.pid"; read x <"$1"; echo "$$ at-mark" >&$COWLAB_MARK_FD; kill -STOP $$; sleep 1000' \
		sh "$t/go" 3>&- &
	local sampler=$!
	for ((i = 0; i < 1000; i++)); do
		[ -s "$t/go.pid" ] && break
		sleep 0.01
	done
	lab=$(cat "$t/go.pid")
	# the sampler cannot answer: the lab waits in its mark stop
	kill -STOP "$sampler"
	echo >"$t/go"
	for ((i = 0; i < 1000; i++)); do
		read -r _ _ state _ <"/proc/$lab/stat"	# (comm: "sh", no space)
		[ "$state" = t ] && break
		sleep 0.01
	done
	[ "$state" = t ] || fail "the lab did not reach its mark stop (state '$state')"
	kill -KILL "$sampler"
	wait "$sampler" || true
	for ((i = 0; i < 1000; i++)); do
		read -r _ _ state _ 2>/dev/null <"/proc/$lab/stat" || state=gone
		[ "$state" = gone ] || [ "$state" = Z ] && break
		sleep 0.01
	done
	if [ "$state" != gone ] && [ "$state" != Z ]; then
		kill -KILL "$lab"
		fail "the lab outlived its sampler in state '$state'"
	fi
	run ls -A "$t"
	assert_output --regexp 'o\.tsv\.cowlab-partial\.'
}

@test "cowsample: signals that reach the command before its exec are answered (a resized tmux pane sends SIGWINCH): every start finishes" {
	# A traced child stops for every signal, even one it ignores; before
	# its exec only the starting code can answer. Under a storm of
	# SIGWINCH to the sampler's process group, start a command 100 times.
	# (Before the fix, about one start in 20 hung here.)
	local t=$BATS_TEST_TMPDIR i sampler storm rc
	for ((i = 0; i < 100; i++)); do
		setsid "$COWSAMPLE" -o "$t/o.tsv" -- true &
		sampler=$!
		( while kill -WINCH -- "-$sampler" 2>/dev/null; do :; done ) &
		storm=$!
		rc=0
		timeout -s KILL 30 tail --pid="$sampler" -f /dev/null || rc=$?
		kill "$storm" 2>/dev/null || true
		wait "$storm" 2>/dev/null || true
		if [ "$rc" -ne 0 ]; then
			pkill -KILL -s "$sampler" || true
			wait "$sampler" || true
			fail "start $i did not finish within 30 s"
		fi
		wait "$sampler" || fail "start $i: cowsample exited with $?"
		[ "$(column_of "$t/o.tsv" exit parent comm)" = true ] ||
			fail "start $i: no exit row for the command"
	done
}
