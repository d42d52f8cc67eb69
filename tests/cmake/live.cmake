# live.cmake: the live/ module's test pieces besides what tests/CMakeLists.txt
# globs: its unit tests link docket_live (and may read its internal header),
# the live_dump tool for the real-database test.
foreach(t unit_live_test_live_csv unit_live_test_live_sqlite
          unit_live_test_redact)
  if(TARGET ${t})
    target_link_libraries(${t} PRIVATE docket_live)
    target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/live/internal)
  endif()
endforeach()
