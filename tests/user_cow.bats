#!/usr/bin/env bats
# The user-cow lab (labs/user-cow.md): copy-on-write done by our own memory
# manager (support/user-cow/uvm.c) on the real MMU. cowtest checks the
# manager scenario by scenario; broken versions of uvm.c lose exactly the
# scenarios that catch their bug. (user_cow's frame counts at each step are
# rows of support/user-cow/expect.tsv, checked by tests/expect.sh.)
load test_helper
bats_require_minimum_version 1.5.0

USER_COW=$BUILDDIR/support/user-cow/user_cow
COWTEST=$BUILDDIR/support/user-cow/cowtest

@test "cowtest: every scenario passes on the reference memory manager" {
	run "$COWTEST"
	assert_success
	refute_line --partial 'not ok'
	assert_line --regexp '^ok [0-9]+ - forkfork$'
}

@test "cowtest: the racy scenarios pass 10 times in a row (reference counts under races)" {
	for i in $(seq 10); do
		run "$COWTEST" three forkfork
		assert_success
	done
}

@test "user_cow: option errors are one line and exit 2" {
	assert_usage_error "$USER_COW" -n 0
	assert_usage_error "$USER_COW" -n 10 -w 11
	assert_usage_error "$USER_COW" --bogus
	assert_usage_error "$USER_COW" extra
	assert_usage_error "$USER_COW" -f -1
	assert_usage_error "$USER_COW" -f x
}

# broken VARIANT: build cowtest against a copy of uvm.c with one bug put in
# by SED_SCRIPT; prints the scenarios that fail, one line.
broken() {
	local dir=$BATS_TEST_TMPDIR/$1
	mkdir -p "$dir"
	sed "$2" "$SRCDIR/support/user-cow/uvm.c" >"$dir/uvm.c"
	! cmp -s "$SRCDIR/support/user-cow/uvm.c" "$dir/uvm.c" || fail "the sed script of $1 changed nothing"
	cp "$SRCDIR/support/user-cow/uvm.h" "$dir/"
	${CC:-cc} -O1 -I"$SRCDIR/support" -I"$dir" -o "$dir/cowtest" \
		"$SRCDIR/support/user-cow/cowtest.c" "$SRCDIR/support/user-cow/cowtest_vm.c" "$dir/uvm.c" || fail "$1 did not build"
	timeout 120 "$dir/cowtest" 2>/dev/null | sed -n 's/^not ok [0-9]* - \([a-z-]*\).*/\1/p' | paste -sd ' ' -
}

@test "broken: a manager that never drops a reference fails counts, three, file, forkfork, lazy, shared-frames" {
	run broken never-drops 's/left = __atomic_sub_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/left = 1;/'
	assert_output "counts three file forkfork lazy shared-frames"
}

@test "broken: a manager that frees a frame another process still maps fails simple, counts, three, file, forkfork, shared-frames, read-only-shared" {
	run broken frees-shared 's/left = __atomic_sub_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/left = 0;/'
	assert_output "simple counts three file forkfork shared-frames read-only-shared"
}

@test "broken: a manager that copies every page at cfork fails simple, counts, file, shared-frames, vatopa" {
	run broken eager 's/^\tpid = fork();$/\tpid = fork();\n\tif (pid == 0)\n\t\tuvm_break_cow(region, npages * page);/'
	assert_output "simple counts file shared-frames vatopa"
}

@test "broken: a cfork that marks only writable pages COW fails read-only-shared (a later mprotect(RW) shares the writes)" {
	run broken cow-only-writable 's/^\t\tptes\[i\].flags |= PTE_COW;$/\t\tif (ptes[i].flags \& PTE_W)\n\t\t\tptes[i].flags |= PTE_COW;/'
	assert_output "read-only-shared"
}

@test "a uvm.c with no copy-on-write at all (tests/attacks/fake_uvm.c) makes user_cow print every result: line the table expects: why no graded row reads them" {
	local dir=$BATS_TEST_TMPDIR/fake status=0
	mkdir -p "$dir"
	${CC:-cc} -O1 -I"$SRCDIR/support" -I"$SRCDIR/support/user-cow" -o "$dir/user_cow" \
		"$SRCDIR/support/user-cow/user_cow.c" "$SRCDIR/tests/attacks/fake_uvm.c" || fail "fake_uvm.c did not build"
	mapfile -t args < <("$SRCDIR/tools/cowlab-expect" scenario user-cow base)
	"$dir/user_cow" "${args[@]}" >"$dir/out" 2>/dev/null || status=$?
	run "$SRCDIR/tools/cowlab-expect" check-output user-cow base "$dir/out" "$status"
	# every row the output can answer passes; the grader's rows are not in it
	refute_line --regexp '^not ok'
	assert_line --regexp '^ok	user-cow/child-wrote-frames	'
	assert_line --regexp '^ok	user-cow/child-wrote-copies	'
	assert_line --regexp '^ok	user-cow/rewrite-reuses	'
}

@test "framewatch (the grader's instrument): the frames of the lab's memfd at each mark, from the kernel" {
	require_root "framewatch reads other processes' mappings and the memfd through /proc/PID/map_files"
	local n=64 k=20 dir=$BATS_TEST_TMPDIR/frames
	mkdir -p "$dir"
	run "$SRCDIR/tests/grade/framewatch" --memfd user-cow-frames "$dir" -- "$USER_COW" --batch -n $n -w $k
	assert_success
	# pages the memfd holds at each mark
	assert_equal "$(cut -f2,5 "$dir/memfd.tsv" | paste -sd ' ')" \
		"allocated	0 parent-touched	$n forked	$n child-read	$n child-wrote	$((n + k)) child-exited	$n parent-rewrote	$n"
	# after the child's writes: N + K frames mapped, K of the child's pages on frames of their own
	local snap
	snap=$(awk -F '\t' '$2 == "child-wrote" { print $1 }' "$dir/memfd.tsv")
	assert_equal "$(awk -F '\t' -v s="$snap" '$1 == s && !seen[$6]++ { n++ } END { print n }' "$dir/pages.tsv")" $((n + k))
	assert_equal "$(awk -F '\t' -v s="$snap" '$1 == s { if ($4 == $3) c[$5] = $6; else p[$5] = $6 }
		END { for (v in c) if (c[v] != p[v]) d++; print d }' "$dir/pages.tsv")" $k
	# one frame, one PFN (where present)
	awk -F '\t' '$7 != "-" { if (($1, $6) in pfn && pfn[$1, $6] != $7) exit 1; pfn[$1, $6] = $7 }' "$dir/pages.tsv"
	# the frames' data: at child-wrote, N frames hold the parent's 'p' alone
	# (the parent's) and K hold 'p' and the child's 'c' (its copies); after
	# the rewrite, the parent's N frames hold 'p' and 'P'
	assert_equal "$(awk -F '\t' -v s="$snap" '$1 == s { print $3 $4 }' "$dir/frames.tsv" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd ' ')" \
		"7000=$n 7063=$k"
	snap=$(awk -F '\t' '$2 == "parent-rewrote" { print $1 }' "$dir/memfd.tsv")
	assert_equal "$(awk -F '\t' -v s="$snap" '$1 == s { print $3 $4 }' "$dir/frames.tsv" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd ' ')" \
		"7050=$n"
}

@test "framewatch: a mark is measured however long the lab takes to stop after it; one naming a process that never stops is waited for only while the command runs" {
	require_root "framewatch reads other processes' mappings through /proc/PID"
	local dir=$BATS_TEST_TMPDIR/slow
	mkdir -p "$dir"
	# The first mark's process stops 3 s after writing it (a loaded machine);
	# the second names framewatch itself, which never stops.
	run timeout 120 "$SRCDIR/tests/grade/framewatch" --memfd user-cow-frames "$dir" -- \
		bash -c 'echo "$$ slow-to-stop" >&9; sleep 3; kill -STOP $$; echo "$PPID never-stops" >&9; exit 7'
	assert_equal "$status" 7
	assert_equal "$(cut -f2 "$dir/marks.tsv")" slow-to-stop
}

# race_frames USER_COW: the pages the memfd holds at forkfork-done in a run
# of USER_COW with the race scenario's arguments, under framewatch.
race_frames() {
	local dir=$BATS_TEST_TMPDIR/race-$RANDOM
	mkdir -p "$dir"
	mapfile -t args < <("$SRCDIR/tools/cowlab-expect" scenario user-cow race)
	"$SRCDIR/tests/grade/framewatch" --memfd user-cow-frames "$dir" -- "$1" "${args[@]}" >/dev/null 2>&1 || true
	awk -F '\t' '$2 == "forkfork-done" { print $5 }' "$dir/memfd.tsv"
}

# user_cow_with VARIANT SED-SCRIPT: user_cow built on a copy of uvm.c with
# one bug put in by SED-SCRIPT (-O2, as the student's tree builds it).
user_cow_with() {
	local dir=$BATS_TEST_TMPDIR/$1
	mkdir -p "$dir"
	sed "$2" "$SRCDIR/support/user-cow/uvm.c" >"$dir/uvm.c"
	! cmp -s "$SRCDIR/support/user-cow/uvm.c" "$dir/uvm.c" || fail "the sed script of $1 changed nothing"
	cp "$SRCDIR/support/user-cow/uvm.h" "$dir/"
	${CC:-cc} -O2 -I"$SRCDIR/support" -I"$dir" -o "$dir/user_cow" \
		"$SRCDIR/support/user-cow/user_cow.c" "$dir/uvm.c" || fail "$1 did not build"
	echo "$dir/user_cow"
}

@test "the race (user_cow -f R, scenario race): the reference ends with N frames in the memfd; counts updated by a load, a pause and a store do not (2 CPUs)" {
	require_root "framewatch reads the memfd through /proc/PID/map_files"
	[ "$(nproc)" -ge 2 ] || skip "one CPU: the racers take turns, no update is lost"
	local n plain
	n=$("$SRCDIR/tools/cowlab-expect" scenario user-cow race | sed -n '/^-n$/{n;p}')
	assert_equal "$(race_frames "$USER_COW")" "$n"
	plain=$(user_cow_with not-atomic "$NOT_ATOMIC_UVM")
	# A lost update needs both racers on a CPU at once: under other load
	# (a run at a lower priority than the machine's other work) a run of R
	# rounds can miss it; any of 3 runs losing one shows the bug.
	local try
	for try in 1 2 3; do
		[ "$(race_frames "$plain")" = "$n" ] || return 0
	done
	fail "counts that are not atomic ended with exactly $n frames in 3 runs: no update was lost in the race"
}

@test "a copy without the data (no pwrite into the new frame): the child's K copies lose the parent's byte, in the memfd" {
	require_root "framewatch reads the memfd through /proc/PID/map_files"
	local n=64 k=20 dir=$BATS_TEST_TMPDIR/nodata prog snap
	mkdir -p "$dir"
	prog=$(user_cow_with no-data 's/^\tif (pwrite(memfd, page_addr(i), page, (off_t)copy \* page) != page) {$/\tif (0) {/')
	run "$SRCDIR/tests/grade/framewatch" --memfd user-cow-frames "$dir" -- "$prog" --batch -n $n -w $k
	assert_success
	snap=$(awk -F '\t' '$2 == "child-wrote" { print $1 }' "$dir/memfd.tsv")
	# the copies hold the child's 'c' on zeros; the parent's frames are intact
	assert_equal "$(awk -F '\t' -v s="$snap" '$1 == s { print $3 $4 }' "$dir/frames.tsv" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd ' ')" \
		"0063=$k 7000=$n"
}

# write_todo FILE N: in the skeleton's FILE, write TODO N as the kit's
# reference (support/user-cow/uvm.c) has it.
write_todo() {
	REF=$SRCDIR/support/user-cow/uvm.c N=$2 perl -0pi -e '
		BEGIN {
			open(my $f, "<", $ENV{REF}) or die "$ENV{REF}: $!";
			local $/;
			($body) = <$f> =~ m{/\* TODO $ENV{N}:.*?\*/\n(.*?)\t*/\* END TODO \*/\n}s or die "no TODO $ENV{N}";
		}
		s/\t*lab_todo\($ENV{N}\);\n/$body/ or die "no lab_todo($ENV{N})";' "$1"
}

@test "labs/user-cow.md: where to start: the skeleton's user_cow stops at the TODOs in the order the text gives, and cowtest needs the rest" {
	local dir=$BATS_TEST_TMPDIR/skel order="" todo i text
	"$SRCDIR/tools/cowlab-skel" "$dir" >/dev/null || fail "cowlab-skel failed"
	for ((i = 0; i < 12; i++)); do
		env -u MAKEFLAGS -u MFLAGS make -s -C "$dir" user-cow/user_cow >/dev/null 2>&1 ||
			fail "the skeleton did not build with TODOs $order written"
		todo=$(timeout 120 "$dir/user-cow/user_cow" --batch -n 20 -w 5 2>&1 >/dev/null | grep -o 'TODO [0-9]*' | head -n 1)
		[ -n "$todo" ] || break
		order+="${order:+, }${todo#TODO }"
		write_todo "$dir/user-cow/uvm.c" "${todo#TODO }"
	done
	text=$(grep -o '\*\*[0-9][0-9, ]*\*\*' "$SRCDIR/labs/user-cow.md")
	assert_equal "$order" "${text//\*/}"
	# ... and then cowtest stops at the others, which the text names (it
	# says so in TAP comments, on its standard output)
	env -u MAKEFLAGS -u MFLAGS make -s -C "$dir" user-cow/cowtest >/dev/null 2>&1 || fail "cowtest did not build"
	todo=$(timeout 300 "$dir/user-cow/cowtest" 2>/dev/null | grep -o '^# cowtest: TODO [0-9]*' | cut -d ' ' -f4 | sort -n -u | paste -sd ' ')
	text=$(tr '\n' ' ' <"$SRCDIR/labs/user-cow.md" | grep -o '`cowtest` adds [0-9, and]*[0-9]' | tr -dc '0-9 ' | tr -s ' ')
	assert_equal "$todo" "${text# }"
}

@test "labs/user-cow.md: its table of graded rows names exactly the graded rows of expect.tsv" {
	local text table
	text=$(sed -n '/^## How it is graded/,/^## /p' "$SRCDIR/labs/user-cow.md" |
		sed -n 's/^| `\([a-z-]*\)` | .*/user-cow\/\1/p' | sort)
	table=$("$SRCDIR/tools/cowlab-expect" graded | cut -f1 | grep '^user-cow/' | sort)
	[ -n "$table" ] || fail "no graded row in support/user-cow/expect.tsv"
	assert_equal "$text" "$table"
}

@test "cowmap on the real processes shows the sharing of uvm.c's frame table (N-K shared, K copied)" {
	require_root
	local n=64 k=20 fifo=$BATS_TEST_TMPDIR/in out=$BATS_TEST_TMPDIR/pair.out line deadline
	mkfifo "$fifo"
	"$BUILDDIR/tests/progs/usercow_pair" $n $k <"$fifo" >"$out" &
	exec 7>"$fifo"	# the pair waits for a line here before it exits
	deadline=$((SECONDS + 30))
	until line=$(grep '^pair:' "$out"); do
		[ $SECONDS -lt $deadline ] || { exec 7>&-; fail "usercow_pair printed nothing"; }
		sleep 0.05
	done
	local parent child addr frames shared
	read -r _ parent child addr frames shared <<<"$line"
	run "$COWMAP" --diff --map "${addr#addr=}" "${parent#parent=}" "${child#child=}"
	echo >&7
	exec 7>&-
	wait
	assert_success
	[ "${frames#frames=}" -eq $((n + k)) ]
	[ "${shared#shared=}" -eq $((n - k)) ]
	assert_line --regexp "^  shared +$((n - k)) "
	assert_line --regexp "^  copied +$k "
}
