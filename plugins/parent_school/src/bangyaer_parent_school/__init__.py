"""Bangyaer parent school (家长学校): courses for guardians, quizzes, certificates, lectures.

The hooks are in ``bangyaer_parent_school.plugin``. Courses come in series
by the child's school stage (幼儿, 小学, 初中); a guardian who passes a
course's quiz completes it and receives a certificate.
"""

__version__ = "0.1.0"
