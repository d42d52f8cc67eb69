# migrations.cmake: the migrations module's test pieces besides its unit
# tests (tests/unit/migrations/): the corpus writer for the real-database
# round trip, and that test's environment.

# tests/tools/migrate_corpus.c: writes up/down SQL and expected schemas for
# PostgreSQL, MariaDB and SQLite (see the file's header).
add_executable(migrate_corpus ${CMAKE_CURRENT_SOURCE_DIR}/tools/migrate_corpus.c)
target_link_libraries(migrate_corpus PRIVATE docket_domain docket_migrations
                      docket_forms docket_core)

# tests/integration/test_migrations_realdb.sh is registered by
# tests/CMakeLists.txt as script_test_migrations_realdb; it needs the corpus
# writer's path. It starts its own servers on unix sockets, so it may run
# next to other tests.
if(TEST script_test_migrations_realdb)
  set_property(TEST script_test_migrations_realdb APPEND PROPERTY
               ENVIRONMENT "MIGRATE_CORPUS=$<TARGET_FILE:migrate_corpus>")
  set_property(TEST script_test_migrations_realdb APPEND PROPERTY
               LABELS migrations)
  set_tests_properties(script_test_migrations_realdb PROPERTIES TIMEOUT 180)
endif()

# tests/integration/test_drift_realdb.sh applies the corpus' up migrations
# and deploys the corpus in docket (migrate_corpus --deploy) for the drift
# property: no findings on any engine.
if(TEST script_test_drift_realdb)
  set_property(TEST script_test_drift_realdb APPEND PROPERTY
               ENVIRONMENT "MIGRATE_CORPUS=$<TARGET_FILE:migrate_corpus>")
endif()
