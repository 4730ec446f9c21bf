# codec.cmake - the image codec module (src/codec, util/codec.h): the code
# that calls libvips, built as codec-vips.so in <build>/multilabelfy/, which
# libmultilabelfy opens with dlopen the first time an image is read.  So a
# command that reads no pixel starts without loading libvips' ~100 libraries
# (docs/analysis.md, "CI time").  Included after the library target exists.
file(GLOB CODEC_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/codec/*.c)
add_library(mlfy-codec-vips MODULE ${CODEC_SOURCES})
target_link_libraries(mlfy-codec-vips PRIVATE multilabelfy)
if(NOT MLFY_FUZZ)
  target_link_options(mlfy-codec-vips PRIVATE -Wl,--no-undefined)
endif()
set_target_properties(mlfy-codec-vips PROPERTIES PREFIX "" OUTPUT_NAME codec-vips
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/multilabelfy)
target_link_libraries(multilabelfy PRIVATE ${CMAKE_DL_LIBS})
# whatever runs the library needs the module beside it
add_dependencies(mlfy mlfy-codec-vips)
if(TARGET fuzz-targets)
  add_dependencies(fuzz-targets mlfy-codec-vips)
endif()
