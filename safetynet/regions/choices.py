from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇/街道")
    VILLAGE = 5, _("村/社区")


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


# Significant digits of a 12-digit code at each level: 2+2+2+3+3.
PREFIX_LENGTH = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
