# Manual pages written from the programs' own help texts at build time
# (deploy/man/make-man.sh, help2man from Debian): entretiensctl(1) with every
# command's details, and one page per daemon in section 8.  Installed under
# share/man by cmake --install and the Debian package.
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(WARNING "help2man not found: no manual pages (deploy/deps.sh installs it)")
  return()
endif()
set(ENT_MAN_DIR ${CMAKE_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${ENT_MAN_DIR})
set(ENT_MAN_PAGES "")
set(ENT_MAN_SCRIPT ${CMAKE_SOURCE_DIR}/deploy/man/make-man.sh)

add_custom_command(OUTPUT ${ENT_MAN_DIR}/entretiensctl.1
  COMMAND ${ENT_MAN_SCRIPT} $<TARGET_FILE:entretiensctl> 1
          "plan, hold and follow up employee interviews from the command line"
          ${ENT_MAN_DIR}/entretiensctl.1 ${CMAKE_SOURCE_DIR}/deploy/man/entretiensctl.h2m
  DEPENDS entretiensctl ${ENT_MAN_SCRIPT} ${CMAKE_SOURCE_DIR}/deploy/man/entretiensctl.h2m
  COMMENT "manual page entretiensctl(1)" VERBATIM)
list(APPEND ENT_MAN_PAGES ${ENT_MAN_DIR}/entretiensctl.1)

foreach(d scheduler records notifier analytics gateway)
  if(TARGET entretiens-${d})
    add_custom_command(OUTPUT ${ENT_MAN_DIR}/entretiens-${d}.8
      COMMAND ${ENT_MAN_SCRIPT} $<TARGET_FILE:entretiens-${d}> 8 "the ${d} daemon of entretiens"
              ${ENT_MAN_DIR}/entretiens-${d}.8 ${CMAKE_SOURCE_DIR}/deploy/man/daemon.h2m
      DEPENDS entretiens-${d} ${ENT_MAN_SCRIPT} ${CMAKE_SOURCE_DIR}/deploy/man/daemon.h2m
      COMMENT "manual page entretiens-${d}(8)" VERBATIM)
    list(APPEND ENT_MAN_PAGES ${ENT_MAN_DIR}/entretiens-${d}.8)
  endif()
endforeach()

add_custom_target(man ALL DEPENDS ${ENT_MAN_PAGES})
install(FILES ${ENT_MAN_DIR}/entretiensctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
foreach(p ${ENT_MAN_PAGES})
  if(p MATCHES "\\.8$")
    install(FILES ${p} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
  endif()
endforeach()
