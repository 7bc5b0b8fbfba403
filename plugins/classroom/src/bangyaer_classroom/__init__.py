"""Bangyaer second classroom (第二课堂 / 云课堂): free cloud classes for families.

The hooks are in ``bangyaer_classroom.plugin``. Courses are made of lessons
(a video from the blob store, an external link, or a short text); families
watch on phones and their progress is kept per child and lesson.
"""

__version__ = "0.1.0"
