# notify/: the loopback integration test (tests/integration/
# test_notify_loopback.c) drives the outbox worker in-process against the
# fake receivers of tests/receivers/ (Python stdlib, aiosmtpd). The generic
# glob in tests/CMakeLists.txt creates the target with the harness only;
# it also needs the notify and registry libraries.
if(TARGET integration_test_notify_loopback)
  target_link_libraries(integration_test_notify_loopback PRIVATE
                        docket_notify docket_registry docket_core
                        PkgConfig::SODIUM)
  target_compile_definitions(integration_test_notify_loopback PRIVATE
                             TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  set_tests_properties(integration_test_notify_loopback PROPERTIES
                       LABELS "integration;notify" TIMEOUT 240)
endif()
# The running server beside a rate-limited channel (tests/integration/
# test_notify_blocked.sh, registered by the script glob).
if(TEST script_test_notify_blocked)
  set_tests_properties(script_test_notify_blocked PROPERTIES
                       LABELS "integration;notify" TIMEOUT 240)
endif()
# Every link a message carries resolves on a real server
# (tests/integration/test_notify_links.c renders in-process).
if(TARGET integration_test_notify_links)
  target_link_libraries(integration_test_notify_links PRIVATE
                        docket_notify docket_registry docket_core
                        PkgConfig::SODIUM)
  target_include_directories(integration_test_notify_links PRIVATE
                             ${CMAKE_SOURCE_DIR}/notify)
  target_compile_definitions(integration_test_notify_links PRIVATE
                             TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  set_tests_properties(integration_test_notify_links PROPERTIES
                       LABELS "integration;notify" TIMEOUT 240)
endif()
