# tools/gradescope.mk: the kit for the platforms where courses grade.
#   make gradescope                 cowlab-gradescope.zip: Gradescope's
#                                   autograder (setup.sh, run_autograder, the
#                                   kit as `make dist` makes it, settings)
#   make gradescope VISIBILITY=f    the same with checks hidden from students
#                                   (cowlab-grade(1), --visibility)
# Steps for instructors: tools/gradescope/README.md; the CI templates for
# student repositories: tools/ci-templates/.

GRADESCOPE_ZIP = cowlab-gradescope.zip
GRADESCOPE_FILES = tools/gradescope/setup.sh tools/gradescope/run_autograder \
	tools/gradescope/cowlab-gradescope.conf
EXTRA_DIST += $(GRADESCOPE_FILES) tools/gradescope/README.md \
	tools/ci-templates/github-actions.yml tools/ci-templates/gitlab-ci.yml \
	tools/ci-templates/README.md
TESTS += tests/gradescope.bats
EXTRA_DIST += tests/gradescope.bats
CLEANFILES += $(GRADESCOPE_ZIP)

# VISIBILITY reaches the shell as an environment variable, never as code;
# it is checked by cowlab-grade's own reader before it goes in the zip.
gradescope:
	rm -rf gradescope.tmp && mkdir gradescope.tmp
	$(MAKE) $(AM_MAKEFLAGS) dist-gzip
	mv $(distdir).tar.gz gradescope.tmp/cowlab.tar.gz
	cd $(srcdir) && cp $(GRADESCOPE_FILES) '$(abs_builddir)/gradescope.tmp/'
	@if test -n "$$VISIBILITY"; then \
		$(srcdir)/tools/grade-format --check-visibility "$$VISIBILITY" && \
		cp -- "$$VISIBILITY" gradescope.tmp/visibility.tsv || exit 1; \
	fi
	chmod 755 gradescope.tmp/setup.sh gradescope.tmp/run_autograder
	rm -f '$(GRADESCOPE_ZIP)'
	case '$(GRADESCOPE_ZIP)' in /*) zip='$(GRADESCOPE_ZIP)' ;; *) zip='$(abs_builddir)/$(GRADESCOPE_ZIP)' ;; esac; \
	cd gradescope.tmp && zip -q -X -r "$$zip" .
	rm -rf gradescope.tmp
	@echo "$(GRADESCOPE_ZIP): upload it as the assignment's autograder (tools/gradescope/README.md)"

.PHONY: gradescope
