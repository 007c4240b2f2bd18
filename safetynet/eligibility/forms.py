"""Forms of eligibility: proposing a standard, a what-if scenario, a batch run."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openfisca_cn_assistance.standards import STANDARDS

from safetynet.eligibility.models import UrbanRuralScope


def standard_choices() -> list[tuple[str, str]]:
    return [(s.name, f"{s.label_zh}（{s.name}）") for s in STANDARDS]


class MonthField(forms.Field):
    """YYYY-MM → the first day of that month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        import datetime as dt

        value = (value or "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from None


class StandardProposalForm(forms.Form):
    key = forms.ChoiceField(label=_("标准项目"), choices=standard_choices)
    urban_rural = forms.ChoiceField(label=_("城乡"), choices=UrbanRuralScope.choices, required=False)
    value = forms.DecimalField(label=_("数值"), max_digits=16, decimal_places=4)
    effective_from = forms.DateField(label=_("执行起始日"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("文件依据（文号）"), max_length=300)
    is_guideline = forms.BooleanField(label=_("指导标准（下级不得低于）"), required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100)
    month = MonthField(label=_("测算月份"), initial=lambda: timezone.localdate().strftime("%Y-%m"))
    key_1 = forms.ChoiceField(label=_("调整项目一"), choices=standard_choices, initial="dibao_standard_rural")
    value_1 = forms.DecimalField(label=_("新数值"), max_digits=16, decimal_places=4)
    key_2 = forms.ChoiceField(
        label=_("调整项目二"), choices=lambda: [("", "—")] + standard_choices(), required=False
    )
    value_2 = forms.DecimalField(label=_("新数值"), max_digits=16, decimal_places=4, required=False)
    key_3 = forms.ChoiceField(
        label=_("调整项目三"), choices=lambda: [("", "—")] + standard_choices(), required=False
    )
    value_3 = forms.DecimalField(label=_("新数值"), max_digits=16, decimal_places=4, required=False)

    def changes(self) -> dict[str, float]:
        out = {}
        for i in (1, 2, 3):
            key, value = self.cleaned_data.get(f"key_{i}"), self.cleaned_data.get(f"value_{i}")
            if key and value is not None:
                out[key] = float(value)
        return out


class RunForm(forms.Form):
    month = MonthField(label=_("评估月份"), initial=lambda: timezone.localdate().strftime("%Y-%m"))
