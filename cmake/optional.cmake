# optional.cmake - optional parts of the build, one include per part.
include(${CMAKE_CURRENT_LIST_DIR}/fuzz.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/safety.cmake)
