#!/usr/bin/env bats
# cowplot on hostile input (issue 14): a lecturer plots files that students
# send, so no value in a table, an option or a file name may become gnuplot
# code; odd numbers, bytes, paths and faults get one clear line and a
# non-zero exit, or a valid figure. The tables are the seed corpus of the
# fuzz test (tests/fuzz/plot/KIND.tsv, from real runs of the kit's tools).

load test_helper

COWPLOT=$SRCDIR/tools/cowplot
CORPUS=$SRCDIR/tests/fuzz/plot

setup() {
	# gnuplot and awk must not leave anything outside the test's directory
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	CANARY=$BATS_TEST_TMPDIR/pwned
}

# set field NAME of data row ROW (1: the first below the header) of TSV to
# VALUE (which may hold any byte but tab and newline); prints the new file
with_value() {
	local tsv=$1 name=$2 row=$3 value=$4 out=$BATS_TEST_TMPDIR/in.tsv
	COWPLOT_TEST_VALUE=$value LC_ALL=C awk -F'\t' -v OFS='\t' -v name="$name" -v row="$row" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 3 }
		NR == row + 1 { $c = ENVIRON["COWPLOT_TEST_VALUE"] } { print }' "$tsv" > "$out" ||
		fail "no column $name in $tsv"
	echo "$out"
}

# A figure is good: exit 0, nothing said, valid XML, and rsvg draws it.
assert_good_svg() {
	assert_success
	assert_output ""
	run xmllint --noout "$1"
	assert_success
	run rsvg-convert -o "$BATS_TEST_TMPDIR/check.png" "$1"
	assert_success
}

# A refusal: exit 1, one line from cowplot, no output file.
assert_refused() {
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^cowplot: '
	[ ! -e "$1" ] || fail "$1 was written"
}

# Nothing but the output may appear: no canary, no temporary left.
assert_clean() {
	[ ! -e "$CANARY" ] || fail "data ran as code: $CANARY exists"
	run find "$TMPDIR" -mindepth 1
	assert_output ""
	run find "$BATS_TEST_TMPDIR" -name '.*.tmp'
	assert_output ""
}

# Every string that reaches the figure: the column and the kind.
STRING_FIELDS="timeline:comm timeline:role timeline:phase memory:comm memory:role memory:phase
	forkcost:method faultcost:kind copy:method copy:cache copyread:layout"

@test "cowplot: no string in a table becomes gnuplot code (every field that is drawn)" {
	local spec kind name in payload
	# a double-quoted string closed early; gnuplot's own quote closed early,
	# a backquote (command substitution), a macro, backslash escapes
	for payload in 'x"; system("touch '"$CANARY"'"); y="' \
		"x'; system('touch $CANARY'); y=' \`touch $CANARY\` @titles a\\\" b\\n"; do
		for spec in $STRING_FIELDS; do
			kind=${spec%%:*} name=${spec#*:}
			in=$(with_value "$CORPUS/$kind.tsv" "$name" 3 "$payload")
			run "$COWPLOT" "$kind" "$in" -o "$BATS_TEST_TMPDIR/f.svg"
			[ "$status" -eq 0 ] || fail "$kind with $name = $payload: status $status: $output"
			assert_good_svg "$BATS_TEST_TMPDIR/f.svg"
			assert_clean
		done
	done
	# the reproduction of the issue, and the text is drawn as it was given
	printf 'kind\tns_per_fault\nx"; system("touch %s"); y="\t500\n' "$CANARY" > "$BATS_TEST_TMPDIR/f.tsv"
	run "$COWPLOT" faultcost "$BATS_TEST_TMPDIR/f.tsv" -o "$BATS_TEST_TMPDIR/f.svg"
	assert_good_svg "$BATS_TEST_TMPDIR/f.svg"
	assert_clean
	run grep -c 'system("touch' "$BATS_TEST_TMPDIR/f.svg"
	assert_output 1
}

@test "cowplot: --title, --note, --machine, the input's and the output's names never become code" {
	local payload dir=$BATS_TEST_TMPDIR/"it's \`a\` dir"
	mkdir -p "$dir"
	for payload in "x'; system('touch $CANARY'); y='" "\`touch $CANARY\`" \
		"$(printf "a'\nsystem('touch %s')\n'" "$CANARY")"; do
		run "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$dir/o'\`x\`.svg" \
			--title "$payload" --note "$payload" --machine "$payload"
		assert_good_svg "$dir/o'\`x\`.svg"
		assert_clean
	done
	# an input whose name awk would take for an assignment or an option
	cp "$CORPUS/copy.tsv" "$BATS_TEST_TMPDIR/x=1.tsv"
	cp "$CORPUS/copy.tsv" "$BATS_TEST_TMPDIR/-v.tsv"
	cd "$BATS_TEST_TMPDIR"
	run "$COWPLOT" copy x=1.tsv -o "$dir/a.svg"
	assert_good_svg "$dir/a.svg"
	run "$COWPLOT" copy -o "$dir/b.svg" -- -v.tsv
	assert_good_svg "$dir/b.svg"
	assert_clean
}

@test "cowplot: 1e999, -1e999 and 1e19 in any number column are refused with the line and the column, never a hang" {
	local spec kind name in value
	for spec in timeline:time_s timeline:min_flt timeline:maj_flt memory:rss_kb \
		memory:shared_dirty_kb memory:private_dirty_kb forkcost:size_kib forkcost:latency_us \
		faultcost:ns_per_fault faultcost:pages faultcost:runs copy:wall_s copy:ratio_to_cp \
		copy:min_flt copy:maj_flt copy:size_bytes copyread:objects copyread:copied_pages \
		snapshot:updates snapshot:chunk snapshot:child_private_dirty_kb snapshot:parent_anon_kb \
		snapshot:child_anon_kb; do
		kind=${spec%%:*} name=${spec#*:}
		for value in 1e999 -1e999 1e19; do
			in=$(with_value "$CORPUS/$kind.tsv" "$name" 2 "$value")
			run timeout 60 "$COWPLOT" "$kind" "$in" -o "$BATS_TEST_TMPDIR/n.svg"
			[ "$status" -eq 1 ] || fail "$kind with $name = $value: status $status: $output"
			assert_refused "$BATS_TEST_TMPDIR/n.svg"
			assert_output --partial "line 3: $name"
		done
	done
	assert_clean
}

@test "cowplot memory: the largest and the smallest numbers drawn still get tics (nice_step ends)" {
	local value in
	for value in 1e18 999999999999999999 1e-300 0.000001; do
		in=$(with_value "$CORPUS/memory.tsv" rss_kb 2 "$value")
		run timeout 60 "$COWPLOT" memory "$in" -o "$BATS_TEST_TMPDIR/m.svg"
		[ "$status" -eq 0 ] || fail "rss_kb = $value: status $status: $output"
		assert_good_svg "$BATS_TEST_TMPDIR/m.svg"
	done
	assert_clean
}

@test "cowplot copy: a cache state with one bar and no fault of a kind draws (gnuplot 5.4 crashed)" {
	local tsv=$BATS_TEST_TMPDIR/c.tsv
	head -n 1 "$CORPUS/copy.tsv" > "$tsv"
	printf 'cp\t1048576\t0.5\t1.0\t3\t0\twarm\n' >> "$tsv"
	run "$COWPLOT" copy "$tsv" -o "$BATS_TEST_TMPDIR/c.svg"
	assert_good_svg "$BATS_TEST_TMPDIR/c.svg"
	# the bars there are: one minor-fault label, no major one
	run grep -c '> 3</text>' "$BATS_TEST_TMPDIR/c.svg"
	assert_output 1
	# a second cache state with one bar and no fault at all, beside warm
	grep -v '	cold$' "$CORPUS/copy.tsv" > "$tsv"
	printf 'mmap\t1048576\t0.5\t1.0\t0\t0\tcold\n' >> "$tsv"
	run "$COWPLOT" copy "$tsv" -o "$BATS_TEST_TMPDIR/c.svg"
	assert_good_svg "$BATS_TEST_TMPDIR/c.svg"
	run "$COWPLOT" copy "$tsv" -o "$BATS_TEST_TMPDIR/c.png"
	assert_success
	assert_clean
}

@test "cowplot: bytes that are not UTF-8 and control characters in names and options still make a valid SVG" {
	local spec kind name in value
	# a lone continuation byte, a truncated sequence, an overlong '/', a
	# surrogate, ESC, BEL, DEL, a C1 control, U+FFFF, and good UTF-8 (kept)
	value=$(printf 'a\200b\303c\300\257d\355\240\200e\033[31mf\007g\177h\302\205i\357\277\277j Grüße')
	for spec in $STRING_FIELDS; do
		kind=${spec%%:*} name=${spec#*:}
		in=$(with_value "$CORPUS/$kind.tsv" "$name" 3 "$value")
		run "$COWPLOT" "$kind" "$in" -o "$BATS_TEST_TMPDIR/u.svg" \
			--title "$value" --note "$value" --machine "$value"
		assert_good_svg "$BATS_TEST_TMPDIR/u.svg"
		run grep -c 'Grüße' "$BATS_TEST_TMPDIR/u.svg"
		[ "$output" -ge 1 ] || fail "$kind $name: the valid UTF-8 was not kept"
	done
	assert_clean
}

@test "cowplot: an error message quoting data or a name stays one line without control characters" {
	local in
	in=$(with_value "$CORPUS/timeline.tsv" min_flt 2 "$(printf '1\033]0;owned\007\r2')")
	run "$COWPLOT" timeline "$in" -o "$BATS_TEST_TMPDIR/e.svg"
	assert_refused "$BATS_TEST_TMPDIR/e.svg"
	refute_output --regexp $'[\001-\037]'
	run "$COWPLOT" timeline "$BATS_TEST_TMPDIR/$(printf 'no\nsuch')" -o "$BATS_TEST_TMPDIR/e.svg"
	assert_refused "$BATS_TEST_TMPDIR/e.svg"
	# a byte that is not UTF-8 in the quoted value (found by the fuzz loop:
	# grep called the message binary and added a line of its own)
	in=$(with_value "$CORPUS/forkcost.tsv" latency_us 2 "$(printf '\3775229.3')")
	run "$COWPLOT" forkcost "$in" -o "$BATS_TEST_TMPDIR/e.svg"
	assert_refused "$BATS_TEST_TMPDIR/e.svg"
	assert_output --partial "line 3: latency_us is not a number"
}

@test "cowplot: -o naming an existing directory is refused, and the directory stays empty" {
	mkdir "$BATS_TEST_TMPDIR/fig.svg"
	run "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$BATS_TEST_TMPDIR/fig.svg"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "is a directory"
	run ls -A "$BATS_TEST_TMPDIR/fig.svg"
	assert_output ""
	assert_clean
}

@test "cowplot: -o -o.svg writes a file named -o.svg" {
	cd "$BATS_TEST_TMPDIR"
	run "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o -o.svg
	assert_good_svg ./-o.svg
	assert_clean
}

@test "cowplot: a huge or malformed --size is a usage error of one line" {
	local size
	for size in 99999999999999999999x900 1600x99999999999999999999 9000x900 1600x8001 \
		1600x 0x0 16e2x900; do
		run "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$BATS_TEST_TMPDIR/s.svg" --size "$size"
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --partial "--size $size"
	done
	run "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$BATS_TEST_TMPDIR/s.png" --size 8000x400
	assert_success
	assert_clean
}

@test "cowplot: '#' lines, blank lines and a UTF-8 BOM before the header are skipped" {
	local kind tsv=$BATS_TEST_TMPDIR/h.tsv
	for kind in timeline memory forkcost faultcost copy; do
		{ printf '\357\273\277# recorded by cowlab\n\n# second comment\r\n'; cat "$CORPUS/$kind.tsv"; } > "$tsv"
		run "$COWPLOT" "$kind" "$tsv" -o "$BATS_TEST_TMPDIR/h.svg"
		assert_good_svg "$BATS_TEST_TMPDIR/h.svg"
		# a BOM right before the header
		{ printf '\357\273\277'; cat "$CORPUS/$kind.tsv"; } > "$tsv"
		run "$COWPLOT" "$kind" "$tsv" -o "$BATS_TEST_TMPDIR/h.svg"
		assert_good_svg "$BATS_TEST_TMPDIR/h.svg"
	done
	# a CSV after comments
	{ echo '# csv'; tr '\t' , < "$CORPUS/copy.tsv"; } > "$tsv"
	run "$COWPLOT" copy "$tsv" -o "$BATS_TEST_TMPDIR/h.svg"
	assert_good_svg "$BATS_TEST_TMPDIR/h.svg"
	# only comments: empty
	printf '# nothing\n\n' > "$tsv"
	run "$COWPLOT" copy "$tsv" -o "$BATS_TEST_TMPDIR/h2.svg"
	assert_refused "$BATS_TEST_TMPDIR/h2.svg"
	assert_output --partial "empty"
	assert_clean
}

# Run a command in a private mount namespace where DIR is a tmpfs of SIZE;
# then list what is left in DIR ("left: NAME"), before the tmpfs goes away.
in_small_tmpfs() {
	local size=$1 dir=$2
	shift 2
	unshare --mount --propagation private sh -c 'mount -t tmpfs -o size="$1" cowplot-test "$2" || exit 99
		dir=$2; shift 2; "$@"; rc=$?; ls -A "$dir" | sed "s/^/left: /"; exit $rc' sh "$size" "$dir" "$@"
}

@test "cowplot: a full disk is reported as such, and nothing is left on it" {
	require_root
	local full=$BATS_TEST_TMPDIR/full
	mkdir "$full"
	unshare --mount true 2>/dev/null || skip "no mount namespaces here"
	# the output's file system is full (16 KiB; an SVG is larger)
	run in_small_tmpfs 16k "$full" "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$full/big.svg"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "big.svg: cannot write: No space left on device"
	# the temporary directory's file system is full
	run in_small_tmpfs 4k "$full" \
		env TMPDIR="$full" "$COWPLOT" timeline "$CORPUS/memory.tsv" -o "$BATS_TEST_TMPDIR/t.svg"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "No space left on device"
	[ ! -e "$BATS_TEST_TMPDIR/t.svg" ]
	assert_clean
}

@test "cowplot: killed with SIGKILL while gnuplot writes, it leaves no partial output and no temporary directory" {
	local fifo=$BATS_TEST_TMPDIR/fifo fake=$BATS_TEST_TMPDIR/fake-gnuplot pid deadline
	mkfifo "$fifo.ready" "$fifo.go"
	# A gnuplot that has written half a figure, says so, and waits.
	cat > "$fake" <<-EOF
	#!/bin/sh
	printf '<svg>half a figure'
	echo ready > '$fifo.ready'
	read go < '$fifo.go'
	EOF
	chmod +x "$fake"
	# (3>&-: bats waits for whatever holds its descriptor 3)
	GNUPLOT=$fake "$COWPLOT" timeline "$CORPUS/timeline.tsv" -o "$BATS_TEST_TMPDIR/k.svg" \
		> /dev/null 2>&1 3>&- &
	pid=$!
	read ready < "$fifo.ready"
	# the partial output and the temporary directory exist now
	run find "$BATS_TEST_TMPDIR" -name '.k.svg.*.tmp' -o -name 'cowplot.*'
	assert_equal "${#lines[@]}" 2
	kill -KILL "$pid"
	wait "$pid" || true
	echo go > "$fifo.go"
	# The cleanup follows the end of the last process of the run; wait
	# for it (the deadline is far beyond what it takes).
	deadline=$((SECONDS + 30))
	while [ -n "$(find "$BATS_TEST_TMPDIR" -name '.k.svg.*.tmp' -o -name 'cowplot.*')" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "left behind after 30 s: $(find "$BATS_TEST_TMPDIR")"
		sleep 0.1
	done
	[ ! -e "$BATS_TEST_TMPDIR/k.svg" ]
	assert_clean
}
