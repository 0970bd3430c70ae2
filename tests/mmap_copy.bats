#!/usr/bin/env bats
# mmap_copy: correct copies, and every refusal loses nothing. The same for
# copy_bench, the benchmark's copy program, by each of its methods: it
# shares the lab's safety code (support/mmap-copy/copy_safety.c).
# Its fault counts are rows of support/mmap-copy/expect.tsv (tests/expect.sh).

load test_helper
bats_require_minimum_version 1.5.0

METHODS="mmap read copy_file_range sendfile"

setup() {
	MC=$(lab_bin mmap-copy)
	CB=$BUILDDIR/tools/copy_bench
	# Every program and method that copies: the lab, then copy_bench.
	COPIERS=("$MC")
	for m in $METHODS; do COPIERS+=("$CB --method $m"); done
	AT_PHASE=$BUILDDIR/tests/progs/at_phase
	D=$BATS_TEST_TMPDIR
	cd "$D"
}

teardown() {
	if [ -n "${MOUNTED:-}" ]; then
		umount "$MOUNTED" || true
	fi
	if [ -n "${NOBODY_DIR:-}" ]; then
		rm -rf "$NOBODY_DIR"
	fi
}

# A 1 MiB tmpfs on ./mnt, unmounted by teardown (root only).
mount_small_tmpfs() {
	require_root
	mkdir mnt
	mount -t tmpfs -o size=1m tmpfs mnt || skip "cannot mount a tmpfs here"
	MOUNTED=$D/mnt
}

sum() { sha256sum < "$1" | cut -d' ' -f1; }

# The directory holds exactly the names given (no temporary left over).
assert_dir_holds() {
	local dir=$1; shift
	local expected=""
	[ $# -eq 0 ] || expected=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	run bash -c 'cd "$1" && ls -A | sort | tr "\n" " "' _ "$dir"
	assert_output "$expected"
}

# A refusal: exit 1, exactly one line on stderr, matching PATTERN.
assert_refused() {
	local pattern=$1
	assert_failure 1
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line, got: $output"
	assert_output --regexp "^(mmap_copy|copy_bench): .*$pattern"
}

make_test_files() {
	local n
	for n in 0 1 4095 4096 4097 $((1024 * 1024 + 1)); do
		head -c "$n" /dev/urandom > "size-$n"
	done
	# Sparse: data, a hole of 1 MiB, data, and a hole up to the end.
	printf 'start' > sparse
	printf 'middle' | dd of=sparse bs=1 seek=$((1024 * 1024)) conv=notrunc status=none
	truncate -s $((3 * 1024 * 1024)) sparse
	head -c 300000 /dev/urandom > random
	# Text with a known pattern, so a shifted copy cannot pass.
	seq 1 100000 > text
}

@test "mmap_copy: --help and usage errors (exit 2, one line)" {
	run "$MC" --help
	assert_success
	assert_output --partial "Usage: mmap_copy"
	assert_output --partial "--no-reserve"
	assert_output --partial "--no-sync"
	for args in "" "onlyone" "a b c" "--bogus a b" "--max-size lots a b" \
		"--max-size" "--verbose=1 a b" "-x a b"; do
		# shellcheck disable=SC2086
		assert_usage_error "$MC" $args
	done
	# The benchmark's copy program: the same, and its own options.
	run "$CB" --help
	assert_success
	assert_output --partial "--method"
	for args in "" "--method nope a b" "--window 100 a b" "--window 0 a b" "-m"; do
		# shellcheck disable=SC2086
		assert_usage_error "$CB" $args
	done
}

@test "copy_bench: every option's usage error names the option" {
	local MC=$CB
	# An option that needs a value, given none (the last word, or with '='
	# and nothing after it).
	local opt
	for opt in --method --max-size --window; do
		assert_usage_error "$MC" "$opt"
		assert_equal "$stderr" "copy_bench: option '$opt' needs an argument (try --help)"
	done
	assert_usage_error "$MC" -m
	assert_equal "$stderr" "copy_bench: option '-m' needs an argument (try --help)"
	assert_usage_error "$MC" -vm
	assert_equal "$stderr" "copy_bench: option '-m' needs an argument (try --help)"
	assert_usage_error "$MC" --max-size= a b
	assert_equal "$stderr" "copy_bench: --max-size: '' is not a size in bytes (try --help)"
	assert_usage_error "$MC" --window= a b
	assert_equal "$stderr" "copy_bench: --window: '' is not a multiple of 4096 bytes between 4K and 1T (try --help)"
	# An option that takes no value, given one.
	for opt in --verbose --plain --no-populate --no-thp --no-reserve --no-sync \
		--interactive --batch --help; do
		assert_usage_error "$MC" "$opt=1" a b
		assert_equal "$stderr" "copy_bench: option '$opt' takes no argument (try --help)"
	done
	# Unknown and ambiguous options, short ones also inside a bundle.
	assert_usage_error "$MC" --bogus a b
	assert_equal "$stderr" "copy_bench: unknown or ambiguous option '--bogus' (try --help)"
	assert_usage_error "$MC" --no a b
	assert_equal "$stderr" "copy_bench: unknown or ambiguous option '--no' (try --help)"
	assert_usage_error "$MC" -x a b
	assert_equal "$stderr" "copy_bench: unknown option '-x' (try --help)"
	assert_usage_error "$MC" -vx a b
	assert_equal "$stderr" "copy_bench: unknown option '-x' (try --help)"
	assert_usage_error "$MC" --plain -xv a b
	assert_equal "$stderr" "copy_bench: unknown option '-x' (try --help)"
	assert_usage_error "$MC" -: a b
	assert_equal "$stderr" "copy_bench: unknown option '-:' (try --help)"
	assert_usage_error "$MC" --method= a b
	assert_equal "$stderr" "copy_bench: unknown method '': use mmap, read, copy_file_range or sendfile (try --help)"
	# Values that are not sizes, or not windows.
	for opt in "--max-size -1" "--max-size 1X" "--max-size 99999999999999999999" \
		"--window 4097" "--window 2T"; do
		# shellcheck disable=SC2086
		assert_usage_error "$MC" $opt a b
	done
	# Abbreviations of long options work, as getopt_long allows.
	seq 1 1000 > src
	run "$MC" --no-res --win 8K src dst
	assert_success
	cmp src dst
}

@test "mmap_copy: byte-identical copies, every size and method" {
	make_test_files
	local copier
	for copier in "${COPIERS[@]}" "$CB --plain"; do
		for f in size-* sparse random text; do
			run $copier "$f" "copy-$f"
			assert_success
			assert_output ""
			cmp "$f" "copy-$f" || fail "$copier, file $f: copy differs"
			rm "copy-$f"
		done
	done
	# Windows smaller than the file, and not dividing it; each option.
	for opts in "$CB --window 8K" "$CB --window 12K --no-populate" "$CB --no-thp" \
		"$MC --no-reserve" "$MC --no-sync" "$CB --plain --no-sync"; do
		# shellcheck disable=SC2086
		run $opts "size-1048577" copy
		assert_success
		cmp size-1048577 copy || fail "options $opts: copy differs"
		rm copy
	done
}

@test "mmap_copy: replaces an existing DST, mode bits follow SRC, no leftovers" {
	head -c 5000 /dev/urandom > src
	chmod 640 src
	head -c 90000 /dev/urandom > dst
	chmod 600 dst
	(umask 022 && "$MC" src dst)
	cmp src dst
	[ "$(stat -c %a dst)" = 640 ]
	assert_dir_holds . src dst
	# A symlink DST: the copy replaces the file it points to, the link stays.
	echo old > target
	ln -s target link
	run "$MC" src link
	assert_success
	[ -L link ]
	cmp src target
}

@test "mmap_copy: -v shows the eight steps and kernel-counted faults" {
	head -c $((64 * 4096)) /dev/urandom > src
	run "$MC" -v src dst
	assert_success
	for step in 1 2 3 4 5 6 7 8; do
		assert_line --regexp "^step $step: "
	done
	assert_line --regexp "MiB/s"
	assert_line --regexp "^result: phase=copied role=copy pid=[0-9]+ minor=[0-9]+ major=[0-9]+$"
	cmp src dst
}

# Step 7's fault counts (the rules the lab text gives, cold and warm) are
# rows of support/mmap-copy/expect.tsv, checked by tests/expect.sh.

@test "mmap_copy: empty SRC gives an empty DST without mmap" {
	: > empty
	echo "old content" > dst
	for copier in "${COPIERS[@]}"; do
		run $copier -v empty dst
		assert_success
		assert_line --regexp "^step 3: skipped: SRC is empty"
		[ -f dst ] && [ ! -s dst ]
		echo "old content" > dst
	done
}

@test "mmap_copy: same file through path, hard link, symlink, /proc/self/fd: refused" {
	seq 1 5000 > src
	ln src hard
	ln -s src soft
	ln -s "$D/src" abs-soft
	local before
	before=$(sum src)
	# Every spelling with the mmap method; every method with two of them.
	for dst in src hard soft abs-soft ./src "$D/src"; do
		run "$MC" src "$dst"
		assert_refused "same file"
	done
	run "$MC" soft src
	assert_refused "same file"
	for copier in "${COPIERS[@]}"; do
		run $copier src hard
		assert_refused "same file"
		run $copier src /proc/self/fd/3 3<src
		assert_refused "same file"
	done
	[ "$(sum src)" = "$before" ]
	assert_dir_holds . src hard soft abs-soft
}

@test "mmap_copy: missing, directory, FIFO, device SRC: refused, DST unchanged" {
	echo "precious" > dst
	local before
	before=$(sum dst)
	mkdir dir
	mkfifo fifo
	for copier in "${COPIERS[@]}"; do
		run $copier missing dst
		assert_refused "missing: cannot open: No such file"
		run $copier dir dst
		assert_refused "dir: is a directory"
		run $copier fifo dst
		assert_refused "fifo: not a regular file"
		run $copier /dev/null dst
		assert_refused "/dev/null: not a regular file"
		[ "$(sum dst)" = "$before" ]
	done
	assert_dir_holds . dst dir fifo
}

# Files whose size the kernel does not report (issue 14): fstat says 0
# bytes for a proc file, which has content (the copy was an empty DST, exit
# 0); 4096 for a sysfs file, whatever its content. Refused, saying which,
# before DST is touched.
@test "mmap_copy: proc and sysfs files (size not reported by the kernel): refused, DST unchanged" {
	echo "precious" > dst
	local before copier sysfile=/sys/kernel/mm/transparent_hugepage/enabled
	before=$(sum dst)
	[ "$(stat -c %s /proc/cpuinfo)" -eq 0 ] && [ -n "$(head -c 1 /proc/cpuinfo)" ] ||
		skip "/proc/cpuinfo reports its size here"
	for copier in "${COPIERS[@]}"; do
		run $copier /proc/cpuinfo dst
		assert_refused "/proc/cpuinfo: a proc file: the kernel does not report its size .fstat says 0 bytes.; refused"
		run $copier /proc/self/status new
		assert_refused "a proc file"
		if [ -r "$sysfile" ]; then
			run $copier "$sysfile" dst
			assert_refused "enabled: a sysfs file: the kernel does not report its size"
		fi
		[ "$(sum dst)" = "$before" ]
	done
	assert_dir_holds . dst
}

@test "mmap_copy: DST a directory, a device or a dangling symlink: refused" {
	seq 1 1000 > src
	mkdir dir
	ln -s nowhere dangling
	run "$MC" src dir
	assert_refused "dir: is a directory"
	run "$MC" src /dev/null
	assert_refused "not a regular file"
	run "$MC" src dangling
	assert_refused "dangling: symlink to a missing file"
	assert_dir_holds . src dir dangling
	assert_dir_holds dir
}

@test "mmap_copy: over --max-size refused before anything is written" {
	truncate -s 3M big	# sparse: costs no space
	echo "precious" > dst
	local before
	before=$(sum dst)
	for copier in "${COPIERS[@]}"; do
		run $copier --max-size 2M big dst
		assert_refused "too large: 3145728 bytes, more than --max-size 2097152"
		[ "$(sum dst)" = "$before" ]
		run $copier --max-size 2M big new
		assert_refused "too large"
	done
	assert_dir_holds . big dst
	# At the limit exactly: copied.
	run "$MC" --max-size 3M big new
	assert_success
	cmp big new
}

@test "mmap_copy: the 1 GiB default limit is checked before DST is touched" {
	truncate -s $(( (1 << 30) + 1 )) huge	# sparse
	run "$MC" huge new
	assert_refused "too large: 1073741825 bytes, more than --max-size 1073741824"
	assert_dir_holds . huge
}

@test "mmap_copy: SRC shrinking during the copy is caught, DST unchanged" {
	local n=$((256 * 4096))
	# The lab's one memcpy: the SIGBUS handler catches it; copy_bench's
	# mmap method: MADV_POPULATE_READ fails first.
	for copier in "${COPIERS[@]}"; do
		head -c "$n" /dev/urandom > src
		echo "precious" > dst
		local before
		before=$(sum dst)
		run "$AT_PHASE" mapped-dst truncate src 4096 -- $copier src dst
		assert_refused "src: file shrank while being copied"
		[ "$(sum dst)" = "$before" ]
		assert_dir_holds . src dst
	done
}

@test "mmap_copy: killed in the middle, DST is unchanged and nothing is left" {
	head -c 100000 /dev/urandom > src
	echo "precious" > dst
	local before
	before=$(sum dst)
	for sig in 9 15 2; do
		run "$AT_PHASE" copied kill "$sig" -- "$MC" src dst
		assert_failure $((128 + sig))
		[ "$(sum dst)" = "$before" ]
		assert_dir_holds . src dst
	done
}

@test "mmap_copy: full disk detected before copying (small tmpfs), DST unchanged" {
	mount_small_tmpfs
	head -c $((2 * 1024 * 1024)) /dev/urandom > src
	echo "precious" > mnt/dst
	local before
	before=$(sum mnt/dst)
	for copier in "${COPIERS[@]}"; do
		run $copier src mnt/dst
		assert_refused "mnt/dst: cannot reserve 2097152 bytes: No space left on device"
		[ "$(sum mnt/dst)" = "$before" ]
		assert_dir_holds mnt dst
	done
	# A file that fits is copied (across filesystems, for every method).
	head -c 100000 /dev/urandom > small
	for copier in "${COPIERS[@]}"; do
		run $copier small mnt/dst
		assert_success
		cmp small mnt/dst
	done
}

# At the phase mark after step 6 (steps 5 and 6 done: space reserved, DST
# mapped), another writer fills the disk (at_phase fill: as much of 1 MiB
# as fits).
@test "mmap_copy: the space is reserved: a disk filling up during the copy cannot make it fail" {
	mount_small_tmpfs
	head -c $((512 * 1024)) /dev/urandom > src
	echo "precious" > mnt/dst
	local copier
	for copier in "${COPIERS[@]}"; do
		# shellcheck disable=SC2086
		run "$AT_PHASE" mapped-dst fill mnt/filler $((1024 * 1024)) -- $copier src mnt/dst
		assert_success
		cmp src mnt/dst
		# The filler got what was left, not the reserved blocks.
		[ "$(stat -c %s mnt/filler)" -lt $((1024 * 1024 - 512 * 1024)) ] ||
			fail "$copier: the filler got $(stat -c %s mnt/filler) bytes: the reservation did not hold"
		assert_dir_holds mnt dst filler
		rm mnt/filler
		echo "precious" > mnt/dst
	done
}

@test "mmap_copy: --no-reserve: a disk filling up during the copy is reported, DST unchanged" {
	mount_small_tmpfs
	head -c $((512 * 1024)) /dev/urandom > src
	echo "precious" > mnt/dst
	local before copier
	before=$(sum mnt/dst)
	for copier in "${COPIERS[@]}"; do
		# shellcheck disable=SC2086
		run "$AT_PHASE" mapped-dst fill mnt/filler $((1024 * 1024)) -- $copier --no-reserve src mnt/dst
		case $copier in
		"$MC" | *mmap) assert_refused "mnt/dst: .*disk full or I/O error.*DST left as it was" ;;
		*) assert_refused "mnt/dst: .*No space left on device" ;;
		esac
		[ "$(sum mnt/dst)" = "$before" ]
		assert_dir_holds mnt dst filler
		rm mnt/filler
	done
}

@test "mmap_copy: as nobody, permission errors are refusals that lose nothing" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to nobody"
	local bin
	bin=$(copy_for_nobody "$MC")
	NOBODY_DIR=$bin
	mkdir "$bin/w" "$bin/ro"
	chmod 777 "$bin/w"
	seq 1 1000 > "$bin/secret"
	chmod 600 "$bin/secret"
	seq 1 2000 > "$bin/public"
	chmod 644 "$bin/public"
	echo "precious" > "$bin/w/theirs"
	chmod 644 "$bin/w/theirs"
	chmod 755 "$bin/ro"
	local before
	before=$(sum "$bin/w/theirs")
	run as_nobody "$bin/mmap_copy" "$bin/secret" "$bin/w/out"
	assert_refused "secret: cannot open: Permission denied"
	run as_nobody "$bin/mmap_copy" "$bin/public" "$bin/ro/out"
	assert_refused "ro/out: cannot create a file in .*: Permission denied"
	run as_nobody "$bin/mmap_copy" "$bin/public" "$bin/w/theirs"
	assert_refused "w/theirs: cannot write: Permission denied"
	[ "$(sum "$bin/w/theirs")" = "$before" ]
	assert_dir_holds "$bin/w" theirs
	assert_dir_holds "$bin/ro"
	# And a copy nobody may make works.
	run as_nobody "$bin/mmap_copy" "$bin/public" "$bin/w/mine"
	assert_success
	cmp "$bin/public" "$bin/w/mine"
}

# The grader's facts of a copy (tests/grade/strace_facts.awk, after
# strace_lines.awk) come from
# strace -f, which prints a call in two parts when a line of another traced
# process comes between its start and its end (a daemon that the program
# forked did so in CI): split so, each call still counts whole.
@test "the grader's strace facts: a call that strace printed in two parts counts as the call" {
	local lines=$SRCDIR/tests/grade/strace_lines.awk facts=$SRCDIR/tests/grade/strace_facts.awk whole split
	head -c 1048577 /dev/urandom >src
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o log \
		-e trace=execve,open,openat,creat,close,ftruncate,fallocate,mmap,msync,munmap -- "$MC" src dst
	cmp src dst
	# Every completed call in two parts, a sleeping process's line between them.
	awk 'match($0, /\) += /) {
		call = $2; sub(/\(.*/, "", call)
		print substr($0, 1, RSTART - 1) " <unfinished ...>"
		print "99999 clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=0},  <unfinished ...>"
		print $1 " <... " call " resumed>" substr($0, RSTART)
		next
	} { print }' log >split-log
	[ "$(grep -c 'resumed>' split-log)" -gt 10 ]
	whole=$(awk -v program="$MC" -v src=src -f "$lines" -f "$facts" log)
	split=$(awk -v program="$MC" -v src=src -f "$lines" -f "$facts" split-log)
	assert_equal "$split" "$whole"
	# The lab's copy has every fact.
	[ -n "$whole" ] && ! grep -q '=0$' <<<"$whole" || fail "$whole"
}
