# pg-tests.cmake - the store's unit tests (tests/store/test_*.c) a second
# time against a real PostgreSQL, label `pg`: a fixture starts a throw-away
# cluster (scripts/pg-test-cluster: initdb + pg_ctl, Unix socket only) in a
# short folder under /tmp named after this build folder, the tests get its
# socket folder as MLFY_TEST_PG (tests/testutil.h: test_project makes a fresh
# database per project), and the fixture's cleanup stops and removes it.
# pg/cli/pg_smoke runs tests/cli/pg_smoke.sh (the CLI and server on a URI)
# in the same cluster.  Without initdb one test says "skipped: PostgreSQL
# not installed".
#   ctest -L pg            the PostgreSQL runs only
#   ctest -R '^store/'     the SQLite runs only
find_program(MLFY_INITDB initdb
  PATHS /usr/lib/postgresql/17/bin /usr/lib/postgresql/16/bin /usr/lib/postgresql/15/bin NO_DEFAULT_PATH)
if(NOT MLFY_INITDB)
  find_program(MLFY_INITDB initdb)
endif()

if(MLFY_INITDB)
  get_filename_component(_pg_bin ${MLFY_INITDB} DIRECTORY)
  string(MD5 _pg_hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${_pg_hash}" 0 10 _pg_hash)
  set(MLFY_PG_DIR "/tmp/mlfy-pg-${_pg_hash}")
  add_test(NAME pg/cluster-start COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-test-cluster start ${MLFY_PG_DIR})
  add_test(NAME pg/cluster-stop COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-test-cluster stop ${MLFY_PG_DIR})
  set_tests_properties(pg/cluster-start PROPERTIES FIXTURES_SETUP pg LABELS pg ENVIRONMENT "PG_BIN=${_pg_bin}")
  set_tests_properties(pg/cluster-stop PROPERTIES FIXTURES_CLEANUP pg LABELS pg ENVIRONMENT "PG_BIN=${_pg_bin}")
  foreach(src ${UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    get_filename_component(dir ${src} DIRECTORY)
    get_filename_component(area ${dir} NAME)
    if(NOT area STREQUAL "store")
      continue()
    endif()
    add_test(NAME pg/${area}/${name} COMMAND ${area}_${name})
    set_tests_properties(pg/${area}/${name} PROPERTIES
      ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR}"
      SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS pg)
  endforeach()
  # the demo's commands on a URI project, compared with an SQLite run
  add_test(NAME pg/cli/pg_smoke COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli/pg_smoke.sh)
  set_tests_properties(pg/cli/pg_smoke PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS pg TIMEOUT 600)
  # mlfy migrate file -> PostgreSQL -> file, refusals, kill -9 (tests/cli/migrate.sh;
  # cli/migrate runs its SQLite part without the cluster)
  add_test(NAME pg/cli/migrate COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli/migrate.sh)
  set_tests_properties(pg/cli/migrate PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS pg TIMEOUT 300)
  # a password in a project URI is never printed nor kept in the audit log
  add_test(NAME pg/cli/pg_secrets COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli/pg_secrets.sh)
  set_tests_properties(pg/cli/pg_secrets PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS pg TIMEOUT 300)
  # several `mlfy serve` behind nginx on one PostgreSQL database, one killed
  # with kill -9 under load (docs/deploy.md); release build only, like the
  # other kill -9 tests (cmake/test-split.cmake)
  add_test(NAME pg/serve/multi_instance COMMAND bash ${CMAKE_SOURCE_DIR}/tests/serve/multi_instance.sh)
  set_tests_properties(pg/serve/multi_instance PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS "pg;no-asan" TIMEOUT 600)
  # kill -9 of init, add-images and import-predictions on a PostgreSQL
  # project (tests/crash/kill_pg.sh); release build only, as the other
  # crash tests; 2 cycles per scenario in CI (make crash-test: more)
  add_test(NAME pg/crash/kill_pg COMMAND bash ${CMAKE_SOURCE_DIR}/tests/crash/kill_pg.sh)
  set_tests_properties(pg/crash/kill_pg PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};MLFY_CRASH_CYCLES=2;PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS "pg;crash;no-asan" TIMEOUT 600)
  # kill -9 of `mlfy serve` under 8 saving annotators, of `mlfy analyze` and
  # of `mlfy propose` on a PostgreSQL project: the scripts that run as
  # crash/kill_serve, crash/kill_analyze and crash/kill_propose on a SQLite
  # file (the glob of CMakeLists.txt) run on a fresh database of the
  # fixture's cluster when MLFY_TEST_PG is set (tests/crash/lib.sh), with
  # the same checks; release build only, 2 cycles per scenario in CI (CI
  # time; make crash-test runs the SQLite variants with more)
  foreach(name kill_serve kill_analyze kill_propose)
    add_test(NAME pg/crash/${name} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/crash/${name}.sh)
    set_tests_properties(pg/crash/${name} PROPERTIES
      ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};MLFY_CRASH_CYCLES=2;PATH=${_pg_bin}:$ENV{PATH}"
      SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS "pg;crash;no-asan" TIMEOUT 600)
  endforeach()
  # two instances on one PostgreSQL database share the login throttle, and
  # the live view's long poll hears the other's changes (LISTEN/NOTIFY)
  add_test(NAME pg/serve/shared_state COMMAND bash ${CMAKE_SOURCE_DIR}/tests/serve/shared_state.sh)
  set_tests_properties(pg/serve/shared_state PROPERTIES
    ENVIRONMENT "${TEST_ENV};MLFY_TEST_PG=${MLFY_PG_DIR};PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 FIXTURES_REQUIRED pg LABELS pg TIMEOUT 300)
  # `mlfy serve` across `pg_ctl -m fast restart` of its database server: no
  # request fails (a cluster of its own, not the fixture's)
  add_test(NAME pg/serve/pg_restart COMMAND bash ${CMAKE_SOURCE_DIR}/tests/serve/pg_restart.sh)
  set_tests_properties(pg/serve/pg_restart PROPERTIES
    ENVIRONMENT "${TEST_ENV};PG_BIN=${_pg_bin};PATH=${_pg_bin}:$ENV{PATH}"
    SKIP_RETURN_CODE 77 LABELS pg TIMEOUT 300)
else()
  add_test(NAME pg/not-installed
    COMMAND sh -c "echo 'skipped: PostgreSQL not installed (no initdb; scripts/install-deps installs it)'; exit 77")
  set_tests_properties(pg/not-installed PROPERTIES SKIP_RETURN_CODE 77 LABELS pg)
endif()
