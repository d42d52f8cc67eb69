# test_storage.sh needs a private mount namespace (tmpfs volumes, read-only
# remounts); where none can be made it reports 77 and ctest shows it as
# skipped. test_stop_signal.sh builds its index-heavy database with the
# benchmark's data generator, built here against the same libraries.
add_executable(storage_gen ${CMAKE_SOURCE_DIR}/tests/bench/gen.c)
target_link_libraries(storage_gen PRIVATE docket_registry docket_forms
                      docket_core)
if(TEST script_test_storage)
  set_tests_properties(script_test_storage PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT 600)
endif()
if(TEST script_test_stop_signal)
  set_property(TEST script_test_stop_signal APPEND PROPERTY ENVIRONMENT
               "DOCKET_GEN=$<TARGET_FILE:storage_gen>")
  set_tests_properties(script_test_stop_signal PROPERTIES TIMEOUT 600)
endif()
