# test_escaping.c renders the Markdown export with cmark (raw HTML allowed)
# to check that no user markup survives as HTML.
if(TARGET integration_test_escaping)
  target_link_libraries(integration_test_escaping PRIVATE PkgConfig::CMARK)
endif()
