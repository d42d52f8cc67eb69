# Browser tests: Debian's Chromium driven by playwright-core under node's
# test runner (installed by scripts/deps.sh test). Screenshots go to
# build/e2e/.
find_program(NODE node)
if(NODE)
  file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/*.test.mjs)
  foreach(src ${E2E_TESTS})
    get_filename_component(name ${src} NAME_WE)
    string(REPLACE ".test" "" name ${name})
    add_test(NAME e2e_${name} COMMAND ${NODE} --test ${src}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e)
    set_tests_properties(e2e_${name} PROPERTIES LABELS e2e TIMEOUT 300 COST 70
      ENVIRONMENT "DOCKET_BIN=$<TARGET_FILE:docket>;TEST_TMP=${CMAKE_BINARY_DIR}/tmp;E2E_OUT=${CMAKE_SOURCE_DIR}/build/e2e")
  endforeach()
  # The crawl checks ~100 pages with axe-core; room for a busy machine.
  if(TEST e2e_a11y_crawl)
    set_tests_properties(e2e_a11y_crawl PROPERTIES TIMEOUT 600)
  endif()
endif()
