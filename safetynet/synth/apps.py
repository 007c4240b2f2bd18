from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "safetynet.synth"
    label = "synth"
    verbose_name = "合成数据"
