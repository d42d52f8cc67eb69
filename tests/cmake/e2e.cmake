# Browser tests: Debian's Chromium driven by playwright-core under node's
# test runner (installed by scripts/deps.sh test). Screenshots go to
# build/e2e/ when E2E_SCREENSHOTS=1 is set (`E2E_SCREENSHOTS=1 ctest -L
# e2e`); make test takes none (no test checks them, and they cost CPU).
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
  # The order ctest starts them in on a clean clone (it has no timings of
  # its own yet): the longest first, so that the two cores stay busy to
  # the end instead of one long test running alone last. The seconds each
  # took in the last `make test` on a busy 2-core machine, on the same
  # scale as the integration tests' costs (tests/CMakeLists.txt), so the
  # long ones of both kinds start first.
  foreach(pair a11y_crawl:125 layout:100 form:80 inbox:60 admin:60 feeds:43
          accounts:35 drift:35 triage:30 ops:28 changes:28 deploy:28
          client:28 errors:25 lookup:20 isolation:20 deliveries:15 export:12)
    string(REPLACE ":" ";" pair ${pair})
    list(GET pair 0 name)
    list(GET pair 1 cost)
    if(TEST e2e_${name})
      set_tests_properties(e2e_${name} PROPERTIES COST ${cost})
    endif()
  endforeach()
  # The crawl checks ~100 pages with axe-core; room for a busy machine.
  if(TEST e2e_a11y_crawl)
    set_tests_properties(e2e_a11y_crawl PROPERTIES TIMEOUT 600)
  endif()
endif()
