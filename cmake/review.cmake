# review.cmake - benchmarks of src/review (bench/review/*.c), one executable
# each named bench_review_<name>; built with the project, run by hand:
#   build/bench_review_ds
file(GLOB REVIEW_BENCH_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/review/bench_*.c)
foreach(src ${REVIEW_BENCH_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^bench_" "" name ${name})
  add_executable(bench_review_${name} ${src})
  target_link_libraries(bench_review_${name} PRIVATE multilabelfy)
endforeach()

# Test-only helper of tests/review/*.sh (found beside $MLFY): writes what the
# web server writes in stages ii and iv, and makes tiny PNG images.
add_executable(review_e2e_helper ${CMAKE_SOURCE_DIR}/tests/review/e2e_helper.c)
target_link_libraries(review_e2e_helper PRIVATE multilabelfy)
