# What `cmake --install` puts beside the programs (their install rules are in
# services/CMakeLists.txt), and the Debian package built from it with CPack:
#
#   cmake --install build --prefix /opt/entretiens     # binaries, units, docs
#   (cd build && cpack -G DEB)                          # entretiens_<version>_<arch>.deb
#
# The daemons are the units of deploy/systemd/: a new entretiens-<name>.service
# there is installed, packaged and stopped at removal without editing this file.
include(GNUInstallDirs)

set(ENTRETIENS_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd units go, relative to the install prefix (or absolute)")

file(GLOB ENT_UNITS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/deploy/systemd/entretiens*.service
     ${CMAKE_SOURCE_DIR}/deploy/systemd/entretiens*.target)
set(ENT_DAEMON_UNITS "")
foreach(u ${ENT_UNITS})
  get_filename_component(n ${u} NAME)
  if(n MATCHES "^entretiens-.*\\.service$")
    list(APPEND ENT_DAEMON_UNITS ${n})
  endif()
endforeach()

# The units in deploy/systemd/ run /opt/entretiens/bin/...: installed, they
# run the programs where this installation put them.  Done at install time,
# so that `cmake --install --prefix P` and CPack (which installs under
# /usr) each get their own path.
install(CODE "
  set(bindir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  set(unitdir \"${ENTRETIENS_SYSTEMD_UNIT_DIR}\")
  if(NOT IS_ABSOLUTE \"\${unitdir}\")
    set(unitdir \"\${CMAKE_INSTALL_PREFIX}/\${unitdir}\")
  endif()
  foreach(u ${ENT_UNITS})
    get_filename_component(n \"\${u}\" NAME)
    file(READ \"\${u}\" text)
    string(REPLACE \"/opt/entretiens/bin\" \"\${bindir}\" text \"\${text}\")
    file(WRITE \"${CMAKE_BINARY_DIR}/systemd/\${n}\" \"\${text}\")
    file(INSTALL DESTINATION \"\${unitdir}\" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
         FILES \"${CMAKE_BINARY_DIR}/systemd/\${n}\")
  endforeach()
")

# The environment file every unit reads is /etc/entretiens/entretiens.env:
# the example goes with the docs, and the package copies it there when the
# host has none (an edited one is never overwritten).
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/entretiens.env DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# bash completion of entretiensctl (read by bash-completion on demand)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/completion/entretiensctl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME entretiensctl)
# zsh completion (Debian's zsh reads vendor-completions)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/completion/_entretiensctl
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CHANGELOG.md ${CMAKE_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# ------------------------------------------------------------ Debian package
set(CPACK_PACKAGE_NAME entretiens)
set(CPACK_PACKAGE_VENDOR "entretiens")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "interview planning for French employers (daemons and CLI)")
set(CPACK_PACKAGE_DESCRIPTION "Plans, holds and follows up every interview an organisation owes its employees: \
the scheduler, records, notifier and analytics daemons (systemd units, user entretiens, stores in \
/var/lib/entretiens, keys in /etc/entretiens/keys) and entretiensctl.")
set(CPACK_PACKAGE_CONTACT "entretiens maintainers <maintainers@entretiens.invalid>")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/entretiens/entretiens")
# The runtime libraries, as dpkg-shlibdeps reads them from the binaries
# (libzmq5, liblmdb0, libuv1, libmicrohttpd12, libjansson4, libssl3, libcurl4,
# libical3, libcsv3, libprotobuf-c1 ...); passwd for useradd in postinst;
# ca-certificates and tzdata as the Docker image has them (SMTPS/HTTPS, Paris time);
# fonts-dejavu-core: the fonts of the report as a PDF (found through fontconfig,
# not linked, so dpkg-shlibdeps cannot see them).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, ca-certificates, tzdata, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
string(REPLACE ";" " " ENT_DAEMON_UNITS_SH "${ENT_DAEMON_UNITS}")
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/${script}.in ${CMAKE_BINARY_DIR}/debian/${script} @ONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/debian/postinst ${CMAKE_BINARY_DIR}/debian/prerm ${CMAKE_BINARY_DIR}/debian/postrm)
include(CPack)
