# modules.cmake - the parts of the library built as modules of their own
# (util/module.h), in <build>/multilabelfy/, which libmultilabelfy opens with
# dlopen the first time they are needed, so that a command starts without
# the libraries it does not use (docs/analysis.md, "CI time"):
#   codec-vips.so  src/codec: every call to libvips (util/codec.h)
#   store-pg.so    src/store/pg*.c: the PostgreSQL engine, libpq (engine_ops.h)
#   propose-ort.so src/propose/ort/session_ort.c: ONNX Runtime (with it only)
# Each links against libmultilabelfy for the rest.  Included after the
# library target exists; CMakeLists.txt leaves src/store/pg*.c out of it.
function(mlfy_module target file)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE multilabelfy)
  if(NOT MLFY_FUZZ)   # clang's sanitizer runtime lives in the executable
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME ${file}
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/multilabelfy)
  # whatever runs the library needs its modules beside it
  add_dependencies(mlfy ${target})
  if(TARGET fuzz-targets)
    add_dependencies(fuzz-targets ${target})
  endif()
endfunction()

file(GLOB CODEC_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/codec/*.c)
mlfy_module(mlfy-codec-vips codec-vips ${CODEC_SOURCES})
mlfy_module(mlfy-store-pg store-pg ${MLFY_PG_SOURCES})
if(MLFY_HAVE_ONNXRUNTIME)
  mlfy_module(mlfy-propose-ort propose-ort ${MLFY_ORT_MODULE_SOURCES})
  target_link_libraries(mlfy-propose-ort PRIVATE ${MLFY_ORT_TARGET})
endif()
target_link_libraries(multilabelfy PRIVATE ${CMAKE_DL_LIBS})
