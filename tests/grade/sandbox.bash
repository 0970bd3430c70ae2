# tests/grade/sandbox.bash - the sandbox of student code, shared by
# cowlab-grade (for the build) and the graded checks (for every run).

# make_sandbox NPROC AS_BYTES FSIZE_BYTES [UID]: set SANDBOX to the command
# prefix that runs student code with limits on processes (tasks), address
# space, file size and core dumps, and, given a UID (when grading as root),
# as that user, with no groups and no capabilities.
make_sandbox() {
	SANDBOX=(prlimit "--nproc=$1" "--as=$2" "--fsize=$3" --core=0 --)
	if [ -n "${4:-}" ]; then
		SANDBOX+=(setpriv "--reuid=$4" "--regid=$4" --clear-groups --inh-caps=-all --)
	fi
}

# kill_user UID: end every process of the user and wait until they are gone
# (reaped too), at most 10 s. pkill as root, again while any is left: a
# fork bomb forks while it is killed. (Not "kill -1" as that user: a user
# at its process limit cannot even exec kill.)
kill_user() {
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
