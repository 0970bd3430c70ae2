#!/usr/bin/env bats
# cowsample --faults FILE: one row per page fault, its kind, reconciled
# with /proc's counters. The labs' parameters come from their expectation
# tables (the base scenario), the slacks from labs/slack.tsv; every bound
# below is one of them.

load test_helper
bats_require_minimum_version 1.5.0

FAULTER=$BUILDDIR/tests/progs/faulter
STRAY=$(slack STRAY)
PROCESS=$(slack PROCESS)
# A step as cowsample sees it runs from the previous mark of the process,
# so it also holds what the lab does between two steps (printing): the
# kinds of a step get that slack; rows against /proc's count get STRAY.
GAP=$(slack SAMPLER_GAP)
# After the child exited, a page the parent faulted in last may still wait
# in another CPU's LRU batch: the kernel copies it instead of reusing it.
REMOTE_BATCHES=$(($(slack LRU_BATCH) * ($(getconf _NPROCESSORS_ONLN) - 1)))

# kinds FILE ROLE PHASE KIND: how many rows of ROLE in PHASE are KIND
kinds() {
	awk -F'\t' -v role="$2" -v phase="$3" -v kind="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["role"] == role && $h["phase"] == phase && $h["kind"] == kind { n++ }
		END { print n + 0 }' "$1"
}

# kind_tally FILE ROLE PHASE: "kind=count ..." of ROLE's rows in PHASE
kind_tally() {
	awk -F'\t' -v role="$2" -v phase="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["role"] == role && $h["phase"] == phase { n[$h["kind"]]++ }
		END { for (k in n) printf "%s=%d ", k, n[k]; print "" }' "$1"
}

# assert_rewrite_reused FILE N: the parent's rewrite after the child exited
# faulted once per page; each was a reuse, or a copy of one of the pages a
# remote LRU batch can still hold (labs/slack.tsv, LRU_BATCH).
assert_rewrite_reused() {
	local reuse copies tally
	reuse=$(kinds "$1" parent parent-rewrote reuse)
	copies=$(kinds "$1" parent parent-rewrote cow-copy)
	tally=$(kind_tally "$1" parent parent-rewrote)
	assert_between $((reuse + copies)) "$2" $(($2 + GAP)) \
		"parent's rewrite after the child exited, reuse + cow-copy ($tally)"
	assert_between "$copies" 0 "$REMOTE_BATCHES" \
		"parent's rewrite after the child exited, copies of pages in remote LRU batches ($tally)"
}

# rows_of FILE PID: how many rows process PID has
rows_of() {
	awk -F'\t' -v pid="$2" 'NR > 1 && $2 == pid { n++ } END { print n + 0 }' "$1"
}

# Are the kinds there? (root and the x86 tracepoints; else one line says so.)
require_kinds() {
	require_root
	case $stderr in
	*"addresses only"*) skip "no kinds on this machine: ${stderr%%$'\n'*}" ;;
	*"cannot be traced"*) skip "faults cannot be traced here: ${stderr%%$'\n'*}" ;;
	esac
}

# A summary line of --faults: "ROLE PID PHASE counted rows diff kinds"
# -> check counted - STRAY <= rows <= counted for every step. A fault that
# /proc counts without an event (get_user_pages) is the only difference.
assert_reconciled() {
	printf '%s\n' "$output" | awk -v stray="$STRAY" '
		/^Fault kinds per phase/ { on = 1; next }
		on && /^counted:/ { exit }
		on && NF >= 6 && $2 ~ /^[0-9]+$/ {
			n++
			if ($5 > $4 || $5 < $4 - stray) { print "not reconciled: " $0; bad = 1 }
		}
		END { if (n == 0) { print "no reconciliation table"; bad = 1 } exit bad }'
}

@test "fork_faults: zero-fill, cow-copy and reuse per phase, reconciled with /proc" {
	local n k file=$BATS_TEST_TMPDIR/faults.tsv
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	run --separate-stderr "$COWSAMPLE" --faults "$file" --summary -o /dev/null -- \
		$(traced_env) "$(lab_bin copy-on-write)" --batch -n "$n" -w "$k"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
	head -1 "$file" | grep -qx $'time_s\tpid\tkind\taccess\taddress\tmapping\toffset\tphase\trole'
	assert_between "$(kinds "$file" parent parent-touched zero-fill)" "$n" $((n + GAP)) \
		"parent's first touch: zero-fill"
	assert_between "$(kinds "$file" child child-wrote cow-copy)" "$k" $((k + GAP)) \
		"child's writes: cow-copy"
	# reading the N shared pages copies none of them; the step as cowsample
	# counts it also holds the child's own work since its previous mark,
	# whose first writes after fork() may copy a page of its own (GAP)
	assert_between "$(kinds "$file" child child-read cow-copy)" 0 "$GAP" "child's reads: no cow-copy"
	assert_rewrite_reused "$file" "$n"
	# the rows name the mapping and the page inside it
	awk -F'\t' 'NR > 1 && $8 == "parent-touched" && $3 == "zero-fill" && $4 == "write" &&
		$6 == "[anon]" { n++ } END { exit n == 0 }' "$file"
	assert_reconciled
	[[ $output == *"Lost events: 0."* ]] || fail "events lost: $output"
}

@test "--live shows the kinds of each process's latest step" {
	local n k live=$BATS_TEST_TMPDIR/live.txt
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	run --separate-stderr "$COWSAMPLE" --faults "$BATS_TEST_TMPDIR/f.tsv" --live="$live" -- \
		$(traced_env) "$(lab_bin copy-on-write)" --batch -n "$n" -w "$k"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
	# the last drawing, without its escape sequences
	local last
	last=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$live" | awk '/ finished$/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }')
	[[ $last == *"KINDS of each process"* ]] || fail "no kinds in: $last"
	local copies
	copies=$(printf '%s' "$last" | awk '$2 == "child-wrote" { for (i = 3; i < NF; i++) if ($i == "cow-copy") { v = $(i + 1); sub(/,/, "", v); print v } }')
	assert_between "$copies" "$k" $((k + GAP)) "--live: the child's copies"
}

@test "reads of untouched memory: zero-page where the kernel has it, zero-fill where not" {
	local n zero kind file=$BATS_TEST_TMPDIR/faults.tsv
	n=$(scenario_param demand-paging base N)
	zero=$("$BUILDDIR/tools/zero_page") || skip "tools/zero_page cannot tell"
	kind=zero-fill
	[ "$zero" = yes ] && kind=zero-page
	run --separate-stderr "$COWSAMPLE" --faults "$file" --summary -o /dev/null -- \
		$(traced_env) "$(lab_bin demand-paging)" --batch -n "$n"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
	assert_between "$(kinds "$file" parent read-untouched "$kind")" "$n" $((n + GAP)) \
		"reads of untouched pages (zero page: $zero): $kind"
	assert_between "$(kinds "$file" parent wrote zero-fill)" "$n" $((n + GAP)) \
		"first writes: zero-fill"
	assert_reconciled
}

# cold_dir: a directory on a disk-backed filesystem for a file whose pages
# must be read from disk: bats' own temporary directory, or where that is
# tmpfs (whose pages never go to disk), one made in the build tree (made_dir,
# removed by teardown). Empty where there is none.
find_cold_dir() {
	local dir
	cold_dir=
	for dir in "$BATS_TEST_TMPDIR" "$BUILDDIR/tests"; do
		case $(stat -f -c %T "$dir" 2>/dev/null) in
		tmpfs|ramfs|'') continue ;;
		esac
		if [ "$dir" != "$BATS_TEST_TMPDIR" ]; then
			made_dir=$(mktemp -d "$dir/filefaults.XXXXXX") || continue
			dir=$made_dir
		fi
		cold_dir=$dir
		return 0
	done
}

teardown() {
	[ -z "${made_dir:-}" ] || rm -rf "$made_dir"
}

# run_filefaults N: tests/progs/filefaults -n N under cowsample --faults, its
# file in a disk-backed directory; the rows in $file. Skips where the file's
# pages cannot be made cold (tmpfs everywhere) or there are no kinds.
FILEFAULTS=$BUILDDIR/tests/progs/filefaults
run_filefaults() {
	file=$BATS_TEST_TMPDIR/faults.tsv
	find_cold_dir
	[ -n "$cold_dir" ] || skip "no disk-backed directory here (tmpfs): no read goes to disk"
	run --separate-stderr "$COWSAMPLE" --faults "$file" --summary -o /dev/null -- \
		$(traced_env) "$FILEFAULTS" -n "$1" -d "$cold_dir"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
}

@test "a MAP_SHARED file write: shared-write, one per page, no copy" {
	local n file
	n=$(scenario_param shared-vs-private base N)
	run_filefaults "$n"
	assert_between "$(kinds "$file" parent wrote-shared shared-write)" "$n" $((n + GAP)) \
		"first writes to the shared file mapping ($(kind_tally "$file" parent wrote-shared))"
	assert_between "$(kinds "$file" parent wrote-shared cow-copy)" 0 0 "a shared write copies nothing"
	assert_between "$(kinds "$file" parent wrote-shared file-major)" 0 0 \
		"the pages just read are in the page cache"
	assert_reconciled
}

@test "a cold file read: file-major, one per page" {
	local n file resident
	n=$(scenario_param shared-vs-private base N)
	run_filefaults "$n"
	resident=$(printf '%s\n' "$output" | awk '$1 == "resident:" { sub(/^before=/, "", $2); print $2 }')
	[ "$resident" = 0 ] || skip "$resident of the file's $n pages stayed in the page cache after POSIX_FADV_DONTNEED"
	assert_between "$(kinds "$file" parent read-cold file-major)" "$n" $((n + GAP)) \
		"reads of the cold file ($(kind_tally "$file" parent read-cold))"
	assert_between "$(kinds "$file" parent read-cold file-minor)" 0 "$GAP" \
		"no page of the file was in the page cache"
	assert_reconciled
}

@test "with THP: a first write that fills a huge page is huge-zero-fill, one per huge page" {
	local n huge pages file=$BATS_TEST_TMPDIR/faults.tsv
	case $(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) in
	always|madvise) ;;
	*) skip "transparent huge pages are off here (or absent)" ;;
	esac
	n=$(scenario_param demand-paging thp N)
	huge=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)
	pages=$((n / (huge / $(getconf PAGESIZE))))
	run --separate-stderr "$COWSAMPLE" --faults "$file" --summary -o /dev/null -- \
		$(traced_env) "$(lab_bin demand-paging)" --batch --thp -n "$n"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
	assert_between "$(kinds "$file" parent wrote huge-zero-fill)" "$pages" $((pages + GAP)) \
		"first writes, one per huge page ($(kind_tally "$file" parent wrote))"
	assert_between "$(kinds "$file" parent wrote huge-cow-copy)" 0 0 "a first touch copies nothing"
	assert_reconciled
}

@test "a child that writes and _exits at once still has every row" {
	local n=$(($(scenario_param copy-on-write base N))) k file=$BATS_TEST_TMPDIR/faults.tsv
	local child min maj rows
	k=$(scenario_param copy-on-write base K)
	run --separate-stderr "$COWSAMPLE" --faults "$file" -o "$BATS_TEST_TMPDIR/rows.tsv" -- \
		$(traced_env) "$FAULTER" -n "$n" -c "$k" -W
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[[ $stderr != *"cannot be traced"* ]] || skip "faults cannot be traced here"
	read -r child min maj < <(awk -F'\t' '$5 == "exit" && $10 == "child" { print $2, $6, $7 }' \
		"$BATS_TEST_TMPDIR/rows.tsv")
	[ -n "$child" ] || fail "no exit row of the child"
	rows=$(rows_of "$file" "$child")
	assert_between "$rows" $((min + maj - STRAY)) $((min + maj)) "the child's rows against its exit row"
	if [[ $stderr != *"addresses only"* ]] && [ "$(id -u)" -eq 0 ]; then
		assert_between "$(kinds "$file" child exit cow-copy)" "$k" $((k + PROCESS)) "the child's copies"
	fi
}

@test "two samplers with --faults at once both complete and agree" {
	local n k a=$BATS_TEST_TMPDIR/a.tsv b=$BATS_TEST_TMPDIR/b.tsv pa pb
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	"$COWSAMPLE" --faults "$a" -o /dev/null -- $(traced_env) "$(lab_bin copy-on-write)" \
		--batch -n "$n" -w "$k" >/dev/null 2>"$BATS_TEST_TMPDIR/a.err" &
	pa=$!
	"$COWSAMPLE" --faults "$b" -o /dev/null -- $(traced_env) "$(lab_bin copy-on-write)" \
		--batch -n "$n" -w "$k" >/dev/null 2>"$BATS_TEST_TMPDIR/b.err" &
	pb=$!
	wait "$pa" || fail "first sampler: $(cat "$BATS_TEST_TMPDIR/a.err")"
	wait "$pb" || fail "second sampler: $(cat "$BATS_TEST_TMPDIR/b.err")"
	stderr=$(cat "$BATS_TEST_TMPDIR/a.err")
	require_kinds
	local f
	for f in "$a" "$b"; do
		assert_between "$(kinds "$f" parent parent-touched zero-fill)" "$n" $((n + GAP)) "$f: zero-fill"
		assert_between "$(kinds "$f" child child-wrote cow-copy)" "$k" $((k + GAP)) "$f: cow-copy"
		assert_rewrite_reused "$f" "$n"
	done
	# and no row of one sampler's processes is in the other's file
	local pids_a pids_b
	pids_a=$(awk -F'\t' 'NR > 1 { print $2 }' "$a" | sort -u)
	pids_b=$(awk -F'\t' 'NR > 1 { print $2 }' "$b" | sort -u)
	[ -z "$(comm -12 <(printf '%s\n' "$pids_a") <(printf '%s\n' "$pids_b"))" ]
}

@test "as nobody: addresses without kinds and one line saying what root adds, or one refusal line" {
	require_root
	local n k dir
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	dir=$(copy_for_nobody "$COWSAMPLE" "$(lab_bin copy-on-write)")
	chmod 777 "$dir"
	run --separate-stderr as_nobody "$dir/cowsample" --faults "$dir/faults.tsv" --summary \
		-o "$dir/rows.tsv" -- $(traced_env) "$dir/fork_faults" --batch -n "$n" -w "$k"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	# sampling goes on either way
	[ "$(awk -F'\t' '$5 == "mark" && $9 == "parent-touched"' "$dir/rows.tsv" | wc -l)" -eq 1 ]
	local lines
	lines=$(printf '%s\n' "$stderr" | grep -c '^cowsample: --faults:' || true)
	[ "$lines" -eq 1 ] || fail "not one --faults line: $stderr"
	if [[ $stderr == *"addresses only"* ]]; then
		[[ $stderr == *"as root"* ]] || fail "$stderr"
		assert_between "$(kinds "$dir/faults.tsv" parent parent-touched unknown)" "$n" $((n + GAP)) \
			"unprivileged rows of the first touch"
		assert_between "$(kinds "$dir/faults.tsv" parent parent-touched zero-fill)" 0 0 \
			"no kind without the tracepoints"
	else
		[[ $stderr == *"cannot be traced"*"sampling goes on"* ]] || fail "$stderr"
	fi
}

@test "--faults: bad file names are one line, before anything runs" {
	assert_usage_error "$COWSAMPLE" --faults "" -- true
	run --separate-stderr "$COWSAMPLE" --faults "$BATS_TEST_TMPDIR/no/such/dir/f.tsv" -- \
		touch "$BATS_TEST_TMPDIR/ran"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == "cowsample: --faults: "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "cowplot faultmap: the lab's buffer, one panel per process, the kinds in the legend" {
	local n k file=$BATS_TEST_TMPDIR/faults.tsv svg=$BATS_TEST_TMPDIR/map.svg
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	run --separate-stderr "$COWSAMPLE" --faults "$file" -o /dev/null -- \
		$(traced_env) "$(lab_bin copy-on-write)" --batch -n "$n" -w "$k"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	require_kinds
	run "$SRCDIR/tools/cowplot" faultmap "$file" -o "$svg"
	[ "$status" -eq 0 ] || fail "$output"
	run xmllint --noout "$svg"
	[ "$status" -eq 0 ] || fail "$output"
	# the buffer's pages as the y range's title, both processes, the kinds
	grep -q "($n pages)" "$svg"
	grep -q '>parent (pid ' "$svg" && grep -q '>child (pid ' "$svg"
	local kind
	for kind in zero-fill cow-copy reuse; do
		grep -q ">$kind<" "$svg" || fail "$kind not in the legend"
	done
	run "$SRCDIR/tools/cowplot" faultmap "$file" -o "$BATS_TEST_TMPDIR/map.png"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(head -c 4 "$BATS_TEST_TMPDIR/map.png" | od -An -c | tr -d ' ')" = '211PNG' ]
}

@test "cowplot faultmap: hostile rows are data or one refusal line" {
	local tsv=$BATS_TEST_TMPDIR/evil.tsv out=$BATS_TEST_TMPDIR/evil.svg
	printf 'time_s\tpid\tkind\taccess\taddress\tmapping\toffset\tphase\trole\n' > "$tsv"
	printf "0.1\t7\tzero-fill\twrite\t0x1000\t[anon]\t0\tst'); system('touch %s/pwned\tparent\n" \
		"$BATS_TEST_TMPDIR" >> "$tsv"
	printf "0.2\t7\treuse\twrite\t0x2000\t[anon]\t1\t@x\tparent\n" >> "$tsv"
	run "$SRCDIR/tools/cowplot" faultmap "$tsv" -o "$out"
	[ "$status" -eq 0 ] || fail "$output"
	[ ! -e "$BATS_TEST_TMPDIR/pwned" ]
	run xmllint --noout "$out"
	[ "$status" -eq 0 ]
	# an unknown kind, a bad address: one line, exit 1, no figure
	local bad
	for bad in "0.3\t7\tbogus\twrite\t0x3000\t[anon]\t2\tp\tparent" \
		"0.3\t7\treuse\twrite\t12345\t[anon]\t2\tp\tparent" \
		"0.3\t7\treuse\twrite\t0x3000\t[anon]\t-2\tp\tparent"; do
		{ head -2 "$tsv"; printf "$bad\n"; } > "$BATS_TEST_TMPDIR/bad.tsv"
		rm -f "$BATS_TEST_TMPDIR/bad.svg"
		run "$SRCDIR/tools/cowplot" faultmap "$BATS_TEST_TMPDIR/bad.tsv" -o "$BATS_TEST_TMPDIR/bad.svg"
		[ "$status" -eq 1 ] || fail "accepted: $bad"
		[ "${#lines[@]}" -eq 1 ] && [[ $output == "cowplot: "* ]] || fail "$output"
		[ ! -e "$BATS_TEST_TMPDIR/bad.svg" ]
	done
}

@test "cowplot faultmap --mapping: the mapping of that name; a name is data; a fault anywhere in a page is that page" {
	local tsv=$BATS_TEST_TMPDIR/maps.tsv out=$BATS_TEST_TMPDIR/maps.svg
	local evil="/tmp/x'); system('touch $BATS_TEST_TMPDIR/pwned"
	printf 'time_s\tpid\tkind\taccess\taddress\tmapping\toffset\tphase\trole\n' > "$tsv"
	# two faults inside the pages of one buffer (not at their first byte)
	printf '0.1\t7\tzero-fill\twrite\t0x10001\t[anon]\t0\tp\tparent\n' >> "$tsv"
	printf '0.2\t7\tzero-fill\twrite\t0x11008\t[anon]\t1\tp\tparent\n' >> "$tsv"
	local i
	for i in 0 1 2; do
		printf '0.3\t7\tshared-write\twrite\t0x4%d000\t%s\t%d\tq\tparent\n' "$i" "$evil" "$i" >> "$tsv"
	done
	run "$SRCDIR/tools/cowplot" faultmap "$tsv" -o "$out"
	[ "$status" -eq 0 ] || fail "$output"
	grep -q '(2 pages)' "$out" || fail "the buffer's two faults are not one mapping of 2 pages"
	run "$SRCDIR/tools/cowplot" faultmap "$tsv" --mapping "$evil" -o "$out"
	[ "$status" -eq 0 ] || fail "$output"
	grep -q '(3 pages)' "$out" && grep -q '>shared-write<' "$out" || fail "not the named mapping"
	[ ! -e "$BATS_TEST_TMPDIR/pwned" ]
	run xmllint --noout "$out"
	[ "$status" -eq 0 ]
	# a name no row has: one line, exit 1, no figure; --mapping elsewhere: usage
	rm -f "$out"
	run "$SRCDIR/tools/cowplot" faultmap "$tsv" --mapping '[heap]' -o "$out"
	[ "$status" -eq 1 ] && [ "${#lines[@]}" -eq 1 ] && [[ $output == "cowplot: "*"[heap]"* ]] || fail "$output"
	[ ! -e "$out" ]
	assert_usage_error "$SRCDIR/tools/cowplot" timeline "$tsv" --mapping '[anon]' -o "$out"
}
