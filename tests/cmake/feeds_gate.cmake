# test_feeds_gate.c inflates the gate answered gzip from the response cache.
if(TARGET integration_test_feeds_gate)
  target_link_libraries(integration_test_feeds_gate PRIVATE z)
endif()
