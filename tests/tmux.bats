#!/usr/bin/env bats
# cowlab-tmux: the lab session driven headless on a private tmux server.
# Enter is sent to the lab pane one step at a time (only when the lab is
# waiting for it), the live pane is read with capture-pane, and every wait
# polls with a deadline. The bound on the child's faults comes from -w K.

load test_helper

TMUX_LAB=$SRCDIR/tools/cowlab-tmux
FORK_FAULTS=$(lab_bin copy-on-write)
N=128
K=50
DEADLINE=60	# seconds for any one wait on a loaded 2-core machine

setup() {
	unset TMUX TMUX_PANE
	SOCK=$BATS_TEST_TMPDIR/sock
	# The lab runs under cowsample (ptrace): no LeakSanitizer there.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
}

tmx() {
	tmux -S "$SOCK" "$@"
}

# pane id of the pane whose @cowlab option is ROLE (lab, live or ps)
pane_of() {
	tmx list-panes -a -F '#{@cowlab} #{pane_id}' | awk -v role="$1" '$1 == role { print $2 }'
}

text_of() {
	tmx capture-pane -p -J -S - -t "$1"
}

# until COMMAND succeeds, or fail after DEADLINE seconds
poll() {
	local end=$((SECONDS + DEADLINE))
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "# timed out waiting for: $*" >&3
			return 1
		fi
		sleep 0.05
	done
}

prompts_in() {
	text_of "$1" | grep -c '\[press Enter' || true
}

more_prompts_than() {
	[ "$(prompts_in "$1")" -gt "$2" ]
}

lab_ended() {
	pane_has "$1" '\[cowlab\] the lab ended'
}

# a new prompt (more than SEEN) in the lab pane, or the lab has ended
prompted_or_ended() {
	more_prompts_than "$1" "$2" || lab_ended "$1"
}

pane_has() {
	text_of "$1" | grep -q -- "$2"
}

# MIN_FLT of the row of PID in the live table of pane PANE (empty if none):
# the column is found by the header's name.
live_min_flt() {
	tmx capture-pane -p -t "$1" | awk -v pid="$2" '
		/MIN_FLT/ { for (i = 1; i <= NF; i++) if ($i == "MIN_FLT") c = i; next }
		c && $1 == pid { v = $c } END { print v }'
}

live_min_flt_at_least() {
	local v
	v=$(live_min_flt "$1" "$2")
	[ -n "$v" ] && [ "$v" -ge "$3" ]
}

@test "cowlab-tmux: --help; usage errors exit 2 with one line" {
	run "$TMUX_LAB" --help
	assert_success
	assert_output --partial "Usage: cowlab-tmux"
	assert_output --partial "--builddir"
	run "$TMUX_LAB"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$TMUX_LAB" --frobnicate copy-on-write
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$TMUX_LAB" --size big copy-on-write
	assert_failure 2
	assert_equal "${#lines[@]}" 1
}

@test "cowlab-tmux: a clear error when tmux is missing" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	PATH=$BATS_TEST_TMPDIR/empty run /bin/sh "$TMUX_LAB" --builddir "$BUILDDIR" copy-on-write
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "tmux not found"
}

@test "cowlab-tmux: an unknown lab is a usage error, refused before tmux starts" {
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null -d --builddir "$BUILDDIR" no-such-lab
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no-such-lab: no such lab"
	run tmx list-sessions
	assert_failure
}

@test "cowlab-tmux: a user whose shell is nologin (CI's nobody, with no SHELL) still gets the session, with /bin/sh" {
	SHELL=/usr/sbin/nologin run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null -d --builddir "$BUILDDIR" copy-on-write -- --batch -n 16
	assert_success
	run tmx show-options -g -v default-shell
	assert_output /bin/sh
	run tmx list-panes -a -F '#{@cowlab}'
	assert_line live
}

@test "cowlab-tmux: run from the sources in a build directory, it finds that build" {
	cd "$BUILDDIR"
	COWLAB_BUILDDIR= run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null -d copy-on-write -- --batch -n 16
	assert_success
	run tmx list-panes -a -F '#{@cowlab} #{pane_start_command}'
	assert_output --partial "$BUILDDIR/support/copy-on-write/fork_faults"
}

@test "cowlab-tmux --help: the default session name and the lab names, as they are" {
	run "$TMUX_LAB" --help
	assert_success
	assert_output --partial "default: cowlab-LAB"
	assert_output --partial "labs/registry.tsv"
	refute_output --partial "LAB_ with"
}

# The ps pane's rows: PID in the first column.
ps_pane_has_pid() {
	text_of "$1" | awk -v pid="$2" '$1 == pid { found = 1 } END { exit !found }'
}

# The PIDs of the ps pane's rows (its last screen).
ps_pane_pids() {
	tmx capture-pane -p -t "$1" | awk '$1 ~ /^[0-9]+$/ { print $1 }'
}

# The ps pane shows PID in state D (STAT's first letter).
ps_pane_state_d() {
	tmx capture-pane -p -t "$1" | awk -v pid="$2" '$1 == pid && $3 ~ /^D/ { f = 1 } END { exit !f }'
}

# Every line of the live table that holds a process row of PID fits on one
# line of the pane: the row ends with its RSS (and "exited" at the end).
live_row_unwrapped() {
	tmx capture-pane -p -t "$1" | grep -E "^ *$2 +[0-9]+ +[a-z]+ .* [0-9]+( exited)? *$" >/dev/null
}

@test "cowlab-tmux: step by step, the live pane shows the child's K copy-on-write faults" {
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 200x50 -d \
		--builddir "$BUILDDIR" -s lab copy-on-write -- -n "$N" -w "$K"
	assert_success
	local lab live ps seen child
	lab=$(pane_of lab)
	live=$(pane_of live)
	ps=$(pane_of ps)
	[ -n "$lab" ] || fail "no lab pane"
	[ -n "$live" ] || fail "no live pane"
	[ -n "$ps" ] || fail "no ps pane"
	# The live pane is wide enough for cowsample's table (123 columns).
	[ "$(tmx display-message -p -t "$live" '#{pane_width}')" -ge 123 ] ||
		fail "live pane only $(tmx display-message -p -t "$live" '#{pane_width}') columns wide"

	# Enter at each prompt, until the child has written its K pages (the
	# lab then waits before letting the child exit).
	seen=0
	while :; do
		poll more_prompts_than "$lab" "$seen"
		seen=$(prompts_in "$lab")
		pane_has "$lab" 'result: phase=child-wrote role=child' && break
		tmx send-keys -t "$lab" Enter
	done
	child=$(text_of "$lab" | sed -n 's/^result: phase=child-wrote role=child pid=\([0-9]*\) .*/\1/p')
	[ -n "$child" ]
	# the lab's own measurement, then the live table's, for that child
	run poll live_min_flt_at_least "$live" "$child" "$K"
	assert_success
	run text_of "$live"
	assert_output --regexp "$child +[0-9]+ +child "
	# the ps pane shows the plain ps command and the rows of the lab's
	# processes: the ps watches the terminal the lab really runs on.
	local parent
	parent=$(text_of "$lab" | sed -n 's/^Parent \([0-9]*\) forked child.*/\1/p')
	[ -n "$parent" ] || fail "no parent PID in: $(text_of "$lab")"
	run poll pane_has "$ps" "ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p $parent --ppid $parent"
	assert_success
	run poll ps_pane_has_pid "$ps" "$parent"
	assert_success
	run poll ps_pane_has_pid "$ps" "$child"
	assert_success
	# only the lab's processes: no shell, no cowsample
	run ps_pane_pids "$ps"
	assert_success
	local pid
	for pid in $output; do
		[ "$pid" = "$parent" ] || [ "$pid" = "$child" ] || fail "ps pane shows $pid, not the lab's: $(text_of "$ps")"
	done
	run text_of "$ps"
	assert_line --regexp '^ *PID +PPID +STAT +MINFL +MAJFL +RSS +CMD$'

	# Let the lab finish; then the live pane still shows the final counts.
	while ! lab_ended "$lab"; do
		tmx send-keys -t "$lab" Enter
		poll prompted_or_ended "$lab" "$seen"
		seen=$(prompts_in "$lab")
	done
	run timeout "$DEADLINE" tmux -S "$SOCK" wait-for lab-done
	assert_success
	run pane_has "$lab" 'ended (status 0)'
	assert_success
	run poll pane_has "$live" finished
	assert_success
	run live_min_flt_at_least "$live" "$child" "$K"
	assert_success
	# The final table does not wrap: each row on one line, "exited" and all.
	run live_row_unwrapped "$live" "$child"
	assert_success
	run live_row_unwrapped "$live" "$parent"
	assert_success
	run pane_of live
	assert_output "$live"
}

@test "cowlab-tmux: the default session is cowlab-LAB; a wide window puts the live table beside the lab" {
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 240x50 -d \
		--builddir "$BUILDDIR" copy-on-write -- --batch -n "$N" -w "$K"
	assert_success
	run tmx list-sessions -F '#{session_name}'
	assert_output cowlab-copy-on-write
	local lab live
	lab=$(pane_of lab)
	live=$(pane_of live)
	# side by side: the same top row, the live pane to the right
	assert_equal "$(tmx display-message -p -t "$live" '#{pane_top}')" "$(tmx display-message -p -t "$lab" '#{pane_top}')"
	[ "$(tmx display-message -p -t "$live" '#{pane_left}')" -gt 0 ] || fail "live pane is not right of the lab"
	[ "$(tmx display-message -p -t "$live" '#{pane_width}')" -ge 123 ]
	run timeout "$DEADLINE" tmux -S "$SOCK" wait-for cowlab-copy-on-write-done
	assert_success
	run poll pane_has "$live" finished
	assert_success
}

@test "cowlab-tmux: labs by their registry id, whose programs have other names (shared-vs-private, vfork)" {
	local name
	for name in shared-vs-private vfork; do
		run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 200x50 -d \
			--builddir "$BUILDDIR" -s "s-$name" "$name" -- --batch
		assert_success
	done
	local lab
	for lab in $(pane_of lab); do
		run poll lab_ended "$lab"
		assert_success
		run pane_has "$lab" 'ended (status 0)'
		assert_success
		run pane_has "$lab" 'result: phase='
		assert_success
	done
	[ "$(pane_of lab | wc -l)" -eq 2 ]
	run tmx list-panes -a -F '#{@cowlab} #{pane_current_command}'
	refute_output --partial "not built"
}

@test "cowlab-tmux: inside tmux it splits the current window and runs the lab in this pane" {
	# (tmux runs the outer pane's command with $SHELL, or else the login
	# shell, which for CI's nobody is nologin: the shell is named.)
	SHELL=/bin/sh tmx -f /dev/null new-session -d -s outer -x 200 -y 50 \
		"$TMUX_LAB --builddir '$BUILDDIR' copy-on-write -- --batch -n $N -w $K; tmux wait-for -S outer-shell; exec sleep 600"
	run timeout "$DEADLINE" tmux -S "$SOCK" wait-for outer-shell
	assert_success
	run tmx list-panes -t outer -F '#{@cowlab}'
	assert_line lab
	assert_line live
	assert_line ps
	local lab live child
	lab=$(pane_of lab)
	live=$(pane_of live)
	run pane_has "$lab" 'ended (status 0)'
	assert_success
	child=$(text_of "$lab" | sed -n 's/^result: phase=child-wrote role=child pid=\([0-9]*\) .*/\1/p')
	[ -n "$child" ]
	run poll live_min_flt_at_least "$live" "$child" "$K"
	assert_success
}

@test "cowlab-tmux: the vfork lab's key observation, the parent in state D, is in the ps pane" {
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 200x50 -d \
		--builddir "$BUILDDIR" -s v vfork -- -n "$N"
	assert_success
	local lab ps parent
	lab=$(pane_of lab)
	ps=$(pane_of ps)
	# Enter at each prompt until the parent is held in vfork() (the child
	# then waits for Enter): at most one pass through the lab's steps
	run poll more_prompts_than "$lab" 0
	assert_success
	parent=$(text_of "$lab" | sed -n 's/.*ps -o .* -p \([0-9]*\) --ppid.*/\1/p' | head -n 1)
	[ -n "$parent" ] || fail "no parent PID in: $(text_of "$lab")"
	local seen=0 step found=0
	for step in 1 2 3 4 5 6; do
		poll more_prompts_than "$lab" "$seen" || break
		seen=$(prompts_in "$lab")
		# the ps pane refreshes every second: give it three
		local end=$((SECONDS + 3))
		while [ $SECONDS -lt $end ]; do
			ps_pane_state_d "$ps" "$parent" && { found=1; break; }
			sleep 0.2
		done
		[ $found -eq 1 ] && break
		tmx send-keys -t "$lab" Enter
	done
	[ $found -eq 1 ] || fail "the ps pane never showed $parent in state D: $(text_of "$ps")"
	run text_of "$ps"
	assert_output --regexp "ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p $parent --ppid $parent"
}

# A row of PID of the live table's narrow form on one line of the pane.
live_narrow_row_unwrapped() {
	tmx capture-pane -p -t "$1" | grep -E "^ *$2 +[a-z]+ +[a-z-]+ +[0-9]+ +([0-9]+|-) +[0-9]+ +[0-9]+( exited)? *$" >/dev/null
}

@test "cowlab-tmux: in a narrow window the live table takes its narrow form and fits its pane" {
	# from a build directory whose path alone is wider than the pane (a CI
	# runner's): the title names the program, not its path
	local long_build=$BATS_TEST_TMPDIR/a-build-directory-whose-path-alone-is-wider-than-the-live-pane
	ln -s "$BUILDDIR" "$long_build"
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 90x50 -d \
		--builddir "$long_build" -s narrow copy-on-write -- --batch -n "$N" -w "$K"
	assert_success
	local live lab parent child width
	live=$(pane_of live)
	lab=$(pane_of lab)
	run timeout "$DEADLINE" tmux -S "$SOCK" wait-for narrow-done
	assert_success
	run poll pane_has "$live" finished
	assert_success
	width=$(tmx display-message -p -t "$live" '#{pane_width}')
	[ "$width" -lt 124 ] || fail "the live pane is $width columns: not narrow"
	run tmx capture-pane -p -t "$live"
	assert_line --regexp '^ +PID +ROLE +PHASE +MIN_FLT +STEP_MIN +\+MIN +RSS_KB *$'
	# no line of the table is wider than the pane
	local long
	long=$(tmx capture-pane -p -J -t "$live" | awk -v w="$width" 'length($0) > w')
	[ -z "$long" ] || fail "lines wider than $width: $long"
	parent=$(text_of "$lab" | sed -n 's/^result: phase=forked role=parent pid=\([0-9]*\) .*/\1/p')
	child=$(text_of "$lab" | sed -n 's/^result: phase=child-wrote role=child pid=\([0-9]*\) .*/\1/p')
	run live_narrow_row_unwrapped "$live" "$parent"
	assert_success
	run live_narrow_row_unwrapped "$live" "$child"
	assert_success
	# and it says what STEP_MIN counts, there
	run pane_has "$live" "STEP_MIN: faults from the process's previous mark to PHASE"
	assert_success
}

@test "lab texts: each says how to run it with make lab and how to move between tmux panes" {
	local id
	grep -q 'make lab LAB=' "$SRCDIR/labs/README.md" || fail "labs/README.md: no make lab"
	grep -q 'Ctrl-b' "$SRCDIR/labs/README.md" || fail "labs/README.md: no pane keys"
	for id in $(grep -v '^#' "$SRCDIR/labs/registry.tsv" | cut -f1); do
		grep -q "make lab LAB=$id\b" "$SRCDIR/labs/$id.md" || fail "labs/$id.md: no 'make lab LAB=$id'"
		grep -q 'Ctrl-b' "$SRCDIR/labs/$id.md" || fail "labs/$id.md: does not say how to move between panes"
	done
}

@test "cowlab-tmux: a phase name longer than the table's column (clone's files-shared-checked): the table still fits its pane" {
	run "$TMUX_LAB" -S "$SOCK" --tmux-conf /dev/null --size 200x50 -d \
		--builddir "$BUILDDIR" -s c clone -- --batch -n "$N"
	assert_success
	local live lab parent width
	live=$(pane_of live)
	lab=$(pane_of lab)
	run timeout "$DEADLINE" tmux -S "$SOCK" wait-for c-done
	assert_success
	run poll pane_has "$live" finished
	assert_success
	width=$(tmx display-message -p -t "$live" '#{pane_width}')
	# the header is on the screen (nothing scrolled off) and the parent's row,
	# with its long phase, is one line
	run tmx capture-pane -p -t "$live"
	assert_line --regexp '^ +PID .*PHASE .*RSS_KB *$'
	assert_line --regexp '^ *[0-9]+ .* files-shared-checked +[0-9].* exited *$'
	local long
	long=$(tmx capture-pane -p -J -t "$live" | awk -v w="$width" 'length($0) > w')
	[ -z "$long" ] || fail "lines wider than $width: $long"
}
