# live.cmake: the live/ module's test pieces besides what tests/CMakeLists.txt
# globs: its unit tests link docket_live (and may read its internal header),
# the live_dump tool for the real-database test.
foreach(t unit_live_test_live_csv unit_live_test_live_sqlite
          unit_live_test_live_url unit_live_test_redact)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE docket_live)
    target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/live/internal)
  endif()
endforeach()

# tests/tools/live_dump.c: the live_schema of a source as JSON or lines,
# and a statement tried in a session opened as live_read opens it.
add_executable(live_dump ${CMAKE_CURRENT_SOURCE_DIR}/tools/live_dump.c)
target_link_libraries(live_dump PRIVATE docket_live docket_core
                      PkgConfig::CJSON)
target_include_directories(live_dump PRIVATE ${CMAKE_SOURCE_DIR}/live/internal)

# tests/integration/test_live_realdb.sh (registered by tests/CMakeLists.txt
# as script_test_live_realdb) reads real PostgreSQL, MariaDB and SQLite
# databases made from the migration corpus.
if(TEST script_test_live_realdb)
  set_property(TEST script_test_live_realdb APPEND PROPERTY ENVIRONMENT
               "LIVE_DUMP=$<TARGET_FILE:live_dump>;MIGRATE_CORPUS=$<TARGET_FILE:migrate_corpus>")
  set_tests_properties(script_test_live_realdb PROPERTIES TIMEOUT 300)
endif()
