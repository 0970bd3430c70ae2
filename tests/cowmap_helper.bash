# tests/cowmap_helper.bash - drive a test subject step by step (no sleeps).
#
# start_subject CMD...   runs CMD with its stdin and stdout on FIFOs;
#                        fd 5 writes to it, fd 6 reads from it
# next_line              reads its next line into LINE (30 s deadline)
# step                   tells it to go on, then reads its next line
# field NAME             the value of NAME=VALUE in LINE
# stop_subject           closes its stdin (it then exits) and waits

start_subject() {
	mkfifo "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	"$@" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 3>&- &
	SUBJECT=$!
	exec 5>"$BATS_TEST_TMPDIR/in" 6<"$BATS_TEST_TMPDIR/out"
}

next_line() {
	read -r -t 30 LINE <&6 || { echo "the test subject said nothing in 30 s" >&2; return 1; }
}

step() {
	echo >&5
	next_line
}

field() {
	local word
	for word in $LINE; do
		[ "${word%%=*}" = "$1" ] && { echo "${word#*=}"; return 0; }
	done
	return 1
}

stop_subject() {
	if [ -n "${SUBJECT:-}" ]; then
		exec 5>&-
		wait "$SUBJECT" || true
		exec 6<&-
		SUBJECT=
	fi
}

# start_cowpages [--thp] N K: sets PARENT, CHILD, ADDR.
start_cowpages() {
	start_subject "$@"
	next_line
	PARENT=$(field parent)
	CHILD=$(field child)
	ADDR=$(field addr)
}

# The count of STATE in a cowmap --diff summary (in $output).
diff_count() {
	awk -v s="$1" '$1 == s { print $2 }' <<<"$output"
}

# A column of the one-row cowmap --tsv=maps output for the buffer.
map_column() {
	local name=$1
	shift
	${CM:-$COWMAP} --tsv=maps --map "$ADDR" "$@" |
		awk -F'\t' -v c="$name" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
			{ print $k }'
}
