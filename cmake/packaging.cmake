# `make package`: message_<version>_<arch>.deb with CPack's DEB generator. Files land under
# /usr (the binary, its man page, the copyright), /lib/systemd/system and /etc/default; the
# maintainer scripts in packaging/debian create the user and run the service (README "Install").
# Only the server is installed, so packaging needs just `message` and `message_man` built.
include(GNUInstallDirs)
# `make install` and cpack need only what is installed (the server and its man page), not every
# target: without this, cpack's preinstall step builds the tests and the load generator too.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(TARGETS message RUNTIME DESTINATION bin)

# The man page comes from --help and --version by help2man, so it cannot drift from the flags;
# packaging/message.h2m adds the backup and restore commands and the files.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(MESSAGE_MAN ${CMAKE_BINARY_DIR}/message.1.gz)
  add_custom_command(
    OUTPUT ${MESSAGE_MAN}
    COMMAND ${HELP2MAN} --no-info --section=1 "--name=a LAN messenger"
            --include=${PROJECT_SOURCE_DIR}/packaging/message.h2m --output=${CMAKE_BINARY_DIR}/message.1
            $<TARGET_FILE:message>
    COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/message.1
    DEPENDS message ${PROJECT_SOURCE_DIR}/packaging/message.h2m
    VERBATIM)
  add_custom_target(message_man DEPENDS ${MESSAGE_MAN})
  install(FILES ${MESSAGE_MAN} DESTINATION share/man/man1)
endif()

install(FILES ${PROJECT_SOURCE_DIR}/packaging/message.service ${PROJECT_SOURCE_DIR}/packaging/message.socket
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# 0640: it may hold MESSAGE_KEY; postinst gives it to root:message.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/default.env DESTINATION /etc/default RENAME message
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright DESTINATION share/doc/message
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME message)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LAN messenger: a chat server for the machines of one network")
set(CPACK_PACKAGE_DESCRIPTION
    "One machine runs message; every machine of the network opens its page in a browser and people talk in real time. History is kept in SQLite; nothing typed is lost across reconnects or restarts.")
set(CPACK_PACKAGE_CONTACT "message maintainers <message@localhost>")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # message_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The maintainer scripts call adduser; systemctl is used when present.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
include(CPack)
