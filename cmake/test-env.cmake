# test-env.cmake - the python3 the shell tests run.  The tests call
# python3 a few hundred times (JSON checks, HTTP clients); where python3 is
# a version manager's shim (pyenv's `python3` is a shell script that runs
# `pyenv exec`), each call pays the shim: 0.2-1 s instead of 0.03-0.15 s,
# minutes of CI time in all.  At configure time the interpreter the shim
# resolves to is asked for its own path (sys.executable) and linked as
# BUILD/test-bin/python3, which every test finds first on its PATH: the
# same interpreter and packages, without the shim.  Nothing changes where
# python3 is already the interpreter itself.
execute_process(COMMAND python3 -c "import sys; print(sys.executable)"
  OUTPUT_VARIABLE _mlfy_python3 OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _mlfy_python3_rc ERROR_QUIET)
set(MLFY_TEST_BIN ${CMAKE_BINARY_DIR}/test-bin)
file(REMOVE_RECURSE ${MLFY_TEST_BIN})
if(_mlfy_python3_rc EQUAL 0 AND EXISTS "${_mlfy_python3}")
  file(MAKE_DIRECTORY ${MLFY_TEST_BIN})
  file(CREATE_LINK "${_mlfy_python3}" ${MLFY_TEST_BIN}/python3 SYMBOLIC)
  message(STATUS "tests run python3 as ${_mlfy_python3}")
endif()

function(mlfy_test_env_path)
  if(NOT EXISTS ${MLFY_TEST_BIN}/python3)
    return()
  endif()
  get_property(tests DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY TESTS)
  foreach(t ${tests})
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT_MODIFICATION "PATH=path_list_prepend:${MLFY_TEST_BIN}")
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mlfy_test_env_path)
