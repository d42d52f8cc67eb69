# Fuzzing under `make test`: every libFuzzer target in tests/fuzz runs for
# 20 seconds on its corpus (tests/fuzz/run.sh builds them with clang).
# `make fuzz` runs them longer.
file(GLOB FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/*.c)
foreach(src ${FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME fuzz_${name}
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh --seconds 20 --seed 1
                   --out ${CMAKE_BINARY_DIR}/fuzz ${name})
  set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 240 COST 40)
endforeach()
