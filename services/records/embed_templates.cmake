# cmake -DDIR=services/records/templates -DOUT=rec_default_templates.c -P embed_templates.cmake
# Writes every JSON template of DIR, byte for byte, as the table of
# rec_default_templates.h (records imports them at its first start).  Run by
# the build whenever a template changes: nothing generated is committed, and
# test_records_templates checks each file on disk is in the table, equal.
file(GLOB files RELATIVE ${DIR} ${DIR}/*.json)
list(SORT files)
set(defs "")
set(entries "")
set(i 0)
foreach(f ${files})
  file(READ ${DIR}/${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(APPEND defs "static const char s_t${i}[] = {${body}0x00};\n")
  string(APPEND entries "    { \"${f}\", s_t${i} },\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT} "/* generated from the JSON files of services/records/templates by embed_templates.cmake: do not edit */\n"
  "#include \"rec_default_templates.h\"\n\n${defs}\n"
  "const rec_default_template_t rec_default_templates[] = {\n${entries}};\n"
  "const size_t rec_n_default_templates = ${i};\n")
