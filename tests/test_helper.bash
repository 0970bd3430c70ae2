# tests/test_helper.bash - loaded by every bats file: `load test_helper`.
#
# make check exports COWLAB_SRCDIR (sources, may be read-only in distcheck)
# and COWLAB_BUILDDIR (built programs).

bats_load_library bats-support
bats_load_library bats-assert

: "${COWLAB_SRCDIR:?run the tests with make check}"
: "${COWLAB_BUILDDIR:?run the tests with make check}"
SRCDIR=$COWLAB_SRCDIR
BUILDDIR=$COWLAB_BUILDDIR
COWSAMPLE=$BUILDDIR/tools/cowsample
COWMAP=$BUILDDIR/tools/cowmap

# lab_bin copy-on-write -> $BUILDDIR/support/copy-on-write/fork_faults
# (the program's name is the registry's second column)
lab_bin() {
	local lab=$1 prog
	prog=$(awk -F'\t' -v id="$lab" '$1 == id { print $2; exit }' "$SRCDIR/labs/registry.tsv")
	echo "$BUILDDIR/support/$lab/${prog:-${lab//-/_}}"
}

# LeakSanitizer cannot run in a process that is being ptraced. In the
# sanitizer build, a program run under cowsample gets detect_leaks=0; every
# other run keeps leak checking. Usage: "$COWSAMPLE" ... -- $(traced_env) prog
traced_env() {
	echo env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

# Copy programs into a fresh directory that user nobody can reach (the
# build tree may sit under a mode-700 home). Prints the directory. It lies
# in bats' own temporary directory, which bats removes after the run; its
# parents get o+x (search only) so that nobody can reach it.
copy_for_nobody() {
	local dir parent
	dir=$(mktemp -d "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/nobody.XXXXXX")
	parent=$dir
	while [ "$parent" != "$BATS_RUN_TMPDIR" ] && [ "$parent" != / ]; do
		parent=$(dirname "$parent")
		chmod o+x "$parent"
	done
	chmod 755 "$dir"
	cp "$@" "$dir/"
	chmod 755 "$dir"/*
	echo "$dir"
}

# Run a command as nobody, without any of root's groups or capabilities.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
}

# Skip unless root (for kpagecount, PFNs, drop_caches).
require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# --- Reading lab output (lab programs print "KIND: phase=P name=value ...").
# lab_field KIND PHASE NAME: the value of NAME= on the line "KIND: phase=PHASE ..."
# of $output (bats' run), e.g. lab_field result child-wrote minor.
lab_field() {
	printf '%s\n' "$output" | awk -v kind="$1:" -v phase="phase=$2" -v name="$3=" '
		$1 == kind && $2 == phase {
			for (i = 3; i <= NF; i++)
				if (index($i, name) == 1) { print substr($i, length(name) + 1); exit }
		}'
}

# is_sanitized BIN: true when BIN was built with AddressSanitizer (the
# sanitizer build of .ci/run), whose runtime takes faults of its own.
is_sanitized() {
	grep -qa __asan_init "$1"
}

# assert_usage_error PROGRAM ARGS...: a usage error as the brief wants it:
# exit status 2, nothing on stdout, one line on stderr "program: what: why".
# (Test files using it call bats_require_minimum_version 1.5.0.)
assert_usage_error() {
	run --separate-stderr "$@"
	[ "$status" -eq 2 ] || fail "'$*': status $status, expected 2"
	[ -z "$output" ] || fail "'$*': wrote to stdout: $output"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "'$*': not one line: $stderr"
	[[ $stderr == "$(basename "$1"): "* ]] || fail "'$*': $stderr"
}
