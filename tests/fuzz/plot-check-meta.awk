# tests/fuzz/plot-check-meta.awk - check that a meta.gp written by
# tools/plot/prepare.awk holds only data: statements (joined by "; ") of the
# forms  name = NUMBER,  name[N] = NUMBER,  name = 'STRING',
# name[N] = 'STRING'  and  array name[N],  where NUMBER is a finite number
# as awk prints it and STRING has no quote but doubled ones, no control
# character. Prints the first line that is not, and exits 1.
#
#   LC_ALL=C awk -f plot-check-meta.awk meta.gp

BEGIN {
	name = "[a-z_][a-z_0-9]*(\\[[0-9]+\\])?"
	number = "-?[0-9]+(\\.[0-9]*)?(e[-+][0-9]+)?"
	string = "'([^'\001-\037\177]|'')*'"
	stmt = "(array [a-z_][a-z_0-9]*\\[[0-9]+\\]|" name " = (" number "|" string "))"
	full = "^" stmt "(; " stmt ")*$"
}

$0 !~ full {
	printf "meta.gp line %d is not data: %s\n", NR, $0
	bad = 1
	exit 1
}

END { exit bad }
