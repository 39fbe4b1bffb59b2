# sslflow_add_plugin(NAME SOURCES src... [LIBRARIES lib...] [OUTPUT_DIRECTORY dir])
#
# Builds a plugin library: a MODULE library linked to sslflow::sdk only, with hidden
# symbol visibility so that it exports nothing but its SSLFLOW_PLUGIN descriptor. The
# engine loads it from its plugin directory, SSLFLOW_PLUGIN_PATH or --plugin-path.
function(sslflow_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "sslflow_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE sslflow::sdk ${arg_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX "libsslflow_"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_DIRECTORY}")
  endif()
endfunction()

# sslflow_add_plugin_objects(NAME src...)
#
# Sources as an object library NAME_objects, compiled once for a plugin and for the tests
# that build its classes directly, or shared by several plugins: each links it with
# LIBRARIES NAME_objects, and gets the folder of those sources on its include path.
function(sslflow_add_plugin_objects name)
  add_library(${name}_objects OBJECT ${ARGN})
  target_link_libraries(${name}_objects PUBLIC sslflow::sdk)
  target_compile_features(${name}_objects PUBLIC cxx_std_20)
  target_include_directories(${name}_objects PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
  set_target_properties(${name}_objects PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
