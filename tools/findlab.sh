# tools/findlab.sh - the lab registry (labs/registry.tsv) for shell scripts.
# Sourced (". findlab.sh") by tools/run-demo, tools/cowlab-tmux and the
# make targets (demo, lab, quiz), so that every one of them accepts the same
# names: the registry's ids, and nothing else. Plain POSIX sh: no bashisms.
#
#   findlab_init DIR       find the registry: $COWLAB_REGISTRY, else
#                          DIR/../labs/registry.tsv (the source tree, and the
#                          installed kit, which has its layout);
#                          returns 1 (and says why on stderr) when none is found
#   findlab_ids            the ids, in the registry's order, on one line
#   findlab_is_id ID       true when ID is a lab's id
#   findlab_field ID COL   one column of a lab's line: program, graded, root,
#                          quizzes, title, shows
#   findlab_program BUILDDIR ID
#                          prints BUILDDIR/support/ID/PROGRAM; returns 1 when
#                          ID is not a lab, 2 when its program is not built
#   findlab_refusal ID     the one-line refusal of a wrong name, with the
#                          list of valid ids

findlab_init() {
	findlab_reg=
	for findlab_f in "${COWLAB_REGISTRY:-}" "$1/../labs/registry.tsv"; do
		if [ -n "$findlab_f" ] && [ -f "$findlab_f" ]; then
			findlab_reg=$findlab_f
			return 0
		fi
	done
	echo "findlab: no lab registry (labs/registry.tsv) near $1" >&2
	return 1
}

# The registry's lab lines (no comments, no blank lines).
findlab_lines() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$findlab_reg"
}

findlab_ids() {
	findlab_lines | cut -f1 | paste -sd ' ' -
}

findlab_is_id() {
	case $1 in
	'' | *[!a-z0-9-]*) return 1 ;;
	esac
	findlab_lines | cut -f1 | grep -qx -e "$1"
}

# Columns: id program graded root quizzes title shows.
findlab_field() {
	findlab_is_id "$1" || return 1
	case $2 in
	program) findlab_col=2 ;;
	graded) findlab_col=3 ;;
	root) findlab_col=4 ;;
	quizzes) findlab_col=5 ;;
	title) findlab_col=6 ;;
	shows) findlab_col=7 ;;
	*) return 1 ;;
	esac
	findlab_lines | awk -F '\t' -v id="$1" -v col="$findlab_col" '$1 == id { print $col; exit }'
}

findlab_program() {
	findlab_is_id "$2" || return 1
	findlab_path=$1/support/$2/$(findlab_field "$2" program)
	[ -f "$findlab_path" ] && [ -x "$findlab_path" ] || return 2
	printf '%s\n' "$findlab_path"
}

findlab_refusal() {
	printf '%s: no such lab (the labs: %s)' "$1" "$(findlab_ids)"
}

# findlab_quizzes ID: the lab's quiz names (quiz/NAME.md), one per line, in
# the order its text asks them; nothing for a lab without quizzes.
findlab_quizzes() {
	findlab_field "$1" quizzes | tr ',' '\n' | grep -v -e '^-$' -e '^$'
}

# findlab_graded_files FILES: the lines of tools/skel/FILES (paths
# ID/FILE) whose lab is graded in the registry, in FILES' order. FILES says
# which files make up a graded lab; the registry says which labs are
# graded. Fails, saying which, when a line names no lab of the registry or
# a graded lab has no file in FILES.
findlab_graded_files() {
	findlab_bad=0
	while IFS= read -r findlab_line; do
		case $findlab_line in '' | '#'*) continue ;; esac
		findlab_id=${findlab_line%%/*}
		if ! findlab_is_id "$findlab_id" || [ "$findlab_id" = "$findlab_line" ]; then
			echo "$1: '$findlab_line' is not a file of a lab of the registry" >&2
			findlab_bad=1
		elif [ "$(findlab_field "$findlab_id" graded)" = yes ]; then
			printf '%s\n' "$findlab_line"
		fi
	done <"$1"
	for findlab_id in $(findlab_ids); do
		[ "$(findlab_field "$findlab_id" graded)" = yes ] || continue
		grep -q "^$findlab_id/" "$1" || {
			echo "$1: the graded lab $findlab_id has no file in it" >&2
			findlab_bad=1
		}
	done
	return $findlab_bad
}
