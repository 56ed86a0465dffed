# cmake -DIN=openapi.json -DOUT=gw_openapi.c -P embed.cmake
# Writes the document as a C array (NUL-terminated) and its length.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from openapi.json by embed.cmake: do not edit */\n#include <stddef.h>\n"
  "const char gw_openapi_json[] = {${body}0x00};\nconst size_t gw_openapi_json_len = ${len};\n")
