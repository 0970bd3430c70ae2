#!/usr/bin/env bats
# tools/cowlab, the kit's front door (installed, it runs with no build tree;
# make installcheck checks that): the registry's names, its programs, its
# refusals, and its manual.

load test_helper

COWLAB=$SRCDIR/tools/cowlab

# The registry's lab lines: id, program, title.
registry_labs() {
	awk -F '\t' '!/^#/ && NF >= 6 { print $1 "\t" $2 "\t" $6 }' "$SRCDIR/labs/registry.tsv"
}

@test "cowlab list: every lab of the registry, in its order, with its program and title" {
	run "$COWLAB" list
	assert_success
	local want
	want=$(registry_labs | awk -F '\t' '{ printf "%-18s %-20s %s\n", $1, $2, $3 }')
	assert_equal "$output" "$want"
}

@test "cowlab run and text: each lab's program and text, by its id" {
	local id program title
	while IFS=$'\t' read -r id program title; do
		run "$COWLAB" text "$id"
		assert_success
		assert_equal "$output" "$(cd "$SRCDIR/labs" && pwd)/$id.md"
		run "$COWLAB" run "$id" --help
		assert_success
		[[ $output == *"$program"* ]] || fail "cowlab run $id --help is not $program's: $output"
	done < <(registry_labs)
}

@test "cowlab run: a lab runs through with --batch and prints its result: lines" {
	run "$COWLAB" run demand-paging --batch
	assert_success
	assert_output --partial "result: phase="
}

@test "cowlab: wrong names and usage are one line and status 2" {
	local args
	for args in "" "nonsense" "run" "run no-such-lab" "run ../copy-on-write" "text" \
		"text no-such-lab" "lab" "lab no-such-lab" "list extra" "where extra"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$COWLAB" $args
		[ "$status" -eq 2 ] || fail "cowlab $args: status $status"
		[ -n "$args" ] || continue
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "cowlab $args: $stderr"
		[[ $stderr == "cowlab: "* ]] || fail "cowlab $args: $stderr"
	done
	run --separate-stderr "$COWLAB" run no-such-lab
	[[ $stderr == *"copy-on-write"* ]] || fail "the refusal does not list the labs: $stderr"
}

@test "cowlab: every command of --help is in the man page, and the other way round" {
	local c
	for c in $("$COWLAB" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
		grep -q "^\.B\R\? $c\b" "$SRCDIR/tools/cowlab.1" || fail "$c is not in cowlab.1"
	done
	# the man page's commands: the first word after each .TP of COMMANDS
	for c in $(awk '/^\.SH/ { on = ($2 == "COMMANDS") } on && tp { print $2 } { tp = ($0 == ".TP") }' \
		"$SRCDIR/tools/cowlab.1"); do
		"$COWLAB" --help | grep -qE "^  $c( |$)" || fail "$c of the man page is not in --help"
	done
}
