# test_inbox_pages.c inflates the gzip replies of the cached rules card.
if(TARGET integration_test_inbox_pages)
  target_link_libraries(integration_test_inbox_pages PRIVATE z)
endif()
