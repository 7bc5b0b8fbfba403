"""Growth records (成长记录): every module's events about a student, in one timeline."""
