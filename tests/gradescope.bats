#!/usr/bin/env bats
# tests/gradescope.bats - the kit where courses grade: `make gradescope`'s
# zip, unpacked in a directory laid out like Gradescope's and run there on
# the reference tree (a valid results.json with every point), and the CI
# templates for student repositories (they parse, with the structure their
# platform reads, and their shell steps parse).

load test_helper
bats_require_minimum_version 1.5.0

# python3 with the yaml module (Debian python3-yaml, in tools/install-deps);
# the Debian interpreter first (a python3 of a user's own may lack it).
yaml_python() {
	local py
	for py in /usr/bin/python3 python3; do
		"$py" -c 'import yaml' 2>/dev/null && { echo "$py"; return 0; }
	done
	return 1
}

# clean_path: PATH without bats' own folder (whose 'bats' runs only under
# bats), as a container's would be.
clean_path() {
	printf '%s\n' "$PATH" | tr ':' '\n' | grep -v '/bats-core$' | paste -sd: -
}

setup_file() {
	# The zip, built from the kit by its make target (make dist inside).
	env -u MAKEFLAGS -u MFLAGS make -s -C "$COWLAB_BUILDDIR" gradescope \
		GRADESCOPE_ZIP="$BATS_FILE_TMPDIR/autograder.zip" >"$BATS_FILE_TMPDIR/make.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/make.status"
}

@test "make gradescope: a zip with setup.sh, run_autograder (executable), the kit and its settings" {
	[ "$(cat "$BATS_FILE_TMPDIR/make.status")" -eq 0 ] || fail "make gradescope: $(cat "$BATS_FILE_TMPDIR/make.out")"
	run unzip -Z1 "$BATS_FILE_TMPDIR/autograder.zip"
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" \
		"cowlab-gradescope.conf cowlab.tar.gz run_autograder setup.sh "
	run unzip -Z "$BATS_FILE_TMPDIR/autograder.zip" setup.sh run_autograder
	assert_line --regexp '^-rwxr-xr-x .* setup.sh$'
	assert_line --regexp '^-rwxr-xr-x .* run_autograder$'
	tar -tzf <(unzip -p "$BATS_FILE_TMPDIR/autograder.zip" cowlab.tar.gz) | grep -q '^[^/]*/tools/cowlab-grade$'
}

@test "make gradescope VISIBILITY=FILE: the file goes in the zip; a bad one is refused" {
	local t=$BATS_TEST_TMPDIR
	printf 'vfork/*\tafter_due_date\n' >"$t/vis.tsv"
	env -u MAKEFLAGS -u MFLAGS make -s -C "$COWLAB_BUILDDIR" gradescope GRADESCOPE_ZIP="$t/v.zip" \
		VISIBILITY="$t/vis.tsv" >"$t/out" 2>&1 || fail "$(cat "$t/out")"
	assert_equal "$(unzip -p "$t/v.zip" visibility.tsv)" "$(cat "$t/vis.tsv")"
	printf 'vfork/*\tsoon\n' >"$t/bad.tsv"
	run env -u MAKEFLAGS -u MFLAGS make -s -C "$COWLAB_BUILDDIR" gradescope GRADESCOPE_ZIP="$t/b.zip" \
		VISIBILITY="$t/bad.tsv"
	assert_failure
	assert_output --partial "visibility line 1"
	[ ! -e "$t/b.zip" ]
}

@test "Gradescope's layout: setup.sh builds the kit, run_autograder grades the reference tree into a valid results.json with every point" {
	[ "$(id -u)" -eq 0 ] || skip "grading needs root: its sandbox gives student code a user of its own"
	[ "$(cat "$BATS_FILE_TMPDIR/make.status")" -eq 0 ] || fail "make gradescope failed"
	local root=$BATS_TEST_TMPDIR/autograder results total
	mkdir -p "$root/source" "$root/submission" "$root/results"
	unzip -q "$BATS_FILE_TMPDIR/autograder.zip" -d "$root/source"
	# setup.sh, run from the source folder as Gradescope does, in a clean
	# environment (not bats'); the packages are here already.
	(cd "$root/source" && env -i PATH="$(clean_path)" HOME="$root" AUTOGRADER_ROOT="$root" COWLAB_SKIP_DEPS=1 ./setup.sh) >"$BATS_TEST_TMPDIR/setup.out" 2>&1 ||
		fail "setup.sh: $(tail -n 20 "$BATS_TEST_TMPDIR/setup.out")"
	[ -x "$root/source/cowlab/tools/cowsample" ] || fail "setup.sh built no sampler"
	# The student uploaded the reference tree's folder.
	"$COWLAB_SRCDIR/tools/cowlab-skel" --reference "$root/submission/my-tree" >/dev/null
	cp "$root/source/run_autograder" "$root/run_autograder"
	(cd "$root" && env -i PATH="$(clean_path)" HOME="$root" AUTOGRADER_ROOT="$root" ./run_autograder) >"$BATS_TEST_TMPDIR/run.out" 2>&1 ||
		fail "run_autograder: $(cat "$BATS_TEST_TMPDIR/run.out")"
	results=$root/results/results.json
	jq -e . "$results" >/dev/null || fail "not JSON: $(head -c 2000 "$results")"
	# Gradescope's field list (/work/shared/README.md), every test graded.
	jq -e '(.score | type) == "number" and (.execution_time | type) == "number"
		and (.output | type) == "string" and (.tests | length) > 0
		and all(.tests[]; (.score | type) == "number" and (.max_score | type) == "number"
			and (.status | IN("passed", "failed")) and (.name | type) == "string"
			and (.number | type) == "string" and (.output | type) == "string"
			and (.visibility | IN("hidden", "after_due_date", "after_published", "visible")))' "$results" >/dev/null ||
		fail "fields: $(head -c 2000 "$results")"
	total=$(jq '[.tests[].max_score] | add' "$results")
	assert_equal "$(jq .score "$results")" "$total"
	assert_equal "$(jq '[.tests[] | select(.status != "passed")] | length' "$results")" 0
	# The same total the grader's report gives.
	assert_equal "$(tail -n 1 "$root/results/reports/my-tree.txt")" "score: $total/$total"
	assert_equal "$(jq '.tests | length' "$results")" \
		"$(grep -c '^@test' "$COWLAB_SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')"
}

# fake_kit ROOT GRADER: Gradescope's layout in ROOT with a kit that has
# what run_autograder reads before it grades, and GRADER (shell code) for
# its cowlab-grade.
fake_kit() {
	mkdir -p "$1/source/cowlab/tools" "$1/submission/empty" "$1/results"
	cp -R "$COWLAB_SRCDIR/tools/skel" "$1/source/cowlab/tools/"
	mkdir -p "$1/source/cowlab/tests"
	cp -R "$COWLAB_SRCDIR/tests/grade" "$1/source/cowlab/tests/"
	printf '#!/bin/sh\n%s\n' "$2" >"$1/source/cowlab/tools/cowlab-grade"
	chmod 755 "$1/source/cowlab/tools/cowlab-grade"
}

@test "run_autograder: with no tree in the submission, a results.json that says so (score 0), and a bad setting is refused" {
	[ "$(id -u)" -eq 0 ] || skip "grading needs root: its sandbox gives student code a user of its own"
	local root=$BATS_TEST_TMPDIR/autograder
	fake_kit "$root" 'echo "cowlab-grade: not a tree" >&2; exit 1'
	AUTOGRADER_ROOT=$root run "$COWLAB_SRCDIR/tools/gradescope/run_autograder"
	assert_success
	jq -e '.score == 0 and (.output | test("could not grade")) and (.tests == [])' "$root/results/results.json" >/dev/null ||
		fail "$(cat "$root/results/results.json")"
	printf 'UNSAFE=$(touch %s/pwned)\n' "$root" >"$root/source/cowlab-gradescope.conf"
	AUTOGRADER_ROOT=$root run "$COWLAB_SRCDIR/tools/gradescope/run_autograder"
	assert_failure 1
	assert_output --partial "bad line"
	[ ! -e "$root/pwned" ]
}

@test "run_autograder: SEED_FROM=sid grades with the parameters of the submission's students (a group's sorted, joined with +); without their sid, a result of 0 that says why" {
	[ "$(id -u)" -eq 0 ] || skip "grading needs root: its sandbox gives student code a user of its own"
	local root=$BATS_TEST_TMPDIR/autograder
	# This cowlab-grade writes its arguments, one per line, and a result.
	fake_kit "$root" "printf '%s\\n' \"\$@\" >'$root/args'; echo '{\"score\": 1, \"tests\": []}'"
	cp "$COWLAB_SRCDIR/tools/gradescope/cowlab-gradescope.conf" "$root/source/"
	sed -i 's/^SEED_FROM=none$/SEED_FROM=sid/' "$root/source/cowlab-gradescope.conf"
	grep -qx 'SEED_FROM=sid' "$root/source/cowlab-gradescope.conf"
	echo '{"id": 7, "users": [{"email": "b@uni.edu", "id": 22, "name": "B", "sid": "s2"}, {"email": "a@uni.edu", "id": 11, "name": "A", "sid": "s1"}]}' \
		>"$root/submission_metadata.json"
	AUTOGRADER_ROOT=$root run "$COWLAB_SRCDIR/tools/gradescope/run_autograder"
	assert_success
	grep -qx -- '--seed-from' "$root/args" || fail "$(cat "$root/args")"
	assert_equal "$(grep -x -A1 -- '--seed-from' "$root/args" | tail -n 1)" "s1+s2"
	jq -e '.score == 1' "$root/results/results.json" >/dev/null
	echo '{"id": 7, "users": [{"email": "a@uni.edu", "id": 11, "name": "A"}]}' >"$root/submission_metadata.json"
	rm -f "$root/args"
	AUTOGRADER_ROOT=$root run "$COWLAB_SRCDIR/tools/gradescope/run_autograder"
	assert_success
	[ ! -e "$root/args" ]
	jq -e '.score == 0 and (.output | test("names no student.s sid")) and (.tests == [])' "$root/results/results.json" >/dev/null ||
		fail "$(cat "$root/results/results.json")"
}

@test "CI templates: both parse as YAML, with the structure GitHub Actions and GitLab CI read" {
	local py
	py=$(yaml_python) || skip "no python3 with the yaml module (Debian python3-yaml)"
	"$py" - "$COWLAB_SRCDIR/tools/ci-templates/github-actions.yml" "$COWLAB_SRCDIR/tools/ci-templates/gitlab-ci.yml" <<'PY'
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))
# PyYAML reads the key "on" as True (YAML 1.1); GitHub reads it as "on".
assert set(gh.get("on", gh.get(True)) or {}) >= {"push"}, "no push trigger"
steps = gh["jobs"]["grade"]["steps"]
assert gh["jobs"]["grade"]["runs-on"].startswith("ubuntu-"), "runs-on"
assert all(("run" in s) != ("uses" in s) for s in steps), "each step runs or uses"
assert any("cowlab-grade" in s.get("run", "") for s in steps), "no grading step"
gl = yaml.safe_load(open(sys.argv[2]))
job = gl["grade"]
assert isinstance(job["script"], list) and job["script"], "script"
assert job["artifacts"]["reports"]["junit"], "junit report"
assert any("cowlab-grade" in line for line in job["script"])
PY
}

# write_template_steps DIR: each shell step of both templates into DIR
# (gh-N.sh, gl-before.sh, gl-script.sh), the GitLab kit's /opt/cowlab made
# DIR/opt/cowlab.
write_template_steps() {
	local py
	py=$(yaml_python) || skip "no python3 with the yaml module (Debian python3-yaml)"
	"$py" - "$COWLAB_SRCDIR/tools/ci-templates/github-actions.yml" "$COWLAB_SRCDIR/tools/ci-templates/gitlab-ci.yml" "$1" <<'PY'
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))
gl = yaml.safe_load(open(sys.argv[2]))
out = sys.argv[3]
for i, s in enumerate(s for s in gh["jobs"]["grade"]["steps"] if "run" in s):
    open("%s/gh-%d.sh" % (out, i), "w").write(s["run"] + "\n")
for key in ("before_script", "script"):
    text = "\n".join(gl["grade"][key]).replace("/opt/cowlab", out + "/opt/cowlab")
    open("%s/gl-%s.sh" % (out, key), "w").write(text + "\n")
open("%s/gh-seed" % out, "w").write(gh["jobs"]["grade"]["env"]["COWLAB_SEED_FROM"] + "\n")
open("%s/gl-seed" % out, "w").write(gl["grade"]["variables"]["COWLAB_SEED_FROM"] + "\n")
PY
}

# fake_grader FILE: a stand-in cowlab-grade at FILE that keeps its
# arguments (FILE.args, one per line) and writes the report the steps print.
fake_grader() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<'SH'
#!/bin/bash
printf '%s\n' "$@" >"$0.args"
while [ $# -gt 1 ]; do
	[ "$1" = -o ] && reports=$2
	shift
done
mkdir -p "$reports" && echo "score: 1/1" >"$reports/$(basename "$1").txt"
SH
	chmod +x "$1"
}

@test "CI templates: every shell step parses, and the grader accepts the options of its grading step" {
	local t=$BATS_TEST_TMPDIR step
	write_template_steps "$t"
	for step in "$t"/g[hl]-*.sh; do
		bash -n "$step" || fail "$(basename "$step") does not parse: $(cat "$step")"
	done
	# Both ship with the published parameters.
	assert_equal "$(cat "$t/gh-seed" "$t/gl-seed")" "$(printf 'none\nnone')"
	# GitHub's grading step, run with a stand-in grader and sudo; then the
	# real grader reads its arguments (and an option it refuses, at the
	# end: every option before it must be one it knows).
	mkdir -p "$t/gh/bin"
	printf '#!/bin/sh\nexec "$@"\n' >"$t/gh/bin/sudo"
	chmod +x "$t/gh/bin/sudo"
	fake_grader "$t/gh/kit/tools/cowlab-grade"
	mkdir "$t/gl"
	fake_grader "$t/opt/cowlab/tools/cowlab-grade"
	local grading_step gh_from gl_from seed
	grading_step=$(grep -l cowlab-grade "$t"/gh-*.sh)
	# Each choice of each template: the seed it must pass.
	while read -r gh_from gl_from seed; do
		(cd "$t/gh" && PATH=$t/gh/bin:$PATH COWLAB_SEED_FROM=$gh_from GITHUB_REPOSITORY=os-course/cow-lab-alice \
			GITHUB_REPOSITORY_OWNER=alice-gh GITHUB_STEP_SUMMARY=$t/gh/summary bash -e "$grading_step") >"$t/out" 2>&1 ||
			fail "GitHub's grading step with COWLAB_SEED_FROM=$gh_from: $(cat "$t/out")"
		check_seed_args "$t/gh/kit/tools/cowlab-grade.args" "$seed"
		(cd "$t/gl" && COWLAB_SEED_FROM=$gl_from CI_PROJECT_DIR=$t/gl CI_PROJECT_NAME=cow-lab-alice \
			CI_PROJECT_NAMESPACE=alice-gl bash -e "$t/gl-script.sh") >"$t/out" 2>&1 ||
			fail "GitLab's script with COWLAB_SEED_FROM=$gl_from: $(cat "$t/out")"
		check_seed_args "$t/opt/cowlab/tools/cowlab-grade.args" "${seed/alice-gh/alice-gl}"
	done <<-'CHOICES'
		none none
		repository project cow-lab-alice
		owner namespace alice-gh
	CHOICES
	# Another value stops the job with one line.
	run bash -c 'cd "$1" && PATH=$1/bin:$PATH COWLAB_SEED_FROM=login bash -e "$2"' - "$t/gh" "$grading_step"
	assert_failure 1
	assert_output "::error::COWLAB_SEED_FROM is 'login', not none, repository or owner"
	run bash -c 'cd "$1" && COWLAB_SEED_FROM=login CI_PROJECT_DIR=$1 bash -e "$2"' - "$t/gl" "$t/gl-script.sh"
	assert_failure 1
	assert_output "COWLAB_SEED_FROM is 'login', not none, project or namespace"
}

# check_seed_args ARGS SEED: the grader was called with --seed-from SEED
# (none if SEED is empty), and the real grader takes every argument.
check_seed_args() {
	local args=() line
	while IFS= read -r line; do args+=("$line"); done <"$1"
	if [ -n "$2" ]; then
		[[ " ${args[*]} " == *" --seed-from $2 "* ]] || fail "no --seed-from $2 in: ${args[*]}"
	else
		[[ " ${args[*]} " != *" --seed-from "* ]] || fail "a seed where none was asked: ${args[*]}"
	fi
	run --separate-stderr "$COWLAB_SRCDIR/tools/cowlab-grade" "${args[@]}" --jobs 0
	assert_failure 2
	assert_equal "$stderr" "cowlab-grade: --jobs: '0' is not a positive number (try --help)"
}
