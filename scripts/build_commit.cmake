# Writes the commit the sources are at (with -dirty when they differ from it) into the header
# named by OUT, at every build and only when it changed: `engaged --version`, which every bench
# prints beside its figures, names the build they measured, not the commit it was configured at.
# Usage: cmake -DSOURCE_DIR=<repository> -DOUT=<header> -P scripts/build_commit.cmake
execute_process(COMMAND git describe --always --dirty --abbrev=12 --match=no-tags-wanted
                WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE commit
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")  # not a git checkout
endif()
set(text "#define ENGAGED_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
