/* placeholder until templates/embed.py runs */
#include "default_templates.h"
const rec_default_template_t rec_default_templates[] = { { "", "" } };
const size_t rec_n_default_templates = 0;
