#!/usr/bin/env bats
# What a student reads matches the data it quotes: every measured number,
# PFN and example output of the lab texts is tied (tools/lab-data) to a
# committed file under media/, and the labs still print the result: lines
# those example outputs show.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	LABDATA="$SRCDIR/tools/lab-data"
}

# A copy of a text in the test's directory, checked against the real media/.
copy_text() {
	# (writable: in distcheck the sources are read-only, and a copy keeps
	# the mode; only root writes such a file anyway)
	cp "$SRCDIR/labs/$1" "$BATS_TEST_TMPDIR/$1" && chmod u+w "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

@test "lab texts: every quoted measurement agrees with the data it names" {
	run sh "$LABDATA" "$SRCDIR"/README.md "$SRCDIR"/labs/*.md
	assert_success
	assert_output ""
}

@test "lab-data: a number that disagrees with its data fails, with the value of the data" {
	local text
	text=$(copy_text fork-cost.md)
	# vfork's least latency, made wrong
	sed -i 's/[0-9.]*<!-- data: fork-cost.tsv method=vfork latency_us min/9999&/; s/9999[0-9.]*</9999</' "$text"
	grep -q '9999<!-- data: fork-cost.tsv method=vfork latency_us min' "$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_output --regexp "fork-cost.md:[0-9]+: 9999 does not match fork-cost.tsv: the data says [0-9.]+"
}

@test "lab-data: a measured number with no marker fails" {
	local text
	text=$(copy_text copy-on-write.md)
	printf '\nThe fork took 5 ms here, and the child `minor=7`.\n' >>"$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_line --partial "time '5 ms"
	assert_line --partial "' has no data marker"
	assert_line --partial "fault count 'minor=7' has no data marker"
}

@test "lab-data: an example output that is not its file fails; an unmarked one too" {
	local text
	text=$(copy_text copy-on-write.md)
	# change one line inside the first data block
	sed -i '0,/^  shared             1024/s//  shared             1000/' "$text"
	printf '\n```text\nresult: phase=made-up minor=1\n```\n' >>"$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_line --regexp "block differs from copy-on-write-initial.txt"
	assert_line --partial "example output (\`\`\`text block) has no data marker"
}

@test "lab-data: a quoted result: line is checked field by field" {
	local text
	text=$(copy_text mprotect-cow.md)
	sed -i 's/`intact: pages=1024 intact=1024`/`intact: pages=1024 intact=1000`/' "$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_output --partial "'intact=1000' in 'intact: pages=1024 intact=1000': examples/mprotect-cow.out says intact=1024"
}

@test "lab-data: a marker whose data file is missing fails" {
	local text=$BATS_TEST_TMPDIR/t.md
	printf 'It took 3 ms<!-- data: no-such.tsv kind=x ms -->.\n' >"$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_output --partial "no-such.tsv: missing or empty"
	printf 'It took 3 ms<!-- data: ../labs/registry.tsv x -->.\n' >"$text"
	run sh "$LABDATA" --media "$SRCDIR/media" "$text"
	assert_failure
	assert_output --partial "must be a path under media/"
}

@test "lab-data --update: writes the data's values into a text, rounded as the text wrote them" {
	local media=$BATS_TEST_TMPDIR/media text=$BATS_TEST_TMPDIR/t.md
	mkdir -p "$media"
	printf 'kind\tns\ncow\t3069.5\n' >"$media/cost.tsv"
	printf 'line: phase=a n=5 m=x\n' >"$media/run.out"
	printf 'About 1.0 us<!-- data: cost.tsv kind=cow ns /1000 --> per fault; `line: phase=a n=4`<!-- data: run.out line -->.\n' >"$text"
	printf '<!-- data: run.out -->\n```text\nold\n```\n' >>"$text"
	run sh "$LABDATA" --media "$media" "$text"
	assert_failure
	run sh "$LABDATA" --update --media "$media" "$text"
	run sh "$LABDATA" --media "$media" "$text"
	assert_success
	grep -qF 'About 3.1 us<!-- data: cost.tsv kind=cow ns /1000 -->' "$text"
	grep -qF '`line: phase=a n=5`<!-- data: run.out line -->' "$text"
	grep -qxF 'line: phase=a n=5 m=x' "$text"
}

# The result: lines of an example output, as "phase role keys" lines.
result_shape() {
	sed -n 's/^result: //p' | awk '{
		line = ""
		for (i = 1; i <= NF; i++) {
			eq = index($i, "=")
			k = substr($i, 1, eq - 1)
			line = line " " ((k == "phase" || k == "role") ? $i : k)
		}
		print substr(line, 2)
	}'
}

@test "example outputs: each lab still prints the result: lines its kept output shows" {
	local file cmd id prog args checked=0 fresh needs not_here=""
	for file in "$SRCDIR"/media/examples/*.out; do
		cmd=$(head -n 1 "$file")
		case $cmd in '$ support/'*) ;; *) continue ;; esac
		# "$ support/ID/PROG --batch ARGS...": ID and PROG from the registry
		read -r _ prog args <<<"$cmd"
		id=${prog#support/}
		id=${id%%/*}
		[ "$(lab_bin "$id")" = "$BUILDDIR/$prog" ] ||
			fail "$file: $prog is not the registry's program for lab $id"
		# A lab that needs root as a whole (the registry's root column) says
		# only that it skipped, without root: checked as root.
		needs=$(awk -F '\t' -v id="$id" '!/^#/ && $1 == id { print $4 }' "$SRCDIR/labs/registry.tsv")
		if [ "$(id -u)" -ne 0 ] && [[ $needs == *"(the whole lab)" ]]; then
			not_here+="$id: $needs; "
			checked=$((checked + 1))
			continue
		fi
		# (the arguments are words of the kept file: passed as arguments only)
		local -a argv
		read -r -a argv <<<"$args"
		case $id in
		mmap-copy)
			head -c 1048576 /dev/urandom >"$BATS_TEST_TMPDIR/source"
			argv=(--batch -v "$BATS_TEST_TMPDIR/source" "$BATS_TEST_TMPDIR/copy") ;;
		fork-cost)
			# the phases do not depend on how often each point is repeated
			# and the tables go to the test's directory
			local i
			for i in "${!argv[@]}"; do
				case ${argv[$i]} in
				--repeat) argv[i + 1]=1 ;;
				-o|--fault-cost-o) argv[i + 1]=$BATS_TEST_TMPDIR/table-$i.tsv ;;
				esac
			done ;;
		esac
		fresh=$(cd "$BUILDDIR" && "./$prog" "${argv[@]}" </dev/null 2>&1) ||
			fail "$prog ${argv[*]}: failed"
		# as sets: where a child and its parent print at once (a spawned
		# image, a child running beside its parent) the order is the
		# scheduler's, not the lab's
		diff <(result_shape <"$file" | LC_ALL=C sort) <(result_shape <<<"$fresh" | LC_ALL=C sort) ||
			fail "$prog no longer prints the result: lines of media/examples/${file##*/}"
		grep -qE '^[a-z][a-z_-]*: [a-z_]+=' "$file" || fail "$file: no line for scripts"
		rm -f "$BATS_TEST_TMPDIR/copy"
		checked=$((checked + 1))
	done
	[ $checked -ge "$(grep -vc '^#' "$SRCDIR/labs/registry.tsv")" ] || fail "only $checked example outputs checked"
	[ -z "$not_here" ] || skip "needs root: ${not_here%; } (every other lab's output was checked)"
}
