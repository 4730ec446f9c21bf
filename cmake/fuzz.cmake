# fuzz.cmake - the fuzz targets in fuzz/ (fuzz_<name>.c, one per parser).
#
# -DMLFY_FUZZ=ON (clang only): each target is a libFuzzer binary, with the
#   whole library built with coverage, ASan and UBSan.  Use a build folder
#   of its own:  CC=clang cmake -S . -B build-fuzz -DMLFY_FUZZ=ON
#   `make fuzz` / `make fuzz-ci` build and run them (docs/fuzzing.md).
# Otherwise (every normal and sanitizer build): each target is linked with
#   fuzz/replay.c into replay_<name>, and CTest (label "fuzz") replays the
#   seed corpus fuzz/corpus/fuzz_<name>/ and the crash inputs kept in
#   fuzz/regressions/fuzz_<name>/, so a parser bug found by fuzzing stays
#   fixed.
option(MLFY_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)
file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.c)
if(MLFY_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MLFY_FUZZ=ON needs clang: CC=clang cmake -S . -B build-fuzz -DMLFY_FUZZ=ON")
  endif()
  # Warnings are gcc's job (the normal build); clang's extra ones must not
  # stop a fuzz build, and it does not know gcc's -Wno-format-truncation.
  # Coverage instrumentation and sanitizers for everything built here; only
  # the fuzz targets link libFuzzer's main.
  add_compile_options(-Wno-error -Wno-unknown-warning-option
                      -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  set(MLFY_FUZZ_TARGETS "")
  foreach(src ${FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE multilabelfy)   # defined later in CMakeLists.txt
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    list(APPEND MLFY_FUZZ_TARGETS ${name})
  endforeach()
  add_custom_target(fuzz-targets DEPENDS ${MLFY_FUZZ_TARGETS})
  # fuzz_http starts mlfy-fixture (cmake/serve.cmake, defined later) from
  # the build folder to make its project
  function(mlfy_fuzz_fixture_dep)
    if(TARGET mlfy-fixture)
      add_dependencies(fuzz-targets mlfy-fixture)
    endif()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mlfy_fuzz_fixture_dep)
else()
  enable_testing()
  foreach(src ${FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "^fuzz_" "replay_" replay ${name})
    add_executable(${replay} ${src} ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
    target_link_libraries(${replay} PRIVATE multilabelfy)
    add_test(NAME fuzz/${name} COMMAND ${replay}
             ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name} ${CMAKE_SOURCE_DIR}/fuzz/regressions/${name})
    set_tests_properties(fuzz/${name} PROPERTIES LABELS fuzz TIMEOUT 120
      ENVIRONMENT "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1;ASAN_OPTIONS=${MLFY_ASAN_OPTIONS}")
  endforeach()
  # the HTTP harness under a SIGALRM every 2 ms, as libFuzzer's -timeout
  # watchdog interrupts it (its first versions took poll's EINTR for a hang)
  add_test(NAME fuzz/fuzz_http-signals COMMAND replay_http
           ${CMAKE_SOURCE_DIR}/fuzz/corpus/fuzz_http ${CMAKE_SOURCE_DIR}/fuzz/regressions/fuzz_http)
  set_tests_properties(fuzz/fuzz_http-signals PROPERTIES LABELS fuzz TIMEOUT 120
    ENVIRONMENT "MLFY_REPLAY_ALARM_US=2000;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1;ASAN_OPTIONS=${MLFY_ASAN_OPTIONS}")
endif()
