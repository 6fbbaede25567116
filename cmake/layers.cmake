# One static library per folder of src/ (docs/architecture.md, "Layers"). Each links only the
# layers below it; tools/check_layers.py checks the include lines against the same order,
# because Boost and the other system headers sit in /usr/include where no include path can
# hide them.
#
# message_layer(<folder> [DEPENDS <library>...] [LIBRARIES <external>...] [PRIVATE_LIBRARIES ...]
#               [SOURCES <extra source>...] [PRECOMPILE <header>...])
# builds message_<folder> from src/<folder>/*.cpp. The sources are globbed so that a new file
# in a folder needs no CMake edit: the folder is the unit of layering. PRECOMPILE names the
# heavy library headers (Beast, Asio) most of the folder's files include: parsed once per
# target instead of once per file, which is most of a clean build's time there
# (docs/architecture.md, Decisions: "Build time").
function(message_layer folder)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "DEPENDS;LIBRARIES;PRIVATE_LIBRARIES;SOURCES;PRECOMPILE")
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${folder}/*.cpp)
  list(REMOVE_ITEM sources ${PROJECT_SOURCE_DIR}/src/${folder}/main.cpp)
  set(target message_${folder})
  add_library(${target} STATIC ${sources} ${arg_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${target} PUBLIC MESSAGE_VERSION="${PROJECT_VERSION}"
                             BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
  target_link_libraries(${target} PUBLIC ${arg_DEPENDS} ${arg_LIBRARIES} message_sanitizers
                        PRIVATE ${arg_PRIVATE_LIBRARIES} message_warnings message_conversion_warnings)
  if(MESSAGE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 16)
  endif()
  if(arg_PRECOMPILE AND MESSAGE_PRECOMPILED_HEADERS)
    target_precompile_headers(${target} PRIVATE ${arg_PRECOMPILE})
  endif()
endfunction()
