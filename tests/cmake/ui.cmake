# web/static (the design system and app.js) and web/layout.c:
# - ui_css_contrast: WCAG contrast of every colour pair of app.css, light
#   and dark (tests/tools/css_contrast.mjs, node only);
# - e2e_ui_appjs: app.js in headless Chromium over the DevTools pipe
#   (tests/e2e/cdp.mjs), against a fixture page and the real server.
# The frame over plain HTTP is integration_test_ui (tests/integration/).
find_program(NODE_EXE node)
find_program(CHROMIUM_EXE NAMES chromium chromium-browser)
if(NODE_EXE)
  add_test(NAME ui_css_contrast
           COMMAND ${NODE_EXE} ${CMAKE_SOURCE_DIR}/tests/tools/css_contrast.mjs
                   ${CMAKE_SOURCE_DIR}/web/static/app.css)
  set_tests_properties(ui_css_contrast PROPERTIES LABELS "unit;ui")
  if(CHROMIUM_EXE)
    add_test(NAME e2e_ui_appjs
             COMMAND ${NODE_EXE} --test --test-concurrency=1
                     ${CMAKE_SOURCE_DIR}/tests/e2e/test_ui.mjs)
    set_tests_properties(e2e_ui_appjs PROPERTIES LABELS "e2e;ui" TIMEOUT 300 COST 20
      ENVIRONMENT "DOCKET_BIN=$<TARGET_FILE:docket>;CHROMIUM=${CHROMIUM_EXE};TEST_TMP=${CMAKE_BINARY_DIR}/tmp")
  endif()
endif()
if(TARGET integration_test_ui)
  set_tests_properties(integration_test_ui PROPERTIES LABELS
                       "integration;ui")
endif()
