# optional.cmake - optional parts of the build, each in its own file
# (included from CMakeLists.txt before the library is defined; they may set
# MLFY_EXTRA_LIB_SOURCES and MLFY_EXTRA_LIBS).
include(${CMAKE_CURRENT_LIST_DIR}/onnxruntime.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/fuzz.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/safety.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/test-split.cmake)
