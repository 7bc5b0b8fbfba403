"""Bangyaer Young Pioneers (少先队): brigades, squadrons, online activities and badges.

The hooks are in ``bangyaer_pioneers.plugin``. A school's brigade (大队) is
its school organisation and each class is a squadron (中队); counsellors
(辅导员) are appointed on top of the core's teacher and school-admin roles.
"""

__version__ = "0.1.0"
