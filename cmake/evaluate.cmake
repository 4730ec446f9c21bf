# evaluate.cmake - what src/report needs beyond the common dependencies:
# fontconfig, called directly to release its caches before exit (see
# mlfy_plot_shutdown in src/report/plot.h).  Included from CMakeLists.txt
# after the library target exists.
pkg_check_modules(FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
target_link_libraries(multilabelfy PUBLIC PkgConfig::FONTCONFIG)
