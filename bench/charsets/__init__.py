"""The charset case matrix: Chinese titles in five charsets, served as pages and feeds under lying
and missing declarations, collected through the real collector (see __main__)."""
