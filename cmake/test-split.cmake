# test-split.cmake - which build runs which test in `make check` (Makefile,
# docs/analysis.md "Where each test runs").  `make check` runs every test
# once under ASan+UBSan, except those labelled here, which run on the
# release build instead (or on both):
#   browser   tests/e2e/*.sh: Chromium drives the pages; the C paths they
#             reach are the routes tests/serve and tests/security already
#             run under the sanitizers, while the browser dominates their
#             time (release build only)
#   no-asan   tests/crash/*.sh (set in safety.cmake) and the servers behind
#             nginx (serve/multi_instance, pg/serve/multi_instance in
#             pg-tests.cmake): kill -9 cycles (release build only);
#             propose/imagenet_samples: ONNX Runtime (not instrumented) on
#             1000 photos dominates it, while the C paths it reaches run
#             under the sanitizers in propose/propose_tiny (grey, 16-bit,
#             alpha, odd sizes, a truncated file) and propose/test_*
#   release   tests whose memory or speed assertions only mean something on
#             the release build (MLFY_SANITIZED skips them under ASan): run
#             on both builds
# `make test` still runs every test on the release build.
function(mlfy_test_split_labels)
  file(GLOB e2e_tests ${CMAKE_SOURCE_DIR}/tests/e2e/*.sh)
  foreach(src ${e2e_tests})
    get_filename_component(name ${src} NAME_WE)
    if(NOT name STREQUAL "lib")
      set_tests_properties(e2e/${name} PROPERTIES LABELS "browser")
    endif()
  endforeach()
  # kill -9 of one of several servers behind nginx: as the crash tests
  set_tests_properties(serve/multi_instance PROPERTIES LABELS "no-asan")
  set_tests_properties(propose/imagenet_samples PROPERTIES LABELS "no-asan")
  foreach(t security/limits review/cli_votes_memcheck)
    set_tests_properties(${t} PROPERTIES LABELS "release")
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mlfy_test_split_labels)
