#!/usr/bin/env bats
# Graded: shared_vs_private (labs/shared-vs-private.md), 6 points. Each check is a graded row of
# support/shared-vs-private/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). One run of its scenario base under
# cowsample; the file it writes (-f file) is read by the grader itself.
# Who sees whose writes is read from the processes' memory, not from the
# program's "seen:" lines: a second run under framewatch --anon (as root,
# in the sandbox) reads, at the child's marks after each of its steps, the
# first byte of every page the child holds and of the same pages in its
# parent (tests/grade/framewatch).
load grade_helper

# What shared_vs_private writes (lab_write_pages: the first byte of a
# page), in hex: the child's writes put 'C' there.
CHILD_BYTE=43

setup_file() {
	sample_scenario shared-vs-private base
	watch_scenario_frames shared-vs-private base --anon child-wrote-private,child-wrote-shared
}

setup() {
	require_sampled shared-vs-private/shared_vs_private
}

@test "shared-vs-private/finished: shared_vs_private runs every step to the end in batch mode. (1 point)" {
	grade_row shared-vs-private/finished
}

@test "shared-vs-private/private-child-writes: MAP_PRIVATE: the child's writes are copy-on-write, one fault per page. (1 point)" {
	grade_row shared-vs-private/private-child-writes
}

@test "shared-vs-private/private-unseen: MAP_PRIVATE: the parent does not see the child's writes. (1 point)" {
	grade_row shared-vs-private/private-unseen
}

@test "shared-vs-private/shared-seen: MAP_SHARED: the parent sees every write of the child. (1 point)" {
	grade_row shared-vs-private/shared-seen
}

@test "shared-vs-private/shared-parent-rewrites: MAP_SHARED: the parent rewrites its pages without a fault. (1 point)" {
	grade_row shared-vs-private/shared-parent-rewrites
}

@test "shared-vs-private/file-shared-reached: Only the write through MAP_SHARED reaches the file. (1 point)" {
	grade_row shared-vs-private/file-shared-reached
}

# The counters below are read from framewatch's bytes.tsv: at a mark of the
# child, "snap phase marker pid vpage byte" for the child's present pages,
# then for its parent's same pages where the child's byte is not zero.

# unseen-by-parent: the pages that hold the child's byte in the child at
# its mark PHASE but not in its parent (the parent reads its own data there).
measure_unseen_by_parent() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" -v child="$marker" -v c="$CHILD_BYTE" '
		$1 != snap { next }
		$4 == child { if ($6 == c) wrote[$5] = 1; next }
		($5 in wrote) { if ($6 != c) unseen++; else seen++ }
		END {
			if (seen) printf "the parent reads the child'\''s writes on %d of the pages the child wrote\n", seen > "/dev/stderr"
			print unseen + 0
		}' "$FRAMES_DIR/bytes.tsv"
}

# seen-by-parent: the pages that the child's step PHASE wrote (they hold its
# byte at this mark, and did not at its mark before) that hold the child's
# byte in its parent too.
measure_seen_by_parent() {
	local snap marker before
	at_mark "$1" "$3" || return
	before=$(snapshot_before "$snap" "$marker")
	awk -F '\t' -v snap="$snap" -v before="$before" -v child="$marker" -v c="$CHILD_BYTE" '
		$1 == before && $4 == child { if ($6 == c) old[$5] = 1; next }
		$1 != snap { next }
		$4 == child { if ($6 == c && !($5 in old)) wrote[$5] = 1; next }
		($5 in wrote) { if ($6 == c) seen++; else unseen++ }
		END {
			if (unseen) printf "the parent does not read the child'\''s writes on %d of the pages the child wrote\n", unseen > "/dev/stderr"
			print seen + 0
		}' "$FRAMES_DIR/bytes.tsv"
}
