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

# lab_bin copy-on-write -> $BUILDDIR/support/copy-on-write/fork_faults: the
# lab's program, as the lab registry (labs/registry.tsv) names it.
lab_bin() {
	local program
	program=$(awk -F '\t' -v id="$1" '!/^#/ && $1 == id { print $2 }' "$SRCDIR/labs/registry.tsv")
	[ -n "$program" ] || { echo "lab_bin: $1 is not a lab of labs/registry.tsv" >&2; return 1; }
	echo "$BUILDDIR/support/$1/$program"
}

# slack NAME: a slack of cowlab's one slack policy, labs/slack.tsv (where
# each is explained). Bounds that are not rows of an expectation table (the
# tools' own tests, two channels compared) take their slack from there too.
slack() {
	local value
	value=$(awk -F '\t' -v name="$1" '!/^#/ && $1 == name { print $2 }' "$SRCDIR/labs/slack.tsv")
	[ -n "$value" ] || { echo "slack: no slack $1 in labs/slack.tsv" >&2; return 1; }
	echo "$value"
}

# row_bounds ID/ROW: "LOW HIGH" of a row of an expectation table, evaluated
# on this machine (for a test that checks the same claim through another
# channel than the program's result: lines).
row_bounds() {
	"$SRCDIR/tools/cowlab-expect" --srcdir "$SRCDIR" --bindir "$BUILDDIR" rows "$1" | cut -f6,7 | tr '\t' ' '
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
# Run by a normal user (make check without root), the suite is unprivileged
# already: the command runs as that user, who has no more rights than
# nobody to what the tests look at (a test that needs a user other than its
# own says so with require_root).
as_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
	else
		"$@"
	fi
}

# require_root [WHY]: skip unless root (for kpagecount, PFNs, drop_caches,
# another user's process), saying why.
require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root${1:+: $1}"
}

# --- Reading lab output (lab programs print "KIND: phase=P name=value ...").
# lab_field KIND PHASE NAME [ROLE]: the value of NAME= on the first line
# "KIND: phase=PHASE ..." of $output (bats' run), with role=ROLE when given;
# e.g. lab_field result child-wrote minor, lab_field result child-wrote pid child-vm.
# (The bounds of these values are rows of the expectation tables,
# support/ID/expect.tsv, checked by tests/expect.sh: a test reads a value to
# compare it with another channel or to check a format.)
lab_field() {
	printf '%s\n' "$output" | awk -v kind="$1:" -v phase="phase=$2" -v name="$3=" -v role="${4:+role=$4}" '
		$1 == kind && $2 == phase && (role == "" || index(" " $0 " ", " " role " ")) {
			for (i = 3; i <= NF; i++)
				if (index($i, name) == 1) { print substr($i, length(name) + 1); exit }
		}'
}

# scenario_param LAB SCENARIO NAME: the value of NAME in the PARAMS of the scenario
# line of support/LAB/expect.tsv (the published one, not a seeded draw)
scenario_param() {
	awk -F'\t' -v scen="$2" -v name="$3" '
		$1 == "scenario" && $2 == scen {
			n = split($3, w, " ")
			for (i = 1; i <= n; i++)
				if (index(w[i], name "=") == 1) { print substr(w[i], length(name) + 2); exit }
		}' "$SRCDIR/support/$1/expect.tsv"
}

# assert_between VALUE LOW HIGH WHAT: LOW <= VALUE <= HIGH, VALUE a number.
assert_between() {
	if [[ ! $1 =~ ^-?[0-9]+$ ]] || (($1 < $2 || $1 > $3)); then
		fail "$4: '$1' is not in [$2, $3]"
	fi
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

# The sed script that makes uvm.c's reference counts not atomic, for the
# race tests (tests/user_cow.bats, tests/cowlab_grade.bats): a load, a
# pause, a store. (Plain ++ and -- compile to one add on memory, whose
# window is so narrow that the R rounds of a race on a quiet machine may
# lose no update: the CI runs saw it. The pause widens the window as a
# racer preempted between its load and its store does.)
NOT_ATOMIC_UVM='s/__atomic_add_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/{ int v = frames->refcount[f]; for (volatile int i = 0; i < 2000; i++) continue; frames->refcount[f] = v + 1; }/; s/left = __atomic_sub_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/{ int v = frames->refcount[f]; for (volatile int i = 0; i < 2000; i++) continue; left = frames->refcount[f] = v - 1; }/'
