# tools/findlab.sh - which program is the lab LAB? Sourced (". findlab.sh")
# by tools/run-demo and tools/cowlab-tmux, so that `make demo`, `make lab`
# and cowlab-tmux accept the same names. LAB may be:
#   a folder under support/       copy-on-write, shared-vs-private, mmap-copy
#   the name of a lab program     fork_faults, shared_vs_private
#   that name with - for _        shared-vs-private (the lab text's name)
# A folder's program is support/DIR/DIR with - turned into _ (copy-on-write ->
# fork_faults), or else the only program in that folder (shared-vs-private ->
# shared_vs_private).
#
# findlab_program BUILDDIR LAB prints the program's path and returns 0;
# returns 1 when there is no such lab, 2 when the lab's folder is there but
# its program is not built. findlab_built BUILDDIR prints the names of the
# built lab programs, on one line. Plain POSIX sh: no bashisms.

# The built lab programs: executable files in BUILDDIR/support/*/.
findlab_paths() {
	for findlab_f in "$1"/support/*/*; do
		[ -f "$findlab_f" ] && [ -x "$findlab_f" ] && printf '%s\n' "$findlab_f"
	done
	return 0
}

findlab_built() {
	findlab_paths "$1" | sed 's|.*/||' | sort -u | paste -sd ' ' -
}

# Exactly one line of input: print it. None or several: fail.
findlab_only_one() {
	findlab_one=$(cat)
	[ -n "$findlab_one" ] && [ "$(printf '%s\n' "$findlab_one" | wc -l)" -eq 1 ] &&
		printf '%s\n' "$findlab_one"
}

findlab_program() {
	findlab_build=$1 findlab_lab=$2
	case $findlab_lab in
	''|*/*|.*) return 1 ;;
	esac
	findlab_dir=$findlab_build/support/$findlab_lab
	if [ -d "$findlab_dir" ]; then
		findlab_conv=$findlab_dir/$(printf '%s' "$findlab_lab" | tr - _)
		if [ -x "$findlab_conv" ] && [ -f "$findlab_conv" ]; then
			printf '%s\n' "$findlab_conv"
			return 0
		fi
		findlab_paths "$findlab_build" | while read -r findlab_f; do
			[ "${findlab_f%/*}" = "$findlab_dir" ] && printf '%s\n' "$findlab_f"
		done | findlab_only_one && return 0
		return 2
	fi
	# A program's name, as typed or with - turned into _.
	findlab_name=$(printf '%s' "$findlab_lab" | tr - _)
	findlab_paths "$findlab_build" | while read -r findlab_f; do
		[ "${findlab_f##*/}" = "$findlab_lab" ] || [ "${findlab_f##*/}" = "$findlab_name" ] &&
			printf '%s\n' "$findlab_f"
	done | sort -u | findlab_only_one
}
