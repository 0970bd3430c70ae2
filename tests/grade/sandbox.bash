# tests/grade/sandbox.bash - the sandbox of student code, shared by
# cowlab-grade (for the build) and the graded checks (for every run).
#
# Every run of student code (its build included) happens in a sandbox made
# by bubblewrap (bwrap) as root:
#   - a PID namespace: when the run ends, every process it started dies
#     with it (whatever it forked or setsid), in one operation of the
#     kernel that cannot lose a race with fork;
#   - a mount namespace that shows only /usr (and the /bin, /lib links),
#     a few files of /etc, a new /proc and minimal /dev, a private empty
#     /tmp of a fixed size, the run directory (writable), the programs
#     under test and the instrument (read-only): no kit tree, no reference
#     build, no other student, no report;
#   - no network (an empty network namespace), its own IPC and UTS;
#   - student code runs as a user of its own (SANDBOX_UID, one per lane,
#     allocated per grading run), with no groups, no capabilities (bounding
#     set empty), no_new_privs, limits on tasks, address space, file size,
#     open files and core dumps, and a time limit;
#   - its environment is empty but for PATH, HOME, LC_ALL (and the
#     sampler's mark pipe): nothing names the kit's or the grader's paths;
#   - it gets file descriptors 0, 1 and 2 only (every other one is closed
#     before the sandbox starts; the sampler adds its mark pipe).
# The instrument (cowsample or strace) runs in the sandbox too, as root,
# before the user changes: it sees the same PIDs as the lab programs (a
# mark line "PID PHASE" carries the PID of the namespace) and writes into a
# directory of the grader (mode 0700, root) that student code cannot open.
#
# The caller sets:
#   SANDBOX_UID      the user of student code (empty: --unsafe without root)
#   SANDBOX_TIMEOUT  seconds a run may take
#   SANDBOX_NPROC SANDBOX_AS SANDBOX_FSIZE SANDBOX_NOFILE   the limits
#   SANDBOX_TMP      bytes of the private /tmp
#   SANDBOX_UNSAFE   1: no sandbox (--unsafe): limits, uid and time only
#   SANDBOX_RO       files shown read-only at their own path (the programs
#                    under test), one per line
#   SANDBOX_OUTPUT_CAP  bytes kept of a run's stdout and of its stderr
# Sourced, it defines the functions below; run as a script (bash
# sandbox.bash FUNCTION ARGS...), it calls one of them in a fresh shell
# (bats' per-command debug trap makes them ten times slower in a check).

# sandbox_unavailable: prints why the sandbox cannot be had here (and
# returns 1), or nothing.
sandbox_unavailable() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root (the sandbox gives student code a user of its own)"
		return 1
	fi
	if ! command -v bwrap >/dev/null 2>&1; then
		echo "bwrap not found (Debian package bubblewrap; run tools/install-deps)"
		return 1
	fi
	if ! bwrap --unshare-pid --unshare-net --unshare-ipc --unshare-uts --unshare-cgroup \
		--ro-bind / / --proc /proc --dev /dev --tmpfs /tmp -- /usr/bin/true 2>/dev/null; then
		echo "bwrap cannot make namespaces here (a container that forbids them?)"
		return 1
	fi
}

# close_inherited_fds: in a subshell about to exec student code, close
# every descriptor but 0, 1 and 2 (bats' fd 3 and anything else the
# grader holds: its TAP, its locks, its reports).
close_inherited_fds() {
	local entry fd
	for entry in /proc/self/fd/*; do
		fd=${entry##*/}
		[[ $fd =~ ^[0-9]+$ ]] && [ "$fd" -gt 2 ] || continue
		exec {fd}>&-
	done
}

# The part of a run that happens inside the sandbox, as root, around the
# student's command: the time limit, the limits and the change of user;
# then (whatever the command did) every process of the user in this PID
# namespace is killed, so that an instrument waiting for them (a setsid
# daemon) ends at once. The kill uses bash's builtins only: an instrument
# traces this shell too, and an exec or an open here would show in its log.
# Exit status: the command's; 124 when it was stopped at the time limit.
# Arguments: UID TIMEOUT NPROC AS FSIZE NOFILE -- COMMAND...
SANDBOX_INNER='
uid=$1 limit=$2 nproc=$3 as=$4 fsize=$5 nofile=$6
shift 7
drop=()
[ -z "$uid" ] || drop=(setpriv "--reuid=$uid" "--regid=$uid" --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs --)
# Standard error belongs to the command; messages of this shell go nowhere.
exec 3>&2 2>/dev/null
SECONDS=0
timeout -k 1 "$limit" prlimit "--nproc=$nproc" "--as=$as" "--fsize=$fsize" \
	"--nofile=$nofile" --core=0 -- "${drop[@]}" "$@" 2>&3 3>&-
status=$?
exec 3>&-
if [ $status -eq 124 ] || { [ $status -gt 128 ] && [ $SECONDS -ge "$limit" ]; }; then
	status=124
fi
# A pass lists /proc first: a process forked after the listing by one that
# then exits (a double-forking daemon) is only in the next pass'"'"'s list. So
# the passes end after three in a row that found no process of the user.
empty=0
for ((pass = 0; pass < 100 && empty < 3 && ${#uid} > 0; pass++)); do
	left=0
	for dir in /proc/[0-9]*; do
		owner=""
		{ while read -r key real _; do
			[ "$key" = Uid: ] && { owner=$real; break; }
		done <"$dir/status"; }
		[ "$owner" = "$uid" ] || continue
		kill -KILL "${dir#/proc/}"
		left=1
	done
	if [ $left -eq 1 ]; then empty=0; else empty=$((empty + 1)); fi
done
exit $status
'

# sandbox_run RUN_DIR OUT_DIR N [TOOL...] COMMAND...: run COMMAND (student
# code) in the sandbox with RUN_DIR as its writable working directory. A
# TOOL (cowsample, strace) runs as root inside the sandbox around it and
# may write into OUT_DIR (a directory of the grader); N is the number of
# words of TOOL (its command and arguments; 0: no tool). stdin is /dev/null;
# stdout and stderr are the caller's. Exit status: COMMAND's (124: stopped
# at the time limit), or the TOOL's.
sandbox_run() {
	local run_dir=$1 out_dir=$2 tool=("${@:4:$3}") ro
	shift $((3 + $3))
	local inner=(bash -c "$SANDBOX_INNER" sandbox "${SANDBOX_UID:-}" "$SANDBOX_TIMEOUT"
		"$SANDBOX_NPROC" "$SANDBOX_AS" "$SANDBOX_FSIZE" "$SANDBOX_NOFILE" --)
	if [ "${SANDBOX_UNSAFE:-0}" -eq 1 ]; then
		(
			close_inherited_fds
			cd "$run_dir" || exit 126
			exec timeout --foreground -k 2 $((SANDBOX_TIMEOUT + 15)) \
				"${tool[@]}" "${inner[@]}" "$@" </dev/null
		)
		return
	fi
	local bw=(bwrap --die-with-parent --new-session
		--unshare-pid --unshare-net --unshare-ipc --unshare-uts --unshare-cgroup
		--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin
		--symlink usr/lib /lib)
	[ -e /lib64 ] && bw+=(--symlink usr/lib64 /lib64)
	bw+=(--proc /proc --dev /dev --perms 1777 --size "$SANDBOX_TMP" --tmpfs /tmp)
	local system=()
	for ro in /etc/ld.so.cache /etc/alternatives /sys/kernel/mm/transparent_hugepage; do
		[ -e "$ro" ] && system+=("$ro")
	done
	local shown=()
	case ${tool[0]:-} in /usr/*) ;; /*) shown+=("${tool[0]}") ;; esac
	local IFS=$'\n'
	shown+=(${SANDBOX_RO:-})
	unset IFS
	sandbox_mkdirs bw "${system[@]}" "$run_dir" "$out_dir" "${shown[@]}"
	for ro in "${system[@]}"; do
		bw+=(--ro-bind "$ro" "$ro")
	done
	bw+=(--bind "$run_dir" "$run_dir")
	[ -z "$out_dir" ] || bw+=(--bind "$out_dir" "$out_dir")
	for ro in "${shown[@]}"; do
		bw+=(--ro-bind "$ro" "$ro")
	done
	bw+=(--chdir "$run_dir" --clearenv --setenv PATH /usr/bin:/bin --setenv HOME "$run_dir"
		--setenv LC_ALL C)
	local var
	for var in ASAN_OPTIONS UBSAN_OPTIONS; do	# the sanitizer build's, never a path
		[ -n "${!var:-}" ] && [[ ${!var} != */* ]] && bw+=(--setenv "$var" "${!var}")
	done
	(
		close_inherited_fds
		exec timeout --foreground -k 2 $((SANDBOX_TIMEOUT + 15)) \
			"${bw[@]}" -- "${tool[@]}" "${inner[@]}" "$@" </dev/null
	)
}

# sandbox_mkdirs ARRAY PATH...: add to the bwrap command ARRAY a mode-0755
# directory for every ancestor of each PATH, so that student code can reach
# the paths (and nothing else in those directories).
sandbox_mkdirs() {
	local -n cmd=$1
	local path dir seen=" / /tmp /usr "
	shift
	for path in "$@"; do
		[ -n "$path" ] || continue
		dir=${path%/*}
		local chain=()
		while [ -n "$dir" ] && [[ $seen != *" $dir "* ]]; do
			chain=("$dir" "${chain[@]}")
			seen+="$dir "
			dir=${dir%/*}
		done
		for dir in "${chain[@]}"; do
			cmd+=(--perms 0755 --dir "$dir")
		done
	done
}

# sandbox_kill_user UID: end every process of the user that is left (there
# should be none: each run's PID namespace took its processes with it);
# wait until they are gone, at most 10 s.
sandbox_kill_user() {
	local deadline=$((SECONDS + 10))
	while pgrep -U "$1" >/dev/null; do
		pkill -KILL -U "$1"
		if [ $SECONDS -ge $deadline ]; then
			echo "processes of user $1 outlived SIGKILL for 10 s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# cap_stream FILE: copy stdin into FILE up to SANDBOX_OUTPUT_CAP bytes; the
# rest is counted, not kept (a note at the end of FILE says how much).
cap_stream() {
	local rest
	head -c "$SANDBOX_OUTPUT_CAP" >"$1"
	rest=$(wc -c)
	[ "$rest" -eq 0 ] ||
		printf '\n[output truncated: %s more bytes were not kept (limit %s bytes)]\n' \
			"$rest" "$SANDBOX_OUTPUT_CAP" >>"$1"
}

# sandbox_capture OUT ERR CMD...: run CMD with its stdout and stderr going
# to the files OUT and ERR through cap_stream (never held in memory);
# returns CMD's status. The directory of OUT is made (mode 0700) if needed.
sandbox_capture() {
	local out=$1 err=$2
	shift 2
	mkdir -p -m 0700 "${out%/*}" || return 1
	{ { "$@" 2>&1 1>&3 3>&- | cap_stream "$err"; exit "${PIPESTATUS[0]}"; } 3>&1 |
		cap_stream "$out"; } 
	return "${PIPESTATUS[0]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case ${1:-} in
	sandbox_capture | sandbox_run | sandbox_kill_user) "$@" ;;
	*) echo "sandbox.bash: unknown function '${1:-}'" >&2; exit 2 ;;
	esac
fi
