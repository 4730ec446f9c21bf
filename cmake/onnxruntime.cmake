# onnxruntime.cmake - ONNX Runtime for `mlfy propose` (optional).
#
#   -DMLFY_WITH_ONNXRUNTIME=AUTO  (default) use it when found, else build without
#   -DMLFY_WITH_ONNXRUNTIME=ON    fail when it is not found
#   -DMLFY_WITH_ONNXRUNTIME=OFF   build without it (mlfy propose says so)
#
# Search order: pkg-config libonnxruntime (Debian/Ubuntu libonnxruntime-dev),
# then ORT_ROOT (cache variable or environment; an official release tarball:
# ORT_ROOT/include/onnxruntime_c_api.h, ORT_ROOT/lib/libonnxruntime.so), then
# third_party/onnxruntime (filled by scripts/fetch-onnxruntime).
# With it, src/propose/ort/session_ort.c joins the library; without it,
# src/propose/ort/session_none.c.  Binaries get an RPATH to the library's
# directory so they run from the build tree without LD_LIBRARY_PATH.

set(MLFY_WITH_ONNXRUNTIME AUTO CACHE STRING "Use ONNX Runtime for mlfy propose: AUTO, ON or OFF")
set_property(CACHE MLFY_WITH_ONNXRUNTIME PROPERTY STRINGS AUTO ON OFF)
set(ORT_ROOT "$ENV{ORT_ROOT}" CACHE PATH "ONNX Runtime install prefix (include/ and lib/)")

string(TOUPPER "${MLFY_WITH_ONNXRUNTIME}" _mlfy_ort_mode)
if(NOT _mlfy_ort_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "MLFY_WITH_ONNXRUNTIME must be AUTO, ON or OFF (got '${MLFY_WITH_ONNXRUNTIME}')")
endif()

set(MLFY_HAVE_ONNXRUNTIME OFF)
set(_mlfy_ort_how "")
if(NOT _mlfy_ort_mode STREQUAL "OFF")
  pkg_check_modules(ORT QUIET IMPORTED_TARGET libonnxruntime)
  if(ORT_FOUND)
    set(MLFY_HAVE_ONNXRUNTIME ON)
    set(_mlfy_ort_how "pkg-config libonnxruntime ${ORT_VERSION}")
    set(MLFY_ORT_TARGET PkgConfig::ORT)
  else()
    foreach(_root "${ORT_ROOT}" "${CMAKE_SOURCE_DIR}/third_party/onnxruntime")
      if(_root STREQUAL "" OR NOT EXISTS "${_root}")
        continue()
      endif()
      unset(MLFY_ORT_INCLUDE_DIR CACHE)
      unset(MLFY_ORT_LIBRARY CACHE)
      find_path(MLFY_ORT_INCLUDE_DIR onnxruntime_c_api.h
        PATHS "${_root}/include" "${_root}/include/onnxruntime"
        "${_root}/include/onnxruntime/core/session" NO_DEFAULT_PATH)
      find_library(MLFY_ORT_LIBRARY NAMES onnxruntime PATHS "${_root}/lib" "${_root}/lib64"
        NO_DEFAULT_PATH)
      if(MLFY_ORT_INCLUDE_DIR AND MLFY_ORT_LIBRARY)
        set(MLFY_HAVE_ONNXRUNTIME ON)
        set(_mlfy_ort_how "${MLFY_ORT_LIBRARY}")
        add_library(mlfy_onnxruntime SHARED IMPORTED)
        set_target_properties(mlfy_onnxruntime PROPERTIES
          IMPORTED_LOCATION "${MLFY_ORT_LIBRARY}"
          INTERFACE_INCLUDE_DIRECTORIES "${MLFY_ORT_INCLUDE_DIR}")
        set(MLFY_ORT_TARGET mlfy_onnxruntime)
        # installed binaries keep the path to a non-system ONNX Runtime
        get_filename_component(_ort_libdir "${MLFY_ORT_LIBRARY}" DIRECTORY)
        list(APPEND CMAKE_BUILD_RPATH "${_ort_libdir}")
        list(APPEND CMAKE_INSTALL_RPATH "${_ort_libdir}")
        break()
      endif()
    endforeach()
  endif()
  if(NOT MLFY_HAVE_ONNXRUNTIME AND _mlfy_ort_mode STREQUAL "ON")
    message(FATAL_ERROR
      "MLFY_WITH_ONNXRUNTIME=ON but ONNX Runtime was not found: install libonnxruntime-dev, "
      "set ORT_ROOT to a release tarball's directory, or run scripts/fetch-onnxruntime")
  endif()
endif()

if(MLFY_HAVE_ONNXRUNTIME)
  message(STATUS "ONNX Runtime: ${_mlfy_ort_how}")
  # the library gets the loader; session_ort.c, linked with ONNX Runtime, is
  # the module propose-ort.so (cmake/modules.cmake), opened on first use
  list(APPEND MLFY_EXTRA_LIB_SOURCES ${CMAKE_SOURCE_DIR}/src/propose/ort/session_module.c)
  set(MLFY_ORT_MODULE_SOURCES ${CMAKE_SOURCE_DIR}/src/propose/ort/session_ort.c)
else()
  message(STATUS "ONNX Runtime: not used (mlfy propose will be unavailable)")
  list(APPEND MLFY_EXTRA_LIB_SOURCES ${CMAKE_SOURCE_DIR}/src/propose/ort/session_none.c)
endif()

# bench/propose/run drives this benchmark program (it links the library,
# which is defined after this file is included; CMake resolves the name later).
if(MLFY_HAVE_ONNXRUNTIME)
  add_executable(mlfy-bench-propose ${CMAKE_SOURCE_DIR}/bench/propose/bench_propose.c)
  target_link_libraries(mlfy-bench-propose PRIVATE multilabelfy)
endif()
