# Fuzzing under `make test`: every libFuzzer target in tests/fuzz runs for
# 3 seconds with a fixed seed, on its seed corpus and the inputs found by
# earlier runs (a regression run of the corpus and a short exploration;
# `make fuzz` runs them longer). tests/fuzz/run.sh builds them with clang:
# fuzz_build compiles the whole program once for all of them, as the
# fixture the targets require, and starts among the first tests (its COST)
# instead of inside whichever fuzz test ctest starts first, late in the
# run, with the other fuzz tests waiting behind its lock.
file(GLOB FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/*.c)
set(FUZZ_NAMES)
foreach(src ${FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  list(APPEND FUZZ_NAMES ${name})
endforeach()
if(FUZZ_NAMES)
  add_test(NAME fuzz_build
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh --build-only
                   --out ${CMAKE_BINARY_DIR}/fuzz ${FUZZ_NAMES})
  # It compiles with one clang per core, so ctest counts it as two
  # processors (as the builds of checks.cmake).
  set_tests_properties(fuzz_build PROPERTIES LABELS fuzz TIMEOUT 900
    COST 400 PROCESSORS 2 FIXTURES_SETUP fuzz_binaries)
endif()
foreach(name ${FUZZ_NAMES})
  add_test(NAME fuzz_${name}
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh --seconds 3 --seed 1
                   --out ${CMAKE_BINARY_DIR}/fuzz ${name})
  set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 240 COST 7
    FIXTURES_REQUIRED fuzz_binaries)
endforeach()
