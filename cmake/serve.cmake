# serve.cmake - the serve area's build steps: embed web/ into the library,
# and the fixture tool that tests and benchmarks use to make projects.
file(GLOB MLFY_WEB_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/web/*)
add_custom_command(
  OUTPUT ${GEN_DIR}/web_assets.c
  COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${CMAKE_SOURCE_DIR}/web -DOUT=${GEN_DIR}/web_assets.c
          -P ${CMAKE_SOURCE_DIR}/cmake/embed-web.cmake
  DEPENDS ${MLFY_WEB_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed-web.cmake
  COMMENT "Embedding web/ assets"
  VERBATIM)
target_sources(multilabelfy PRIVATE ${GEN_DIR}/web_assets.c)

# mlfy-fixture: builds synthetic (or imagenet-samples) projects for
# tests/serve, tests/e2e and bench/serve.
add_executable(mlfy-fixture ${CMAKE_SOURCE_DIR}/tests/serve/fixture.c)
target_include_directories(mlfy-fixture PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mlfy-fixture PRIVATE multilabelfy)

# mlfy-loadgen: the HTTP load generator of bench/serve (plain sockets).
add_executable(mlfy-loadgen ${CMAKE_SOURCE_DIR}/bench/serve/loadgen.c)
target_compile_definitions(mlfy-loadgen PRIVATE _GNU_SOURCE)
target_link_libraries(mlfy-loadgen PRIVATE Threads::Threads)
