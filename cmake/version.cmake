# One version for every binary (common/version.h): the project version
# (project() in CMakeLists.txt) and the source revision, `git describe` run
# here at configure time.  Outside a git tree (a release tarball, a Docker
# build context without .git) the revision is ENTRETIENS_REVISION when given
# (-DENTRETIENS_REVISION=...), else "unknown".
#
# A new commit re-runs the configuration (the dependency on git's HEAD log
# below), so `cmake --build` after a commit prints the new revision; a tree
# that becomes dirty without a commit shows it at the next configuration.
set(ENTRETIENS_REVISION "" CACHE STRING "Source revision printed by --version (default: git describe)")

set(ENT_REVISION "${ENTRETIENS_REVISION}")
if(NOT ENT_REVISION)
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --always --dirty
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE ENT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE git_rc ERROR_QUIET)
    if(NOT git_rc EQUAL 0)
      set(ENT_REVISION "")
    else()
      execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --absolute-git-dir
                      WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                      OUTPUT_VARIABLE git_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      foreach(f HEAD logs/HEAD)
        if(EXISTS "${git_dir}/${f}")
          set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${git_dir}/${f}")
        endif()
      endforeach()
    endif()
  endif()
endif()
if(NOT ENT_REVISION)
  set(ENT_REVISION "unknown")
endif()
message(STATUS "entretiens ${PROJECT_VERSION} (${ENT_REVISION})")
configure_file(${CMAKE_SOURCE_DIR}/cmake/version_build.h.in ${CMAKE_BINARY_DIR}/generated/version_build.h @ONLY)
