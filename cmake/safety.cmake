# safety.cmake - test labels for the safety area (docs/crash-consistency.md,
# docs/bad-input.md).  The tests themselves are globbed by CMakeLists.txt;
# their properties are set once every test exists (deferred to the end of
# the top-level CMakeLists.txt).
#   crash   tests/crash/*.sh: kill -9 cycles; long, so left out of the
#           sanitizer run (label no-asan; they exercise process kills and
#           SQLite recovery, which ASan adds nothing to)
#   safety  tests/safety/*.sh: the bad-input catalogue
function(mlfy_safety_labels)
  file(GLOB crash_tests ${CMAKE_SOURCE_DIR}/tests/crash/*.sh)
  foreach(src ${crash_tests})
    get_filename_component(name ${src} NAME_WE)
    if(NOT name STREQUAL "lib" AND TEST crash/${name})   # kill_pg: pg/crash/kill_pg
      set_tests_properties(crash/${name} PROPERTIES LABELS "crash;no-asan")
    endif()
  endforeach()
  file(GLOB safety_tests ${CMAKE_SOURCE_DIR}/tests/safety/*.sh)
  foreach(src ${safety_tests})
    get_filename_component(name ${src} NAME_WE)
    if(NOT name STREQUAL "lib")
      set_tests_properties(safety/${name} PROPERTIES LABELS "safety")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mlfy_safety_labels)
