# The page (web/) is compiled into the binary so one file runs the app. embed_files.cmake turns
# every file below web/ into a byte array plus a table of (path, content type, bytes).
# Call from the directory whose target compiles the result (custom command outputs are
# directory-scoped).
function(message_embed_web out_var)
  file(GLOB_RECURSE web_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/web/*)
  set(out ${PROJECT_BINARY_DIR}/generated/web_assets_data.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${PROJECT_SOURCE_DIR}/web -DOUT=${out}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${web_files} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding web/ into the binary")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
