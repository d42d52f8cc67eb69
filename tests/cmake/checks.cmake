# checks.cmake: checks that keep the code in shape, run with every
# `make test` (label "checks"; `ctest -L checks` runs only them):
# - check_format: clang-format 14 --dry-run -Werror on every tracked .c/.h;
# - check_clang_tidy: the checked-in .clang-tidy over the sources of every
#   module, with this build dir's compile_commands.json, and clang's own
#   compiler warnings (the project's -W flags) as findings: the clang
#   half of the -Werror check, without a third build of the tree;
# - check_werror_gcc: a Release build of the docket binary with -Werror
#   (WERROR=ON) under gcc, whose optimiser finds warnings the front end
#   does not, in a build dir of its own below this one (werror-gcc/);
# - layout_no_web_includes (tests/CMakeLists.txt): the module rules.
set(CHECKS_DIR ${CMAKE_CURRENT_SOURCE_DIR}/checks)

add_test(NAME check_format
         COMMAND bash ${CHECKS_DIR}/format.sh ${CMAKE_SOURCE_DIR})
add_test(NAME check_clang_tidy
         COMMAND bash ${CHECKS_DIR}/tidy.sh ${CMAKE_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR})
# (werror.sh also takes clang: `bash tests/checks/werror.sh . DIR clang`.)
add_test(NAME check_werror_gcc
         COMMAND bash ${CHECKS_DIR}/werror.sh ${CMAKE_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR}/werror-gcc gcc)

set_tests_properties(check_format PROPERTIES LABELS checks TIMEOUT 300)
# The build and clang-tidy are the long checks. Each runs two jobs of
# its own (make -j2, two clang-tidy processes), so ctest counts it as two
# processors and runs nothing beside it: no oversubscribed cores under the
# timing-sensitive integration tests. Started first (COST: above the
# longest browser tests, whose costs are about their seconds), a failure
# shows early and the short tests fill the cores at the end.
set_tests_properties(check_clang_tidy check_werror_gcc
                     PROPERTIES LABELS checks TIMEOUT 900 COST 300
                                PROCESSORS 2)
if(TEST layout_no_web_includes)
  set_property(TEST layout_no_web_includes APPEND PROPERTY LABELS checks)
endif()
