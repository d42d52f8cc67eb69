# test_cache.c inflates the gzip replies of the response cache itself.
if(TARGET integration_test_cache)
  target_link_libraries(integration_test_cache PRIVATE z)
endif()
